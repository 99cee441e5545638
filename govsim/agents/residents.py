"""Residents: household groups that live with incidents, report them and rate the service.

A resident is an index into the ``Population``'s arrays (their cell, vulnerability and
trust), not a Mesa agent: the daily update is one vectorised step over every resident,
not a Python loop, and a city's thousands of residents cost no objects.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from govsim.world.scenario import Behaviour, ReportChannel

if TYPE_CHECKING:
    from govsim.engine.incidents import IncidentKind

#: Trust a ratio (trust / reference, its inverse) is taken at least: a resident whose trust
#: fell to 0 (learning_rate 1 after a bad experience) would otherwise divide by zero.
TRUST_FLOOR = 1e-9


class Population:
    """Every resident's trust, how it drives reporting, and how it learns and spreads.

    - reporting: ``p = prob × (trust / reference)^elasticity × (vulnerable factor)``,
      capped at 1; the delay to report scales by ``(reference / trust)^elasticity``;
    - learning: after a follow-up rating ``r`` (1–5), ``trust += lr × ((r − 1)/4 − trust)``;
      a problem that had to become a petition counts as an experience of 0;
    - spreading: daily, ``trust += w × (neighbourhood mean − trust)``, the neighbourhood
      being the resident's cell and the cells next to it on the map.

    With behaviour disabled trust stays at ``initial`` and reporting follows each incident
    type's ``reporting.prob`` exactly (vulnerable residents included).
    """

    def __init__(
        self,
        cells: np.ndarray,
        vulnerable: np.ndarray,
        adjacency: sparse.sparray,
        spec: Behaviour,
        rng: np.random.Generator,
    ) -> None:
        self.spec = spec
        self.enabled = spec.enabled
        self.cells = cells
        self.vulnerable = vulnerable
        trust = spec.trust
        start = rng.normal(trust.initial, trust.spread, cells.size) if self.enabled else None
        self.trust = (
            np.clip(start, 0.01, 1.0) if start is not None else np.full(cells.size, trust.initial)
        )
        n_cells = adjacency.shape[0]
        self.residents_per_cell = np.bincount(cells, minlength=n_cells)
        reach = sparse.csr_array(adjacency + sparse.eye_array(n_cells))
        self.neighbourhood = reach
        factor = spec.vulnerable_report_factor if self.enabled else 1.0
        self.report_factor: list[float] = np.where(vulnerable, factor, 1.0).tolist()

    def report_probability(self, resident: int, kind: IncidentKind) -> float:
        """Probability that ``resident`` reports an incident of ``kind`` it lives with."""
        base = kind.report_prob * self.report_factor[resident]
        if not self.enabled:
            return base
        ratio = max(self.trust.item(resident), TRUST_FLOOR) / self.spec.trust.reference
        return min(1.0, base * ratio**self.spec.trust.report_elasticity)

    def delay_factor(self, resident: int) -> float:
        """How much slower (>1) or faster (<1) than usual ``resident`` reports."""
        if not self.enabled:
            return 1.0
        ratio = self.spec.trust.reference / max(self.trust.item(resident), TRUST_FLOOR)
        return ratio**self.spec.trust.report_elasticity

    def experience(self, resident: int, outcome: float) -> None:
        """Learn from one experience, ``outcome`` from 0 (bad) to 1 (good)."""
        if self.enabled:
            now = self.trust.item(resident)
            self.trust[resident] = now + self.spec.trust.learning_rate * (outcome - now)

    def spread(self) -> None:
        """One day of neighbours talking: pull trust toward the neighbourhood mean."""
        weight = self.spec.trust.neighbour_weight
        if not self.enabled or weight == 0.0:
            return
        totals = np.bincount(self.cells, weights=self.trust, minlength=self.residents_per_cell.size)
        local = (self.neighbourhood @ totals) / (self.neighbourhood @ self.residents_per_cell)
        self.trust += weight * (local[self.cells] - self.trust)

    def cell_trust(self) -> np.ndarray:
        """Mean trust of each cell's residents."""
        totals = np.bincount(self.cells, weights=self.trust, minlength=self.residents_per_cell.size)
        return totals / self.residents_per_cell

    def mean_trust(self, vulnerable: bool | None = None) -> float:
        """Mean trust of all residents, or of the vulnerable (True) or the others (False)."""
        if vulnerable is None:
            return float(self.trust.mean())
        chosen = self.trust[self.vulnerable == vulnerable]
        return float(chosen.mean()) if chosen.size else float("nan")


class ChannelChoice:
    """Which channel a resident reports through, from their trust and vulnerability.

    Channel ``c`` has weight ``share_c × (trust / reference)^elasticity_c``, times
    ``vulnerable_factor_c`` for a vulnerable resident; the choice is the inverse CDF of
    the normalised weights at a uniform draw.
    """

    def __init__(self, channels: dict[str, ReportChannel], population: Population) -> None:
        self.names = list(channels)
        specs = list(channels.values())
        self.verify_h = [c.verify_h for c in specs]
        # plain floats: one choice per report is on the hot path, too small for numpy
        self.terms = [(c.share, c.trust_elasticity, c.vulnerable_factor) for c in specs]
        self.population = population

    def choose(self, resident: int, u: float) -> int:
        """The index of the channel ``resident`` reports through, at uniform draw ``u``."""
        population = self.population
        ratio = max(population.trust.item(resident), TRUST_FLOOR) / population.spec.trust.reference
        vulnerable = population.vulnerable.item(resident)
        weights = list(
            accumulate(
                share * ratio**elasticity * (factor if vulnerable else 1.0)
                for share, elasticity, factor in self.terms
            )
        )
        return min(bisect_right(weights, u * weights[-1]), len(weights) - 1)
