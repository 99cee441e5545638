"""What a reader found wrong in a log, counted in the open: :class:`Problems` collects,
:class:`ImportedLog` holds the clean table with its problems and prints them.

Every problem is either *excluded* (the rows are left out and counted) or *kept* (the
row stays, flagged, perhaps with one value set missing); nothing is dropped silently:
rows read = rows kept + rows excluded (see ``ImportedLog.check_accounting``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Every problem kind a reader reports, and what it means.
KINDS = {
    "exact_duplicate": "a row repeated exactly (every mapped column equal)",
    "missing_id": "no incident id",
    "duplicate_id": "one incident id on rows that differ",
    "missing_time": "no time where one is required",
    "unparseable_time": "a time that no format in times.formats reads",
    "impossible_time": "a time before times.earliest or after times.latest",
    "dst_ambiguous": "a local time that occurs twice (clocks set back)",
    "dst_nonexistent": "a local time that never occurs (clocks set forward)",
    "unknown_state": "a state value in no list of state_change",
    "missing_created": "an incident whose state changes never say it was reported",
    "closed_before_created": "closed before it was reported",
    "assigned_before_created": "assigned before it was reported",
    "missing_type": "no incident type",
    "unknown_type": "a type (after mapping) that is not one of the scenario's incidents",
    "bad_number": "a value that should be a number and is not",
    "missing_place": "neither a grid id nor coordinates",
    "outside_map": "coordinates inside no cell of the map",
    "unknown_cell": "a grid id that is not a cell of the scenario's map",
}
#: How many example ids a problem lists.
EXAMPLES = 3
#: The problems table's columns.
TABLE = ("kind", "column", "count", "unit", "action", "examples")


class Problems:
    """Collects problems as a reader finds them: counts, example ids and, for kept rows,
    the ids flagged."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.flagged: dict[tuple[str, str], np.ndarray] = {}
        self.excluded_rows = 0

    def add(
        self,
        kind: str,
        ids: pd.Series,
        action: str,
        *,
        column: str = "",
        unit: str = "rows",
        excluded: bool = False,
        rows: int | None = None,
    ) -> None:
        """Record ``kind`` for the rows whose incident ids are ``ids`` (nothing when empty).

        ``excluded`` rows are counted out of the table (``rows`` of the log, default one
        per id); kept ones are remembered as flagged under ``(kind, column)``.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown problem kind {kind!r}")
        if len(ids) == 0:
            return
        examples = [str(i) for i in pd.unique(ids.dropna())[:EXAMPLES]]
        self.rows.append(
            {
                "kind": kind,
                "column": column,
                "count": len(ids),
                "unit": unit,
                "action": action,
                "examples": ", ".join(examples),
            }
        )
        if excluded:
            self.excluded_rows += len(ids) if rows is None else rows
        else:
            key = (kind, column)
            known = self.flagged.get(key, np.array([], dtype=object))
            self.flagged[key] = np.concatenate([known, ids.to_numpy(dtype=object)])

    def table(self) -> pd.DataFrame:
        """One row per problem found: kind, column, count, unit, action, examples."""
        return pd.DataFrame(self.rows, columns=list(TABLE)).astype({"count": "int64"})


@dataclass
class ImportedLog:
    """A platform log read into the canonical incident table, with what was wrong in it.

    Attributes:
        incidents: one row per incident, the columns of :data:`govsim.logs.columns.ALL`
            (missing values where the log does not give a column; ``given`` says which).
        problems: one row per problem found (:data:`TABLE` columns; ``KINDS`` explains
            the kinds): how many rows or incidents, and what was done with them.
        source: the log file read; ``mapping``: the mapping file.
        rows_in: rows the file holds; ``rows_excluded``: rows left out (all counted in
            ``problems``).
        given: the canonical columns the log gives.
        flagged: ``(kind, column)`` → the incident ids kept with that problem.
    """

    incidents: pd.DataFrame
    problems: pd.DataFrame
    source: str
    mapping: str
    rows_in: int
    rows_excluded: int
    given: tuple[str, ...]
    flagged: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)

    def flagged_ids(self, kind: str, column: str | None = None) -> np.ndarray:
        """The incident ids kept with problem ``kind`` (in ``column``, or in any)."""
        found = [ids for (k, c), ids in self.flagged.items() if k == kind and column in (None, c)]
        return np.unique(np.concatenate(found)) if found else np.array([], dtype=object)

    def summary(self) -> dict[str, Any]:
        """The counts and the problems as plain data (JSON-ready)."""
        return {
            "source": self.source,
            "mapping": self.mapping,
            "rows_in": self.rows_in,
            "rows_excluded": self.rows_excluded,
            "incidents": len(self.incidents),
            "columns": list(self.given),
            "problems": self.problems.to_dict(orient="records"),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`summary` as JSON text."""
        return json.dumps(self.summary(), ensure_ascii=False, indent=indent)

    def report(self) -> str:
        """A plain-text summary: the counts, then the problems as a table."""
        head = (
            f"{self.source} (mapping {self.mapping}): {self.rows_in:,} rows read, "
            f"{len(self.incidents):,} incidents, {self.rows_excluded:,} rows excluded"
        )
        if self.problems.empty:
            return f"{head}\nno problems found"
        shown = self.problems.assign(count=self.problems["count"].map("{:,}".format))
        widths = {c: max(len(c), int(shown[c].astype(str).str.len().max())) for c in TABLE}
        lines = ["  ".join(c.ljust(widths[c]) for c in TABLE).rstrip()]
        lines += [
            "  ".join(str(row[c]).ljust(widths[c]) for c in TABLE).rstrip()
            for row in shown.to_dict(orient="records")
        ]
        return "\n".join([head, *lines])
