"""Fitting a preset's uncertain parameters to its source figures.

The loss of a parameter setting is ``Σ_targets ((model mean − figure) / tolerance)²``
(one-sided for at-most / at-least targets), the model means taken over ``reps``
replications on the same seeds at every setting (common random numbers make the loss a
deterministic, smooth-ish function of the parameters). The search:

1. a Latin hypercube of ``samples`` settings over the ranges the preset declares in its
   ``uncertain`` section (``scipy.stats.qmc``);
2. Nelder–Mead from the best of them, within the ranges (``scipy.optimize.minimize``);
3. a profile of each parameter, the others held at the fit: the loss is a χ² in units
   of the tolerances, so the interval where it stays within 1 of the minimum is the
   parameter's (profile-likelihood) interval, its ends found by Brent's method; a
   parameter whose interval reaches the edge of its range is not identified by the
   targets (Raue et al. 2009).
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

from govsim.analysis.targets import Achieved, PresetTargets, load_targets
from govsim.analysis.validation import achieve, preset_scenario
from govsim.world.scenario import SCENARIO_DIR

#: How precisely a profile interval's ends are found, as a share of the range.
PROFILE_XTOL = 0.002


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
    achieved: list[Achieved]
    samples: pd.DataFrame  # every evaluated setting and its loss, in order
    profiles: dict[str, Profile] = field(default_factory=dict)


def calibrate(
    preset: str,
    samples: int = 12,
    reps: int = 3,
    refine_evals: int = 20,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    on_evaluation: Callable[[int], None] | None = None,
    targets: PresetTargets | None = None,
    folder: Path = SCENARIO_DIR,
) -> Calibration:
    """Fit preset ``preset``'s ``uncertain`` parameters to its targets.

    ``overrides`` are laid over the preset first (e.g. a reduced map for a quick fit);
    ``on_evaluation(n)`` is called after the n-th loss evaluation (progress); ``targets``
    and ``folder`` default to the ``fit`` figures of ``scenarios/register.yaml`` and
    ``scenarios/``; holdout and structure figures never enter the loss.
    """
    targets = (targets or load_targets()[preset]).with_role("fit")
    ranges = dict(preset_scenario(preset, overrides=overrides, folder=folder).uncertain)
    if not ranges:
        raise ValueError(f"preset {preset!r} declares no uncertain parameters")
    names = list(ranges)
    lows = np.array([ranges[n][0] for n in names])
    highs = np.array([ranges[n][1] for n in names])
    history: list[dict[str, float]] = []

    def evaluate(x: np.ndarray) -> tuple[float, list[Achieved]]:
        point = dict(zip(names, np.clip(x, lows, highs).tolist(), strict=True))
        settings = {**(overrides or {}), **point}
        achieved = achieve(preset, reps, settings, targets, base_seed=seed, folder=folder)
        loss = float(sum(a.loss for a in achieved))
        history.append({**point, "loss": loss})
        if on_evaluation is not None:
            on_evaluation(len(history))
        return loss, achieved

    design = qmc.scale(qmc.LatinHypercube(d=len(names), seed=seed).random(samples), lows, highs)
    losses = [evaluate(x)[0] for x in design]
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
    return Calibration(preset, ranges, fitted, loss, achieved, pd.DataFrame(history), profiles)


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
    verdict = "not identified (reaches the range's edge)" if open_ended else "identified"
    values = np.array(sorted(seen))
    return Profile(values, np.array([seen[v] for v in values]), bounds[0], bounds[1], verdict)
