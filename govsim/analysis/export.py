"""Tables out of govsim: the tidy tables of a run, a comparison, a report and a
scenario's parameters, written as CSV, Excel (XLSX) or Markdown.

A command's tables are a mapping ``name → DataFrame``, the main one first. Every table is
tidy: one row per observation (the run; a tier; a role; a policy's outcome; a
parameter), one column per variable, numbers as numbers. Column names are the names
govsim uses everywhere else — the dotted paths of ``--json``, ``plan --target`` and
experiment outcomes (``resolution_time_h.p90``, ``tiers`` → ``mean_wait_h``) — and a
quantity's name ends in its unit: ``_h`` hours, ``_per_h`` / ``_per_year`` counts per
hour / year, ``_rate`` / ``share_`` / ``utilisation`` a share in [0, 1], ``cost`` currency
units; in a comparison each row names its outcome, and ``mean`` … ``diff_high`` are in
that outcome's unit.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from numbers import Number
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from govsim.frames import readable
from govsim.world.scenario import Scenario, iter_parameters

#: A command's tables by name (a CSV file's suffix, an Excel sheet's name), main first.
Tables = Mapping[str, pd.DataFrame]

#: Summary sections that get tables of their own rather than columns of the run's row.
_OWN_TABLES = (
    "tiers.",
    "volumes.",
    "by_time.",
    "hours.on_duty_h.",
    "hours.paid_h.",
    "hours.overtime_h.",
)
#: Excel column widths (characters): a float shows about 10 significant digits in 12.
_FLOAT_WIDTH, _MAX_WIDTH = 12, 60


def run_tables(summary: Mapping[str, Any], policy: str) -> dict[str, pd.DataFrame]:
    """The tables of one run (``govsim.record.metrics.summarize``) under ``policy``:
    ``outcomes`` (one row: every number of the summary by its dotted path, but those
    below), ``tiers`` (a row per tier), ``hours`` (a row per role: hours on duty, paid and
    in overtime) and ``volumes`` (a row per incident type and per category). The by-time
    breakdown is left to ``--json`` and the by-time figure."""
    flat = pd.json_normalize(dict(summary)).iloc[0]
    numbers = {
        path: value
        for path, value in flat.items()
        if not path.startswith(_OWN_TABLES)
        and path not in ("seed", "days")
        and (value is None or (isinstance(value, Number) and not isinstance(value, bool)))
    }
    identity = {
        "scenario": summary["scenario"],
        "policy": policy,
        "seed": summary["seed"],
        "days": summary["days"],
    }
    outcomes = pd.DataFrame([{**identity, **numbers}]).apply(_numeric)
    tiers = pd.DataFrame.from_dict(dict(summary["tiers"]), orient="index")
    tiers = tiers.drop(columns="null_reasons", errors="ignore").apply(_numeric)
    hours = summary["hours"]
    roles = {name: hours[name] for name in ("on_duty_h", "paid_h", "overtime_h")}
    volumes = pd.concat(
        {
            level: pd.DataFrame.from_dict(summary["volumes"][f"by_{level}"], orient="index")
            for level in ("type", "category")
        },
        names=["level", "name"],
    )
    return {
        "outcomes": outcomes,
        "tiers": tiers.rename_axis("tier").reset_index(),
        "hours": pd.DataFrame(roles).rename_axis("role").reset_index(),
        "volumes": volumes.reset_index(),
    }


def _numeric(column: pd.Series) -> pd.Series:
    """A column of numbers and ``None`` as numbers (``None`` → NaN); text left as it is."""
    try:
        return pd.to_numeric(column)
    except (TypeError, ValueError):
        return column


def parameter_table(scenario: Scenario) -> pd.DataFrame:
    """Every parameter of ``scenario``, a row each: ``path`` (for ``--set``), ``value``
    (a number as a number; a list or mapping as its text), ``type``, ``allowed`` and
    ``meaning`` (with its unit)."""
    rows = [
        {"path": p, "value": _cell(v), "type": t, "allowed": a, "meaning": d}
        for p, v, t, a, d in iter_parameters(scenario)
    ]
    return pd.DataFrame(rows, columns=["path", "value", "type", "allowed", "meaning"])


def _cell(value: Any) -> Any:
    """A value a CSV or Excel cell holds as it is (a number, text, a truth value, empty);
    anything else as its text."""
    return value if value is None or isinstance(value, Number | str | bool) else str(value)


def save(tables: Tables, csv: Path | None = None, xlsx: Path | None = None) -> list[Path]:
    """Write ``tables`` as CSV (:func:`write_csv`) to ``csv`` and as a workbook
    (:func:`write_xlsx`) to ``xlsx``, each if given; returns the files written."""
    written = write_csv(tables, csv) if csv is not None else []
    if xlsx is not None:
        xlsx.parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(tables, xlsx)
        written.append(xlsx)
    return written


def write_csv(tables: Tables, path: Path) -> list[Path]:
    """One UTF-8 CSV file per table: the main table at ``path``, each other one beside
    it as ``STEM-NAME.csv`` (``run.csv``, ``run-tiers.csv`` …); returns the files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for i, (name, table) in enumerate(tables.items()):
        target = path if i == 0 else path.with_name(f"{path.stem}-{name}{path.suffix}")
        table.to_csv(target, index=False)
        written.append(target)
    return written


def csv_text(tables: Tables) -> str:
    """The tables as CSV text: one table as it is; several each after a ``# NAME`` line
    and separated by a blank line."""
    if len(tables) == 1:
        return next(iter(tables.values())).to_csv(index=False)
    return "\n".join(f"# {name}\n{table.to_csv(index=False)}" for name, table in tables.items())


def write_xlsx(tables: Tables, target: Path | BinaryIO) -> None:
    """An Excel workbook, a sheet per table under its name: the header row frozen,
    columns as wide as their contents (text up to 60 characters), numbers as numbers."""
    from openpyxl.utils import get_column_letter
    from rich.cells import cell_len

    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for name, table in tables.items():
            table.to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 0))
            sheet = writer.sheets[name]
            for i, column in enumerate(table.columns, start=1):
                values = table[column]
                if pd.api.types.is_float_dtype(values):
                    shown = [_FLOAT_WIDTH]
                else:
                    shown = [cell_len(str(v)) for v in values if v is not None]
                width = min(max([cell_len(str(column)), *shown]) + 2, _MAX_WIDTH)
                sheet.column_dimensions[get_column_letter(i)].width = width


def xlsx_bytes(tables: Tables) -> bytes:
    """The workbook of :func:`write_xlsx` as bytes (for standard output)."""
    buffer = io.BytesIO()
    write_xlsx(tables, buffer)
    return buffer.getvalue()


def markdown(tables: Tables) -> str:
    """The tables as Markdown (GitHub's pipe tables), numbers readable
    (``govsim.frames.readable``) and right-aligned; several tables each under a
    ``### NAME`` heading."""
    parts = []
    for name, table in tables.items():
        if len(tables) > 1:
            parts.append(f"### {name}\n")
        parts.append(_markdown_table(table))
    return "\n".join(parts)


def _markdown_table(table: pd.DataFrame) -> str:
    right = [
        pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
        for c in table.columns
    ]
    lines = [
        _markdown_row(map(str, table.columns)),
        _markdown_row("---:" if r else "---" for r in right),
        *(_markdown_row(map(readable, row)) for row in table.itertuples(index=False)),
    ]
    return "\n".join(lines) + "\n"


def _markdown_row(cells: Any) -> str:
    escaped = (c.replace("|", r"\|").replace("\n", " ") for c in cells)
    return "| " + " | ".join(escaped) + " |"
