"""Handlers: grid workers, office staff and department staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.discrete_space import CellAgent

if TYPE_CHECKING:
    from govsim.agents.offices import Office
    from govsim.engine.patrols import Patrols
    from govsim.policies.incentives import IncentiveScheme

#: Per-worker tallies of a month (the evaluation's inputs), reset after each evaluation.
TALLIES = ("closed", "on_time", "failed", "rated", "satisfied")


class Worker(CellAgent):
    """Someone who handles incidents for an office; one incident at a time.

    ``speed`` divides handling times (1: the incident type's own distribution);
    ``fail_factor`` scales the chance a fix does not hold; ``incentives`` sets how pace
    follows effort and fatigue. ``role`` names the pay rate
    (``staffing.hourly_cost``); ``on_duty`` is False outside their shifts (a rostered
    group, a part-timer, a surge), and ``leaving`` marks one whose shift ended while busy
    (at ``off_at``, h) or who was called out (``called_out``, on duty since ``on_at``):
    they go off duty when the job in hand is done. ``summoned``: called out, on the way.
    ``shift_today``: a rostered grid worker's shift ran today (they make their rounds).
    """

    role = "office_staff"

    def __init__(
        self,
        model,
        office: Office,
        incentives: IncentiveScheme,
        speed: float = 1.0,
        fail_factor: float = 1.0,
        on_duty: bool = True,
    ) -> None:
        super().__init__(model)
        self.office = office
        self.incentives = incentives
        self.base_speed = speed
        self.speed = speed
        self.fail_factor = fail_factor
        self.busy_today = 0.0
        self.fatigue = 0.0
        self.on_duty = on_duty
        self.leaving = False
        self.called_out = self.summoned = self.shift_today = False
        self.off_at = self.on_at = 0.0
        self.effort = 0.0  # raised by the monthly evaluation: pace × (1 + effort)
        self.tally = dict.fromkeys(TALLIES, 0)  # this month's closures, ratings …

    def end_of_day(self) -> None:
        """Tire from today's overtime (or recover), and set tomorrow's pace."""
        self.fatigue = self.incentives.next_fatigue(self.fatigue, self.busy_today)
        self.set_pace()
        self.busy_today = 0.0

    def set_pace(self) -> None:
        """Pace from the rested pace, effort and fatigue: base × (1 + effort), tired."""
        self.speed = self.incentives.tired_speed(
            self.base_speed * (1.0 + self.effort), self.fatigue
        )

    def fix_fails(self, u: float, fail_prob: float) -> bool:
        """Whether a fix of this worker's fails, at uniform draw ``u``, for an incident type
        failing with ``fail_prob``: effort is speed and care, dividing the chance by
        ``1 + effort``."""
        return u < fail_prob * self.fail_factor / (1.0 + self.effort)


class GridWorker(Worker):
    """A grid worker: handles the grid's incidents, patrols the grid and visits homes."""

    role = "grid_worker"

    def patrol(self, patrols: Patrols) -> None:
        """The day's rounds, at the daily tick: walk the grid ``patrols_per_day`` times and
        knock on doors ``visits_per_week`` times (fractions by chance); each may find
        hidden incidents. Only on a day their shift ran (or on duty around the clock); a
        rider's or a day-shift worker's rounds are made in the shift, though the tick falls
        after it."""
        if self.on_duty or self.shift_today:
            self.rounds(patrols)

    def rounds(self, patrols: Patrols) -> None:
        """Walk the grid and knock on doors once a day's worth (see ``patrol``)."""
        for channel, per_day in patrols.daily:
            for _ in range(patrols.times(per_day)):
                patrols.search(self.cell.coordinate, channel)


class PartTimeGridWorker(GridWorker):
    """A part-time grid worker (a delivery rider, a driver): on duty in a daily shift."""

    role = "part_time"


class OfficeStaff(Worker):
    """A handler at a community station, street office or city command centre."""


class DepartmentStaff(Worker):
    """A handler of a functional department, at its own office or sent down."""

    role = "department_staff"
