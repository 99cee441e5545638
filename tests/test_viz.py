"""The live app without a browser: its live state, levers, figures and page."""

from __future__ import annotations

import numpy as np
import pytest

from govsim.record.metrics import state_counts
from govsim.viz.levers import Levers, controls
from govsim.viz.live import LiveModel, build_scenario
from govsim.viz.state import VERIFYING, desks, open_by_cell
from tests.support import DEMO


def test_live_state_matches_the_ledger_day_by_day() -> None:
    model = LiveModel(scenario_file=str(DEMO), days=20)
    model.run()  # every step appends a snapshot; the run ends frozen, with its ledger
    days = np.array([s.day for s in model.history])
    assert days.tolist() == list(range(len(model.history)))
    counts = state_counts(model.ledger, days * 24.0)
    assert [s.open for s in model.history] == counts["backlog"].tolist()
    assert [s.hidden for s in model.history] == counts["hidden"].tolist()
    assert [s.resolved for s in model.history] == counts["resolved"].tolist()
    last = model.history[-1]
    frame = model.ledger.incidents.dropna(subset=["resolved_at"])
    expected = (frame["resolved_at"] - frame["occurred_at"]).mean()
    assert last.mean_resolution_h == pytest.approx(expected)
    assert 1.0 <= last.satisfaction <= 5.0
    assert last.trust == pytest.approx(model.population.mean_trust())


def test_open_incidents_by_cell_and_by_tier_add_up() -> None:
    model = LiveModel(scenario_file=str(DEMO), days=60)
    for _ in range(15):
        model.step()
    now = model.history[-1]
    assert open_by_cell(model).sum() == now.open > 0
    assert list(now.backlog) == ["grid", "community", "street", "city", VERIFYING]
    assert now.backlog["grid"] > 0 and now.backlog["community"] > 0  # tiered: both hold some
    grid_desks = [d for d in desks(model) if d.tier == "grid"]
    assert len(grid_desks) == 24 and all(d.staff == 2 and 0 <= d.busy <= 2 for d in grid_desks)


def test_levers_start_where_the_scenario_and_policy_set_them() -> None:
    assert Levers.of(build_scenario(DEMO, "status_quo", None)) == Levers()
    whistle = Levers.of(build_scenario(DEMO, "whistle_and_report", None))
    assert whistle.whistle and whistle.routing == "tiered"
    alerts = Levers.of(build_scenario(DEMO, "overdue_alerts", None))
    assert alerts.overdue_alerts and not alerts.whistle
    inputs = controls(Levers())
    # every registered routing rule but the whistle, which has its own switch
    assert inputs["routing"]["values"] == ["tiered", "platform", "triage", "claim"]
    assert inputs["grid_workers"]["value"] == 2 and inputs["weight_government"]["value"] == 4


def test_levers_rebuild_the_model() -> None:
    model = LiveModel(
        scenario_file=str(DEMO),
        policy="more_grid_workers",
        whistle=True,
        overdue_alerts=True,
        weight_government=1,
        weight_community=0,
        weight_residents=3,
    )
    spec = model.spec
    assert spec.staffing.grid_workers_per_grid == 3  # the policy's, not overridden
    assert spec.routing.policy == "whistle" and spec.routing.overdue_escalation
    weights = spec.incentives.evaluation
    assert (weights.government, weights.community, weights.residents) == (0.25, 0.0, 0.75)
    assert {d.staff for d in desks(model) if d.tier == "grid"} == {3}
    fewer = LiveModel(scenario_file=str(DEMO), grid_workers=1, routing="platform")
    assert fewer.spec.staffing.grid_workers_per_grid == 1
    assert fewer.spec.routing.policy == "platform"
    assert Levers(weights=(0, 0, 0)).normalised_weights() == pytest.approx((1 / 3,) * 3)


def test_map_colours_each_cell_by_its_open_incidents() -> None:
    from matplotlib.collections import PatchCollection

    from govsim.viz.mapview import map_figure

    model = LiveModel(scenario_file=str(DEMO))
    for _ in range(5):
        model.step()
    figure = map_figure(model)
    (cells,) = [c for c in figure.axes[0].collections if isinstance(c, PatchCollection)]
    assert np.array_equal(np.asarray(cells.get_array()), open_by_cell(model))
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert {"community office", "street office", "city office"} <= set(legend)
    assert "day 5" in figure.axes[0].get_title()


def test_charts_plot_the_history() -> None:
    from govsim.viz.charts import charts_figure

    model = LiveModel(scenario_file=str(DEMO))
    for _ in range(8):
        model.step()
    figure = charts_figure(model.history, "Live run — scenario demo")
    backlog = figure.axes[0]
    grid_line = next(line for line in backlog.get_lines() if line.get_label() == "grid")
    assert grid_line.get_ydata().tolist() == [s.backlog["grid"] for s in model.history]
    trust_line = figure.axes[3].get_lines()[0]
    assert trust_line.get_ydata()[-1] == pytest.approx(model.history[-1].trust)
    assert figure.get_suptitle() == "Live run — scenario demo"


def test_page_renders_and_steps_in_process() -> None:
    """The whole SolaraViz page as widgets: map and charts drawn, Step advances the day."""
    import ipyvuetify as v
    import solara

    from govsim.viz.app import GovsimViz

    page = solara.AppLayout(children=[GovsimViz(scenario_file=str(DEMO))])
    _, rc = solara.render(page, handle_error=False)
    day = rc.find(v.Html, class_="govsim-day")
    assert day.widget.children[0].startswith("Simulated day 0 of 365 · open 0")
    for panel in ("govsim-map", "govsim-charts"):
        image = rc.find(v.Html, class_=panel).widget.children[-1]
        assert bytes(image.value[:8]) == b"\x89PNG\r\n\x1a\n"
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert (
        rc.find(v.Html, class_="govsim-day").widget.children[0].startswith("Simulated day 2 of 365")
    )
    rc.close()


def test_viz_command_refuses_a_bad_policy_before_serving(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from govsim.cli import main

    assert main(["viz", str(DEMO), "--policy", "nonexistent", "--port", "1"]) == 2
    assert "policy 'nonexistent': no such policy" in capsys.readouterr().err


def test_viz_command_serves_the_page_with_solara(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from govsim.cli import main
    from govsim.viz.app import ENV_POLICY, ENV_SCENARIO

    calls = []

    class Server:
        """Stands in for the ``solara run`` child: records how it was started, exits 0."""

        def __init__(self, cmd: list[str], env: dict[str, str], preexec_fn: object) -> None:
            calls.append((cmd, env, preexec_fn))

        def wait(self) -> int:
            return 0

        def poll(self) -> int:
            return 0

    monkeypatch.setattr(subprocess, "Popen", Server)
    assert main(["viz", "--policy", "fast_handoffs", "--port", "9123"]) == 0
    ((command, env, preexec_fn),) = calls
    assert preexec_fn is not None  # the server dies with govsim viz
    assert command[1:5] == ["-m", "solara", "run", "govsim.viz.app:Page"]
    assert command[command.index("--port") + 1] == "9123"
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert env[ENV_POLICY] == "fast_handoffs" and env[ENV_SCENARIO].endswith("demo.yaml")
