"""Routing policies: where a verified incident goes first, and where it goes next.

Every policy answers two questions for the model: ``entry`` (the first desk, and the
delay before the incident reaches it) and ``escalate`` (the next desk and the delay,
when the current desk cannot resolve it or it is overdue). A desk resolves an incident
when its tier is at or above the incident's ``level``, the lowest capable tier. Under
every policy a petition skips the tiers to the top desk of its region (``admit``), and
nothing is handed up from the top tier (``below_top``).

- ``tiered``: every tier tries in turn, each hand-off taking ``routing.handoff_h``.
- ``platform``: straight to the capable desk; a share is misrouted one tier off first and
  bounces back after ``platform.bounce_h``.
- ``triage``: three-way triage sends household matters to the grid, community matters to
  the tier above it, government matters to the owning department; tiered from there.
- ``whistle``: the grid tries; if it cannot, the street summons the capable desk, which
  must arrive within ``whistle.response_h`` (no climb through the tiers).
- ``claim``: the grid tries; if it cannot, the incident is posted to the whole team and
  the owner claims it after a delay that grows with the type's ownership ambiguity; with
  probability ``ambiguity`` nobody claims it, and after ``claim.unclaimed_after_h`` it
  goes to arbitration (slow once per type, then settled) or, without arbitration, up the
  tiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from govsim.engine.incidents import Channel
from govsim.registry import ROUTING
from govsim.world.scenario import Routing

if TYPE_CHECKING:
    from govsim.agents.offices import Office
    from govsim.engine.incidents import Incident, IncidentKind

Move = tuple["Office", float]  # the next desk and the delay (h) before it has the incident


class Desks:
    """Who can take an incident.

    ``offices[rank][cell][kind]`` is the desk of the cell's region at that rank (0 =
    grid) taking that kind: the region's one pooled desk, or where the tier is
    specialised its desk for the kind's category. ``departments[kind][rank][cell]`` is
    the department owning the kind at that rank: its own desk, or the desk of its staff
    sent down to the cell's region.
    """

    def __init__(
        self,
        offices: Sequence[Sequence[Sequence[Office]]],
        departments: Sequence[dict[int, Sequence[Office]]],
        by_department: dict[str, Sequence[Office]],
        handoff_h: Sequence[float],
    ) -> None:
        self.offices = offices
        self.departments = departments
        self.by_department = by_department
        self.handoff_h = handoff_h  # per rank: the delay of a hand-off into it
        self.top = len(offices) - 1

    def office(self, incident: Incident, rank: int) -> Office:
        """The desk of the incident's region at ``rank`` (never a department)."""
        return self.offices[rank][incident.cell][incident.kind]

    def at(self, incident: Incident, rank: int) -> Office:
        """The desk taking ``incident`` at ``rank``: an owning department there, up to the
        incident's level (staff sent down try first), else the office of its region."""
        owners = self.departments[incident.kind]
        if rank in owners and rank <= incident.level:
            return owners[rank][incident.cell]
        return self.offices[rank][incident.cell][incident.kind]

    def department(self, name: str, incident: Incident) -> Office:
        """Department ``name``'s desk nearest the incident: its staff sent down to the
        incident's region if it has any, else its own desk."""
        return self.by_department[name][incident.cell]

    def capable(self, incident: Incident) -> Office:
        """The lowest desk able to resolve ``incident``."""
        return self.at(incident, incident.level)

    def up(self, incident: Incident, office: Office) -> Move | None:
        """One tier up from ``office`` with that tier's hand-off delay; None at the top."""
        rank = office.rank + 1
        if rank > self.top:
            return None
        return self.at(incident, rank), self.handoff_h[rank]


@ROUTING.register("tiered")
class TieredEscalation:
    """Each tier tries in turn: an incident starts at its grid and climbs one tier at a time.

    Each hand-off into a tier takes that tier's ``routing.handoff_h``; a department that
    owns the incident takes it at its own tier (or its staff sent down, below it).
    """

    def __init__(self, desks: Desks, spec: Routing, kinds: Sequence[IncidentKind]) -> None:
        self.desks = desks
        self.spec = spec
        self.kinds = kinds

    def admit(self, incident: Incident, now: float) -> Move:
        """Where a verified incident goes first: a petition to the top desk of its region
        (the city takes it, skipping the tiers), any other by the policy's ``entry``."""
        if incident.channel == Channel.PETITION:
            desks = self.desks
            return desks.office(incident, desks.top), 0.0
        return self.entry(incident, now)

    def below_top(self, office: Office) -> bool:
        """Whether an incident overdue at ``office`` can still be handed up."""
        return office.rank < self.desks.top

    def entry(self, incident: Incident, now: float) -> Move:
        """The first desk for a verified, triaged incident (and the delay to reach it)."""
        return self.desks.at(incident, 0), 0.0

    def resolves(self, incident: Incident, office: Office) -> bool:
        """Whether handling at ``office`` closes the incident (its tier is capable)."""
        return office.rank >= incident.level

    def escalate(self, incident: Incident, office: Office, now: float) -> Move | None:
        """Where the incident goes when ``office`` cannot resolve it; None at the top."""
        return self.desks.up(incident, office)

    def summons(self, incident: Incident, office: Office) -> list[Office] | None:
        """The desks of a joint response that the hand-up from ``office`` calls, the desk
        it goes to first; None: no joint response (only whistle-and-report has them)."""
        return None


