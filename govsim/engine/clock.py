"""The clock: continuous time in hours and the heap of events still to happen.

A plain ``heapq``, not Mesa's event scheduling: measured here
(``benchmarks/event_loop.py``) a heap runs 4x the events/s of Mesa 3.3's
``DEVSimulator`` and 8.6x those of Mesa 3.5's ``Model.schedule_event`` (which also holds
callbacks by weak reference).

Events far ahead that most often come to nothing (a resident's patience: a month, while
nearly every problem is solved long before) are ``defer``-red to a heap of their own, so
that the main heap, which every event passes through, stays small: in Kongtong they are
nineteen in twenty of the events pending, and a pop and push on a heap of 24,000 took
1.7 µs here against 0.5 µs on one of 1,000.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from itertools import count
from typing import Any

#: One scheduled event: its time (h), a tie-breaking sequence number, what to call, on what.
Event = tuple[float, int, Callable[[Any], None], Any]


class Clock:
    """The time ``now`` (hours since the start) and the events due after it.

    Events at the same time happen in the order they were scheduled (or deferred).
    ``events`` and ``order`` are public so that the hot path can push onto the heap
    without a call. ``deferred`` holds the deferred events; the earliest of them stands
    on the main heap as a call of ``_due`` with its time and sequence number, so that
    events happen in the same order as if all were on one heap.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.events: list[Event] = []
        self.order = count()
        self.deferred: list[Event] = []
        self._standing: set[int] = set()  # sequence numbers of deferred events on the heap

    def schedule(self, time_h: float, action: Callable[[Any], None], subject: Any) -> None:
        """Call ``action(subject)`` at ``time_h`` (hours); the subject is an incident, a
        crew of workers or a joint response."""
        heapq.heappush(self.events, (time_h, next(self.order), action, subject))

    def defer(self, time_h: float, action: Callable[[Any], None], subject: Any) -> None:
        """Like ``schedule``, for an event far ahead: kept off the main heap until it is
        the earliest deferred one."""
        event = (time_h, next(self.order), action, subject)
        heapq.heappush(self.deferred, event)
        if self.deferred[0] is event:  # the earliest now: it stands in for the others
            self._stand(event)

    def _stand(self, event: Event) -> None:
        """Put the deferred ``event`` (the earliest) on the main heap, unless it is there."""
        if event[1] not in self._standing:
            self._standing.add(event[1])
            heapq.heappush(self.events, (event[0], event[1], self._due, event[1]))

    def _due(self, sequence: int) -> None:
        """The deferred event ``sequence`` is due, and it is the earliest deferred one: the
        earliest always stands on the main heap, so none earlier can still wait."""
        self._standing.discard(sequence)
        deferred = self.deferred
        _, _, action, subject = heapq.heappop(deferred)
        if deferred:
            self._stand(deferred[0])
        action(subject)

    def run_until(self, end_h: float) -> None:
        """Happen every event due before ``end_h`` in time order; then the time is ``end_h``."""
        events, pop = self.events, heapq.heappop
        while events and events[0][0] < end_h:
            time_h, _, action, subject = pop(events)
            self.now = time_h
            action(subject)
        self.now = end_h
