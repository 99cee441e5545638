"""The live charts: backlog by tier, mean resolution time, satisfaction and trust by day."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from govsim.plots import style
from govsim.viz.state import VERIFYING, Snapshot

#: Series of at most this many days get their points marked.
SHORT = 30


def charts_figure(history: Sequence[Snapshot], title: str) -> Figure:
    """Four panels over simulated days from ``history`` (one snapshot a day, in order).

    Backlog by tier (open incidents at each tier's desks, plus those being verified),
    mean resolution time so far (h), mean satisfaction so far (1–5) and residents'
    mean trust (0–1). ``title`` names the run (scenario, policy, seed). Sized to be read
    at its natural size beside the map in a 1280 × 720 window (500 × 460 px at 100 dpi).
    """
    fig, axes = style.new_figure(2, 2, size=(5.0, 4.6), sharex=True)
    (ax_backlog, ax_time), (ax_rating, ax_trust) = axes
    days = np.array([s.day for s in history])
    tiers = list(history[0].backlog) if history else []
    for tier in tiers:
        label = "being verified" if tier == VERIFYING else tier
        style_kw = {"ls": ":", "color": "grey"} if tier == VERIFYING else {}
        ax_backlog.plot(days, [s.backlog[tier] for s in history], label=label, **style_kw)
    ax_backlog.set(title="Backlog by tier", ylabel="open incidents (count)")
    ax_backlog.legend(ncols=2, fontsize=7.5, handlelength=1.2, columnspacing=0.8)
    _series(ax_time, days, [s.mean_resolution_h for s in history])
    ax_time.set(title="Mean resolution time", ylabel="hours from occurrence (h)")
    _series(ax_rating, days, [s.satisfaction for s in history])
    ax_rating.set(title="Satisfaction", ylabel="mean rating (1–5 stars)")
    _series(ax_trust, days, [s.trust for s in history])
    ax_trust.set(title="Residents' trust", ylabel="mean trust (0–1)")
    for ax in axes.flat:
        ax.set_xlim(0, max(1, int(days.max()) if days.size else 1))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    for ax in axes[1]:
        ax.set_xlabel("simulated day (d)")
    ax_backlog.set_ylim(bottom=0)
    ax_time.set_ylim(bottom=0)
    ax_rating.set_ylim(1, 5.05)
    ax_trust.set_ylim(0, 1)
    style.set_title(fig, title)
    return fig


def _series(ax: Axes, days: np.ndarray, values: Sequence[float]) -> None:
    """One line of a running metric (NaN days, before the first value, left out).

    Points are marked while the series is short, so that a single day already shows.
    """
    ax.plot(days, np.asarray(values, dtype=float), marker="o" if len(days) <= SHORT else None, ms=3)
