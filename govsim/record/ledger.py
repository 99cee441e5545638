"""The ledger: a columnar record of every state change of every incident.

The engine appends one tuple ``(time_h, incident, state, office, actor)`` per change
(a single list append is the cheapest record Python has); ``freeze`` turns the rows
into numpy columns once the run ends. Metrics, plots and tests read only the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.engine.incidents import Incident, State

EVENT_DTYPE = np.dtype(
    [("time", "f8"), ("incident", "i8"), ("state", "i1"), ("office", "i4"), ("actor", "i8")]
)
#: Paid roles, each with its rate in ``staffing.hourly_cost``.
ROLES = ("grid_worker", "part_time", "office_staff", "department_staff")
#: Column types of an incidents table without rows (a run in which nothing occurred).
EMPTY_INCIDENT_TYPES = {
    **dict.fromkeys(("incident", "kind", "cell", "severity", "level"), "int64"),
    **dict.fromkeys(("handoffs", "parent", "via"), "int64"),
    **dict.fromkeys(("failed", "vulnerable"), "bool"),
}
STAFF_DTYPE = np.dtype([("time", "f8"), ("office", "i4"), ("role", "i1"), ("change", "i4")])
#: Pay beyond the rostered hours: hours past a shift's end, and call-outs.
PAY_KINDS = ("overtime", "call_out")
PAY_DTYPE = np.dtype(
    [
        ("time", "f8"),
        ("office", "i4"),
        ("role", "i1"),
        ("kind", "i1"),
        ("hours", "f8"),
        ("paid", "f8"),
    ]
)
#: What an incident did at a desk with nobody on duty.
OUT_OF_HOURS_ACTIONS = ("wait", "duty_desk", "call_out")
OUT_OF_HOURS_DTYPE = np.dtype(
    [("time", "f8"), ("incident", "i8"), ("office", "i4"), ("action", "i1")]
)


@dataclass(frozen=True)
class OfficeInfo:
    """A server pool as the ledger knows it: a dispatch desk or a department."""

    id: int
    name: str
    tier: str
    rank: int  # 0 = cell tier, counting up
    servers: int  # full-time handlers; ``Ledger.staff`` has who was on duty when
    department: str | None = None


class Ledger:
    """Every state change of a run, plus the static facts needed to read it.

    Attributes after ``freeze``:

    - ``events``: structured array sorted by time, then by the order the engine recorded;
    - ``incidents``: one row per incident (kind, cell, severity, level, times, rating);
    - ``offices``, ``kinds``, ``tiers`` (bottom up);
    - ``window_h``: the measurement window (occurrences in it are measured); ``end_h``:
      the time the run ended;
    - ``series``: one row per day: mean trust of all residents and of the vulnerable,
      and the rounds volunteers made;
    - ``staff``: every change in the handlers on duty (time, office, role index into
      ``ROLES``, change), the full-time staff entering at time 0;
    - ``pay``: overtime and call-outs, each when it ends (time, office, role index,
      kind index into ``PAY_KINDS``, hours on duty, paid hours: overtime × the
      overtime rate, a call-out at least its minimum);
    - ``out_of_hours``: every arrival at a desk with nobody on shift (time, incident,
      office, action index into ``OUT_OF_HOURS_ACTIONS``);
    - ``assists``: the departments' parts of joint responses, rows like ``events`` with
      ``incident`` the incident the part belongs to, each part queued, started and
      resolved at its own office (the incident's own rows show the joint response as
      one visit to the lead desk, handler −1);
    - ``evaluations``: one row per grid worker and month when ``incentives.points`` is
      on: ``time_h``, ``worker``, ``points``, ``score``, ``excellent``, ``listed`` (+1
      red list, −1 black) and ``effort``;
    - ``meta``: scenario name, seed, days, rating threshold, costs.
    """

    def __init__(self) -> None:
        self.rows: list[tuple[float, int, int, int, int]] = []
        self.record = self.rows.append
        self.events = np.empty(0, dtype=EVENT_DTYPE)
        self.incidents = pd.DataFrame()
        self.offices: list[OfficeInfo] = []
        self.kinds: list[str] = []
        self.kind_triage: list[str] = []
        self.tiers: list[str] = []
        self.window_h: tuple[float, float] = (0.0, 0.0)
        self.end_h = 0.0
        self.meta: dict[str, Any] = {}
        self.days: list[tuple[float, float, float, int]] = []
        self.series = pd.DataFrame()
        self.staff_rows: list[tuple[float, int, int, int]] = []
        self.staff = np.empty(0, dtype=STAFF_DTYPE)
        self.evaluation_parts: list[pd.DataFrame] = []
        self.evaluations = pd.DataFrame()
        self.assist_rows: list[tuple[float, int, int, int, int]] = []
        self.record_assist = self.assist_rows.append
        self.assists = np.empty(0, dtype=EVENT_DTYPE)
        self.pay_rows: list[tuple[float, int, int, int, float, float]] = []
        self.pay = np.empty(0, dtype=PAY_DTYPE)
        self.out_of_hours_rows: list[tuple[float, int, int, int]] = []
        self.record_out_of_hours = self.out_of_hours_rows.append
        self.out_of_hours = np.empty(0, dtype=OUT_OF_HOURS_DTYPE)

    def record_evaluation(self, time_h: float, result: dict[str, np.ndarray]) -> None:
        """Record one monthly evaluation: per worker, points, score, lists and effort."""
        self.evaluation_parts.append(pd.DataFrame({"time_h": time_h, **result}))

    def staff_change(self, time_h: float, office: int, role: str, change: int) -> None:
        """Record ``change`` handlers of ``role`` coming on (+) or going off (−) duty."""
        self.staff_rows.append((time_h, office, ROLES.index(role), change))

    def record_pay(
        self, time_h: float, office: int, role: str, kind: int, hours: float, paid: float
    ) -> None:
        """Record overtime or a call-out (``kind`` indexes ``PAY_KINDS``) ending at
        ``time_h``: ``hours`` on duty, ``paid`` hours of pay for them."""
        self.pay_rows.append((time_h, office, ROLES.index(role), kind, hours, paid))

    def record_day(
        self, time_h: float, trust: float, trust_vulnerable: float, volunteer_rounds: int
    ) -> None:
        """Record the end of a day: mean trust (all, vulnerable) and volunteers' rounds."""
        self.days.append((time_h, trust, trust_vulnerable, volunteer_rounds))

    def freeze(
        self,
        incidents: Sequence[Incident],
        offices: list[OfficeInfo],
        kinds: list[str],
        kind_triage: list[str],
        tiers: list[str],
        window_h: tuple[float, float],
        end_h: float,
        meta: dict[str, Any],
    ) -> None:
        """Turn the recorded rows into columns and attach the run's static facts."""
        self.events = np.array(self.rows, dtype=EVENT_DTYPE)
        self.staff = np.array(self.staff_rows, dtype=STAFF_DTYPE)
        self.assists = np.array(self.assist_rows, dtype=EVENT_DTYPE)
        self.pay = np.array(self.pay_rows, dtype=PAY_DTYPE)
        self.out_of_hours = np.array(self.out_of_hours_rows, dtype=OUT_OF_HOURS_DTYPE)
        if self.evaluation_parts:
            self.evaluations = pd.concat(self.evaluation_parts, ignore_index=True)
        self.rows = []
        self.record = self.rows.append
        self.offices, self.kinds, self.kind_triage = offices, kinds, kind_triage
        self.tiers, self.window_h, self.end_h = tiers, window_h, end_h
        self.meta = meta
        self.series = pd.DataFrame(
            self.days, columns=["time_h", "trust", "trust_vulnerable", "volunteer_rounds"]
        )
        fields = (
            ("incident", "id"),
            ("kind", "kind"),
            ("cell", "cell"),
            ("severity", "severity"),
            ("level", "level"),
            ("occurred_at", "occurred_at"),
            ("reported_at", "reported_at"),
            ("deadline_at", "deadline_at"),
            ("resolved_at", "resolved_at"),
            ("handoffs", "handoffs"),
            ("rating", "rating"),
            ("parent", "parent"),
            ("failed", "failed"),
            ("vulnerable", "vulnerable"),
            ("via", "via"),
        )
        columns = {name: list(map(attrgetter(attr), incidents)) for name, attr in fields}
        frame = pd.DataFrame(columns)
        if not incidents:  # empty lists give float columns: keep the types rows would have
            frame = frame.astype(EMPTY_INCIDENT_TYPES)
        frame["deadline_h"] = frame.pop("deadline_at") - frame["reported_at"]
        frame["in_window"] = frame["occurred_at"].between(*window_h, inclusive="left")
        self.incidents = frame

    def events_frame(self) -> pd.DataFrame:
        """The events as a tidy DataFrame with readable state, office and tier names."""
        frame = pd.DataFrame(self.events)
        frame["state"] = pd.Categorical.from_codes(
            frame["state"].to_numpy(), categories=[s.name.lower() for s in State]
        )
        names = np.array([o.name for o in self.offices] + [""])
        tiers = np.array([o.tier for o in self.offices] + [""])
        office = frame["office"].to_numpy()
        frame["office_name"] = names[office]
        frame["tier"] = tiers[office]
        kinds = np.array(self.kinds)
        frame["kind"] = kinds[self.incidents["kind"].to_numpy()[frame["incident"].to_numpy()]]
        return frame

    def to_parquet(self, path: str | Path) -> Path:
        """Write the events (with names) to a Parquet file and return its path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.events_frame().to_parquet(path, index=False)
        return path
