"""The ``straight_to_street`` routing rule."""

from __future__ import annotations

from govsim.policies.routing import Move, TieredEscalation


class StraightToStreet(TieredEscalation):
    """Every verified incident goes first to the street office of its region; tiered above.

    The street (the tier below the top) resolves what it is capable of; anything it
    cannot resolve climbs the tiers from there, as under ``tiered``.
    """

    def entry(self, incident, now: float) -> Move:
        """The street office of the incident's region, with no delay."""
        return self.desks.office(incident, self.desks.top - 1), 0.0
