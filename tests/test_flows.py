"""Where incidents are and where they went, on demo runs: ``incidents_at`` and ``tier_flow``
against the other metrics and the live model, and the figures drawn from them."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import PatchCollection
from matplotlib.patches import Rectangle

from govsim import Sim
from govsim.plots.figures import resolved_by_tier, tier_flow_figure
from govsim.record.metrics import (
    HIDDEN,
    incidents_at,
    reached,
    state_counts,
    tier_flow,
    volunteering,
)
from govsim.viz.live import LiveModel
from govsim.viz.mapview import SNAPSHOT_DOTS, map_animation, map_snapshots_figure
from govsim.viz.state import open_by_cell
from govsim.world.geography import scenario_map
from tests.support import DEMO


@pytest.fixture(scope="module")
def runs() -> dict[str, Sim]:
    """The demo under three routings, and one with volunteers who settle household
    matters and no drain, so that some incidents are settled and some left open."""
    return {
        "status_quo": Sim(DEMO, seed=2, days=40).run(),
        "whistle_and_report": Sim(DEMO, "whistle_and_report", seed=2, days=40).run(),
        "platform_dispatch": Sim(DEMO, "platform_dispatch", seed=2, days=40).run(),
        "volunteers": Sim(
            DEMO,
            seed=2,
            days=30,
            overrides={"staffing.volunteer_fix_prob": 0.5, "run.drain_days": 0},
        ).run(),
    }


@pytest.mark.parametrize("name", ["status_quo", "whistle_and_report", "platform_dispatch"])
def test_routes_add_up_to_the_reported_incidents_and_give_reached(
    runs: dict[str, Sim], name: str
) -> None:
    ledger = runs[name].ledger
    flow = tier_flow(ledger)
    assert flow["incidents"].sum() == runs[name].summary()["reported"]
    assert flow["incidents"].is_monotonic_decreasing
    rank = {tier: r for r, tier in enumerate(ledger.tiers)}
    top = flow["route"].map(lambda route: max(rank[t] for t in route))
    shares = {
        tier: flow["incidents"][top >= rank[tier]].sum() / flow["incidents"].sum()
        for tier in ledger.tiers[1:]
    }
    assert shares == pytest.approx(reached(ledger), abs=1e-12)
    closed = flow.groupby("closed_by")["incidents"].sum()
    expected = resolved_by_tier(ledger)["tier"].value_counts()
    assert closed.reindex(expected.index).tolist() == expected.tolist()


def test_routes_differ_as_the_routing_does(runs: dict[str, Sim]) -> None:
    tiered = tier_flow(runs["status_quo"].ledger)
    whistle = tier_flow(runs["whistle_and_report"].ledger)
    platform = tier_flow(runs["platform_dispatch"].ledger)
    assert set(tiered["route"]) <= {
        ("grid",),
        ("grid", "community"),
        ("grid", "community", "street"),
        ("grid", "community", "street", "city"),
    }
    assert ("grid", "community", "street", "city") in set(tiered["route"])
    assert max(len(r) for r in whistle["route"]) == 2  # the street summons: no climb
    assert ("grid", "city") in set(whistle["route"])
    assert {r[0] for r in platform["route"]} > {"grid"}  # straight to the capable desk
    # the same incidents (common random numbers): the same share needs the city
    assert whistle.loc[whistle["closed_by"] == "city", "incidents"].sum() == pytest.approx(
        tiered.loc[tiered["closed_by"] == "city", "incidents"].sum(), rel=0.1
    )


def test_routes_count_volunteers_and_open_incidents(runs: dict[str, Sim]) -> None:
    ledger = runs["volunteers"].ledger
    flow = tier_flow(ledger)
    by = flow.groupby("closed_by")["incidents"].sum()
    assert by["volunteer"] == volunteering(ledger)["settled"] > 0
    assert flow.loc[flow["closed_by"] == "volunteer", "route"].tolist() == [()]
    frame = ledger.incidents
    reported = frame[frame["in_window"] & frame["reported_at"].notna()]
    assert by["open"] == reported["resolved_at"].isna().sum() > 0
    closers = resolved_by_tier(ledger)["tier"].value_counts()
    assert closers.to_dict() == by.drop("open").to_dict()


def test_incidents_at_counts_as_the_ledger_and_the_live_model_do() -> None:
    model = LiveModel(scenario_file=str(DEMO), days=30)
    by_cell = []
    for _ in range(12):
        model.step()
        by_cell.append(open_by_cell(model))
    model.run()
    times = np.arange(1, 13) * 24.0
    rows = incidents_at(model.ledger, times)
    opened = rows[rows["where"] != HIDDEN]
    counts = state_counts(model.ledger, times)
    assert opened.groupby("time_h").size().tolist() == counts["backlog"].tolist()
    hidden = rows[rows["where"] == HIDDEN].groupby("time_h").size()
    assert hidden.reindex(times, fill_value=0).tolist() == counts["hidden"].tolist()
    for t, live in zip(times, by_cell, strict=True):
        here = opened[opened["time_h"] == t]
        assert np.bincount(here["cell"], minlength=live.size).tolist() == live.tolist()
    assert {"grid", "community", "handing over", "verifying"} <= set(opened["where"])

    # the snapshots shade each cell by those counts and draw a dot per unresolved incident
    times_h = [24.0, 72.0, 120.0]
    fig = map_snapshots_figure(model.ledger, model.grid_map, times_h, policy="status_quo", ncols=2)
    panels = [ax for ax in fig.axes if ax.collections]
    assert len(panels) == 3 and len(fig.axes) == 4  # the fourth place left empty
    cap = SNAPSHOT_DOTS**2
    for ax, t, live in zip(panels, times_h, [by_cell[0], by_cell[2], by_cell[4]], strict=True):
        cells, dots = [c for c in ax.collections if isinstance(c, PatchCollection)]
        assert np.asarray(cells.get_array()).tolist() == live.tolist()
        per_cell = rows[rows["time_h"] == t].groupby("cell").size()
        assert len(dots.get_paths()) == int(np.minimum(per_cell, cap - (per_cell > cap)).sum())
        assert ax.get_title().startswith(f"day {t / 24:g}, 00:00 · {live.sum()} open")
    assert fig.get_suptitle().splitlines()[1] == (
        "scenario demo · policy status_quo · seed 0; cell shade: open incidents"
    )


def test_map_animation_has_a_frame_per_time(runs: dict[str, Sim]) -> None:
    sim = runs["whistle_and_report"]
    times = [30 * 24.0, 30 * 24.0 + 6, 30 * 24.0 + 12]
    html = map_animation(sim.ledger, scenario_map(sim.scenario.map), times).to_jshtml()
    assert html.count("data:image/png;base64") == len(times)


def test_tier_flow_figure_draws_each_route_to_scale(runs: dict[str, Sim]) -> None:
    ledgers = {name: runs[name].ledger for name in ("status_quo", "whistle_and_report")}
    fig = tier_flow_figure(ledgers)
    assert len(fig.axes) == 2
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [f"closed at {t}" for t in ("city", "street", "community", "grid")]
    assert fig.get_suptitle().startswith(
        "Routes of incidents through the tiers\nscenario demo · policies status_quo, "
        "whistle_and_report · seed 2, 40 days"
    )
    for ax, ledger in zip(fig.axes, ledgers.values(), strict=True):
        flow = tier_flow(ledger)
        nodes = [p for p in ax.patches if isinstance(p, Rectangle)]
        columns = sorted({round(p.get_x(), 9) for p in nodes})
        assert len(columns) == 4 + 1  # four desks at most (tiered), then who closed it
        last = sorted(
            (p for p in nodes if round(p.get_x(), 9) == columns[-1]), key=lambda p: -p.get_y()
        )
        closed = flow.groupby("closed_by")["incidents"].sum()
        expected = closed.reindex(["city", "street", "community", "grid"]).to_numpy()
        heights = np.array([p.get_height() for p in last])
        np.testing.assert_allclose(heights / heights.sum(), expected / expected.sum())
        first = [p for p in nodes if round(p.get_x(), 9) == columns[0]]
        assert len(first) == 1  # every incident starts at the grid under both
