"""Shared test helpers: paired comparisons under common random numbers; register targets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from govsim.analysis.targets import Target
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


#: Overrides that put the demo's staff back on duty around the clock (no rosters), for
#: tests of mechanisms whose size is stated for round-the-clock staff.
AROUND_THE_CLOCK = {
    "rosters.grid_workers": None,
    "rosters.office_staff": {},
    "rosters.duty_desk": None,
    "rosters.out_of_hours.action": "wait",
    "rosters.out_of_hours.call_out_from_severity": None,
}


def a_target(name: str, metric: str, value: float, tolerance: float, **fields: Any) -> Target:
    """A register target for a test: ``name`` its id; the source fields filled in."""
    source = {"quote": f"{name} says", "gloss": f"{name} says", "number": value}
    return Target(
        id=name,
        **source,
        unit="-",
        period="-",
        committed=date(2026, 11, 30),
        metric=metric,
        value=value,
        tolerance=tolerance,
        **{"role": "fit", **fields},
    )
