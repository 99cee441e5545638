"""Tables out of govsim: --csv and --xlsx round-trip, report --format, tables printed
whole when piped, and DataFrames that print every column with readable numbers."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

import govsim
from govsim.analysis.comparison import OUTCOMES, compare
from govsim.analysis.export import markdown, parameter_table, run_tables
from govsim.cli import main
from govsim.cli.common import thousands
from govsim.experiments.results import load, summary
from govsim.frames import readable
from govsim.world.scenario import load_scenario
from tests.experiments_support import DEMO, ROOT, SMALL, write_spec

FAST = ["--days", "30"]
#: Four policies: a comparison wider than 100 columns, which a pipe used to cut.
NAMES = ["status_quo", "fast_handoffs", "more_grid_workers", "whistle_and_report"]
POLICIES = [option for name in NAMES for option in ("--policy", name)]


def assert_same(read: pd.DataFrame, table: pd.DataFrame, digits: int = 17) -> None:
    """A table read back equals the one written: same columns, rows and values, floats
    to ``digits`` significant digits (17: to the last bit, as CSV holds them; a workbook
    holds 16, as openpyxl writes them); a reader may choose other dtypes (e.g. float for
    a column of missing values)."""
    pd.testing.assert_frame_equal(
        read.reset_index(drop=True),
        pd.DataFrame(table).reset_index(drop=True),
        check_dtype=False,
        check_exact=digits == 17,
        rtol=10.0 ** -(digits - 1),
        atol=0.0,
    )


def read_back(csv: Path, xlsx: Path, names: list[str]) -> tuple[dict, dict]:
    """The CSV files (main at ``csv``, the others ``STEM-NAME.csv``) and the workbook's
    sheets, by table name."""
    files = {
        n: csv if i == 0 else csv.with_name(f"{csv.stem}-{n}.csv") for i, n in enumerate(names)
    }
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert list(sheets) == names
    return {n: pd.read_csv(f) for n, f in files.items()}, sheets


# --- run, compare, params ---------------------------------------------------------------


def test_run_tables_round_trip_as_csv_and_xlsx(tmp_path: Path, capsys) -> None:
    csv, xlsx = tmp_path / "run.csv", tmp_path / "book.xlsx"
    args = ["run", "demo", *FAST, "--json", "--csv", str(csv), "--xlsx", str(xlsx)]
    assert main(args) == 0
    tables = run_tables(json.loads(capsys.readouterr().out), "status_quo")
    assert list(tables) == ["outcomes", "tiers", "hours", "volumes"]
    csvs, sheets = read_back(csv, xlsx, list(tables))
    for name, table in tables.items():
        assert_same(csvs[name], table)
        assert_same(sheets[name], table, 16)
    row = tables["outcomes"].iloc[0]
    assert row["resolution_time_h.p90"] > row["resolution_time_h.median"] > 0
    assert row["incidents"] > 100 and row["seed"] == 0 and row["days"] == 30
    assert len(tables["tiers"]) >= 3 and {"tier", "mean_wait_h", "utilisation"} <= set(
        tables["tiers"]
    )
    # numbers are stored as numbers (not formatted text), the header row is frozen and
    # every column is wide enough for its name
    sheet = openpyxl.load_workbook(xlsx)["tiers"]
    assert sheet.freeze_panes == "A2"
    waits = [c for c in sheet["E"][1:] if c.value is not None]  # mean_wait_h; empty: NaN
    assert len(waits) >= 3 and all(c.data_type == "n" for c in waits)
    for column in sheet.iter_cols(max_row=1):
        letter = column[0].column_letter
        assert sheet.column_dimensions[letter].width >= len(str(column[0].value))


def test_compare_table_round_trips(tmp_path: Path, capsys) -> None:
    csv, xlsx = tmp_path / "c.csv", tmp_path / "c.xlsx"
    args = ["compare", "demo", *POLICIES[:4], "--reps", "2", *FAST, "--json"]
    assert main([*args, "--csv", str(csv), "--xlsx", str(xlsx)]) == 0
    table = pd.DataFrame(json.loads(capsys.readouterr().out)).drop(columns="null_reasons")
    csvs, sheets = read_back(csv, xlsx, ["comparison"])
    assert_same(csvs["comparison"], table)
    assert_same(sheets["comparison"], table, 16)
    assert len(table) == 2 * len(OUTCOMES)
    assert table["diff"].notna().sum() == len(OUTCOMES)  # the second policy's paired diffs


def test_params_table_round_trips_numbers_as_numbers(tmp_path: Path, capsys) -> None:
    csv, xlsx = tmp_path / "p.csv", tmp_path / "p.xlsx"
    assert main(["params", "demo", "--csv", str(csv), "--xlsx", str(xlsx)]) == 0
    out = capsys.readouterr().out
    assert f"table saved to {csv}" in out and f"table saved to {xlsx}" in out
    table = parameter_table(load_scenario(DEMO))
    back = pd.read_csv(csv)
    assert list(back.columns) == ["path", "value", "type", "allowed", "meaning"]
    assert back["path"].tolist() == table["path"].tolist()
    sheet = pd.read_excel(xlsx, sheet_name="parameters")
    numbers = table["type"].isin(["float", "int"])
    assert numbers.sum() > 100
    assert sheet.loc[numbers, "value"].astype(float).tolist() == (
        table.loc[numbers, "value"].astype(float).tolist()
    )
    assert sheet.loc[numbers, "value"].map(lambda v: isinstance(v, int | float)).all()
    grid = table["path"] == "staffing.grid_workers_per_grid"
    assert float(back.loc[grid, "value"].iloc[0]) == table.loc[grid, "value"].iloc[0]


def test_an_unknown_export_suffix_is_refused_before_running(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["run", "demo", "--csv", str(tmp_path / "out.txt")])
    assert stop.value.code == 2
    assert "allowed: .csv" in capsys.readouterr().err


# --- report -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("results")
    spec = write_spec(folder, SMALL)
    assert main(["experiment", str(spec), "--out", str(folder / "out")]) == 0
    return folder / "out"


def test_report_formats_and_exports_hold_the_summary(results: Path, tmp_path, capsys) -> None:
    table = summary(load(results))
    capsys.readouterr()
    assert main(["report", str(results), "--format", "csv"]) == 0
    assert_same(pd.read_csv(io.StringIO(capsys.readouterr().out)), table)
    assert main(["report", str(results), "--format", "md"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| " + " | ".join(table.columns) + " |"
    assert len(lines) == len(table) + 2
    assert lines[2].split(" | ")[4] == readable(table["mean"].iloc[0])
    csv, xlsx = tmp_path / "s.csv", tmp_path / "s.xlsx"
    assert main(["report", str(results), "--csv", str(csv), "--xlsx", str(xlsx)]) == 0
    assert f"table saved to {xlsx}" in capsys.readouterr().out
    csvs, sheets = read_back(csv, xlsx, ["summary"])
    assert_same(csvs["summary"], table)
    assert_same(sheets["summary"], table, 16)


def test_report_format_xlsx_writes_a_workbook_to_stdout(results: Path, capsysbinary) -> None:
    assert main(["report", str(results), "--format", "xlsx"]) == 0
    sheets = pd.read_excel(io.BytesIO(capsysbinary.readouterr().out), sheet_name=None)
    assert_same(sheets["summary"], summary(load(results)), 16)


def test_report_format_and_json_are_one_or_the_other(results: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["report", str(results), "--json", "--format", "md"])
    assert stop.value.code == 2
    assert "not allowed with argument --json" in capsys.readouterr().err


#: Tiny studies (a dozen runs of 8 days): the command that runs one, its spec, and the
#: tables it writes into its folder, which `govsim report` exports.
STUDIES = {
    "sensitivity": (
        {
            "name": "tiny_morris",
            "scenario": str(DEMO),
            "method": "morris",
            "samples": 4,
            "replications": 1,
            "days": 8,
            "outputs": ["resolution_p90_h", "escalation_rate"],
            "parameters": {
                "staffing.grid_workers_per_grid": [1, 4],
                "routing.verify_h": [0.5, 8],
            },
        },
        ["indices", "convergence", "noise"],
    ),
    "robustness": (
        {
            "name": "tiny_robust",
            "scenario": str(DEMO),
            "policies": ["status_quo", "more_grid_workers"],
            "parameters": {"incidents.home_repair.rate": [0.8, 1.8]},
            "samples": 4,
            "replications": 2,
            "days": 8,
            "claims": [
                {
                    "outcome": "tiers.grid.mean_wait_h",
                    "better": "lower",
                    "policy": "more_grid_workers",
                    "label": "more staff cut the wait",
                }
            ],
        },
        ["claims", "regret", "failures", "effects"],
    ),
}


@pytest.mark.parametrize("command", list(STUDIES))
def test_a_study_report_exports_the_studys_tables(command: str, tmp_path: Path, capsys) -> None:
    body, names = STUDIES[command]
    spec, out = tmp_path / "spec.yaml", tmp_path / "out"
    spec.write_text(yaml.safe_dump(body), encoding="utf-8")
    assert main([command, str(spec), "--out", str(out)]) == 0
    written = {name: pd.read_csv(out / f"{name}.csv") for name in names}
    capsys.readouterr()
    csv, xlsx = tmp_path / "t.csv", tmp_path / "t.xlsx"
    assert main(["report", str(out), "--csv", str(csv), "--xlsx", str(xlsx)]) == 0
    csvs, sheets = read_back(csv, xlsx, names)
    for name, table in written.items():
        assert_same(csvs[name], table)
        assert_same(sheets[name], table, 16)
    assert main(["report", str(out), "--format", "md"]) == 0
    text = capsys.readouterr().out
    assert all(f"### {name}" in text for name in names)
    assert "|" + "|".join(f" {c} " for c in written[names[0]].columns) + "|" in text


# --- tables printed whole when piped ------------------------------------------------------


def test_piped_tables_print_every_column_and_whole_numbers(tmp_path: Path) -> None:
    csv = tmp_path / "c.csv"
    command = [sys.executable, "-m", "govsim", "compare", "demo", *POLICIES, "--reps", "2"]
    done = subprocess.run(
        [*command, *FAST, "--csv", str(csv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "80"},  # as a pipe into a file sees it
    )
    out = done.stdout
    assert "…" not in out
    header = next(line for line in out.splitlines() if "outcome" in line)
    assert all(name in header for name in NAMES)  # every column, every name whole
    cost = pd.read_csv(csv).query("outcome == 'staff_cost'")
    for mean, low, high in zip(cost["mean"], cost["low"], cost["high"], strict=True):
        assert f"{thousands(mean)} ± {thousands((high - low) / 2)}" in out


def test_a_run_piped_prints_its_tables_whole(capsys) -> None:
    assert main(["run", "demo", *FAST]) == 0  # captured: standard output is no terminal
    out = capsys.readouterr().out
    assert "…" not in out
    assert "department:market_regulation" in out and "mean sojourn h" in out


# --- DataFrames in Python and Jupyter -----------------------------------------------------


def _runs(costs: list[float]) -> pd.DataFrame:
    """Runs of two policies on two seeds, every outcome 0.3 but the staff costs."""
    rows = []
    for i, (policy, seed) in enumerate([("a", 0), ("a", 1), ("b", 0), ("b", 1)]):
        rows.append({"policy": policy, "seed": seed, **dict.fromkeys(OUTCOMES, 0.3)})
        rows[-1]["staff_cost"] = costs[i]
    return pd.DataFrame(rows)


def test_the_comparison_table_prints_every_column_readably() -> None:
    table = compare(_runs([1_958_400.0, 1_960_000.0, 1_900_000.0, 1_905_000.0]), "a")
    with pd.option_context("display.max_columns", 6, "display.width", 80):  # a narrow screen
        text, html = repr(table), table._repr_html_()
        plain = repr(pd.DataFrame(table))
    assert "..." in plain  # what a plain DataFrame shows there
    header = text.splitlines()[0].split()
    assert header == [
        "policy",
        "outcome",
        "mean",
        "low",
        "high",
        "diff",
        "diff_low",
        "diff_high",
        "reps",
    ]
    assert "..." not in text and "e+" not in text
    assert "1,959,200" in text and "-56,700" in text  # the mean of a's costs; b's paired diff
    assert all(f"<th>{c}</th>" in html for c in table.columns) and "e+06" not in html
    assert len(text.splitlines()) == len(table) + 1  # one line a row, however wide
    assert isinstance(table[table["policy"] == "b"], type(table))  # selections print so too


def test_sim_outcomes_print_readable_numbers() -> None:
    dearer = {"staffing.hourly_cost.grid_worker": 300.0}  # a cost in the millions
    outcomes = govsim.Sim("demo", days=30, overrides=dearer).outcomes()
    text = repr(outcomes)
    assert "e+" not in text
    cost = outcomes[OUTCOMES["staff_cost"][0]]
    assert cost > 1_000_000 and f"{cost:,.0f}" in text
    assert repr(pd.Series(outcomes)).count("e+") > 0  # plain pandas: scientific notation


def test_markdown_escapes_pipes_and_shows_missing_values_empty() -> None:
    table = pd.DataFrame({"name": ["a|b"], "x": [np.nan], "n": [1234567]})
    assert markdown({"t": table}).splitlines()[2] == r"| a\|b |  | 1,234,567 |"
