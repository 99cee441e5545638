"""``govsim robustness`` on the demo city: sign shares, effects, regret, PRIM, executors,
and the refusal of bad specs."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govsim.analysis import claims as claims_module
from govsim.analysis.claims import analyse, sample_effects, where_it_fails, wilson
from govsim.analysis.robustness import Robustness, load_robustness, run_robustness
from govsim.cli import main
from govsim.cli.robustness import write_section
from govsim.engine.model import simulate
from govsim.errors import GovsimError, ScenarioError
from govsim.experiments.run import check_kept, kept_outcomes
from govsim.record.measures import hours_from_report
from govsim.record.metrics import summarize
from govsim.world.scenario import load_scenario
from tests.test_json import checked

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo.yaml"
SHIPPED = [
    "yuyao_whistle",
    "wuhou_property",
    "helong_pay",
    "kongtong_arbitration",
    "zhenyuan_burden",
]

#: More grid workers cut the grid's wait: true by construction; the second claim gives it
#: the wrong sign.
SPEC = f"""\
name: demo_staff
scenario: {DEMO}
policies: [status_quo, more_grid_workers, fast_handoffs]
parameters:
  incidents.neighbour_dispute.rate: [0.2, 0.8]
  incidents.home_repair.rate: [0.8, 1.8]
samples: 6
replications: 2
seed: 3
days: 30
claims:
  - outcome: tiers.grid.mean_wait_h
    better: lower
    policy: more_grid_workers
    label: more staff cut the wait
  - outcome: tiers.grid.mean_wait_h
    better: lower
    policy: more_grid_workers
    sign: worse
    label: more staff lengthen the wait
