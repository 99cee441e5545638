"""Time-varying operations: the daily-cycle formulas, the Ciw peer, and govsim beside them.

The formulas (PSA, MOL, the relaxation-time rule) are checked against what they must be
by construction; the Ciw model against Erlang C where the queue is stationary; and the
day/night desk of scenarios/theory/daily.yaml in govsim against Ciw hour by hour (the
slow test: 30 replications of each, as docs/theory.md reports).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govsim.analysis import queueing
from govsim.analysis.ciw_peer import ciw_hourly_waits
from govsim.analysis.daily import (
    DailyRuns,
    daily_passed,
    daily_queue,
    daily_scenario,
    daily_table,
    run_daily,
)
from govsim.analysis.timevarying import (
    DailyQueue,
    expected_to_hold,
    hourly_means,
    mol_offered_load,
    mol_waits,
    psa_waits,
    relaxation_h,
)
from govsim.stats import difference_ci, mean_ci

DAY_NIGHT = DailyQueue(
    arrival_rates=(4.8,) * 6 + (6.4,) * 2 + (12.0,) * 2 + (16.0,) * 8 + (14.0,) * 2 + (4.8,) * 4,
    servers=(2,) * 8 + (5,) * 12 + (2,) * 4,
    service_rate=4.0,
)
FLAT = DailyQueue(arrival_rates=(3.0,) * 24, servers=(4,) * 24, service_rate=1.0)


def test_psa_is_erlang_c_hour_by_hour() -> None:
    expected = [
        queueing.mmc(lam, 4.0, c).mean_wait
        for lam, c in zip(DAY_NIGHT.arrival_rates, DAY_NIGHT.servers, strict=True)
    ]
    assert psa_waits(DAY_NIGHT) == pytest.approx(expected, rel=1e-12)
    overloaded = DailyQueue((9.0,) * 24, (2,) * 24, 4.0)
    assert np.isinf(psa_waits(overloaded)).all()


def test_mol_equals_psa_when_nothing_varies() -> None:
    assert mol_waits(FLAT) == pytest.approx(psa_waits(FLAT), rel=1e-9)


def test_mol_load_solves_its_equation_and_repeats_daily() -> None:
    """m'(t) = λ(t) − μ m(t) within each hour, continuous across hours, periodic."""
    points = 600
    load = mol_offered_load(DAY_NIGHT, points)
    step = 1.0 / points
    slope = np.diff(load, axis=1) / step
    middle = (load[:, 1:] + load[:, :-1]) / 2
    lam = np.asarray(DAY_NIGHT.arrival_rates)[:, None]
    assert slope == pytest.approx(lam - 4.0 * middle, abs=1e-3)
    flat = load.ravel()
    assert abs(flat[0] - flat[-1]) < 0.05  # midnight: last point of 23:00 to first of 00:00
    jumps = np.abs(np.diff(flat))
    assert jumps.max() < 0.05  # no jump at hour boundaries either
    # it lags λ/μ: at 20:00 it still holds the day's 14/4 = 3.5 erlangs and closes the
    # gap to the night's 1.2 by the factor e^(−μ·1 h) over the hour
    assert load[20, 0] == pytest.approx(3.5, abs=0.02)
    assert load[20, -1] - 1.2 == pytest.approx((load[20, 0] - 1.2) * np.exp(-4.0), rel=0.01)


def test_mol_has_no_answer_while_the_load_exceeds_the_servers() -> None:
    # at 20:00 the load is still ~3.5 erlangs from the day, the night has 2 servers
    waits = mol_waits(DAY_NIGHT)
    assert np.isinf(waits[20]) and np.isfinite(waits[21])


def test_relaxation_time() -> None:
    assert relaxation_h(0.5, 1.0, 1) == pytest.approx(1 / (1 - np.sqrt(0.5)) ** 2)
    assert relaxation_h(16.0, 4.0, 5) == pytest.approx(1 / (np.sqrt(20) - 4) ** 2)
    assert relaxation_h(9.0, 4.0, 2) == np.inf


def test_approximations_are_checked_only_where_the_queue_has_settled() -> None:
    """Three relaxation times (to 5%) after the last change of λ or c, and the servers
    unchanged for the hour after."""
    assert expected_to_hold(FLAT).all()
    # the night: λ = 4.8 and c = 2 from 20:00, τ = 2.46 h, settled 7.4 h later (03:24)
    # until 06:00; the day never settles (τ = 4.5 h at ρ = 0.8, 0.98 h at 08–10)
    assert set(np.flatnonzero(expected_to_hold(DAY_NIGHT))) == {4, 5}
    # a looser tolerance admits more hours, still none straight after a change
    loose = set(np.flatnonzero(expected_to_hold(DAY_NIGHT, tolerance=0.3)))
    assert {0, 1, 2, 3, 4, 5, 16, 17, 23} == loose


def test_shifts_start_at_a_change_of_crew() -> None:
    assert DAY_NIGHT.shifts() == (8.0, [(12.0, 5), (24.0, 2)])
    assert FLAT.shifts() == (0.0, [(24.0, 4)])
    with pytest.raises(ValueError, match="one value per hour"):
        DailyQueue((1.0,) * 23, (1,) * 23, 1.0)


def test_hourly_means_group_by_hour_of_the_day() -> None:
    means = hourly_means(np.array([0.5, 24.2, 49.9, 23.0]), np.array([1.0, 3.0, 5.0, 7.0]))
    assert means[0] == 2.0 and means[1] == 5.0 and means[23] == 7.0
    assert np.isnan(means[2:23]).all()


