"""The follow-up rating: how satisfied (1–5) a resident is with the handling of an incident.

``rating = base − per_overdue_deadline × lateness − per_handoff × hand-offs −
per_failed_fix × (fix failed) + noise_sd × z + effort_care × effort``, clipped to 1–5,
where lateness is how far past its deadline it was resolved, as a share of the time the
deadline allowed (0 when on time), ``z`` is the incident's own standard normal draw and
the effort term counts only for a grid worker's closure (their care shows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsim.world.scenario import FollowUp

if TYPE_CHECKING:
    from govsim.agents.workers import Worker
    from govsim.engine.incidents import Incident


class FollowUpRating:
    """The rating a follow-up visit records, from a resolved incident's history."""

    def __init__(self, spec: FollowUp, effort_care: float) -> None:
        self.spec = spec
        self.effort_care = effort_care

    def rate(self, incident: Incident, grid_closer: Worker | None) -> float:
        """The rating (1–5) of resolved ``incident``; ``grid_closer`` is the grid worker
        who closed it, None when a grid worker did not."""
        spec = self.spec
        taken = incident.resolved_at - incident.reported_at
        allowed = incident.deadline_at - incident.reported_at
        late = max(0.0, taken / allowed - 1.0)
        rating = (
            spec.base_rating
            - spec.per_overdue_deadline * late
            - spec.per_handoff * incident.handoffs
            - spec.per_failed_fix * incident.failed
            + spec.noise_sd * incident.rating_z
            + (self.effort_care * grid_closer.effort if grid_closer is not None else 0.0)
        )
        return min(5.0, max(1.0, rating))
