"""Petitions (信访): residents who take a problem left unsolved to a higher tier.

A resident's patience is ``behaviour.petition_after_h`` × (trust / reference) ^
``petitions.trust_elasticity``. When it runs out, a problem nobody official knows of goes
to the petition desk (``router.petition_rank``: the top tier, or with ``petitions.to:
above`` the tier above the grid) and is handled from there; a problem reported but not
yet resolved (``petitions.unresolved``) is petitioned to the tier above the one holding
it (or the top), is counted there and stays where it is. With ``to: above`` an unsolved
problem is petitioned again after each spell of patience, one tier higher, up to the top;
with ``to: top`` once. Each petition is a ledger row at the tier it reached and an
experience of 0 for the resident's trust.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from govsim.agents.residents import TRUST_FLOOR
from govsim.engine.clock import Clock
from govsim.engine.incidents import Channel, Incident
from govsim.world.scenario import Behaviour

if TYPE_CHECKING:
    from govsim.agents.residents import Population
    from govsim.policies.routing import TieredEscalation


class Petitions:
    """Schedules each resident's petition for when their patience runs out, and makes it.

    ``wait`` is called when a problem occurs (hidden, or with ``unresolved`` reported at
    once); ``found(incident, Channel.PETITION)`` hands a hidden one to the lifecycle.
    """

    def __init__(
        self,
        behaviour: Behaviour,
        clock: Clock,
        population: Population,
        router: TieredEscalation,
        record: Callable[[tuple[float, int, int]], None],
        found: Callable[[Incident, Channel], None],
    ) -> None:
        spec = behaviour.petitions
        self.patience_h = behaviour.petition_after_h if behaviour.enabled else 0.0
        self.unresolved = spec.unresolved and bool(self.patience_h)
        self.elasticity = spec.trust_elasticity
        self.reference = behaviour.trust.reference
        self.above = spec.to == "above"
        self.top = router.desks.top
        router.petition_rank = min(1, self.top) if self.above else self.top
        self.clock, self.population, self.router = clock, population, router
        self.record, self.found = record, found
        self.last_rank: dict[int, int] = {}  # incident id → rank its last petition reached

    def wait(self, incident: Incident, now: float) -> None:
        """Schedule the petition about ``incident`` for when its resident's patience,
        from their trust ``now``, runs out."""
        patience = self.patience_h
        if self.elasticity:
            trust = max(self.population.trust.item(incident.resident), TRUST_FLOOR)
            patience *= (trust / self.reference) ** self.elasticity
        self.clock.defer(now + patience, self.petition, incident)

    def petition(self, incident: Incident) -> None:
        """The patience ran out: petition if the problem is still unsolved."""
        rank = self.rank(incident)
        if rank is None:
            return
        now = self.clock.now
        self.last_rank[incident.id] = rank
        self.record((now, incident.id, rank))
        self.population.experience(incident.resident, 0.0)
        if not incident.discovered:
            self.found(incident, Channel.PETITION)
        unsolved = incident.resolved_at != incident.resolved_at  # NaN
        if self.unresolved and rank < self.top and unsolved:
            self.wait(incident, now)

    def rank(self, incident: Incident) -> int | None:
        """The rank of the tier a petition about ``incident`` reaches now; None: no
        petition (solved, already at the top, or petitions about reported problems off)."""
        if not incident.discovered:
            return self.router.petition_rank
        if not self.unresolved or incident.resolved_at == incident.resolved_at:
            return None
        if not self.above:
            return None if incident.id in self.last_rank else self.top
        holder = incident.office
        rank = max(0 if holder is None else holder.rank, self.last_rank.get(incident.id, 0)) + 1
        return rank if rank <= self.top else None
