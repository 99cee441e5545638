"""Experiment specs: which runs an experiment makes, as a validated YAML file.

An experiment crosses scenarios × parameter samples × policies × replications. Parameter
samples come from explicit lists, a full factorial, a Latin hypercube
(``scipy.stats.qmc``) or a design table (CSV or Parquet, one column per parameter path).
Replication ``k`` of every (scenario, sample, policy) runs on seed ``seed + k`` (common
random numbers), so policies can be compared pair by pair. A spec is checked completely
— keys, parameter paths, every scenario it produces — before anything runs; mistakes are
refused naming the spec file, the field path and what is allowed.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import ConfigDict, Field, ValidationError
from scipy.stats import qmc

from govsim import shipped
from govsim.engine.streams import MAX_SEED
from govsim.errors import ScenarioError
from govsim.experiments.overrides import Overrides
from govsim.experiments.run import Run
from govsim.policies.files import Policy, load_policy
from govsim.world.scenario import (
    NoBoolNumbers,
    Scenario,
    check_run_days,
    deep_merge,
    describe_errors,
    format_problems,
    iter_parameters,
    read_with_base,
    read_yaml,
    resolve_levers,
    scenario_path,
    set_path,
    validate_scenario,
)
from govsim.world.window import MAX_DAYS, MIN_DAYS

#: Seed scheme, as recorded in every results manifest.
SEED_SCHEME = (
    "seed = spec.seed + replication; the same for every scenario, sample and policy "
    "(common random numbers), so differences between policies pair replication by replication"
)


#: The field of ``parameters`` each design reads.
_DESIGN_FIELD = {"list": "values", "factorial": "values", "lhs": "ranges", "table": "file"}


#: Most parameter samples and runs an experiment may have: its plan (the samples table,
#: the run ids, the manifest) is built in memory before anything runs.
MAX_SAMPLES = 100_000
MAX_RUNS = 10_000_000


class _Section(NoBoolNumbers):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Parameters(_Section):
    """Parameter samples: which values each varied parameter path takes."""

    design: Literal["list", "factorial", "lhs", "table"] = Field(
        "factorial",
        description="list: values zipped row by row; factorial: every combination; "
        "lhs: Latin hypercube over ranges; table: rows of a CSV or Parquet file",
    )
    values: dict[str, list[Any]] = Field(
        default_factory=dict, description="path → values (list and factorial)"
    )
    ranges: dict[str, tuple[float, float]] = Field(
        default_factory=dict, description="path → [low, high] (lhs)"
    )
    samples: int = Field(
        10,
        ge=1,
        le=MAX_SAMPLES,
        description="number of Latin hypercube samples (lhs); ≤ 100,000: the design is "
        "built in memory before anything runs",
    )
    seed: int = Field(0, ge=0, le=MAX_SEED, description="seed of the Latin hypercube (lhs)")
    file: str | None = Field(None, description="design table, relative to the spec (table)")


class ExperimentSpec(_Section):
    """A whole experiment file."""

    name: str = Field(description="the experiment's name")
    description: str = ""
    scenarios: list[str] = Field(
        min_length=1,
        description="scenario files (relative to the spec) or shipped scenario names; a file wins",
    )
    policies: list[str] = Field(
        default_factory=lambda: ["status_quo"],
        min_length=1,
        description="policy files (relative to the spec) or shipped policy names; a file wins",
    )
    baseline: str | None = Field(
        None, description="policy differences are taken to (default: first)"
    )
    set: dict[str, Any] = Field(
        default_factory=dict,
        description="parameter path → value laid over every scenario in every run, as "
        "govsim run --set (e.g. a reduced map); a path the parameters vary is refused",
    )
    parameters: Parameters | None = None
    replications: int = Field(
        10,
        ge=1,
        le=10_000,
        description="replications per (scenario, sample, policy) (≤ 10,000)",
    )
    seed: int = Field(0, ge=0, le=MAX_SEED, description="seed of replication 0 (≤ 2^62)")
    days: float | None = Field(
        None,
        ge=MIN_DAYS,
        le=MAX_DAYS,
        description="simulated days, the warm-up included (default: each scenario's); 1 to "
        "3,650, as run.days",
    )
    outcomes: list[str] = Field(
        default_factory=list,
        description="outcomes kept besides the compared ones (dotted summary paths, or "
        "ledger metrics NAME:ARG such as hours_from_report:illegal_boiler)",
    )
    series_every_days: int = Field(
        1,
        ge=0,
        le=int(MAX_DAYS),
        description="time-series resolution in days (0: no time series; ≤ 3,650)",
    )
    ledgers: bool = Field(False, description="also keep every run's full ledger")


@dataclass
class Experiment:
    """A loaded, checked experiment: its spec, files, policies and parameter samples.

    ``samples`` has one row per sample (index: sample id from 0) and one column per
    varied parameter path; with no parameters it is one row without columns.
    ``overrides`` records what the command line laid over the spec (``Overrides.record``).
    """

    spec: ExperimentSpec
    path: Path
    scenario_files: list[Path]
    policies: list[Policy]
    samples: pd.DataFrame
    raws: list[dict[str, Any]]
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def baseline(self) -> str:
        """The policy differences are taken to."""
        return self.spec.baseline or self.policies[0].name

    @property
    def scenario_names(self) -> list[str]:
        """Labels of the scenarios in the result tables (their file stems)."""
        return [path.stem for path in self.scenario_files]

    @property
    def n_runs(self) -> int:
        """Runs in the whole experiment."""
        per = len(self.samples) * len(self.policies) * self.spec.replications
        return len(self.scenario_files) * per

    @property
    def files(self) -> list[Path]:
        """Every input file the results depend on (for the manifest's hashes)."""
        files = [self.path, *self.scenario_files]
        files += [Path(p.source) for p in self.policies if p.source]
        if self.spec.parameters and self.spec.parameters.file:
            files.append(self.path.parent / self.spec.parameters.file)
        return files

    def scenario(self, index: int, sample: int, policy: Policy) -> Scenario:
        """The validated scenario of (scenario ``index``, ``sample``, ``policy``)."""
        raw = copy.deepcopy(self.raws[index])
        source = f"{self.scenario_files[index]}" + (
            f" with policy {policy.source}" if policy.source else ""
        )
        raw = deep_merge(raw, resolve_levers(raw, policy.sections, source))
        values = self.samples.loc[sample]
        for name, value in values.items():
            set_path(raw, str(name), _plain(value), check=False)  # paths checked at load
        where = f"{self.path}: sample {sample} {dict(values.items())}" if len(values) else ""
        try:
            scenario = validate_scenario(raw, source, self.scenario_files[index].parent)
            if self.spec.days is not None:
                check_run_days(scenario, self.spec.days, f"{source}: days")
            return scenario
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: {exc}" if where else str(exc)) from None

    def runs(self, skip: set[int] | frozenset[int] = frozenset()) -> Iterator[Run]:
        """Every run not in ``skip``, in run-id order: scenario, sample, replication, policy.

        Replication k of every (scenario, sample, policy) uses seed ``spec.seed + k``.
        Scenarios are built lazily, one (scenario, sample, policy) at a time.
        """
        spec = self.spec
        run_id = 0
        for index, name in enumerate(self.scenario_names):
            for sample in self.samples.index:
                built: dict[str, Scenario] = {}
                for rep in range(spec.replications):
                    for policy in self.policies:
                        if run_id not in skip:
                            if policy.name not in built:
                                built[policy.name] = self.scenario(index, sample, policy)
                            yield Run(
                                built[policy.name],
                                policy,
                                spec.seed + rep,
                                spec.days,
                                run_id=run_id,
                                scenario_name=name,
                                sample=int(sample),
                                rep=rep,
                                keep=tuple(spec.outcomes),
                                series_every_days=spec.series_every_days,
                                keep_ledger=spec.ledgers,
                            )
                        run_id += 1

    def check(self) -> None:
        """Build every (scenario, sample, policy) once, so a bad one is refused up front."""
        for index in range(len(self.scenario_files)):
            for sample in self.samples.index:
                for policy in self.policies:
                    self.scenario(index, sample, policy)


#: The command that runs each kind of spec → the folder of its shipped specs (under
#: experiments/; "" for the top).
SPEC_FOLDERS = {"experiment": "", "sensitivity": "sensitivity", "robustness": "robustness"}


def locate_spec(spec: str | Path, command: str = "experiment") -> Path:
    """The file of a spec ``govsim COMMAND`` runs: a file (it wins), or the name of a
    shipped spec of that command (``five_policies``, ``sensitivity/sobol_demo``,
    ``robustness/yuyao_whistle``). An unknown name is refused with the shipped specs
    the command can run; another command's shipped spec with that command's name."""
    path = shipped.locate("experiments", spec)
    kinds = {name: _spec_command(name) for name in shipped.names("experiments")}
    by_name = path == shipped.folder("experiments") / f"{spec}.yaml"
    other = kinds.get(str(spec), command) if by_name else command
    if path is not None and other == command:
        return path
    if path is not None:
        raise ScenarioError(f"{spec}: a shipped {other} spec; run it with govsim {other} {spec}")
    mine = [name for name, kind in kinds.items() if kind == command]
    raise ScenarioError(
        f"{spec}: no such spec file or shipped {command} spec; shipped: {', '.join(mine)}"
    )


def _spec_command(name: str) -> str:
    """The command a shipped spec ``name`` is for, by its folder."""
    folder = name.rpartition("/")[0]
    return next((c for c, f in SPEC_FOLDERS.items() if f == folder), "experiment")


def load_experiment(path: str | Path, overrides: Overrides | None = None) -> Experiment:
    """Read and check an experiment spec (a file or a shipped spec's name), with
    ``overrides`` (``--samples``, ``--reps``, ``--days``, ``--set``) laid over it; raises
    ``ScenarioError`` naming file and field. Scenarios are read as ``load_scenario``
    reads them, their ``base`` laid under them, then the spec's ``set``."""
    path = locate_spec(path)
    overrides = overrides or Overrides()
    raw = read_yaml(path)
    if overrides.samples is not None:
        _check_lhs(raw, path)
    raw = overrides.laid_over(raw, ("parameters", "samples"))
    source = overrides.source(path)
    try:
        spec = ExperimentSpec.model_validate(raw)
    except ValidationError as exc:
        lines = describe_errors(exc.errors(), ExperimentSpec)
        raise ScenarioError(format_problems(source, lines, "experiment spec")) from None
    problems = list(_cross_check(spec, path))
    if problems:
        raise ScenarioError(format_problems(source, problems, "experiment spec"))
    scenario_files = [scenario_path(name, path.parent) for name in spec.scenarios]
    raws = [read_with_base(file) for file in scenario_files]
    for file, scenario_raw in zip(scenario_files, raws, strict=True):
        for name, value in spec.set.items():
            set_path(scenario_raw, name, value, f"{source}: set (for {file})")
    policies = [_policy(name, path, i) for i, name in enumerate(spec.policies)]
    _check_policies(spec, policies, path)
    samples = _samples(spec, path, scenario_files[0])
    field = f"parameters.{_DESIGN_FIELD[spec.parameters.design]}" if spec.parameters else ""
    for file, scenario_raw in zip(scenario_files, raws, strict=True):
        for column in samples.columns:  # a typo gets the same suggestions as --set
            set_path(copy.deepcopy(scenario_raw), column, 0, f"{path}: {field} (for {file})")
    experiment = Experiment(spec, path, scenario_files, policies, samples, raws, overrides.record())
    experiment.check()
    return experiment


def _check_lhs(raw: Any, path: Path) -> None:
    """Refuse ``--samples`` for a spec whose samples are not a Latin hypercube's."""
    params = raw.get("parameters") if isinstance(raw, dict) else None
    design = params.get("design", "factorial") if isinstance(params, dict) else None
    if design == "lhs":
        return
    what = {
        None: "it varies no parameters (one sample)",
        "factorial": "its design is factorial: every combination of parameters.values",
        "list": "its design is list: the rows of parameters.values",
        "table": "its design is table: the rows of parameters.file",
    }.get(design, f"its design is {design}")
    raise ScenarioError(
        f"{path}: --samples: only a Latin hypercube's samples (parameters.design: lhs) can "
        f"be resized; {what}"
    )


def _policy(name: str, spec_path: Path, index: int) -> Policy:
    try:
        return load_policy(name, spec_path.parent)
    except ScenarioError as exc:
        raise ScenarioError(f"{spec_path}: policies.{index}: {exc}") from None


def _check_policies(spec: ExperimentSpec, policies: list[Policy], path: Path) -> None:
    names = [p.name for p in policies]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ScenarioError(f"{path}: policies: each policy once; repeated: {', '.join(twice)}")
    if spec.baseline is not None and spec.baseline not in names:
        raise ScenarioError(f"{path}: baseline: {spec.baseline!r} is not one of {names}")


def _cross_check(spec: ExperimentSpec, path: Path) -> Iterator[str]:
    for i, name in enumerate(spec.scenarios):
        try:
            file = scenario_path(name, path.parent)
        except ScenarioError as exc:
            yield f"scenarios.{i}: {exc}"
            continue
        if not file.is_file():
            yield f"scenarios.{i}: no such file {file}"
    params = spec.parameters
    if params is None:
        return
    varied = params.values if params.design in ("list", "factorial") else params.ranges
    for name in spec.set:
        if name in varied:
            yield f"set.{name}: also varied by parameters; give it in one place"
    design = params.design
    wanted = _DESIGN_FIELD[design]
    for key in ("values", "ranges", "file"):
        given = getattr(params, key)
        if key == wanted and not given:
            yield f"parameters.{key}: required for design {design}"
        elif key != wanted and given:
            yield f"parameters.{key}: not used by design {design} (it uses {wanted})"
    for name, values in params.values.items():
        if not values:
            yield f"parameters.values.{name}: give at least one value"
    lengths = {len(v) for v in params.values.values()}
    rows = {
        "factorial": math.prod(len(v) for v in params.values.values()),
        "list": max(lengths, default=0),
        "lhs": params.samples,
    }.get(design, 0)  # a table's rows are counted when it is read
    if rows > MAX_SAMPLES:
        yield (
            f"parameters.values: design {design} gives {rows:,} samples; the limit is "
            f"{MAX_SAMPLES:,} (the plan is built in memory before anything runs)"
        )
    runs = len(spec.scenarios) * rows * len(spec.policies)
    if runs * spec.replications > MAX_RUNS:
        yield (
            f"replications: {runs * spec.replications:,} runs (scenarios × samples × policies "
            f"× replications); the limit is {MAX_RUNS:,}"
        )
    if design == "list" and len(lengths) > 1:
        got = sorted(lengths)
        yield f"parameters.values: design list zips the lists, so they need one length; got {got}"
    for name, (low, high) in params.ranges.items():
        if not low < high:
            yield f"parameters.ranges.{name}: needs low < high, got [{low:g}, {high:g}]"
    if params.file and not (path.parent / params.file).is_file():
        yield f"parameters.file: no such file {path.parent / params.file}"
    elif params.file and Path(params.file).suffix not in (".csv", ".parquet"):
        yield f"parameters.file: {params.file}: allowed: a .csv or .parquet file"


def _samples(spec: ExperimentSpec, path: Path, scenario_file: Path) -> pd.DataFrame:
    """One row per parameter sample (index from 0), one column per parameter path."""
    params = spec.parameters
    if params is None:
        return pd.DataFrame(index=pd.RangeIndex(1, name="sample"))
    if params.design == "list":
        frame = pd.DataFrame(params.values)
    elif params.design == "factorial":
        combos = list(itertools.product(*params.values.values()))
        frame = pd.DataFrame(combos, columns=list(params.values))
    elif params.design == "lhs":
        names = list(params.ranges)
        unit = qmc.LatinHypercube(d=len(names), seed=params.seed).random(params.samples)
        integers = _integer_paths(scenario_file, names)
        # an integer parameter is drawn evenly over low … high: on [low − ½, high + ½], rounded
        widen = np.array([0.5 if name in integers else 0.0 for name in names])
        lows, highs = np.array(list(params.ranges.values()), dtype=float).T
        frame = pd.DataFrame(qmc.scale(unit, lows - widen, highs + widen), columns=names)
        for name in integers:
            low, high = params.ranges[name]
            frame[name] = frame[name].round().clip(low, high).astype(int)
    else:
        frame = _read_table(path.parent / str(params.file), path)
    frame.index = pd.RangeIndex(len(frame), name="sample")
    return frame


def _integer_paths(scenario_file: Path, names: list[str]) -> list[str]:
    from govsim.world.scenario import load_scenario

    types = {p: t for p, _, t, _, _ in iter_parameters(load_scenario(scenario_file))}
    return [name for name in names if types.get(name) == "int"]


def _read_table(file: Path, spec_path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(file) if file.suffix == ".parquet" else pd.read_csv(file)
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{spec_path}: parameters.file: cannot read {file} ({exc})") from None
    if frame.empty or not len(frame.columns):
        raise ScenarioError(f"{spec_path}: parameters.file: {file} has no rows or no columns")
    if len(frame) > MAX_SAMPLES:
        raise ScenarioError(
            f"{spec_path}: parameters.file: {file} has {len(frame):,} rows; the limit is "
            f"{MAX_SAMPLES:,} samples"
        )
    return frame


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value YAML would have given."""
    return value.item() if hasattr(value, "item") else value