@ROUTING.register("platform")
class PlatformDispatch(TieredEscalation):
    """Straight to the capable desk, except a misrouted share that bounces back.

    A share ``platform.misroute_rate`` first reaches a desk one tier off its capable one;
    that desk spends its handling time finding out it is not its business and returns it,
    taking ``platform.bounce_h``.
    """

    def misrouted(self, incident: Incident) -> bool:
        """Whether the platform sends ``incident`` to the wrong desk first."""
        return incident.route_u < self.spec.platform.misroute_rate

    def entry(self, incident: Incident, now: float) -> Move:
        """The capable desk, or for a misrouted incident a desk one tier off."""
        target = self.desks.capable(incident)
        if not self.misrouted(incident):
            return target, 0.0
        wrong = target.rank - 1 if target.rank > 0 else 1
        return self.desks.office(incident, min(wrong, self.desks.top)), 0.0

    def resolves(self, incident: Incident, office: Office) -> bool:
        """The wrong desk of a misrouted incident never closes it; others as tiered."""
        if incident.handoffs == 0 and self.misrouted(incident):
            return False
        return office.rank >= incident.level

    def escalate(self, incident: Incident, office: Office, now: float) -> Move | None:
        """A misrouted incident bounces to the capable desk; others climb as tiered."""
        if incident.handoffs == 0 and self.misrouted(incident):
            return self.desks.capable(incident), self.spec.platform.bounce_h
        return self.desks.up(incident, office)


@ROUTING.register("triage")
class ThreeWayTriage(TieredEscalation):
    """Household matters to the grid, community matters one tier up, government matters to
    their owning department; from there, tiered escalation."""

    def entry(self, incident: Incident, now: float) -> Move:
        """The desk the incident's triage class names."""
        kind = self.kinds[incident.kind]
        if kind.triage == "government":
            return self.desks.capable(incident), 0.0
        rank = 1 if kind.triage == "community" else 0
        return self.desks.at(incident, min(rank, self.desks.top)), 0.0


@ROUTING.register("whistle")
class WhistleAndReport(TieredEscalation):
    """The grid tries; what it cannot resolve, the street summons the capable desk for.

    The summoned desk must arrive within ``whistle.response_h``, instead of the incident
    climbing the tiers one hand-off at a time. An incident owned by several departments
    gets a joint response: all of them are summoned at once, and it is resolved when the
    last one has done its part.
    """

    def summons(self, incident: Incident, office: Office) -> list[Office] | None:
        """From the grid, every owning department of a jointly owned incident."""
        owners = self.kinds[incident.kind].spec.departments
        if office.rank != 0 or len(owners) < 2:
            return None
        lead = self.desks.capable(incident)
        others = [self.desks.department(name, incident) for name in owners[1:]]
        return [lead, *(desk for desk in others if desk is not lead)]

    def escalate(self, incident: Incident, office: Office, now: float) -> Move | None:
        """From the grid, a summons answered within the response limit; above it, tiered."""
        if office.rank == 0:
            return self.desks.capable(incident), self.spec.whistle.response_h
        return self.desks.up(incident, office)


@ROUTING.register("claim")
class GroupClaim(TieredEscalation):
    """The grid tries; what it cannot resolve is posted to the team for its owner to claim.

    The owner claims it after ``claim.delay_h × (1 + claim.ambiguity_slowdown ×
    ambiguity)`` on average; with probability ``ambiguity`` (the type's) nobody claims it,
    and after ``claim.unclaimed_after_h`` it goes to arbitration (``arbitration.enabled``:
    ``arbitration.delay_h`` the first time, after which the type's owner is settled and its
    ambiguity is 0) or, without arbitration, up the tiers.
    """

    def __init__(self, desks: Desks, spec: Routing, kinds: Sequence[IncidentKind]) -> None:
        super().__init__(desks, spec, kinds)
        # per kind: the time arbitration settles its ownership (None: never referred)
        self.settled_at: list[float | None] = [None] * len(kinds)

    def ambiguity(self, kind: int, now: float) -> float:
        """The kind's ownership ambiguity at ``now``: zero once arbitration has settled it."""
        settled = self.settled_at[kind]
        return 0.0 if settled is not None and settled <= now else self.kinds[kind].spec.ambiguity

    def escalate(self, incident: Incident, office: Office, now: float) -> Move | None:
        """From the grid: claimed by the owner, or unclaimed and then arbitrated or tiered."""
        if office.rank != 0:
            return self.desks.up(incident, office)
        claim = self.spec.claim
        ambiguity = self.ambiguity(incident.kind, now)
        claim_h = claim.delay_h * (1 + claim.ambiguity_slowdown * ambiguity) * incident.route_e
        if incident.route_u >= ambiguity:
            return self.desks.capable(incident), claim_h
        if not self.spec.arbitration.enabled:
            step = self.desks.up(incident, office)
            return None if step is None else (step[0], claim.unclaimed_after_h + step[1])
        referred = now + claim.unclaimed_after_h
        if self.settled_at[incident.kind] is None:
            self.settled_at[incident.kind] = referred + self.spec.arbitration.delay_h
        ruling = max(self.settled_at[incident.kind], referred)
        return self.desks.capable(incident), ruling - now + claim.delay_h * incident.route_e
