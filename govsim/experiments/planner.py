"""The staffing planner: the least-cost staffing that meets every target, with confidence.

Targets bound outcomes (``resolution_time_h.p90<=48``, ``escalation_rate<=0.05``); the
candidates are every combination of the varied staffing parameters. A candidate *meets*
a target when the one-sided ``confidence`` bound of the outcome's replication mean is on
the right side of it (for ``<=``: mean + t·s/√n ≤ bound), *fails* when the opposite bound
is on the wrong side, and is *undecided* otherwise: then replications are added, in steps,
until it is decided or ``max_reps`` is reached (undecided then counts as not meeting).

The search assumes outcomes improve and cost grows with staff (monotone). With one varied
parameter it bisects the ordered values; with several it runs one replication of each
candidate to learn its cost (cost does not depend on the seed), then walks up from the
cheapest, skipping candidates with no more of any staff than one that failed. Replication
k of every candidate runs on seed ``seed + k`` (common random numbers), so the frontier
is smooth and its steps are real differences, not noise.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.analysis.comparison import check_outcome_names
from govsim.errors import GovsimError
from govsim.experiments.executors import SerialExecutor
from govsim.experiments.run import Run, known_outcomes, perform
from govsim.policies.files import STATUS_QUO, Policy
from govsim.progress import progress_bar
from govsim.stats import mean_ci
from govsim.world.scenario import Scenario, load_scenario, parse_value

COST = "staff_cost"


@dataclass(frozen=True)
class ServiceTarget:
    """A bound on one outcome: ``outcome <= bound`` (``op`` "<=") or ``>=``."""

    outcome: str
    op: str
    bound: float

    def __str__(self) -> str:
        return f"{self.outcome}{self.op}{self.bound:g}"


def parse_target(text: str) -> ServiceTarget:
    """Parse ``NAME<=VALUE`` or ``NAME>=VALUE``; ``GovsimError`` on anything else."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.:\-]+)\s*(<=|>=)\s*([-+0-9.eE]+)\s*", text)
    if not match:
        raise GovsimError(
            f"--target {text!r}: expected OUTCOME<=VALUE or OUTCOME>=VALUE, "
            "e.g. resolution_time_h.p90<=48"
        )
    try:
        return ServiceTarget(match[1], match[2], float(match[3]))
    except ValueError:
        raise GovsimError(f"--target {text!r}: {match[3]!r} is not a number") from None


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """Parse ``PATH=LOW..HIGH`` (whole numbers, both included) or ``PATH=A,B,C``."""
    path, sep, values = text.partition("=")
    span = re.fullmatch(r"\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*", values)
    if not sep or not path.strip() or not values.strip():
        raise GovsimError(f"--vary {text!r}: expected PATH=LOW..HIGH or PATH=A,B,C")
    if span:
        low, high = int(span[1]), int(span[2])
        if low > high:
            raise GovsimError(f"--vary {text!r}: LOW..HIGH needs LOW <= HIGH")
        return path.strip(), list(range(low, high + 1))
    return path.strip(), [parse_value(v.strip()) for v in values.split(",")]


@dataclass
class Candidate:
    """One staffing combination, its replications so far and its verdict."""

    values: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)
    verdict: str = "untested"  # meets | fails | undecided | untested

    @property
    def cost(self) -> float:
        """Mean staff cost over its replications (the same in each)."""
        return float(np.mean([r[COST] for r in self.rows])) if self.rows else float("nan")


@dataclass
class Plan:
    """The planner's answer: every evaluated candidate and the cheapest that meets all,
    for ``scenario`` (its name) under ``policy`` (its name)."""

    targets: list[ServiceTarget]
    paths: list[str]
    table: pd.DataFrame
    best: dict[str, Any] | None
    runs: pd.DataFrame
    confidence: float
    scenario: str = ""
    policy: str = ""


def plan(
    scenario: str | Path,
    targets: Sequence[ServiceTarget],
    vary: dict[str, list[Any]],
    policy: Policy = STATUS_QUO,
    overrides: dict[str, Any] | None = None,
    days: float | None = None,
    seed: int = 0,
    confidence: float = 0.95,
    min_reps: int = 5,
    step: int = 5,
    max_reps: int = 40,
    executor: Any = None,
    show_progress: bool = False,
) -> Plan:
    """Find the least-cost combination of ``vary`` values meeting every target.

    ``vary`` maps parameter paths to their candidate values; ``overrides`` fix other
    parameters. Each candidate gets ``min_reps`` replications, then ``step`` more at a
    time until every target is decided at one-sided ``confidence`` or ``max_reps`` is
    reached. Returns a ``Plan`` whose ``table`` has one row per evaluated candidate
    (parameter values, cost, reps, verdict, and per target its mean and the bound that
    decided it) sorted by cost, and ``best`` (the chosen values, or None).
    """
    if min_reps < 2 or step < 1 or max_reps < min_reps:
        raise GovsimError("need 2 <= --min-reps <= --max-reps and --step >= 1")
    if not 0.5 < confidence < 1:
        raise GovsimError(f"--confidence {confidence:g}: allowed: between 0.5 and 1")
    overrides = dict(overrides or {})
    paths = list(vary)
    combos = [dict(zip(paths, v, strict=True)) for v in itertools.product(*vary.values())]
    scenarios = [
        load_scenario(scenario, {**overrides, **c}, policy.sections, policy.source) for c in combos
    ]
    known = known_outcomes(scenarios[0])
    check_outcome_names([t.outcome for t in targets], known, "--target")
    search = _Search(scenarios, combos, list(targets), policy, days, seed, executor)
    search.configure(confidence, min_reps, step, max_reps)
    with progress_bar(None, "planning", show_progress) as bar:  # runs needed: unknown
        search.bar = bar
        best = search.bisect() if len(paths) == 1 else search.walk_up()
    table = _table(search.candidates, targets, confidence)
    runs = pd.DataFrame([r for c in search.candidates for r in c.rows])
    chosen = dict(search.candidates[best].values) if best is not None else None
    return Plan(
        list(targets), paths, table, chosen, runs, confidence, scenarios[0].name, policy.name
    )


