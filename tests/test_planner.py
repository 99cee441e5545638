"""The staffing planner against Erlang C, its search, its decisions and its command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govsim.analysis.queueing import min_servers_for_wait, mmc
from govsim.cli import main
from govsim.errors import GovsimError
from govsim.experiments.planner import parse_target, parse_vary, plan
from govsim.plots.frontier import frontier_figure

ROOT = Path(__file__).resolve().parents[1]
MMC = ROOT / "scenarios" / "theory" / "mmc.yaml"
LAMBDA, MU = 2.0, 1.0  # mmc.yaml: 2 arrivals an hour, 1 h mean handling


@pytest.mark.parametrize("max_wait_h", [0.2, 0.05])
def test_planner_finds_the_erlang_c_server_count(max_wait_h: float) -> None:
    """The least c meeting a mean-wait target is the one Erlang C gives."""
    servers = min_servers_for_wait(LAMBDA, MU, max_wait_h)
    target = parse_target(f"tiers.grid.mean_wait_h<={max_wait_h}")
    result = plan(MMC, [target], {"staffing.grid_workers_per_grid": list(range(1, 9))}, days=60)
    assert result.best == {"staffing.grid_workers_per_grid": servers}
    table = result.table.set_index("staffing.grid_workers_per_grid")
    chosen = table.loc[servers]
    assert chosen["verdict"] == "meets" and chosen["tiers.grid.mean_wait_h bound"] <= max_wait_h
    # one server fewer was refused with confidence: its lower bound misses the target
    assert table.loc[servers - 1, "verdict"] == "fails"
    # the decided candidate's mean agrees with theory inside its own one-sided bound
    assert mmc(LAMBDA, MU, servers).mean_wait <= chosen["tiers.grid.mean_wait_h bound"]
    # a sequential search: bisection tested at most log2(8) + 1 of the 8 candidates
    assert len(result.table) <= 4
    assert result.table["cost"].is_monotonic_increasing
    figure = frontier_figure(result)
    assert figure.get_suptitle() == (
        "Staffing frontier — scenario mmc · policy status_quo · 95% one-sided bounds\n"
        "points labelled with grid workers per grid"
    )
    ax = figure.axes[0]
    assert ax.get_ylabel() == "tiers grid mean wait (h)"
    assert ax.get_xlabel() == "staff cost over the window (currency units)"
    labels = {t.get_text() for t in ax.texts}
    assert {str(n) for n in result.table["staffing.grid_workers_per_grid"]} <= labels
    assert f"target ≤ {max_wait_h:g}" in labels
    figure.canvas.draw()
    assert all("e" not in t.get_text() for t in ax.get_xticklabels())  # no 1e6 offsets
    assert "," in "".join(t.get_text() for t in ax.get_xticklabels())


def test_several_parameters_walk_up_by_cost() -> None:
    targets = [parse_target("tiers.grid.mean_wait_h<=0.2")]
    vary = {"staffing.grid_workers_per_grid": [2, 3, 4, 5], "staffing.office_staff.street": [1, 2]}
    result = plan(MMC, targets, vary, days=40, min_reps=3, step=3, max_reps=9)
    assert result.best == {"staffing.grid_workers_per_grid": 4, "staffing.office_staff.street": 1}
    tested = result.table[result.table["verdict"] != "untested"]
    assert tested["cost"].max() == result.table.set_index("verdict").loc["meets", "cost"].min()


def test_an_unreachable_target_is_reported(tmp_path: Path, capsys) -> None:
    figure = tmp_path / "plan.png"
    args = ["plan", str(MMC), "--target", "tiers.grid.mean_wait_h<=0.0001"]
    args += ["--vary", "staffing.grid_workers_per_grid=3..4", "--days", "30", "--plot", str(figure)]
    assert main([*args, "--max-reps", "10", "--json"]) == 1
    record = json.loads(capsys.readouterr().out)
    assert record["best"] is None
    assert [c["verdict"] for c in record["candidates"]] == ["fails", "fails"]
    assert figure.stat().st_size > 10_000


def test_plan_command_prints_the_frontier(tmp_path: Path, capsys) -> None:
    figure = tmp_path / "frontier.png"
    args = [
        "plan",
        str(MMC),
        "--target",
        "tiers.grid.mean_wait_h<=0.2",
        "--target",
        "resolution_time_h.p90<=4",
        "--vary",
        "staffing.grid_workers_per_grid=2..6",
        "--days",
        "40",
        "--plot",
        str(figure),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "least-cost staffing meeting every target: staffing.grid_workers_per_grid=4" in out
    assert figure.stat().st_size > 10_000


def test_unknown_target_outcome_gets_suggestions(capsys) -> None:
    args = [
        "plan",
        str(MMC),
        "--target",
        "resolution_time.p90<=48",
        "--vary",
        "staffing.grid_workers_per_grid=1..3",
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "unknown outcome; did you mean resolution_time_h.p90" in err and "Traceback" not in err


def test_unknown_vary_path_gets_suggestions(capsys) -> None:
    args = [
        "plan",
        str(MMC),
        "--target",
        "escalation_rate<=0.1",
        "--vary",
        "staffing.grid_worker=1..3",
    ]
    assert main(args) == 2
    assert "did you mean staffing.grid_workers_per_grid" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "message"),
    [("p90 < 48", "expected OUTCOME<=VALUE"), ("x<=abc", "expected OUTCOME<=VALUE")],
)
def test_bad_targets(text: str, message: str) -> None:
    with pytest.raises(GovsimError, match=message):
        parse_target(text)


def test_vary_forms() -> None:
    assert parse_vary("a.b=1..3") == ("a.b", [1, 2, 3])
    assert parse_vary("a.b=2,4.5") == ("a.b", [2, 4.5])
    with pytest.raises(GovsimError, match="LOW <= HIGH"):
        parse_vary("a.b=3..1")
