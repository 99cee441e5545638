"""Office desks: the dispatch desk of a grid, community, street or city."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from mesa.discrete_space import CellAgent

if TYPE_CHECKING:
    from govsim.engine.incidents import Incident
    from govsim.policies.disciplines import Queue
    from govsim.policies.dispatch import DispatchRule
    from govsim.record.ledger import OfficeInfo


class Handler(Protocol):
    """What a desk needs to know of the workers it holds."""

    on_duty: bool


class Office(CellAgent):
    """A desk with a queue and the handlers who serve it (as a node of a queueing network).

    ``travel_h[cell]`` is the one-way travel time (h) from the desk to each map cell;
    a handler's busy time for an incident is the round trip plus the handling time.
    ``free`` holds the handlers on duty and idle, in the order they came free (a deque,
    the last freed at the right); the desk's dispatch rule picks which of them takes an
    arriving job.
    """

    def __init__(
        self, model, info: OfficeInfo, travel_h: np.ndarray, queue: Queue, dispatch: DispatchRule
    ) -> None:
        super().__init__(model)
        self.info = info
        self.id = info.id
        self.rank = info.rank
        self.round_trip_h = (2.0 * travel_h).tolist()
        self.queue = queue
        self._take = dispatch.take
        self.free: deque[Any] = deque()
        self.category = ""  # the incident category of a specialised desk; "" pooled
        self.staff: list[Any] = []

    def hire(self, worker: Handler) -> None:
        """Add a handler to this desk (free until given work, if on duty)."""
        self.staff.append(worker)
        if worker.on_duty:
            self.free.append(worker)

    def arrive(self, incident: Incident) -> Any:
        """``incident`` reaches the desk: the free handler who takes it now, or None (it
        waits in the queue)."""
        free = self.free
        if free:
            return self._take(free, incident)
        incident.waiting_in = self.queue
        self.queue.push(incident)
        return None

    def next_job(self, worker: Handler) -> Incident | None:
        """``worker`` is ready for work: the next waiting incident for them, or None (they
        wait free)."""
        following = self.queue.pop()
        if following is None:
            self.free.append(worker)
        return following

    def dismiss(self, worker: Handler) -> bool:
        """Take ``worker`` off the free list; False if they are busy (not on it)."""
        if worker in self.free:
            self.free.remove(worker)
            return True
        return False
