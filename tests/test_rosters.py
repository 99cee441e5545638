"""Rosters: shifts, out-of-hours waits, the duty desk, call-outs, overtime and paid hours.

Most cases run the M/M/c theory scenario (one grid, nobody travels, everything reported at
once) with its grid workers on shifts, so each mechanism's effect has a known size.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from govsim.analysis.theory import THEORY_DIR
from govsim.engine.incidents import State
from govsim.engine.model import GovernanceModel, simulate
from govsim.errors import ScenarioError
from govsim.record.hours import (
    extra_hours,
    first_start_h,
    on_duty_by_hour_of_week,
    on_duty_hours,
    out_of_hours,
    paid_hours,
)
from govsim.record.ledger import ROLES, Ledger
from govsim.record.metrics import staff_cost, visits
from govsim.stats import mean_ci
from govsim.world.calendar import Calendar
from govsim.world.scenario import HOURS_PER_YEAR, Scenario, deep_merge, read_yaml, validate_scenario
from tests.support import paired

MMC = THEORY_DIR / "mmc.yaml"
GRID = ROLES.index("grid_worker")
DAY = {"start_h": 8, "hours": 10}  # 08:00–18:00
NIGHT = {"start_h": 18, "hours": 14}  # 18:00–08:00 the next morning


def mmc_with(changes: dict[str, Any]) -> Scenario:
    """The M/M/c theory scenario (3 grid workers) with whole sections changed; λ = 0.5/h."""
    base = deep_merge(
        read_yaml(MMC), {"incidents": {"request": {"rate": 0.5 * HOURS_PER_YEAR / 1000}}}
    )
    return validate_scenario(deep_merge(base, changes), source="mmc")


def day_shift(**rosters: Any) -> Scenario:
    """The grid workers on a 08:00–18:00 day shift every day, with more ``rosters``."""
    return mmc_with(
        {"rosters": {"shifts": {"day": DAY}, "grid_workers": [{"shift": "day"}], **rosters}}
    )


def wait_queued_between(ledger: Ledger, first_h: float, last_h: float) -> float:
    """Mean wait (h) at the grid of the visits queued between those hours of the day."""
    v = visits(ledger)
    hour = v["queued_at"] % 24.0
    return float(v.loc[(hour >= first_h) & (hour < last_h), "wait_h"].mean())


def test_an_incident_at_22_00_waits_for_the_morning_one_at_10_00_does_not() -> None:
    """Under a day shift a report at 21:00–23:00 waits until 08:00 (9–11 h); one at
    10:00–12:00 hardly waits (3 workers at λ = 0.5/h); paired within each replication."""
    scenario = day_shift()
    gaps = [
        wait_queued_between(ledger, 21, 23) - wait_queued_between(ledger, 10, 12)
        for ledger in (simulate(scenario, seed=s, days=60) for s in range(4))
    ]
    gap = mean_ci(np.array(gaps))
    assert gap.low > 9.0 and gap.high < 11.5  # the hours to 08:00, plus the morning queue
    around_the_clock = simulate(mmc_with({}), seed=0, days=60)
    assert wait_queued_between(around_the_clock, 21, 23) < 0.5


def test_a_night_duty_desk_shortens_night_waits() -> None:
    """Grid closed 18:00–08:00: a street duty desk on the night shift takes what arrives,
    instead of it waiting up to 14 h for the morning."""
    waiting = day_shift(shifts={"day": DAY, "night": NIGHT})
    duty = day_shift(
        shifts={"day": DAY, "night": NIGHT},
        duty_desk={"tier": "street", "staff": 2, "shifts": ["night"]},
        out_of_hours={"action": "duty_desk"},
    )

    def night_wait(ledger: Ledger) -> float:
        return out_of_hours(ledger)["wait_h"]

    change = paired(waiting, duty, night_wait, reps=4, days=60)
    assert change.high < -5.0  # about 7 h (half the night) down to under an hour
    ledger = simulate(duty, seed=0, days=60)
    assert night_wait(ledger) < 1.0
    duty_desks = [o.id for o in ledger.offices if o.name.endswith(" duty desk")]
    assert len(duty_desks) == 1
    assert np.isin(ledger.events["office"], duty_desks).any()


def test_on_call_adds_the_call_out_delay() -> None:
    """The first incident of a night calls a handler out and waits exactly the on-call
    delay; over the night's incidents (some meet a handler already called out) 2 h
    against 0.5 h adds less than the 1.5 h difference, but clearly more than nothing.
    Each call-out is paid at least its minimum."""

    def on_call(delay_h: float) -> Scenario:
        return day_shift(
            out_of_hours={"action": "call_out"}, on_call={"delay_h": delay_h, "min_paid_h": 3}
        )

    def night_wait(ledger: Ledger) -> float:
        return out_of_hours(ledger)["wait_h"]

    change = paired(on_call(0.5), on_call(2.0), night_wait, reps=4, days=60)
    assert change.low > 0.5 and change.high < 1.5
    ledger = simulate(on_call(2.0), seed=0, days=60)
    rows = ledger.out_of_hours
    night = np.floor((rows["time"] - 18.0) / 24.0)
    first = rows["incident"][np.unique(night, return_index=True)[1]]
    wait = first_start_h(ledger)[first] - ledger.incidents["reported_at"].to_numpy()[first]
    wait = wait[~np.isnan(wait)]  # the run's last night may end before the call-out arrives
    assert len(wait) > 50
    assert wait == pytest.approx(np.full(len(wait), 2.0))
    calls = ledger.pay[ledger.pay["kind"] == 1]
    assert len(calls) > 100
    assert np.allclose(calls["paid"], np.maximum(calls["hours"], 3.0))


def test_call_out_only_from_a_severity() -> None:
    """``call_out_from_severity: 2``: severity-1 incidents wait for the morning."""
    scenario = mmc_with(
        {
            "rosters": {
                "shifts": {"day": DAY},
                "grid_workers": [{"shift": "day"}],
                "out_of_hours": {"action": "wait", "call_out_from_severity": 2},
            },
            "incidents": {
                "request": {"severity": {1: 0.5, 2: 0.5}, "deadline_h": {1: 1e6, 2: 1e6}}
            },
        }
    )
    ledger = simulate(scenario, seed=0, days=40)
    rows = ledger.out_of_hours
    severity = ledger.incidents["severity"].to_numpy()[rows["incident"]]
    assert (rows["action"][severity == 1] == 0).all()  # waited
    called = rows["action"][severity == 2] == 2  # else all 3 workers were out already
    assert called.mean() > 0.5


def test_overtime_is_the_hours_past_the_shift_end_paid_at_the_rate() -> None:
    """A worker busy at 18:00 finishes the job: exactly the hours from 18:00 to the job's
    end are overtime, costed at ``overtime_rate``."""
    scenario = day_shift(overtime_rate=2.0)
    ledger = simulate(scenario, seed=3, days=40)
    v = visits(ledger).dropna(subset=["started_at", "ended_at"])
    shift_end = np.floor(v["started_at"] / 24.0) * 24.0 + 18.0
    past = np.clip(v["ended_at"] - shift_end, 0.0, None)
    w0, w1 = ledger.window_h
    in_window = (v["ended_at"] >= w0) & (v["ended_at"] < w1)
    overtime = extra_hours(ledger, "overtime")[GRID]
    assert overtime > 10.0
    assert overtime == pytest.approx(float(past[in_window].sum()), rel=1e-9)
    rostered = 3 * 10.0 * (w1 - w0) / 24.0
    assert on_duty_hours(ledger, by="role")[GRID] == pytest.approx(rostered + overtime)
    assert paid_hours(ledger)[GRID] == pytest.approx(rostered + 2.0 * overtime)
    assert staff_cost(ledger)["grid_worker"] == pytest.approx((rostered + 2.0 * overtime) * 30.0)


def idle_day_and_night_desk() -> Scenario:
    """The peer's desk: 5 handlers 08:00–20:00 and 2 handlers 20:00–08:00 every day, no
    incident reported (so nobody works past a shift's end)."""
    return mmc_with(
        {
            "staffing": {"grid_workers_per_grid": 7},
            "incidents": {"request": {"reporting": {"prob": 0.0, "delay_h": 0}}},
            "rosters": {
                "shifts": {
                    "day": {"start_h": 8, "hours": 12},
                    "night": {"start_h": 20, "hours": 12},
                },
                "grid_workers": [{"shift": "day", "staff": 5}, {"shift": "night", "staff": 2}],
            },
        }
    )


def test_paid_hours_are_the_rostered_hours_with_nothing_to_do() -> None:
    """With nothing to do, paid hours are exactly (5 + 2) × 12 h a day, 3.5 servers."""
    ledger = simulate(idle_day_and_night_desk(), seed=0, days=30)
    w0, w1 = ledger.window_h
    assert paid_hours(ledger)[GRID] == pytest.approx(3.5 * (w1 - w0), rel=1e-12)
    assert len(ledger.pay) == 0
    # on duty from the start: the night shift of the day before runs to 08:00 of day 0
    staff = ledger.staff
    first = staff[(staff["time"] == 0.0) & (staff["role"] == GRID)]
    assert first["change"].sum() == 2


def test_on_duty_by_hour_of_week_is_the_roster() -> None:
    """Every hour of the week shows the 5 day handlers from 08:00 to 20:00 and the 2 night
    handlers otherwise; the other roles, on no roster, the same in every hour."""
    week = on_duty_by_hour_of_week(simulate(idle_day_and_night_desk(), seed=0, days=30))
    hour = np.arange(168) % 24
    expected = np.where((hour >= 8) & (hour < 20), 5.0, 2.0)
    np.testing.assert_allclose(week[GRID], expected, rtol=1e-12)
    assert (np.ptp(np.delete(week, GRID, axis=0), axis=1) == 0).all()


def test_a_shift_crossing_midnight_works_into_the_next_morning() -> None:
    """Only a 22:00–06:00 night shift: jobs start only between 22:00 and 06:00."""
    scenario = mmc_with(
        {
            "rosters": {
                "shifts": {"night": {"start_h": 22, "hours": 8}},
                "grid_workers": [{"shift": "night"}],
            }
        }
    )
    ledger = simulate(scenario, seed=0, days=30)
    ev = ledger.events
    hour = ev["time"][ev["state"] == State.STARTED] % 24.0
    assert len(hour) > 200
    assert ((hour >= 22.0) | (hour <= 6.0)).all()
    assert (hour < 6.0).sum() > 50 and (hour >= 22.0).sum() > 50  # both sides of midnight


def test_a_holiday_has_nobody_on_a_workdays_shift() -> None:
    """National Day 2025 (1–8 October) under China's calendar: nobody comes on; the
    make-up Saturday 11 October and Sunday 28 September they do."""
    scenario = mmc_with(
        {
            "calendar": {"start_date": "2025-09-22", "holidays": "cn", "workdays": "cn"},
            "rosters": {
                "shifts": {"office": {"start_h": 8.5, "hours": 9, "days": "workdays"}},
                "grid_workers": [{"shift": "office"}],
            },
        }
    )
    ledger = simulate(scenario, seed=0, days=30)
    calendar = Calendar(scenario.calendar)
    on = ledger.staff[ledger.staff["change"] > 0]
    days_on = {d for d in (on["time"] // 24).astype(int).tolist() if d < 30}
    expected = {d for d in range(30) if calendar.is_workday(d)}
    assert days_on == expected
    assert not days_on & set(range(9, 17))  # 1–8 October
    assert {6, 19} <= days_on  # Sunday 28 September, Saturday 11 October


def test_default_is_around_the_clock() -> None:
    model = GovernanceModel(mmc_with({}), seed=0, days=5)
    assert not model.spec.rosters.enabled
    assert all(w.on_duty for w in model.offices[0].staff)


@pytest.mark.parametrize(
    ("rosters", "path"),
    [
        ({"grid_workers": [{"shift": "nope"}]}, "rosters.grid_workers.0.shift"),
        (
            {"shifts": {"d": DAY}, "grid_workers": [{"shift": "d", "staff": 2}]},
            "rosters.grid_workers",
        ),
        ({"shifts": {"d": {"start_h": 8, "hours": 9, "days": "sundays"}}}, "rosters.shifts.d.days"),
        ({"shifts": {"d": {"start_h": 24, "hours": 9}}}, "rosters.shifts.d.start_h"),
        ({"office_staff": {"grid": []}}, "rosters.office_staff.grid"),
        (
            {"shifts": {"d": DAY}, "duty_desk": {"tier": "grid", "staff": 1, "shifts": ["d"]}},
            "rosters.duty_desk.tier",
        ),
        ({"out_of_hours": {"action": "duty_desk"}}, "rosters.out_of_hours.action"),
        ({"overtime_rate": 0.5}, "rosters.overtime_rate"),
    ],
)
def test_schema_errors_name_the_field_path(rosters: dict[str, Any], path: str) -> None:
    with pytest.raises(ScenarioError, match=path.replace(".", r"\.")):
        mmc_with({"rosters": rosters})


def test_a_duty_desk_from_a_tier_leaves_the_tiers_below_waiting() -> None:
    """A city duty desk from the street tier: the grid's out-of-hours work waits for the
    morning, the street's goes to the duty desk (half the work needs the street; it
    reaches the street out of hours only when a grid job ends after 18:00)."""
    scenario = mmc_with(
        {
            "incidents": {"request": {"resolvable_at": {"grid": 0.5, "street": 0.5}}},
            "rosters": {
                "shifts": {"day": DAY, "night": NIGHT},
                "grid_workers": [{"shift": "day"}],
                "office_staff": {"street": [{"shift": "day"}]},
                "duty_desk": {
                    "tier": "city",
                    "staff": 1,
                    "shifts": ["night"],
                    "from_tier": "street",
                },
                "out_of_hours": {"action": "duty_desk"},
            },
        }
    )
    ledger = simulate(scenario, seed=0, days=40)
    rows = ledger.out_of_hours
    rank = np.array([o.rank for o in ledger.offices])[rows["office"]]
    assert (rows["action"][rank == 0] == 0).all() and (rank == 0).sum() > 100
    assert (rows["action"][rank == 1] == 1).all() and (rank == 1).sum() >= 3


def test_a_surge_with_a_shift_works_it_only_on_the_surge_days() -> None:
    """2 extra grid workers on the 08:00–18:00 shift over days 10–19 (nobody reported):
    they come on at 08:00 on exactly those 10 days, go at 18:00, and are paid
    2 × 10 h × 10 days on top of the around-the-clock grid workers."""
    scenario = mmc_with(
        {
            "incidents": {"request": {"reporting": {"prob": 0.0, "delay_h": 0}}},
            "staffing": {
                "surge": [{"tier": "grid", "extra": 2, "start_day": 10, "days": 10, "shift": "day"}]
            },
            "rosters": {"shifts": {"day": DAY}},
            "run": {"days": 40, "warmup_days": 0, "drain_days": 0},
        }
    )
    ledger = simulate(scenario, seed=0)
    staff = ledger.staff
    came = staff[(staff["change"] > 0) & (staff["time"] > 0.0)]["time"]
    went = staff[staff["change"] < 0]["time"]
    assert sorted((came // 24).astype(int).tolist()) == sorted(list(range(10, 20)) * 2)
    assert set((came % 24).tolist()) == {8.0} and set((went % 24).tolist()) == {18.0}
    w0, w1 = ledger.window_h
    assert paid_hours(ledger)[GRID] == pytest.approx(3 * (w1 - w0) + 2 * 10 * 10, rel=1e-12)


def test_a_surge_shift_must_be_a_shift() -> None:
    with pytest.raises(ScenarioError, match=r"staffing\.surge\.0\.shift"):
        mmc_with(
            {
                "staffing": {
                    "surge": [
                        {"tier": "grid", "extra": 1, "start_day": 0, "days": 1, "shift": "nope"}
                    ]
                }
            }
        )


def test_call_outs_take_turns_and_mornings_start_in_no_fixed_order() -> None:
    """An on-call rota: each of the 3 grid workers answers about a third of the night's
    jobs (the first of the staff list took them all before the rota); and with the
    crew coming on in random order, the first job of the morning goes to each about a
    third of the time (the same worker every day before)."""
    scenario = day_shift(out_of_hours={"action": "call_out"})
    ledger = simulate(scenario, seed=0, days=120)
    ev = ledger.events
    started = ev[ev["state"] == State.STARTED]
    hour = started["time"] % 24.0
    night = started["actor"][(hour >= 18.0) | (hour < 8.0)]
    _, counts = np.unique(night, return_counts=True)
    assert len(counts) == 3 and counts.min() > 0.25 * counts.sum()
    day = np.floor(started["time"] / 24.0)
    morning = started[(hour >= 8.0) & (hour < 18.0)]
    first = morning["actor"][np.unique(day[(hour >= 8.0) & (hour < 18.0)], return_index=True)[1]]
    _, counts = np.unique(first, return_counts=True)
    assert len(counts) == 3 and counts.min() > 0.15 * counts.sum()
