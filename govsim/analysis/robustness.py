"""Robustness specs: a policy claim run across the plausible ranges of assumed parameters.

A robustness spec (``experiments/robustness/*.yaml``) names a scenario, the policies to
compare with their baseline, the assumed parameters with their plausible ranges (by
default the scenario's ``uncertain`` and ``assumed`` sections, plus any the spec lists),
a Latin hypercube over them (``scipy.stats.qmc``), replications and the claims to test:
an outcome, which direction of it is better, and the sign the claim gives the policy's
effect against the baseline. :func:`load_robustness` checks it completely — keys,
parameter paths, policies, outcomes, the scenario at each parameter's extremes — before
anything runs, naming the file, the field path and what is allowed.

The runs are an experiment (``govsim.experiments``): every sample runs every policy on
seeds ``seed + k`` (common random numbers), so effects pair replication by replication;
any executor, a results folder, resumable. :mod:`govsim.analysis.claims` turns the runs
into sign shares, effect sizes, regret and PRIM boxes.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import ConfigDict, Field, ValidationError

from govsim.engine.streams import MAX_SEED
from govsim.errors import GovsimError, ScenarioError
from govsim.experiments.overrides import Overrides
from govsim.policies.files import LEVER_SECTIONS, Policy, load_policy
from govsim.world.scenario import (
    NoBoolNumbers,
    deep_merge,
    describe_errors,
    format_problems,
    read_with_base,
    read_yaml,
    scenario_path,
    set_path,
)
from govsim.world.window import MAX_DAYS, MIN_DAYS

#: Most Latin hypercube samples a robustness spec may draw (as an experiment's).
MAX_SAMPLES = 100_000


class _Section(NoBoolNumbers):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Claim(_Section):
    """A claim about a policy's effect on one outcome against the baseline."""

    outcome: str = Field(
        description="a compared outcome (resolution_mean_h …), a dotted summary path "
        "(tiers.grid.mean_wait_h) or a ledger metric NAME:ARG "
        "(hours_from_report:illegal_boiler, occurrences:property_dispute)"
    )
    better: Literal["lower", "higher"] = Field(description="which direction of it is better")
    policy: str | None = Field(
        None, description="the policy the claim is about (default: every policy but the baseline)"
    )
    sign: Literal["better", "worse"] = Field(
        "better", description="the claim: the policy does better (or worse) than the baseline"
    )
    margin: float = Field(
        0.0,
        ge=0.0,
        description="smallest effect that counts, in the outcome's units (0: any effect "
        "of the claimed sign)",
    )
    label: str = Field("", description="the claim in words, for tables and figures")


class Variant(_Section):
    """A policy made from another with some levers changed (e.g. without its pay)."""

    name: str = Field(description="the variant's name in tables")
    policy: str = Field(description="the policy it starts from: a file or shipped name")
    set: dict[str, Any] = Field(
        min_length=1, description="lever path → value, laid over that policy's levers"
    )


class RobustnessSpec(_Section):
    """A whole robustness spec file (see docs/robustness.md)."""

    name: str = Field(description="the study's name")
    description: str = ""
    scenario: str = Field(
        description="scenario file (relative to the spec) or shipped name; a file wins"
    )
    set: dict[str, Any] = Field(
        default_factory=dict,
        description="parameter path → value laid over the scenario in every run (e.g. a "
        "reduced map)",
    )
    policies: list[str | Variant] = Field(
        min_length=2,
        description="policy files (relative to the spec), shipped policy names or variants",
    )
    baseline: str | None = Field(None, description="effects are taken to (default: the first)")
    scenario_ranges: bool = Field(
        True,
        description="vary the scenario's own ranges: its uncertain (fitted) and assumed "
        "parameters (besides parameters)",
    )
    parameters: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        description="parameter path → [low, high]: plausible ranges added to (or replacing) "
        "the scenario's own",
    )
    samples: int = Field(
        32, ge=2, le=MAX_SAMPLES, description="Latin hypercube samples (2 to 100,000)"
    )
    replications: int = Field(
        2, ge=1, le=10_000, description="runs per sample and policy, replication k on seed + k"
    )
    seed: int = Field(
        0, ge=0, le=MAX_SEED, description="seed of the hypercube and of replication 0"
    )
    days: float | None = Field(
        None,
        ge=MIN_DAYS,
        le=MAX_DAYS,
        description="simulated days, the warm-up included (default: the scenario's); 1 to 3,650",
    )
    confidence: float = Field(0.95, gt=0, lt=1, description="confidence level of the CIs")
    claims: list[Claim] = Field(min_length=1, description="the claims to test")


