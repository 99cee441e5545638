"""The by-time figure: occurrences by hour, weekday and month, and wait and resolution
time by hour and weekday of report (``govsim.record.by_time``), sized for a slide."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from govsim.plots import style
from govsim.plots.figures import save_figure
from govsim.record.by_time import occurrences, report_times, times_by_report
from govsim.record.ledger import Ledger
from govsim.world.window import describe

#: Font sizes (pt) that read on a projected slide: titles, labels, ticks and legends.
TITLE_PT, LABEL_PT, TICK_PT, SUPTITLE_PT = 15, 14, 12, 16


def by_time_figure(ledger: Ledger, policy: str | None = None) -> Figure:
    """Six panels: window incidents by hour, weekday and month of occurrence (top); the
    mean and p90 wait at the first desk and resolution time from report by hour of
    report, and their means by weekday of report (bottom)."""
    fig, axes = style.new_figure(2, 3, size=style.SLIDE)
    for ax, part in zip(axes[0], ("hour", "weekday", "month"), strict=True):
        counts = occurrences(ledger, part)
        ax.bar(np.arange(len(counts)), counts.to_numpy(), color=style.PALETTE[0])
        _slot_axis(ax, counts.index, "hour of occurrence" if part == "hour" else "")
        panel_text(ax, f"Incidents by {part}", "occurred" if part == "hour" else "")
    times = report_times(ledger)
    by_hour = times_by_report(ledger, "hour", times)
    for ax, name in zip(axes[1][:2], ("wait", "resolution"), strict=True):
        x = np.arange(len(by_hour))
        ax.plot(x, by_hour[f"{name}_mean_h"], marker="o", ms=4, lw=2, label="mean")
        ax.plot(x, by_hour[f"{name}_p90_h"], ls="--", lw=2, label="p90")
        _slot_axis(ax, by_hour.index, "hour of report")
        what = "Wait at first desk" if name == "wait" else "Resolution from report"
        panel_text(ax, f"{what} (h)", "hours" if name == "wait" else "")
    ax = axes[1][2]
    by_weekday = times_by_report(ledger, "weekday", times)
    x = np.arange(len(by_weekday))
    for name in ("wait", "resolution"):
        ax.plot(x, by_weekday[f"{name}_mean_h"], marker="o", ms=6, lw=2, label=f"mean {name}")
    _slot_axis(ax, by_weekday.index, "weekday of report")
    panel_text(ax, "By weekday of report (h)", "")
    detail = f"seed {ledger.meta.get('seed', 0)}, {describe(ledger.window_h)}"
    scenario = ledger.meta.get("scenario")
    title = style.figure_title(
        "Incidents by time", scenario=scenario, policy=policy, detail=detail, sep="\n"
    )
    fig.suptitle(style.safe_text(title), fontsize=SUPTITLE_PT)
    return fig


def _slot_axis(ax: Axes, labels: pd.Index, xlabel: str) -> None:
    """Slot labels on the x axis (every third hour, every weekday, every other month)."""
    step = {24: 3, 12: 2}.get(len(labels), 1)
    ticks = np.arange(0, len(labels), step)
    ax.set_xticks(ticks, [labels[i] for i in ticks])
    ax.set_xlabel(xlabel, fontsize=LABEL_PT)


def panel_text(ax: Axes, title: str, ylabel: str) -> None:
    """A panel's title, y label, ticks and legend in slide sizes."""
    ax.set_title(title, fontsize=TITLE_PT)
    ax.set_ylabel(ylabel, fontsize=LABEL_PT)
    ax.tick_params(labelsize=TICK_PT)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=TICK_PT)


def plot_by_time(ledger: Ledger, path: str | Path, policy: str | None = None) -> Path:
    """Save ``by_time_figure`` to ``path`` (PNG, SVG or PDF by extension); returns the path."""
    return save_figure(by_time_figure(ledger, policy), path)
