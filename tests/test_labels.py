"""Axis labels: outcomes by their human labels with units, costs with their currency unit
and thousands separators."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from govsim.analysis.comparison import OUTCOMES
from govsim.plots.labels import CURRENCY, outcome_label, panel_title, thousands


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("resolution_p90_h", "p90 resolution time (h)"),
        ("resolution_time_h.p90", "p90 resolution time (h)"),  # the same outcome, one label
        ("resolution_time_h.mean", OUTCOMES["resolution_mean_h"][0]),
        ("staff_cost", f"staff cost over the window ({CURRENCY})"),
        ("staff_cost.grid_worker", f"staff cost grid worker ({CURRENCY})"),
        ("tiers.grid.mean_wait_h", "tiers grid mean wait (h)"),
        ("on_time_rate", "on-time rate"),
        ("hours_from_report:illegal_boiler", "hours from report illegal boiler"),
    ],
)
def test_outcomes_read_with_their_units(name: str, label: str) -> None:
    assert outcome_label(name) == label


def test_long_labels_wrap_to_a_third_of_a_slide() -> None:
    assert panel_title("staff_cost") == f"staff cost over the window\n({CURRENCY})"


def test_thousands_separate_large_numbers() -> None:
    ax = Figure().subplots()
    thousands(ax.xaxis)
    assert ax.xaxis.get_major_formatter()(1_234_567.4, 0) == "1,234,567"
