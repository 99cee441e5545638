"""Fitting a preset's uncertain parameters to its fit targets, and saying how well they
are pinned.

The loss of a parameter setting is ``Σ_fit targets ((model mean − figure) / tolerance)²``
(one-sided for at-most / at-least targets), the model means taken over ``reps``
replications on the same seeds at every setting (common random numbers make the loss a
deterministic, smooth-ish function of the parameters).

- **Seeds**: replication k runs on seed ``CALIBRATION_SEED_BASE + seed + k``, a block
  disjoint from the seeds validation runs (0 … reps − 1), so that a preset is never
  validated on the runs it was fitted on.
- **Replications**: by default a pilot at the preset's starting point measures each fit
  target's noise and the fit uses the fewest replications that bring every target's
  standard error to a quarter of its tolerance (``govsim.analysis.noise``).

The search:

1. a Latin hypercube of ``samples`` settings over the ranges the preset declares in its
   ``uncertain`` section (``scipy.stats.qmc``); a fit target whose mean moves across the
   design by no more than its noise (the width of one mean's 95% CI) is uninformative;
2. Nelder–Mead from the best of them, within the ranges (``scipy.optimize.minimize``);
3. a profile of each parameter, the others held at the fit: the loss is a χ² in units
   of the tolerances, so the interval where it stays within 1 of the minimum is the
   parameter's (profile-likelihood) interval, its ends found by Brent's method; a
   parameter whose interval reaches the edge of its range is not identified by the
   targets (Raue et al. 2009).

A preset is **calibrated** only when every parameter is identified and it has at least as
many informative fit targets as parameters (degrees of freedom k ≥ 0); otherwise it is
**under-determined**.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.stats import qmc

from govsim.analysis.noise import PILOT_REPS, Noise, Pilot, pilot_result, target_noise
from govsim.analysis.targets import Achieved, PresetTargets, load_targets
from govsim.analysis.validation import achieve, preset_scenario
from govsim.errors import GovsimError
from govsim.world.scenario import SCENARIO_DIR

#: How precisely a profile interval's ends are found, as a share of the range.
PROFILE_XTOL = 0.002
#: Calibration's first seed: above every seed validation may run (0 … MAX_VALIDATION_REPS
#: − 1), so the two sets of runs never share a seed.
CALIBRATION_SEED_BASE = 1_000_000
#: z of a two-sided 95% interval: a target is informative when its design means spread
#: wider than one mean's 95% CI (2 × Z95 standard errors).
Z95 = 1.96
#: The labels of a calibration result.
CALIBRATED, UNDER_DETERMINED = "calibrated", "under-determined"
#: A profile's verdict when the targets pin the parameter.
IDENTIFIED = "identified"


def calibration_seeds(reps: int, seed: int = 0) -> range:
    """The seeds a calibration of ``reps`` replications runs from ``seed`` (≥ 0):
    ``CALIBRATION_SEED_BASE + seed`` onwards, never a validation seed."""
    if seed < 0 or reps < 1:
        raise ValueError(f"calibration seeds: need seed >= 0 and reps >= 1, got {seed}, {reps}")
    start = CALIBRATION_SEED_BASE + seed
    return range(start, start + reps)


def degrees_of_freedom(
    preset: str, targets: PresetTargets | None = None, folder: Path = SCENARIO_DIR
) -> int:
    """Fit targets minus uncertain parameters of ``preset``, from the targets file and the
    scenario alone (no runs): negative means more parameters than figures to fix them.
    A fit counts only the informative targets (``Calibration.degrees_of_freedom``)."""
    fits = (targets or load_targets()[preset]).with_role("fit").targets
    return len(fits) - len(preset_scenario(preset, folder=folder).uncertain)


def informative(design: list[list[Achieved]]) -> dict[str, bool]:
    """For each target (the same order at every design point), whether its model mean
    moves across the design by more than its noise: the spread of the means exceeds the
    width of one mean's 95% CI, its standard deviation pooled over the design."""
    found: dict[str, bool] = {}
    for j, first in enumerate(design[0]):
        means = np.array([point[j].interval.mean for point in design])
        variances = [np.var(p[j].values, ddof=1) for p in design if len(p[j].values) > 1]
        se = float(np.sqrt(np.nanmean(variances) / len(first.values))) if variances else 0.0
        means = means[np.isfinite(means)]
        spread = float(means.max() - means.min()) if len(means) else 0.0
        found[first.target.name] = spread > 2 * Z95 * se
    return found