@dataclass
class Robustness:
    """A checked robustness study: its spec, file, policies, ranges and the experiment
    that runs it (one scenario × the LHS samples × the policies × replications)."""

    spec: RobustnessSpec
    path: Path
    policies: list[Policy]
    ranges: dict[str, tuple[float, float]]
    experiment: Any

    @property
    def baseline(self) -> str:
        """The policy effects are taken to."""
        return self.experiment.baseline

    @property
    def names(self) -> list[str]:
        """The varied parameter paths, in sample column order."""
        return list(self.ranges)

    @property
    def samples(self) -> pd.DataFrame:
        """The parameter values of each sample (index: sample id from 0)."""
        return self.experiment.samples

    def claim_policies(self, claim: Claim) -> list[str]:
        """The policies ``claim`` is about: its own, or every one but the baseline."""
        if claim.policy is not None:
            return [claim.policy]
        return [p.name for p in self.policies if p.name != self.baseline]

    def record(self) -> dict[str, Any]:
        """What a results manifest keeps of the study (enough to analyse it again)."""
        return {
            "spec": self.spec.model_dump(mode="json"),
            "spec_file": str(self.path),
            "ranges": {k: list(v) for k, v in self.ranges.items()},
        }


def parse_robustness(raw: Mapping[str, Any], source: str) -> RobustnessSpec:
    """Validate a robustness spec given as data; ``ScenarioError`` lists every problem."""
    try:
        return RobustnessSpec.model_validate(raw)
    except ValidationError as exc:
        lines = describe_errors(exc.errors(), RobustnessSpec)
        raise ScenarioError(format_problems(source, lines, "robustness spec")) from None


def load_robustness(path: str | Path, overrides: Overrides | None = None) -> Robustness:
    """Read and check a robustness spec (a file or a shipped spec's name, e.g.
    ``robustness/yuyao_whistle``), with ``overrides`` (``--samples``, ``--reps``,
    ``--days``, ``--set``) laid over it; raises ``ScenarioError`` naming the file, the
    field path and what is allowed. Builds the scenario of every policy at each
    parameter's lowest and highest sample, so a range out of bounds is refused before
    anything runs."""
    from govsim.experiments.spec import locate_spec

    path = locate_spec(path, "robustness")
    overrides = overrides or Overrides()
    spec = parse_robustness(
        overrides.laid_over(read_yaml(path), ("samples",)), overrides.source(path)
    )
    try:
        scenario_file = scenario_path(spec.scenario, path.parent)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: scenario: {exc}") from None
    if not scenario_file.is_file():
        raise ScenarioError(f"{path}: scenario: no such file {scenario_file}")
    raw = read_with_base(scenario_file)
    for name, value in spec.set.items():
        set_path(raw, name, value, f"{overrides.source(path)}: set (for {scenario_file})")
    ranges = _ranges(spec, raw, path, scenario_file)
    for name in spec.set:
        if name in ranges:
            raise ScenarioError(
                f"{overrides.source(path)}: set.{name}: also varied (the spec's parameters or "
                "the scenario's uncertain and assumed ranges); give it in one place"
            )
    policies = [_policy(entry, raw, path, i) for i, entry in enumerate(spec.policies)]
    _check_names(spec, policies, path)
    robustness = Robustness(spec, path, policies, ranges, None)
    robustness.experiment = _experiment(robustness, scenario_file, raw, overrides.record())
    _check_outcomes(robustness)
    _check_extremes(robustness)
    return robustness


def _ranges(
    spec: RobustnessSpec, raw: dict[str, Any], path: Path, scenario_file: Path
) -> dict[str, tuple[float, float]]:
    """The scenario's uncertain and assumed ranges (if asked) updated by the spec's
    parameters."""
    ranges: dict[str, tuple[float, float]] = {}
    if spec.scenario_ranges:
        for section in ("uncertain", "assumed"):
            own = raw.get(section, {})
            ranges.update({k: (float(v[0]), float(v[1])) for k, v in own.items()})
    for name, (low, high) in spec.parameters.items():
        if not low < high:
            raise ScenarioError(
                f"{path}: parameters.{name}: needs low < high, got [{low:g}, {high:g}]"
            )
        set_path(copy.deepcopy(raw), name, low, f"{path}: parameters (for {scenario_file})")
        ranges[name] = (float(low), float(high))
    if not ranges:
        why = (
            f"{scenario_file} has no uncertain or assumed ranges"
            if spec.scenario_ranges
            else "scenario_ranges is false"
        )
        raise ScenarioError(
            f"{path}: parameters: nothing to vary ({why}); give parameter path → [low, high]"
        )
    return ranges


