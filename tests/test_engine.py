"""The engine's invariants: conservation, capacity, determinism, common random numbers."""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from govsim.engine.incidents import NEXT_STATES, Channel, Incident, State
from govsim.engine.model import GovernanceModel, simulate
from govsim.policies.disciplines import DeadlineQueue, FifoQueue
from govsim.record.ledger import Ledger
from govsim.record.metrics import state_counts, summarize, tier_table, visits
from govsim.world.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo.yaml"
DAYS = 60.0


@pytest.fixture(scope="module")
def demo_ledger() -> Ledger:
    return simulate(load_scenario(DEMO), seed=3, days=DAYS)


def sequences(ledger: Ledger) -> dict[int, list[tuple[float, int, int, int]]]:
    by_incident: dict[int, list[tuple[float, int, int, int]]] = defaultdict(list)
    for time, incident, state, office, actor in ledger.events.tolist():
        by_incident[incident].append((time, state, office, actor))
    return by_incident


def test_every_incident_follows_the_lifecycle(demo_ledger: Ledger) -> None:
    assert (np.diff(demo_ledger.events["time"]) >= 0).all()
    seqs = sequences(demo_ledger)
    assert len(seqs) == len(demo_ledger.incidents)
    for rows in seqs.values():
        assert rows[0][1] == State.OCCURRED
        times = [r[0] for r in rows]
        assert times == sorted(times)
        for (_, before, *_), (_, after, *_) in itertools.pairwise(rows):
            assert State(after) in NEXT_STATES[State(before)]


def test_counts_balance_at_every_day(demo_ledger: Ledger) -> None:
    days = np.arange(0.0, demo_ledger.end_h, 24.0)
    counts = state_counts(demo_ledger, days)
    occurred = np.searchsorted(np.sort(demo_ledger.incidents["occurred_at"]), days, side="right")
    assert (counts["hidden"] >= 0).all() and (counts["backlog"] >= 0).all()
    np.testing.assert_array_equal(counts[["hidden", "backlog", "resolved"]].sum(axis=1), occurred)
    ev = demo_ledger.events
    n_resolved = int((ev["state"] == State.RESOLVED).sum())
    assert n_resolved == int(demo_ledger.incidents["resolved_at"].notna().sum())
    # every report is verified, except those still being verified when the run stopped
    last_state = {i: rows[-1] for i, rows in sequences(demo_ledger).items()}
    verifying = [row for row in last_state.values() if row[1] == State.REPORTED]
    assert all(row[0] > demo_ledger.end_h - 2.0 for row in verifying)  # verify_h = 2
    n_reported = int((ev["state"] == State.REPORTED).sum())
    assert n_reported == int((ev["state"] == State.VERIFIED).sum()) + len(verifying)


def test_no_handler_serves_two_incidents_at_once(demo_ledger: Ledger) -> None:
    busy: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for rows in sequences(demo_ledger).values():
        for (t0, s0, _, actor), (t1, _s1, _, actor1) in itertools.pairwise(rows):
            if s0 == State.STARTED:
                assert actor1 == actor  # the handler who started it finishes it
                busy[actor].append((t0, t1))
    assert busy
    for intervals in busy.values():
        intervals.sort()
        ends = np.array([e for _, e in intervals[:-1]])
        starts = np.array([s for s, _ in intervals[1:]])
        assert (starts >= ends - 1e-9).all()


def test_office_never_exceeds_its_servers(demo_ledger: Ledger) -> None:
    v = visits(demo_ledger).dropna(subset=["started_at", "ended_at"])
    for office in demo_ledger.offices:
        mine = v[v["office"] == office.id]
        times = np.concatenate([mine["started_at"], mine["ended_at"]])
        change = np.concatenate([np.ones(len(mine)), -np.ones(len(mine))])
        order = np.lexsort((change, times))  # at equal times, departures first
        assert np.cumsum(change[order]).max(initial=0) <= office.servers


