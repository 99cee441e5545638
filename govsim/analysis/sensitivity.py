"""Global sensitivity analysis: a YAML spec → a SALib problem → runs → indices with CIs.

A sensitivity spec (``experiments/*.yaml`` with a ``method``) names a scenario and a
policy, the parameter paths to vary (``govsim params``) with their ranges or
distributions, the outputs to explain, the method (Sobol, Morris, FAST, RBD-FAST, PAWN,
delta) and the sample size. :func:`load_sensitivity` checks it completely and refuses
settings that would give wrong indices; :class:`Study` builds the SALib ``ProblemSpec``
and the design. Each design point (a *sample*) runs ``replications`` times, replication
``k`` of every sample on seed ``seed + k`` (common random numbers); the runs go through
the experiment machinery (``govsim.experiments.experiment``: any executor, streamed,
resumable) and are joined back to the design by sample id. Indices are computed by SALib
on the per-sample mean; :func:`replication_noise` tells how much of the output variance
is replication noise, :func:`convergence` how the indices settle as the design grows.

The pipeline's model is pluggable: :func:`evaluate_function` runs a plain Python
function over the same design (used to check the wiring on the Ishigami function, whose
indices are known).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import ConfigDict, Field, ValidationError, field_validator

from govsim.errors import GovsimError, ScenarioError
from govsim.experiments.overrides import Overrides
from govsim.world.scenario import (
    NoBoolNumbers,
    describe_errors,
    format_problems,
    read_with_base,
    read_yaml,
    scenario_path,
    set_path,
)
from govsim.world.window import MAX_DAYS, MIN_DAYS

METHODS = ("sobol", "morris", "fast", "rbd_fast", "pawn", "delta")
#: Designs each method can analyse; the first is its default.
DESIGNS: dict[str, tuple[str, ...]] = {
    "sobol": ("saltelli",),
    "morris": ("morris",),
    "fast": ("fast",),
    "rbd_fast": ("latin", "random"),
    "pawn": ("latin", "random", "saltelli", "morris"),
    "delta": ("latin", "random", "saltelli", "morris"),
}
#: The index that ranks parameters for each method (convergence, heatmap).
MAIN_INDEX = {
    "sobol": "ST",
    "morris": "mu_star",
    "fast": "ST",
    "rbd_fast": "S1",
    "pawn": "median",
    "delta": "delta",
}
#: Smallest sample size ``samples`` each method accepts.
_MIN_SAMPLES = {"sobol": 8, "morris": 4, "fast": 65, "rbd_fast": 21, "pawn": 20, "delta": 20}
FAST_M = 4  # FAST interference factor (SALib's default): needs N > 4 M²
RBD_M = 10  # RBD-FAST harmonics (SALib's default)
DELTA_RESAMPLES = 100  # at most, for delta's bootstrap: SALib's is slow (≈30 ms a resample)


#: Most rows a design may have (Sobol: N × (k + 2), or N × (2k + 2) with second order;
#: Morris: N × (k + 1); FAST: N × k; others: N): it is drawn in memory, then run.
MAX_DESIGN_ROWS = 1_000_000


class _Section(NoBoolNumbers):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Distribution(_Section):
    """How a parameter varies: uniform between ``low`` and ``high`` (default), or
    ``triang`` (``low``, ``high``, ``peak`` as a fraction of the range), ``norm``
    (``mean``, ``sd``), ``truncnorm`` (``low``, ``high``, ``mean``, ``sd``) or
    ``lognorm`` (``mean``, ``sd`` of the logarithm)."""

    dist: Literal["unif", "triang", "norm", "truncnorm", "lognorm"] = "unif"
    low: float | None = None
    high: float | None = None
    peak: float | None = Field(None, ge=0, lt=1, description="triang: mode, fraction of range")
    mean: float | None = None
    sd: float | None = Field(None, gt=0)

    def bounds(self) -> list[float]:
        """SALib's ``bounds`` entry for this distribution."""
        if self.dist == "unif":
            return [float(self.low), float(self.high)]  # type: ignore[arg-type]
        if self.dist == "triang":
            return [float(self.low), float(self.high), float(self.peak)]  # type: ignore[arg-type]
        if self.dist == "truncnorm":
            return [self.low, self.high, self.mean, self.sd]  # type: ignore[list-item]
        return [float(self.mean), float(self.sd)]  # type: ignore[arg-type]

    def problems(self) -> Iterator[str]:
        """What is missing or inconsistent, one line each (field: message)."""
        needs = {
            "unif": ("low", "high"),
            "triang": ("low", "high", "peak"),
            "norm": ("mean", "sd"),
            "truncnorm": ("low", "high", "mean", "sd"),
            "lognorm": ("mean", "sd"),
        }[self.dist]
        for name in ("low", "high", "peak", "mean", "sd"):
            given = getattr(self, name) is not None
            if name in needs and not given:
                yield f"{name}: required for dist {self.dist}"
            elif name not in needs and given:
                yield f"{name}: not used by dist {self.dist} (it uses {', '.join(needs)})"
        if self.low is not None and self.high is not None and not self.low < self.high:
            yield f"high: needs low < high, got [{self.low:g}, {self.high:g}]"


