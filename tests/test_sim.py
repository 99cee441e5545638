"""``Sim`` and ``Comparison``: the three-line surface gives what the functions underneath do."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from govsim import Comparison, Sim, load_scenario, simulate, summarize
from govsim.analysis.comparison import OUTCOMES, compare
from govsim.errors import GovsimError, ScenarioError
from govsim.experiments.run import policy_runs, run_all
from govsim.policies.files import load_policy
from govsim.world.scenario import scenario_path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo.yaml"


def test_sim_is_simulate_under_the_policy_and_overrides() -> None:
    sim = Sim(
        "demo",
        "whistle_and_report",
        seed=3,
        days=20,
        overrides={"staffing.grid_workers_per_grid": 3},
    )
    policy = load_policy("whistle_and_report")
    scenario = load_scenario(
        DEMO, {"staffing.grid_workers_per_grid": 3}, policy.sections, policy.source
    )
    expected = summarize(simulate(scenario, seed=3, days=20))
    assert sim.run().summary() == expected
    outcomes = sim.outcomes()
    assert list(outcomes.index) == [label for label, _ in OUTCOMES.values()]
    assert outcomes["escalation rate"] == expected["escalation_rate"]


def test_sim_runs_once_and_plots(tmp_path: Path) -> None:
    sim = Sim(DEMO, days=10).run()
    ledger = sim.ledger
    assert sim.run().ledger is ledger
    assert isinstance(sim.plot(), Figure)
    saved = sim.plot(tmp_path / "run.png")
    assert saved == tmp_path / "run.png" and saved.stat().st_size > 10_000


def test_comparison_pairs_policies_on_shared_seeds(tmp_path: Path) -> None:
    names = ["status_quo", "fast_handoffs"]
    comparison = Comparison("demo", names, reps=3, seed=5, days=15).run(progress=False)
    runs = run_all(policy_runs(DEMO, [load_policy(n) for n in names], 3, 5, 15), False)
    pd.testing.assert_frame_equal(comparison.runs, runs)
    pd.testing.assert_frame_equal(comparison.table(), compare(runs, "status_quo"))
    table = comparison.table()
    assert table[table["policy"] == "fast_handoffs"]["diff"].notna().all()
    saved = comparison.plot(tmp_path / "c.png")
    assert saved == [tmp_path / "c.png", tmp_path / "c_differences.png"]
    assert all(path.stat().st_size > 10_000 for path in saved)
    assert comparison.plot(paired=True).axes[0].get_yticklabels()


def test_shipped_scenarios_are_found_by_name() -> None:
    assert scenario_path("kongtong") == ROOT / "scenarios" / "kongtong.yaml"
    assert scenario_path("theory/mmc") == ROOT / "scenarios" / "theory" / "mmc.yaml"
    shipped = r"shipped: demo, .*kongtong, .*theory/daily, theory/jackson"
    with pytest.raises(ScenarioError, match=shipped):
        scenario_path("kongtongg")


def test_a_loaded_scenario_refuses_a_policy() -> None:
    with pytest.raises(GovsimError, match="pass its file instead"):
        Sim(load_scenario(DEMO), "fast_handoffs")
    with pytest.raises(ScenarioError, match="no such policy; known: status_quo"):
        Comparison("demo", ["status_quo", "no_such_policy"])