def measure_noise(
    preset: str,
    targets: PresetTargets,
    reps: int = PILOT_REPS,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    folder: Path = SCENARIO_DIR,
    on_run: Callable[[], None] | None = None,
) -> Pilot:
    """A pilot: ``reps`` replications of ``preset`` as written (with ``overrides``) on
    calibration seeds, and the replications each of ``targets``' fit targets needs for
    its standard error to be at most tolerance / ``NOISE_SHARE``; ``on_run()`` after each
    run."""
    spec = targets.with_role("fit")
    first = calibration_seeds(reps, seed).start
    return pilot_result(achieve(preset, reps, overrides, spec, first, folder, on_run), reps)


@dataclass
class Profile:
    """The loss along one parameter's range, the others held at the fit."""

    values: np.ndarray  # the values evaluated, sorted
    losses: np.ndarray
    low: float  # the interval where the loss is within 1 of the best
    high: float
    verdict: str  # "identified" or "not identified (reaches the range's edge)"


@dataclass
class Calibration:
    """The fitted parameters of a preset, what they achieve and how well each is pinned."""

    preset: str
    ranges: dict[str, tuple[float, float]]
    fitted: dict[str, float]
    loss: float
    achieved: list[Achieved]  # the fit targets at the fit
    samples: pd.DataFrame  # every evaluated setting and its loss, in order
    seeds: range  # the replication seeds every setting ran
    profiles: dict[str, Profile] = field(default_factory=dict)
    pilot: Pilot | None = None  # None: the replications were given, not measured
    informative: dict[str, bool] = field(default_factory=dict)  # by fit target

    @property
    def reps(self) -> int:
        """Replications per setting."""
        return len(self.seeds)

    @property
    def noise(self) -> list[Noise]:
        """Each fit target's noise at the fit (sd per replication, reps it would need)."""
        return [target_noise(a) for a in self.achieved]

    @property
    def degrees_of_freedom(self) -> int:
        """Informative fit targets minus fitted parameters (k)."""
        return sum(self.informative.values()) - len(self.fitted)

    @property
    def unidentified(self) -> list[str]:
        """The parameters whose profile interval reaches an edge of their range."""
        return [p for p, profile in self.profiles.items() if profile.verdict != IDENTIFIED]

    @property
    def status(self) -> str:
        """``calibrated`` when k ≥ 0 and every parameter is identified, otherwise
        ``under-determined``."""
        if self.degrees_of_freedom < 0 or self.unidentified:
            return UNDER_DETERMINED
        return CALIBRATED


def calibrate(
    preset: str,
    samples: int = 12,
    reps: int | None = None,
    refine_evals: int = 20,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    on_evaluation: Callable[[int], None] | None = None,
    targets: PresetTargets | None = None,
    folder: Path = SCENARIO_DIR,
    pilot_reps: int = PILOT_REPS,
    on_run: Callable[[], None] | None = None,
) -> Calibration:
    """Fit preset ``preset``'s ``uncertain`` parameters to its fit targets.

    ``reps`` replications per setting, on seeds ``calibration_seeds(reps, seed)``; None
    (the default): as many as a pilot of ``pilot_reps`` replications at the preset's
    starting point finds the noise bound needs (``govsim.analysis.noise``); a second pilot
    at the fit checks it, and if the fit needs more the fit is redone with them. ``seed`` also
    seeds the Latin hypercube. ``overrides`` are laid over the preset first (e.g. a
    reduced map for a quick fit); ``on_evaluation(n)`` is called after the n-th loss
    evaluation and ``on_run()`` after every run, the pilots' included (progress);
    ``targets`` and ``folder`` default to the ``fit`` figures of
    ``scenarios/register.yaml`` and ``scenarios/``: holdout and structure figures never
    enter the loss.
    """
    spec = (targets or load_targets()[preset]).with_role("fit")
    ranges = dict(preset_scenario(preset, overrides=overrides, folder=folder).uncertain)
    if not ranges or not spec.targets:
        raise GovsimError(
            f"calibrate {preset}: nothing to fit: {len(ranges)} uncertain parameters "
            f"(scenarios/{preset}.yaml: uncertain), {len(spec.targets)} fit targets "
            "(scenarios/register.yaml: role fit)"
        )
    if reps is not None:
        return _fit(
            preset,
            spec,
            ranges,
            samples,
            reps,
            refine_evals,
            seed,
            overrides,
            on_evaluation,
            folder,
            on_run,
        )
    # The noise depends on where the parameters are (a desk far from saturation resolves
    # nearly everything in every replication), so the pilot at the start is checked again
    # at the fit, and the fit is redone with more replications if the bound needs them.
    pilot = measure_noise(preset, spec, pilot_reps, seed, overrides, folder, on_run)
    while True:
        result = _fit(
            preset,
            spec,
            ranges,
            samples,
            pilot.needed,
            refine_evals,
            seed,
            overrides,
            on_evaluation,
            folder,
            on_run,
        )
        result.pilot = pilot
        fitted = {**(overrides or {}), **result.fitted}
        at_fit = measure_noise(preset, spec, pilot_reps, seed, fitted, folder, on_run)
        if at_fit.needed <= pilot.needed or pilot.capped:
            return result
        pilot = at_fit