class SensitivitySpec(_Section):
    """A whole sensitivity spec file (see docs/sensitivity.md)."""

    name: str = Field(description="the study's name")
    description: str = ""
    scenario: str | None = Field(
        None, description="scenario file (relative to the spec) or shipped name; a file wins"
    )
    policy: str = Field("status_quo", description="a policy name or file")
    set: dict[str, Any] = Field(
        default_factory=dict,
        description="parameter path → value laid over the scenario in every run, as "
        "govsim run --set (e.g. a reduced map); a path the parameters vary is refused",
    )
    method: Literal["sobol", "morris", "fast", "rbd_fast", "pawn", "delta"] = Field(
        description="sobol | morris | fast | rbd_fast | pawn | delta"
    )
    design: Literal["saltelli", "morris", "fast", "latin", "random"] | None = Field(
        None, description="the sampling design (default: the method's own)"
    )
    samples: int = Field(
        le=MAX_DESIGN_ROWS,
        description="N: base samples (sobol: a power of two), trajectories (morris), "
        "samples per parameter (fast) or all samples (rbd_fast, pawn, delta); the design "
        "it gives is at most 1,000,000 rows",
    )
    second_order: bool = Field(False, description="sobol: also second-order indices")
    levels: int = Field(4, le=1000, description="morris: grid levels (even, 2 to 1,000)")
    optimal_trajectories: int | None = Field(
        None, description="morris: keep this many of the samples trajectories (2 … samples-1)"
    )
    slices: int = Field(10, ge=2, le=1000, description="pawn: conditioning slices (≤ 1,000)")
    parameters: dict[str, tuple[float, float] | Distribution] = Field(
        min_length=1,
        max_length=1000,
        description="parameter path → [low, high] or a distribution (≤ 1,000 parameters)",
    )
    outputs: list[str] = Field(min_length=1, description="outcome names to explain")
    replications: int = Field(
        1, ge=1, le=10_000, description="runs per sample (common random numbers; ≤ 10,000)"
    )
    seed: int = Field(
        0,
        ge=0,
        le=2**32 - 1,
        description="design and bootstrap seed; replication k: seed + k (< 2^32, SALib's)",
    )
    days: float | None = Field(
        None,
        ge=MIN_DAYS,
        le=MAX_DAYS,
        description="simulated days, the warm-up included (default: scenario's); 1 to 3,650",
    )
    bootstrap: int = Field(
        1000, ge=10, le=100_000, description="bootstrap resamples for the CIs (≤ 100,000)"
    )
    confidence: float = Field(0.95, gt=0, lt=1, description="confidence level of the CIs")

    @field_validator("parameters", mode="after")
    @classmethod
    def _as_distributions(cls, value: dict[str, Any]) -> dict[str, Any]:
        return {
            k: v if isinstance(v, Distribution) else Distribution(low=v[0], high=v[1])
            for k, v in value.items()
        }

    def distribution(self, name: str) -> Distribution:
        """The distribution of parameter ``name``."""
        value = self.parameters[name]
        assert isinstance(value, Distribution)
        return value

    @property
    def the_design(self) -> str:
        """The sampling design in use (the spec's, or the method's default)."""
        return self.design or DESIGNS[self.method][0]


