"""Shipped scenarios, policies and specs: found by name from any folder, a file of the same
name winning, presets' ``base`` resolved in experiment and sensitivity specs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from govsim import Sim, shipped
from govsim.analysis.sensitivity import load_sensitivity
from govsim.cli import main
from govsim.errors import ScenarioError
from govsim.experiments.spec import load_experiment
from govsim.policies.files import load_policy
from govsim.world.scenario import load_scenario, scenario_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A current folder outside the checkout, as after ``pip install``."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_shipped_folders_are_the_repository_folders() -> None:
    for kind in ("scenarios", "policies", "experiments"):
        assert shipped.folder(kind) == ROOT / kind
    assert shipped.names("scenarios") == [
        "demo", "helong", "kongtong", "logs/synthetic_demo", "theory/daily", "theory/jackson",
        "theory/mmc", "wuhou", "yuyao", "zhenyuan",
    ]  # fmt: skip
    assert "whistle_and_report" in shipped.names("policies")
    assert "sensitivity/sobol_demo" in shipped.names("experiments")


def test_cli_takes_shipped_names_from_any_folder(elsewhere: Path, capsys) -> None:
    assert main(["run", "demo", "--days", "10", "--policy", "whistle_and_report"]) == 0
    assert main(["run", "theory/mmc", "--days", "20"]) == 0
    assert main(["params", "kongtong"]) == 0
    assert main(["check", "demo", "kongtong", "theory/jackson"]) == 0
    assert "kongtong: ok" in capsys.readouterr().out
    args = ["compare", "kongtong", "--policy", "kongtong", "--policy", "status_quo"]
    assert main([*args, "--reps", "2", "--days", "4", "--json"]) == 0
    table = yaml.safe_load(capsys.readouterr().out)
    assert {row["policy"] for row in table} == {"kongtong", "status_quo"}


def test_an_unknown_name_lists_the_shipped_ones(elsewhere: Path, capsys) -> None:
    assert main(["run", "kongtongg"]) == 2
    err = capsys.readouterr().err
    assert "kongtongg: no such scenario file or shipped scenario; shipped: demo, helong" in err
    assert main(["run", "demo", "--policy", "whistle"]) == 2
    assert "policy 'whistle': no such policy; known: status_quo, burden_reduction" in (
        capsys.readouterr().err
    )


def test_a_file_in_the_current_folder_wins_over_a_shipped_name(elsewhere: Path) -> None:
    demo = (ROOT / "scenarios" / "demo.yaml").read_text(encoding="utf-8")
    (elsewhere / "kongtong").write_text(demo, encoding="utf-8")
    assert scenario_path("kongtong") == Path("kongtong")
    assert load_scenario("kongtong").name == "demo"
    (elsewhere / "whistle_and_report").write_text("name: mine\n", encoding="utf-8")
    assert load_policy("whistle_and_report").name == "mine"
    shipped_policy = ROOT / "policies" / "platform_dispatch.yaml"
    assert load_policy("platform_dispatch").source == str(shipped_policy)


def test_sim_takes_a_preset_and_its_policy_by_name(elsewhere: Path) -> None:
    sim = Sim("kongtong", "kongtong", days=3).run()
    assert sim.outcomes().name == "kongtong / kongtong / seed 0"
    assert sim.summary()["incidents"] > 0


def preset_spec(folder: Path, scenario: str) -> Path:
    """An experiment spec on ``scenario`` under the kongtong policy."""
    path = folder / "spec.yaml"
    path.write_text(
        f"name: preset\nscenarios: [{scenario}]\npolicies: [kongtong]\nreplications: 2\ndays: 5\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("by", ["name", "path"])
def test_an_experiment_on_a_preset_reads_its_base_as_load_scenario(
    elsewhere: Path, by: str
) -> None:
    preset = ROOT / "scenarios" / "kongtong.yaml"  # a path is relative to the spec's folder
    scenario = "kongtong" if by == "name" else os.path.relpath(preset, elsewhere)
    experiment = load_experiment(preset_spec(elsewhere, scenario))
    policy = experiment.policies[0]
    built = experiment.scenario(0, 0, policy)
    assert built == load_scenario("kongtong", policy=policy.sections, policy_source=policy.source)
    assert experiment.scenario_names == ["kongtong"] and experiment.n_runs == 2


def test_a_sensitivity_study_on_a_preset(elsewhere: Path) -> None:
    spec = elsewhere / "study.yaml"
    study = {
        "name": "preset",
        "scenario": "kongtong",
        "method": "morris",
        "samples": 4,
        "days": 5,
        "outputs": ["resolution_p90_h"],
        "parameters": {"staffing.grid_workers_per_grid": [1, 3], "routing.verify_h": [1, 4]},
    }
    spec.write_text(yaml.safe_dump(study), encoding="utf-8")
    loaded = load_sensitivity(spec)
    assert loaded.scenario_file == ROOT / "scenarios" / "kongtong.yaml"
    assert loaded.integers == {"staffing.grid_workers_per_grid"}


def test_shipped_specs_by_name(elsewhere: Path) -> None:
    assert load_experiment("five_policies").n_runs == 5 * 20
    assert load_sensitivity("sensitivity/sobol_demo").spec.name == "sobol_demo"
    with pytest.raises(ScenarioError, match=r"shipped: five_policies, .*routing_demo"):
        load_experiment("five_policy")


def test_validate_writes_into_the_current_folder(elsewhere: Path, monkeypatch) -> None:
    written: list[Path] = []

    def write_report(presets, reps, out, on_preset, on_run):  # stands in for hours of runs
        written.append(Path(out).resolve())
        return {}

    monkeypatch.setattr("govsim.analysis.validation.write_report", write_report)
    assert main(["validate", "wuhou"]) == 0
    assert written == [elsewhere / "validation.md"]


def test_no_data_is_found_relative_to_the_source_files() -> None:
    """Shipped files are found through govsim.shipped, which works installed; only the
    developer tool that writes the checkout's docs/ looks beside the source."""
    lookups = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "govsim").rglob("*.py")
        if re.search(r"Path\(__file__\).*parents\[", path.read_text(encoding="utf-8"))
    }
    assert lookups == {"govsim/reference.py"}
