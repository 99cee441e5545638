"""The comparison figures: means as small multiples of at most three columns, and the forest
plot of paired differences (one row per policy × outcome, zero line, units in labels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govsim.analysis.comparison import OUTCOMES
from govsim.errors import GovsimError
from govsim.plots import style
from govsim.plots.comparison import (
    differences_figure,
    differences_path,
    means_figure,
    plot_comparison,
)
from govsim.plots.gallery import MIN_TEXT_PX, legibility
from govsim.plots.labels import outcome_label

POLICIES = ("status_quo", "fast_handoffs", "overdue_alerts")


@pytest.fixture
def table() -> pd.DataFrame:
    """A comparison table: the baseline's means 10 (cost 1,000,000); fast_handoffs lowers
    every outcome by 2 (CI ±1), overdue_alerts raises it by 0.5 (CI ±1, crossing zero)."""
    rows = []
    for policy, shift in zip(POLICIES, (np.nan, -2.0, 0.5), strict=True):
        for outcome in OUTCOMES:
            base = 1e6 if outcome == "staff_cost" else 10.0
            diff = shift * (1e4 if outcome == "staff_cost" else 1.0)
            half = abs(diff) / 2 if policy == "fast_handoffs" else abs(diff) * 2
            rows.append(
                {
                    "policy": policy,
                    "outcome": outcome,
                    "mean": base + np.nan_to_num(diff),
                    "low": base + np.nan_to_num(diff) - 1,
                    "high": base + np.nan_to_num(diff) + 1,
                    "diff": diff,
                    "diff_low": diff - half,
                    "diff_high": diff + half,
                    "reps": 2,
                }
            )
    return pd.DataFrame(rows)


def test_means_are_small_multiples_of_three_columns(table: pd.DataFrame) -> None:
    fig = means_figure(table, scenario="demo")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(OUTCOMES)
    columns = {round(ax.get_position().x0, 3) for ax in panels}
    assert len(columns) == 3
    assert fig.get_size_inches().tolist() == pytest.approx(list(style.SLIDE))
    assert [t.get_text() for t in panels[0].get_yticklabels()] == list(POLICIES)
    titles = [ax.get_title().replace("\n", " ") for ax in panels]
    assert titles == [outcome_label(name) for name in OUTCOMES]
    assert "staff cost over the window (currency units)" in titles
    fig.canvas.draw()
    cost = panels[-1].get_xticklabels()
    assert any("," in t.get_text() for t in cost)  # 1,000,000, not 1e6
    assert fig.get_suptitle().startswith("Policies compared: means\nscenario demo")
    assert fig.get_suptitle().count("95% CIs") == 1


def test_the_forest_has_one_row_per_policy_and_outcome(table: pd.DataFrame) -> None:
    fig = differences_figure(table, scenario="demo")
    ax, notes = fig.axes
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len(OUTCOMES) * 3  # a header and two policies per outcome
    assert labels[:3] == ["", "fast_handoffs", "overdue_alerts"]
    headers = [(t.get_text(), t.get_position()[1]) for t in ax.texts]
    assert headers == [(outcome_label(name), 3 * k) for k, name in enumerate(OUTCOMES)]
    points = [line for line in ax.get_lines() if line.get_marker() == "o"]
    # x: the difference as a percentage of the baseline's mean (10, or 1,000,000 for cost)
    assert [p.get_xdata()[0] for p in points[:2]] == pytest.approx([-20.0, 5.0])
    assert [p.get_xdata()[0] for p in points[-2:]] == pytest.approx([-2.0, 0.5])
    zero = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(zero) == 1 and list(zero[0].get_xdata()) == [0.0, 0.0]
    right = [t.get_text() for t in notes.get_yticklabels()]
    assert right[1] == "-2.0 h [-3.0, -1.0]"
    assert right[-2] == "-20,000 [-30,000, -10,000]"
    # lower resolution time is better: a CI below zero is green; a CI across zero is grey
    assert points[0].get_color() == style.PALETTE[2] and points[1].get_color() == "0.35"
    # a higher on-time rate is better, so its fall is worse: vermilion
    on_time = list(OUTCOMES).index("on_time_rate")
    assert points[2 * on_time].get_color() == style.PALETTE[3]
    assert ax.get_xlabel() == "difference to status_quo, % of its mean"
    # the confidence level is said once, in the title's second line
    assert fig.get_suptitle().count("95% CIs") == 1
    # headers start clear of the spine, over a box that hides the zero line
    assert all(t.get_position()[0] > 0 and t.get_bbox_patch() is not None for t in ax.texts)


def test_many_policies_split_the_forest_in_two_columns(table: pd.DataFrame) -> None:
    more = [
        table[table["policy"] == "fast_handoffs"].assign(policy=f"reform_{k}") for k in range(3)
    ]
    fig = differences_figure(pd.concat([table, *more]), scenario="demo")
    left, right = (ax for ax in fig.axes if ax.texts)
    assert len(left.texts) == 5 and len(right.texts) == 4  # outcomes 1-5, then 6-9
    assert len(left.get_yticklabels()) == 5 * 6  # a header and five policies each
    assert legibility(fig)["min_text_px"] >= MIN_TEXT_PX  # still legible on a slide


def test_plot_comparison_saves_both(table: pd.DataFrame, tmp_path: Path) -> None:
    saved = plot_comparison(table, tmp_path / "out.png", scenario="demo")
    assert saved == [tmp_path / "out.png", tmp_path / "out_differences.png"]
    assert differences_path("a/b.svg") == Path("a/b_differences.svg")
    baseline_only = table[table["policy"] == "status_quo"]
    assert plot_comparison(baseline_only, tmp_path / "one.png") == [tmp_path / "one.png"]
    with pytest.raises(GovsimError, match="need a baseline and at least one other policy"):
        differences_figure(baseline_only)