def check_spec(spec: SensitivitySpec) -> list[str]:
    """Settings that would give wrong indices, one ``field: message`` line each."""
    problems = []
    method, n = spec.method, spec.samples
    if spec.design is not None and spec.design not in DESIGNS[method]:
        allowed = ", ".join(DESIGNS[method])
        why = " (Sobol indices need the Saltelli design)" if method == "sobol" else ""
        problems.append(
            f"design: {method} cannot analyse a {spec.design} design{why}; allowed: {allowed}"
        )
    rows = design_rows(spec)
    if rows > MAX_DESIGN_ROWS:
        problems.append(
            f"samples: {method} with {n:,} samples of {len(spec.parameters)} parameters gives "
            f"a design of {rows:,} rows; the limit is {MAX_DESIGN_ROWS:,}"
        )
    from govsim.experiments.spec import MAX_RUNS

    if rows * spec.replications > MAX_RUNS:
        problems.append(
            f"replications: {rows * spec.replications:,} runs (design rows × replications); "
            f"the limit is {MAX_RUNS:,}"
        )
    if n < _MIN_SAMPLES[method]:
        problems.append(f"samples: {method} needs at least {_MIN_SAMPLES[method]}, got {n}")
    if method == "sobol" and n & (n - 1):
        below = 1 << (n.bit_length() - 1)
        problems.append(
            f"samples: Sobol needs a power of two (the Saltelli design's balance), got {n}; "
            f"use {below} or {2 * below}"
        )
    if spec.second_order and method != "sobol":
        problems.append(f"second_order: only Sobol has second-order indices, not {method}")
    if method == "fast" and n <= 4 * FAST_M**2:
        problems.append(f"samples: FAST needs N > 4·M² = {4 * FAST_M**2}, got {n}")
    if method == "rbd_fast" and n <= 2 * RBD_M:
        problems.append(f"samples: RBD-FAST needs N > 2·M = {2 * RBD_M}, got {n}")
    if method == "pawn" and n < 2 * spec.slices:
        problems.append(
            f"samples: PAWN needs at least 2 samples per slice, got {n} for {spec.slices} slices"
        )
    if method == "morris":
        if spec.levels < 2 or spec.levels % 2:
            problems.append(f"levels: Morris needs an even number of levels ≥ 2, got {spec.levels}")
        k = spec.optimal_trajectories
        if k is not None and not 2 <= k < n:
            problems.append(f"optimal_trajectories: needs 2 ≤ k < samples ({n}), got {k}")
        for name in spec.parameters:
            if spec.distribution(name).dist != "unif":
                problems.append(
                    f"parameters.{name}: Morris moves on a grid over a range; "
                    "allowed: [low, high] (dist unif)"
                )
    elif spec.levels != 4 or spec.optimal_trajectories is not None:
        problems.append(f"levels, optimal_trajectories: Morris settings, not used by {method}")
    for name in spec.parameters:
        problems += [f"parameters.{name}.{p}" for p in spec.distribution(name).problems()]
    for name in spec.set:
        if name in spec.parameters:
            problems.append(f"set.{name}: also varied by parameters; give it in one place")
    if len(spec.parameters) < 2:
        problems.append("parameters: give at least two parameters to compare")
    return problems


def design_rows(spec: SensitivitySpec) -> int:
    """Rows of the design ``spec`` draws, before any run (see ``MAX_DESIGN_ROWS``)."""
    n, k = spec.samples, len(spec.parameters)
    per_sample = {
        "saltelli": 2 * k + 2 if spec.second_order else k + 2,
        "morris": k + 1,
        "fast": k,
    }
    return n * per_sample.get(spec.the_design, 1)


