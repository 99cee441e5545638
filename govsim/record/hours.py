"""Working time from the ledger: hours on duty, paid hours, overtime, call-outs, and the
incidents that reached a desk with nobody on duty.

Paid hours are the hours on duty with overtime paid at ``rosters.overtime_rate`` and each
call-out at least ``rosters.on_call.min_paid_h``: on-duty hours − (overtime and call-out
hours) + their paid hours (``Ledger.pay``). Everything counts inside the measurement
window: on-duty hours clipped to it, overtime and call-outs ending in it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from govsim.engine.incidents import State
from govsim.record.by_time import slots
from govsim.record.ledger import PAY_KINDS, ROLES, Ledger


def on_duty_hours(ledger: Ledger, by: str = "office") -> np.ndarray:
    """Handler-hours on duty inside the window, per office (or per role, ``by="role"``,
    in the order of ``govsim.record.ledger.ROLES``): Σ change × |[time of change, ∞) ∩ window|."""
    staff = ledger.staff
    w0, w1 = ledger.window_h
    span = np.clip(w1 - np.maximum(staff["time"], w0), 0.0, None)
    return np.bincount(staff[by], weights=staff["change"] * span, minlength=_size(ledger, by))


def _size(ledger: Ledger, by: str) -> int:
    return len(ledger.offices) if by == "office" else len(ROLES)


def _pay(ledger: Ledger, kind: str | None = None) -> np.ndarray:
    """The pay rows ending inside the window (of ``kind`` only, if given)."""
    pay = ledger.pay
    w0, w1 = ledger.window_h
    keep = (pay["time"] >= w0) & (pay["time"] < w1)
    if kind is not None:
        keep &= pay["kind"] == PAY_KINDS.index(kind)
    return pay[keep]


def paid_hours(ledger: Ledger, by: str = "role") -> np.ndarray:
    """Paid hours inside the window per role (``ROLES`` order) or per office: on-duty hours
    with overtime and call-outs replaced by their paid hours."""
    pay = _pay(ledger)
    extra = np.bincount(pay[by], weights=pay["paid"] - pay["hours"], minlength=_size(ledger, by))
    return on_duty_hours(ledger, by) + extra


def extra_hours(ledger: Ledger, kind: str, by: str = "role") -> np.ndarray:
    """Hours on duty of ``kind`` (``overtime`` or ``call_out``) ending inside the window,
    per role or office."""
    pay = _pay(ledger, kind)
    return np.bincount(pay[by], weights=pay["hours"], minlength=_size(ledger, by))


def on_duty_by_hour_of_week(ledger: Ledger) -> np.ndarray:
    """Mean handlers on duty per role (rows, ``ROLES`` order) in each hour of the week
    (168 columns, Monday 00–01 first), averaged over the window's hours: the roster as
    the run kept it, sampled at the middle of every window hour."""
    staff = ledger.staff
    w0, w1 = ledger.window_h
    hours = np.arange(np.floor(w0), np.ceil(w1)) + 0.5
    hours = hours[(hours > w0) & (hours < w1)]
    week_slot = slots(ledger, hours, "weekday") * 24 + slots(ledger, hours, "hour")
    seen = np.bincount(week_slot, minlength=168)
    order = np.argsort(staff["time"], kind="stable")
    times, roles, change = staff["time"][order], staff["role"][order], staff["change"][order]
    table = np.zeros((len(ROLES), 168))
    for r in range(len(ROLES)):
        mine = roles == r
        on_duty = np.concatenate(([0.0], np.cumsum(change[mine])))
        level = on_duty[np.searchsorted(times[mine], hours, side="right")]
        table[r] = np.bincount(week_slot, weights=level, minlength=168)
    return np.divide(table, seen, out=np.zeros_like(table), where=seen > 0)


def first_start_h(ledger: Ledger) -> np.ndarray:
    """Per incident, the time (h) a handler first started on it (NaN: never)."""
    ev = ledger.events
    started = ev[ev["state"] == State.STARTED]
    first = np.full(len(ledger.incidents), np.inf)
    np.minimum.at(first, started["incident"], started["time"])
    first[np.isinf(first)] = np.nan
    return first


def out_of_hours(ledger: Ledger) -> dict[str, float | None]:
    """The window's incidents that reached a desk with nobody on duty (out of hours):
    their ``share``, and the mean hours from report to a handler starting on them
    (``wait_h``) against the other incidents' (``wait_in_hours_h``); None without any."""
    incidents = ledger.incidents
    window = incidents["in_window"].to_numpy()
    closed = np.zeros(len(incidents), dtype=bool)
    closed[ledger.out_of_hours["incident"]] = True
    wait = first_start_h(ledger) - incidents["reported_at"].to_numpy(dtype=float)

    def mean(mask: np.ndarray) -> float | None:
        values = wait[mask & window & ~np.isnan(wait)]
        return float(values.mean()) if values.size else None

    return {
        "share": float(closed[window].mean()) if window.any() else 0.0,
        "wait_h": mean(closed),
        "wait_in_hours_h": mean(~closed),
    }


def hours_summary(ledger: Ledger) -> dict[str, Any]:
    """Working time in the window: per role, hours on duty, paid hours and overtime
    hours; call-outs (count and hours); the out-of-hours incidents (``out_of_hours``)."""
    per_role = {
        "on_duty_h": on_duty_hours(ledger, by="role"),
        "paid_h": paid_hours(ledger),
        "overtime_h": extra_hours(ledger, "overtime"),
    }
    return {
        **{
            name: {role: float(values[i]) for i, role in enumerate(ROLES)}
            for name, values in per_role.items()
        },
        "call_outs": len(_pay(ledger, "call_out")),
        "call_out_h": float(extra_hours(ledger, "call_out").sum()),
        "out_of_hours": out_of_hours(ledger),
    }
