"""Routing from an incident log: where incidents are closed, how many climb, how many reopen.

Shares are of the closed incidents (an open one has not yet reached its last tier), each
with a Wilson score interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from govsim.logs import columns as col


def wilson(successes: np.ndarray, trials: np.ndarray, level: float = 0.95) -> tuple:
    """Wilson score interval of binomial shares: (low, high) arrays (NaN where no trials)."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = stats.norm.ppf(0.5 + level / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = k / n
        centre = (share + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z / (1 + z**2 / n) * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def tier_shares(incidents: pd.DataFrame, tiers: list[str], level: float = 0.95) -> pd.DataFrame:
    """Per type and tier (``tiers`` top to bottom): the closed incidents' ``count``,
    ``share`` closed there and its ``low``/``high`` interval."""
    closed = incidents[incidents[col.CLOSED].notna() & incidents[col.TIER].isin(tiers)]
    counts = closed.groupby([col.TYPE, col.TIER]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=tiers, fill_value=0)
    rows = []
    for kind, row in counts.iterrows():
        total = row.sum()
        low, high = wilson(row.to_numpy(), np.full(len(row), total), level)
        for tier, count, lo, hi in zip(tiers, row.to_numpy(), low, high, strict=True):
            rows.append({col.TYPE: kind, col.TIER: tier, "count": int(count),
                         "share": count / total, "low": lo, "high": hi})
    return pd.DataFrame(rows, columns=[col.TYPE, col.TIER, "count", "share", "low", "high"])


def unit_shares(incidents: pd.DataFrame, units: list[str], level: float = 0.95) -> pd.DataFrame:
    """Per type and unit of ``units`` (a scenario's departments): the closed incidents'
    ``count`` closed by the unit, the ``share`` of the type's closures and its interval."""
    closed = incidents[incidents[col.CLOSED].notna()]
    totals = closed.groupby(col.TYPE).size()
    counts = closed[closed[col.UNIT].isin(units)].groupby([col.TYPE, col.UNIT]).size()
    rows = []
    for (kind, unit), count in counts.items():
        low, high = wilson(np.array([count]), np.array([totals[kind]]), level)
        rows.append({col.TYPE: kind, col.UNIT: unit, "count": int(count),
                     "share": count / totals[kind], "low": low[0], "high": high[0]})
    return pd.DataFrame(rows, columns=[col.TYPE, col.UNIT, "count", "share", "low", "high"])


def escalation_and_reopening(
    incidents: pd.DataFrame, bottom: str, level: float = 0.95
) -> pd.DataFrame:
    """Per type: closed incidents ``closed``; the share of those with a known tier closed
    above the ``bottom`` tier (``escalated``; NaN where the log gives no tier); the share
    reopened at least once (``reopened``); the closures at the bottom tier
    (``at_bottom``) and their share reopened (``reopened_bottom``); each share with its
    interval (``*_low``, ``*_high``)."""
    closed = incidents[incidents[col.CLOSED].notna()]
    reopened = (
        closed[col.REOPENED].fillna(0) > 0 if col.REOPENED in closed else closed[col.TYPE].isna()
    )
    known = closed[col.TIER].notna()  # a closure whose tier the log does not give
    frame = pd.DataFrame({
        col.TYPE: closed[col.TYPE], "known": known, "up": known & (closed[col.TIER] != bottom),
        "down": closed[col.TIER] == bottom, "again": reopened,
    })
    frame["again_down"] = frame["again"] & frame["down"]
    grouped = frame.groupby(col.TYPE).agg(
        closed=("up", "size"), known=("known", "sum"), up=("up", "sum"),
        again=("again", "sum"), at_bottom=("down", "sum"), again_down=("again_down", "sum"))
    out = pd.DataFrame({"closed": grouped["closed"], "at_bottom": grouped["at_bottom"]})
    for name, key, of in (("escalated", "up", "known"), ("reopened", "again", "closed"),
                          ("reopened_bottom", "again_down", "at_bottom")):
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = grouped[key] / grouped[of]
        out[f"{name}_low"], out[f"{name}_high"] = wilson(grouped[key], grouped[of], level)
    return out.reset_index()