def _fit(
    preset: str,
    spec: PresetTargets,
    ranges: dict[str, tuple[float, float]],
    samples: int,
    reps: int,
    refine_evals: int,
    seed: int,
    overrides: Mapping[str, Any] | None,
    on_evaluation: Callable[[int], None] | None,
    folder: Path,
    on_run: Callable[[], None] | None = None,
) -> Calibration:
    """One fit of ``ranges`` to ``spec``'s fit targets with ``reps`` replications a
    setting: the Latin hypercube, Nelder–Mead from its best point, the profiles."""
    seeds = calibration_seeds(reps, seed)
    names = list(ranges)
    lows = np.array([ranges[n][0] for n in names])
    highs = np.array([ranges[n][1] for n in names])
    history: list[dict[str, float]] = []

    def evaluate(x: np.ndarray) -> tuple[float, list[Achieved]]:
        point = dict(zip(names, np.clip(x, lows, highs).tolist(), strict=True))
        settings = {**(overrides or {}), **point}
        achieved = achieve(preset, reps, settings, spec, seeds.start, folder, on_run)
        loss = float(sum(a.loss for a in achieved))
        history.append({**point, "loss": loss})
        if on_evaluation is not None:
            on_evaluation(len(history))
        return loss, achieved

    design = qmc.scale(qmc.LatinHypercube(d=len(names), seed=seed).random(samples), lows, highs)
    evaluated = [evaluate(x) for x in design]
    losses = [loss for loss, _ in evaluated]
    start = design[int(np.argmin(losses))]
    if refine_evals:
        result = optimize.minimize(
            lambda x: evaluate(x)[0],
            start,
            method="Nelder-Mead",
            bounds=list(zip(lows, highs, strict=True)),
            options={"maxfev": refine_evals, "xatol": 1e-3 * float(np.min(highs - lows))},
        )
        start = result.x if result.fun <= min(losses) else start
    best = np.clip(start, lows, highs)
    loss, achieved = evaluate(best)
    fitted = dict(zip(names, best.tolist(), strict=True))
    profiles = {
        name: _profile(i, best, lows, highs, loss, evaluate) for i, name in enumerate(names)
    }
    return Calibration(
        preset,
        ranges,
        fitted,
        loss,
        achieved,
        pd.DataFrame(history),
        seeds,
        profiles,
        None,
        informative([a for _, a in evaluated]),
    )


def _profile(
    index: int,
    best: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
    best_loss: float,
    evaluate: Callable[[np.ndarray], tuple[float, list[Achieved]]],
) -> Profile:
    """Where, on each side of the fit, the loss rises 1 above its minimum (Brent's method);
    a side whose range edge stays below that is open: the targets leave it free."""
    seen: dict[float, float] = {float(best[index]): best_loss}

    def excess(value: float) -> float:
        x = best.copy()
        x[index] = value
        seen[value] = evaluate(x)[0]
        return seen[value] - best_loss - 1.0

    tolerance = PROFILE_XTOL * float(highs[index] - lows[index])
    bounds = []
    for edge in (lows[index], highs[index]):
        if excess(float(edge)) <= 0.0:
            bounds.append(float(edge))
            continue
        root = optimize.brentq(
            excess,
            float(best[index]),
            float(edge),
            xtol=tolerance,
            maxiter=12,
            disp=False,
            full_output=True,
        )[0]
        bounds.append(float(root))
    open_ended = bounds[0] <= lows[index] or bounds[1] >= highs[index]
    verdict = "not identified (reaches the range's edge)" if open_ended else IDENTIFIED
    values = np.array(sorted(seen))
    return Profile(values, np.array([seen[v] for v in values]), bounds[0], bounds[1], verdict)
