"""Reading a log's times: text in one of several formats, in the log's zone, converted to
the scenario's local zone and returned timezone-naive, vectorised over the column."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from govsim.errors import LogError
from govsim.logs import columns as c
from govsim.logs.mapping import LogMapping, Times
from govsim.logs.problems import Problems
from govsim.logs.table import kept

#: The format name that takes any ISO 8601 time (pandas' own fast parser).
ISO = "ISO8601"


@dataclass
class ParsedTimes:
    """A time column read: local naive ``values`` (NaT where missing or unreadable) and
    masks of the rows that were blank, unparseable, or fell on a clock change."""

    values: pd.Series
    blank: pd.Series
    unparseable: pd.Series
    ambiguous: pd.Series
    nonexistent: pd.Series


def parse_times(text: pd.Series, spec: Times, source: str, column: str) -> ParsedTimes:
    """Read the time column ``text`` (strings, or already datetimes from Parquet).

    Each format of ``spec.formats`` is tried on the values no earlier one read. Times
    with an offset (a ``%z`` format, or ISO text with one) are converted to the local
    zone; times without are taken to be in ``spec.time_zone`` and converted, a time the
    clock change makes ambiguous read as its first (summer-time) occurrence and one it
    skips moved forward across the gap. ``source`` and ``column`` name the log's column
    in errors.
    """
    index = text.index
    if pd.api.types.is_datetime64_any_dtype(text.dtype):
        blank = text.isna()
        values, aware = _naive(text), _all(index, text.dt.tz is not None)
        unparseable = _all(index, False)
    else:
        stripped = text.astype("str").str.strip()
        blank = text.isna() | (stripped == "")
        values = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
        aware, todo = _all(index, False), ~blank
        for fmt in spec.formats:
            if not todo.any():
                break
            parsed = _read(stripped[todo], fmt, source, column)
            if parsed.dt.tz is not None:
                aware[todo] = parsed.notna()
            values[todo] = _naive(parsed)
            todo &= values.isna()
        unparseable = todo
    return _localised(values, aware, blank, unparseable, spec, source, column)


def _read(text: pd.Series, fmt: str, source: str, column: str) -> pd.Series:
    """``text`` read with one format (NaT where it does not fit); offsets → UTC.

    A plain format is read by pyarrow's ``strptime`` (C, 20 times pandas' speed), which
    rolls an impossible date or second over (31 February → 2 or 3 March, second 60 → the
    next minute) and reads a two-digit year as one: every value such a roll could have
    produced (day 1–3, second 0–1, year before 1900) or that it did not read is read
    again by pandas, which refuses them as pandas alone would.
    """
    if fmt == ISO or any(code in fmt for code in ("%z", "%f", "%Z")):
        return _read_pandas(text, fmt, source, column)
    try:
        fast = pc.strptime(pa.array(text), format=fmt, unit="s", error_is_null=True)
    except pa.ArrowException as exc:
        raise LogError(f"{source}: times.formats: {fmt!r} for column {column!r}: {exc}") from None
    year = pc.year(fast)
    rolled = [pc.less_equal(pc.day(fast), 3), pc.less_equal(pc.second(fast), 1)]
    odd = [pc.less(year, 1900), pc.greater(year, 2200)]  # beyond 2262 overflows ns
    doubt = pc.fill_null(pc.or_(pc.or_(*rolled), pc.or_(*odd)), True)
    sure = pc.if_else(doubt, pa.scalar(None, fast.type), fast).cast(pa.timestamp("ns"))
    values = pd.Series(sure.to_numpy(zero_copy_only=False), index=text.index)
    doubt = pd.Series(doubt.to_numpy(zero_copy_only=False), index=text.index)
    if doubt.any():
        values[doubt] = _naive(_read_pandas(text[doubt], fmt, source, column))
    return values


def _read_pandas(text: pd.Series, fmt: str, source: str, column: str) -> pd.Series:
    """``text`` read by pandas with one format (NaT where it does not fit)."""
    try:
        return pd.to_datetime(text, format=fmt, errors="coerce", utc="%z" in fmt)
    except ValueError as exc:  # a bad format, or offsets mixed with none in ISO text
        if fmt == ISO:
            return pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
        raise LogError(f"{source}: times.formats: {fmt!r} for column {column!r}: {exc}") from None


def _naive(times: pd.Series) -> pd.Series:
    """Aware times as naive UTC, naive ones as they are, in nanoseconds: a time beyond
    what they hold (before 1677 or after 2262) is NaT, unreadable."""
    if times.dt.tz is not None:
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    held = (times >= pd.Timestamp.min) & (times <= pd.Timestamp.max)
    return times.where(held).astype("datetime64[ns]")


def _all(index: pd.Index, value: bool) -> pd.Series:
    return pd.Series(np.full(len(index), value), index=index)


def _localised(
    values: pd.Series,
    aware: pd.Series,
    blank: pd.Series,
    unparseable: pd.Series,
    spec: Times,
    source: str,
    column: str,
) -> ParsedTimes:
    """The times in the local zone, naive, with the clock-change masks."""
    none = _all(values.index, False)
    ambiguous, nonexistent = none.copy(), none.copy()
    local = spec.local_zone
    if aware.any():
        if local is None:
            raise LogError(
                f"{source}: column {column!r} gives times with an offset: set "
                "times.local_time_zone (or times.time_zone) to the zone to convert them to"
            )
        values[aware] = _to_local(values[aware], "UTC", local)
    naive = ~aware & values.notna()
    if spec.time_zone is not None and naive.any():
        written = values[naive]
        strict = written.dt.tz_localize(spec.time_zone, ambiguous="NaT", nonexistent="NaT")
        clash = strict.isna()
        if clash.any():
            shifted = written[clash].dt.tz_localize(
                spec.time_zone, ambiguous="NaT", nonexistent="shift_forward"
            )
            ambiguous[clash[clash].index[shifted.isna()]] = True
            nonexistent[clash[clash].index[shifted.notna()]] = True
        if local != spec.time_zone:
            summer = np.ones(len(written), dtype=bool)
            aware_local = written.dt.tz_localize(
                spec.time_zone, ambiguous=summer, nonexistent="shift_forward"
            )
            values[naive] = aware_local.dt.tz_convert(local).dt.tz_localize(None)
    return ParsedTimes(values, blank, unparseable, ambiguous, nonexistent)


def _to_local(utc: pd.Series, zone: str, local: str) -> pd.Series:
    return utc.dt.tz_localize(zone).dt.tz_convert(local).dt.tz_localize(None)


def read_time(
    frame: pd.DataFrame,
    name: str,
    mapping: LogMapping,
    problems: Problems,
    source: str,
    *,
    required: bool,
) -> pd.DataFrame:
    """``frame`` with its time column ``name`` read (see :func:`parse_times`).

    A required time that is missing, unreadable or impossible excludes its row; an
    optional one is set missing and the row kept, flagged. Clock-change times are kept,
    flagged. Returns the frame (rows excluded where required).
    """
    spec = mapping.times
    parsed = parse_times(frame[name], spec, f"{source} (mapping {mapping.source})", name)
    values = parsed.values
    latest = pd.Timestamp(spec.latest) if spec.latest else _now(spec.local_zone)
    impossible = values.notna() & ((values < pd.Timestamp(spec.earliest)) | (values > latest))
    ids = frame[c.INCIDENT_ID]
    field = "state_change.time" if name.startswith("_") else name
    if required:
        problems.add("missing_time", ids[parsed.blank], "excluded", column=field, excluded=True)
        what = "excluded"
    else:
        what = f"kept, {field} set missing"
    for kind, mask in (("unparseable_time", parsed.unparseable), ("impossible_time", impossible)):
        problems.add(kind, ids[mask], what, column=field, excluded=required)
    gone = parsed.unparseable | impossible | (parsed.blank if required else False)
    converted = spec.time_zone is not None and spec.local_zone != spec.time_zone
    for kind, mask, done in (
        ("dst_ambiguous", parsed.ambiguous, "read as the first (summer-time) one"),
        ("dst_nonexistent", parsed.nonexistent, "moved forward across the gap"),
    ):
        action = f"kept, {done}" if converted else "kept as written"
        problems.add(kind, ids[mask & ~gone], action, column=field)
    frame = frame.assign(**{name: values.mask(gone)})
    return kept(frame, ~gone) if required else frame


def _now(zone: str | None) -> pd.Timestamp:
    """The current local time, naive (in ``zone`` when given)."""
    return pd.Timestamp.now(tz=zone).tz_localize(None)
