"""Queue disciplines: which waiting incident an office serves next.

An incident records the queue it waits in (``waiting_in``); it leaves early (an overdue
hand-off) by clearing that, and queues skip such entries when they pop (lazy deletion
keeps both operations O(1) / O(log n)).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from itertools import count
from typing import Protocol

from govsim.engine.incidents import Incident
from govsim.registry import DISCIPLINES


class Queue(Protocol):
    """What an office needs from its queue."""

    def push(self, incident: Incident) -> None:
        """Add a waiting incident."""

    def pop(self) -> Incident | None:
        """The next incident to serve, or None if nobody waits."""


@DISCIPLINES.register("fifo")
class FifoQueue:
    """First come, first served."""

    def __init__(self) -> None:
        self._items: deque[Incident] = deque()

    def push(self, incident: Incident) -> None:
        """Add a waiting incident at the back."""
        self._items.append(incident)

    def pop(self) -> Incident | None:
        """The longest-waiting incident still waiting, or None."""
        items = self._items
        while items:
            incident = items.popleft()
            if incident.waiting_in is self:
                incident.waiting_in = None
                return incident
        return None


class PriorityQueue:
    """Serve the waiting incident with the smallest key first; ties in arrival order."""

    key: Callable[[Incident], float] = staticmethod(lambda incident: 0.0)

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Incident]] = []
        self._order = count()

    def push(self, incident: Incident) -> None:
        """Add a waiting incident under its key."""
        heapq.heappush(self._heap, (self.key(incident), next(self._order), incident))

    def pop(self) -> Incident | None:
        """The waiting incident with the smallest key, or None."""
        heap = self._heap
        while heap:
            incident = heapq.heappop(heap)[2]
            if incident.waiting_in is self:
                incident.waiting_in = None
                return incident
        return None


@DISCIPLINES.register("deadline")
class DeadlineQueue(PriorityQueue):
    """Earliest deadline first."""

    key = staticmethod(lambda incident: incident.deadline_at)


@DISCIPLINES.register("severity")
class SeverityQueue(PriorityQueue):
    """Most severe first."""

    key = staticmethod(lambda incident: -incident.severity)


@DISCIPLINES.register("vulnerable")
class VulnerableQueue(PriorityQueue):
    """Incidents of vulnerable residents first (the "five kinds of people")."""

    key = staticmethod(lambda incident: 0.0 if incident.vulnerable else 1.0)
