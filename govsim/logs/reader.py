"""``read_log``: a platform's incident log, read through its mapping file into the
canonical incident table, every problem counted and reported (docs/import-log.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from govsim.logs import columns as c
from govsim.logs.mapping import LogMapping, load_mapping
from govsim.logs.places import CellPolygons, scenario_cells
from govsim.logs.problems import ImportedLog, Problems
from govsim.logs.states import pivot_states
from govsim.logs.table import kept, read_table
from govsim.logs.times import read_time
from govsim.world.scenario import Scenario

KEPT = "kept"
#: The canonical columns' types: text as pandas strings, times naive nanoseconds.
DTYPES = {
    **{name: "str" for name in c.ALL},
    **{name: "datetime64[ns]" for name in c.TIMES},
    c.LATITUDE: "float64",
    c.LONGITUDE: "float64",
    c.REOPENED: "int64",
}


def read_log(
    path: str | Path,
    mapping: LogMapping | str | Path,
    *,
    geojson: str | Path | None = None,
    scenario: Scenario | None = None,
) -> ImportedLog:
    """Read the incident log at ``path`` (CSV, or Parquet by its suffix) with ``mapping``
    (a :class:`LogMapping`, a mapping file or a shipped mapping's name).

    ``geojson`` is a map of grid-cell polygons that coordinates are matched to (default:
    the scenario's map when it is a GeoJSON one). With a ``scenario``, types that are not
    its incidents and grid ids that are not its cells are reported (and kept).

    Returns an :class:`ImportedLog`: the canonical table (one row per incident) and the
    problems, each counted with what was done. Raises :class:`govsim.errors.LogError`
    for an unreadable file or a mapping that does not fit it.
    """
    if not isinstance(mapping, LogMapping):
        mapping = load_mapping(mapping)
    source = str(path)
    raw = read_table(path, mapping)
    rows_in = len(raw)
    problems = Problems()
    raw = _drop_repeats(raw, problems)
    if mapping.rows == "incident":
        frame, unit = _incident_rows(raw, mapping, problems, source), "rows"
    else:
        frame, unit = pivot_states(raw, mapping, problems, source), "incidents"
    frame = _check_order(frame, problems, unit)
    frame = _types(frame, mapping, scenario, problems, unit)
    if geojson is None and scenario is not None and scenario.map.generator == "geojson":
        geojson = scenario.map.geojson
    frame = _places(frame, mapping, geojson, scenario, problems, unit)
    return ImportedLog(
        incidents=_canonical(frame),
        problems=problems.table(),
        source=source,
        mapping=mapping.source,
        rows_in=rows_in,
        rows_excluded=problems.excluded_rows,
        given=tuple(name for name in c.ALL if name in frame.columns),
        flagged=problems.flagged,
    )


def _drop_repeats(raw: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """Without exact repeats of a row and rows without an incident id (both counted)."""
    ids = raw[c.INCIDENT_ID].str.strip()
    raw = raw.assign(**{c.INCIDENT_ID: ids})
    shared = ids.duplicated(keep=False)  # only rows sharing an id can repeat exactly
    repeat = pd.Series(False, index=raw.index)
    if shared.any():
        repeat[shared] = raw[shared].duplicated(keep="first")
    problems.add("exact_duplicate", ids[repeat], "excluded (the first kept)", excluded=True)
    blank = ids.isna() & ~repeat
    problems.add("missing_id", ids[blank], "excluded", excluded=True)
    return kept(raw, ~(repeat | blank))


def _incident_rows(
    raw: pd.DataFrame, mapping: LogMapping, problems: Problems, source: str
) -> pd.DataFrame:
    """One row per incident: later rows of an id supersede earlier ones; times read."""
    twice = raw.duplicated(c.INCIDENT_ID, keep="last")
    problems.add(
        "duplicate_id",
        raw.loc[twice, c.INCIDENT_ID],
        "excluded (the last row of the id kept)",
        excluded=True,
    )
    frame = kept(raw, ~twice)
    frame = read_time(frame, c.CREATED, mapping, problems, source, required=True)
    for name in (c.ASSIGNED, c.CLOSED):
        if name in frame.columns:
            frame = read_time(frame, name, mapping, problems, source, required=False)
    if c.REOPENED in frame.columns:
        frame[c.REOPENED] = _counts(frame, problems)
    return frame


def _counts(frame: pd.DataFrame, problems: Problems) -> pd.Series:
    """The reopened counts as integers: a value that is no count is set to 0, flagged."""
    text = frame[c.REOPENED]
    numbers = pd.to_numeric(text, errors="coerce")
    bad = text.notna() & (numbers.isna() | (numbers < 0) | (numbers % 1 != 0))
    problems.add("bad_number", frame.loc[bad, c.INCIDENT_ID], "kept, set 0", column=c.REOPENED)
    return numbers.mask(bad).fillna(0).astype("int64")


def _check_order(frame: pd.DataFrame, problems: Problems, unit: str) -> pd.DataFrame:
    """Times before the report set missing (kept, flagged): their durations are unknown."""
    for name in (c.CLOSED, c.ASSIGNED):
        if name in frame.columns:
            kind = f"{name}_before_created"
            early = frame[name] < frame[c.CREATED]
            problems.add(
                kind,
                frame.loc[early, c.INCIDENT_ID],
                f"kept, {name} set missing",
                column=name,
                unit=unit,
            )
            frame = frame.assign(**{name: frame[name].mask(early)})
    return frame


def _renamed(values: pd.Series, names: dict[str, str]) -> pd.Series:
    """``values`` with those in ``names`` replaced; the rest as they are."""
    return values.map(names).fillna(values) if names else values


def _types(
    frame: pd.DataFrame,
    mapping: LogMapping,
    scenario: Scenario | None,
    problems: Problems,
    unit: str,
) -> pd.DataFrame:
    """Types (and categories, tiers, units) mapped; missing and unknown types flagged."""
    types, categories = mapping.type_targets()
    platform = frame[c.TYPE].str.strip()
    missing = platform.isna()
    problems.add("missing_type", frame.loc[missing, c.INCIDENT_ID], KEPT, column=c.TYPE, unit=unit)
    frame = frame.assign(**{c.TYPE: _renamed(platform.mask(missing), types)})
    if categories:
        from_types = platform.map(categories)
        given = frame[c.CATEGORY] if c.CATEGORY in frame.columns else from_types
        frame = frame.assign(**{c.CATEGORY: given.fillna(from_types)})
    if scenario is not None:
        unknown = frame[c.TYPE].notna() & ~frame[c.TYPE].isin(list(scenario.incidents))
        problems.add(
            "unknown_type",
            frame.loc[unknown, c.INCIDENT_ID],
            "kept as the platform names it",
            column=c.TYPE,
            unit=unit,
        )
    for name, names in ((c.TIER, mapping.tiers), (c.UNIT, mapping.units)):
        if name in frame.columns:
            frame = frame.assign(**{name: _renamed(frame[name], names)})
    return frame


def _places(
    frame: pd.DataFrame,
    mapping: LogMapping,
    geojson: str | Path | None,
    scenario: Scenario | None,
    problems: Problems,
    unit: str,
) -> pd.DataFrame:
    """Grid ids, and coordinates matched to the map's cells where the log gives no grid
    id; places missing, outside the map or not in the scenario's map flagged (all kept)."""
    ids = frame[c.INCIDENT_ID]
    given = frame[c.CELL] if c.CELL in frame.columns else pd.Series(None, frame.index, "str")
    cell = given.str.strip()
    located = {c.LATITUDE, c.LONGITUDE} <= set(frame.columns)
    if located:
        frame = _coordinates(frame, problems, unit)
        if geojson is not None:
            prop = mapping.cell_property or (scenario.tiers[-1] if scenario is not None else None)
            todo = cell.isna() & frame[c.LATITUDE].notna()
            points = frame.loc[todo, [c.LONGITUDE, c.LATITUDE]].to_numpy().T
            matched = pd.Series(CellPolygons(geojson, prop).cells(*points), cell.index[todo])
            problems.add(
                "outside_map", ids[matched.index[matched.isna()]], "kept, no cell",
                column=c.CELL, unit=unit,
            )  # fmt: skip
            cell = cell.where(~todo, matched.astype("str"))
    if c.CELL in frame.columns or located:
        nowhere = cell.isna() & (frame[c.LATITUDE].isna() if located else True)
        problems.add("missing_place", ids[nowhere], KEPT, column=c.CELL, unit=unit)
    if scenario is not None and cell.notna().any():
        unknown = cell.notna() & ~cell.isin(scenario_cells(scenario))
        problems.add("unknown_cell", ids[unknown], KEPT, column=c.CELL, unit=unit)
    if c.CELL in frame.columns or geojson is not None:
        frame = frame.assign(**{c.CELL: cell})
    return frame


def _coordinates(frame: pd.DataFrame, problems: Problems, unit: str) -> pd.DataFrame:
    """Latitude and longitude as numbers; a pair that is no number or out of range is set
    missing (kept, flagged)."""
    lat, lon = (pd.to_numeric(frame[n], errors="coerce") for n in (c.LATITUDE, c.LONGITUDE))
    written = frame[c.LATITUDE].notna() | frame[c.LONGITUDE].notna()
    bad = written & (lat.isna() | lon.isna() | (lat.abs() > 90) | (lon.abs() > 180))
    problems.add(
        "bad_number", frame.loc[bad, c.INCIDENT_ID], "kept, coordinates set missing",
        column="latitude/longitude", unit=unit,
    )  # fmt: skip
    return frame.assign(**{c.LATITUDE: lat.mask(bad), c.LONGITUDE: lon.mask(bad)})


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """The canonical table: every column of ``columns.ALL`` in order (missing values
    where the log has none, 0 reopenings), typed, indexed 0 … n-1."""
    frame = frame.reset_index(drop=True)
    absent = {name: None for name in c.ALL if name not in frame.columns}
    if c.REOPENED in absent:
        absent[c.REOPENED] = 0
    return frame.assign(**absent)[list(c.ALL)].astype(DTYPES)
