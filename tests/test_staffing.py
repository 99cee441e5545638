"""Staffing levers: part-time shifts, surges, sent-down staff, generalists vs specialists."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from govsim.agents import PartTimeGridWorker
from govsim.analysis.queueing import mmc
from govsim.analysis.theory import THEORY_DIR
from govsim.engine.incidents import Channel, State
from govsim.engine.model import GovernanceModel, simulate
from govsim.errors import ScenarioError
from govsim.record.hours import extra_hours, on_duty_hours
from govsim.record.ledger import ROLES, Ledger
from govsim.record.metrics import resolution_times, staff_cost, tier_table, visits, window_incidents
from govsim.stats import mean_ci
from govsim.world.scenario import (
    HOURS_PER_YEAR,
    deep_merge,
    load_scenario,
    read_yaml,
    validate_scenario,
)
from tests.support import AROUND_THE_CLOCK, DEMO, paired

MMC = THEORY_DIR / "mmc.yaml"


def mmc_with(changes: dict[str, Any]) -> Any:
    """The M/M/c theory scenario with whole sections changed."""
    return validate_scenario(deep_merge(read_yaml(MMC), changes), source="mmc")


def office_load(ledger: Ledger, office: int) -> tuple[np.ndarray, np.ndarray]:
    """Times of every change in busy handlers and in handlers on duty at one office, and
    the running counts just after each change (departures before arrivals at ties)."""
    v = visits(ledger).dropna(subset=["started_at", "ended_at"])
    mine = v[v["office"] == office]
    staff = ledger.staff[ledger.staff["office"] == office]
    times = np.concatenate([mine["started_at"], mine["ended_at"], staff["time"]])
    busy = np.concatenate([np.ones(len(mine)), -np.ones(len(mine)), np.zeros(len(staff))])
    duty = np.concatenate([np.zeros(2 * len(mine)), staff["change"]])
    # at equal times: handlers come on duty first, then jobs end, then jobs start
    rank = np.where(duty > 0, 0, np.where(busy < 0, 1, np.where(busy > 0, 2, 3)))
    order = np.lexsort((rank, times))
    return np.cumsum(busy[order]), np.cumsum(duty[order])


# --- part-time shifts -------------------------------------------------------------------


@pytest.fixture(scope="module")
def shifts() -> tuple[GovernanceModel, Ledger]:
    """One full-time grid worker and two part-timers on duty 08:00–16:00."""
    scenario = mmc_with(
        {
            "staffing": {
                "grid_workers_per_grid": 1,
                "part_time": {"per_grid": 2, "start_h": 8, "hours": 8},
            },
            "incidents": {"request": {"rate": 1.2 * HOURS_PER_YEAR / 1000}},  # λ = 1.2/h
        }
    )
    model = GovernanceModel(scenario, seed=1, days=120)
    return model, model.run()


def test_part_timers_start_work_only_in_their_shift(shifts: tuple[GovernanceModel, Ledger]) -> None:
    model, ledger = shifts
    part_timers = {w.unique_id for w in model.agents_by_type[PartTimeGridWorker]}
    ev = ledger.events
    starts = ev[(ev["state"] == State.STARTED) & np.isin(ev["actor"], list(part_timers))]
    assert len(starts) > 1000
    hour = starts["time"] % 24.0
    assert ((hour >= 8.0) & (hour < 16.0)).all()


def test_no_desk_serves_more_than_are_on_duty(shifts: tuple[GovernanceModel, Ledger]) -> None:
    _, ledger = shifts
    busy, on_duty = office_load(ledger, office=0)
    assert on_duty.min() >= 1 and on_duty.max() == 3
    assert (busy <= on_duty).all()


def test_on_duty_hours_give_servers_and_cost(shifts: tuple[GovernanceModel, Ledger]) -> None:
    _, ledger = shifts
    grid = tier_table(ledger).loc["grid"]
    # 1 full-timer + 2 × 8/24, plus the part-timers busy at 16:00 (about ρ = 0.4 of them)
    # finishing their job (1 h on average, memoryless): about 2 × 0.4 × 1 h a day more
    overtime = grid["servers"] - (1 + 16 / 24)
    assert 0.5 * 0.8 / 24 < overtime < 1.5 * 0.8 / 24
    assert grid["utilisation"] == pytest.approx(1.2 / grid["servers"], rel=0.05)
    cost = staff_cost(ledger)
    hours = ledger.window_h[1] - ledger.window_h[0]
    assert cost["grid_worker"] == pytest.approx(hours * 30.0)
    # the part-timers' hours past 16:00 are overtime, paid at rosters.overtime_rate (1.5)
    part = ROLES.index("part_time")
    overtime_h = extra_hours(ledger, "overtime")[part]
    assert overtime_h == pytest.approx(
        on_duty_hours(ledger, by="role")[part] - 16 / 24 * hours, rel=0.02
    )
    paid = (grid["servers"] - 1) * hours + 0.5 * overtime_h
    assert cost["part_time"] == pytest.approx(paid * 25.0)


def test_part_timers_make_their_rounds() -> None:
    """Each grid worker, full-time or on an evening shift, walks the grid once a day (in
    their shift: tests/test_patrols.py)."""
    scenario = load_scenario(
        DEMO,
        {
            "staffing.part_time": {"per_grid": 2, "start_h": 17, "hours": 4},
            "staffing.patrols_per_day": 1,
            "staffing.visits_per_week": 0,
        },
    )
    model = GovernanceModel(scenario, seed=2, days=5)
    walked: list[int] = []
    search = model.patrols.search

    def counted(cell: int, channel: Channel) -> None:
        if channel == Channel.PATROL:
            walked.append(cell)
        search(cell, channel)

    model.patrols.search = counted
    for _ in range(3):
        model.step()
    per_grid = scenario.staffing.grid_workers_per_grid + 2
    cells = model.grid_map.n_cells
    assert np.bincount(walked, minlength=cells).tolist() == [3 * per_grid] * cells


def test_waits_are_shorter_while_part_timers_are_on(
    shifts: tuple[GovernanceModel, Ledger],
) -> None:
    _, ledger = shifts
    v = visits(ledger)
    hour = v["queued_at"] % 24.0
    day_shift = v["wait_h"][(hour >= 9) & (hour < 15)]
    night = v["wait_h"][(hour >= 18) | (hour < 6)]
    # night: 1 server at λ = 1.2 > μ, a queue builds; day: 3 servers at ρ = 0.4
    assert night.mean() > 5 * day_shift.mean()


# --- surge --------------------------------------------------------------------------------


def test_a_surge_shortens_waits_while_it_lasts_and_costs_its_hours() -> None:
    base = load_scenario(DEMO, AROUND_THE_CLOCK)  # without overtime and call-outs
    surged = load_scenario(
        DEMO,
        {
            **AROUND_THE_CLOCK,
            "staffing.surge": [{"tier": "grid", "extra": 2, "start_day": 40, "days": 20}],
        },
    )

    def wait_in_surge(ledger: Ledger) -> float:
        v = visits(ledger)
        grid = v["office"].isin([o.id for o in ledger.offices if o.rank == 0])
        during = v["queued_at"].between(40 * 24.0, 60 * 24.0)
        return float(v.loc[grid & during, "wait_h"].mean())

    change = paired(base, surged, wait_in_surge, reps=4, days=90)
    assert change.high < 0

    ledger = simulate(surged, seed=0, days=90)
    extra_h = 24 * 2 * 20 * 24.0  # grids × extra × days × hours
    grid_cost = staff_cost(ledger)["grid_worker"]
    plain = staff_cost(simulate(base, seed=0, days=90))["grid_worker"]
    assert grid_cost - plain == pytest.approx(extra_h * 30.0, rel=0.01)


# --- sent-down department staff ("6+X") ------------------------------------------------


def test_staff_sent_down_to_communities_resolve_their_incidents_sooner() -> None:
    base = load_scenario(DEMO)
    stationed = load_scenario(
        DEMO,
        {"staffing.sent_down": {"market_regulation": {"tier": "community", "staff": 1}}},
    )
    ledger = simulate(stationed, seed=0, days=60)
    desks = [o for o in ledger.offices if o.department == "market_regulation"]
    assert sorted(o.tier for o in desks) == ["community"] * 4 + ["street"]
    shop_noise = ledger.kinds.index("shop_noise")

    def shop_noise_hours(led: Ledger) -> float:
        frame = window_incidents(led)
        mine = frame[frame["kind"] == shop_noise]
        return float((mine["resolved_at"] - mine["occurred_at"]).mean())

    change = paired(base, stationed, shop_noise_hours, reps=4, days=120)
    assert change.high < 0
    # about 80% (``resolves``) are closed on site by the stationed staff
    v = visits(ledger).merge(ledger.incidents[["incident", "kind"]], on="incident")
    closed = v[v["resolved"] & (v["kind"] == shop_noise)]
    tiers = np.array([o.tier for o in ledger.offices])[closed["office"]]
    on_site = float(np.mean(tiers == "community"))
    assert 0.7 < on_site < 0.9


# --- generalists vs specialists, against queueing theory -------------------------------


@pytest.mark.parametrize("specialised", [False, True])
def test_pooled_generalists_and_split_specialists_match_theory(specialised: bool) -> None:
    """Two categories at λ = 0.6/h each, two handlers at μ = 1/h: pooled they are one
    M/M/2 at λ = 1.2/h; specialised, two M/M/1 queues at λ = 0.6/h."""
    rate = 0.6 * HOURS_PER_YEAR / 1000
    request = read_yaml(MMC)["incidents"]["request"]
    scenario = mmc_with(
        {
            "staffing": {
                "grid_workers_per_grid": 2,
                "specialised": ["grid"] if specialised else [],
            },
            "incidents": {
                "request": {**request, "rate": rate, "category": "housing"},
                "repair": {**request, "rate": rate, "category": "facility"},
            },
        }
    )
    waits = np.array(
        [visits(simulate(scenario, seed=seed, days=200))["wait_h"].mean() for seed in range(10)]
    )
    interval = mean_ci(waits)
    pooled, split = mmc(1.2, 1.0, 2).mean_wait, mmc(0.6, 1.0, 1).mean_wait
    expected, other = (split, pooled) if specialised else (pooled, split)
    assert interval.low <= expected <= interval.high
    assert not interval.low <= other <= interval.high


def test_specialists_take_only_their_own_category() -> None:
    scenario = load_scenario(
        DEMO, {"staffing.specialised": ["community"], "staffing.office_staff.community": 6}
    )
    ledger = simulate(scenario, seed=0, days=40)
    v = visits(ledger).merge(ledger.incidents[["incident", "kind"]], on="incident")
    names = np.array([o.name for o in ledger.offices])[v["office"]]
    community = np.char.find(names.astype(str), "/") >= 0
    categories = {k: scenario.incidents[k].category for k in ledger.kinds}
    desk_category = [name.split("/")[1] for name in names[community]]
    kind_category = [categories[ledger.kinds[k]] for k in v.loc[community, "kind"]]
    assert len(desk_category) > 50 and desk_category == kind_category
    assert resolution_times(ledger).size > 0


# --- bad staffing is refused with its field path ------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"staffing.sent_down": {"police": {"tier": "community", "staff": 1}}},
            "staffing.sent_down.police: department 'police' does not exist",
        ),
        (
            {"staffing.sent_down": {"environment": {"tier": "city", "staff": 1}}},
            "staffing.sent_down.environment.tier: 'city' is not a tier below 'city'",
        ),
        (
            {"staffing.surge": [{"tier": "grdi", "extra": 1, "start_day": 0, "days": 1}]},
            "staffing.surge.0.tier: 'grdi' is not one of",
        ),
        (
            {"staffing.specialised": ["community"], "staffing.office_staff.community": 2},
            "specialists need at least one per category",
        ),
        ({"staffing.part_time.start_h": 24}, "staffing.part_time.start_h"),
    ],
)
def test_bad_staffing_is_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match=message.replace(".", r"\.")):
        load_scenario(DEMO, overrides)
