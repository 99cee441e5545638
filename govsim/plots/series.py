"""An experiment's time series: each policy's daily mean over its runs with a confidence
band, clipped at physical bounds, with the warm-up and the drain shaded.

Runs stop when their last measured incident is done (or the drain ends), so they end on
different days. A day's band over fewer runs than the policy has would mix runs (a jump
in the mean) and, with one or two runs left, explode: the t quantile of one degree of
freedom is 12.7. So each policy is drawn only over the days every one of its runs
reached.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy import stats

from govsim.plots import style
from govsim.world.window import Window

#: The series drawn: column → (axis label, physical lower bound, upper bound).
SERIES: dict[str, tuple[str, float, float]] = {
    "backlog": ("open incidents (reported, not resolved)", 0.0, np.inf),
    "hidden": ("hidden incidents (not yet reported)", 0.0, np.inf),
    "trust": ("residents' mean trust (0–1)", 0.0, 1.0),
}
#: Shade of the warm-up and the drain, outside the measured window.
_SHADE = "0.5"


def daily_band(values: pd.DataFrame, column: str, runs: int, level: float = 0.95) -> pd.DataFrame:
    """Per day: the mean of ``column`` over ``runs`` runs and its ``level`` t-interval
    (``low``, ``high``), clipped at the column's bounds (:data:`SERIES`).

    ``values`` has ``day`` and ``column``, one row per run and day; days fewer than
    ``runs`` runs reached are left out (see the module's note). Columns: ``mean``,
    ``low``, ``high``, indexed by day.
    """
    by_day = values.groupby("day")[column].agg(["mean", "std", "count"])
    by_day = by_day[by_day["count"] == runs]
    t = stats.t.ppf(0.5 + level / 2, max(runs - 1, 1))
    half = (t * by_day["std"] / np.sqrt(runs)).fillna(0.0)
    lower, upper = SERIES[column][1:] if column in SERIES else (-np.inf, np.inf)
    return pd.DataFrame(
        {
            "mean": by_day["mean"],
            "low": (by_day["mean"] - half).clip(lower, upper),
            "high": (by_day["mean"] + half).clip(lower, upper),
        }
    )


def series_figure(
    series: pd.DataFrame, runs: pd.DataFrame, title: str, window: Window | None = None
) -> Figure:
    """Open incidents (backlog), hidden incidents and trust by day: each policy's mean
    over its runs with a 95% band (t-interval across runs, day by day, see
    :func:`daily_band`).

    ``series`` holds the runs' time series (``run_id``, ``day`` and the columns), ``runs``
    maps ``run_id`` to ``policy``. With ``window`` (the runs' :class:`Window`), the
    warm-up and the drain are shaded and named.
    """
    columns = [c for c in SERIES if c in series.columns]
    frame = series.merge(runs[["run_id", "policy"]], on="run_id")
    fig, axes = style.new_figure(1, len(columns), size=style.SLIDE, squeeze=False)
    for ax, column in zip(axes[0], columns, strict=True):
        for policy, rows in frame.groupby("policy", sort=False):
            band = daily_band(rows, column, rows["run_id"].nunique())
            ax.plot(band.index, band["mean"], label=style.safe_text(str(policy)))
            ax.fill_between(band.index, band["low"], band["high"], alpha=0.2)
        if window is not None:
            _shade(ax, window)
        ax.set(xlabel="day", ylabel=SERIES[column][0])
        ax.set_ylim(bottom=max(ax.get_ylim()[0], SERIES[column][1]))
    axes[0][0].legend(loc="best")
    style.set_title(fig, title)
    return fig


def _shade(ax: Axes, window: Window) -> None:
    """Shade the warm-up and the drain on ``ax`` and name them at the top."""
    start, end = ax.get_xlim()
    warmup, horizon = window.warmup_h / 24.0, window.horizon_h / 24.0
    for low, high, name in ((start, warmup, "warm-up"), (horizon, end, "drain")):
        if high > low:
            ax.axvspan(low, high, color=_SHADE, alpha=0.12, lw=0)
            ax.text(
                (low + high) / 2,
                1.0,
                name,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=9,
                color="0.3",
            )
    ax.set_xlim(start, end)