def test_service_time_is_handling_plus_round_trip() -> None:
    scenario = load_scenario(
        DEMO,
        {
            "incidents.home_repair.handling.default.dist": "fixed",
            "incidents.home_repair.handling.default.mean_h": 1.25,
            "map.within_cell_travel_h": 0.2,
            "behaviour.enabled": False,  # no fatigue,
            "staffing.paperwork_h_per_week": 0,  # no paperwork
            "incentives.bonus": 0,  # and no bonus: every handler at speed 1
        },
    )
    ledger = simulate(scenario, seed=1, days=10)
    v = visits(ledger).merge(ledger.incidents[["incident", "kind"]], on="incident")
    grid_ids = [o.id for o in ledger.offices if o.rank == 0]
    home = v[(v["kind"] == ledger.kinds.index("home_repair")) & v["office"].isin(grid_ids)]
    served = (home["ended_at"] - home["started_at"]).dropna()
    assert len(served) > 100
    np.testing.assert_allclose(served, 1.25 + 2 * 0.2)


def test_same_seed_same_ledger_and_other_seed_differs() -> None:
    scenario = load_scenario(DEMO)
    first = simulate(scenario, seed=11, days=20)
    again = simulate(scenario, seed=11, days=20)
    other = simulate(scenario, seed=12, days=20)
    assert np.array_equal(first.events, again.events)
    assert first.incidents.equals(again.incidents)
    assert summarize(first) == summarize(again)
    assert not np.array_equal(first.events["time"][:100], other.events["time"][:100])


def test_common_random_numbers_keep_the_incidents() -> None:
    """Changing handling, staffing or queue discipline leaves which incidents occur untouched."""
    base = load_scenario(DEMO)
    changed = load_scenario(
        DEMO,
        {
            "incidents.neighbour_dispute.handling.default.mean_h": 6.0,
            "staffing.grid_workers_per_grid": 4,
            "routing.discipline": "deadline",
        },
    )
    a = simulate(base, seed=5, days=30).incidents
    b = simulate(changed, seed=5, days=30).incidents
    a, b = a[a["parent"] < 0], b[b["parent"] < 0]  # failed fixes depend on the handling
    n = min(len(a), len(b))  # the drain may differ in length
    assert n > 1000
    for column in ("occurred_at", "kind", "cell", "level"):
        np.testing.assert_array_equal(a[column].to_numpy()[:n], b[column].to_numpy()[:n])
    assert not np.allclose(a["resolved_at"][:n], b["resolved_at"][:n], equal_nan=True)


def test_larger_handling_mean_stretches_the_same_draws() -> None:
    """Handling times come by inverse transform: doubling the mean doubles each draw."""
    times = {}
    for mean in (2.0, 4.0):
        scenario = load_scenario(DEMO, {"incidents.home_repair.handling.default.mean_h": mean})
        model = GovernanceModel(scenario, seed=2, days=5)
        model.step()
        times[mean] = np.array(
            [i.handling_h[0] for i in model.incidents if i.kind == 0], dtype=float
        )
    np.testing.assert_allclose(times[4.0], 2 * times[2.0])


def test_hidden_incidents_worsen_until_found() -> None:
    scenario = load_scenario(
        DEMO,
        {
            "incidents.neighbour_dispute.reporting.prob": 0.0,
            "incidents.neighbour_dispute.worsen_h": 24.0,
            "incidents.neighbour_dispute.detectability.patrol": 0.05,
            "incidents.neighbour_dispute.detectability.volunteer": 0.0,
            "staffing.visits_per_week": 0,
        },
    )
    ledger = simulate(scenario, seed=4, days=40)
    inc = ledger.incidents
    disputes = inc[
        (inc["kind"] == ledger.kinds.index("neighbour_dispute")) & inc["reported_at"].notna()
    ]
    hidden_days = (disputes["reported_at"] - disputes["occurred_at"]) / 24
    late = disputes[hidden_days >= 2]
    assert len(late) > 50
    assert (late["severity"] == 3).all()  # two days hidden is two levels worse, capped at 3
    reported = ledger.events[ledger.events["state"] == State.REPORTED]
    channel = dict(zip(reported["incident"].tolist(), reported["actor"].tolist(), strict=True))
    found_by = np.array([channel[i] for i in disputes["incident"]])
    # patrols found them, or the resident petitioned the city
    assert set(found_by) == {Channel.PATROL, Channel.PETITION}
    petitioned = hidden_days.to_numpy()[found_by == Channel.PETITION]
    np.testing.assert_allclose(petitioned, 30.0)  # after behaviour.petition_after_h = 720 h


