"""Incident volumes: how many incidents of each type, and of each category a source text
counts them under (``IncidentType.counted_as``), occurred and were reported.

Counted over the incidents that occurred inside the measurement window ``[warm-up,
horizon)`` — the same incidents as the summary's ``incidents`` and ``reported``, so the
counts of the types (and of the categories) add up to those totals. Each count is given
in the window and per year of window (count × 8,760 h / window hours), the unit the
incident rates are given in; a source's figure for another period (a month, 100 days)
compares with the per-year rate × that period's share of a year.
"""

from __future__ import annotations

import numpy as np

from govsim.record.ledger import Ledger
from govsim.world.fields import HOURS_PER_YEAR


def volumes(ledger: Ledger) -> dict[str, object]:
    """Window incidents per type and per category: ``window_years`` (the window's length
    in years), ``by_type`` and ``by_category``, each mapping a name to ``occurred`` and
    ``reported`` (counts in the window) and ``occurred_per_year`` and
    ``reported_per_year`` (those counts / ``window_years``). Every type of the scenario
    appears, with zeros where none occurred; a category is the ``counted_as`` of its
    types (a type's own name by default)."""
    frame = ledger.incidents[ledger.incidents["in_window"]]
    n = len(ledger.kinds)
    kind = frame["kind"].to_numpy(dtype=int)
    occurred = np.bincount(kind, minlength=n)
    reported = np.bincount(kind[frame["reported_at"].notna().to_numpy()], minlength=n)
    w0, w1 = ledger.window_h
    years = (w1 - w0) / HOURS_PER_YEAR
    per_year = 1.0 / years if years > 0 else float("nan")
    categories = ledger.meta.get("counted_as") or ledger.kinds

    def entry(occ: int, rep: int) -> dict[str, float]:
        return {
            "occurred": int(occ),
            "reported": int(rep),
            "occurred_per_year": float(occ * per_year),
            "reported_per_year": float(rep * per_year),
        }

    by_category: dict[str, list[int]] = {}
    for i, category in enumerate(categories):
        total = by_category.setdefault(category, [0, 0])
        total[0] += int(occurred[i])
        total[1] += int(reported[i])
    return {
        "window_years": float(years),
        "by_type": {name: entry(occurred[i], reported[i]) for i, name in enumerate(ledger.kinds)},
        "by_category": {name: entry(*counts) for name, counts in by_category.items()},
    }
