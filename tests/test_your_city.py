"""docs/your-city.md runs as written: every ``govsim`` line of its console blocks, in
order, from a folder outside the checkout; and the shipped synthetic log is the one its
first command makes."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from govsim import shipped
from govsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "your-city.md"


def commands() -> list[list[str]]:
    """The ``govsim`` commands of the walkthrough's console blocks, in order."""
    blocks = re.findall(r"```console\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    lines = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert all(line.startswith("govsim ") for line in lines), lines
    return [shlex.split(line)[1:] for line in lines]


def test_the_walkthrough_runs_as_written(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    steps = commands()
    assert [step[0] for step in steps] == [
        "export-log", "import-log", "check", "run", "backtest"
    ]  # fmt: skip
    for step in steps:
        assert main(step) == 0, (step, capsys.readouterr())
    # the first step made the shipped log, byte for byte
    made = (tmp_path / "city_log.csv").read_bytes()
    assert made == (shipped.folder("scenarios") / "logs" / "synthetic_demo.csv").read_bytes(), (
        "the engine's ledgers changed: regenerate the shipped log with `govsim export-log "
        "logs/synthetic_demo --seed 1 --out scenarios/logs/synthetic_demo.csv` (and the "
        "numbers docs/your-city.md quotes)"
    )
    for name in ("rates.png", "profiles.png", "durations.png", "problems.csv"):
        assert (tmp_path / "fit_report" / name).is_file(), name
    assert (tmp_path / "backtest" / "backtest.csv").is_file()
    assert "back-test passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "option",
    [
        ["--train", "2025-09-01..2025-01-01"],
        ["--train", "last year"],
        ["--reps", "1"],
        ["--test", "2026-01-01..2026-03-31"],  # after the log: nothing to compare
        ["--test", "2025-08-01..2025-12-31"],  # overlaps the training period
    ],
)
def test_a_bad_backtest_option_is_refused_before_any_work(tmp_path, capsys, option) -> None:
    argv = ["backtest", str(ROOT / "scenarios" / "logs" / "synthetic_demo.csv"),
            "--mapping", "govsim", "--train", "2025-01-01..2025-08-31",
            "--test", "2025-09-01..2025-12-31", "--out", str(tmp_path / "bt"), *option]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and option[0] in err, err
    assert not (tmp_path / "bt").exists()


@pytest.mark.parametrize("name", ["nyc311", "grid_platform_zh"])
def test_a_small_messy_log_fits_to_a_valid_scenario(tmp_path, capsys, name) -> None:
    """The reader's messy fixtures (a few dozen rows, no cells or unknown ones, too few
    closures to fit a distribution): the fit says what it could not fit, and the scenario
    it writes validates."""
    out = tmp_path / "fitted.yaml"
    log = ROOT / "tests" / "data" / "logs" / f"{name}.csv"
    assert main(["import-log", str(log), "--mapping", name, "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "fewer than 5: not fitted" in text
    assert main(["check", str(out)]) == 0, capsys.readouterr()
