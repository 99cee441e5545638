"""Turning runs into comparisons: outcome columns, means with CIs, paired differences."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from govsim.stats import mean_ci

#: Outcomes compared across policies: column → (label, whether higher is better, or None
#: where neither is: more slack costs money).
OUTCOMES: dict[str, tuple[str, bool | None]] = {
    "resolution_mean_h": ("mean resolution time (h)", False),
    "resolution_p90_h": ("p90 resolution time (h)", False),
    "escalation_rate": ("escalation rate", False),
    "on_time_rate": ("on-time rate", True),
    "satisfaction": ("mean satisfaction (1–5)", True),
    "share_satisfied": ("share satisfied", True),
    "grid_utilisation": ("grid worker utilisation", None),
    "trust_end": ("residents' trust at the end", True),
    "staff_cost": ("staff cost over the window", False),
}


def outcomes(summary: dict[str, Any]) -> dict[str, float]:
    """The compared outcomes of one run, from its summary (``govsim.metrics.summarize``)."""
    bottom = next(iter(summary["tiers"]))
    return {
        "resolution_mean_h": summary["resolution_time_h"]["mean"],
        "resolution_p90_h": summary["resolution_time_h"]["p90"],
        "escalation_rate": summary["escalation_rate"],
        "on_time_rate": summary["on_time_rate"],
        "satisfaction": summary["satisfaction"],
        "share_satisfied": summary["share_satisfied"],
        "grid_utilisation": summary["tiers"][bottom]["utilisation"],
        "trust_end": summary["trust"]["end"],
        "staff_cost": sum(summary["staff_cost"].values()),
    }


def compare(runs: pd.DataFrame, baseline: str, level: float = 0.95) -> pd.DataFrame:
    """Per policy and outcome: mean and CI over replications, and the paired difference.

    ``runs`` has one row per (policy, seed). The difference to ``baseline`` is taken
    seed by seed (common random numbers), so its interval is the t-interval of the
    paired differences — usually far narrower than the two policies' own intervals.
    Columns: policy, outcome, mean, low, high, diff, diff_low, diff_high, reps.
    """
    base = runs[runs["policy"] == baseline].set_index("seed")
    rows = []
    for policy, group in runs.groupby("policy", sort=False):
        mine = group.set_index("seed")
        for outcome in OUTCOMES:
            interval = mean_ci(mine[outcome].to_numpy(), level)
            paired = (mine[outcome] - base[outcome]).dropna().to_numpy()
            diff = mean_ci(paired, level) if policy != baseline else None
            rows.append(
                {
                    "policy": policy,
                    "outcome": outcome,
                    "mean": interval.mean,
                    "low": interval.low,
                    "high": interval.high,
                    "diff": diff.mean if diff else np.nan,
                    "diff_low": diff.low if diff else np.nan,
                    "diff_high": diff.high if diff else np.nan,
                    "reps": len(mine),
                }
            )
    return pd.DataFrame(rows)