"""


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Robustness, pd.DataFrame, Path]:
    folder = tmp_path_factory.mktemp("robust")
    spec = folder / "spec.yaml"
    spec.write_text(SPEC)
    robustness = load_robustness(spec)
    return robustness, run_robustness(robustness, folder / "serial"), folder


def test_effects_are_paired_differences_and_shares_count_them(study) -> None:
    robustness, runs, _ = study
    analysis = analyse(robustness, runs)
    effects = analysis.effects
    # the effect of a sample is the mean of policy − baseline seed by seed
    wide = runs.set_index(["sample", "rep", "policy"])["tiers.grid.mean_wait_h"].unstack("policy")
    by_hand = (wide["more_grid_workers"] - wide["status_quo"]).groupby("sample").mean()
    mine = effects[effects["claim"] == 0].set_index("sample")["effect"]
    np.testing.assert_allclose(mine.sort_index(), by_hand.sort_index())
    for row in analysis.claims.itertuples():
        part = effects[effects["claim"] == row.claim]
        assert 0.0 <= row.share_low <= row.share <= row.share_high <= 1.0
        assert row.share == part["holds"].astype(bool).mean()
        assert row.samples == robustness.spec.samples
        assert row.effect_p05 <= row.effect_median <= row.effect_p95
        assert row.no_effect == (part["effect"] == 0).mean()
    # the claim true by construction holds everywhere, its opposite nowhere
    right, wrong = analysis.claims.iloc[0], analysis.claims.iloc[1]
    assert right.share == 1.0 and right.share_low > 0.5
    assert wrong.share == 0.0 and wrong.share_high < 0.5
    assert right.clearly_fails == 0.0 and wrong.clearly_holds == 0.0


def test_regret_is_zero_for_each_samples_best_policy(study) -> None:
    robustness, runs, _ = study
    regret = claims_module.sample_regret(runs, "tiers.grid.mean_wait_h", "lower")
    assert (regret.to_numpy() >= 0).all()
    assert (regret.min(axis=1) == 0).all()
    means = runs.groupby(["sample", "policy"])["tiers.grid.mean_wait_h"].mean().unstack()
    assert (regret.idxmin(axis=1) == means.idxmin(axis=1)).all()
    table = analyse(robustness, runs).regret.set_index("policy")
    assert table.loc["more_grid_workers", "regret_max"] == 0.0  # best in every sample
    assert table.loc["status_quo", "regret_median"] > 0
    assert table["best_share"].sum() == pytest.approx(1.0)


def test_same_seed_gives_the_same_results_on_processes(study, capsys) -> None:
    robustness, serial, folder = study
    argv = ["robustness", str(folder / "spec.yaml"), "--out", str(folder / "processes")]
    data = checked(
        capsys, "robustness", [*argv, "--executor", "processes", "--workers", "2", "--json"]
    )
    again = run_robustness(robustness, folder / "processes", resume=True)
    columns = [c for c in serial.columns if c != "run_id"]
    pd.testing.assert_frame_equal(
        serial.sort_values("run_id")[columns].reset_index(drop=True),
        again.sort_values("run_id")[columns].reset_index(drop=True),
    )
    table = analyse(robustness, serial).claims
    assert [c["share"] for c in data["claims"]] == table["share"].tolist()
    assert [c["effect_median"] for c in data["claims"]] == table["effect_median"].tolist()
    assert (folder / "processes" / "figures" / "effects.png").is_file()


def test_report_reads_a_robustness_folder_again(study, capsys, tmp_path: Path) -> None:
    """``govsim report DIR`` on a study's folder prints the study's own tables (not a
    generic comparison), saves the figure only where asked, and refuses a spec that
    changed after the run."""
    robustness, serial, folder = study
    data = checked(capsys, "robustness", ["report", str(folder / "serial"), "--json"])
    table = analyse(robustness, serial).claims
    assert [c["share"] for c in data["claims"]] == table["share"].tolist()
    assert data["figures"] == [] and not (folder / "serial" / "figures").exists()
    assert main(["report", str(folder / "serial"), "--figures", str(tmp_path)]) == 0
    assert "more staff cut the wait" in capsys.readouterr().out
    assert (tmp_path / "effects.png").is_file()
    copy = tmp_path / "copy"
    shutil.copytree(folder / "serial", copy)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("label: more staff cut the wait", "label: edited"))
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["robustness"]["spec_file"] = str(spec)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert main(["report", str(copy)]) == 2
    assert "has changed since the study ran" in capsys.readouterr().err
    spec.unlink()
    assert main(["report", str(copy)]) == 2
    assert "is gone" in capsys.readouterr().err


def test_prim_finds_where_a_claim_fails(study, monkeypatch) -> None:
    robustness, runs, _ = study
    effects = sample_effects(robustness, runs)
    # a margin at the median effect: the claim fails in about half the samples
    margin = float(effects[effects["claim"] == 0]["effect"].abs().median())
    claim = robustness.spec.claims[0].model_copy(update={"margin": margin})
    halved = dataclasses.replace(
        robustness, spec=robustness.spec.model_copy(update={"claims": [claim]})
    )
    effects = sample_effects(halved, runs)
    fails = ~effects["holds"].astype(bool)
    assert 0 < fails.sum() < len(fails)
    assert where_it_fails(halved, effects)[0].base_rate == fails.mean()
    monkeypatch.setattr(claims_module, "has_ema", lambda: False)
    skipped = where_it_fails(halved, effects)[0]
    assert "govsim[ema]" in skipped.reason and skipped.limits.empty


@pytest.mark.skipif(not claims_module.has_ema(), reason="needs govsim[ema]")
def test_prim_box_bounds_the_failing_region(study) -> None:
    """A known answer: over 60 samples the claim fails exactly where the first parameter
    is above its midpoint; PRIM's box must say so."""
    robustness = study[0]
    first, second = robustness.names
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({first: rng.uniform(0.2, 0.8, 60), second: rng.uniform(0.8, 1.8, 60)})
    effect = np.where(frame[first] > 0.5, 1.0, -1.0)  # lower is better: fails above 0.5
    effects = frame.assign(claim=0, policy="more_grid_workers", sample=range(60), effect=effect)
    effects["holds"] = effect < 0
    failure = where_it_fails(robustness, effects)[0]
    assert not failure.reason, failure.reason
    assert list(failure.limits.index) == [first]
    assert failure.limits.loc[first, "min"] == pytest.approx(0.5, abs=0.05)
    assert failure.density >= 0.8 and failure.coverage >= 0.8  # prim_box's threshold


