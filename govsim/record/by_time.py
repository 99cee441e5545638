"""Outcomes by time: occurrences, waits and resolution times by hour, weekday and month.

Times in the ledger are hours since the start of the run; day 0 is the run's
``calendar.start_date`` (the ledger's ``meta["start_date"]``) and starts at midnight, so
an event at ``t`` h falls in hour ``floor(t) mod 24`` of day ``floor(t / 24)``.

For a window incident *i*: its **wait** is the time from its first arrival at a desk
(QUEUED) to the first start of its handling (STARTED), the wait at the first desk; its
**resolution time** runs from its report to its resolution. Both are grouped by the hour
(and weekday) of the report, and count only incidents with both ends in the ledger (one
still waiting or unresolved when the run ended is left out, as in ``resolution_times``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import numpy as np
import pandas as pd

from govsim.engine.incidents import State
from govsim.record.ledger import Ledger

Part = Literal["hour", "weekday", "month"]
#: The slots of each part, as the summary and the figure label them.
LABELS: dict[str, tuple[str, ...]] = {
    "hour": tuple(f"{h:02d}" for h in range(24)),
    "weekday": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "month": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
#: The day 0 of a ledger that does not say (``calendar.start_date``'s default).
DEFAULT_START = dt.date(2025, 1, 1)


def slots(ledger: Ledger, times_h: np.ndarray, part: Part) -> np.ndarray:
    """The slot of each time: hour 0–23, weekday 0 (Monday) – 6, or month 0 (January) – 11."""
    times_h = np.asarray(times_h, dtype=float)
    if part == "hour":
        return np.floor(np.mod(times_h, 24.0)).astype(np.int64) % 24
    start = np.datetime64(ledger.meta.get("start_date", DEFAULT_START.isoformat()), "D")
    dates = start + np.floor(times_h / 24.0).astype(np.int64).astype("timedelta64[D]")
    if part == "weekday":  # 1970-01-01, day 0 of datetime64, was a Thursday (3)
        return (dates.astype(np.int64) + 3) % 7
    return dates.astype("datetime64[M]").astype(np.int64) % 12


def first_times(ledger: Ledger, state: State) -> pd.Series:
    """Each incident's first time (h) in ``state``, indexed by incident."""
    rows = ledger.events[ledger.events["state"] == state]  # sorted by time
    incidents, first = np.unique(rows["incident"], return_index=True)
    return pd.Series(rows["time"][first], index=incidents)


def occurrences(ledger: Ledger, part: Part) -> pd.Series:
    """Window incidents by the ``part`` (hour, weekday, month) of their occurrence."""
    frame = ledger.incidents[ledger.incidents["in_window"]]
    found = slots(ledger, frame["occurred_at"].to_numpy(), part)
    counts = np.bincount(found, minlength=len(LABELS[part]))
    return pd.Series(counts, index=list(LABELS[part]), name="occurrences")


def report_times(ledger: Ledger) -> pd.DataFrame:
    """Reported window incidents: ``reported_at``, ``wait`` and ``resolution`` (h; NaN
    where the run ended first), indexed by incident."""
    incidents = ledger.incidents
    frame = incidents[incidents["in_window"] & incidents["reported_at"].notna()]
    ids = frame["incident"].to_numpy()
    queued, started = first_times(ledger, State.QUEUED), first_times(ledger, State.STARTED)
    reported_at = frame["reported_at"].to_numpy()
    return pd.DataFrame(
        {
            "reported_at": reported_at,
            "wait": (started.reindex(ids) - queued.reindex(ids)).to_numpy(),
            "resolution": frame["resolved_at"].to_numpy() - reported_at,
        },
        index=ids,
    )


def times_by_report(
    ledger: Ledger, part: Literal["hour", "weekday"], times: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Wait and resolution time (h) of window incidents by the ``part`` of their report.

    One row per slot: ``reported`` (count), then for ``wait`` and ``resolution`` the
    count, mean and 90th percentile (NaN with no incident). ``times`` is
    ``report_times(ledger)`` when the caller has it already.
    """
    times = report_times(ledger) if times is None else times
    grouped = times.groupby(slots(ledger, times["reported_at"].to_numpy(), part))
    columns: dict[str, Any] = {"reported": grouped.size()}
    for name in ("wait", "resolution"):
        columns[f"{name}_count"] = grouped[name].count()
        columns[f"{name}_mean_h"] = grouped[name].mean()
        columns[f"{name}_p90_h"] = grouped[name].quantile(0.9)
    result = pd.DataFrame(columns).reindex(range(len(LABELS[part])))
    counts = [c for c in result.columns if c == "reported" or c.endswith("_count")]
    result[counts] = result[counts].fillna(0).astype(np.int64)
    result.index = pd.Index(LABELS[part], name=part)
    return result


def by_time(ledger: Ledger) -> dict[str, Any]:
    """The summary's ``by_time`` block: occurrences by hour, weekday and month, and wait
    and resolution time by hour and weekday of report (count, mean, p90), keyed by slot
    label (``"00"``–``"23"``, ``"Mon"``–``"Sun"``, ``"Jan"``–``"Dec"``)."""
    block: dict[str, Any] = {
        "occurrences": {
            part: {k: int(v) for k, v in occurrences(ledger, part).items()}
            for part in ("hour", "weekday", "month")
        }
    }
    times = report_times(ledger)
    for part in ("hour", "weekday"):
        table = times_by_report(ledger, part, times)
        for name in ("wait", "resolution"):
            block.setdefault(f"{name}_h_by_report", {})[part] = {
                label: {
                    "count": int(row[f"{name}_count"]),
                    "mean": float(row[f"{name}_mean_h"]),
                    "p90": float(row[f"{name}_p90_h"]),
                }
                for label, row in table.iterrows()
            }
    return block
