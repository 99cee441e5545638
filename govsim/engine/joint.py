"""Whistle-and-report's joint response: a fork-join of the summoned departments' parts.

When the grid cannot resolve a jointly owned incident, the street summons every owning
department (``router.summons``). The incident's own rows show the response as one visit
to the lead desk (handler −1); each department's part is a copy of the incident queued
and handled at its own desk (the ledger's ``assists``). The incident is resolved when
the last part is done (``Lifecycle._finish``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from govsim.engine.clock import Clock
from govsim.engine.incidents import Incident, IncidentKind, State, handling_time
from govsim.world.scenario import Whistle

if TYPE_CHECKING:
    from govsim.agents.offices import Office
    from govsim.policies.routing import TieredEscalation

Part = tuple[Incident, float, float]  # a department's part and its compliance draws (u, e)


class JointResponse:
    """Convenes the summoned departments: all at once (``whistle.convene: joint``) or one
    after another (``sequential``), each arriving as its compliance says (``router.answer``).

    The lead's part takes the incident's own handling time, the others their own draws of
    the type's handling distribution (the joint stream); the others' compliance draws come
    from the whistle stream, only when departments may lapse.
    """

    def __init__(
        self,
        spec: Whistle,
        clock: Clock,
        kinds: Sequence[IncidentKind],
        router: TieredEscalation,
        streams: dict[str, np.random.Generator],
        record: Callable[[tuple[float, int, int, int, int]], None],
        arrive: Callable[[Incident, Office], None],
    ) -> None:
        self.sequential = spec.convene == "sequential"
        self.clock, self.kinds, self.router = clock, kinds, router
        self.handling_rng, self.compliance_rng = streams["joint"], streams["whistle"]
        self.record, self.arrive = record, arrive
        self.waiting: dict[int, list[Part]] = {}  # sequential: the parts still to summon

    def convene(self, joint: tuple[Incident, list[Office], float]) -> None:
        """The lead desk arrived, ``lead_h`` after the summons: the response starts.
        Jointly, every other department starts its part with the lead or on its own later
        arrival; sequentially, only the lead's part starts (``summon_next`` the rest)."""
        incident, desks, lead_h = joint
        lead, now = incident.office, self.clock.now
        self.record((now, incident.id, State.QUEUED, lead.id, -1))
        self.record((now, incident.id, State.STARTED, lead.id, -1))
        incident.pending = len(desks)
        parts = self.parts(incident, desks)
        if self.sequential:
            self.waiting[incident.id] = parts[:0:-1]  # the others, the next one last
            self.arrive(parts[0][0], lead)
            return
        router, summoned_at = self.router, now - lead_h
        for part, u, e in parts:
            late_h = 0.0
            if part.office is not lead and router.lapsing:
                late_h = router.answer(incident, u, e, summoned_at) - lead_h
            if late_h > 0.0:
                self.clock.schedule(now + late_h, self._arrived, part)
            else:
                self.arrive(part, part.office)

    def parts(self, incident: Incident, desks: list[Office]) -> list[Part]:
        """One part of ``incident`` per summoned desk, with its compliance draws."""
        kind, lead, n = self.kinds[incident.kind], incident.office, len(desks)
        draws = self.handling_rng.random(n).tolist()
        if self.router.lapsing:
            rng = self.compliance_rng
            lapses = list(
                zip(rng.random(n).tolist(), rng.exponential(1.0, n).tolist(), strict=True)
            )
        else:  # nobody lapses: no draws, so the streams stay as they were
            lapses = [(1.0, 0.0)] * n
        parts: list[Part] = []
        for desk, u, (lapse_u, lapse_e) in zip(desks, draws, lapses, strict=True):
            part = copy.copy(incident)
            part.joint, part.office = incident, desk
            if desk is not lead:
                part.handling_h = list(incident.handling_h)
                part.handling_h[desk.rank] = handling_time(kind.handling[desk.rank], u)
            parts.append((part, lapse_u, lapse_e))
        return parts

    def summon_next(self, whole: Incident, now: float) -> None:
        """Sequential convening: a part of ``whole`` is done, the next owner is summoned."""
        waiting = self.waiting[whole.id]
        part, u, e = waiting.pop()
        if not waiting:
            del self.waiting[whole.id]
        self.clock.schedule(now + self.router.answer(whole, u, e, now), self._arrived, part)

    def _arrived(self, part: Incident) -> None:
        self.arrive(part, part.office)
