"""Volunteers: participation that answers a time bank, and household matters settled on the spot."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from govsim.engine.incidents import NEXT_STATES, Channel, State
from govsim.engine.model import simulate
from govsim.record.ledger import Ledger
from govsim.record.metrics import summarize, visits
from govsim.world.scenario import load_scenario
from tests.support import DEMO, paired

DAYS = 60


def volunteers(ledger: Ledger) -> dict[str, float]:
    return summarize(ledger)["volunteers"]


def test_participation_and_the_time_bank_set_how_many_rounds_are_made() -> None:
    half = {"staffing.volunteer_participation": 0.5}
    plain = simulate(load_scenario(DEMO, half), seed=0, days=DAYS)
    banked = simulate(
        load_scenario(DEMO, {**half, "incentives.time_bank.enabled": True}), seed=0, days=DAYS
    )
    # 96 volunteers × 30 window days ≈ 2,900 Bernoulli(p) rounds: 4 standard errors apart
    for ledger, p in ((plain, 0.5), (banked, 0.75)):
        n = 96 * 30
        assert abs(volunteers(ledger)["rounds_per_volunteer_day"] - p) < 4 * np.sqrt(
            p * (1 - p) / n
        )
    assert volunteers(plain)["banked_h"] == 0.0
    rounds = volunteers(banked)["rounds_per_volunteer_day"] * 96 * 30
    assert volunteers(banked)["banked_h"] == pytest.approx(rounds * 1.0, rel=1e-12)


def test_a_time_bank_finds_more_hidden_problems() -> None:
    base = load_scenario(DEMO, {"staffing.volunteer_participation": 0.3})
    banked = load_scenario(
        DEMO,
        {
            "staffing.volunteer_participation": 0.3,
            "incentives.time_bank.participation_gain": 1.0,
            "incentives.time_bank.enabled": True,
        },
    )
    change = paired(base, banked, lambda led: summarize(led)["found_by"]["volunteer"], 4, DAYS)
    assert change.low > 0


def test_volunteers_settle_household_matters_on_the_spot() -> None:
    scenario = load_scenario(DEMO, {"staffing.volunteer_fix_prob": 0.5})
    ledger = simulate(scenario, seed=0, days=DAYS)
    ev = ledger.events
    settled = ev[(ev["state"] == State.RESOLVED) & (ev["office"] < 0)]["incident"]
    assert volunteers(ledger)["settled"] > 20
    frame = ledger.incidents.set_index("incident").loc[settled]
    kinds = np.array(ledger.kinds)[frame["kind"]]
    assert set(kinds) == {"home_repair"}  # the only household matter
    assert (frame["level"] == 0).all()
    # never queued anywhere, and the lifecycle allows it: occurred → reported → resolved
    assert not visits(ledger)["incident"].isin(settled).any()
    for incident in settled[:50].tolist():
        states = ev[ev["incident"] == incident]["state"].tolist()
        assert states[:3] == [State.OCCURRED, State.REPORTED, State.RESOLVED]
        for before, after in itertools.pairwise(states):
            assert State(after) in NEXT_STATES[State(before)]
    # each was found by a volunteer (the REPORTED row's actor is the volunteer channel)
    reported = ev[(ev["state"] == State.REPORTED) & np.isin(ev["incident"], settled)]
    assert (reported["actor"] == Channel.VOLUNTEER).all()
