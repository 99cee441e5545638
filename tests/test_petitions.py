"""Petitions (``govsim.engine.petitions``, ``govsim.record.petitions``): a resident whose
problem stays unsolved past their patience petitions a higher tier, counted there.

Directions are asserted with 95% paired confidence intervals over replications that share
seeds (common random numbers) on the demo city.
"""

from __future__ import annotations

import numpy as np
import pytest

from govsim.engine.incidents import Channel, State
from govsim.engine.model import simulate
from govsim.record.ledger import Ledger
from govsim.record.metrics import summarize, visits
from govsim.record.petitions import petition_rates, window_petitions
from govsim.world.scenario import load_scenario
from tests.support import DEMO
from tests.support import paired as paired_runs

REPS, DAYS = 4, 90.0
#: Slow hand-offs keep escalated problems unsolved for days; residents petition about them.
SLOW = {
    "routing.handoff_h": {"community": 96, "street": 120, "city": 120},
    "behaviour.petition_after_h": 120,
    "behaviour.petitions.unresolved": True,
}
ABOVE = {**SLOW, "behaviour.petitions.to": "above"}


def count(ledger: Ledger) -> float:
    return float(summarize(ledger)["petitions"])


def paired(base: dict, other: dict) -> object:
    """95% CI of petitions(other) − petitions(base) on shared seeds."""
    return paired_runs(load_scenario(DEMO, base), load_scenario(DEMO, other), count, REPS, DAYS)


def test_by_default_only_hidden_problems_become_petitions_at_the_top() -> None:
    settings = {
        "staffing.patrols_per_day": 0.1,
        "staffing.volunteers_per_cell": 0,
        "behaviour.petition_after_h": 240,
    }
    ledger = simulate(load_scenario(DEMO, settings), seed=0, days=DAYS)
    rows = window_petitions(ledger)
    assert rows.size > 20
    assert (rows["rank"] == len(ledger.tiers) - 1).all()
    ev = ledger.events
    by_petition = ev[(ev["state"] == State.REPORTED) & (ev["actor"] == Channel.PETITION)]
    assert set(rows["incident"]) <= set(by_petition["incident"])  # each one hidden until then


def test_petitions_rise_as_patience_shortens() -> None:
    diff = paired(SLOW, {**SLOW, "behaviour.petition_after_h": 48})
    assert diff.low > 0, diff


def test_petitions_rise_as_trust_shortens_patience() -> None:
    distrust = {**SLOW, "behaviour.trust.initial": 0.35}  # half the reference 0.7
    diff = paired(distrust, {**distrust, "behaviour.petitions.trust_elasticity": 2.0})
    assert diff.low > 0, diff  # patience × (0.35 / 0.7)² = a quarter


def test_reported_problems_are_petitioned_to_the_tier_above_their_holder() -> None:
    # no patrols or volunteers: problems nobody reports stay hidden past the patience
    # (with rounds through the working day, few did in 90 days), so both kinds occur
    unsearched = {**ABOVE, "staffing.patrols_per_day": 0, "staffing.volunteers_per_cell": 0}
    ledger = simulate(load_scenario(DEMO, unsearched), seed=1, days=DAYS)
    rows = window_petitions(ledger)
    ranks = np.array([o.rank for o in ledger.offices])
    stays = visits(ledger)
    stays = stays[~stays["part"]]
    first = {}  # each incident's first petition (time, rank)
    for time, incident, rank in rows[::-1]:
        first[int(incident)] = (time, rank)
    checked = 0
    reported = ledger.incidents.set_index("incident")["reported_at"]
    for incident, (time, rank) in first.items():
        if not reported[incident] < time:
            continue  # a hidden problem: it goes above the grid
        mine = stays[(stays["incident"] == incident) & (stays["queued_at"] <= time)]
        if mine.empty or not mine["ended_at"].iloc[-1] > time:
            continue  # in transit or verification: the holder is not a queued stay
        assert rank == ranks[mine["office"].iloc[-1]] + 1
        checked += 1
    assert checked > 50
    hidden = [r for i, (t, r) in first.items() if not reported[i] < t]
    assert hidden and set(hidden) == {1}
    rates = petition_rates(ledger)
    assert sum(rates["by_tier"].values()) == pytest.approx(rates["per_10k_households_year"])
    assert rates["by_tier"]["community"] > 0 and rates["by_tier"]["street"] > 0
