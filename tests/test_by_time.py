"""Outcomes by time (govsim.record.by_time) on a ledger small enough to work out by hand,
and the by-time figure and its command-line option."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

from govsim.cli import main
from govsim.engine.incidents import Incident, State
from govsim.plots.by_time import plot_by_time
from govsim.record.by_time import occurrences, slots, times_by_report
from govsim.record.ledger import Ledger, OfficeInfo
from govsim.record.metrics import summarize
from tests.mutations import ROOT

S = State
NAN = float("nan")


def incident(i: int, occurred: float, reported: float, resolved: float) -> Incident:
    inc = Incident(i, 0, 0, 0, 1, 0, occurred, [1.0, 1.0], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    inc.reported_at, inc.deadline_at, inc.resolved_at = reported, reported + 72.0, resolved
    return inc


@pytest.fixture
def ledger() -> Ledger:
    """Day 0 is Monday 2025-01-06. A: reported Monday 01:30, waits 1 h, resolved 4 h after
    the report. B: reported Tuesday 01:12, waits 2 h, resolved in 10 h. C: occurred
    Tuesday 23:54, reported Wednesday 01:00, starts at once, handed up (its second wait
    does not count), resolved in 31 h. D: reported Sunday 2 February 10:00, still queued
    at the end. E: after the window."""
    led = Ledger()
    for row in [
        (0.5, 0, S.OCCURRED, -1, -1),
        (1.5, 0, S.REPORTED, -1, 0),
        (1.5, 0, S.VERIFIED, -1, -1),
        (2.0, 0, S.QUEUED, 0, -1),
        (3.0, 0, S.STARTED, 0, 7),
        (5.5, 0, S.RESOLVED, 0, 7),
        (25.0, 1, S.OCCURRED, -1, -1),
        (25.2, 1, S.REPORTED, -1, 0),
        (25.2, 1, S.VERIFIED, -1, -1),
        (25.2, 1, S.QUEUED, 0, -1),
        (27.2, 1, S.STARTED, 0, 7),
        (35.2, 1, S.RESOLVED, 0, 7),
        (47.9, 2, S.OCCURRED, -1, -1),
        (49.0, 2, S.REPORTED, -1, 0),
        (49.0, 2, S.VERIFIED, -1, -1),
        (49.0, 2, S.QUEUED, 0, -1),
        (49.0, 2, S.STARTED, 0, 7),
        (52.0, 2, S.ESCALATED, 0, 7),
        (60.0, 2, S.QUEUED, 1, -1),
        (70.0, 2, S.STARTED, 1, 9),
        (80.0, 2, S.RESOLVED, 1, 9),
        (658.0, 3, S.OCCURRED, -1, -1),
        (658.0, 3, S.REPORTED, -1, 0),
        (658.0, 3, S.VERIFIED, -1, -1),
        (658.0, 3, S.QUEUED, 0, -1),
        (2000.0, 4, S.OCCURRED, -1, -1),
    ]:
        led.record((row[0], row[1], int(row[2]), row[3], row[4]))
    led.staff_change(0.0, 0, "grid_worker", 1)
    led.freeze(
        [
            incident(0, 0.5, 1.5, 5.5),
            incident(1, 25.0, 25.2, 35.2),
            incident(2, 47.9, 49.0, 80.0),
            incident(3, 658.0, 658.0, NAN),
            incident(4, 2000.0, NAN, NAN),
        ],
        [OfficeInfo(0, "grid 0", "grid", 0, 1), OfficeInfo(1, "community 0", "community", 1, 1)],
        ["request"],
        ["community"],
        ["grid", "community"],
        (0.0, 1000.0),
        2100.0,
        {"scenario": "hand", "seed": 0, "days": 41, "satisfied_at": 4.0, "start_date": "2025-01-06",
         "hourly_cost": dict.fromkeys(("grid_worker", "part_time", "office_staff",
                                       "department_staff"), 1.0)},
    )  # fmt: skip
    return led


def test_slots_follow_the_calendar(ledger: Ledger) -> None:
    times = np.array([0.0, 23.99, 24.0, 6 * 24 + 5, 26 * 24.0, 27 * 24.0])
    assert slots(ledger, times, "hour").tolist() == [0, 23, 0, 5, 0, 0]
    assert slots(ledger, times, "weekday").tolist() == [0, 0, 1, 6, 5, 6]  # 1 Feb: Saturday
    assert slots(ledger, times, "month").tolist() == [0, 0, 0, 0, 1, 1]
    ledger.meta["start_date"] = "2025-01-01"  # a Wednesday
    assert slots(ledger, times, "weekday").tolist() == [2, 2, 3, 1, 0, 1]


def test_occurrences_by_hour_weekday_and_month(ledger: Ledger) -> None:
    by_hour = occurrences(ledger, "hour")
    assert by_hour.sum() == 4  # E is after the window
    assert by_hour[["00", "01", "10", "23"]].tolist() == [1, 1, 1, 1]
    assert occurrences(ledger, "weekday").tolist() == [1, 2, 0, 0, 0, 0, 1]
    assert occurrences(ledger, "month")[["Jan", "Feb"]].tolist() == [3, 1]


def test_waits_and_resolution_by_hour_of_report(ledger: Ledger) -> None:
    table = times_by_report(ledger, "hour")
    assert len(table) == 24 and table["reported"].sum() == 4
    one = table.loc["01"]  # A, B and C were reported between 01:00 and 02:00
    assert (one["reported"], one["wait_count"], one["resolution_count"]) == (3, 3, 3)
    assert one["wait_mean_h"] == pytest.approx(1.0)  # 1, 2 and 0 h: the first desk only
    assert one["wait_p90_h"] == pytest.approx(1.8)  # numpy's linear quantile of 0, 1, 2
    assert one["resolution_mean_h"] == pytest.approx(15.0)  # 4, 10, 31
    assert one["resolution_p90_h"] == pytest.approx(26.8)
    ten = table.loc["10"]  # D: still queued when the run ended
    assert (ten["reported"], ten["wait_count"], ten["resolution_count"]) == (1, 0, 0)
    assert math.isnan(ten["wait_mean_h"])
    assert table.drop(["01", "10"])["reported"].eq(0).all()


def test_waits_by_weekday_and_the_summary(ledger: Ledger) -> None:
    table = times_by_report(ledger, "weekday")
    assert table["reported"].tolist() == [1, 1, 1, 0, 0, 0, 1]
    assert table["wait_mean_h"].tolist()[:3] == pytest.approx([1.0, 2.0, 0.0])
    block = summarize(ledger)["by_time"]
    assert block["occurrences"]["weekday"]["Tue"] == 2
    assert block["wait_h_by_report"]["hour"]["01"] == pytest.approx(
        {"count": 3, "mean": 1.0, "p90": 1.8}
    )
    assert block["resolution_h_by_report"]["weekday"]["Wed"]["mean"] == pytest.approx(31.0)


def test_the_figure_fits_a_slide(ledger: Ledger, tmp_path: Path) -> None:
    path = plot_by_time(ledger, tmp_path / "by_time.png", "status_quo")
    height, width = matplotlib.image.imread(path).shape[:2]
    assert (width, height) == (1280, 720)


@pytest.mark.parametrize("option", ["--plot-by-time", "--plot-hours"])
def test_run_saves_a_slide_figure(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The by-time and the working-time figures, from the command line, at 1280×720."""
    out = tmp_path / "figure.png"
    demo = str(ROOT / "scenarios" / "demo.yaml")
    assert main(["run", demo, "--days", "4", option, str(out)]) == 0
    height, width = matplotlib.image.imread(out).shape[:2]
    assert (width, height) == (1280, 720)
    assert f"figure saved to {out}" in capsys.readouterr().out
