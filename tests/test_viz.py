"""The live app without a browser: its live state, levers, figures and page."""

from __future__ import annotations

import numpy as np
import pytest

from govsim.record.metrics import state_counts
from govsim.viz.levers import Levers, controls, shown
from govsim.viz.live import LiveModel, build_scenario
from govsim.viz.state import VERIFYING, desks, open_by_cell
from tests.support import DEMO
from tests.viz_support import COLUMNS, ROWS, geojson_scenario, small_results


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


def test_each_lever_reads_with_its_value_and_unit() -> None:
    inputs = controls(Levers())
    assert shown(inputs["grid_workers"], 3) == "grid workers: 3 per grid"
    assert shown(inputs["weight_residents"], 7) == "weight: residents: 7 points"
    assert shown(inputs["overdue_alerts"], True) == "overdue alerts: on"


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
    square = cells.get_paths()[0].vertices
    assert len(square) == 5 and np.ptp(square[:, 0]) == pytest.approx(np.ptp(square[:, 1]))


def test_a_geojson_map_is_drawn_as_its_polygons(tmp_path) -> None:
    from matplotlib.collections import PatchCollection

    from govsim.viz.mapview import map_figure
    from govsim.world.geography.geojson import cell_outlines

    model = LiveModel(scenario_file=str(geojson_scenario(tmp_path)))
    model.step()
    axes = map_figure(model).axes[0]
    (cells,) = [c for c in axes.collections if isinstance(c, PatchCollection)]
    outlines = cell_outlines(tmp_path / "slanted.geojson")
    assert len(cells.get_paths()) == len(outlines) == COLUMNS * ROWS == model.grid_map.n_cells
    for path, (ring,) in zip(cells.get_paths(), outlines, strict=True):
        assert np.allclose(path.vertices, ring)  # the cell's own parallelogram
    # the polygons sit where the map puts the cells: each centroid inside its outline
    for path, cell in zip(cells.get_paths(), range(model.grid_map.n_cells), strict=True):
        node = model.grid_map.graph.nodes[cell]
        assert path.contains_point((node["x"], node["y"]))
    bottom = outlines[0][0]
    assert bottom[3, 0] - bottom[0, 0] > 0.1  # slanted: the top-left corner lies to the right
    assert np.array_equal(np.asarray(cells.get_array()), open_by_cell(model))


def test_results_tab_reads_the_report_of_a_results_folder(tmp_path) -> None:
    from govsim.cli import main
    from govsim.viz.results import read_report

    folder = small_results(tmp_path)
    report = read_report(folder)
    assert not report.error
    assert "test: 8 of 8 runs (complete), baseline status_quo" in report.text
    assert "sample 1 (staffing.grid_workers_per_grid=3)" in report.text
    assert "Δ" in report.text and "figure saved to" not in report.text
    names = [name for name, _ in report.figures]
    assert {"compare-demo-0.png", "compare-demo-1.png", "series.png", "sweep.png"} <= set(names)
    assert main(["report", str(folder), "--figures", str(tmp_path / "figures")]) == 0
    assert names == sorted(p.name for p in (tmp_path / "figures").glob("*.png"))  # the same
    assert all(png.startswith(b"\x89PNG") and len(png) > 10_000 for _, png in report.figures)
    assert "not a govsim results folder" in read_report(tmp_path).error


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
    levers = [w.widget.children[0] for w in rc.find(v.Html, class_="govsim-lever")]
    assert "grid workers: 2 per grid" in levers and "weight: government: 4 points" in levers
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert (
        rc.find(v.Html, class_="govsim-day").widget.children[0].startswith("Simulated day 2 of 365")
    )
    rc.close()


def test_the_app_imports_without_a_warning() -> None:
    """Mesa 3.3's own hook warning is filtered (govsim/viz/__init__.py); anything else
    warned on import fails here, as an error."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import govsim.viz.app, govsim.viz.server"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_viz_command_refuses_a_bad_policy_before_serving(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from govsim.cli import main

    assert main(["viz", str(DEMO), "--policy", "nonexistent", "--port", "1"]) == 2
    assert "policy 'nonexistent': no such policy" in capsys.readouterr().err


def test_viz_command_serves_the_page_with_solara(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import subprocess

    from govsim.cli import main
    from govsim.viz.app import ENV_POLICY, ENV_RESULTS, ENV_SCENARIO

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
    assert command[3:7] == ["-m", "solara", "run", "govsim.viz.app:Page"]
    assert command[command.index("--port") + 1] == "9123"
    assert command[command.index("--host") + 1] == "localhost"
    assert env[ENV_POLICY] == "fast_handoffs" and env[ENV_SCENARIO].endswith("demo.yaml")
    assert env[ENV_RESULTS] == ""
    assert main(["viz", "--results", str(tmp_path), "--port", "9124"]) == 0
    assert calls[-1][1][ENV_RESULTS] == str(tmp_path.resolve())
    assert main(["viz", "--results", str(tmp_path / "none")]) == 2