@dataclass
class Study:
    """A checked sensitivity study: its spec, where it came from, and its design.

    ``integers`` are the parameter paths that take whole numbers: a uniform one over
    ``[low, high]`` is drawn evenly over the integers low … high (the continuous value on
    ``[low − ½, high + ½]``, rounded). ``path`` is the spec file (None for a spec given as
    data, e.g. with a plain Python function as the model). ``overrides`` records what the
    command line laid over the spec (``Overrides.record``).
    """

    spec: SensitivitySpec
    path: Path | None = None
    integers: frozenset[str] = frozenset()
    overrides: dict[str, Any] = field(default_factory=dict)
    _design: np.ndarray | None = field(default=None, repr=False)

    @property
    def names(self) -> list[str]:
        """The varied parameter paths, in design column order."""
        return list(self.spec.parameters)

    @property
    def scenario_file(self) -> Path | None:
        """The scenario file: a file (relative paths resolve from the spec's folder; it
        wins) or a shipped scenario's name. Raises ``ScenarioError`` for neither."""
        if self.spec.scenario is None:
            return None
        return scenario_path(self.spec.scenario, self.path.parent if self.path else None)

    def problem_dict(self) -> dict[str, Any]:
        """The SALib problem as a dict: names, bounds, dists, outputs."""
        bounds, dists = [], []
        for name in self.names:
            dist = self.spec.distribution(name)
            b = dist.bounds()
            if name in self.integers and dist.dist == "unif":
                b = [b[0] - 0.5, b[1] + 0.5]
            bounds.append(b)
            dists.append(dist.dist)
        return {
            "num_vars": len(self.names),
            "names": self.names,
            "bounds": bounds,
            "dists": dists,
            "outputs": list(self.spec.outputs),
        }

    @cached_property
    def problem(self) -> Any:
        """The SALib ``ProblemSpec`` of the study (with its design sampled, see ``design``)."""
        from SALib import ProblemSpec

        problem = ProblemSpec(self.problem_dict())
        problem.set_samples(self.design)
        return problem

    @property
    def design(self) -> np.ndarray:
        """The design: one row per sample, one column per parameter (SALib's sample, in
        SALib's row order, before integers are rounded)."""
        if self._design is None:
            self._design = sample(self.spec, self.problem_dict())
        return self._design

    @property
    def n_samples(self) -> int:
        """Rows of the design."""
        return len(self.design)

    def values(self) -> pd.DataFrame:
        """The parameter values each sample runs with: the design, integers rounded
        (and kept within their range). Index: sample id from 0."""
        frame = pd.DataFrame(self.design, columns=self.names)
        for name in self.integers:
            dist = self.spec.distribution(name)
            column = frame[name].round()
            if dist.dist == "unif":
                column = column.clip(dist.low, dist.high)
            frame[name] = column.astype(int)
        frame.index = pd.RangeIndex(len(frame), name="sample")
        return frame

    def with_changes(self, **fields: Any) -> Study:
        """The same study with some spec fields changed (checked again), e.g. a smaller
        ``samples`` or fewer ``days`` for a quick look."""
        raw = {**self.spec.model_dump(mode="json"), **fields}
        source = f"{self.path or self.spec.name} with {fields}"
        return Study(parse_spec(raw, source), self.path, self.integers, self.overrides)

    def record(self) -> dict[str, Any]:
        """What a results manifest keeps of the study (enough to analyse it again)."""
        return {
            "spec": self.spec.model_dump(mode="json"),
            "spec_file": str(self.path) if self.path else None,
            "integers": sorted(self.integers),
            "problem": self.problem_dict(),
            "samples": self.n_samples,
        }


def sample(spec: SensitivitySpec, problem: dict[str, Any]) -> np.ndarray:
    """Draw the design of ``spec`` with SALib's sampler for its design (seeded)."""
    from SALib.sample import fast_sampler, latin, morris
    from SALib.sample import sobol as saltelli
    from SALib.util import scale_samples

    design, n, seed = spec.the_design, spec.samples, spec.seed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # SALib's advice on N; checked above
        if design == "saltelli":
            return saltelli.sample(problem, n, calc_second_order=spec.second_order, seed=seed)
        if design == "morris":
            return morris.sample(
                problem,
                n,
                num_levels=spec.levels,
                optimal_trajectories=spec.optimal_trajectories,
                seed=seed,
            )
        if design == "fast":
            return fast_sampler.sample(problem, n, M=FAST_M, seed=seed)
        if design == "latin":
            return latin.sample(problem, n, seed=seed)
    unit = np.random.default_rng(seed).random((n, problem["num_vars"]))
    return scale_samples(unit, problem)


def load_sensitivity(path: str | Path, overrides: Overrides | None = None) -> Study:
    """Read and check a sensitivity spec file, with ``overrides`` (``--samples``,
    ``--reps``, ``--days``, ``--set``) laid over it; raises ``ScenarioError`` naming the
    file, the field and what is allowed. ``path`` may be a shipped spec's name. Parameter
    paths are checked against the scenario (with the same suggestions as ``--set``) and
    outputs against what a run offers."""
    from govsim.experiments.spec import _integer_paths, locate_spec

    path = locate_spec(path, "sensitivity")
    overrides = overrides or Overrides()
    raw = overrides.laid_over(read_yaml(path), ("samples",))
    spec = parse_spec(raw, overrides.source(path))
    if spec.scenario is None:
        raise ScenarioError(f"{path}: scenario: required (the scenario file to vary)")
    study = Study(spec, path, overrides=overrides.record())
    try:
        scenario_file = study.scenario_file
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: scenario: {exc}") from None
    assert scenario_file is not None
    if not scenario_file.is_file():
        raise ScenarioError(f"{path}: scenario: no such file {scenario_file}")

    scenario_raw = read_with_base(scenario_file)
    for name, value in spec.set.items():
        set_path(scenario_raw, name, value, f"{overrides.source(path)}: set (for {scenario_file})")
    for name in spec.parameters:  # a typo gets the same suggestions as --set
        set_path(copy.deepcopy(scenario_raw), name, 0, f"{path}: parameters (for {scenario_file})")
    study.integers = frozenset(_integer_paths(scenario_file, study.names))
    experiment = as_experiment(study)
    from govsim.analysis.comparison import check_outcome_names
    from govsim.experiments.run import known_outcomes

    scenario = experiment.scenario(0, 0, experiment.policies[0])
    check_outcome_names(spec.outputs, known_outcomes(scenario), f"{path}: outputs")
    _check_corners(study, experiment)
    return study


