"""Experiments: the same scenario run under several policies and seeds.

A run is a pure function of (scenario file, policy, overrides, seed, days): it returns
the run's outcomes as plain data, so runs can be repeated anywhere with identical
results. Replication ``k`` of every policy uses seed ``base_seed + k``: policies face the
same incidents (common random numbers) and their differences can be paired.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from govsim.analysis import outcomes
from govsim.metrics import summarize
from govsim.model import simulate
from govsim.policies.files import Policy
from govsim.scenario import load_scenario


@dataclass(frozen=True)
class Run:
    """One simulation to perform: everything that determines its result."""

    scenario: Path
    policy: Policy
    seed: int
    days: float | None = None
    overrides: dict[str, Any] = field(default_factory=dict)


def execute(run: Run) -> dict[str, Any]:
    """Simulate ``run`` and return its identifying fields and its outcomes."""
    scenario = load_scenario(run.scenario, run.overrides, run.policy.sections, run.policy.source)
    summary = summarize(simulate(scenario, seed=run.seed, days=run.days))
    return {"policy": run.policy.name, "seed": run.seed, **outcomes(summary)}


def policy_runs(
    scenario: Path,
    policies: Sequence[Policy],
    reps: int,
    base_seed: int = 0,
    days: float | None = None,
    overrides: dict[str, Any] | None = None,
) -> list[Run]:
    """Every (policy, replication) run, replication k of each policy on seed base_seed + k."""
    return [
        Run(scenario, policy, base_seed + k, days, dict(overrides or {}))
        for k in range(reps)
        for policy in policies
    ]


def run_all(runs: Iterable[Run], show_progress: bool = True) -> pd.DataFrame:
    """Execute runs one after another; one row per run. Shows a progress bar on a terminal."""
    runs = list(runs)
    progress = Progress(
        TextColumn("simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        disable=not show_progress,
        transient=True,
    )
    rows = []
    with progress:
        task = progress.add_task("runs", total=len(runs))
        for run in runs:
            rows.append(execute(run))
            progress.advance(task)
    return pd.DataFrame(rows)
