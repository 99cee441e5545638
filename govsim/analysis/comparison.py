"""Turning runs into comparisons: outcome columns, means with CIs, paired differences."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from govsim.errors import GovsimError
from govsim.frames import ReadableFrame
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
    """The compared outcomes of one run, from its summary (``govsim.record.metrics.summarize``)."""
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


def volume_outcomes(summary: dict[str, Any]) -> dict[str, float]:
    """Incidents per year of window of each type and category, occurred and reported
    (``govsim.record.volumes``), one column each under its dotted path, e.g.
    ``volumes.by_type.home_repair.reported_per_year``,
    ``volumes.by_category.opinions.occurred_per_year``."""
    flat = flatten(summary["volumes"], "volumes.")
    return {name: value for name, value in flat.items() if name.endswith("_per_year")}


def flatten(summary: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Every numeric leaf of a run summary under its dotted path (``resolution_time_h.p90``,
    ``tiers.grid.mean_wait_h``, ``staff_cost.grid_worker``); missing values become NaN."""
    flat: dict[str, float] = {}
    for key, value in summary.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, path + "."))
        elif value is None:
            flat[path] = float("nan")
        elif isinstance(value, int | float | np.number) and not isinstance(value, bool):
            flat[path] = float(value)
    return flat


#: Summary entries that identify a run rather than measure it.
_RUN_IDENTITY = ("seed", "days")


def outcome_catalogue(summary: dict[str, Any]) -> dict[str, float]:
    """Every outcome name a run offers with its value: the compared outcomes
    (``OUTCOMES``, e.g. ``resolution_p90_h``, ``staff_cost`` in total) and every numeric
    entry of the summary by dotted path (e.g. ``resolution_time_h.p90``)."""
    flat = {k: v for k, v in flatten(summary).items() if k not in _RUN_IDENTITY}
    return {**flat, **outcomes(summary)}


def pick_outcomes(summary: dict[str, Any], names: Sequence[str]) -> dict[str, float]:
    """The outcomes ``names`` of one run (see ``outcome_catalogue``); NaN where absent."""
    if not names:
        return {}
    catalogue = outcome_catalogue(summary)
    return {name: catalogue.get(name, float("nan")) for name in names}


def check_outcome_names(names: Sequence[str], known: Sequence[str], source: str) -> None:
    """Refuse outcome names not in ``known``, with the closest known names as suggestions.

    Raises ``GovsimError`` naming ``source`` (e.g. ``spec.yaml: outcomes``).
    """
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(known)}"
            raise GovsimError(f"{source}: {name!r}: unknown outcome; {hint}")


def compare(
    runs: pd.DataFrame,
    baseline: str,
    level: float = 0.95,
    within: Sequence[str] = (),
    names: Sequence[str] | None = None,
) -> ReadableFrame:
    """Per policy and outcome: mean and CI over replications, and the paired difference.

    ``runs`` has one row per (policy, seed) — per stratum when ``within`` names columns
    (e.g. ``scenario``, ``sample``) that split the runs into separate comparisons. The
    difference to ``baseline`` is taken seed by seed within each stratum (common random
    numbers), so its interval is the t-interval of the paired differences — usually far
    narrower than the two policies' own intervals. ``names`` are the outcome columns
    (default: ``OUTCOMES``). Columns: the ``within`` columns, policy, outcome, mean, low,
    high, diff, diff_low, diff_high, reps; a ``govsim.frames.ReadableFrame``, which prints
    every column.
    """
    names = list(names or OUTCOMES)
    strata = runs.groupby(list(within), sort=True) if within else [((), runs)]
    rows = []
    for key, stratum in strata:
        labels = dict(zip(within, key, strict=True))
        base = stratum[stratum["policy"] == baseline].set_index("seed")
        for policy, group in stratum.groupby("policy", sort=False):
            mine = group.set_index("seed")
            for outcome in names:
                interval = mean_ci(mine[outcome].to_numpy(), level)
                paired = (mine[outcome] - base[outcome]).dropna().to_numpy()
                diff = mean_ci(paired, level) if policy != baseline and paired.size else None
                rows.append(
                    {
                        **labels,
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
    return ReadableFrame(rows)