def test_wilson_interval() -> None:
    low, high = wilson(6, 6)
    assert high == 1.0 and low == pytest.approx(0.6097, abs=1e-4)  # the textbook value
    low, high = wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)


def test_ledger_metrics_as_run_outcomes() -> None:
    scenario = load_scenario(DEMO)
    ledger = simulate(scenario, seed=0, days=20)
    name = "hours_from_report:home_repair"
    kept = kept_outcomes(ledger, summarize(ledger), [name, "tiers.grid.mean_wait_h"])
    assert kept[name] == hours_from_report(ledger, "home_repair")
    assert kept["tiers.grid.mean_wait_h"] == summarize(ledger)["tiers"]["grid"]["mean_wait_h"]
    with pytest.raises(ScenarioError, match=r"x\.yaml: outcomes: 'hours_from_report:boiler'"):
        check_kept(scenario, ["hours_from_report:boiler"], "x.yaml: outcomes")


def _refused(tmp_path: Path, text: str, *expected: str) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(text)
    with pytest.raises(GovsimError) as info:  # ScenarioError, or GovsimError for an outcome
        load_robustness(spec)
    message = str(info.value)
    assert str(spec) in message
    for part in expected:
        assert part in message, message


def test_bad_specs_are_refused_naming_file_field_and_allowed(tmp_path: Path) -> None:
    good = SPEC.replace("samples: 6", "samples: 2")
    _refused(tmp_path, good + "colour: red\n", "colour")
    _refused(
        tmp_path,
        good.replace("better: lower\n    policy", "better: less\n    policy", 1),
        "claims.0.better",
        "lower",
        "higher",
    )
    _refused(
        tmp_path,
        good.replace("home_repair.rate: [0.8", "home_repiar.rate: [0.8"),
        "parameters",
        "home_repair",
    )
    _refused(
        tmp_path,
        good.replace("[0.2, 0.8]", "[0.8, 0.2]"),
        "parameters.incidents.neighbour_dispute.rate",
        "low < high",
    )
    _refused(
        tmp_path,
        good.replace(
            "policy: more_grid_workers\n    label: more staff cut",
            "policy: status_quo\n    label: more staff cut",
        ),
        "claims.0.policy",
        "baseline",
        "more_grid_workers",
    )
    _refused(
        tmp_path,
        good.replace(
            "policy: more_grid_workers\n    label: more staff cut",
            "policy: nobody\n    label: more staff cut",
        ),
        "claims.0.policy",
        "'nobody'",
    )
    _refused(
        tmp_path,
        good.replace("outcome: tiers.grid.mean_wait_h", "outcome: wait_h", 1),
        "claims.0.outcome",
        "unknown outcome",
    )
    _refused(
        tmp_path,
        good.replace(
            "policies: [status_quo, more_grid_workers, fast_handoffs]",
            "policies: [status_quo, more_grid_workers, "
            "{name: x, policy: fast_handoffs, set: {map.tiers: []}}]",
        ),
        "policies.2.set.map.tiers",
        "not a lever",
        "routing",
    )
    _refused(
        tmp_path,
        good.replace(
            "parameters:\n  incidents.neighbour_dispute.rate: [0.2, 0.8]\n"
            "  incidents.home_repair.rate: [0.8, 1.8]\n",
            "",
        ),
        "parameters",
        "nothing to vary",
    )
    _refused(tmp_path, good.replace("[0.2, 0.8]", "[0.2, 80]"), "neighbour_dispute")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_specs_load(name: str) -> None:
    robustness = load_robustness(f"robustness/{name}")
    assert len(robustness.names) >= 3  # the preset's uncertain ranges and the spec's own
    assert robustness.experiment.n_runs <= 100  # a few minutes on two cores


def test_markdown_sections_are_replaced_in_place(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("intro\n")
    write_section(page, "a", "first\n")
    write_section(page, "b", "second\n")
    write_section(page, "a", "again\n")
    text = page.read_text()
    assert text.startswith("intro\n")
    assert "again" in text and "first" not in text
    assert text.index("again") < text.index("second")
