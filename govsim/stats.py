"""Confidence intervals over independent replications."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Interval:
    """A replication mean with its two-sided confidence interval."""

    mean: float
    low: float
    high: float

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the interval."""
        return self.low <= value <= self.high


def mean_ci(values: np.ndarray, level: float = 0.95) -> Interval:
    """Student-t interval for the mean of independent replication values.

    ``mean ± t(1 − α/2, n − 1) · s / √n``; with a single value the interval is that
    value with infinite half-width (nothing can be said about its spread). NaN values
    are dropped.
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return Interval(float("nan"), float("nan"), float("nan"))
    mean = float(values.mean())
    if values.size == 1:
        return Interval(mean, float("-inf"), float("inf"))
    t = stats.t.ppf(0.5 + level / 2, values.size - 1)
    half = float(t * values.std(ddof=1) / np.sqrt(values.size))
    return Interval(mean, mean - half, mean + half)


class Replicated:
    """A mixin for a result held as one value per replication (``values``): its mean
    and 95% CI as ``interval``."""

    values: np.ndarray

    @property
    def interval(self) -> Interval:
        """Mean and 95% CI over replications (``mean_ci``)."""
        return mean_ci(self.values)


def difference_ci(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> Interval:
    """Welch interval for mean(a) − mean(b) of two independent sets of replications.

    ``d ± t(1 − α/2, ν) · √(s_a²/n_a + s_b²/n_b)`` with the Welch–Satterthwaite degrees
    of freedom ν; NaN values are dropped. Each set needs two values at least.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if a.size < 2 or b.size < 2:
        raise ValueError("a difference interval needs two values at least on each side")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    diff = float(a.mean() - b.mean())
    spread = va + vb
    if spread == 0:
        return Interval(diff, diff, diff)
    dof = spread**2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = float(stats.t.ppf(0.5 + level / 2, dof) * np.sqrt(spread))
    return Interval(diff, diff - half, diff + half)
