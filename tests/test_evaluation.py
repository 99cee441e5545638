"""Monthly evaluation: points, red/black lists, accountability for overdue cases, effort."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from govsim.engine.model import simulate
from govsim.policies.evaluation import MonthlyEvaluation
from govsim.record.metrics import monthly_evaluations, summarize
from govsim.world.scenario import load_scenario
from tests.support import DEMO, paired


def worker(uid: int, closed: int, on_time: int, failed: int, rated: int, satisfied: int):
    tally = {"closed": closed, "on_time": on_time, "failed": failed}
    return SimpleNamespace(
        unique_id=uid, effort=0.1, tally={**tally, "rated": rated, "satisfied": satisfied}
    )


def test_scores_points_lists_and_effort_by_hand() -> None:
    scenario = load_scenario(
        DEMO,
        {
            "incentives.bonus": 0.5,
            "incentives.evaluation": {"government": 0.4, "community": 0.3, "residents": 0.3},
            "incentives.points": {
                "enabled": True,
                "per_closure": 1,
                "per_satisfied": 2,
                "overdue_penalty": 3,
                "list_share": 0.25,
                "excellent_at": 0.9,
                "effort_step": 0.1,
                "black_list_push": 0.2,
                "effort_max": 0.3,
            },
        },
    )
    workers = [
        worker(1, closed=10, on_time=10, failed=0, rated=8, satisfied=8),  # flawless
        worker(2, closed=10, on_time=6, failed=1, rated=5, satisfied=4),  # 4 overdue
        worker(3, closed=0, on_time=0, failed=0, rated=0, satisfied=0),  # nothing to judge
        worker(4, closed=4, on_time=4, failed=2, rated=2, satisfied=1),
    ]
    result = MonthlyEvaluation(scenario).evaluate(workers)
    np.testing.assert_allclose(result["points"], [10 + 16, 10 + 8 - 12, 0, 4 + 2])
    np.testing.assert_allclose(
        result["score"],
        [1.0, 0.4 * 0.6 + 0.3 * 0.9 + 0.3 * 0.8, 1.0, 0.4 + 0.3 * 0.5 + 0.3 * 0.5],
    )
    assert result["excellent"].tolist() == [True, False, True, False]
    assert result["listed"].tolist() == [1, 0, -1, 0]  # one red (most points), one black
    # not excellent: +0.1 × bonus 0.5; black list: +0.2; capped at 0.3
    np.testing.assert_allclose(result["effort"], [0.1, 0.15, 0.3, 0.15])
    assert [w.effort for w in workers] == pytest.approx([0.1, 0.15, 0.3, 0.15])
    assert all(sum(w.tally.values()) == 0 for w in workers)  # a new month starts


def test_no_evaluation_unless_switched_on() -> None:
    ledger = simulate(load_scenario(DEMO), seed=0, days=60)
    assert ledger.evaluations.empty
    assert summarize(ledger)["excellent"]["last"] is None


def test_every_grid_worker_is_evaluated_each_month() -> None:
    on = load_scenario(DEMO, {"incentives.points.enabled": True, "incentives.bonus": 0})
    ledger = simulate(on, seed=0, days=90)
    months = monthly_evaluations(ledger)
    assert months["time_h"].tolist()[:3] == [720.0, 1440.0, 2160.0]  # then the drain
    assert (ledger.evaluations.groupby("time_h").size() == 48).all()  # 24 grids × 2
    assert (months["red"] == 5).all() and (months["black"] == 5).all()  # 10% of 48
    # without a bonus only the black list pushes effort, by 0.02 a month
    pushed = ledger.evaluations.groupby("worker")["effort"].max()
    assert set(np.round(pushed.unique(), 10)) <= {0.0, 0.02, 0.04, 0.06, 0.08}


def test_tying_evaluation_to_bonuses_raises_the_share_rated_excellent() -> None:
    """Helong: when pay follows the evaluation, effort grows until most are excellent."""
    settings = {
        "incentives.points.enabled": True,
        "incentives.bonus": 0.5,
        "staffing.grid_workers_per_grid": 1,
    }
    responsive = load_scenario(DEMO, settings)
    rigid = load_scenario(DEMO, {**settings, "incentives.points.effort_step": 0.0})

    def last_year_excellent(ledger) -> float:
        months = monthly_evaluations(ledger)
        return float(months["share_excellent"].iloc[-14:-2].mean())

    change = paired(rigid, responsive, last_year_excellent, reps=3, days=360)
    assert change.low > 0
