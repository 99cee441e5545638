"""Residents' trust: it drives reporting, learns from service and spreads to neighbours.

Directions are asserted with 95% paired confidence intervals over replications that
share seeds (common random numbers) on the demo city.
"""

from __future__ import annotations

import numpy as np

from govsim.engine.model import GovernanceModel, simulate
from govsim.record.ledger import Ledger
from govsim.record.metrics import summarize
from govsim.stats import Interval, mean_ci
from govsim.world.scenario import load_scenario
from tests.support import DEMO
from tests.support import paired as paired_runs

REPS, DAYS = 4, 120.0


def paired(base: dict, other: dict, metric, reps: int = REPS) -> Interval:
    """95% CI of metric(other) − metric(base) for demo variants, on shared seeds."""
    return paired_runs(load_scenario(DEMO, base), load_scenario(DEMO, other), metric, reps, DAYS)


def resident_share(ledger: Ledger) -> float:
    return summarize(ledger)["found_by"]["resident"]


def hidden_mean(ledger: Ledger) -> float:
    from govsim.record.metrics import state_counts

    days = np.arange(ledger.window_h[0], ledger.window_h[1], 24.0)
    return float(state_counts(ledger, days)["hidden"].mean())


#: Few patrols and no volunteers: what residents do not report stays hidden for long.
SPARSE = {
    "staffing.volunteers_per_cell": 0,
    "staffing.patrols_per_day": 0.1,
    "behaviour.petition_after_h": 240,
}
LOW = {**SPARSE, "behaviour.trust.initial": 0.35}
HIGH = {**SPARSE, "behaviour.trust.initial": 0.95}


def test_higher_trust_raises_reporting() -> None:
    assert paired(LOW, HIGH, resident_share).low > 0


def test_higher_trust_lowers_hidden_incidents_and_petitions() -> None:
    assert paired(LOW, HIGH, hidden_mean).high < 0
    assert paired(LOW, HIGH, lambda led: summarize(led)["petitions"]).high < 0


BAD_SERVICE = {
    "staffing.grid_workers_per_grid": 1,
    "routing.handoff_h": {"community": 96, "street": 120, "city": 120},
}


def test_a_bad_run_of_service_lowers_trust_and_then_reporting() -> None:
    def end_trust(ledger: Ledger) -> float:
        return summarize(ledger)["trust"]["end"]

    assert paired({}, BAD_SERVICE, end_trust).high < 0
    assert paired({}, BAD_SERVICE, resident_share).high < 0


def resident_share_by_month(ledger: Ledger) -> tuple[float, float]:
    """Share of reports made by residents, for incidents of the first and the last month."""
    ev = ledger.events
    reports = ev[ev["state"] == 1]
    occurred = ledger.incidents["occurred_at"].to_numpy()[reports["incident"]]
    by_resident = reports["actor"] == 0
    first = occurred < 30 * 24
    last = (occurred >= ledger.window_h[1] - 30 * 24) & (occurred < ledger.window_h[1])
    return float(by_resident[first].mean()), float(by_resident[last].mean())


def test_a_trusting_city_loses_trust_and_then_reports_under_bad_service() -> None:
    scenario = load_scenario(DEMO, {**BAD_SERVICE, "behaviour.trust.initial": 0.9})
    drops, trust_falls = [], []
    for seed in range(REPS):
        ledger = simulate(scenario, seed=seed, days=DAYS)
        trust = ledger.series["trust"].to_numpy()
        trust_falls.append(trust[-1] - trust[0])
        early, late = resident_share_by_month(ledger)
        drops.append(late - early)
    assert mean_ci(np.array(trust_falls)).high < -0.1
    assert mean_ci(np.array(drops)).high < 0


def test_neighbours_pull_trust_together() -> None:
    spread = {"behaviour.trust.learning_rate": 0.0, "behaviour.trust.spread": 0.2}
    alone = GovernanceModel(
        load_scenario(DEMO, {**spread, "behaviour.trust.neighbour_weight": 0}), 1, 30
    )
    talking = GovernanceModel(
        load_scenario(DEMO, {**spread, "behaviour.trust.neighbour_weight": 0.2}), 1, 30
    )
    before = talking.population.trust.std()
    alone.run()
    talking.run()
    assert np.isclose(alone.population.trust.std(), before)  # nothing else moves it
    assert talking.population.trust.std() < 0.5 * before
    # talking moves nobody's mean much: it redistributes, it does not create trust
    assert abs(talking.population.mean_trust() - alone.population.mean_trust()) < 0.02


