"""The calendar: dates, working days, China's holidays and make-up working days (调休)."""

from __future__ import annotations

import csv
import datetime as dt
from importlib.resources import files
from pathlib import Path

import pytest

from govsim.errors import ScenarioError
from govsim.world.calendar import Calendar, CalendarSpec
from govsim.world.scenario import load_scenario
from tests.support import DEMO


def day_of(calendar: Calendar, date: str) -> int:
    """The run day of ISO ``date``."""
    return (dt.date.fromisoformat(date) - calendar.start_date).days


def test_without_holidays_working_days_are_monday_to_friday() -> None:
    calendar = Calendar(CalendarSpec(start_date=dt.date(2025, 9, 29)))  # a Monday
    assert [calendar.is_workday(d) for d in range(7)] == [True] * 5 + [False] * 2
    assert not any(calendar.is_holiday(d) for d in range(365))


def test_china_2025_spring_festival_and_national_day() -> None:
    """The State Council's 2025 schedule: 28 January–4 February and 1–8 October off,
    Sunday 26 January, Saturday 8 February, Sunday 28 September and Saturday 11 October
    worked."""
    calendar = Calendar(CalendarSpec(start_date=dt.date(2025, 1, 1), holidays="cn", workdays="cn"))
    for date in ("2025-01-28", "2025-01-29", "2025-02-04", "2025-10-01", "2025-10-08"):
        assert not calendar.is_workday(day_of(calendar, date)), date
    for date in ("2025-01-26", "2025-02-08", "2025-09-28", "2025-10-11"):
        assert calendar.is_workday(day_of(calendar, date)), date
    assert calendar.is_holiday(day_of(calendar, "2025-05-01"))
    assert calendar.is_workday(day_of(calendar, "2025-10-09"))  # Thursday after the break


def test_the_shipped_set_covers_2018_to_2026() -> None:
    """Every year has New Year, the Spring Festival, National Day and make-up days."""
    path = Path(str(files("govsim.world").joinpath("calendars", "cn.csv")))
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for year in range(2018, 2027):
        mine = [r for r in rows if r["date"].startswith(str(year))]
        holidays = [r for r in mine if r["kind"] == "holiday"]
        assert 15 <= len(holidays) <= 30, year
        assert any(r["kind"] == "workday" for r in mine), year
        assert f"{year}-10-01" in {r["date"] for r in holidays}
        assert any("Spring Festival" in r["name"] for r in holidays), year


def test_lists_of_dates_and_a_csv_beside_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "days.csv").write_text("date,kind\n2025-01-06,holiday\n2025-01-11,workday\n")
    scenario = tmp_path / "city.yaml"
    scenario.write_text(
        f"base: {DEMO}\ncalendar:\n  start_date: 2025-01-06\n"
        "  holidays: days.csv\n  workdays: [2025-01-12]\n"
    )
    calendar = Calendar(load_scenario(scenario).calendar)
    assert not calendar.is_workday(0)  # a Monday, a holiday from the CSV
    assert not calendar.is_workday(5)  # the CSV's workday row is not a holiday row
    assert calendar.is_workday(6)  # Sunday 12 January, from the list


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        ("holidays: us", "calendar.holidays"),
        ("holidays: missing.csv", r"calendar\.holidays: cannot read .*missing\.csv"),
        ("workdays: ['2025-02-30']", "calendar.workdays"),
        ("holidays: bad.csv", r"calendar\.holidays: .*bad\.csv line 2"),
    ],
)
def test_a_bad_set_names_the_field_and_file(tmp_path: Path, calendar: str, expected: str) -> None:
    (tmp_path / "bad.csv").write_text("date\n1 October\n")
    scenario = tmp_path / "city.yaml"
    scenario.write_text(f"base: {DEMO}\ncalendar:\n  {calendar}\n")
    with pytest.raises(ScenarioError, match=expected):
        load_scenario(scenario)
