"""The calendar: which date each day of a run falls on, hence its weekday and month.

Day 0 of a run is ``calendar.start_date``; time in the engine stays hours since the start
of the run, and the calendar turns a day number into a date when something depends on it
(shifts, demand profiles, dated windows).
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from govsim.world.fields import Spec


class CalendarSpec(Spec):
    """The dates a run covers."""

    start_date: dt.date = Field(
        dt.date(2025, 1, 1), description="date of the run's first day (ISO, e.g. 2025-01-01)"
    )


class Calendar:
    """Day numbers (0 = the run's first day) as dates, weekdays and months."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.start_date = spec.start_date

    def date(self, day: int) -> dt.date:
        """The date of day ``day`` of the run."""
        return self.start_date + dt.timedelta(days=day)

    def weekday(self, day: int) -> int:
        """Day ``day``'s weekday: 0 Monday … 6 Sunday."""
        return self.date(day).weekday()

    def month(self, day: int) -> int:
        """Day ``day``'s month: 1 January … 12 December."""
        return self.date(day).month
