"""Outcome definitions, each computed from the ledger alone.

Every metric is measured over the incidents that occurred inside the measurement
window ``[warm-up, horizon)``; incidents after it only keep the system loaded, and the
run drains so that those inside it can finish. Times are in hours.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from govsim.engine.incidents import Channel, State
from govsim.record.by_time import by_time
from govsim.record.hours import hours_summary, on_duty_hours, paid_hours
from govsim.record.ledger import ROLES, Ledger
from govsim.record.petitions import petition_rates, window_petitions
from govsim.record.volumes import volumes


def visits(ledger: Ledger) -> pd.DataFrame:
    """One row per stay of an incident at an office (desk or department).

    Columns: ``incident``, ``office``, ``queued_at``, ``started_at`` (NaN if it left
    before service, e.g. an overdue hand-off), ``ended_at`` (resolution or hand-up;
    NaN if still there at the end), ``resolved`` (bool), ``handler`` (who served it;
    −1 for a joint response, whose work is in the rows with ``part`` true: each summoned
    department's part, at its own office), ``wait_h = started_at − queued_at`` and
    ``sojourn_h = ended_at − queued_at``. Only window incidents, by incident and time.
    """
    frame = pd.concat(
        [_stays(ledger.events).assign(part=False), _stays(ledger.assists).assign(part=True)],
        ignore_index=True,
    ).sort_values(["incident", "queued_at"], kind="stable")
    frame["wait_h"] = frame["started_at"] - frame["queued_at"]
    frame["sojourn_h"] = frame["ended_at"] - frame["queued_at"]
    in_window = ledger.incidents["in_window"].to_numpy()
    return frame[in_window[frame["incident"].to_numpy()]].reset_index(drop=True)


def _stays(events: np.ndarray) -> pd.DataFrame:
    """The stays at offices in a table of event rows, by incident, office, then time."""
    ev = desk_rows(events)
    inc, state, time, office = ev["incident"], ev["state"], ev["time"], ev["office"]
    n = inc.size
    queued = np.flatnonzero(state == State.QUEUED)

    def following(rows: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
        nxt = np.minimum(rows + step, n - 1)
        same = (rows + step < n) & (inc[nxt] == inc[rows]) & (office[nxt] == office[rows])
        return nxt, same

    nxt, has_next = following(queued, 1)
    started = has_next & (state[nxt] == State.STARTED)
    left_early = has_next & (state[nxt] == State.ESCALATED)
    after, has_after = following(queued, 2)
    served_end = started & has_after
    ended_at = np.where(served_end, time[after], np.where(left_early, time[nxt], np.nan))
    return pd.DataFrame(
        {
            "incident": inc[queued],
            "office": office[queued],
            "queued_at": time[queued],
            "started_at": np.where(started, time[nxt], np.nan),
            "ended_at": ended_at,
            "resolved": served_end & (state[after] == State.RESOLVED),
            "handler": np.where(started, ev["actor"][nxt], -1),
        }
    )


def desk_rows(events: np.ndarray) -> np.ndarray:
    """The rows of ``events`` at an office (``office`` ≥ 0), sorted by incident, office,
    then time (their order in ``events``): each stay's rows one after the other.

    One stable sort on a single key, incident × (offices) + office, in place of a
    two-key ``lexsort``; the rows at no office (occurred, reported …) are left out first.
    """
    rows = events[events["office"] >= 0]
    if not rows.size:
        return rows
    key = rows["incident"] * (int(rows["office"].max()) + 1) + rows["office"]
    return rows[np.argsort(key, kind="stable")]


def busy_hours(ledger: Ledger) -> np.ndarray:
    """Handler-hours of service per office inside the window: Σ |[start, end] ∩ window|.

    Counts every service (whatever the incident's occurrence time), since utilisation is
    a property of the office over the window; a joint response counts as its parts.
    """
    w0, w1 = ledger.window_h
    busy = np.zeros(len(ledger.offices))
    for events in (ledger.events, ledger.assists):
        ev = desk_rows(events)
        inc, state, time, office = ev["incident"], ev["state"], ev["time"], ev["office"]
        start = np.flatnonzero((state == State.STARTED) & (ev["actor"] >= 0))
        end = np.minimum(start + 1, inc.size - 1)
        done = (start + 1 < inc.size) & (inc[end] == inc[start]) & (office[end] == office[start])
        stop = np.where(done, time[end], ledger.end_h)
        overlap = np.clip(np.minimum(stop, w1) - np.maximum(time[start], w0), 0.0, None)
        busy += np.bincount(office[start], weights=overlap, minlength=len(ledger.offices))
    return busy


def tier_table(ledger: Ledger, stays: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per tier (desks; departments on rows of their own), bottom up.

    ``servers`` = mean handlers on duty over the window (on-duty hours / window length),
    ``arrivals`` = visits starting in the window per hour of window (λ), ``mean_wait_h``
    = mean of ``wait_h`` over served visits, ``mean_sojourn_h`` = mean of ``sojourn_h``
    over finished visits, ``utilisation`` = Σ busy hours / Σ on-duty hours. ``stays``
    is ``visits(ledger)`` when the caller has it already.
    """
    v = visits(ledger) if stays is None else stays
    v = v[~(v["started_at"].notna() & (v["handler"] < 0))]  # joint responses: their parts
    busy = busy_hours(ledger)
    on_duty = on_duty_hours(ledger)
    w0, w1 = ledger.window_h
    info = pd.DataFrame(
        [
            {
                "office": o.id,
                "group": f"department:{o.department}" if o.department else o.tier,
                "rank": o.rank,
                "on_duty_h": on_duty[o.id],
                "busy_h": busy[o.id],
            }
            for o in ledger.offices
        ]
    )
    v = v.merge(info[["office", "group"]], on="office")
    per_visit = v.groupby("group").agg(
        visits=("incident", "size"),
        mean_wait_h=("wait_h", "mean"),
        mean_sojourn_h=("sojourn_h", "mean"),
    )
    per_office = info.groupby("group").agg(
        rank=("rank", "first"), on_duty_h=("on_duty_h", "sum"), busy_h=("busy_h", "sum")
    )
    table = per_office.join(per_visit, how="left").fillna({"visits": 0})
    table["servers"] = table["on_duty_h"] / (w1 - w0)
    table["arrivals_per_h"] = table["visits"] / (w1 - w0)
    table["utilisation"] = table["busy_h"] / table["on_duty_h"]
    table = table.sort_values(["rank", "group"]).drop(columns=["busy_h", "on_duty_h"])
    return table[
        [
            "rank",
            "servers",
            "visits",
            "arrivals_per_h",
            "mean_wait_h",
            "mean_sojourn_h",
            "utilisation",
        ]
    ]


def window_incidents(ledger: Ledger) -> pd.DataFrame:
    """The incidents that occurred in the measurement window."""
    frame = ledger.incidents
    return frame[frame["in_window"]]


def resolution_times(ledger: Ledger, since: str = "occurrence") -> np.ndarray:
    """Hours from occurrence (or from report) to resolution, for resolved window incidents."""
    frame = window_incidents(ledger)
    start = frame["occurred_at"] if since == "occurrence" else frame["reported_at"]
    times = (frame["resolved_at"] - start).to_numpy()
    return times[~np.isnan(times)]


def describe(values: np.ndarray) -> dict[str, float]:
    """Mean, median and 90th percentile of ``values`` (NaN for none)."""
    if values.size == 0:
        return {"mean": float("nan"), "median": float("nan"), "p90": float("nan")}
    return {
        "mean": float(values.mean()),
        "median": float(np.median(values)),
        "p90": float(np.quantile(values, 0.9)),
    }


def reached(ledger: Ledger, stays: pd.DataFrame | None = None) -> dict[str, float]:
    """Share of reported window incidents that queued at each tier (or its departments).

    ``reached[tier] = #{incidents with a visit at rank ≥ rank(tier)} / #{reported}``;
    the escalation rate is ``reached`` of the tier just above the grid. ``stays`` is
    ``visits(ledger)`` when the caller has it already.
    """
    v = visits(ledger) if stays is None else stays
    ranks = np.array([o.rank for o in ledger.offices])
    top_rank = pd.Series(ranks[v["office"].to_numpy()]).groupby(v["incident"].to_numpy()).max()
    reported = int(window_incidents(ledger)["reported_at"].notna().sum())
    return {
        tier: float((top_rank >= rank).sum() / reported) if reported else float("nan")
        for rank, tier in enumerate(ledger.tiers)
        if rank > 0
    }


def on_time_rate(ledger: Ledger) -> float:
    """Share of reported window incidents resolved within their deadline of the report."""
    frame = window_incidents(ledger)
    frame = frame[frame["reported_at"].notna()]
    if frame.empty:
        return float("nan")
    taken = frame["resolved_at"] - frame["reported_at"]
    return float((taken <= frame["deadline_h"]).mean())


def satisfaction(ledger: Ledger) -> dict[str, float]:
    """Mean follow-up rating (1–5) and share of ratings ≥ the scenario's satisfied level."""
    ratings = window_incidents(ledger)["rating"].dropna().to_numpy()
    if ratings.size == 0:
        return {"mean_rating": float("nan"), "share_satisfied": float("nan"), "rated": 0}
    threshold = ledger.meta["satisfied_at"]
    return {
        "mean_rating": float(ratings.mean()),
        "share_satisfied": float((ratings >= threshold).mean()),
        "rated": int(ratings.size),
    }


def state_counts(ledger: Ledger, times_h: np.ndarray) -> pd.DataFrame:
    """How many incidents are hidden, open (reported, not resolved) and resolved at each time.

    ``hidden(t) = #{occurred ≤ t < reported}``, ``backlog(t) = #{reported ≤ t <
    resolved}``; an incident never reported or never resolved stays in its state.
    """
    frame = ledger.incidents
    occurred = np.sort(frame["occurred_at"].to_numpy())
    reported = np.sort(frame["reported_at"].dropna().to_numpy())
    resolved = np.sort(frame["resolved_at"].dropna().to_numpy())
    n_occ = np.searchsorted(occurred, times_h, side="right")
    n_rep = np.searchsorted(reported, times_h, side="right")
    n_res = np.searchsorted(resolved, times_h, side="right")
    return pd.DataFrame(
        {"time_h": times_h, "hidden": n_occ - n_rep, "backlog": n_rep - n_res, "resolved": n_res}
    )


#: Where an unresolved incident is when it is at no desk (see :func:`incidents_at`).
HIDDEN, VERIFYING, HANDING_OVER = "hidden", "verifying", "handing over"
_OPEN_STATES = (State.REPORTED, State.VERIFIED, State.QUEUED, State.STARTED, State.ESCALATED)


def incidents_at(ledger: Ledger, times_h: np.ndarray) -> pd.DataFrame:
    """Every incident that has occurred and is not yet resolved at each of ``times_h``, and
    where it is then.

    One row per time and such incident (all incidents, not only the window's): ``time_h``,
    ``incident``, ``cell`` and ``where``: ``hidden`` (not yet reported), ``verifying``
    (reported, not yet at a desk), the tier of the desk or department holding it (queued
    or in hand; a joint response at its lead desk) or ``handing over`` (handed on by one
    desk, not yet at the next). An incident's state at ``t`` is that of its last event at
    or before ``t``. Rows with ``where`` other than ``hidden`` count
    ``state_counts(...)["backlog"]``.
    """
    ev = ledger.events
    tier_of = np.array([o.tier for o in ledger.offices] + [""])
    place = np.full(len(State), "", dtype=object)
    place[[State.OCCURRED, State.REPORTED, State.VERIFIED, State.ESCALATED]] = [
        HIDDEN,
        VERIFYING,
        VERIFYING,
        HANDING_OVER,
    ]
    cells = ledger.incidents["cell"].to_numpy()
    frames = []
    for t in np.asarray(times_h, dtype=float):
        upto = ev[: np.searchsorted(ev["time"], t, side="right")]
        # each incident's last event so far: the first of its rows in the reversed prefix
        incident, first = np.unique(upto["incident"][::-1], return_index=True)
        last = upto[len(upto) - 1 - first]
        unresolved = np.isin(last["state"], [State.OCCURRED, *_OPEN_STATES])
        last, incident = last[unresolved], incident[unresolved]
        at_desk = np.isin(last["state"], [State.QUEUED, State.STARTED])
        where = np.where(at_desk, tier_of[last["office"]], place[last["state"]])
        frames.append(
            pd.DataFrame(
                {"time_h": t, "incident": incident, "cell": cells[incident], "where": where}
            )
        )
    columns = ["time_h", "incident", "cell", "where"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def tier_flow(ledger: Ledger) -> pd.DataFrame:
    """How the reported window incidents travelled between the tiers: one row per route.

    Columns: ``route``, the tuple of tiers whose desks (or departments) the incident
    queued at, in order, a tier repeated in a row counted once (empty for an incident a
    volunteer settled on the spot or still being verified at the end); ``closed_by``, the
    tier of the desk that resolved it, ``volunteer``, or ``open`` when it was unresolved
    at the end of the run; ``incidents``. Most travelled routes first. A joint response
    counts at its lead desk; its summoned departments' parts are not on the route.

    ``incidents`` sums to the reported window incidents, and the share of them whose route
    reaches a tier or one above it is ``reached`` of that tier (which also counts the
    parts of joint responses).
    """
    v = visits(ledger)
    v = v[~v["part"]]
    tier_of = np.array([o.tier for o in ledger.offices])
    tiers = tier_of[v["office"].to_numpy()]
    ids = v["incident"].to_numpy()
    repeat = np.r_[False, (ids[1:] == ids[:-1]) & (tiers[1:] == tiers[:-1])]
    routes = pd.Series(tiers[~repeat]).groupby(ids[~repeat]).agg(tuple)
    closing = pd.Series(tiers[v["resolved"].to_numpy()], index=ids[v["resolved"].to_numpy()])
    frame = window_incidents(ledger)
    frame = frame[frame["reported_at"].notna()]
    incident = frame["incident"].to_numpy()
    route = routes.reindex(incident).map(lambda r: r if isinstance(r, tuple) else ())
    closed_by = np.where(
        frame["resolved_at"].notna(), closing.reindex(incident).fillna("volunteer"), "open"
    )
    table = pd.DataFrame({"route": route.to_numpy(), "closed_by": closed_by})
    counts = table.groupby(["route", "closed_by"], sort=False).size()
    return (
        counts.rename("incidents")
        .reset_index()
        .sort_values("incidents", ascending=False, kind="stable", ignore_index=True)
    )


def staff_cost(ledger: Ledger) -> dict[str, float]:
    """Cost of the staff over the window, by role: paid hours × hourly cost; and
    ``bonus``: excellent ratings of evaluations inside the window × ``pay_per_excellent``.

    Roles are those of ``govsim.record.ledger.ROLES``; staff are paid for their hours on
    duty (around the clock without a roster, else their shifts), overtime at
    ``rosters.overtime_rate`` and call-outs at least ``rosters.on_call.min_paid_h``
    (``govsim.record.hours.paid_hours``).
    """
    rates = ledger.meta["hourly_cost"]
    hours = paid_hours(ledger, by="role")
    cost = {role: float(hours[i] * rates[role]) for i, role in enumerate(ROLES)}
    pay = ledger.meta.get("pay_per_excellent", 0.0)
    frame = _window_evaluations(ledger)
    cost["bonus"] = float(pay * frame["excellent"].sum()) if pay and len(frame) else 0.0
    return cost


def resolution_by_triage(ledger: Ledger) -> dict[str, dict[str, float]]:
    """``describe`` of hours from occurrence to resolution, per triage class."""
    frame = window_incidents(ledger)
    triage = np.array(ledger.kind_triage)[frame["kind"].to_numpy()]
    times = (frame["resolved_at"] - frame["occurred_at"]).to_numpy()
    return {
        cls: describe(times[(triage == cls) & ~np.isnan(times)])
        for cls in dict.fromkeys(ledger.kind_triage)
    }


def recurrences(ledger: Ledger) -> int:
    """Window incidents that are a problem back after a fix that did not hold."""
    return int((window_incidents(ledger)["parent"] >= 0).sum())


def closures_per_worker_day(ledger: Ledger) -> float:
    """Incidents closed at the cell tier in the window, per grid-worker day on duty."""
    ev = ledger.events
    w0, w1 = ledger.window_h
    grid = np.array([o.rank == 0 and not o.department for o in ledger.offices])
    rows = ev[(ev["state"] == State.RESOLVED) & (ev["time"] >= w0) & (ev["time"] < w1)]
    closed = int(grid[rows["office"]].sum())
    worker_days = on_duty_hours(ledger)[grid].sum() / 24.0
    return closed / worker_days


def equity(ledger: Ledger) -> dict[str, float]:
    """How evenly service is shared, from resolution times (h, from occurrence).

    ``grid_spread_h``: the 90th minus the 10th percentile, across grids, of each grid's
    median resolution time; ``vulnerable_gap_h``: mean resolution time of vulnerable
    residents' incidents minus that of everybody else's (positive: they wait longer).
    """
    frame = window_incidents(ledger)
    frame = frame[frame["resolved_at"].notna()]
    hours = frame["resolved_at"] - frame["occurred_at"]
    medians = hours.groupby(frame["cell"]).median()
    vulnerable = frame["vulnerable"].to_numpy(dtype=bool)
    gap = hours[vulnerable].mean() - hours[~vulnerable].mean() if vulnerable.any() else np.nan
    spread = medians.quantile(0.9) - medians.quantile(0.1) if len(medians) else np.nan
    return {"grid_spread_h": float(spread), "vulnerable_gap_h": float(gap)}


def petitions(ledger: Ledger) -> int:
    """Petitions about window incidents (problems left unsolved past a resident's
    patience; by tier in ``govsim.record.petitions.petition_rates``)."""
    return int(window_petitions(ledger).size)


def monthly_evaluations(ledger: Ledger) -> pd.DataFrame:
    """Per evaluation of grid workers (each ``incentives.points.period``): ``time_h``,
    ``rated`` (workers rated: at least ``min_caseload`` closures), ``share_excellent`` (of
    the rated workers; NaN if none), ``mean_points``, ``mean_effort`` (all workers), ``red``
    and ``black`` (workers on each list). Empty when the scenario does not evaluate
    (``incentives.points.enabled``)."""
    frame = ledger.evaluations
    columns = ["time_h", "rated", "share_excellent", "mean_points", "mean_effort", "red", "black"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = frame.groupby("time_h")
    rated = grouped["rated"].sum()
    return pd.DataFrame(
        {
            "rated": rated.astype(int),
            "share_excellent": grouped["excellent"].sum() / rated.where(rated > 0),
            "mean_points": grouped["points"].mean(),
            "mean_effort": grouped["effort"].mean(),
            "red": grouped["listed"].apply(lambda x: int((x > 0).sum())),
            "black": grouped["listed"].apply(lambda x: int((x < 0).sum())),
        }
    ).reset_index()


def excellence(ledger: Ledger) -> dict[str, float]:
    """Share of rated grid workers rated excellent at the first and at the last
    evaluation inside the window, and the mean over evaluations (NaN without any)."""
    months = monthly_evaluations(ledger)
    w0, w1 = ledger.window_h
    inside = months[(months["time_h"] > w0) & (months["time_h"] <= w1)]
    if inside.empty:
        return {"first": float("nan"), "last": float("nan"), "mean": float("nan")}
    shares = inside["share_excellent"].to_numpy(dtype=float)
    mean = float(np.nanmean(shares)) if np.isfinite(shares).any() else float("nan")
    return {"first": float(shares[0]), "last": float(shares[-1]), "mean": mean}


def _window_evaluations(ledger: Ledger) -> pd.DataFrame:
    """The evaluation rows of evaluations made inside the window."""
    frame = ledger.evaluations
    if frame.empty:
        return frame
    w0, w1 = ledger.window_h
    return frame[(frame["time_h"] > w0) & (frame["time_h"] <= w1)]


def volunteering(ledger: Ledger) -> dict[str, float]:
    """What volunteers did in the window: ``rounds_per_volunteer_day`` (rounds made /
    volunteer-days; 0 without volunteers), ``banked_h`` (hours credited to the time bank)
    and ``settled`` (window incidents a volunteer settled on the spot)."""
    series = ledger.series
    w0, w1 = ledger.window_h
    days = series[(series["time_h"] > w0) & (series["time_h"] <= w1)]
    rounds = float(days["volunteer_rounds"].sum())
    volunteer_days = ledger.meta.get("volunteers", 0) * len(days)
    ev = ledger.events
    settled = ev[(ev["state"] == State.RESOLVED) & (ev["office"] < 0)]
    in_window = ledger.incidents["in_window"].to_numpy()[settled["incident"]]
    return {
        "rounds_per_volunteer_day": rounds / volunteer_days if volunteer_days else 0.0,
        "banked_h": rounds * ledger.meta.get("banked_h_per_round", 0.0),
        "settled": int(in_window.sum()),
    }


def report_channels(ledger: Ledger) -> dict[str, float]:
    """Share of residents' reports (window incidents) through each of the scenario's
    reporting channels (``residents.channels``); empty when it names none."""
    names = ledger.meta.get("channels", [])
    via = window_incidents(ledger)["via"].to_numpy()
    via = via[via >= 0]
    counts = np.bincount(via, minlength=len(names))
    return {name: float(counts[i] / via.size) if via.size else 0.0 for i, name in enumerate(names)}


def trust_summary(ledger: Ledger) -> dict[str, float]:
    """Mean trust at the start and at the end of the window (all residents, vulnerable)."""
    series = ledger.series
    if series.empty:
        return {"start": float("nan"), "end": float("nan"), "end_vulnerable": float("nan")}
    w0, w1 = ledger.window_h
    start = series[series["time_h"] <= w0].tail(1)
    end = series[series["time_h"] <= w1].tail(1)
    start = start if not start.empty else series.head(1)
    return {
        "start": float(start["trust"].iloc[0]),
        "end": float(end["trust"].iloc[0]),
        "end_vulnerable": float(end["trust_vulnerable"].iloc[0]),
    }


def summarize(ledger: Ledger) -> dict[str, Any]:
    """The run's headline outcomes as plain JSON-ready data."""
    window = window_incidents(ledger)
    stays = visits(ledger)
    tiers = tier_table(ledger, stays)
    shares = reached(ledger, stays)
    rated = satisfaction(ledger)
    bottom_up = ledger.tiers
    channels = window["incident"].map(_discovery_channels(ledger)).value_counts(normalize=True)
    end_counts = state_counts(ledger, np.array([ledger.window_h[1]]))
    return {
        "scenario": ledger.meta["scenario"],
        "seed": ledger.meta["seed"],
        "days": ledger.meta["days"],
        "window_h": list(ledger.window_h),
        "incidents": len(window),
        "reported": int(window["reported_at"].notna().sum()),
        "volumes": volumes(ledger),
        "resolved": int(window["resolved_at"].notna().sum()),
        "resolution_time_h": describe(resolution_times(ledger)),
        "resolution_time_from_report_h": describe(resolution_times(ledger, "report")),
        "resolution_time_by_triage_h": resolution_by_triage(ledger),
        "escalation_rate": shares[bottom_up[1]],
        "reached": shares,
        "on_time_rate": on_time_rate(ledger),
        "satisfaction": rated["mean_rating"],
        "share_satisfied": rated["share_satisfied"],
        "hidden_at_horizon": int(end_counts["hidden"].iloc[0]),
        "backlog_at_horizon": int(end_counts["backlog"].iloc[0]),
        "staff_cost": staff_cost(ledger),
        "hours": hours_summary(ledger),
        "petitions": petitions(ledger),
        "petition_rates": petition_rates(ledger),
        "recurrences": recurrences(ledger),
        "equity": equity(ledger),
        "closures_per_worker_day": closures_per_worker_day(ledger),
        "trust": trust_summary(ledger),
        "volunteers": volunteering(ledger),
        "report_channels": report_channels(ledger),
        "excellent": {name: _num(value) for name, value in excellence(ledger).items()},
        "found_by": {c.name.lower(): float(channels.get(int(c), 0.0)) for c in Channel},
        "by_time": by_time(ledger),
        "tiers": {
            group: {
                "servers": float(row.servers),
                "arrivals": int(row.visits),
                "arrivals_per_h": float(row.arrivals_per_h),
                "mean_wait_h": _num(row.mean_wait_h),
                "mean_sojourn_h": _num(row.mean_sojourn_h),
                "utilisation": float(row.utilisation),
            }
            for group, row in tiers.iterrows()
        },
    }


def _discovery_channels(ledger: Ledger) -> pd.Series:
    ev = ledger.events
    rows = ev[ev["state"] == State.REPORTED]
    return pd.Series(rows["actor"], index=rows["incident"])


def _num(value: float) -> float | None:
    return None if pd.isna(value) else float(value)
