"""Crews on and off duty: rostered shifts, surge crews, call-outs and out-of-hours work.

A crew member coming on duty takes the next waiting job at their desk or waits free; one
going off duty leaves at once when free, or, when busy, once the job in hand is done
(``leaving``; the lifecycle calls ``release`` then): the hours past the shift's end are
overtime. A desk with nobody on shift is closed: an incident reaching it waits, goes to
the duty desk of its region, or calls a handler out (``divert``), as
``rosters.out_of_hours`` says. Every change of who is on duty is a ``staff_change`` in
the ledger; overtime and call-outs are also ``record_pay`` rows (their paid hours).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from govsim.engine.clock import Clock
from govsim.record.ledger import OUT_OF_HOURS_ACTIONS, PAY_KINDS, Ledger
from govsim.world.calendar import Calendar
from govsim.world.rosters import Rosters, Shift

if TYPE_CHECKING:
    from govsim.agents.offices import Office
    from govsim.agents.workers import Worker
    from govsim.engine.incidents import Incident

#: A surge crew: the hour it comes on duty, the hour it goes, and its workers.
Surge = tuple[float, float, list["Worker"]]
OVERTIME, CALL_OUT = PAY_KINDS.index("overtime"), PAY_KINDS.index("call_out")
WAIT, DUTY_DESK, CALLED = (OUT_OF_HOURS_ACTIONS.index(a) for a in ("wait", "duty_desk", "call_out"))


@dataclass
class Crew:
    """Handlers working one shift: ``workers`` across every desk of their group."""

    shift: Shift
    workers: list[Worker]
    grid: bool  # grid workers: their daily rounds follow the shift
    #: a surge crew's [start, end) hours: its shift runs only on days starting inside
    within_h: tuple[float, float] | None = None

    def works(self, day: int, runs: Callable[[str, int], bool]) -> bool:
        """Whether the crew's shift starts on day ``day`` (``runs(days, day)``: the
        calendar's test of the shift's ``days``)."""
        within = self.within_h
        if within is not None and not within[0] <= day * 24.0 < within[1]:
            return False
        return runs(self.shift.days, day)


class Crews:
    """Puts crews on and off duty, on the clock, and handles incidents out of hours.

    ``start(incident, office, worker)`` sets a worker to a job (the lifecycle's; set
    once the lifecycle exists). ``on_shift[office.id]`` counts the desk's handlers on
    shift (not those finishing a job past their shift's end): 0 means closed.
    ``rng`` (the ``rota`` stream) orders a crew coming on. ``duty_desks[cell]`` is the
    duty desk of the cell's region (empty: none); it takes the work of desks from rank
    ``duty_from_rank`` up to its own tier's.
    """

    def __init__(
        self,
        clock: Clock,
        ledger: Ledger,
        calendar: Calendar,
        rosters: Rosters,
        crews: Sequence[Crew],
        offices: Sequence[Office],
        rng: np.random.Generator,
        duty_desks: Sequence[Office] = (),
        duty_from_rank: int = 0,
    ) -> None:
        self.clock = clock
        self.ledger = ledger
        self.calendar = calendar
        self.start: Callable[[Incident, Office, Worker], None] = _unset
        self.crews = list(crews)
        self.on_shift = [sum(w.on_duty for w in office.staff) for office in offices]
        self.duty_desks = list(duty_desks)
        self.duty_from_rank = duty_from_rank
        self.overtime_rate = rosters.overtime_rate
        self.on_call = rosters.on_call
        self.action = OUT_OF_HOURS_ACTIONS.index(rosters.out_of_hours.action)
        threshold = rosters.out_of_hours.call_out_from_severity
        self.call_out_from = threshold if threshold is not None else 1 << 30
        self._grid_rostered = [w for crew in crews if crew.grid for w in crew.workers]
        # a crew comes on in random order (all were off alike: none idle longer), so that
        # no one is always first in line for the morning's work
        self.rng = rng
        self._rota = [0] * len(offices)  # per desk: whose turn it is to be called out
        for worker in self._grid_rostered:
            worker.rostered = True

    def schedule_surges(self, surges: Sequence[Surge]) -> None:
        """Put each surge crew on duty when its surge starts and off when it ends."""
        for start_h, end_h, crew in surges:
            self.clock.schedule(start_h, self.clock_on, crew)
            self.clock.schedule(end_h, self.clock_off, crew)

    def schedule_day(self, day: int) -> None:
        """The shifts starting on day ``day``: each crew whose shift runs that day comes on
        at its start and goes at its end (perhaps the next day). On day 0, a shift of
        the day before that runs past midnight is on from the run's start."""
        day_start_h = day * 24.0
        for worker in self._grid_rostered:
            worker.shifts_today.clear()
        runs = self.calendar.is_day
        for crew in self.crews:
            shift = crew.shift
            if day == 0 and shift.start_h + shift.hours > 24.0 and crew.works(-1, runs):
                self.clock.schedule(0.0, self.clock_on, crew.workers)
                ends = shift.start_h + shift.hours - 24.0
                self.clock.schedule(ends, self.clock_off, crew.workers)
            if crew.works(day, runs):
                begins = day_start_h + shift.start_h
                self.clock.schedule(begins, self.clock_on, crew.workers)
                self.clock.schedule(begins + shift.hours, self.clock_off, crew.workers)
                if crew.grid:
                    hours = (begins, begins + shift.hours)
                    for worker in crew.workers:
                        worker.shifts_today.append(hours)

    def clock_on(self, crew: list[Worker]) -> None:
        """A shift or surge starts: each of the crew takes the next job or waits free."""
        now = self.clock.now
        for i in self.rng.permutation(len(crew)).tolist():
            worker = crew[i]
            if worker.leaving:  # still on a job past a shift's end (or called out): stays
                self._pay(worker, now)
                worker.leaving = worker.called_out = False
                self.on_shift[worker.office.id] += 1
                continue
            if worker.on_duty:
                continue
            worker.on_duty = True
            office = worker.office
            self.on_shift[office.id] += 1
            self.ledger.staff_change(now, office.id, worker.role, 1)
            following = office.next_job(worker)
            if following is not None:
                self.start(following, office, worker)

    def clock_off(self, crew: list[Worker]) -> None:
        """A shift or surge ends: the free go home now, the busy once their job is done."""
        now = self.clock.now
        for worker in crew:
            if not worker.on_duty or worker.leaving:
                continue
            self.on_shift[worker.office.id] -= 1
            if worker.office.dismiss(worker):
                self._go_off(worker, now)
            else:
                worker.leaving = True
                worker.off_at = now

    def release(self, worker: Worker) -> None:
        """A worker past their shift's end (or called out) has finished a job: off duty,
        unless called out to a desk still closed with work waiting, which they take."""
        office, now = worker.office, self.clock.now
        if worker.called_out and not self.on_shift[office.id]:
            following = office.next_job(worker)
            if following is not None:
                self.start(following, office, worker)
                return
            office.dismiss(worker)
        self._pay(worker, now)
        self._go_off(worker, now)

    def divert(self, incident: Incident, office: Office) -> Office:
        """``incident`` reaches ``office`` while nobody is on shift there: the desk it
        goes to (the duty desk of its region when that is the action and it is staffed;
        else ``office``, where it waits, a handler perhaps called out to it)."""
        now = self.clock.now
        action = self.action
        if incident.severity >= self.call_out_from:
            action = CALLED
        if action == DUTY_DESK:
            desk = self.duty_desks[incident.cell]
            if (
                self.duty_from_rank <= office.rank <= desk.rank
                and office is not desk
                and office.info.department is None
                and self.on_shift[desk.id]
            ):
                self.ledger.record_out_of_hours((now, incident.id, office.id, DUTY_DESK))
                return desk
            action = WAIT
        if action == CALLED and not self._call_out(office):
            action = WAIT
        self.ledger.record_out_of_hours((now, incident.id, office.id, action))
        return office

    def _call_out(self, office: Office) -> bool:
        """Call a handler of ``office`` off duty (and not already called) in, after the
        on-call delay, taking turns (an on-call rota); False if there is none."""
        staff, turn = office.staff, self._rota[office.id]
        for k in range(len(staff)):
            worker = staff[(turn + k) % len(staff)]
            if not worker.on_duty and not worker.summoned:
                self._rota[office.id] = (turn + k + 1) % len(staff)
                worker.summoned = True
                self.clock.schedule(self.clock.now + self.on_call.delay_h, self._called_in, worker)
                return True
        return False

    def _called_in(self, worker: Worker) -> None:
        """A called-out handler reaches the desk: takes the next job (clearing the queue
        while the desk stays closed), or goes home paid the minimum if nothing waits."""
        worker.summoned = False
        if worker.on_duty:  # their shift started meanwhile
            return
        office, now = worker.office, self.clock.now
        worker.on_duty = worker.leaving = worker.called_out = True
        worker.on_at = now
        self.ledger.staff_change(now, office.id, worker.role, 1)
        following = office.next_job(worker)
        if following is not None:
            self.start(following, office, worker)
        else:
            office.dismiss(worker)
            self._pay(worker, now)
            self._go_off(worker, now)

    def _pay(self, worker: Worker, now: float) -> None:
        """Record the overtime or call-out that ends now, with its paid hours."""
        office = worker.office.id
        if worker.called_out:
            hours = now - worker.on_at
            paid = max(hours, self.on_call.min_paid_h)
            self.ledger.record_pay(now, office, worker.role, CALL_OUT, hours, paid)
        else:
            hours = now - worker.off_at
            paid = hours * self.overtime_rate
            self.ledger.record_pay(now, office, worker.role, OVERTIME, hours, paid)

    def _go_off(self, worker: Worker, now: float) -> None:
        """``worker`` goes off duty at ``now`` (h): one fewer at their desk in the ledger."""
        worker.leaving = worker.on_duty = worker.called_out = False
        self.ledger.staff_change(now, worker.office.id, worker.role, -1)


def _unset(incident: Incident, office: Office, worker: Worker) -> None:
    raise RuntimeError("Crews.start is set by the model once the lifecycle exists")
