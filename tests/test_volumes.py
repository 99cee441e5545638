"""Incident volumes per type and per category (``counted_as``): in the run summary and
``govsim run --json``, in the experiment tables, and the presets' anchors to the counts
their texts give (the register's counts per period, docs/volumes.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govsim.analysis.volumes import load_counts, measure_counts
from govsim.cli import main
from govsim.engine.model import simulate
from govsim.experiments.run import policy_runs, run_all
from govsim.policies.files import STATUS_QUO
from govsim.record.metrics import summarize
from govsim.world.fields import HOURS_PER_YEAR
from govsim.world.scenario import SCENARIO_DIR, load_scenario

DEMO = SCENARIO_DIR / "demo.yaml"
DOC_FILE = Path(__file__).resolve().parents[1] / "docs" / "volumes.md"
FIELDS = ("occurred", "reported", "occurred_per_year", "reported_per_year")


def _sums(block: dict[str, dict[str, float]]) -> dict[str, float]:
    return {f: sum(entry[f] for entry in block.values()) for f in FIELDS}


def test_counts_per_type_and_category_add_up_to_the_totals() -> None:
    scenario = load_scenario(DEMO)
    summary = summarize(simulate(scenario, seed=3, days=20))
    volumes = summary["volumes"]
    assert set(volumes["by_type"]) == set(scenario.incidents)
    for block in (volumes["by_type"], volumes["by_category"]):
        sums = _sums(block)
        assert sums["occurred"] == summary["incidents"] > 0
        assert sums["reported"] == summary["reported"]
        assert sums["reported"] <= sums["occurred"]
        years = (summary["window_h"][1] - summary["window_h"][0]) / HOURS_PER_YEAR
        assert sums["occurred_per_year"] == pytest.approx(summary["incidents"] / years)
    # a category counts exactly the types counted as it
    by_type, by_category = volumes["by_type"], volumes["by_category"]
    for category in set(k.counted_as for k in scenario.incidents.values()):
        members = [n for n, k in scenario.incidents.items() if k.counted_as == category]
        assert by_category[category]["occurred"] == sum(by_type[n]["occurred"] for n in members)
    assert len(by_category) == 3 < len(by_type)


def test_a_type_counts_as_itself_by_default() -> None:
    scenario = load_scenario(DEMO, {f"incidents.{k}.counted_as": None for k in ["home_repair"]})
    volumes = summarize(simulate(scenario, seed=0, days=5))["volumes"]
    assert volumes["by_category"]["home_repair"] == volumes["by_type"]["home_repair"]


def test_run_json_has_the_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(DEMO), "--days", "6", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert _sums(data["volumes"]["by_type"])["occurred"] == data["incidents"]
    assert _sums(data["volumes"]["by_category"])["reported"] == data["reported"]


def test_experiment_tables_have_the_counts_per_year() -> None:
    runs = run_all(policy_runs(DEMO, [STATUS_QUO], reps=2, days=10), show_progress=False)
    scenario = load_scenario(DEMO)
    for kind in scenario.incidents:
        for what in ("occurred", "reported"):
            assert f"volumes.by_type.{kind}.{what}_per_year" in runs.columns
    for what in ("occurred", "reported"):
        types = runs.filter(regex=rf"^volumes\.by_type\..*\.{what}_per_year$").sum(axis=1)
        cats = runs.filter(regex=rf"^volumes\.by_category\..*\.{what}_per_year$").sum(axis=1)
        assert list(types) == pytest.approx(list(cats))
        assert (types > 0).all()
    assert not [c for c in runs.columns if c.startswith("volumes.") and "_per_year" not in c]


@pytest.mark.slow
def test_anchored_counts_reproduce_within_the_runs_ci() -> None:
    """Every volume anchor measured on the preset's own category (not a calibrated
    metric) falls within the 95% CI of the model's mean over 3 runs."""
    anchors = {
        preset: [c for c in counts if c.anchors and not c.metric]
        for preset, counts in load_counts().items()
    }
    assert sorted(p for p, a in anchors.items() if a) == ["kongtong", "zhenyuan"]
    for preset, anchored in anchors.items():
        if not anchored:
            continue
        for measured in measure_counts(preset, reps=3, counts=anchored):
            ci = measured.interval
            assert ci.low <= measured.count.value <= ci.high, (preset, measured.count.name, ci)


def test_the_docs_table_lists_every_count() -> None:
    text = DOC_FILE.read_text(encoding="utf-8")
    for preset, counts in load_counts().items():
        for count in counts:
            row = f"| {preset} | {count.counted_as} | {' '.join(count.text.split())} |"
            assert row in text, row