class _Search:
    """The sequential search: replications on demand, verdicts by one-sided bounds."""

    def __init__(
        self,
        scenarios: list[Scenario],
        combos: list[dict[str, Any]],
        targets: list[ServiceTarget],
        policy: Policy,
        days: float | None,
        seed: int,
        executor: Any,
    ) -> None:
        self.scenarios, self.targets = scenarios, targets
        self.candidates = [Candidate(c) for c in combos]
        self.policy, self.days, self.seed = policy, days, seed
        self.executor = executor or SerialExecutor()
        self.keep = tuple(dict.fromkeys(t.outcome for t in targets))
        self.bar: Any = None

    def configure(self, confidence: float, min_reps: int, step: int, max_reps: int) -> None:
        """Set the decision rule and the replication budget per candidate."""
        self.confidence, self.min_reps, self.step, self.max_reps = (
            confidence,
            min_reps,
            step,
            max_reps,
        )

    def replicate(self, indices: list[int], upto: int) -> None:
        """Give each candidate in ``indices`` replications up to ``upto`` (seeds shared)."""
        runs = [
            Run(
                self.scenarios[i],
                self.policy,
                self.seed + k,
                self.days,
                run_id=i,
                rep=k,
                keep=self.keep,
            )
            for i in indices
            for k in range(len(self.candidates[i].rows), upto)
        ]
        for result in self.executor.map_unordered(perform, runs):
            self.candidates[result.run_id].rows.append(result.row)
            if self.bar is not None:
                self.bar.advance()
        for i in indices:  # executors finish in any order; keep replications in seed order
            self.candidates[i].rows.sort(key=lambda row: row["rep"])

    def decide(self, index: int) -> str:
        """Replicate candidate ``index`` until every target is decided; return the verdict."""
        candidate = self.candidates[index]
        reps = max(self.min_reps, len(candidate.rows))
        while True:
            self.replicate([index], reps)
            candidate.verdict = self.verdict(candidate)
            if candidate.verdict != "undecided" or reps >= self.max_reps:
                return candidate.verdict
            reps = min(self.max_reps, reps + self.step)

    def verdict(self, candidate: Candidate) -> str:
        """``fails`` if a target is missed with confidence, ``meets`` if all are met."""
        met = []
        for target in self.targets:
            low, high = _bounds(candidate, target.outcome, self.confidence)
            ok = high <= target.bound if target.op == "<=" else low >= target.bound
            missed = low > target.bound if target.op == "<=" else high < target.bound
            if missed:
                return "fails"
            met.append(ok)
        return "meets" if all(met) else "undecided"

    def bisect(self) -> int | None:
        """One varied parameter: bisection over its ordered values."""
        order = sorted(range(len(self.candidates)), key=lambda i: _sort_key(self.candidates[i]))
        low, high, best = 0, len(order) - 1, None
        while low <= high:
            middle = (low + high) // 2
            if self.decide(order[middle]) == "meets":
                best, high = order[middle], middle - 1
            else:
                low = middle + 1
        return best

    def walk_up(self) -> int | None:
        """Several varied parameters: walk up in cost order, pruning dominated candidates."""
        self.replicate(list(range(len(self.candidates))), 1)  # cost of each
        order = sorted(range(len(self.candidates)), key=lambda i: self.candidates[i].cost)
        failed: list[dict[str, Any]] = []
        for i in order:
            values = self.candidates[i].values
            if any(all(values[p] <= f[p] for p in values) for f in failed):
                self.candidates[i].verdict = "fails (dominated)"
                continue
            if self.decide(i) == "meets":
                return i
            failed.append(values)
        return None


def _sort_key(candidate: Candidate) -> tuple[Any, ...]:
    return tuple(candidate.values.values())


def _bounds(candidate: Candidate, outcome: str, confidence: float) -> tuple[float, float]:
    """One-sided ``confidence`` bounds of the mean: the two-sided (2c − 1) interval's ends."""
    values = np.array([row[outcome] for row in candidate.rows], dtype=float)
    interval = mean_ci(values, 2 * confidence - 1)  # NaN if never measured: undecided
    return interval.low, interval.high


def _table(
    candidates: list[Candidate], targets: Sequence[ServiceTarget], confidence: float
) -> pd.DataFrame:
    rows = []
    for c in candidates:
        if not c.rows:
            continue
        row = {**c.values, "cost": c.cost, "reps": len(c.rows), "verdict": c.verdict}
        for t in targets:
            low, high = _bounds(c, t.outcome, confidence)
            values = np.array([r[t.outcome] for r in c.rows], dtype=float)
            row[f"{t.outcome} mean"] = mean_ci(values).mean
            row[f"{t.outcome} bound"] = high if t.op == "<=" else low
        rows.append(row)
    return pd.DataFrame(rows).sort_values("cost", ignore_index=True)