def test_difference_ci_covers_at_its_level_with_unequal_spreads() -> None:
    rng = np.random.default_rng(1)
    hits = sum(
        difference_ci(rng.normal(1.0, 1.0, 30), rng.normal(1.0, 3.0, 10)).contains(0.0)
        for _ in range(4000)
    )
    assert 0.94 <= hits / 4000 <= 0.96


def test_ciw_model_is_erlang_c_when_stationary() -> None:
    """The Ciw harness itself: constant λ and servers give Erlang C, an interval narrow
    enough to exclude the wait of a service rate 20% off."""
    queue = DailyQueue((3.0,) * 24, (4,) * 24, 1.0)
    runs = np.array([ciw_hourly_waits(queue, 30, 2, seed) for seed in range(10)])
    interval = mean_ci(runs.mean(axis=1))
    assert interval.contains(queueing.mmc(3.0, 1.0, 4).mean_wait)
    assert not interval.contains(queueing.mmc(3.0, 1.2, 4).mean_wait)
    assert not interval.contains(queueing.mmc(3.0, 1 / 1.2, 4).mean_wait)

#: Replications of each simulator in the side-by-side check (as docs/theory.md reports).
REPS = 30


def test_the_scenario_is_the_day_night_queue() -> None:
    """daily.yaml's roster and hour profile make the queue the formulas above test."""
    queue = daily_queue(daily_scenario())
    assert queue.servers == DAY_NIGHT.servers
    assert queue.arrival_rates == pytest.approx(DAY_NIGHT.arrival_rates, rel=1e-12)
    assert queue.service_rate == DAY_NIGHT.service_rate


def test_quick_side_by_side() -> None:
    """The quick variant: three replications each, end to end, agreeing in every hour."""
    scenario = daily_scenario()
    runs = run_daily(3, scenario)
    assert runs.govsim.shape == runs.ciw.shape == (3, 24)
    table = daily_table(runs)
    assert table["agree"].all(), table.to_string()


@pytest.fixture(scope="module")
def desk() -> tuple[DailyRuns, pd.DataFrame]:
    runs = run_daily(REPS)
    return runs, daily_table(runs)


def test_govsim_and_ciw_agree_hour_by_hour(desk: tuple[DailyRuns, pd.DataFrame]) -> None:
    runs, table = desk
    assert runs.ciw is not None and runs.ciw.shape == (REPS, 24)
    assert table["agree"].all(), table[~table["agree"]].to_string()


def test_approximations_hold_where_the_queue_has_settled(
    desk: tuple[DailyRuns, pd.DataFrame],
) -> None:
    """PSA and MOL inside both simulators' intervals in the checked hours, and those
    intervals narrow enough to exclude PSA with a service rate 20% off."""
    runs, table = desk
    checked = table[table["checked"]]
    assert len(checked) >= 2
    assert checked[["psa_ok", "mol_ok"]].to_numpy().all(), checked.to_string()
    assert daily_passed(table)
    for factor in (1.2, 1 / 1.2):
        rival = DailyQueue(DAY_NIGHT.arrival_rates, DAY_NIGHT.servers, 4.0 * factor)
        wrong = psa_waits(rival)[table["checked"].to_numpy()]
        for sample in (runs.govsim, runs.ciw):
            for hour, value in zip(checked["hour"], wrong, strict=True):
                assert not mean_ci(sample[:, hour], 0.999).contains(value)


def test_the_schedule_change_shows_and_psa_misses_it(
    desk: tuple[DailyRuns, pd.DataFrame],
) -> None:
    """At 08:00 five handlers replace two: the wait of arrivals at 08:00–09:00 is a
    fraction of the hour before's in both simulators, while PSA, blind to the coming
    crew, puts 06:00–08:00 far above what either simulator measures."""
    runs, table = desk
    for sample in (runs.govsim, runs.ciw):
        before, after = mean_ci(sample[:, 7]), mean_ci(sample[:, 8])
        assert after.high < before.low / 4
    early = table[table["hour"].isin([6, 7])]
    assert (early["psa"] > early["govsim_high"]).all() and (early["psa"] > early["ciw_high"]).all()


def test_the_comparison_tells_a_wrong_peer_apart(desk: tuple[DailyRuns, pd.DataFrame]) -> None:
    """Power: Ciw with handling 10% faster, or with a pre-emptive schedule (a leaving
    crew drops its jobs, resumed later, instead of finishing them as govsim's crews
    do), fails the hour-by-hour agreement — with a third of the replications."""
    runs, _ = desk
    run = daily_scenario().run
    faster = DailyQueue(DAY_NIGHT.arrival_rates, DAY_NIGHT.servers, 4.0 * 1.1)
    seeds = range(REPS // 3)
    rivals = {
        "faster": [ciw_hourly_waits(faster, run.days, run.warmup_days, s) for s in seeds],
        "pre-emptive": [
            ciw_hourly_waits(DAY_NIGHT, run.days, run.warmup_days, s, preemption="resume")
            for s in seeds
        ],
    }
    for name, waits in rivals.items():
        table = daily_table(DailyRuns(runs.queue, runs.govsim, np.array(waits)))
        assert not table["agree"].all(), name
    preemptive = daily_table(DailyRuns(runs.queue, runs.govsim, np.array(rivals["pre-emptive"])))
    # the crews' hand-over is what differs: right after the evening drop
    assert not preemptive.loc[preemptive["hour"] == 20, "agree"].item()
