"""A run's ledger as a platform's incident log, in the canonical columns.

What a platform would have exported at the end of the run's measurement window: one row
per incident reported in the window (``created`` its report time), its first assignment
to a handler, its closure, the tier and unit that closed it and how it was reported; an
incident still open at the export has no ``closed`` (right-censored). A recurrence of a
failed fix is the same ticket reopened: it has no row of its own and counts in its
parent's ``reopened``. Times are local calendar times from ``calendar.start_date``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from govsim.engine.incidents import Channel, State
from govsim.logs import columns as col
from govsim.record.ledger import Ledger
from govsim.world.geography.from_spec import scenario_map
from govsim.world.scenario import Scenario


def hours_to_times(hours: np.ndarray, start_date: dt.date) -> pd.Series:
    """Hours since midnight of ``start_date`` as local times (``datetime64[ns]``); NaN → NaT."""
    origin = pd.Timestamp(start_date)
    return pd.Series(origin + pd.to_timedelta(np.asarray(hours, dtype=float), unit="h"))


def ledger_to_log(
    ledger: Ledger,
    scenario: Scenario,
    start_h: float | None = None,
    export_h: float | None = None,
) -> pd.DataFrame:
    """The canonical incident table (``govsim.logs.columns``) a platform would export.

    ``start_h`` (default: the start of the ledger's measurement window, after warm-up) and
    ``export_h`` (default: its end) are hours since the run began: incidents reported in
    ``[start_h, export_h)`` are rows, and what happened after ``export_h`` is unknown
    (closures then are missing, status ``open``). ``scenario`` is the run's (for its
    calendar, cell names and categories). Returns one row per incident, ordered by
    ``created``.
    """
    window = ledger.window_h
    start_h = window[0] if start_h is None else start_h
    export_h = window[1] if export_h is None else export_h
    frame = ledger.incidents
    reported = frame["reported_at"].to_numpy()
    parent = frame["parent"].to_numpy()
    rows = np.flatnonzero((parent < 0) & (reported >= start_h) & (reported < export_h))
    first_started, closing_office = _first_started_and_closing_office(ledger, len(frame))
    closed_h = frame["resolved_at"].to_numpy()[rows]
    is_closed = closed_h < export_h
    assigned_h = first_started[rows]
    assigned_h = np.where(assigned_h < export_h, assigned_h, np.nan)
    unit, tier = _office_names(ledger, closing_office[rows], is_closed)
    cell_names = _cell_names(scenario)
    kinds = np.array(ledger.kinds)
    kind = frame["kind"].to_numpy()[rows]
    categories = np.array([scenario.incidents[name].category for name in ledger.kinds])
    start = dt.date.fromisoformat(str(ledger.meta.get("start_date", scenario.calendar.start_date)))
    log = pd.DataFrame(
        {
            col.INCIDENT_ID: [f"{ledger.meta.get('scenario', 'run')}-{i}" for i in rows],
            col.TYPE: kinds[kind],
            col.CATEGORY: categories[kind],
            col.CELL: cell_names[frame["cell"].to_numpy()[rows]],
            col.CREATED: hours_to_times(reported[rows], start),
            col.ASSIGNED: hours_to_times(assigned_h, start),
            col.CLOSED: hours_to_times(np.where(is_closed, closed_h, np.nan), start),
            col.UNIT: unit,
            col.TIER: tier,
            col.CHANNEL: _channels(ledger, rows),
            col.STATUS: np.where(is_closed, "closed", "open"),
            col.REOPENED: _reopened(frame, rows, export_h),
        }
    )
    return log.sort_values(col.CREATED, kind="stable").reset_index(drop=True)


def _first_started_and_closing_office(ledger: Ledger, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per incident, the time of its first STARTED row (NaN: never) and the office of its
    RESOLVED row (−1: none, or settled on the spot by a volunteer)."""
    events = ledger.events
    first = np.full(n, np.nan)
    started = events[events["state"] == State.STARTED]
    # events are sorted by time: the first row of each incident is its first start
    ids, at = np.unique(started["incident"], return_index=True)
    first[ids] = started["time"][at]
    office = np.full(n, -1, dtype=np.int64)
    resolved = events[events["state"] == State.RESOLVED]
    office[resolved["incident"]] = resolved["office"]
    return first, office


def _office_names(ledger: Ledger, office: np.ndarray, closed: np.ndarray) -> tuple[list, list]:
    """The unit (office or department name) and tier that closed each incident: a
    closure with no office (a volunteer's, on the spot) is the cell tier's, unit
    ``volunteer``; an open incident has neither."""
    names = [o.name for o in ledger.offices] + ["volunteer"]
    tiers = [o.tier for o in ledger.offices] + [ledger.tiers[0] if ledger.tiers else None]
    unit = [names[i] if shut else None for i, shut in zip(office.tolist(), closed, strict=True)]
    tier = [tiers[i] if shut else None for i, shut in zip(office.tolist(), closed, strict=True)]
    return unit, tier


def _cell_names(scenario: Scenario) -> np.ndarray:
    """The name of every cell of the scenario's map (its grid ids)."""
    grid_map = scenario_map(scenario.map)
    bottom = grid_map.n_tiers - 1
    return np.array([grid_map.region_name(bottom, c) for c in range(grid_map.n_cells)])


def _channels(ledger: Ledger, rows: np.ndarray) -> np.ndarray:
    """How each incident was reported: the reporting channel a resident used where the
    scenario has channels, else who found it (resident, patrol, volunteer …)."""
    frame = ledger.incidents
    events = ledger.events
    reports = events[events["state"] == State.REPORTED]
    finder = np.full(len(frame), -1, dtype=np.int64)
    finder[reports["incident"]] = reports["actor"]
    names = np.array([c.name.lower() for c in Channel])
    found = names[np.clip(finder[rows], 0, len(names) - 1)]
    via = frame["via"].to_numpy()[rows]
    channels = np.array(ledger.meta.get("channels") or [""], dtype=object)
    return np.where(via >= 0, channels[np.clip(via, 0, len(channels) - 1)], found)


def _reopened(frame: pd.DataFrame, rows: np.ndarray, export_h: float) -> np.ndarray:
    """How many recurrences of each incident occurred before the export (its reopenings)."""
    parent = frame["parent"].to_numpy()
    before = (parent >= 0) & (frame["occurred_at"].to_numpy() < export_h)
    counts = np.bincount(parent[before], minlength=len(frame))
    return counts[rows].astype(np.int64)


def write_log(log: pd.DataFrame, path: str | Path) -> Path:
    """Write a canonical incident table as CSV (ISO times, empty for missing); returns
    the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    log.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")
    return path