def test_overdue_incidents_are_handed_up_before_service() -> None:
    scenario = load_scenario(
        DEMO,
        {
            "routing.overdue_escalation": True,
            "staffing.grid_workers_per_grid": 1,
            "incidents.home_repair.deadline_h": {1: 2, 2: 1},
        },
    )
    ledger = simulate(scenario, seed=6, days=20)
    assert (np.diff(ledger.events["time"]) >= 0).all()  # the clock never runs backwards
    v = visits(ledger)
    grid_ids = {o.id for o in ledger.offices if o.rank == 0}
    left_early = v[v["started_at"].isna() & v["ended_at"].notna() & v["office"].isin(grid_ids)]
    assert len(left_early) > 20
    ev = ledger.events
    early = ev[(ev["state"] == State.ESCALATED) & (ev["actor"] == -1)]
    in_window = ledger.incidents["in_window"].to_numpy()[early["incident"]]
    assert in_window.sum() == len(v[v["started_at"].isna() & v["ended_at"].notna()])
    inc = ledger.incidents.set_index("incident")
    deadline = (inc["reported_at"] + inc["deadline_h"]).loc[early["incident"]].to_numpy()
    # handed up at the deadline, or at verification if the deadline passed before it
    verified = ev[ev["state"] == State.VERIFIED]
    verified_at = dict(zip(verified["incident"].tolist(), verified["time"].tolist(), strict=True))
    expected = np.maximum(deadline, [verified_at[i] for i in early["incident"].tolist()])
    np.testing.assert_allclose(early["time"], expected)


def test_more_grid_workers_shorten_waits_at_the_grid() -> None:
    waits = []
    for workers in (1, 2, 4):
        scenario = load_scenario(DEMO, {"staffing.grid_workers_per_grid": workers})
        waits.append(tier_table(simulate(scenario, seed=8, days=60)).loc["grid", "mean_wait_h"])
    assert waits[0] > waits[1] > waits[2]


def make_incident(i: int, deadline: float) -> Incident:
    return Incident(
        i, 0, 0, 0, 1, 0, 0.0, [1.0], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, deadline_at=deadline
    )


@pytest.mark.parametrize("queue_class", [FifoQueue, DeadlineQueue])
def test_queues_skip_incidents_that_left(queue_class: type) -> None:
    queue = queue_class()
    items = [make_incident(i, d) for i, d in enumerate([30.0, 10.0, 20.0])]
    for item in items:
        item.waiting_in = queue
        queue.push(item)
    items[1].waiting_in = None  # handed up while waiting
    served = [queue.pop(), queue.pop(), queue.pop()]
    expected = [items[0], items[2]] if queue_class is FifoQueue else [items[2], items[0]]
    assert served == [*expected, None]


def test_a_scenario_can_load_its_map_from_graphml(tmp_path: Path) -> None:
    """A GraphML map next to the scenario file, named by a relative path, runs as usual."""
    import yaml

    from govsim.world.geography import build_map, save_graphml

    demo = load_scenario(DEMO)
    city = build_map(demo.map, np.random.default_rng(demo.map.seed))
    save_graphml(city, tmp_path / "city.graphml")
    raw = yaml.safe_load(DEMO.read_text())
    raw["map"].update(generator="graphml", graphml="city.graphml")
    path = tmp_path / "from_file.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    from_file = simulate(load_scenario(path), seed=1, days=20)
    generated = simulate(demo, seed=1, days=20)
    assert [o.name for o in from_file.offices] == [o.name for o in generated.offices]
    assert summarize(from_file)["incidents"] > 1000
    # the same map from a file gives the very same run
    assert np.array_equal(from_file.events, generated.events)


def test_rates_can_count_shops_or_visitors_instead_of_households() -> None:
    scenario = load_scenario(
        DEMO,
        {
            "map.tourist_load": 100,
            "incidents.shop_noise.per": "shop",
            "incidents.shop_noise.rate": 2.0,  # per shop-year; the demo has 12 shops a cell
            "incidents.public_facility.per": "visitor",
            "incidents.public_facility.rate": 0.5,  # per daily visitor and year
        },
    )
    ledger = simulate(scenario, seed=0, days=DAYS)
    first = ledger.incidents["parent"] < 0  # not recurrences of failed fixes
    frame = ledger.incidents[first & (ledger.incidents["occurred_at"] < DAYS * 24)]
    counts = frame["kind"].value_counts()
    years = DAYS / 365
    for name, expected in (
        ("shop_noise", 24 * 12 * 2.0 * years),
        ("public_facility", 24 * 100 * 0.5 * years),
    ):
        seen = counts[ledger.kinds.index(name)]
        assert abs(seen - expected) < 4 * np.sqrt(expected)  # Poisson, 4 sd
