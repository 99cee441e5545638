"""The clock: continuous time in hours and the heap of events still to happen.

A plain ``heapq``, not Mesa's event scheduling: measured here
(``benchmarks/event_loop.py``) a heap runs 4x the events/s of Mesa 3.3's
``DEVSimulator`` and 8.6x those of Mesa 3.5's ``Model.schedule_event`` (which also holds
callbacks by weak reference).
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

    Events at the same time happen in the order they were scheduled. ``events`` and
    ``order`` are public so that the hot path can push onto the heap without a call.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.events: list[Event] = []
        self.order = count()

    def schedule(self, time_h: float, action: Callable[[Any], None], subject: Any) -> None:
        """Call ``action(subject)`` at ``time_h`` (hours); the subject is an incident, a
        crew of workers or a joint response."""
        heapq.heappush(self.events, (time_h, next(self.order), action, subject))

    def run_until(self, end_h: float) -> None:
        """Happen every event due before ``end_h`` in time order; then the time is ``end_h``."""
        events, pop = self.events, heapq.heappop
        while events and events[0][0] < end_h:
            time_h, _, action, subject = pop(events)
            self.now = time_h
            action(subject)
        self.now = end_h
