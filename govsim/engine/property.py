"""Property service providers per compound: the rate factors their management gives.

See ``govsim.world.property`` for the model: each compound's provider is conventional or
trust-based, and its quality and residents' trust in it scale the compound's property
problems and disputes. The factors are fixed for a run and reach the sampler through
``OccurrenceSampler.rescale``.
"""

from __future__ import annotations

import numpy as np

from govsim.world.property import PropertySpec


def trust_based_compounds(spec: PropertySpec, n_cells: int) -> np.ndarray:
    """Whether each compound (cell-major: cell × ``compounds_per_cell`` + j) is under
    trust-based management: ``round(share × n)`` of them, spread evenly over the map."""
    index = np.arange(n_cells * spec.compounds_per_cell)
    share = spec.trust_based_share
    return np.floor((index + 1) * share + 1e-9) > np.floor(index * share + 1e-9)


def property_factors(spec: PropertySpec, n_cells: int, kind_names: list[str]) -> np.ndarray:
    """Rate multipliers per (cell, incident kind): each cell's mean over its compounds of
    the problem or dispute factor of the compound's model; 1 for other kinds and where
    every compound is conventional."""
    trust_based = trust_based_compounds(spec, n_cells).reshape(n_cells, spec.compounds_per_cell)
    share = trust_based.mean(axis=1)  # of the cell's households, split evenly
    factors = np.ones((n_cells, len(kind_names)))
    for names, factor in (
        (spec.problems, spec.problem_factor),
        (spec.disputes, spec.dispute_factor),
    ):
        under_trust = factor(spec.trust_based)
        for k, name in enumerate(kind_names):
            if name in names:
                factors[:, k] = (1.0 - share) + share * under_trust
    return factors