def test_disabled_behaviour_freezes_trust() -> None:
    model = GovernanceModel(load_scenario(DEMO, {"behaviour.enabled": False}), 2, 40)
    ledger = model.run()
    assert np.all(model.population.trust == 0.7)
    assert summarize(ledger)["petitions"] == 0
    assert ledger.series["trust"].nunique() == 1


def test_door_to_door_visits_find_what_nobody_reported() -> None:
    """Visits find hidden problems, a vulnerable resident's at the first knock."""
    quiet = {
        "staffing.volunteers_per_cell": 0,
        "staffing.patrols_per_day": 0,
        "staffing.visits_per_week": 0,
        "behaviour.petition_after_h": 0,
        "incidents.neighbour_dispute.reporting.prob": 0.0,
    }
    ledger = simulate(load_scenario(DEMO, {**quiet, "staffing.visits_per_week": 2}), 1, DAYS)
    inc = ledger.incidents
    disputes = inc[inc["in_window"] & (inc["kind"] == ledger.kinds.index("neighbour_dispute"))]
    found = disputes[disputes["reported_at"].notna()]
    assert len(found) > 0.9 * len(disputes)
    hidden_days = (found["reported_at"] - found["occurred_at"]) / 24
    vulnerable = found["vulnerable"].to_numpy(dtype=bool)
    # each of 2 workers knocks twice a week: a vulnerable resident waits ~0.9 days for a
    # knock; the others also need the visit to spot the problem (detectability 0.6)
    assert hidden_days[vulnerable].mean() < 0.8 * hidden_days[~vulnerable].mean()
    assert summarize(ledger)["found_by"]["visit"] > 0.1
    none = simulate(load_scenario(DEMO, quiet), 1, DAYS).incidents
    never = none[none["in_window"] & (none["kind"] == ledger.kinds.index("neighbour_dispute"))]
    assert never["reported_at"].isna().all()  # without visits nobody finds them


def test_disputes_flare_where_trust_is_low() -> None:
    """A type with trust elasticity e occurs exp(e × (reference − trust)) times as often:
    with trust held 0.35 below the reference and e = ln 4 / 0.35, four times as often."""
    counts = []
    for trust in (0.7, 0.35):
        scenario = load_scenario(
            DEMO,
            {
                "behaviour.enabled": False,
                "behaviour.trust.initial": trust,
                "incidents.neighbour_dispute.trust_elasticity": np.log(4.0) / 0.35,
            },
        )
        ledger = simulate(scenario, seed=0, days=60)
        frame = ledger.incidents[
            (ledger.incidents["parent"] < 0) & (ledger.incidents["occurred_at"] < 60 * 24)
        ]
        counts.append(frame["kind"].value_counts().reindex(range(len(ledger.kinds)), fill_value=0))
    dispute = ledger.kinds.index("neighbour_dispute")
    ratio = counts[1][dispute] / counts[0][dispute]
    # log of a ratio of Poisson counts: sd ≈ sqrt(1/a + 1/b)
    sd = np.sqrt(1 / counts[1][dispute] + 1 / counts[0][dispute])
    assert abs(np.log(ratio) - np.log(4.0)) < 4 * sd
    other = ledger.kinds.index("home_repair")  # no elasticity: as often as before
    sd_other = np.sqrt(1 / counts[1][other] + 1 / counts[0][other])
    assert abs(np.log(counts[1][other] / counts[0][other])) < 4 * sd_other


def test_rates_follow_trust_as_it_moves() -> None:
    scenario = load_scenario(DEMO, {"incidents.neighbour_dispute.trust_elasticity": 3.0})
    model = GovernanceModel(scenario, seed=0, days=30)
    model.run()
    dispute = model.kinds.index(next(k for k in model.kinds if k.name == "neighbour_dispute"))
    cell_trust = model.population.cell_trust()
    per_cell = model.sampler.base_rates[:, dispute] * np.exp(3.0 * (0.7 - cell_trust))
    np.testing.assert_allclose(
        model.sampler.rate_per_h,
        (
            model.sampler.base_rates.sum(axis=1) - model.sampler.base_rates[:, dispute] + per_cell
        ).sum(),
    )
