"""Scenario discovery with the EMA Workbench: a govsim run as an EMA ``Model``.

:func:`ema_model` turns a sensitivity spec (:mod:`govsim.analysis.sensitivity`) into an
``ema_workbench.Model``: the spec's parameters become EMA uncertainties (conditions the
government does not control: demand, behaviour) and levers (paths in the sections a
policy sets, ``govsim.policies.files.LEVER_SECTIONS``), its outputs ``ScalarOutcome``
objects, and each EMA experiment runs the spec's scenario and policy ``replications``
times under common random numbers and reports the mean. Researchers then use EMA's own
analyses — PRIM, CART, feature scoring — on the experiments; :func:`prim_box` is PRIM on
one condition (e.g. p90 resolution time above 72 h). Needs ``pip install 'govsim[ema]'``.
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.analysis.sensitivity import Study
from govsim.errors import GovsimError
from govsim.policies.files import LEVER_SECTIONS


def _workbench() -> Any:
    try:
        import ema_workbench
    except ImportError:
        raise GovsimError(
            "scenario discovery needs the EMA Workbench: pip install 'govsim[ema]'"
        ) from None
    return ema_workbench


@dataclass
class GovsimFunction:
    """The function an EMA model calls: parameter path → value keywords in, outputs out.

    Runs ``scenario`` under ``policy`` with the given parameters laid over it (the
    others keep the scenario's values), ``replications`` times on seeds ``seed + k``
    (common random numbers across experiments), and returns each output's mean.
    Picklable, so EMA's multiprocessing evaluator can run it.
    """

    scenario: Path
    policy: str
    outputs: list[str]
    replications: int = 1
    seed: int = 0
    days: float | None = None
    integers: frozenset[str] = field(default_factory=frozenset)

    def __call__(self, **values: Any) -> dict[str, float]:
        """Simulate with ``values`` (EMA name of a parameter path → value); returns the EMA
        name of each output → its mean over the replications."""
        from govsim.experiments.run import Run, perform
        from govsim.policies.files import load_policy

        policy = load_policy(self.policy)
        paths = {govsim_path(k): v for k, v in values.items()}
        overrides = {
            k: round(float(v)) if k in self.integers else float(v) for k, v in paths.items()
        }
        rows = [
            perform(
                Run(
                    self.scenario,
                    policy,
                    self.seed + k,
                    self.days,
                    overrides,
                    keep=tuple(o for o in self.outputs),
                )
            ).row
            for k in range(self.replications)
        ]
        return {ema_name(o): float(np.mean([row[o] for row in rows])) for o in self.outputs}


def ema_name(path: str) -> str:
    """The EMA name of a parameter path or output (EMA 3 wants Python identifiers):
    ``staffing.grid_workers_per_grid`` → ``staffing__grid_workers_per_grid``."""
    return path.replace(".", "__")


def govsim_path(name: str) -> str:
    """The parameter path or output of an EMA name (the inverse of :func:`ema_name`)."""
    return name.replace("__", ".")


def is_lever(path: str) -> bool:
    """Whether a parameter path is a policy lever (its section is in ``LEVER_SECTIONS``)."""
    return path.split(".", 1)[0] in LEVER_SECTIONS


def ema_model(study: Study) -> Any:
    """The EMA Workbench ``Model`` of a sensitivity study: uncertainties and levers from
    its parameters (by range; integer paths as ``IntegerParameter``), outcomes from its
    outputs, the function a :class:`GovsimFunction` on its scenario and policy. Names
    are made by :func:`ema_name` (dots become ``__``)."""
    ema = _workbench()
    spec = study.spec
    if study.scenario_file is None:
        raise GovsimError(f"{spec.name}: scenario discovery needs a spec with a scenario")
    function = GovsimFunction(
        study.scenario_file.resolve(),
        spec.policy,
        list(spec.outputs),
        spec.replications,
        spec.seed,
        spec.days,
        study.integers,
    )
    model = ema.Model(_identifier(spec.name), function=function)
    uncertainties, levers = [], []
    for name in study.names:
        dist = spec.distribution(name)
        if dist.low is None or dist.high is None:
            raise GovsimError(f"{spec.name}: parameters.{name}: EMA needs a [low, high] range")
        if name in study.integers:
            parameter = ema.IntegerParameter(ema_name(name), int(dist.low), int(dist.high))
        else:
            parameter = ema.RealParameter(ema_name(name), float(dist.low), float(dist.high))
        (levers if is_lever(name) else uncertainties).append(parameter)
    model.uncertainties = uncertainties
    model.levers = levers
    model.outcomes = [ema.ScalarOutcome(ema_name(name)) for name in spec.outputs]
    return model


def run_design(study: Study, evaluator: Any = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Run the study's own design (seeded, e.g. a Latin hypercube) as EMA experiments:
    each sample's uncertainties as an EMA ``Scenario`` zipped with its levers as a
    ``Policy``. Returns EMA's ``(experiments, outcomes)``."""
    ema = _workbench()
    model = ema_model(study)
    values = study.values().rename(columns=ema_name)
    lever_names = [p.name for p in model.levers]
    scenario_class = getattr(ema, "Scenario", None) or ema.Sample  # EMA 3: Sample
    policy_class = getattr(ema, "Policy", None) or ema.Sample
    scenarios, policies = [], []
    for sample, row in values.iterrows():
        plain = {k: v.item() if hasattr(v, "item") else v for k, v in row.items()}
        uncertain = {k: v for k, v in plain.items() if k not in lever_names}
        scenarios.append(scenario_class(f"s{sample}", **uncertain))
        policies.append(policy_class(f"p{sample}", **{k: plain[k] for k in lever_names}))
    if not lever_names:
        return ema.perform_experiments(model, scenarios, evaluator=evaluator)
    # "sample" pairs scenario i with policy i when both lists have the same length
    return ema.perform_experiments(
        model, scenarios, policies, evaluator=evaluator, combine="sample"
    )


@dataclass
class Discovery:
    """A PRIM box: where ``condition`` holds far more often than overall.

    ``limits``: the box's restricted parameters (rows) with their ``min`` and ``max``
    (a set for categorical ones); ``coverage``: share of the cases of interest inside
    the box; ``density``: share of the box's experiments that are cases; ``mass``:
    share of all experiments in the box; ``base_rate``: share of cases overall.
    """

    condition: str
    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    base_rate: float
    box: Any = None


def prim_box(
    experiments: pd.DataFrame,
    outcomes: dict[str, Any],
    outcome: str,
    above: float,
    threshold: float = 0.8,
    columns: list[str] | None = None,
) -> Discovery:
    """Run EMA's PRIM for the cases ``outcome > above`` and return the box it finds.

    ``experiments`` and ``outcomes`` are as ``perform_experiments`` gives them (or a
    results table and its columns; parameter paths or outputs given with dots are looked
    up by their :func:`ema_name`, and the box's limits are named by path); ``columns``
    the parameters PRIM may restrict (default: every column but EMA's ``scenario``,
    ``policy`` and ``model``);
    ``threshold`` the density the box must reach: of the peeling trajectory's boxes that
    reach it, the one with the largest coverage (else the densest). Raises
    ``GovsimError`` when no experiment, or every experiment, is a case.
    """
    _workbench()
    from ema_workbench.analysis import prim

    y = np.asarray(outcomes[ema_name(outcome)], dtype=float) > above
    condition = f"{outcome} > {above:g}"
    if not y.any() or y.all():
        raise GovsimError(
            f"PRIM: {condition} holds in {int(y.sum())} of {len(y)} experiments; "
            "it needs both cases and non-cases"
        )
    ema_columns = ("scenario", "policy", "model")
    columns = (
        [ema_name(c) for c in columns]
        if columns
        else [c for c in experiments.columns if c not in ema_columns]
    )
    # as floats: EMA 2.5 PRIM pastes fractional limits into integer columns (pandas ≥ 3 refuses)
    x = experiments[columns].astype(float).reset_index(drop=True)
    with warnings.catch_warnings():  # EMA's own pandas deprecations are not ours to fix
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        options: dict[str, Any] = {"peel_alpha": 0.1}
        if "threshold" in inspect.signature(prim.Prim).parameters:  # EMA 2.x only
            options["threshold"] = threshold
        box = prim.Prim(x, y, **options).find_box()
        trajectory = box.peeling_trajectory.reset_index(drop=True)
        dense = trajectory[trajectory["density"] >= threshold]
        if dense.empty:
            chosen = int(trajectory["density"].idxmax())
        else:
            chosen = int(dense.sort_values(["coverage", "density"]).index[-1])
        box.select(chosen)
    entry = trajectory.iloc[chosen]
    return Discovery(
        condition,
        _limits(box, chosen),
        float(entry["coverage"]),
        float(entry["density"]),
        float(entry["mass"]),
        float(y.mean()),
        box,
    )


def _limits(box: Any, i: int) -> pd.DataFrame:
    """The restricted dimensions of PRIM's box ``i``: parameter → min, max."""
    lims, first = box.box_lims[i], box.box_lims[0]
    rows = {
        name: {"min": lims.at[0, name], "max": lims.at[1, name]}
        for name in lims.columns
        if lims.at[0, name] != first.at[0, name] or lims.at[1, name] != first.at[1, name]
    }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["min", "max"])
    return table.rename(index=govsim_path)


def _identifier(name: str) -> str:
    """An EMA model name (letters and digits only) from a study name."""
    text = "".join(c for c in name if c.isalnum())
    return text if text[:1].isalpha() else f"govsim{text}"
