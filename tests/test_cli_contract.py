"""The CLI's contract: every bad option, path or file ends in one line and exit 2 before
any work; a refused write ends in one line naming the path and exit 1; the run window is
one definition; duplicate keys and duplicate policies are refused."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

import govsim
from govsim.cli import build_parser, main
from govsim.engine.model import GovernanceModel
from govsim.errors import GovsimError
from govsim.policies.files import load_policy
from govsim.world.geography import save_graphml, scenario_map
from govsim.world.scenario import load_scenario, parse_assignments
from govsim.world.window import Window

ROOT = Path(__file__).resolve().parents[1]
DEMO = str(ROOT / "scenarios" / "demo.yaml")


def refused(capsys: pytest.CaptureFixture[str], argv: list[str], *words: str) -> str:
    """Run ``govsim argv``; assert exit 2 and one message holding ``words``: one line, or
    for an invalid file one head line and an indented line per problem."""
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse refuses at parse time
        code = stop.code
    err = capsys.readouterr().err
    assert code == 2, err
    head, *problems = err.strip().splitlines()
    assert head.startswith("govsim") and all(line.startswith("  ") for line in problems), err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err
    return err


# --- numeric options -----------------------------------------------------------------


@pytest.mark.parametrize("days", ["0.5", "0", "-5", "nan", "inf", "1e9", "many"])
@pytest.mark.parametrize("command", ["run", "compare", "plan"])
def test_days_out_of_range_refused(
    capsys: pytest.CaptureFixture[str], command: str, days: str
) -> None:
    extra = {
        "plan": ["--target", "on_time_rate>=0.5", "--vary", "staffing.grid_workers_per_grid=1..2"]
    }
    refused(capsys, [command, DEMO, "--days", days, *extra.get(command, [])], "--days")


@pytest.mark.parametrize(
    "argv",
    [
        ["run", DEMO, "--seed", "-1"],
        ["run", DEMO, "--seed", str(2**63)],
        ["compare", DEMO, "--reps", "0"],
        ["compare", DEMO, "--reps", "1"],
        ["compare", DEMO, "--workers", "0"],
        ["compare", DEMO, "--workers", "-3"],
        ["theory", "--reps", "1"],
        ["validate", "zhenyuan", "--reps", "0"],
        ["calibrate", "zhenyuan", "--samples", "0"],
        ["calibrate", "zhenyuan", "--reps", "1"],
        [
            "plan",
            DEMO,
            "--target",
            "on_time_rate>=0.5",
            "--vary",
            "staffing.grid_workers_per_grid=1..2",
            "--confidence",
            "1",
        ],
    ],
)
def test_numbers_out_of_range_refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    refused(capsys, argv, "allowed")


def test_help_documents_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert re.search(r"^\s+0\s+success", out, re.M)
    assert re.search(r"^\s+1\s+the work ran but failed", out, re.M)
    assert re.search(r"^\s+2\s+bad input", out, re.M)


# --- output paths --------------------------------------------------------------------


def test_output_paths_checked_before_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_run(*_args: object, **_kw: object) -> None:
        raise AssertionError("ran before refusing the output path")

    monkeypatch.setattr("govsim.engine.model.simulate", no_run)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    refused(capsys, ["run", DEMO, "--plot", str(tmp_path / "x.jpg")], "unknown file type")
    refused(capsys, ["run", DEMO, "--plot", str(tmp_path)], "is a folder")
    refused(capsys, ["run", DEMO, "--ledger", str(a_file / "x.parquet")], "is a file")
    refused(capsys, ["run", DEMO, "--ledger", str(tmp_path / "x.csv")], ".parquet")
    refused(capsys, ["compare", DEMO, "--plot", str(a_file / "c.png")], "is a file")
    refused(capsys, ["experiment", DEMO, "--out", str(a_file)], "is a file")
    refused(capsys, ["report", str(tmp_path), "--figures", str(a_file)], "is a file")
    refused(capsys, ["validate", "zhenyuan", "--out", str(tmp_path / "v.txt")], ".md")


def test_refused_write_is_one_line_naming_the_path_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ledger.parquet"

    def full_disk(self: object, path: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("govsim.record.ledger.Ledger.to_parquet", full_disk)
    code = main(["run", DEMO, "--days", "2", "--ledger", str(target)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip() == f"govsim: {target}: No space left on device"


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_a_write_the_system_refuses_is_one_line_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", DEMO, "--days", "1", "--ledger", "/proc/x.parquet"])
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1 and "/proc/x.parquet" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_refused_before_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    refused(capsys, ["run", DEMO, "--plot", str(locked / "x.png")], "not writable")


# --- the window ----------------------------------------------------------------------


def test_window_is_the_engines_and_days_include_the_warmup() -> None:
    scenario = load_scenario(DEMO)  # warm-up 30 days, drain 30
    model = GovernanceModel(scenario, seed=0, days=60)
    window = Window.of(scenario, 60)
    assert model.window == window
    assert (model.warmup_h, model.horizon_h, model.drain_until_h) == (720.0, 1440.0, 2160.0)
    assert window.measured_days == 30
    assert window.describe() == "60 days, the first 30 warm-up"
    short = Window.of(scenario, 20)  # warm-up clamped to half the run
    assert short.warmup_h == 240.0 and short.describe() == "20 days, the first 10 warm-up"


def test_sim_refuses_a_run_shorter_than_a_day() -> None:
    with pytest.raises(GovsimError, match="allowed: 1 to 3,650"):
        govsim.Sim("demo", days=0.5)
    with pytest.raises(GovsimError, match=r"run\.days"):
        load_scenario(DEMO, parse_assignments(["run.days=0.5"]))


def test_spec_refuses_a_run_shorter_than_a_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"name: a\nscenarios: [{DEMO}]\ndays: 0.5\n")
    refused(capsys, ["experiment", str(spec), "--out", str(tmp_path / "o")], "days", "0.5")


def test_figure_title_says_what_was_measured() -> None:
    from govsim.plots.figures import run_figure

    fig = run_figure(govsim.Sim("demo", days=4).run().ledger)
    assert "4 days, the first 2 warm-up" in fig._suptitle.get_text()


# --- files ---------------------------------------------------------------------------


def test_duplicate_yaml_keys_refused_with_both_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "twice.yaml"
    scenario.write_text(
        f"base: {DEMO}\nstaffing:\n  grid_workers_per_grid: 2\n"
        "staffing:\n  volunteers_per_cell: 1\n"
    )
    refused(capsys, ["check", str(scenario)], "duplicate key 'staffing' at lines 2 and 4")
    policy = tmp_path / "p.yaml"
    policy.write_text("name: p\nrouting:\n  verify_h: 1\n  verify_h: 2\n")
    with pytest.raises(GovsimError, match="duplicate key 'verify_h' at lines 3 and 4"):
        load_policy(policy)
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"name: a\nscenarios: [{DEMO}]\nreplications: 2\nreplications: 3\n")
    refused(capsys, ["experiment", str(spec), "--out", str(tmp_path / "o")], "lines 3 and 4")


def test_yaml_nested_too_deep_is_a_clean_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    refused(capsys, ["check", str(deep)], "nested too deeply")


def test_bool_is_not_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    refused(
        capsys,
        ["run", DEMO, "--set", "staffing.grid_workers_per_grid=true"],
        "grid_workers_per_grid",
    )
    # a whole number for a float field still works
    scenario = load_scenario(DEMO, parse_assignments(["run.warmup_days=3"]))
    assert scenario.run.warmup_days == 3.0


@pytest.fixture
def maps(tmp_path: Path) -> Path:
    """A GraphML map of the demo, a copy with text in a `long` attribute, a cut copy,
    a broken GeoJSON file, and a scenario over each."""
    good = tmp_path / "good.graphml"
    save_graphml(scenario_map(load_scenario(DEMO).map), good)
    text = good.read_text()
    key = re.search(r'<key id="(d\d+)" for="node" attr.name="households" attr.type="long"', text)
    assert key is not None
    data = f'<data key="{key.group(1)}">'
    bad = re.sub(rf"{data}\d+</data>", f"{data}many</data>", text, count=1)
    (tmp_path / "text.graphml").write_text(bad)
    (tmp_path / "cut.graphml").write_text(text[: len(text) // 2])
    (tmp_path / "broken.geojson").write_text('{"type": "FeatureCollection", ')
    for name in ("good", "text", "cut"):
        (tmp_path / f"{name}.yaml").write_text(
            f"base: {DEMO}\nmap:\n  generator: graphml\n  graphml: {name}.graphml\n"
        )
    (tmp_path / "broken.yaml").write_text(
        f"base: {DEMO}\nmap:\n  generator: geojson\n  geojson: broken.geojson\n"
    )
    return tmp_path


def test_check_reads_map_files(maps: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(maps / "good.yaml")]) == 0
    assert "24 cells" in capsys.readouterr().out
    refused(capsys, ["check", str(maps / "text.yaml")], "text.yaml: map:", "many")
    refused(capsys, ["check", str(maps / "cut.yaml")], "cut.yaml: map:", "cut.graphml")
    refused(capsys, ["check", str(maps / "broken.yaml")], "broken.yaml: map:", "broken.geojson")


def test_same_policy_twice_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refused(
        capsys,
        ["compare", DEMO, "--policy", "fast_handoffs", "--policy", "fast_handoffs", "--reps", "2"],
        "'fast_handoffs' is named twice",
    )
    for stem in ("a", "b"):
        (tmp_path / f"{stem}.yaml").write_text("name: same\nrouting:\n  verify_h: 1\n")
    a, b = str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")
    refused(capsys, ["compare", DEMO, "--policy", a, "--policy", b], "'same' is named twice", a, b)
    with pytest.raises(GovsimError, match="named twice"):
        govsim.Comparison("demo", ["fast_handoffs", "fast_handoffs"], reps=2)
    with pytest.raises(GovsimError, match="2 or more"):
        govsim.Comparison("demo", ["status_quo"], reps=1)


def test_plan_vary_twice_and_reps_reversed_refused(capsys: pytest.CaptureFixture[str]) -> None:
    vary = "staffing.grid_workers_per_grid"
    argv = ["plan", DEMO, "--target", "on_time_rate>=0.5", "--vary", f"{vary}=1..2"]
    refused(capsys, [*argv, "--vary", f"{vary}=3..4"], f"--vary {vary}: given twice")
    refused(capsys, [*argv, "--min-reps", "6", "--max-reps", "3"], "--max-reps 3")


def test_check_theory_points_to_theory(capsys: pytest.CaptureFixture[str]) -> None:
    refused(capsys, ["check", "--theory"], "govsim theory")
    refused(capsys, ["check", "--theory", "--reps", "1"], "govsim theory")
    assert "theory" in build_parser().format_help()
