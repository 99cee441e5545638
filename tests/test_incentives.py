"""Incentives, fatigue, paperwork and failed fixes: directions with 95% paired CIs over
replications on shared seeds (common random numbers), on the demo city."""

from __future__ import annotations

import numpy as np
import pytest

from govsim.engine.model import GovernanceModel, simulate
from govsim.errors import ScenarioError
from govsim.policies.files import load_policy
from govsim.record.ledger import Ledger
from govsim.record.metrics import summarize
from govsim.stats import Interval
from govsim.world.scenario import load_scenario
from tests.support import DEMO
from tests.support import paired as paired_runs

REPS, DAYS = 4, 90.0


def under(policy: str, extra: dict | None = None):
    found = load_policy(policy)
    return load_scenario(DEMO, extra, found.sections, found.source)


def paired(a, b, metric, reps: int = REPS) -> Interval:
    """95% CI of metric(b) − metric(a) over replications on shared seeds."""
    return paired_runs(a, b, metric, reps, DAYS)


def outcome(name: str):
    return lambda ledger: summarize(ledger)[name]


def test_closure_only_evaluation_games_the_numbers() -> None:
    """Counting closures but not ratings: more closures per worker, lower satisfaction."""
    balanced, closures = under("evaluation_433"), under("closure_only_evaluation")
    assert paired(balanced, closures, outcome("closures_per_worker_day")).low > 0
    assert paired(balanced, closures, outcome("satisfaction")).high < 0
    assert paired(balanced, closures, outcome("recurrences")).low > 0


def test_overdue_alerts_raise_the_on_time_rate() -> None:
    loaded = {"staffing.grid_workers_per_grid": 1}
    diff = paired(
        under("status_quo", loaded), under("overdue_alerts", loaded), outcome("on_time_rate")
    )
    assert diff.low > 0, diff


def test_burden_reduction_frees_hours_that_shorten_resolution() -> None:
    def mean_resolution(ledger: Ledger) -> float:
        return summarize(ledger)["resolution_time_h"]["mean"]

    diff = paired(under("status_quo"), under("burden_reduction"), mean_resolution)
    assert diff.high < 0, diff


def test_overtime_tires_workers_and_slows_them() -> None:
    model = GovernanceModel(load_scenario(DEMO, {"staffing.grid_workers_per_grid": 1}), 1, 60)
    model.run()
    workers = list(model.agents_by_type[type(model.offices[0].staff[0])])
    fatigue = np.array([w.fatigue for w in workers])
    speed = np.array([w.speed / w.base_speed for w in workers])
    assert (fatigue > 0).any()
    np.testing.assert_allclose(speed, 1 / (1 + 0.2 * fatigue))


def test_failed_fixes_come_back_as_recurrences() -> None:
    ledger = simulate(load_scenario(DEMO), seed=2, days=DAYS)
    inc = ledger.incidents.set_index("incident")
    again = inc[inc["parent"] >= 0]
    assert len(again) > 100
    parents = inc.loc[again["parent"]]
    assert parents["failed"].all()
    assert (again["occurred_at"].to_numpy() > parents["resolved_at"].to_numpy()).all()
    assert (again["kind"].to_numpy() == parents["kind"].to_numpy()).all()
    assert (again["cell"].to_numpy() == parents["cell"].to_numpy()).all()


def test_recurrences_leave_the_shared_incidents_alone() -> None:
    """A policy that breaks more fixes must not change which first-time incidents occur."""
    a = simulate(under("evaluation_433"), seed=3, days=40).incidents
    b = simulate(under("closure_only_evaluation"), seed=3, days=40).incidents
    first_a, first_b = a[a["parent"] < 0], b[b["parent"] < 0]
    n = min(len(first_a), len(first_b))
    np.testing.assert_array_equal(first_a["occurred_at"][:n], first_b["occurred_at"][:n])


def test_evaluation_weights_must_sum_to_one() -> None:
    with pytest.raises(ScenarioError, match=r"incentives\.evaluation: weights must sum to 1"):
        load_scenario(DEMO, {"incentives.evaluation.government": 0.9})
