"""What moves the occurrence rates during a run: residents' trust and property management.

Each (cell, incident kind) rate is its base rate times a factor: the fixed factor of the
cell's property management (``govsim.engine.property``) times, for kinds with a
``trust_elasticity``, ``exp(elasticity × (reference trust − the cell's mean trust))``,
updated every day as trust moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from govsim.engine.property import property_factors
from govsim.world.scenario import Scenario

if TYPE_CHECKING:
    from govsim.agents.residents import Population
    from govsim.engine.incidents import IncidentKind, OccurrenceSampler


class RateFactors:
    """Sets the sampler's rate factors from property management and residents' trust."""

    def __init__(
        self,
        scenario: Scenario,
        kinds: Sequence[IncidentKind],
        n_cells: int,
        sampler: OccurrenceSampler,
    ) -> None:
        self.sampler = sampler
        self.reference = scenario.behaviour.trust.reference
        self.elasticity = np.array([k.spec.trust_elasticity for k in kinds])
        self.follows_trust = bool(self.elasticity.any())
        self.fixed = property_factors(scenario.property, n_cells, [k.name for k in kinds])
        sampler.rescale(self.fixed)

    def update(self, population: Population) -> None:
        """Rates that answer trust follow each cell's mean trust now (no-op otherwise)."""
        if not self.follows_trust:
            return
        gap = self.reference - population.cell_trust()
        self.sampler.rescale(self.fixed * np.exp(gap[:, None] * self.elasticity[None, :]))
