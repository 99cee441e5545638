"""The report's series: bands only over the days every run reached, clipped at physical
bounds, the warm-up and the drain shaded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govsim.plots.series import daily_band, series_figure
from govsim.world.window import Window


def _runs(ends: tuple[int, ...]) -> pd.DataFrame:
    """Runs ending on the days ``ends``: hidden incidents 1 and 5 on alternate runs (a wide
    band near zero), trust 0.99 and 0.6 alike, backlog 10 + the run's number."""
    rows = [
        {
            "run_id": run,
            "day": day,
            "hidden": 1.0 if run % 2 else 5.0,
            "trust": 0.99 if run % 2 else 0.6,
            "backlog": 10.0 + run,
        }
        for run, end in enumerate(ends)
        for day in range(1, end + 1)
    ]
    return pd.DataFrame(rows)


def test_days_fewer_runs_reached_are_left_out() -> None:
    values = _runs((10, 10, 8, 9))
    band = daily_band(values, "backlog", runs=4)
    assert band.index.tolist() == list(range(1, 9))
    # the old band on day 9 (three runs) jumped in mean and, on day 10 (two), was
    # t(1) = 12.7 standard errors wide
    assert band["mean"].tolist() == [11.5] * 8


def test_bands_are_clipped_at_physical_bounds() -> None:
    values = _runs((5, 5, 5))
    hidden = daily_band(values, "hidden", runs=3)
    assert (hidden["low"] == 0.0).all() and (hidden["mean"] > 0).all()
    trust = daily_band(values, "trust", runs=3)
    assert (trust["high"] == 1.0).all()
    assert (trust["low"] < trust["mean"]).all()


def test_series_figure_shades_warm_up_and_drain() -> None:
    values = _runs((66, 67, 65, 68))
    runs = pd.DataFrame({"run_id": range(4), "policy": ["a", "a", "b", "b"]})
    fig = series_figure(values, runs, "title", Window(60, 30, 30))
    ax = fig.axes[0]
    names = [t.get_text() for t in ax.texts]
    assert names == ["warm-up", "drain"]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert lines["a"].get_xdata().max() == 66 and lines["b"].get_xdata().max() == 65
    assert ax.get_ylabel() == "open incidents (reported, not resolved)"
    lower = [ax.get_ylim()[0] for ax in fig.axes]
    assert min(lower) >= 0.0
    assert np.isfinite(lower).all()


@pytest.mark.parametrize("column", ["backlog", "hidden"])
def test_counts_never_go_negative(column: str) -> None:
    values = _runs((4, 4))
    assert (daily_band(values, column, runs=2)["low"] >= 0).all()
