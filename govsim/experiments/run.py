"""Runs: one simulation as a pure function of its inputs, and what it hands back.

A run is a pure function of (scenario, policy, overrides, seed, days): it returns plain
data, so it can be repeated anywhere — in this process, a worker process or a Dask worker
— with identical results. Replication ``k`` of every policy uses seed ``base_seed + k``:
policies face the same incidents (common random numbers) and their differences can be
paired. Workers import ``perform`` from this module by name; nothing defined in a user's
script or notebook is ever pickled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.analysis.comparison import (
    outcome_catalogue,
    outcomes,
    pick_outcomes,
    volume_outcomes,
)
from govsim.engine.model import simulate
from govsim.policies.files import STATUS_QUO, Policy
from govsim.progress import progress_bar
from govsim.record.ledger import Ledger
from govsim.record.measures import METRICS
from govsim.record.metrics import state_counts, summarize
from govsim.world.scenario import Scenario, load_scenario


@dataclass(frozen=True)
class Run:
    """One simulation to perform: everything that determines its result.

    ``scenario`` is a file (loaded with ``policy`` and ``overrides`` laid over it) or an
    already validated ``Scenario`` (then ``policy`` only names the run). The identifying
    fields ``run_id``, ``scenario_name``, ``sample`` and ``rep`` label the result rows;
    ``keep`` lists extra outcomes to report (dotted summary paths, or ledger metrics
    ``NAME:ARG`` of ``govsim.record.measures.METRICS``, see :func:`kept_outcomes`),
    ``series_every_days``
    the time-series resolution in days (0: none) and ``keep_ledger`` whether to return
    every event.
    """

    scenario: Path | Scenario
    policy: Policy = STATUS_QUO
    seed: int = 0
    days: float | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    run_id: int = 0
    scenario_name: str = ""
    sample: int = 0
    rep: int = 0
    keep: tuple[str, ...] = ()
    series_every_days: int = 0
    keep_ledger: bool = False


@dataclass
class RunResult:
    """What a run hands back: one summary row, its time series and (optionally) its events."""

    run_id: int
    row: dict[str, Any]
    series: pd.DataFrame | None = None
    ledger: pd.DataFrame | None = None


def resolve(run: Run) -> Scenario:
    """The validated scenario ``run`` simulates."""
    if isinstance(run.scenario, Scenario):
        return run.scenario
    return load_scenario(run.scenario, run.overrides, run.policy.sections, run.policy.source)


def perform(run: Run) -> RunResult:
    """Simulate ``run`` and return its summary row, time series and optional ledger.

    The row holds ``run_id``, ``scenario``, ``policy``, ``sample``, ``rep``, ``seed``,
    the compared outcomes (``govsim.analysis.comparison.OUTCOMES``), the incidents per year
    of each type and category (``volume_outcomes``) and the extra outcomes in ``run.keep``.
    """
    scenario = resolve(run)
    ledger = simulate(scenario, seed=run.seed, days=run.days)
    summary = summarize(ledger)
    row = {
        "run_id": run.run_id,
        "scenario": run.scenario_name or scenario.name,
        "policy": run.policy.name,
        "sample": run.sample,
        "rep": run.rep,
        "seed": run.seed,
        **outcomes(summary),
        **volume_outcomes(summary),
        **kept_outcomes(ledger, summary, run.keep),
    }
    series = daily_series(ledger, run.series_every_days) if run.series_every_days else None
    if series is not None:
        series.insert(0, "run_id", run.run_id)
    events = None
    if run.keep_ledger:
        events = ledger.events_frame()
        events.insert(0, "run_id", run.run_id)
    return RunResult(run.run_id, row, series, events)


def is_ledger_metric(name: str) -> bool:
    """Whether outcome ``name`` is a ledger metric ``NAME:ARG`` (``hours_from_report:
    illegal_boiler``, one of ``govsim.record.measures.METRICS``) rather than a summary
    path (``tiers.department:utilities.mean_wait_h`` is a path: its head is no metric)."""
    head, colon, _ = name.partition(":")
    return bool(colon) and head in METRICS


def kept_outcomes(
    ledger: Ledger, summary: dict[str, Any], names: Sequence[str]
) -> dict[str, float]:
    """The outcomes ``names`` of one run: a ledger metric ``NAME:ARG`` measured on the
    ledger (units: the metric's), any other name picked from the summary (NaN where
    absent)."""
    metrics = [name for name in names if is_ledger_metric(name)]
    picked = pick_outcomes(summary, [name for name in names if name not in metrics])
    for name in metrics:
        head, _, argument = name.partition(":")
        picked[name] = METRICS[head](ledger, argument)
    return {name: picked[name] for name in names}


def daily_series(ledger: Ledger, every_days: int = 1) -> pd.DataFrame:
    """The run's state every ``every_days`` days: the ledger's daily ``series`` (e.g. trust)
    and the counts of hidden, open (backlog) and resolved incidents at the same times.

    Columns: ``day`` (days since the start), ``time_h`` and the series' own columns, then
    ``hidden``, ``backlog``, ``resolved``.
    """
    series = ledger.series
    if series.empty:
        times = np.arange(24.0 * every_days, ledger.end_h + 1e-9, 24.0 * every_days)
        series = pd.DataFrame({"time_h": times})
    day = np.rint(series["time_h"].to_numpy() / 24.0).astype(int)
    series = series[day % every_days == 0].reset_index(drop=True)
    counts = state_counts(ledger, series["time_h"].to_numpy()).drop(columns="time_h")
    frame = pd.concat([series, counts], axis=1)
    frame.insert(0, "day", np.rint(frame["time_h"] / 24.0).astype(int))
    return frame


def execute(run: Run) -> dict[str, Any]:
    """Simulate ``run`` and return its identifying fields and its outcomes (one row)."""
    return perform(run).row


def policy_runs(
    scenario: Path,
    policies: Sequence[Policy],
    reps: int,
    base_seed: int = 0,
    days: float | None = None,
    overrides: dict[str, Any] | None = None,
) -> list[Run]:
    """Every (policy, replication) run, replication k of each policy on seed base_seed + k."""
    runs = []
    for k in range(reps):
        for policy in policies:
            run_id = len(runs)
            runs.append(
                Run(scenario, policy, base_seed + k, days, dict(overrides or {}), run_id, rep=k)
            )
    return runs


def run_all(runs: Iterable[Run], show_progress: bool = True, executor: Any = None) -> pd.DataFrame:
    """Execute runs (serially, or on a ``govsim.experiments.executors`` executor); one row per run.

    Rows come back in the order of ``runs`` whatever order the executor finishes them in.
    Shows a progress bar when ``show_progress`` is true.
    """
    from govsim.experiments.executors import SerialExecutor

    runs = [replace(run, run_id=i) for i, run in enumerate(runs)]  # ids label the rows
    executor = executor or SerialExecutor()
    rows: dict[int, dict[str, Any]] = {}
    with progress_bar(len(runs), show=show_progress) as bar:
        for result in executor.map_unordered(perform, runs):
            rows[result.run_id] = result.row
            bar.advance()
    return pd.DataFrame([rows[run.run_id] for run in runs])


def _probe(scenario: Scenario) -> Ledger:
    """One day of ``scenario`` without warm-up or drain (milliseconds): what a run offers."""
    probe = scenario.model_copy(deep=True)
    probe.run.warmup_days, probe.run.drain_days = 0.0, 0.0
    return simulate(probe, seed=0, days=1.0)


def known_outcomes(scenario: Scenario) -> list[str]:
    """Every summary outcome name a run of ``scenario`` offers
    (``analysis.outcome_catalogue``), found by simulating one day of it."""
    return list(outcome_catalogue(summarize(_probe(scenario))))


def check_kept(scenario: Scenario, names: Sequence[str], source: str) -> None:
    """Refuse outcome names a run of ``scenario`` cannot report: a summary path it does
    not offer (with suggestions) or a ledger metric on an unknown incident type. Raises
    ``GovsimError`` naming ``source`` (e.g. ``spec.yaml: outcomes``)."""
    from govsim.analysis.comparison import check_outcome_names
    from govsim.errors import ScenarioError

    ledger = _probe(scenario)
    paths = [name for name in names if not is_ledger_metric(name)]
    check_outcome_names(paths, list(outcome_catalogue(summarize(ledger))), source)
    for name in names:
        if is_ledger_metric(name):
            try:
                kept_outcomes(ledger, {}, [name])
            except ScenarioError as exc:
                raise ScenarioError(f"{source}: {name!r}: {exc}") from None