def parse_spec(raw: Mapping[str, Any], source: str = "<sensitivity spec>") -> SensitivitySpec:
    """Validate a sensitivity spec given as data; ``ScenarioError`` lists every problem."""
    try:
        spec = SensitivitySpec.model_validate(raw)
    except ValidationError as exc:
        lines = describe_errors(exc.errors(), SensitivitySpec)
        raise ScenarioError(format_problems(source, lines, "sensitivity spec")) from None
    problems = check_spec(spec)
    if problems:
        raise ScenarioError(format_problems(source, problems, "sensitivity spec"))
    return spec


def study_from_record(record: Mapping[str, Any]) -> Study:
    """The study a results manifest recorded (``Study.record``), without reading files."""
    spec = parse_spec(record["spec"], "manifest.json: sensitivity.spec")
    path = Path(record["spec_file"]) if record.get("spec_file") else None
    return Study(spec, path, frozenset(record.get("integers", ())))


def _check_corners(study: Study, experiment: Any) -> None:
    """Build the scenario at each parameter's lowest and highest sampled value (others at
    their first sample), so an out-of-range range is refused before anything runs."""
    values = experiment.samples
    rows = {0}
    for name in study.names:
        rows.update((int(values[name].idxmin()), int(values[name].idxmax())))
    for row in sorted(rows):
        experiment.scenario(0, row, experiment.policies[0])


# --- running the design -------------------------------------------------------------------


def as_experiment(study: Study) -> Any:
    """The study as a ``govsim.experiments.spec.Experiment``: one scenario, one policy, the design's
    values as parameter samples; run ids are ``sample × replications + k``."""
    from govsim.experiments.spec import Experiment, ExperimentSpec, _policy

    spec = study.spec
    if study.path is None or study.scenario_file is None:
        raise GovsimError("a sensitivity study runs govsim only from a spec file with a scenario")
    from govsim.analysis.comparison import OUTCOMES

    experiment_spec = ExperimentSpec(
        name=spec.name,
        description=spec.description,
        scenarios=[str(spec.scenario)],
        policies=[spec.policy],
        replications=spec.replications,
        seed=spec.seed,
        days=spec.days,
        outcomes=[o for o in spec.outputs if o not in OUTCOMES],
        series_every_days=0,
        set=spec.set,
    )
    policy = _policy(spec.policy, study.path, 0)
    raw = read_with_base(study.scenario_file)
    for name, value in spec.set.items():  # paths checked by load_sensitivity
        set_path(raw, name, value, check=False)
    files = [study.scenario_file]
    return Experiment(
        experiment_spec, study.path, files, [policy], study.values(), [raw], study.overrides
    )


def run_study(
    study: Study,
    out: str | Path,
    executor: Any = None,
    resume: bool = False,
    show_progress: bool = False,
    batch: int = 50,
) -> dict[str, np.ndarray]:
    """Run every sample × replication of ``study`` into the results folder ``out``
    (streamed, resumable with ``resume``, on any ``govsim.experiments.executors`` executor) and
    return the responses (see :func:`responses`)."""
    from govsim.experiments.experiment import run_experiment
    from govsim.experiments.results import load

    experiment = as_experiment(study)
    run_experiment(
        experiment,
        out,
        executor,
        resume,
        batch,
        show_progress,
        extra={"sensitivity": study.record()},
    )
    return responses(study, load(out).runs)


