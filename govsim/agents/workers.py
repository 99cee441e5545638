"""Handlers: grid workers, office staff and department staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.discrete_space import CellAgent

from govsim.engine.incidents import Channel
from govsim.policies.evaluation import TALLIES

if TYPE_CHECKING:
    from govsim.agents.offices import Office


class Worker(CellAgent):
    """Someone who handles incidents for an office; one incident at a time.

    ``speed`` divides handling times (1: the incident type's own distribution);
    ``fail_factor`` scales the chance a fix does not hold. ``role`` names the pay rate
    (``staffing.hourly_cost``); ``on_duty`` is False outside a part-timer's shift or a
    surge, and ``leaving`` marks one whose shift ended while busy: they go off duty when
    the job in hand is done.
    """

    role = "office_staff"

    def __init__(
        self,
        model,
        office: Office,
        speed: float = 1.0,
        fail_factor: float = 1.0,
        on_duty: bool = True,
    ) -> None:
        super().__init__(model)
        self.office = office
        self.base_speed = speed
        self.speed = speed
        self.fail_factor = fail_factor
        self.busy_today = 0.0
        self.fatigue = 0.0
        self.on_duty = on_duty
        self.leaving = False
        self.effort = 0.0  # raised by the monthly evaluation: pace × (1 + effort)
        self.tally = dict.fromkeys(TALLIES, 0)  # this month's closures, ratings …

    def end_of_day(self) -> None:
        """Tire from today's overtime (or recover), and set tomorrow's pace."""
        self.fatigue = self.model.incentives.next_fatigue(self.fatigue, self.busy_today)
        self.set_pace()
        self.busy_today = 0.0

    def set_pace(self) -> None:
        """Pace from the rested pace, effort and fatigue: base × (1 + effort), tired."""
        self.speed = self.model.incentives.tired_speed(
            self.base_speed * (1.0 + self.effort), self.fatigue
        )


class GridWorker(Worker):
    """A grid worker: handles the grid's incidents, patrols the grid and visits homes."""

    role = "grid_worker"

    def patrol(self) -> None:
        """The day's rounds, at the daily tick: walk the grid ``patrols_per_day`` times and
        knock on doors ``visits_per_week`` times (fractions by chance); each may find
        hidden incidents. Off duty: none."""
        if self.on_duty:
            self.rounds()

    def rounds(self) -> None:
        """Walk the grid and knock on doors once a day's worth (see ``patrol``)."""
        for channel, per_day in (
            (Channel.PATROL, self.model.patrols_per_day),
            (Channel.VISIT, self.model.visits_per_day),
        ):
            whole = int(per_day)
            if self.model.patrol_rng.random() < per_day - whole:
                whole += 1
            for _ in range(whole):
                self.model.search(self.cell.coordinate, channel)


class PartTimeGridWorker(GridWorker):
    """A part-time grid worker (a delivery rider, a driver): on duty in a daily shift."""

    role = "part_time"

    def patrol(self) -> None:
        """The day's rounds: the daily tick falls outside the shift, but the shift ran that
        day (a rider reports what the deliveries pass), so a part-timer always makes them."""
        self.rounds()


class OfficeStaff(Worker):
    """A handler at a community station, street office or city command centre."""


class DepartmentStaff(Worker):
    """A handler of a functional department, at its own office or sent down."""

    role = "department_staff"
