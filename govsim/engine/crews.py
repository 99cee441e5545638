"""Crews on and off duty: the part-timers' daily shift and the surge crews.

A crew member coming on duty takes the next waiting job at their desk or waits free; one
going off duty leaves at once when free, or, when busy, once the job in hand is done
(``leaving``; the lifecycle calls ``go_off_duty`` then).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from govsim.engine.clock import Clock
from govsim.record.ledger import Ledger
from govsim.world.scenario import PartTime

if TYPE_CHECKING:
    from govsim.agents.offices import Office
    from govsim.agents.workers import Worker
    from govsim.engine.incidents import Incident

#: A surge crew: the hour it comes on duty, the hour it goes, and its workers.
Surge = tuple[float, float, list["Worker"]]


def go_off_duty(worker: Worker, ledger: Ledger, now: float) -> None:
    """``worker`` goes off duty at ``now`` (h): one fewer at their desk in the ledger."""
    worker.leaving = worker.on_duty = False
    ledger.staff_change(now, worker.office.id, worker.role, -1)


class Crews:
    """Puts shift and surge crews on and off duty, on the clock.

    ``start(incident, office, worker)`` sets a worker to a job (the lifecycle's).
    """

    def __init__(
        self,
        clock: Clock,
        ledger: Ledger,
        start: Callable[[Incident, Office, Worker], None],
        part_timers: list[Worker],
        part_time: PartTime,
    ) -> None:
        self.clock = clock
        self.ledger = ledger
        self.start = start
        self.part_timers = part_timers
        self.part_time = part_time

    def schedule_surges(self, surges: Sequence[Surge]) -> None:
        """Put each surge crew on duty when its surge starts and off when it ends."""
        for start_h, end_h, crew in surges:
            self.clock.schedule(start_h, self.clock_on, crew)
            self.clock.schedule(end_h, self.clock_off, crew)

    def schedule_shift(self, day_start_h: float) -> None:
        """The part-timers' shift of the day starting at ``day_start_h`` (h), if any."""
        if self.part_timers:
            shift = self.part_time
            begins = day_start_h + shift.start_h
            self.clock.schedule(begins, self.clock_on, self.part_timers)
            self.clock.schedule(begins + shift.hours, self.clock_off, self.part_timers)

    def clock_on(self, crew: list[Worker]) -> None:
        """A shift or surge starts: each of the crew takes the next job or waits free."""
        now = self.clock.now
        for worker in crew:
            if worker.leaving:  # still on the last job of a shift that just ended: stays
                worker.leaving = False
                continue
            if worker.on_duty:
                continue
            worker.on_duty = True
            office = worker.office
            self.ledger.staff_change(now, office.id, worker.role, 1)
            following = office.next_job(worker)
            if following is not None:
                self.start(following, office, worker)

    def clock_off(self, crew: list[Worker]) -> None:
        """A shift or surge ends: the free go home now, the busy once their job is done."""
        for worker in crew:
            if not worker.on_duty:
                continue
            if worker.office.dismiss(worker):
                go_off_duty(worker, self.ledger, self.clock.now)
            else:
                worker.leaving = True
