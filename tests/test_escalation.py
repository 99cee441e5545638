"""Escalation as people do it (``govsim.world.escalation``): whether a summoned department
comes on time under whistle-and-report, and how soon a lower tier hands a problem up.

Sizes are checked against what the mechanism implies, directions with 95% paired
confidence intervals over replications on shared seeds (common random numbers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from govsim.analysis.theory import THEORY_DIR
from govsim.engine.model import GovernanceModel, simulate
from govsim.record.ledger import Ledger
from govsim.record.metrics import resolution_by_triage, visits
from govsim.stats import mean_ci
from govsim.world.scenario import deep_merge, load_scenario, read_yaml, validate_scenario
from tests.support import DEMO
from tests.support import paired as paired_runs

REPS, DAYS = 6, 90.0
RESPONSE_H, LATE_H, COORDINATE_H = 2.0, 24.0, 48.0
WHISTLE = {"routing.policy": "whistle", "routing.whistle.response_h": RESPONSE_H}
#: Departments come late a third of the time and deflect a fifth, without accountability.
LAPSING = {
    **WHISTLE,
    "routing.whistle.compliance.late_prob": 0.3,
    "routing.whistle.compliance.late_h": LATE_H,
    "routing.whistle.compliance.deflect_prob": 0.2,
    "routing.whistle.compliance.coordinate_h": COORDINATE_H,
}
#: Sign-in records and the street's evaluation each remove half the lapses: a quarter stay.
ACCOUNTABLE = {
    **LAPSING,
    "routing.whistle.compliance.accountability.sign_in": 0.5,
    "routing.whistle.compliance.accountability.evaluation": 0.5,
}


def summons_h(ledger: Ledger) -> pd.DataFrame:
    """Per window incident the grid handed up: ``summoned_at`` (its hand-up) and
    ``delay_h``, the hours until the next desk had it (the summoned department's arrival)."""
    v = visits(ledger)
    v = v[~v["part"]]
    first, second = v.groupby("incident").nth(0), v.groupby("incident").nth(1)
    first, second = first.set_index("incident"), second.set_index("incident")
    ranks = np.array([o.rank for o in ledger.offices])
    first = first[(ranks[first["office"].to_numpy()] == 0) & ~first["resolved"]]
    both = first.join(second["queued_at"].rename("arrived_at"), how="inner")
    return pd.DataFrame(
        {"summoned_at": both["ended_at"], "delay_h": both["arrived_at"] - both["ended_at"]}
    )


def mean_delay(settings: dict) -> tuple[float, float]:
    """95% CI (low, high) over replications of the mean summons delay (h)."""
    scenario = load_scenario(DEMO, settings)
    means = [
        summons_h(simulate(scenario, seed=s, days=DAYS))["delay_h"].mean() for s in range(REPS)
    ]
    interval = mean_ci(np.array(means))
    return interval.low, interval.high


def government_mean(ledger: Ledger) -> float:
    return resolution_by_triage(ledger)["government"]["mean"]


def test_full_compliance_answers_every_summons_within_the_limit() -> None:
    delays = summons_h(simulate(load_scenario(DEMO, WHISTLE), seed=0, days=DAYS))["delay_h"]
    assert len(delays) > 100
    np.testing.assert_allclose(delays, RESPONSE_H)


def test_lapses_add_their_expected_delay_and_accountability_removes_its_share() -> None:
    lapse = 0.2 * COORDINATE_H + 0.3 * LATE_H  # deflections wait for the leaders, late ones late_h
    low, high = mean_delay(LAPSING)
    assert low <= RESPONSE_H + lapse <= high
    low, high = mean_delay(ACCOUNTABLE)  # (1 − 0.5)(1 − 0.5): a quarter of the lapses stay
    assert low <= RESPONSE_H + 0.25 * lapse <= high


def test_lapses_shrink_whistles_gain_and_accountability_restores_it() -> None:
    whistle, lapsing, accountable = (
        load_scenario(DEMO, s) for s in (WHISTLE, LAPSING, ACCOUNTABLE)
    )
    shrink = paired_runs(whistle, lapsing, government_mean, REPS, DAYS)
    assert shrink.low > 0, shrink  # government matters take longer: the gain shrinks
    restore = paired_runs(lapsing, accountable, government_mean, REPS, DAYS)
    assert restore.high < 0, restore
    # accountability gives back part of what lapses took, not more than all of it
    assert -restore.mean < shrink.mean


def test_a_deflected_summons_waits_for_the_leaders_then_the_department_comes() -> None:
    settings = {**WHISTLE, "routing.whistle.compliance.deflect_prob": 1.0}
    delays = summons_h(simulate(load_scenario(DEMO, settings), seed=0, days=DAYS))["delay_h"]
    assert len(delays) > 100
    np.testing.assert_allclose(delays, COORDINATE_H + RESPONSE_H)


def test_with_arbitration_a_deflected_type_waits_for_the_ruling_then_is_settled() -> None:
    settings = {
        **WHISTLE,
        "routing.whistle.compliance.deflect_prob": 1.0,
        "routing.arbitration.enabled": True,
        "routing.arbitration.delay_h": 1200.0,  # the first rulings fall in the window
    }
    model = GovernanceModel(load_scenario(DEMO, settings), seed=0, days=DAYS)
    ledger = model.run()
    frame = summons_h(ledger)
    kinds = ledger.incidents.set_index("incident").loc[frame.index, "kind"].to_numpy()
    settled = np.array([model.router.arbitrator.settled_at[k] for k in kinds], dtype=float)
    before = frame["summoned_at"].to_numpy() < settled
    assert before.sum() > 10 and (~before).sum() > 50
    # referred before the ruling: the department comes when the committee has ruled
    arrived = frame["summoned_at"] + frame["delay_h"]
    np.testing.assert_allclose(arrived[before], settled[before] + RESPONSE_H)
    # after it the type's owner is settled: nobody deflects it any more
    np.testing.assert_allclose(frame["delay_h"][~before], RESPONSE_H)


# --- escalation as a decision: recognising an out-of-scope incident --------------------

FULL_H, TRIAGE_H, RECOGNISE_P = 4.0, 1.0, 0.5


def beyond_the_lower_tiers(settings: dict) -> object:
    """The M/M/c world with a type only the city resolves: the grid and the street each
    try it (fixed 4 h), hand-offs are instant, staff are ample (nobody queues)."""
    raw = read_yaml(THEORY_DIR / "mmc.yaml")
    request = raw["incidents"]["request"]
    changes = {
        "staffing": {"grid_workers_per_grid": 40, "office_staff": {"city": 40, "street": 40}},
        "incidents": {
            "request": {
                **request,
                "rate": 1.0,
                "resolvable_at": {"grid": 0.0, "city": 1.0},
                "handling": {
                    "default": {"dist": "exponential", "mean_h": 1.0},
                    "grid": {"dist": "fixed", "mean_h": FULL_H},
                    "street": {"dist": "fixed", "mean_h": FULL_H},
                },
            }
        },
    }
    return validate_scenario(deep_merge(deep_merge(raw, changes), settings), source="recognise")


def to_the_right_tier_h(ledger: Ledger) -> float:
    """Mean hours from report to arrival at the city desk."""
    v = visits(ledger)
    ranks = np.array([o.rank for o in ledger.offices])
    top = v[ranks[v["office"].to_numpy()] == 2].set_index("incident")["queued_at"]
    reported = ledger.incidents.set_index("incident")["reported_at"]
    return float((top - reported[top.index]).mean())


def test_recognising_early_shortens_the_way_to_the_right_tier_by_the_expected_amount() -> None:
    full = beyond_the_lower_tiers({})
    quick = beyond_the_lower_tiers({"routing": {"recognise": {"prob": RECOGNISE_P, "h": TRIAGE_H}}})
    assert to_the_right_tier_h(simulate(full, seed=0, days=60)) == 2 * FULL_H
    diff = paired_runs(full, quick, to_the_right_tier_h, REPS, 60)
    expected = -2 * RECOGNISE_P * (FULL_H - TRIAGE_H)  # two lower tiers, each p × 3 h
    assert diff.low <= expected <= diff.high, diff
