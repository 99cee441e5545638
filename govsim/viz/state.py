"""The live state of a running model, read from its attributes without changing them.

Counts follow the ledger's definitions (``govsim.record.metrics``): an incident is *open* once
reported and until resolved, *hidden* while nobody official knows of it; resolution
time runs from occurrence to resolution, in hours; ratings are 1–5. Unlike the ledger's
metrics, which are computed once a run is over and only over its measurement window,
these cover everything that has happened so far.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from govsim.record.metrics import VERIFYING  # backlog key of reported incidents at no desk yet

if TYPE_CHECKING:
    from govsim.engine.model import GovernanceModel


@dataclass(frozen=True)
class Snapshot:
    """The state of a model at the end of one simulated day.

    Attributes:
        day: days simulated so far.
        backlog: open incidents per tier of the desk holding them, bottom tier first,
            then :data:`VERIFYING`; department desks count at their tier.
        hidden: incidents not yet reported.
        resolved: incidents resolved so far.
        mean_resolution_h: mean hours from occurrence to resolution over the incidents
            resolved so far (NaN before the first).
        satisfaction: mean follow-up rating (1–5) so far (NaN before the first).
        trust: residents' mean trust (0–1).
    """

    day: int
    backlog: dict[str, int]
    hidden: int
    resolved: int
    mean_resolution_h: float
    satisfaction: float
    trust: float

    @property
    def open(self) -> int:
        """All open incidents (the sum of :attr:`backlog`)."""
        return sum(self.backlog.values())


def tiers_bottom_up(model: GovernanceModel) -> tuple[str, ...]:
    """The model's tier names from the cell tier up (``grid, community, street, city``)."""
    return tuple(reversed(model.grid_map.tiers))


def snapshot(model: GovernanceModel) -> Snapshot:
    """Read the model's state now (one pass over its incidents)."""
    backlog = dict.fromkeys((*tiers_bottom_up(model), VERIFYING), 0)
    hidden = resolved = rated = 0
    resolution_h = rating_sum = 0.0
    for incident in model.incidents:
        if not incident.discovered:
            hidden += 1
        elif incident.resolved_at == incident.resolved_at:  # not NaN: resolved
            resolved += 1
            resolution_h += incident.resolved_at - incident.occurred_at
            if incident.rating == incident.rating:
                rated += 1
                rating_sum += incident.rating
        else:
            office = incident.office
            backlog[VERIFYING if office is None else office.info.tier] += 1
    return Snapshot(
        day=model.day,
        backlog=backlog,
        hidden=hidden,
        resolved=resolved,
        mean_resolution_h=resolution_h / resolved if resolved else math.nan,
        satisfaction=rating_sum / rated if rated else math.nan,
        trust=model.population.mean_trust(),
    )


def open_by_cell(model: GovernanceModel) -> np.ndarray:
    """Open incidents (reported, not resolved) per map cell: int array of shape (n_cells,)."""
    counts = np.zeros(model.grid_map.n_cells, dtype=np.int64)
    for incident in model.incidents:
        if incident.discovered and incident.resolved_at != incident.resolved_at:
            counts[incident.cell] += 1
    return counts


@dataclass(frozen=True)
class Desk:
    """Where an office desk sits and how busy it is.

    Attributes:
        name: the region or department name.
        tier: the tier it works at.
        cell: the map cell it sits in.
        department: whether it is a department's desk.
        staff: its handlers.
        busy: handlers at work on an incident now (travelling or handling).
    """

    name: str
    tier: str
    cell: int
    department: bool
    staff: int
    busy: int


def desks(model: GovernanceModel) -> list[Desk]:
    """Every office and department desk, cell desks (grid workers) first."""
    return [
        Desk(
            name=office.info.name,
            tier=office.info.tier,
            cell=int(office.cell.coordinate),
            department=office.info.department is not None,
            staff=len(office.staff),
            busy=len(office.staff) - len(office.free),
        )
        for office in sorted(model.offices, key=lambda o: o.rank)
    ]
