"""Every ``--json`` output is strict JSON (no NaN, no Infinity; each null explained in
``null_reasons``) and matches its published JSON Schema in docs/schemas/."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from jsonschema import Draft202012Validator

from govsim.analysis.calibration import Calibration, Profile
from govsim.analysis.targets import Achieved
from govsim.cli import build_parser, main
from govsim.cli.jsonout import KEY, dumps, strict
from tests.experiments_support import SMALL, write_spec
from tests.support import a_target

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "docs" / "schemas"
DEMO = str(ROOT / "scenarios" / "demo.yaml")


def strict_loads(text: str) -> Any:
    """``json.loads`` that refuses NaN and Infinity, as strict parsers do."""

    def refuse(name: str) -> None:
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def checked(capsys: pytest.CaptureFixture[str], schema: str, argv: list[str]) -> Any:
    """Run ``govsim argv``, parse its stdout strictly and validate it against
    docs/schemas/SCHEMA.schema.json; return the data."""
    code = main(argv)
    out = capsys.readouterr().out
    assert code in (0, 1)
    data = strict_loads(out)
    validator = Draft202012Validator(json.loads((SCHEMAS / f"{schema}.schema.json").read_text()))
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]
    assert not errors, errors
    assert_nulls_explained(data)
    return data


def assert_nulls_explained(value: Any) -> None:
    """Every null in an object is named in that object's ``null_reasons``."""
    if isinstance(value, dict):
        reasons = value.get(KEY, {})
        for key, item in value.items():
            if item is None:
                assert key in reasons, (key, value)
            assert_nulls_explained(item)
    elif isinstance(value, list):
        for item in value:
            assert_nulls_explained(item)


# --- the writer ------------------------------------------------------------------------


def test_strict_turns_non_finite_numbers_into_explained_nulls() -> None:
    data = strict(
        {
            "tiers": {"grid": {"mean_wait_h": np.float64("nan"), "arrivals": np.int64(0)}},
            "low": -math.inf,
            "values": [1.0, math.inf],
            "table": pd.DataFrame({"mean": [np.nan, 2.0]}),
        }
    )
    assert data["tiers"]["grid"] == {
        "mean_wait_h": None,
        "arrivals": 0,
        KEY: {"mean_wait_h": "no incident was served at this tier in the window"},
    }
    assert data["low"] is None and data[KEY]["low"] == "unbounded (-inf)"
    assert data["values"] == [1.0, None] and data[KEY]["values[1]"] == "unbounded (+inf)"
    assert data["table"][0]["mean"] is None and "mean" in data["table"][0][KEY]
    assert KEY not in data["table"][1]
    strict_loads(dumps(data))


# --- the commands ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["scenarios/theory/mmc.yaml"],
        ["scenarios/theory/jackson.yaml"],
        [DEMO, "--set", "followup.prob=0"],
    ],
)
def test_run_json_is_strict(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    argv = [str(ROOT / argv[0]) if not argv[0].startswith("/") else argv[0], *argv[1:]]
    data = checked(capsys, "run", ["run", *argv, "--days", "6", "--json"])
    assert data["days"] == 6


def test_an_infinite_time_is_refused_not_printed(capsys: pytest.CaptureFixture[str]) -> None:
    """``routing.verify_h=.inf`` once printed NaN outcomes; the schema refuses it now."""
    assert main(["run", DEMO, "--set", "routing.verify_h=.inf", "--days", "6", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "routing.verify_h" in captured.err and "Traceback" not in captured.err


def test_compare_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["compare", DEMO, "--policy", "status_quo", "--policy", "fast_handoffs"]
    rows = checked(capsys, "compare", [*argv, "--reps", "2", "--days", "3", "--json"])
    baseline = [r for r in rows if r["policy"] == "status_quo"]
    assert all(r["diff"] is None and "diff" in r[KEY] for r in baseline)


def test_theory_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["theory", "--reps", "2", "--days", "20", "--daily-reps", "2", "--json"]
    data = checked(capsys, "theory", argv)
    assert data["reps"] == 2 and len(data["checks"]) > 5
    assert data["daily"]["reps"] == 2 and len(data["daily"]["hours"]) == 24


def test_calibrate_json_has_no_infinity(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = a_target("t", "escalation_rate", 0.5, 0.1)
    fit = Calibration(
        preset="zhenyuan",
        ranges={"a.b": (0.0, 1.0)},
        fitted={"a.b": 0.5},
        loss=math.inf,
        achieved=[Achieved(target, np.array([0.4]))],  # one value: a CI of ±inf
        samples=pd.DataFrame(),
        seeds=range(1_000_000, 1_000_003),
        profiles={"a.b": Profile(np.array([0.0]), np.array([0.0]), -math.inf, math.inf, "x")},
    )
    monkeypatch.setattr("govsim.analysis.calibration.calibrate", lambda *a, **k: fit)
    data = checked(capsys, "calibrate", ["calibrate", "zhenyuan", "--json"])
    assert data["loss"] is None and data[KEY]["loss"] == "unbounded (+inf)"
    assert data["profiles"]["a.b"]["low"] is None
    # no informative target for one parameter, and its profile not identified
    assert data["status"] == "under-determined" and data["degrees_of_freedom"] == -1
    assert data["seeds"] == [1_000_000, 1_000_002] and data["noise"]["t"]["sd"] is None


def test_experiment_report_and_plan_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    done = checked(
        capsys,
        "experiment",
        ["experiment", str(write_spec(tmp_path, SMALL)), "--out", str(out), "--json"],
    )
    assert done["runs_done"] == done["runs_total"] == 8
    rows = checked(capsys, "report", ["report", str(out), "--json"])
    assert {r["policy"] for r in rows} == {"status_quo", "fast_handoffs"}
    plan = [
        "plan",
        DEMO,
        "--target",
        "on_time_rate>=0.1",
        "--vary",
        "staffing.grid_workers_per_grid=2..3",
        "--min-reps",
        "2",
        "--max-reps",
        "2",
        "--days",
        "4",
        "--plot",
        str(tmp_path / "plan.png"),
        "--json",
    ]
    data = checked(capsys, "plan", plan)
    assert data["candidates"]


def json_commands() -> list[str]:
    """The subcommands that take --json."""
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return sorted(
        name
        for name, parser in sub.choices.items()
        if any("--json" in a.option_strings for a in parser._actions)
    )


def test_every_json_output_has_a_published_schema() -> None:
    docs = (ROOT / "docs" / "json.md").read_text()
    commands = json_commands()
    assert {"run", "compare", "theory", "calibrate", "report", "plan"} <= set(commands)
    for name in commands:
        path = SCHEMAS / f"{name}.schema.json"
        Draft202012Validator.check_schema(json.loads(path.read_text()))
        assert f"schemas/{name}.schema.json" in docs, name


def test_sensitivity_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "morris.yaml"
    spec.write_text(
        f"name: m\nscenario: {DEMO}\nmethod: morris\nsamples: 4\ndays: 3\n"
        "outputs: [resolution_mean_h]\nparameters:\n"
        "  staffing.grid_workers_per_grid: [1, 4]\n  routing.verify_h: [0.5, 8]\n"
    )
    argv = ["sensitivity", str(spec), "--out", str(tmp_path / "out"), "--json"]
    data = checked(capsys, "sensitivity", argv)
    assert {i["index"] for i in data["indices"]} == {"mu_star", "mu", "sigma"}
    # one replication: the noise share is undefined, and says so
    assert data["noise"][0]["noise_share"] is None
    again = checked(capsys, "sensitivity", ["report", str(tmp_path / "out"), "--json"])
    assert again["indices"] == data["indices"]