def _policy(entry: str | Variant, raw: dict[str, Any], path: Path, index: int) -> Policy:
    """A listed policy, or a variant: its base policy with the variant's levers set."""
    where = f"{path}: policies.{index}"
    name = entry if isinstance(entry, str) else entry.policy
    try:
        base = load_policy(name, path.parent)
    except ScenarioError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    if isinstance(entry, str):
        return base
    sections = copy.deepcopy(base.sections)
    for dotted, value in entry.set.items():
        if dotted.split(".", 1)[0] not in LEVER_SECTIONS:
            raise ScenarioError(
                f"{where}.set.{dotted}: not a lever; allowed: paths in {', '.join(LEVER_SECTIONS)}"
            )
        set_path(copy.deepcopy(deep_merge(raw, sections)), dotted, value, f"{where}.set")
        set_path(sections, dotted, value, check=False)
    described = f"{base.name} with {', '.join(f'{k}={v}' for k, v in entry.set.items())}"
    return Policy(entry.name, described, sections, base.source)


def _check_names(spec: RobustnessSpec, policies: list[Policy], path: Path) -> None:
    names = [p.name for p in policies]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ScenarioError(f"{path}: policies: each policy once; repeated: {', '.join(twice)}")
    baseline = spec.baseline or names[0]
    if baseline not in names:
        raise ScenarioError(f"{path}: baseline: {baseline!r} is not one of {names}")
    for i, claim in enumerate(spec.claims):
        if claim.policy is not None and claim.policy not in names:
            raise ScenarioError(
                f"{path}: claims.{i}.policy: {claim.policy!r} is not one of {names}"
            )
        if claim.policy == baseline:
            raise ScenarioError(
                f"{path}: claims.{i}.policy: {baseline!r} is the baseline; allowed: "
                f"{', '.join(n for n in names if n != baseline)}"
            )


def _experiment(
    robustness: Robustness, scenario_file: Path, raw: dict[str, Any], overrides: dict[str, Any]
) -> Any:
    """The runs of the study as an experiment: the LHS samples × policies × replications
    (``overrides``: what the command line laid over the spec, for the manifest)."""
    from govsim.analysis.comparison import OUTCOMES
    from govsim.experiments.spec import Experiment, ExperimentSpec, Parameters, _samples

    spec = robustness.spec
    outcomes = list(dict.fromkeys(c.outcome for c in spec.claims if c.outcome not in OUTCOMES))
    names = [p.name for p in robustness.policies]
    experiment_spec = ExperimentSpec(
        name=spec.name,
        description=spec.description,
        scenarios=[spec.scenario],
        policies=names,
        baseline=spec.baseline or names[0],
        parameters=Parameters(
            design="lhs", ranges=robustness.ranges, samples=spec.samples, seed=spec.seed
        ),
        replications=spec.replications,
        seed=spec.seed,
        days=spec.days,
        outcomes=outcomes,
        series_every_days=0,
        set=spec.set,
    )
    samples = _samples(experiment_spec, robustness.path, scenario_file)
    return Experiment(
        experiment_spec,
        robustness.path,
        [scenario_file],
        robustness.policies,
        samples,
        [raw],
        overrides,
    )


def _check_outcomes(robustness: Robustness) -> None:
    from govsim.experiments.run import check_kept

    experiment = robustness.experiment
    scenario = experiment.scenario(0, 0, experiment.policies[0])
    for i, claim in enumerate(robustness.spec.claims):
        check_kept(scenario, [claim.outcome], f"{robustness.path}: claims.{i}.outcome")


def _check_extremes(robustness: Robustness) -> None:
    """Build every policy's scenario at each parameter's lowest and highest sample."""
    values = robustness.samples
    rows = {0}
    for name in robustness.names:
        rows.update((int(values[name].idxmin()), int(values[name].idxmax())))
    experiment = robustness.experiment
    for row in sorted(rows):
        for policy in experiment.policies:
            experiment.scenario(0, row, policy)


def run_robustness(
    robustness: Robustness,
    out: str | Path,
    executor: Any = None,
    resume: bool = False,
    show_progress: bool = False,
    batch: int = 25,
) -> pd.DataFrame:
    """Run every sample × policy × replication of ``robustness`` into the results folder
    ``out`` (streamed, resumable with ``resume``, on any executor: identical results) and
    return the stored runs, one row per run."""
    from govsim.experiments.experiment import run_experiment
    from govsim.experiments.results import load

    run_experiment(
        robustness.experiment,
        out,
        executor,
        resume,
        batch,
        show_progress,
        extra={"robustness": robustness.record()},
    )
    runs = load(out).runs
    expected = robustness.experiment.n_runs
    if len(runs) != expected:
        raise GovsimError(
            f"{robustness.spec.name}: {len(runs)} of {expected} runs stored; "
            "finish the study with --resume"
        )
    return runs
