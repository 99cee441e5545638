"""Time-varying operations: the daily-cycle formulas, the Ciw peer, and govsim beside them.

The formulas (PSA, MOL, the relaxation-time rule) are checked against what they must be
by construction; the Ciw model against Erlang C where the queue is stationary; and the
day/night desk of scenarios/theory/daily.yaml in govsim against Ciw hour by hour (the
slow test: 30 replications of each, as docs/theory.md reports).
"""

from __future__ import annotations

import numpy as np
import pytest

from govsim.analysis import queueing
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
    assert expected_to_hold(FLAT).all()
    mask = expected_to_hold(DAY_NIGHT)
    hours = set(np.flatnonzero(mask))
    # never right after a change of servers, nor in the last hour before one
    assert not hours & {7, 8, 19, 20}
    # nor before one relaxation time (4.5 h at 10–18) after the arrival rate changed
    assert not hours & {10, 11, 12, 13, 14} and {15, 16, 17} <= hours
    # the night: λ and c unchanged from 20:00 to 06:00, relaxation 2.5 h
    assert {23, 0, 1, 2, 3, 4, 5} <= hours and not hours & {21, 22}


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


ciw = pytest.importorskip("ciw")

from govsim.analysis.ciw_peer import ciw_hourly_waits  # noqa: E402


def test_ciw_model_is_erlang_c_when_stationary() -> None:
    """The Ciw harness itself: constant λ and servers give Erlang C, an interval narrow
    enough to exclude the wait of a service rate 20% off."""
    queue = DailyQueue((3.0,) * 24, (4,) * 24, 1.0)
    runs = np.array([ciw_hourly_waits(queue, 30, 2, seed) for seed in range(10)])
    interval = mean_ci(runs.mean(axis=1))
    assert interval.contains(queueing.mmc(3.0, 1.0, 4).mean_wait)
    assert not interval.contains(queueing.mmc(3.0, 1.2, 4).mean_wait)
    assert not interval.contains(queueing.mmc(3.0, 1 / 1.2, 4).mean_wait)
