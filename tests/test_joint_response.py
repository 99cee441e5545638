"""Whistle-and-report's joint response: a fork-join of the owning departments."""

from __future__ import annotations

import numpy as np
import pytest

from govsim.analysis.theory import THEORY_DIR
from govsim.engine.model import simulate
from govsim.record.ledger import Ledger
from govsim.record.metrics import tier_table, visits
from govsim.stats import mean_ci
from govsim.world.scenario import HOURS_PER_YEAR, Scenario, deep_merge, read_yaml, validate_scenario
from tests.support import paired

LAMBDA, MU = 0.5, 1.0  # per hour, at each department


def jointly_owned(owners: list[str], rate: float = LAMBDA, whistle: dict | None = None) -> Scenario:
    """The M/M/c scenario with a government matter the grid cannot resolve, owned by
    ``owners`` (one handler each, at the street), arriving at ``rate`` per hour, under
    whistle-and-report (``whistle``: its settings, by default a half-hour response)."""
    request = read_yaml(THEORY_DIR / "mmc.yaml")["incidents"]["request"]
    changes = {
        "departments": {
            "roads": {"tier": "street", "staff": 1},
            "water": {"tier": "street", "staff": 1},
        },
        "routing": {"policy": "whistle", "whistle": whistle or {"response_h": 0.5}},
        "incidents": {
            "request": {
                **request,
                "rate": rate * HOURS_PER_YEAR / 1000,
                "triage": "government",
                "departments": owners,
                "resolvable_at": {},
                "handling": {"default": {"dist": "exponential", "mean_h": 1 / MU}},
            }
        },
    }
    raw = deep_merge(read_yaml(THEORY_DIR / "mmc.yaml"), changes)
    return validate_scenario(raw, source="joint")


def joint_response_h(ledger: Ledger) -> np.ndarray:
    """Hours from the summoned departments' arrival to the last part done."""
    v = visits(ledger)
    joint = v[~v["part"] & (v["handler"] < 0) & v["resolved"]]
    return joint["sojourn_h"].to_numpy()


@pytest.fixture(scope="module")
def joint_runs() -> list[Ledger]:
    scenario = jointly_owned(["roads", "water"])
    return [simulate(scenario, seed=seed, days=200) for seed in range(10)]


def test_every_owner_does_its_part_and_the_incident_waits_for_the_last(
    joint_runs: list[Ledger],
) -> None:
    ledger = joint_runs[0]
    v = visits(ledger)
    parts = v[v["part"]]
    names = np.array([o.name for o in ledger.offices])
    assert sorted(set(names[parts["office"]])) == ["roads", "water"]
    per_incident = parts.groupby("incident")["ended_at"].agg(["max", "size"])
    resolved = ledger.incidents.set_index("incident")["resolved_at"]
    done = per_incident[per_incident["size"] == 2]
    assert len(done) > 1000
    np.testing.assert_allclose(resolved[done.index], done["max"])


def test_departments_are_as_busy_as_their_parts(joint_runs: list[Ledger]) -> None:
    for ledger in joint_runs[:3]:
        table = tier_table(ledger)
        for department in ("department:roads", "department:water"):
            assert table.loc[department, "utilisation"] == pytest.approx(LAMBDA / MU, abs=0.05)


def test_fork_join_response_matches_nelson_tantawi(joint_runs: list[Ledger]) -> None:
    """Two M/M/1 departments forked by the same Poisson stream (the grid's M/M/c output,
    by Burke's theorem): E[response] = (12 − ρ)/8 · 1/(μ − λ) (Nelson & Tantawi 1988)."""
    interval = mean_ci(np.array([joint_response_h(ledger).mean() for ledger in joint_runs]))
    rho = LAMBDA / MU
    fork_join = (12 - rho) / 8 / (MU - LAMBDA)
    single = 1 / (MU - LAMBDA)  # what one owner alone would take (M/M/1 sojourn)
    assert interval.low <= fork_join <= interval.high
    assert interval.low > single


def test_a_single_owner_needs_no_joint_response() -> None:
    ledger = simulate(jointly_owned(["roads"]), seed=0, days=30)
    assert ledger.assists.size == 0
    served = visits(ledger).dropna(subset=["started_at"])
    assert len(served) > 100 and (served["handler"] >= 0).all()


def mean_resolution_h(ledger: Ledger) -> float:
    inc = ledger.incidents[ledger.incidents["in_window"]]
    return float((inc["resolved_at"] - inc["reported_at"]).mean())


def test_convening_at_once_gains_for_several_owners_and_nothing_for_one() -> None:
    """Sequentially, each owner is summoned when the one before is done: per incident the
    response takes the response limit plus the shorter part longer than the fork-join
    (S₁ + r + S₂ against max(S₁, S₂)). A single owner is convened the same either way."""
    response_h, rate = 0.5, 0.1  # a light load: the parts barely queue
    joint, sequential = ({"response_h": response_h, "convene": c} for c in ("joint", "sequential"))
    several = [jointly_owned(["roads", "water"], rate, w) for w in (joint, sequential)]
    gain = paired(*several, mean_resolution_h, 8, 200)
    assert gain.low > response_h, gain  # more than the second summons: a part's time too
    # M/M/1 sojourns are exponential with rate μ − λ: E[min of two] = 1 / (2 (μ − λ))
    assert gain.low <= response_h + 1 / (2 * (MU - rate)) <= gain.high, gain
    one = [jointly_owned(["roads"], rate, w) for w in (joint, sequential)]
    assert paired(*one, mean_resolution_h, 2, 100).mean == 0.0


def test_a_late_department_joins_the_joint_response_when_it_arrives() -> None:
    """With every summons late, the lead's arrival opens the response; another owner's
    part starts with it or at its own later arrival, never before."""
    whistle = {"response_h": 0.5, "compliance": {"late_prob": 1.0, "late_h": 4.0}}
    ledger = simulate(jointly_owned(["roads", "water"], 0.1, whistle), seed=0, days=100)
    v = visits(ledger)
    joint = v[~v["part"] & (v["handler"] < 0) & v["started_at"].notna()]
    opened = joint.set_index("incident")["queued_at"]
    parts = v[v["part"] & v["incident"].isin(opened.index)]
    joined = parts["queued_at"].to_numpy() - opened[parts["incident"]].to_numpy()
    assert len(joined) > 300
    assert joined.min() >= 0.0
    # the lead's own part joins at once, the other's half the time later (two exponentials)
    later = (joined > 0).mean()
    assert abs(later - 0.25) < 3 * np.sqrt(0.25 * 0.75 / len(joined))
