"""Policy files, paired comparisons under common random numbers, and `govsim compare`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govsim.analysis.comparison import OUTCOMES, compare
from govsim.cli import main
from govsim.errors import ScenarioError
from govsim.experiments.run import execute, policy_runs
from govsim.policies.files import STATUS_QUO, load_policy
from govsim.stats import mean_ci
from govsim.world.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo.yaml"


@pytest.mark.parametrize("path", sorted((ROOT / "policies").glob("*.yaml")))
def test_every_shipped_policy_applies_to_the_demo(path: Path) -> None:
    policy = load_policy(path.stem)
    assert policy.sections and policy.description
    load_scenario(DEMO, policy=policy.sections, policy_source=policy.source)


def test_policy_sections_override_the_scenario() -> None:
    policy = load_policy("fast_handoffs")
    scenario = load_scenario(DEMO, policy=policy.sections, policy_source=policy.source)
    assert scenario.routing.handoff_h == {"community": 2, "street": 4, "city": 4}
    assert scenario.routing.verify_h == 2  # untouched keys keep the scenario's value


def test_unknown_policy_name_lists_the_known_ones() -> None:
    with pytest.raises(
        ScenarioError,
        match="no such policy; known: status_quo, burden_reduction, claim_with_arbitration",
    ):
        load_policy("whistle_blowing")


def test_policy_with_a_non_lever_section(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nincidents:\n  x: {rate: 1}\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml: incidents: not a policy section"):
        load_policy(bad)


def test_policy_with_a_bad_value_names_both_files(tmp_path: Path) -> None:
    bad = tmp_path / "typo.yaml"
    bad.write_text("name: typo\nrouting:\n  discipline: random\n")
    policy = load_policy(bad)
    with pytest.raises(ScenarioError) as info:
        load_scenario(DEMO, policy=policy.sections, policy_source=policy.source)
    message = str(info.value)
    assert "demo.yaml with policy" in message and "typo.yaml" in message
    assert "routing.discipline" in message and "fifo" in message


def test_paired_difference_is_taken_seed_by_seed() -> None:
    runs = pd.DataFrame(
        {
            "policy": ["a"] * 3 + ["b"] * 3,
            "seed": [0, 1, 2] * 2,
            **{name: [10.0, 20.0, 30.0, 11.0, 22.0, 33.0] for name in OUTCOMES},
        }
    )
    table = compare(runs, baseline="a").set_index(["policy", "outcome"])
    row = table.loc[("b", "resolution_mean_h")]
    expected = mean_ci(np.array([1.0, 2.0, 3.0]))
    assert row["mean"] == pytest.approx(22.0)
    assert row["diff"] == pytest.approx(2.0)
    assert (row["diff_low"], row["diff_high"]) == pytest.approx((expected.low, expected.high))
    # paired: far narrower than the difference of the two unpaired intervals
    assert row["diff_high"] - row["diff_low"] < row["high"] - row["low"]
    assert np.isnan(table.loc[("a", "resolution_mean_h"), "diff"])


def test_runs_share_seeds_across_policies() -> None:
    runs = policy_runs(DEMO, [STATUS_QUO, load_policy("fast_handoffs")], reps=3, base_seed=7)
    assert [(r.policy.name, r.seed) for r in runs] == [
        ("status_quo", 7),
        ("fast_handoffs", 7),
        ("status_quo", 8),
        ("fast_handoffs", 8),
        ("status_quo", 9),
        ("fast_handoffs", 9),
    ]
    assert execute(runs[0]) == execute(runs[0])  # a run is a pure function of its fields


def test_compare_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    figure = tmp_path / "compare.png"
    args = ["compare", str(DEMO), "--policy", "status_quo", "--policy", "fast_handoffs"]
    code = main([*args, "--reps", "3", "--days", "40", "--json", "--plot", str(figure)])
    assert code == 0
    records = pd.DataFrame(json.loads(capsys.readouterr().out)).set_index(["policy", "outcome"])
    faster = records.loc[("fast_handoffs", "resolution_mean_h")]
    assert faster["diff_high"] < 0  # faster hand-offs shorten resolution, with 95% confidence
    same = records.loc[("fast_handoffs", "escalation_rate")]
    assert abs(same["diff"]) < 0.01  # the same incidents need the same tiers (bar recurrences)
    assert figure.stat().st_size > 10_000
    assert (tmp_path / "compare_differences.png").stat().st_size > 10_000


def test_compare_refuses_a_bad_policy_before_running(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(DEMO), "--policy", "nonexistent"]) == 2
    assert "no such policy" in capsys.readouterr().err
