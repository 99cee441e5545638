"""Residents' choice of reporting channel: shares, trust, vulnerability, verification time."""

from __future__ import annotations

import numpy as np
import pytest

from govsim.engine.incidents import State
from govsim.engine.model import simulate
from govsim.errors import ScenarioError
from govsim.record.ledger import Ledger
from govsim.record.metrics import summarize, window_incidents
from govsim.world.scenario import load_scenario
from tests.support import DEMO

CHANNELS = {
    "app": {"share": 0.5, "verify_h": 1, "trust_elasticity": 1, "vulnerable_factor": 0.2},
    "hotline": {"share": 0.2, "verify_h": 8, "trust_elasticity": -1},
    "grid_worker": {"share": 0.3, "verify_h": 0, "vulnerable_factor": 2},
}


def run(trust: float, vulnerable_share: float = 0.0) -> Ledger:
    """Trust held fixed (behaviour off) at ``trust``; the reference trust is 0.7."""
    scenario = load_scenario(
        DEMO,
        {
            "residents.channels": CHANNELS,
            "behaviour.enabled": False,
            "behaviour.trust.initial": trust,
            "map.vulnerable_share": vulnerable_share,
        },
    )
    return simulate(scenario, seed=0, days=60)


def expected_shares(trust: float, vulnerable: bool = False) -> np.ndarray:
    ratio = trust / 0.7
    weights = np.array(
        [
            0.5 * ratio * (0.2 if vulnerable else 1),
            0.2 / ratio,
            0.3 * (2 if vulnerable else 1),
        ]
    )
    return weights / weights.sum()


def observed(ledger: Ledger, vulnerable: bool | None = None) -> tuple[np.ndarray, int]:
    frame = window_incidents(ledger)
    if vulnerable is not None:
        frame = frame[frame["vulnerable"] == vulnerable]
    via = frame["via"].to_numpy()
    via = via[via >= 0]
    return np.bincount(via, minlength=3) / via.size, via.size


def within_multinomial_ci(shares: np.ndarray, n: int, expected: np.ndarray) -> bool:
    """Each share within 3 standard errors (Bonferroni over three channels at ~99%)."""
    return bool((np.abs(shares - expected) < 3 * np.sqrt(expected * (1 - expected) / n)).all())


@pytest.mark.parametrize("trust", [0.7, 0.35])
def test_channel_shares_follow_trust(trust: float) -> None:
    ledger = run(trust)
    shares, n = observed(ledger)
    assert n > 1200  # residents' reports in the window (patrols and volunteers find the rest)
    assert within_multinomial_ci(shares, n, expected_shares(trust))
    assert summarize(ledger)["report_channels"] == pytest.approx(
        dict(zip(CHANNELS, shares, strict=True))
    )


def test_vulnerable_residents_rarely_use_the_app() -> None:
    ledger = run(0.7, vulnerable_share=0.5)
    for vulnerable in (True, False):
        shares, n = observed(ledger, vulnerable)
        assert within_multinomial_ci(shares, n, expected_shares(0.7, vulnerable))


def test_each_channel_takes_its_own_verification_time() -> None:
    ledger = run(0.7)
    ev = ledger.events
    reported = ev[ev["state"] == State.REPORTED]
    verified = ev[ev["state"] == State.VERIFIED]
    took = dict(zip(verified["incident"].tolist(), verified["time"].tolist(), strict=True))
    via = ledger.incidents["via"].to_numpy()
    for index, name in enumerate(CHANNELS):
        rows = reported[(via[reported["incident"]] == index)]
        rows = rows[np.isin(rows["incident"], verified["incident"])]
        delays = np.array([took[i] for i in rows["incident"].tolist()]) - rows["time"]
        np.testing.assert_allclose(delays, CHANNELS[name]["verify_h"], atol=1e-9)
    # patrols and volunteers' finds use no resident channel
    found = reported[reported["actor"] != 0]["incident"]
    assert (via[found] == -1).all()


def test_channel_shares_must_sum_to_one() -> None:
    bad = {**CHANNELS, "hotline": {**CHANNELS["hotline"], "share": 0.5}}
    with pytest.raises(ScenarioError, match=r"residents\.channels: shares must sum to 1, got 1\.3"):
        load_scenario(DEMO, {"residents.channels": bad})
