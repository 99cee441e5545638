"""Working time: named shifts, who works which (rosters), and what happens out of hours.

Without a roster a group of handlers is on duty around the clock (and paid for every
hour). A roster lists the group's crews: each works one named shift, with ``staff``
handlers of each desk of the group (taken in hiring order) or, without ``staff``, every
handler. A shift runs on the days its ``days`` names (the day it starts, by the
``calendar``) and may run past midnight. A handler busy when their shift ends finishes
the job: the hours past the end are overtime, paid at ``overtime_rate``.

An incident reaching a desk with nobody on duty waits for the next shift, goes to the
duty desk of its region (``duty_desk``: its own tier's offices and those below), or calls
a handler out (``on_call``), as ``out_of_hours`` says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, Protocol

from pydantic import Field

from govsim.world.fields import MAX_SEVERITY, Hours, Spec

#: Which days a shift runs on (the day it starts): every day; working days (Monday–Friday
#: and make-up working days, not holidays); days off (the rest); Monday–Friday;
#: Saturday and Sunday; public holidays.
Days = Literal["all", "workdays", "days_off", "weekdays", "weekends", "holidays"]
OutOfHoursAction = Literal["wait", "duty_desk", "call_out"]


class Shift(Spec):
    """A working period on the days it runs: from ``start_h`` for ``hours``."""

    start_h: float = Field(ge=0.0, lt=24.0, description="hour of the day it starts (0–24)")
    hours: float = Field(
        gt=0.0, le=24.0, description="its length (h, up to 24); it may run past midnight"
    )
    days: Days = Field(
        "all",
        description="the days it starts on: all, workdays (Mon–Fri and make-up working days, "
        "not holidays), days_off, weekdays (Mon–Fri), weekends, holidays",
    )


class Crew(Spec):
    """Handlers of a group working one shift."""

    shift: str = Field(description="name of the shift (a key of rosters.shifts)")
    staff: int | None = Field(
        None,
        ge=1,
        le=10_000,
        description="handlers of each desk of the group on this shift, taken in hiring order "
        "after the previous crews' (≤ 10,000); omitted: every handler of the desk",
    )


Roster = list[Crew]


class DutyDesk(Spec):
    """A desk at each office of a tier staffed on its shifts (a night duty desk, 值班) that
    takes the out-of-hours work of its own tier's offices and the tiers below (from
    ``from_tier`` up)."""

    tier: str = Field(description="tier whose offices have a duty desk")
    staff: int = Field(ge=1, le=10_000, description="handlers on it (≤ 10,000)")
    shifts: list[str] = Field(
        min_length=1, description="the shifts it is staffed (keys of rosters.shifts)"
    )
    from_tier: str | None = Field(
        None,
        description="the lowest tier whose out-of-hours work it takes (omitted: the cell "
        "tier, so its own and every tier below); the tiers under it wait or call out",
    )


class OutOfHours(Spec):
    """What an incident does when the desk it reaches has nobody on duty."""

    action: OutOfHoursAction = Field(
        "wait",
        description="wait (for the next shift), duty_desk (to the duty desk of its region, "
        "if staffed now; else it waits), call_out (a handler off duty comes in)",
    )
    call_out_from_severity: int | None = Field(
        None,
        ge=1,
        le=MAX_SEVERITY,
        description="from this severity on, call a handler out whatever action says "
        "(assumption: urgent matters are not left to the morning)",
    )


class OnCall(Spec):
    """Handlers called out of hours."""

    delay_h: Hours = Field(
        1.0, description="time from the call to the handler at the desk (h); assumption"
    )
    min_paid_h: Hours = Field(
        2.0, description="a call-out is paid at least this many hours (assumption)"
    )


class Rosters(Spec):
    """Shifts and who works them; groups left out are on duty around the clock."""

    shifts: dict[str, Shift] = Field(default_factory=dict, description="named shifts")
    grid_workers: Roster | None = Field(None, description="the grid workers' crews (per grid)")
    part_time: Roster | None = Field(
        None,
        description="the part-timers' crews (per grid); omitted: staffing.part_time's daily "
        "shift (start_h, hours)",
    )
    office_staff: dict[str, Roster] = Field(
        default_factory=dict, description="office staff's crews, per tier (per office)"
    )
    departments: dict[str, Roster] = Field(
        default_factory=dict, description="department staff's crews at their own desk"
    )
    sent_down: dict[str, Roster] = Field(
        default_factory=dict, description="crews of a department's staff sent down (per office)"
    )
    duty_desk: DutyDesk | None = Field(None, description="the night duty desk, if any")
    out_of_hours: OutOfHours = Field(
        default_factory=OutOfHours, description="what an incident at a closed desk does"
    )
    on_call: OnCall = Field(default_factory=OnCall, description="call-outs: delay and pay")
    overtime_rate: float = Field(
        1.5,
        ge=1.0,
        le=10.0,
        description="pay of an overtime hour in hours of pay (1–10; 1.5: China's Labour Law "
        "art. 44 pays at least 150% for extended hours)",
    )

    def roster(self, group: str) -> Roster | None:
        """The crews of ``group`` (``grid_workers``, ``part_time``, ``office_staff.TIER``,
        ``departments.NAME``, ``sent_down.NAME``, ``duty_desk``); None: around the clock."""
        if group == "duty_desk":
            desk = self.duty_desk
            return None if desk is None else [Crew(shift=name) for name in desk.shifts]
        field, _, key = group.partition(".")
        value = getattr(self, field)
        return value.get(key) if key else value

    @property
    def enabled(self) -> bool:
        """Whether any group works shifts (else everyone is on duty around the clock)."""
        return bool(
            self.grid_workers
            or self.office_staff
            or self.departments
            or self.sent_down
            or self.duty_desk
            or self.part_time
        )


class Staffed(Protocol):
    """What the checks read of a scenario (``govsim.world.scenario.Scenario``)."""

    rosters: Rosters
    staffing: Any
    departments: dict[str, Any]

    @property
    def tiers(self) -> tuple[str, ...]:
        """Tier names, top to bottom."""
        ...


def roster_problems(scenario: Staffed) -> Iterator[tuple[str, str]]:
    """Consistency of ``rosters`` with the scenario, as (field path, problem) pairs:
    crews name defined shifts; the staff counts of a group's crews add up to the
    group's handlers per desk; tiers and departments exist; no counts at a specialised
    tier (its handlers are split among desks); a surge's shift is defined; the duty
    desk's tier is above the cell."""
    rosters, staffing, tiers = scenario.rosters, scenario.staffing, scenario.tiers
    groups: list[tuple[str, Roster, int]] = []
    if rosters.grid_workers is not None:
        groups.append(("grid_workers", rosters.grid_workers, staffing.grid_workers_per_grid))
    if rosters.part_time is not None:
        groups.append(("part_time", rosters.part_time, staffing.part_time.per_grid))
    for tier, roster in rosters.office_staff.items():
        if tier not in staffing.office_staff:
            yield f"rosters.office_staff.{tier}", f"not a tier above the cell: {list(tiers[:-1])}"
        else:
            groups.append((f"office_staff.{tier}", roster, staffing.office_staff[tier]))
    for field, known in (("departments", scenario.departments), ("sent_down", staffing.sent_down)):
        for name, roster in getattr(rosters, field).items():
            if name not in known:
                yield f"rosters.{field}.{name}", f"not one of {sorted(known)}"
            else:
                groups.append((f"{field}.{name}", roster, known[name].staff))
    for path, roster, staff in groups:
        yield from _crew_problems(f"rosters.{path}", roster, staff, rosters.shifts)
    specialised = set(staffing.specialised)
    for path, roster, _ in groups:
        tier = tiers[-1] if path == "grid_workers" else path.partition(".")[2]
        if tier in specialised and any(crew.staff is not None for crew in roster):
            yield f"rosters.{path}", "a specialised tier's crews take every handler (no staff)"
    for i, surge in enumerate(staffing.surge):
        if surge.shift is not None and surge.shift not in rosters.shifts:
            yield (
                f"staffing.surge.{i}.shift",
                f"'{surge.shift}' is not one of {list(rosters.shifts)}",
            )
    desk = rosters.duty_desk
    if desk is not None:
        if desk.tier not in tiers[:-1]:
            yield "rosters.duty_desk.tier", f"'{desk.tier}' is not one of {list(tiers[:-1])}"
        for i, name in enumerate(desk.shifts):
            if name not in rosters.shifts:
                yield (
                    f"rosters.duty_desk.shifts.{i}",
                    f"'{name}' is not one of {list(rosters.shifts)}",
                )
        below = list(tiers[tiers.index(desk.tier) :]) if desk.tier in tiers else []
        if desk.from_tier is not None and desk.from_tier not in below:
            yield "rosters.duty_desk.from_tier", f"'{desk.from_tier}' is not one of {below}"
    if rosters.out_of_hours.action == "duty_desk" and desk is None:
        yield "rosters.out_of_hours.action", "duty_desk needs a rosters.duty_desk"


def _crew_problems(
    path: str, roster: Roster, staff: int, shifts: dict[str, Shift]
) -> Iterator[tuple[str, str]]:
    for i, crew in enumerate(roster):
        if crew.shift not in shifts:
            yield f"{path}.{i}.shift", f"'{crew.shift}' is not one of {list(shifts)}"
    counted = [crew.staff for crew in roster if crew.staff is not None]
    if counted and sum(counted) != staff:
        yield path, f"the crews' staff add up to {sum(counted)}, not the {staff} handlers per desk"
