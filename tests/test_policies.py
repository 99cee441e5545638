"""Routing policies, queue disciplines and staffing on the demo city: each a direction,
asserted with a 95% paired confidence interval over replications (common random numbers)."""

from __future__ import annotations

import numpy as np
import pytest

from govsim.engine.model import GovernanceModel, simulate
from govsim.record.ledger import Ledger
from govsim.record.metrics import resolution_by_triage, staff_cost, summarize, visits
from govsim.stats import Interval, mean_ci
from govsim.world.scenario import load_scenario
from tests.support import AROUND_THE_CLOCK, DEMO
from tests.support import paired as paired_runs

REPS, DAYS = 4, 60.0


def paired(base: dict, other: dict, metric, reps: int = REPS) -> Interval:
    """95% CI of metric(other) − metric(base) for demo variants, on shared seeds."""
    return paired_runs(load_scenario(DEMO, base), load_scenario(DEMO, other), metric, reps, DAYS)


def government_mean(ledger: Ledger) -> float:
    return resolution_by_triage(ledger)["government"]["mean"]


def kind_times(ledger: Ledger, kind: str) -> np.ndarray:
    inc = ledger.incidents
    mine = inc[inc["in_window"] & (inc["kind"] == ledger.kinds.index(kind))]
    return (mine["resolved_at"] - mine["occurred_at"]).dropna().to_numpy()


def test_whistle_closes_government_matters_faster_than_tiered_handoffs() -> None:
    diff = paired({}, {"routing.policy": "whistle"}, government_mean)
    assert diff.high < 0, diff
    # hand-offs of a day each used to dominate: the saving is more than half a day
    assert diff.mean < -12


def test_platform_dispatch_is_faster_and_misroutes_its_share() -> None:
    diff = paired(
        {}, {"routing.policy": "platform"}, lambda led: summarize(led)["resolution_time_h"]["mean"]
    )
    assert diff.high < 0, diff
    rate = 0.2
    scenario = load_scenario(
        DEMO, {"routing.policy": "platform", "routing.platform.misroute_rate": rate}
    )
    ledger = simulate(scenario, seed=1, days=DAYS)
    inc = ledger.incidents[ledger.incidents["in_window"] & ledger.incidents["reported_at"].notna()]
    bounced = (inc["handoffs"] > 0).mean()
    half = 1.96 * np.sqrt(rate * (1 - rate) / len(inc))
    assert abs(bounced - rate) < half
    # a bounced incident lands on its capable desk: the tier of its level
    second = visits(ledger).groupby("incident").nth(1).set_index("incident")
    ranks = np.array([o.rank for o in ledger.offices])[second["office"].to_numpy()]
    levels = ledger.incidents.set_index("incident").loc[second.index, "level"].to_numpy()
    np.testing.assert_array_equal(ranks, levels)


def test_three_way_triage_sends_community_matters_past_the_grid() -> None:
    ledger = simulate(load_scenario(DEMO, {"routing.policy": "triage"}), seed=2, days=30)
    v = visits(ledger).merge(ledger.incidents[["incident", "kind"]], on="incident")
    first = v.groupby("incident").first()
    ranks = np.array([o.rank for o in ledger.offices])[first["office"].to_numpy()]
    triage = np.array(ledger.kind_triage)[first["kind"].to_numpy()]
    assert (ranks[triage == "household"] == 0).all()
    assert (ranks[triage == "community"] == 1).all()
    departments = {o.id for o in ledger.offices if o.department}
    assert first["office"][triage == "government"].isin(departments).all()


CLAIM = {
    "routing.policy": "claim",
    "incidents.shop_noise.ambiguity": 0.0,
    "incidents.illegal_boiler.ambiguity": 0.6,
}


