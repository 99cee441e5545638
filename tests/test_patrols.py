"""Patrols, door-to-door visits and volunteer rounds in working hours (``staffing.rounds_hours``).

Each search is an event at a time in its searcher's hours: a rostered grid worker's shift
that day, else the daytime window; what it finds is reported then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from govsim.engine.incidents import Channel, State
from govsim.engine.model import GovernanceModel, simulate
from govsim.record.ledger import Ledger
from govsim.world.calendar import Calendar
from govsim.world.scenario import load_scenario
from tests.support import AROUND_THE_CLOCK, DEMO

IN_HOURS = {"staffing.rounds_hours": [8, 20]}
AT_TICK = {"staffing.rounds_hours": None}
SEARCHES = (Channel.PATROL, Channel.VISIT, Channel.VOLUNTEER)
DAYS = 60


def found_at(ledger: Ledger, channels: tuple[Channel, ...] = SEARCHES) -> np.ndarray:
    """Times (h) of the REPORTED rows of incidents found through ``channels``."""
    ev = ledger.events
    rows = ev[(ev["state"] == State.REPORTED) & np.isin(ev["actor"], [int(c) for c in channels])]
    return np.asarray(rows["time"], dtype=float)


def day_shift(hour: np.ndarray) -> np.ndarray:
    return (hour >= 8.0) & (hour < 20.0)


def night_shift(hour: np.ndarray) -> np.ndarray:
    return (hour >= 20.0) | (hour < 6.0)


def late_morning(hour: np.ndarray) -> np.ndarray:
    return (hour >= 9.0) & (hour < 13.0)


@pytest.mark.parametrize(
    ("overrides", "channels", "inside"),
    [
        # the demo: grid workers' long day 08:00–20:00, volunteers in the daytime window
        ({}, SEARCHES, day_shift),
        # a night shift 20:00–06:00 crosses midnight; volunteers stay in the daytime
        (
            {"rosters.shifts.long_day.start_h": 20, "rosters.shifts.long_day.hours": 10},
            (Channel.PATROL, Channel.VISIT),
            night_shift,
        ),
        # grid workers on duty around the clock search in the daytime window, as volunteers
        ({**AROUND_THE_CLOCK, "staffing.rounds_hours": [9, 13]}, SEARCHES, late_morning),
    ],
    ids=["day_shift", "night_shift", "around_the_clock"],
)
def test_finds_are_reported_inside_the_searchers_hours(
    overrides: dict[str, Any], channels: tuple[Channel, ...], inside: Callable[..., np.ndarray]
) -> None:
    ledger = simulate(load_scenario(DEMO, {**IN_HOURS, **overrides}), seed=0, days=DAYS)
    hour = found_at(ledger, channels) % 24.0
    assert len(hour) > 500
    assert inside(hour).all()
    assert not (hour == 0.0).any()
    # spread over the hours, not bunched at one time: every hour of the window has finds
    assert len(np.unique(np.floor(hour))) == inside(np.arange(24.0)).sum()


def test_at_the_tick_every_find_is_at_midnight() -> None:
    """``rounds_hours: null`` keeps the behaviour before 0.2.0 (what the test above rules out)."""
    ledger = simulate(load_scenario(DEMO, AT_TICK), seed=0, days=DAYS)
    hour = found_at(ledger) % 24.0
    assert len(hour) > 500
    assert (hour == 0.0).all()


def test_a_worker_off_shift_that_day_makes_no_rounds() -> None:
    """Grid workers on working days only: no patrol or visit finds on a day off."""
    scenario = load_scenario(
        DEMO,
        {**IN_HOURS, "rosters.shifts.long_day.days": "workdays", "staffing.volunteers_per_cell": 0},
    )
    ledger = simulate(scenario, seed=0, days=DAYS)
    days = set((found_at(ledger, (Channel.PATROL, Channel.VISIT)) // 24.0).astype(int).tolist())
    calendar = Calendar(scenario.calendar)
    workdays = {d for d in range(max(days) + 1) if calendar.is_workday(d)}
    assert len(workdays) < 0.75 * (max(days) + 1)  # weekends and holidays in the run
    assert days <= workdays
    assert len(days) > 0.9 * len(workdays)  # and they search on working days


class Tally:
    """Counts a model's searches by channel, and their finds against the expected count
    (Σ detectability over the incidents hidden in the cell at the search's time)."""

    def __init__(self, model: GovernanceModel) -> None:
        self.searches = dict.fromkeys(SEARCHES, 0)
        self.found = self.expected = self.variance = 0.0
        self.at_tick = 0
        detect = [k.spec.detectability for k in model.kinds]
        hidden, search, clock = model.lifecycle.hidden, model.patrols.search, model.clock

        def counted(cell: int, channel: Channel) -> None:
            self.searches[channel] += 1
            self.at_tick += clock.now % 24.0 == 0.0
            before = [i for i in hidden[cell] if not i.discovered]
            p = np.array(
                [
                    1.0
                    if channel == Channel.VISIT and i.vulnerable
                    else getattr(detect[i.kind], channel.name.lower())
                    for i in before
                ]
            )
            self.expected += p.sum()
            self.variance += (p * (1.0 - p)).sum()
            search(cell, channel)
            self.found += sum(i.discovered for i in before)

        model.patrols.search = counted


@pytest.mark.parametrize("overrides", [IN_HOURS, AT_TICK], ids=["in_hours", "at_tick"])
def test_searches_a_day_and_their_finds_are_as_at_the_tick(overrides: dict[str, Any]) -> None:
    """The same number of searches a day as at midnight, and each finds what is hidden at
    its own time with the incident types' detectability."""
    scenario = load_scenario(DEMO, overrides)
    model = GovernanceModel(scenario, seed=3, days=DAYS)
    tally = Tally(model)
    for _ in range(DAYS):
        model.step()
    staffing = scenario.staffing
    workers = len(model.grid_workers)
    volunteers = model.grid_map.n_cells * staffing.volunteers_per_cell
    # the demo's grid workers work every day (and something is hidden at every tick)
    assert tally.searches[Channel.PATROL] == workers * staffing.patrols_per_day * DAYS
    assert tally.searches[Channel.VOLUNTEER] == volunteers * DAYS
    visits, p = workers * DAYS, staffing.visits_per_week / 7.0  # a Bernoulli a worker-day
    assert abs(tally.searches[Channel.VISIT] - visits * p) < 4.0 * np.sqrt(visits * p * (1 - p))
    # finds: a sum of independent Bernoulli draws with the expected count as its mean
    assert tally.expected > 1000
    assert abs(tally.found - tally.expected) < 4.0 * np.sqrt(tally.variance)
    assert (tally.at_tick == sum(tally.searches.values())) == (overrides is AT_TICK)
