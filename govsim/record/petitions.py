"""Petitions (信访): how many residents took an unsolved problem to a higher tier, and where.

A petition is counted at the tier it reached (``behaviour.petitions.to``), for the
incidents that occurred inside the measurement window, as a rate per 10,000 households
and year of window, the unit in which petition figures are usually given.
"""

from __future__ import annotations

import numpy as np

from govsim.record.ledger import Ledger
from govsim.world.fields import HOURS_PER_YEAR


def window_petitions(ledger: Ledger) -> np.ndarray:
    """The petition rows (``PETITION_DTYPE``) about window incidents."""
    rows = ledger.petitions
    return rows[ledger.incidents["in_window"].to_numpy()[rows["incident"]]]


def petition_rates(ledger: Ledger) -> dict[str, object]:
    """Window petitions: ``count``, ``per_10k_households_year`` (count / (households /
    10,000) / window years) and ``by_tier`` (that rate for each tier above the grid,
    by the tier the petitions reached)."""
    rows = window_petitions(ledger)
    w0, w1 = ledger.window_h
    scale = ledger.meta.get("households", 0.0) / 1e4 * (w1 - w0) / HOURS_PER_YEAR
    counts = np.bincount(rows["rank"], minlength=len(ledger.tiers))

    def rate(count: int) -> float:
        return float(count / scale) if scale else float("nan")

    return {
        "count": int(rows.size),
        "per_10k_households_year": rate(rows.size),
        "by_tier": {tier: rate(counts[rank]) for rank, tier in enumerate(ledger.tiers) if rank},
    }