def test_group_claim_is_fast_for_clear_owners_and_slow_for_ambiguous_ones() -> None:
    ledger = simulate(load_scenario(DEMO, CLAIM), seed=3, days=120)
    clear, ambiguous = kind_times(ledger, "shop_noise"), kind_times(ledger, "illegal_boiler")
    assert len(clear) > 300 and len(ambiguous) > 100
    # unclaimed posts wait a day and then climb the tiers: a long right tail
    assert np.quantile(ambiguous, 0.9) > np.quantile(clear, 0.9) + 24
    assert np.mean(ambiguous) > np.mean(clear)


def test_arbitration_settles_ambiguous_ownership_for_the_rest_of_the_run() -> None:
    settings = {**CLAIM, "routing.arbitration.enabled": True, "routing.arbitration.delay_h": 72}
    model = GovernanceModel(load_scenario(DEMO, settings), seed=3, days=120)
    ledger = model.run()
    boiler = ledger.kinds.index("illegal_boiler")
    settled = model.router.settled_at[boiler]
    assert settled is not None and settled < 24 * 40  # the first unclaimed post came early
    inc = ledger.incidents
    later = inc[(inc["kind"] == boiler) & (inc["occurred_at"] > settled)]
    first_visit = visits(ledger).groupby("incident").nth(1)  # where it went after the grid
    departments = {o.id for o in ledger.offices if o.department}
    went = first_visit[first_visit["incident"].isin(later["incident"])]["office"]
    assert len(went) > 50 and went.isin(departments).all()  # claimed by its owner, every one
    without = simulate(load_scenario(DEMO, CLAIM), seed=3, days=120)
    late = [kind_times(led, "illegal_boiler") for led in (ledger, without)]
    assert np.mean(late[0]) < np.mean(late[1])


def test_severity_first_serves_the_worst_sooner() -> None:
    def severe_wait(ledger: Ledger) -> float:
        v = visits(ledger).merge(ledger.incidents[["incident", "severity"]], on="incident")
        return float(v.loc[v["severity"] == 3, "wait_h"].mean())

    one_worker = {"staffing.grid_workers_per_grid": 1}
    diff = paired(one_worker, {**one_worker, "routing.discipline": "severity"}, severe_wait)
    assert diff.high < 0, diff


def test_vulnerable_first_serves_the_vulnerable_sooner() -> None:
    one_worker = {"staffing.grid_workers_per_grid": 1}
    scenario = load_scenario(DEMO, {**one_worker, "routing.discipline": "vulnerable"})
    model = GovernanceModel(scenario, seed=4, days=DAYS)
    ledger = model.run()
    flags = np.array([i.vulnerable for i in model.incidents])
    v = visits(ledger)
    waits = v.groupby("incident")["wait_h"].sum()
    vulnerable = waits[flags[waits.index.to_numpy()]]
    others = waits[~flags[waits.index.to_numpy()]]
    assert len(vulnerable) > 200
    assert vulnerable.mean() < 0.5 * others.mean()


def test_more_grid_workers_diminishing_returns_and_linear_cost() -> None:
    means, costs = [], []
    for workers in (1, 2, 3, 4):
        runs = [
            simulate(
                load_scenario(
                    DEMO, {**AROUND_THE_CLOCK, "staffing.grid_workers_per_grid": workers}
                ),
                s,
                DAYS,
            )
            for s in range(REPS)
        ]
        means.append(np.array([summarize(r)["resolution_time_h"]["mean"] for r in runs]))
        costs.append(staff_cost(runs[0])["grid_worker"])
    gains = [mean_ci(means[i] - means[i + 1]) for i in range(3)]
    assert all(g.low > 0 for g in gains[:2]), gains  # each worker helps …
    assert gains[0].mean > gains[1].mean > gains[2].mean  # … less than the one before
    steps = np.diff(costs)
    np.testing.assert_allclose(steps, steps[0])  # cost rises linearly
    assert steps[0] == pytest.approx(24 * 30.0 * (DAYS / 2 * 24))  # 24 grids × 30/h × window
