"""Shared test helpers: paired comparisons under common random numbers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from govsim.engine.model import simulate
from govsim.record.ledger import Ledger
from govsim.stats import Interval, mean_ci
from govsim.world.scenario import Scenario

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo.yaml"


def paired(
    base: Scenario, other: Scenario, metric: Callable[[Ledger], float], reps: int, days: float
) -> Interval:
    """95% CI of metric(other) − metric(base), replication by replication on shared seeds."""
    diffs = [
        metric(simulate(other, seed=s, days=days)) - metric(simulate(base, seed=s, days=days))
        for s in range(reps)
    ]
    return mean_ci(np.array(diffs))
