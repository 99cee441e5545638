"""Handlers: grid workers, office staff and department staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.discrete_space import CellAgent

if TYPE_CHECKING:
    from govsim.agents.offices import Office
    from govsim.engine.patrols import Patrols
    from govsim.policies.incentives import IncentiveScheme

#: Per-worker tallies of an evaluation period (the evaluation's inputs, and ``taken``: jobs
#: started, for the ``least_loaded`` dispatch rule), reset after each evaluation.
TALLIES = ("closed", "on_time", "failed", "rated", "satisfied", "taken")


class Worker(CellAgent):
    """Someone who handles incidents for an office; one incident at a time.

    ``speed`` divides handling times (1: the incident type's own distribution);
    ``fail_factor`` scales the chance a fix does not hold; ``incentives`` sets how pace
    follows effort and fatigue. ``role`` names the pay rate
    (``staffing.hourly_cost``); ``on_duty`` is False outside their shifts (a rostered
    group, a part-timer, a surge), and ``leaving`` marks one whose shift ended while busy
    (at ``off_at``, h) or who was called out (``called_out``, on duty since ``on_at``):
    they go off duty when the job in hand is done. ``summoned``: called out, on the way.
    ``shifts_today``: a rostered grid worker's shifts starting today, as (start, end) in
    hours since the start of the run (their rounds fall in them); ``rostered``: a grid
    worker on a roster (no shift today, no rounds).
    ``last_cell`` is the cell of their last job (−1 before the first; kept, like
    ``tally["taken"]``, only for a dispatch rule that ``tracks`` them) and ``skill`` the
    incident category they know best (None: none), for the dispatch rules
    (``govsim.policies.dispatch``).
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
        self.called_out = self.summoned = self.rostered = False
        self.shifts_today: list[tuple[float, float]] = []
        self.off_at = self.on_at = 0.0
        self.last_cell = -1
        self.skill: str | None = None
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
        """The day's rounds: walk the grid ``patrols_per_day`` times and knock on doors
        ``visits_per_week`` / 7 times (fractions by chance); each may find hidden incidents.

        In working hours (``patrols.in_hours``, called at the day's start): at times in
        today's shifts for a rostered worker (none on a day without one), in the daytime
        hours (``staffing.rounds_hours``) for one on duty around the clock. Else at the
        daily tick, if on duty then or their shift ran that day.
        """
        cell = self.cell.coordinate
        if not patrols.in_hours:
            if self.on_duty or self.shifts_today:
                patrols.walk(cell)
        elif self.shifts_today or not self.rostered:
            patrols.plan(self, cell, self.shifts_today or None)


class PartTimeGridWorker(GridWorker):
    """A part-time grid worker (a delivery rider, a driver): on duty in a daily shift."""

    role = "part_time"


class OfficeStaff(Worker):
    """A handler at a community station, street office or city command centre."""


class DepartmentStaff(Worker):
    """A handler of a functional department, at its own office or sent down."""

    role = "department_staff"
