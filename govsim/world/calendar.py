"""The calendar: which date each day of a run falls on, hence its weekday and month, and
which days are working days (public holidays and make-up working days, 调休).

Day 0 of a run is ``calendar.start_date``; time in the engine stays hours since the start
of the run, and the calendar turns a day number into a date when something depends on it
(shifts, demand profiles, dated windows).

``calendar.holidays`` and ``calendar.workdays`` each take a shipped set's name (``cn``:
China's statutory holidays and make-up working days 2018–2026, ``calendars/cn.csv``,
made by ``tools/cn_holidays.py``), a list of ISO dates, or a CSV file (a ``date`` column
and optionally ``kind``: ``holiday`` or ``workday``) resolved beside the scenario file.
"""

from __future__ import annotations

import csv
import datetime as dt
from importlib.resources import files
from pathlib import Path

from pydantic import Field, field_validator

from govsim.errors import ScenarioError
from govsim.world.fields import Spec

#: Shipped sets of dated days, by name: files in ``govsim/world/calendars/``.
SHIPPED_SETS = ("cn",)
#: The kinds of day a set lists, by the calendar field that takes them.
KINDS = {"holidays": "holiday", "workdays": "workday"}

DateSet = str | list[dt.date]


class CalendarSpec(Spec):
    """The dates a run covers, and its public holidays and make-up working days."""

    start_date: dt.date = Field(
        dt.date(2025, 1, 1), description="date of the run's first day (ISO, e.g. 2025-01-01)"
    )
    holidays: DateSet = Field(
        default_factory=list,
        description="public holidays (days off though Monday–Friday): a shipped set's name "
        "(cn: China's statutory holidays 2018–2026), a list of ISO dates, or a CSV file "
        "beside the scenario (column date; kind = holiday rows only if a kind column)",
    )
    workdays: DateSet = Field(
        default_factory=list,
        description="make-up working days (调休: working days though Saturday or Sunday): a "
        "shipped set's name (cn), a list of ISO dates, or a CSV file beside the scenario "
        "(column date; kind = workday rows only if a kind column)",
    )

    @field_validator("holidays", "workdays")
    @classmethod
    def _named_or_csv(cls, value: DateSet) -> DateSet:
        if isinstance(value, str) and value not in SHIPPED_SETS and not value.endswith(".csv"):
            raise ValueError(f"a shipped set {list(SHIPPED_SETS)} or a .csv file, got '{value}'")
        return value

    def resolve(self, base_dir: Path | None, source: str = "<scenario>") -> None:
        """Make relative CSV paths relative to ``base_dir`` (the scenario file's folder,
        None: as given) and read them, so that a missing or malformed file is refused when
        the scenario is loaded."""
        for name in KINDS:
            value = getattr(self, name)
            relative = isinstance(value, str) and not Path(value).is_absolute()
            if relative and value not in SHIPPED_SETS and base_dir is not None:
                setattr(self, name, str(base_dir / value))
            self.dates(name, source)

    def dates(self, name: str, source: str = "<scenario>") -> frozenset[dt.date]:
        """The dates of field ``name`` (``holidays`` or ``workdays``); a missing or
        malformed file raises ``ScenarioError`` naming ``source``, the field and the file."""
        value = getattr(self, name)
        if isinstance(value, list):
            return frozenset(value)
        if value in SHIPPED_SETS:
            path = Path(str(files("govsim.world").joinpath("calendars", f"{value}.csv")))
        else:
            path = Path(value)
        return _read_dates(path, KINDS[name], f"{source}: calendar.{name}")


def _read_dates(path: Path, kind: str, field: str) -> frozenset[dt.date]:
    """The dates in CSV ``path`` (of ``kind`` where the file has a kind column)."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise ScenarioError(f"{field}: cannot read {path}: {exc.strerror}") from None
    dates = set()
    for line, row in enumerate(rows, start=2):
        if row.get("kind", kind) != kind:
            continue
        try:
            dates.add(dt.date.fromisoformat(row.get("date") or ""))
        except ValueError:
            raise ScenarioError(
                f"{field}: {path} line {line}: 'date' must be an ISO date (2025-10-01), "
                f"got {row.get('date')!r}"
            ) from None
    return frozenset(dates)


class Calendar:
    """Day numbers (0 = the run's first day) as dates, weekdays, months and working days.

    A working day is Monday–Friday unless a holiday, or a make-up working day."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.start_date = spec.start_date
        self.holidays = spec.dates("holidays")
        self.workdays = spec.dates("workdays")

    def date(self, day: int) -> dt.date:
        """The date of day ``day`` of the run."""
        return self.start_date + dt.timedelta(days=day)

    def weekday(self, day: int) -> int:
        """Day ``day``'s weekday: 0 Monday … 6 Sunday."""
        return self.date(day).weekday()

    def month(self, day: int) -> int:
        """Day ``day``'s month: 1 January … 12 December."""
        return self.date(day).month

    def is_holiday(self, day: int) -> bool:
        """Whether day ``day`` is a public holiday."""
        return self.date(day) in self.holidays

    def is_workday(self, day: int) -> bool:
        """Whether day ``day`` is a working day: a make-up working day, or Monday–Friday
        and not a holiday."""
        date = self.date(day)
        if date in self.workdays:
            return True
        return date.weekday() < 5 and date not in self.holidays

    def is_day(self, kind: str, day: int) -> bool:
        """Whether day ``day`` is of ``kind``: all, workdays, days_off (not a working
        day), weekdays (Monday–Friday), weekends (Saturday, Sunday) or holidays."""
        if kind == "all":
            return True
        if kind == "workdays":
            return self.is_workday(day)
        if kind == "days_off":
            return not self.is_workday(day)
        if kind == "weekdays":
            return self.weekday(day) < 5
        if kind == "weekends":
            return self.weekday(day) >= 5
        if kind == "holidays":
            return self.is_holiday(day)
        raise ValueError(f"unknown kind of day '{kind}'")
