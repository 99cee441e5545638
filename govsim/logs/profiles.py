"""Hour-of-day, weekday and monthly demand profiles from an incident log.

Each part's multiplier of a slot (an hour, a weekday, a month) is the slot's count over
its exposure (how many days of the log fall in it) relative to the whole log's: the
schema's profile (``govsim.world.demand``), which normalises it again to mean 1. The
profile is chosen per type and part, the simplest the data allow: flat where the pooled
counts of all types do not differ from flat, the pooled profile where the type's own
counts do not differ from it, else the type's own (each a chi-square test at
``SIGNIFICANCE``). Months are fitted only where the log covers every month (at least
``MIN_MONTH_DAYS`` days of each), else left flat (an assumption the written scenario
states).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from govsim.logs import columns as col
from govsim.logs.rates import poisson_rate_ci

#: The p-value below which a type's own profile (or the pooled one, against flat) is kept.
SIGNIFICANCE = 0.01
#: Days of a month the log must cover for the monthly profile to be fitted.
MIN_MONTH_DAYS = 28
PARTS = ("hour", "weekday", "month")
POOLED = "all types"


@dataclass
class PartFit:
    """One part of one type's profile: ``multiplier`` per slot (relative, mean about 1),
    its ``low``/``high`` interval (the slot's exact Poisson CI over the log's mean),
    ``counts``, the ``source`` chosen (``own``, ``pooled`` or ``flat``) and the
    chi-square ``p`` values of own against pooled and pooled against flat."""

    multiplier: np.ndarray
    low: np.ndarray
    high: np.ndarray
    counts: np.ndarray
    source: str
    p_own: float
    p_pooled: float


@dataclass
class ProfileFit:
    """Each type's parts (``parts[type][part]``), the pooled parts, the month part's
    absence reason (``month_note``) and the intervals' ``level``."""

    parts: dict[str, dict[str, PartFit]] = field(default_factory=dict)
    pooled: dict[str, PartFit] = field(default_factory=dict)
    month_note: str = ""
    level: float = 0.95


def _exposure(start: pd.Timestamp, end: pd.Timestamp) -> dict[str, np.ndarray]:
    """Days of ``[start, end)`` in each slot of each part (whole days: the hours' too)."""
    days = pd.date_range(start.normalize(), end - pd.Timedelta(seconds=1), freq="D")
    return {
        "hour": np.full(24, float(len(days))),
        "weekday": np.bincount(days.day_of_week, minlength=7).astype(float),
        "month": np.bincount(days.month - 1, minlength=12).astype(float),
    }


def _slots(created: pd.Series) -> dict[str, np.ndarray]:
    return {
        "hour": created.dt.hour.to_numpy(),
        "weekday": created.dt.day_of_week.to_numpy(),
        "month": created.dt.month.to_numpy() - 1,
    }


def _part(counts: np.ndarray, exposure: np.ndarray, level: float) -> tuple:
    """Multipliers and their CI for counts over exposure, relative to the overall rate."""
    seen = exposure > 0
    overall = counts[seen].sum() / exposure[seen].sum()
    safe = np.where(seen, exposure, 1.0)
    multiplier = np.where(seen, counts / safe / overall, 1.0)
    low, high = poisson_rate_ci(counts, safe, level)
    return multiplier, np.where(seen, low / overall, 1.0), np.where(seen, high / overall, 1.0)


def _chi2_p(counts: np.ndarray, expected_share: np.ndarray) -> float:
    """p-value of ``counts`` against the shares ``expected_share`` (chi-square)."""
    keep = expected_share > 0
    expected = expected_share[keep] / expected_share[keep].sum() * counts[keep].sum()
    if counts[keep].sum() == 0 or keep.sum() < 2:
        return 1.0
    return float(stats.chisquare(counts[keep], expected).pvalue)


def fit_profiles(
    incidents: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, level: float = 0.95
) -> ProfileFit:
    """Fit the hour, weekday and month profiles of every type (module doc) from the
    incidents created in ``[start, end)``."""
    within = incidents[(incidents[col.CREATED] >= start) & (incidents[col.CREATED] < end)]
    exposure = _exposure(start, end)
    parts = list(PARTS)
    fit = ProfileFit(level=level)
    if (exposure["month"] < MIN_MONTH_DAYS).any():
        parts.remove("month")
        fit.month_note = "the log covers less than every month: the monthly profile is flat"
    pooled_slots = _slots(within[col.CREATED])
    for part in parts:
        size = len(exposure[part])
        counts = np.bincount(pooled_slots[part], minlength=size).astype(float)
        p_flat = _chi2_p(counts, exposure[part])
        source = "pooled" if p_flat < SIGNIFICANCE else "flat"
        fit.pooled[part] = PartFit(*_part(counts, exposure[part], level), counts, source,
                                   1.0, p_flat)
    for kind, rows in within.groupby(col.TYPE):
        slots = _slots(rows[col.CREATED])
        fit.parts[str(kind)] = {}
        for part in parts:
            size = len(exposure[part])
            counts = np.bincount(slots[part], minlength=size).astype(float)
            pooled = fit.pooled[part]
            p_own = _chi2_p(counts, exposure[part] * pooled.multiplier)
            source = "own" if p_own < SIGNIFICANCE else pooled.source
            fit.parts[str(kind)][part] = PartFit(
                *_part(counts, exposure[part], level), counts, source, p_own, pooled.p_pooled
            )
    return fit


def chosen(fit: ProfileFit, kind: str, part: str) -> np.ndarray | None:
    """The multipliers ``kind``'s profile takes for ``part`` (None: flat)."""
    found = fit.parts.get(kind, {}).get(part)
    if found is None or found.source == "flat":
        return None
    return found.multiplier if found.source == "own" else fit.pooled[part].multiplier
