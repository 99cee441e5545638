"""Each metric's definition, checked on a ledger small enough to work out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from govsim.engine.incidents import Incident, State
from govsim.record.ledger import ROLES, STAFF_DTYPE, Ledger, OfficeInfo
from govsim.record.metrics import (
    equity,
    incidents_at,
    on_time_rate,
    reached,
    resolution_times,
    satisfaction,
    staff_cost,
    state_counts,
    summarize,
    tier_flow,
    tier_table,
    visits,
)

S = State


def incident(
    i: int,
    occurred: float,
    reported: float,
    deadline_h: float,
    resolved: float,
    rating: float = float("nan"),
) -> Incident:
    inc = Incident(i, 0, 0, 0, 1, 0, occurred, [1.0, 1.0], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    inc.reported_at, inc.deadline_at = reported, reported + deadline_h
    inc.resolved_at, inc.rating = resolved, rating
    return inc


@pytest.fixture
def ledger() -> Ledger:
    """A: resolved at the grid. B: handed up, resolved late at the community.
    C: hidden, never reported. D: after the window (does not count)."""
    led = Ledger()
    nan = float("nan")
    for row in [
        (0.0, 0, S.OCCURRED, -1, -1),
        (1.0, 0, S.REPORTED, -1, 0),
        (1.0, 0, S.VERIFIED, -1, -1),
        (1.0, 0, S.QUEUED, 0, -1),
        (2.0, 0, S.STARTED, 0, 7),
        (5.0, 0, S.RESOLVED, 0, 7),
        (6.0, 0, S.FOLLOWED_UP, -1, -1),
        (10.0, 1, S.OCCURRED, -1, -1),
        (10.0, 1, S.REPORTED, -1, 1),
        (10.0, 1, S.VERIFIED, -1, -1),
        (10.0, 1, S.QUEUED, 0, -1),
        (10.0, 1, S.STARTED, 0, 7),
        (12.0, 1, S.ESCALATED, 0, 7),
        (14.0, 1, S.QUEUED, 1, -1),
        (15.0, 1, S.STARTED, 1, 9),
        (30.0, 1, S.RESOLVED, 1, 9),
        (31.0, 1, S.FOLLOWED_UP, -1, -1),
        (50.0, 2, S.OCCURRED, -1, -1),
        (110.0, 3, S.OCCURRED, -1, -1),
        (110.0, 3, S.REPORTED, -1, 0),
        (110.0, 3, S.VERIFIED, -1, -1),
        (110.0, 3, S.QUEUED, 0, -1),
        (110.0, 3, S.STARTED, 0, 7),
        (111.0, 3, S.RESOLVED, 0, 7),
    ]:
        led.record((row[0], row[1], int(row[2]), row[3], row[4]))
    led.staff_change(0.0, 0, "grid_worker", 1)
    led.staff_change(0.0, 1, "office_staff", 1)
    led.freeze(
        [
            incident(0, 0.0, 1.0, 10.0, 5.0, rating=5.0),
            incident(1, 10.0, 10.0, 12.0, 30.0, rating=2.0),
            incident(2, 50.0, nan, float("inf"), nan),
            incident(3, 110.0, 110.0, 10.0, 111.0),
        ],
        [
            OfficeInfo(0, "grid 0", "grid", 0, 1),
            OfficeInfo(1, "community 0", "community", 1, 1),
        ],
        ["request"],
        ["community"],
        ["grid", "community"],
        (0.0, 100.0),
        120.0,
        {
            "scenario": "hand",
            "seed": 0,
            "days": 5,
            "satisfied_at": 4.0,
            "hourly_cost": {
                "grid_worker": 30.0,
                "part_time": 25.0,
                "office_staff": 40.0,
                "department_staff": 50.0,
            },
        },
    )
    return led


def test_visits(ledger: Ledger) -> None:
    v = visits(ledger)
    assert v[["incident", "office"]].values.tolist() == [[0, 0], [1, 0], [1, 1]]
    np.testing.assert_allclose(v["wait_h"], [1.0, 0.0, 1.0])
    np.testing.assert_allclose(v["sojourn_h"], [4.0, 2.0, 16.0])
    assert v["resolved"].tolist() == [True, False, True]


def test_tier_table(ledger: Ledger) -> None:
    table = tier_table(ledger)
    assert table.loc["grid", "visits"] == 2
    assert table.loc["grid", "arrivals_per_h"] == pytest.approx(2 / 100)
    assert table.loc["grid", "mean_wait_h"] == pytest.approx(0.5)
    assert table.loc["grid", "mean_sojourn_h"] == pytest.approx(3.0)
    assert table.loc["grid", "utilisation"] == pytest.approx((3 + 2) / 100)  # D is outside
    assert table.loc["community", "utilisation"] == pytest.approx(15 / 100)


def test_resolution_times(ledger: Ledger) -> None:
    np.testing.assert_allclose(resolution_times(ledger), [5.0, 20.0])
    np.testing.assert_allclose(resolution_times(ledger, since="report"), [4.0, 20.0])


def test_reached_on_time_satisfaction(ledger: Ledger) -> None:
    assert reached(ledger) == {"community": 0.5}
    assert on_time_rate(ledger) == 0.5
    assert satisfaction(ledger) == {"mean_rating": 3.5, "share_satisfied": 0.5, "rated": 2}


def test_state_counts(ledger: Ledger) -> None:
    counts = state_counts(ledger, np.array([0.5, 11.0, 60.0, 110.5]))
    assert counts["hidden"].tolist() == [1, 0, 1, 1]
    assert counts["backlog"].tolist() == [0, 1, 0, 1]
    assert counts["resolved"].tolist() == [0, 1, 2, 2]


def test_incidents_at(ledger: Ledger) -> None:
    # A hidden, then at the grid desk; B between desks (handed up at 12 h), then at the
    # community desk; C hidden from 50 h on; D in hand at the grid at 110.5 h
    rows = incidents_at(ledger, np.array([0.5, 1.5, 13.0, 14.5, 60.0, 110.5]))
    assert rows.values.tolist() == [
        [0.5, 0, 0, "hidden"],
        [1.5, 0, 0, "grid"],
        [13.0, 1, 0, "handing over"],
        [14.5, 1, 0, "community"],
        [60.0, 2, 0, "hidden"],
        [110.5, 2, 0, "hidden"],
        [110.5, 3, 0, "grid"],
    ]
    assert incidents_at(ledger, np.array([200.0]))["incident"].tolist() == [2]  # hidden for good
    none = incidents_at(ledger, np.array([]))
    assert none.empty and list(none.columns) == ["time_h", "incident", "cell", "where"]


def test_tier_flow(ledger: Ledger) -> None:
    # reported window incidents only: A closed at the grid, B handed up to the community
    flow = tier_flow(ledger)
    assert flow.values.tolist() == [
        [("grid",), "grid", 1],
        [("grid", "community"), "community", 1],
    ]


def test_equity(ledger: Ledger) -> None:
    # A (5 h) and B (20 h) share cell 0: one grid, no spread; nobody is vulnerable
    result = equity(ledger)
    assert result["grid_spread_h"] == 0.0
    assert np.isnan(result["vulnerable_gap_h"])
    ledger.incidents.loc[1, "vulnerable"] = True
    assert equity(ledger)["vulnerable_gap_h"] == pytest.approx(20.0 - 5.0)


def test_staff_cost(ledger: Ledger) -> None:
    # one grid worker and one community staff member, paid for the 100-hour window
    assert staff_cost(ledger) == {
        "grid_worker": 3000.0,
        "part_time": 0.0,
        "office_staff": 4000.0,
        "department_staff": 0.0,
        "bonus": 0.0,
    }


def test_staff_on_duty_for_part_of_the_window(ledger: Ledger) -> None:
    # a part-timer at the grid on duty 20–40 h and 90–130 h (10 h of it past the window)
    shifts = [(20.0, 1), (40.0, -1), (90.0, 1), (130.0, -1)]
    extra = np.array([(t, 0, ROLES.index("part_time"), c) for t, c in shifts], STAFF_DTYPE)
    ledger.staff = np.concatenate([ledger.staff, extra])
    table = tier_table(ledger)
    assert table.loc["grid", "servers"] == pytest.approx(1.3)  # (100 + 20 + 10) h / 100 h
    assert table.loc["grid", "utilisation"] == pytest.approx(5 / 130)
    cost = staff_cost(ledger)
    assert cost["part_time"] == pytest.approx(30 * 25.0)
    assert cost["grid_worker"] == pytest.approx(3000.0)


def test_summary(ledger: Ledger) -> None:
    summary = summarize(ledger)
    assert summary["incidents"] == 3
    assert summary["reported"] == 2 and summary["resolved"] == 2
    assert summary["escalation_rate"] == 0.5
    assert summary["resolution_time_h"]["median"] == pytest.approx(12.5)
    assert summary["found_by"] == {
        "resident": 0.5,
        "patrol": 0.5,
        "volunteer": 0.0,
        "petition": 0.0,
        "visit": 0.0,
    }
    assert summary["petitions"] == 0
    assert summary["hidden_at_horizon"] == 1
