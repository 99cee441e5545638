"""Office desks: the dispatch desk of a grid, community, street or city."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

if TYPE_CHECKING:
    from govsim.agents.workers import Worker
    from govsim.policies.disciplines import Queue
    from govsim.record.ledger import OfficeInfo


class Office(CellAgent):
    """A desk with a queue and the handlers who serve it.

    ``travel_h[cell]`` is the one-way travel time (h) from the desk to each map cell;
    a handler's busy time for an incident is the round trip plus the handling time.
    """

    def __init__(self, model, info: OfficeInfo, travel_h: np.ndarray, queue: Queue) -> None:
        super().__init__(model)
        self.info = info
        self.id = info.id
        self.rank = info.rank
        self.round_trip_h = (2.0 * travel_h).tolist()
        self.queue = queue
        self.free: list[Worker] = []
        self.staff: list[Worker] = []

    def hire(self, worker: Worker) -> None:
        """Add a handler to this desk (free until given work, if on duty)."""
        self.staff.append(worker)
        if worker.on_duty:
            self.free.append(worker)
