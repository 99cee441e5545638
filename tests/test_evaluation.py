"""Monthly evaluation: points, red/black lists, accountability for overdue cases, effort."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from govsim.engine.model import simulate
from govsim.policies.evaluation import MonthlyEvaluation
from govsim.record.metrics import monthly_evaluations, staff_cost, summarize
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
                "min_caseload": 0,  # the idle worker is scored (1: nothing to count)
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


def evaluation(**points) -> MonthlyEvaluation:
    """The evaluation of the demo with ``incentives.points`` set as given (bonus 0.5)."""
    settings = {"enabled": True, "list_share": 0.25, "effort_step": 0.1, **points}
    scenario = load_scenario(
        DEMO, {"incentives.bonus": 0.5, "incentives.points": settings}
    )
    return MonthlyEvaluation(scenario)


def test_an_idle_worker_is_not_rated_under_a_minimum_caseload() -> None:
    """With nothing to count a worker scores 1; under ``min_caseload`` (1 by default) they
    are not rated: not excellent, on no list, their effort neither pushed nor kept up."""
    def team():
        return [
            worker(1, closed=10, on_time=10, failed=0, rated=8, satisfied=8),
            worker(2, closed=10, on_time=6, failed=1, rated=5, satisfied=4),
            worker(3, closed=0, on_time=0, failed=0, rated=0, satisfied=0),  # idle
            worker(4, closed=4, on_time=4, failed=2, rated=2, satisfied=1),
        ]

    before = evaluation(min_caseload=0).evaluate(team())
    assert before["excellent"][2] and before["listed"][2] == -1  # idle: excellent, and black
    after = evaluation().evaluate(team())
    assert after["rated"].tolist() == [True, True, False, True]
    assert after["excellent"].tolist() == [True, False, False, False]
    assert after["listed"][2] == 0
    assert (after["listed"] < 0).sum() == 1  # the black list is drawn from rated workers


def test_the_share_excellent_is_over_rated_workers() -> None:
    on = load_scenario(
        DEMO,
        {
            "incentives.points": {"enabled": True, "min_caseload": 10},
            "incentives.bonus": 0.5,
            "staffing.grid_workers_per_grid": 6,
            "routing.dispatch": "last_freed",  # some workers close fewer than 10 a month
        },
    )
    ledger = simulate(on, seed=0, days=60)
    frame = ledger.evaluations
    assert frame["rated"].any() and not frame["rated"].all()
    assert not (frame["excellent"] & ~frame["rated"]).any()
    assert not ((frame["listed"] != 0) & ~frame["rated"]).any()
    months = monthly_evaluations(ledger)
    expected = frame.groupby("time_h").apply(
        lambda g: g["excellent"].sum() / g["rated"].sum(), include_groups=False
    )
    np.testing.assert_allclose(months["share_excellent"], expected.to_numpy())


def test_a_yearly_period_evaluates_once_a_year() -> None:
    settings = {"incentives.points.enabled": True}
    monthly = simulate(load_scenario(DEMO, settings), seed=0, days=400)
    yearly = simulate(
        load_scenario(DEMO, {**settings, "incentives.points.period": "yearly"}), seed=0, days=400
    )
    assert monthly_evaluations(yearly)["time_h"].tolist() == [360 * 24.0]
    assert len(monthly_evaluations(monthly)) >= 13


def test_effort_decays_when_pressure_stops() -> None:
    """Rated excellent (or not rated) a worker loses ``effort_decay`` of their effort; by
    default (0) effort never falls, so a rise in the share excellent is built in."""
    def flawless():
        return [worker(1, closed=10, on_time=10, failed=0, rated=8, satisfied=8)]

    def idle():
        return [worker(2, closed=0, on_time=0, failed=0, rated=0, satisfied=0)]

    kept = flawless()
    evaluation().evaluate(kept)
    assert kept[0].effort == pytest.approx(0.1)  # effort only rises
    relaxed = flawless()
    evaluation(effort_decay=0.5).evaluate(relaxed)
    assert relaxed[0].effort == pytest.approx(0.05)
    unrated = idle()
    evaluation(effort_decay=0.5, min_caseload=1).evaluate(unrated)
    assert unrated[0].effort == pytest.approx(0.05)
    pressed = [worker(3, closed=10, on_time=2, failed=5, rated=5, satisfied=0)]
    evaluation(effort_decay=0.5, list_share=0.0).evaluate(pressed)
    assert pressed[0].effort == pytest.approx(0.1 + 0.1 * 0.5)  # not excellent: pushed


def test_pay_follows_the_rating_in_the_staff_cost() -> None:
    settings = {"incentives.points.enabled": True, "incentives.bonus": 0.5}
    unpaid = simulate(load_scenario(DEMO, settings), seed=0, days=90)
    paid = simulate(
        load_scenario(DEMO, {**settings, "incentives.points.pay_per_excellent": 100.0}),
        seed=0,
        days=90,
    )
    frame = paid.evaluations
    w0, w1 = paid.window_h
    inside = frame[(frame["time_h"] > w0) & (frame["time_h"] <= w1)]
    assert inside["excellent"].sum() > 0
    assert staff_cost(unpaid)["bonus"] == 0.0
    assert staff_cost(paid)["bonus"] == pytest.approx(100.0 * inside["excellent"].sum())
    # the pay is a cost, not a behaviour: everything else is the same run
    assert staff_cost(paid)["grid_worker"] == staff_cost(unpaid)["grid_worker"]
