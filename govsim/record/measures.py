"""Ledger measures: the figures of a run the source texts' numbers are compared with.

Each measure takes a run's ledger and an argument (an incident type, a tier, ``KIND:TIER``
…) and returns one number over the measurement window's incidents; ``METRICS`` names
them for the figure register (``govsim.analysis.targets``) and for experiment outcomes
written ``NAME:ARG`` (``hours_from_report:illegal_boiler``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from govsim.engine.incidents import State
from govsim.errors import ScenarioError
from govsim.record.ledger import Ledger
from govsim.record.metrics import reached, visits, window_incidents
from govsim.record.petitions import petition_rates
from govsim.world.fields import HOURS_PER_YEAR

HOURS_PER_MONTH = 30 * 24.0


def _kind_rows(ledger: Ledger, kind: str) -> pd.DataFrame:
    frame = window_incidents(ledger)
    if kind not in ledger.kinds:
        raise ScenarioError(f"target metric: no incident type '{kind}'; known: {ledger.kinds}")
    return frame[frame["kind"] == ledger.kinds.index(kind)]


def _months(ledger: Ledger) -> float:
    return (ledger.window_h[1] - ledger.window_h[0]) / HOURS_PER_MONTH


def _reported_rows(ledger: Ledger, kind: str) -> pd.DataFrame:
    """Window incidents of ``kind`` reported before the window's end: the ones a campaign
    or a year "handled". One that occurred in the window but came to light after it (the
    drain's first patrol, a late report) was not handled in it."""
    rows = _kind_rows(ledger, kind)
    return rows[rows["reported_at"] < ledger.window_h[1]]


def reported_per_month(ledger: Ledger, kind: str) -> float:
    """Window incidents of ``kind`` reported before the window's end, per 30 days of
    window."""
    return float(len(_reported_rows(ledger, kind))) / _months(ledger)


def reaching_per_month(ledger: Ledger, tier: str) -> float:
    """Window incidents that queued at ``tier`` or above, per 30 days of window."""
    reported = int(window_incidents(ledger)["reported_at"].notna().sum())
    return reached(ledger)[tier] * reported / _months(ledger)


def share_reaching(ledger: Ledger, tier: str) -> float:
    """Share of reported window incidents that queued at ``tier`` or above."""
    return reached(ledger)[tier]


def resolved_share(ledger: Ledger, kind: str) -> float:
    """Share of the window incidents of ``kind`` reported before the window's end that
    were resolved by then (a campaign's report, made as it closes)."""
    rows = _reported_rows(ledger, kind)
    return float((rows["resolved_at"] < ledger.window_h[1]).mean())


def hours_from_report(ledger: Ledger, kind: str) -> float:
    """Mean hours from report to resolution of resolved window incidents of ``kind``."""
    rows = _kind_rows(ledger, kind)
    return float((rows["resolved_at"] - rows["reported_at"]).mean())


def resolved_at_share(ledger: Ledger, kind_and_tier: str) -> float:
    """Share of the resolved window incidents of a kind closed at a tier (desks and
    departments); the argument is ``KIND:TIER``."""
    kind, _, tier = kind_and_tier.partition(":")
    v = visits(ledger)
    closed = v[
        v["resolved"] & ~v["part"] & v["incident"].isin(_kind_rows(ledger, kind)["incident"])
    ]
    tiers = np.array([o.tier for o in ledger.offices])[closed["office"].to_numpy()]
    return float(np.mean(tiers == tier)) if len(closed) else float("nan")


def reported_per_year(ledger: Ledger, kinds: str) -> float:
    """Window incidents of the kinds (``KIND+KIND+…``) reported before the window's end,
    per year (8,760 h) of window."""
    per_month = sum(reported_per_month(ledger, kind) for kind in kinds.split("+"))
    return per_month * HOURS_PER_YEAR / HOURS_PER_MONTH


def occurrences(ledger: Ledger, kind: str) -> float:
    """Window incidents of ``kind`` that occurred (hidden ones included)."""
    return float(len(_kind_rows(ledger, kind)))


def satisfied_share(ledger: Ledger, kind: str) -> float:
    """Share of rated window incidents of ``kind`` rated satisfied."""
    rated = _kind_rows(ledger, kind)["rating"].dropna()
    return float((rated >= ledger.meta["satisfied_at"]).mean())


def excellent_year(ledger: Ledger, which: str) -> float:
    """Share of rated grid workers' evaluations rated excellent over the ``first`` or
    ``last`` year (360 days) of the window, whatever the evaluation period."""
    frame = ledger.evaluations
    if frame.empty:
        return float("nan")
    w0, w1 = ledger.window_h
    year_h = 360 * 24.0
    lo, hi = (w0, w0 + year_h) if which == "first" else (w1 - year_h, w1)
    frame = frame[(frame["time_h"] > max(lo, w0)) & (frame["time_h"] <= min(hi, w1))]
    rated = int(frame["rated"].sum())
    return float(frame["excellent"].sum() / rated) if rated else float("nan")


def settled_by_volunteers(ledger: Ledger, kind: str) -> float:
    """Share of resolved window incidents of ``kind`` a volunteer settled on the spot."""
    ev = ledger.events
    settled = ev[(ev["state"] == State.RESOLVED) & (ev["office"] < 0)]["incident"]
    rows = _kind_rows(ledger, kind)
    rows = rows[rows["resolved_at"].notna()]
    return float(rows["incident"].isin(settled).mean())


def petitions_per_10k(ledger: Ledger, tier: str) -> float:
    """Petitions per 10,000 households a year (all tiers when ``tier`` is empty)."""
    rates = petition_rates(ledger)
    return rates["by_tier"][tier] if tier else rates["per_10k_households_year"]


def evaluations(ledger: Ledger, which: str) -> float:
    """Grid workers' evaluations in the window (person-times): those rated, or with
    ``which`` = ``excellent`` those rated excellent."""
    frame = ledger.evaluations
    if frame.empty:
        return 0.0
    w0, w1 = ledger.window_h
    frame = frame[(frame["time_h"] > w0) & (frame["time_h"] <= w1)]
    return float(frame["excellent" if which == "excellent" else "rated"].sum())


def hours_to_start(ledger: Ledger, kind: str) -> float:
    """Mean hours from report to the first time a handler started on a window incident of
    ``kind`` (grid worker, desk or department: someone at work on it), over those
    started."""
    ev = ledger.events
    started = ev[ev["state"] == State.STARTED]
    first = pd.Series(started["time"]).groupby(started["incident"]).min()
    rows = _kind_rows(ledger, kind)
    rows = rows[rows["incident"].isin(first.index)]
    return float((first.loc[rows["incident"]].to_numpy() - rows["reported_at"].to_numpy()).mean())


def resolved_below_per_month(ledger: Ledger, tier: str) -> float:
    """Window incidents reported and resolved before the window's end that never queued at
    ``tier`` or above (closed "at the grassroots" below it), per 30 days of window."""
    v = visits(ledger)
    ranks = np.array([o.rank for o in ledger.offices])
    reached_tier = v.loc[ranks[v["office"].to_numpy()] >= ledger.tiers.index(tier), "incident"]
    rows = window_incidents(ledger)
    closed = rows[
        (rows["reported_at"] < ledger.window_h[1]) & (rows["resolved_at"] < ledger.window_h[1])
    ]
    return float((~closed["incident"].isin(reached_tier)).sum()) / _months(ledger)


#: Target metrics by name; each takes the ledger and the argument after the colon.
METRICS: dict[str, Callable[[Ledger, str], float]] = {
    "reported_per_month": reported_per_month,
    "reported_per_year": reported_per_year,
    "reaching_per_month": reaching_per_month,
    "share_reaching": share_reaching,
    "resolved_share": resolved_share,
    "hours_from_report": hours_from_report,
    "resolved_at_share": resolved_at_share,
    "occurrences": occurrences,
    "satisfied_share": satisfied_share,
    "excellent_year": excellent_year,
    "settled_by_volunteers": settled_by_volunteers,
    "petitions_per_10k": petitions_per_10k,
    "evaluations": evaluations,
    "hours_to_start": hours_to_start,
    "resolved_below_per_month": resolved_below_per_month,
}