def responses(study: Study, runs: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each output as an array (samples × replications), joined by sample id and
    replication (never by the order runs finished in). Refuses missing runs."""
    n, reps = study.n_samples, study.spec.replications
    if len(runs) != n * reps:
        raise GovsimError(
            f"{study.spec.name}: {len(runs)} of {n * reps} runs stored; "
            "finish the study with --resume"
        )
    order = runs.set_index(["sample", "rep"]).sort_index()
    expected = pd.MultiIndex.from_product([range(n), range(reps)], names=["sample", "rep"])
    if not order.index.equals(expected):
        raise GovsimError(f"{study.spec.name}: the stored runs do not match the design")
    return {out: order[out].to_numpy(dtype=float).reshape(n, reps) for out in study.spec.outputs}


@dataclass(frozen=True)
class _Call:
    fn: Callable[[dict[str, float], int], Mapping[str, float]]
    sample: int
    values: dict[str, float]
    seed: int


def _call(item: _Call) -> tuple[int, int, Mapping[str, float]]:
    return item.sample, item.seed, item.fn(item.values, item.seed)


def evaluate_function(
    study: Study,
    fn: Callable[[dict[str, float], int], Mapping[str, float]],
    executor: Any = None,
) -> dict[str, np.ndarray]:
    """Run a plain Python function as the model over the study's design.

    ``fn(values, seed)`` gets one sample's parameter values (path → value) and the
    replication's seed (``spec.seed + k``) and returns the outputs by name. It must be a
    module-level function to run on worker processes. Returns the responses as
    :func:`run_study` does (output → samples × replications).
    """
    from govsim.experiments.executors import SerialExecutor

    executor = executor or SerialExecutor()
    spec = study.spec
    rows = study.values().to_dict(orient="records")
    items = (
        _Call(fn, i, row, spec.seed + k)
        for i, row in enumerate(rows)
        for k in range(spec.replications)
    )
    shape = (len(rows), spec.replications)
    result = {out: np.full(shape, np.nan) for out in spec.outputs}
    for i, seed, outputs in executor.map_unordered(_call, items):
        for out in spec.outputs:
            result[out][i, seed - spec.seed] = outputs[out]
    return result


# --- analysis -----------------------------------------------------------------------------

INDEX_COLUMNS = ["output", "parameter", "index", "value", "conf", "low", "high"]


def analyse(
    study: Study, responses: Mapping[str, np.ndarray], rows: int | None = None
) -> pd.DataFrame:
    """The sensitivity indices of each output with their CIs, by SALib's analyser for
    the study's method, on the per-sample mean over replications.

    ``responses`` maps outputs (those of the spec it holds) to samples × replications.
    ``rows`` analyses only the first ``rows`` design rows (a nested sub-design, for
    :func:`convergence`). Returns a tidy table: ``output``, ``parameter`` (``a × b`` for
    a second-order index), ``index`` (S1, ST, S2; mu_star, sigma, mu; delta; median,
    mean, minimum, maximum, CV), ``value``, ``conf`` (CI half-width, NaN where SALib
    gives none), ``low``, ``high``.
    """
    spec = study.spec
    X = study.design if rows is None else study.design[:rows]
    problem = study.problem_dict()
    frames = []
    for out in [name for name in spec.outputs if name in responses]:
        Y = np.asarray(responses[out], dtype=float)
        Y = (Y.mean(axis=1) if Y.ndim == 2 else Y)[: len(X)]
        bad = np.flatnonzero(~np.isfinite(Y))
        if bad.size:
            raise GovsimError(
                f"{spec.name}: output {out} is not a number at {bad.size} samples "
                f"(first: sample {bad[0]}); choose another output or longer runs"
            )
        frames.append(_analyse_one(study, problem, X, Y, out))
    return pd.concat(frames, ignore_index=True)


def _analyse_one(
    study: Study, problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, out: str
) -> pd.DataFrame:
    from SALib.analyze import delta, fast, morris, pawn, rbd_fast
    from SALib.analyze import sobol as sobol_analyze

    spec = study.spec
    seed = analysis_seed(spec)
    common = {"conf_level": spec.confidence, "seed": seed}
    method = spec.method
    rows: list[dict[str, Any]] = []
    with _salib_quiet():
        if method == "sobol":
            check_saltelli(X, len(study.names), spec.second_order)
            S = sobol_analyze.analyze(
                problem,
                Y,
                calc_second_order=spec.second_order,
                num_resamples=spec.bootstrap,
                **common,
            )
            rows += _rows(S, study.names, ("S1", "ST"))
            if spec.second_order:
                rows += _second_order(S, study.names)
        elif method == "morris":
            S = morris.analyze(
                problem, X, Y, num_resamples=spec.bootstrap, num_levels=spec.levels, **common
            )
            rows += _rows(S, study.names, ("mu_star", "mu"))
            rows += _rows(_morris_sigma_ci(study, problem, X, Y), study.names, ("sigma",))
        elif method == "fast":
            S = fast.analyze(problem, Y, M=FAST_M, num_resamples=spec.bootstrap, **common)
            rows += _rows(S, study.names, ("S1", "ST"))
        elif method == "rbd_fast":
            S = rbd_fast.analyze(problem, X, Y, M=RBD_M, num_resamples=spec.bootstrap, **common)
            rows += _rows(S, study.names, ("S1",))
        elif method == "pawn":
            S = pawn.analyze(problem, X, Y, S=spec.slices, seed=seed)
            rows += _rows(S, study.names, ("median", "mean", "minimum", "maximum", "CV"))
        else:
            resamples = min(spec.bootstrap, DELTA_RESAMPLES)  # SALib's delta: ~30 ms each
            S = delta.analyze(problem, X, Y, num_resamples=resamples, **common)
            key = "delta" if "delta" in S else "delta_raw"  # SALib ≥ 1.5.2 names it so
            S = {**S, "delta": S[key], "delta_conf": S[f"{key}_conf"]}
            rows += _rows(S, study.names, ("delta", "S1"))
    frame = pd.DataFrame(rows)
    frame.insert(0, "output", out)
    frame["low"] = frame["value"] - frame["conf"]
    frame["high"] = frame["value"] + frame["conf"]
    return frame[INDEX_COLUMNS]


@contextmanager
def _salib_quiet() -> Iterator[None]:
    """Run SALib's analysers without their side effects on the caller: FAST, PAWN and
    delta seed numpy's global RNG, delta resets the warning filters."""
    state = np.random.get_state()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        np.random.set_state(state)


def analysis_seed(spec: SensitivitySpec) -> int:
    """The bootstrap seed of the analysis: ``seed + 1`` (SALib takes a seed of 0 as
    none, and its CIs would change from one analysis to the next)."""
    return spec.seed + 1


def _rows(S: Mapping[str, Any], names: list[str], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for key in keys:
        values = np.asarray(S[key], dtype=float)
        conf = np.asarray(S.get(f"{key}_conf", np.full(len(names), np.nan)), dtype=float)
        for i, name in enumerate(names):
            rows.append({"parameter": name, "index": key, "value": values[i], "conf": conf[i]})
    return rows


def _second_order(S: Mapping[str, Any], names: list[str]) -> list[dict[str, Any]]:
    rows = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            rows.append(
                {
                    "parameter": f"{names[i]} × {names[j]}",
                    "index": "S2",
                    "value": float(S["S2"][i, j]),
                    "conf": float(S["S2_conf"][i, j]),
                }
            )
    return rows


def _morris_sigma_ci(
    study: Study, problem: dict[str, Any], X: np.ndarray, Y: np.ndarray
) -> dict[str, np.ndarray]:
    """σ of the elementary effects with a bootstrap CI: SALib's Morris analyser on
    trajectories resampled with replacement (SALib bootstraps only μ*)."""
    from SALib.analyze import morris

    spec = study.spec
    D = len(study.names)
    step = D + 1
    r = len(X) // step
    seed = analysis_seed(spec)
    S = morris.analyze(problem, X, Y, num_resamples=2, num_levels=spec.levels, seed=seed)
    rng = np.random.default_rng(seed)
    draws = np.empty((min(spec.bootstrap, 300), D))
    for b in range(len(draws)):
        pick = rng.integers(0, r, r)
        rows = (pick[:, None] * step + np.arange(step)).ravel()
        again = morris.analyze(
            problem, X[rows], Y[rows], num_resamples=2, num_levels=spec.levels, seed=seed
        )
        draws[b] = again["sigma"]
    alpha = (1 - spec.confidence) / 2
    low, high = np.nanquantile(draws, [alpha, 1 - alpha], axis=0)
    half = np.maximum(S["sigma"] - low, high - S["sigma"])  # symmetric, covers the interval
    return {"sigma": np.asarray(S["sigma"]), "sigma_conf": half}


def check_saltelli(X: np.ndarray, d: int, second_order: bool) -> None:
    """Refuse a design that is not a Saltelli design of ``d`` parameters with the given
    second-order flag: Sobol indices from anything else are wrong, not just noisy.

    Each block holds A, then A with column i from B (i = 1 … d), [then B with column i
    from A], then B: row A and row ABᵢ differ in column i only.
    """
    if _is_saltelli(X, d, second_order):
        return
    flag = "with" if second_order else "without"
    if _is_saltelli(X, d, not second_order):
        raise GovsimError(
            f"Sobol: the design was sampled {'without' if second_order else 'with'} "
            f"second-order blocks but is analysed {flag}; the second-order flag of the "
            "sampling and the analysis must match"
        )
    raise GovsimError(
        "Sobol: the design is not a Saltelli design (its rows are not A, ABᵢ …, B "
        f"blocks {flag} second order); sample it with design saltelli"
    )


def _is_saltelli(X: np.ndarray, d: int, second_order: bool) -> bool:
    step = 2 * d + 2 if second_order else d + 2
    if len(X) == 0 or len(X) % step:
        return False
    blocks = X.reshape(-1, step, d)
    A, B, AB = blocks[:, 0], blocks[:, -1], blocks[:, 1 : d + 1]
    for i in range(d):
        others = [j for j in range(d) if j != i]
        if not (np.allclose(AB[:, i, others], A[:, others]) and np.allclose(AB[:, i, i], B[:, i])):
            return False
    return True


def replication_noise(responses: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """How much of each output's variance is replication noise.

    Per output: ``var_means`` (variance of the per-sample means, the variance the indices
    explain), ``noise_var`` (mean within-sample variance over replications ÷ R: the part
    of ``var_means`` replication noise alone would give) and ``noise_share`` = noise_var ÷
    var_means (NaN with one replication: it cannot be told).
    """
    rows = []
    for out, Y in responses.items():
        Y = np.asarray(Y, dtype=float)
        reps = Y.shape[1]
        var_means = float(Y.mean(axis=1).var(ddof=1))
        noise = float(Y.var(axis=1, ddof=1).mean() / reps) if reps > 1 else float("nan")
        share = noise / var_means if var_means > 0 else float("nan")
        rows.append(
            {
                "output": out,
                "replications": reps,
                "var_means": var_means,
                "noise_var": noise,
                "noise_share": share,
            }
        )
    return pd.DataFrame(rows)


def convergence_sizes(study: Study) -> list[int]:
    """Nested sub-design sizes N to re-analyse (base samples, trajectories or samples):
    halvings of the study's N down to the method's smallest, smallest first; none for
    FAST, whose design cannot be cut."""
    spec = study.spec
    if spec.method == "fast":
        return []
    smallest = max(_MIN_SAMPLES[spec.method], 2 * spec.slices if spec.method == "pawn" else 0)
    if spec.method == "rbd_fast":
        smallest = 2 * RBD_M + 1
    if spec.method == "morris" and spec.optimal_trajectories:
        n = spec.optimal_trajectories
    else:
        n = spec.samples
    sizes = []
    while n >= smallest:
        sizes.append(n)
        n //= 2
    return sorted(sizes)


def rows_per_sample(study: Study) -> int:
    """Design rows per unit of N: d + 2 (Sobol), 2d + 2 (with second order), d + 1
    (Morris trajectories), 1 otherwise."""
    d = len(study.names)
    if study.spec.method == "sobol":
        return 2 * d + 2 if study.spec.second_order else d + 2
    return d + 1 if study.spec.method == "morris" else 1


def convergence(study: Study, responses: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """The indices re-analysed on nested sub-designs (the first N base samples of a
    Saltelli design, the first N Morris trajectories, the first N samples otherwise),
    N from :func:`convergence_sizes`. Columns: ``n`` and those of :func:`analyse`, plus
    ``width`` (the CI's full width)."""
    frames = []
    step = rows_per_sample(study)
    for n in convergence_sizes(study):
        frame = analyse(study, responses, rows=n * step)
        frame.insert(0, "n", n)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["n", *INDEX_COLUMNS, "width"])
    table = pd.concat(frames, ignore_index=True)
    table["width"] = table["high"] - table["low"]
    return table


@dataclass
class Analysis:
    """Everything a study's runs tell: ``indices`` (:func:`analyse`), ``noise``
    (:func:`replication_noise`) and ``convergence`` (:func:`convergence`)."""

    study: Study
    indices: pd.DataFrame
    noise: pd.DataFrame
    convergence: pd.DataFrame


def analyse_all(study: Study, responses: Mapping[str, np.ndarray]) -> Analysis:
    """Indices, replication noise and convergence of ``study`` from its responses."""
    return Analysis(
        study,
        analyse(study, responses),
        replication_noise(responses),
        convergence(study, responses),
    )
