"""Logs with one row per state change, pivoted to one row per incident: when it was
reported, first assigned and finally closed, and how often it was reopened."""

from __future__ import annotations

import pandas as pd

from govsim.logs import columns as c
from govsim.logs.mapping import LogMapping
from govsim.logs.problems import Problems
from govsim.logs.table import STATE, STATE_TIME
from govsim.logs.times import read_time

#: Columns taken from an incident's first change (what was reported, where, how) …
FIRST = (c.TYPE, c.CATEGORY, c.CELL, c.LATITUDE, c.LONGITUDE, c.CHANNEL)
#: … and from its last (who handled it, at which tier, its status at export).
LAST = (c.UNIT, c.TIER, c.STATUS)


def pivot_states(
    raw: pd.DataFrame, mapping: LogMapping, problems: Problems, source: str
) -> pd.DataFrame:
    """One row per incident from its state changes (rows already without repeats).

    Rows with a missing, unreadable or impossible time, or a state in no list of
    ``mapping.state_change``, are excluded and counted. Per incident: ``created`` is the
    first created-state time, ``assigned`` the first assigned-state one, ``closed`` the
    last closed-state time unless a reopening follows it (then still open), ``reopened``
    the count of reopened-state rows; the other columns come from the first change
    (``FIRST``) or the last (``LAST``), the first value given. ``status`` is the last
    state when the mapping gives no status column. An incident with no created state is
    excluded (its rows counted).
    """
    states = mapping.state_change
    assert states is not None  # the mapping's validator requires it with state_change rows
    frame = read_time(raw, STATE_TIME, mapping, problems, source, required=True)
    meaning = (
        frame[STATE]
        .str.strip()
        .map(
            {
                value: kind
                for kind in ("created", "assigned", "closed", "reopened", "other")
                for value in getattr(states, kind)
            }
        )
    )
    unknown = meaning.isna()
    problems.add(
        "unknown_state",
        frame.loc[unknown, c.INCIDENT_ID],
        "excluded",
        column="state_change.state",
        excluded=True,
    )
    frame = frame[~unknown].assign(_meaning=meaning[~unknown])
    frame = frame.sort_values([c.INCIDENT_ID, STATE_TIME], kind="stable")
    ids = frame[c.INCIDENT_ID]
    time = frame[STATE_TIME]

    def when(kind: str, how: str) -> pd.Series:
        return time.where(frame["_meaning"] == kind).groupby(ids, sort=False).agg(how)

    groups = frame.groupby(c.INCIDENT_ID, sort=False)
    closed, reopened_at = when("closed", "max"), when("reopened", "max")
    table = pd.DataFrame(
        {
            c.CREATED: when("created", "min"),
            c.ASSIGNED: when("assigned", "min"),
            c.CLOSED: closed.mask(reopened_at > closed),
            c.REOPENED: (frame["_meaning"] == "reopened").groupby(ids, sort=False).sum(),
        }
    )
    for names, how in ((FIRST, "first"), (LAST, "last")):
        present = [n for n in names if n in frame.columns]
        if present:
            table = table.join(getattr(groups[present], how)())
    if c.STATUS not in table.columns:
        table[c.STATUS] = groups[STATE].last()
    table = table.rename_axis(c.INCIDENT_ID).reset_index()
    never = table[c.CREATED].isna()
    rows = groups.size()
    problems.add(
        "missing_created",
        table.loc[never, c.INCIDENT_ID],
        "excluded (all its rows)",
        unit="incidents",
        excluded=True,
        rows=int(rows[table.loc[never, c.INCIDENT_ID]].sum()),
    )
    return table[~never]
