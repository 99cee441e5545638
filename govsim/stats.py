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
