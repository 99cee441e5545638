"""Figures, drawn from the ledger with matplotlib (no display needed).

Every figure is made in the house style of :mod:`govsim.style` and titled with the
scenario, the policy, the replications and the confidence level where those apply.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from govsim import style
from govsim.incidents import State
from govsim.ledger import Ledger
from govsim.metrics import state_counts


def resolved_by_tier(ledger: Ledger) -> pd.DataFrame:
    """Window incidents that were resolved: resolution time (h) and the tier that closed them."""
    ev = ledger.events
    rows = ev[ev["state"] == State.RESOLVED]
    tier_of = np.array([o.tier for o in ledger.offices])
    closing = pd.Series(tier_of[rows["office"]], index=rows["incident"])
    frame = ledger.incidents[
        ledger.incidents["in_window"] & ledger.incidents["resolved_at"].notna()
    ]
    return pd.DataFrame(
        {
            "resolution_h": (frame["resolved_at"] - frame["occurred_at"]).to_numpy(),
            "tier": closing.reindex(frame["incident"]).to_numpy(),
        }
    )


def run_figure(ledger: Ledger, policy: str | None = None) -> Figure:
    """Backlog and hidden incidents over time, and resolution time by closing tier.

    The title names the scenario, ``policy`` (when given), the seed and the days.
    """
    fig, (ax_time, ax_dist) = style.new_figure(1, 2, size=(12, 4.5))
    days = np.arange(0.0, ledger.end_h + 24.0, 24.0)
    counts = state_counts(ledger, days)
    ax_time.plot(days / 24, counts["backlog"], label="open (reported, not resolved)")
    ax_time.plot(days / 24, counts["hidden"], label="hidden (not yet reported)")
    for edge in ledger.window_h:
        ax_time.axvline(edge / 24, color="grey", lw=0.8, ls="--")
    ax_time.set(
        xlabel="day", ylabel="incidents", title="Backlog over time (dashes: measured window)"
    )
    ax_time.legend()

    resolved = resolved_by_tier(ledger)
    positive = resolved["resolution_h"].clip(lower=0.1)
    bins = np.logspace(np.log10(0.1), np.log10(max(positive.max(), 1.0)), 40)
    for tier in ledger.tiers:
        times = positive[resolved["tier"] == tier]
        if len(times):
            ax_dist.hist(
                times, bins=bins, histtype="step", lw=1.5, label=f"{tier} (n={len(times):,})"
            )
    ax_dist.set_xscale("log")
    ax_dist.set(
        xlabel="hours from occurrence to resolution",
        ylabel="incidents",
        title="Resolution time by the tier that closed it",
    )
    ax_dist.legend()
    meta = ledger.meta
    title = style.figure_title(
        "One run",
        scenario=meta["scenario"],
        policy=policy,
        detail=f"seed {meta['seed']}, {meta['days']:g} days",
    )
    style.set_title(fig, title)
    return fig


def plot_run(ledger: Ledger, path: str | Path, policy: str | None = None) -> Path:
    """Save ``run_figure`` to ``path`` (PNG, SVG or PDF by extension); returns the path."""
    return save_figure(run_figure(ledger, policy), path)


def comparison_figure(
    table: pd.DataFrame,
    title: str | None = None,
    *,
    scenario: str | None = None,
    level: float = 0.95,
) -> Figure:
    """One panel per outcome: each policy's mean with its CI (from ``analysis.compare``).

    ``level`` is the confidence level the table was computed at. Without ``title`` the
    figure is titled with ``scenario``, the policies, the replications per policy (the
    table's ``reps``) and ``level``; a given ``title`` is used as written.
    """
    from govsim.analysis import OUTCOMES

    names = list(dict.fromkeys(table["policy"]))
    fig, axes = style.new_figure(1, len(OUTCOMES), size=(2.6 * len(OUTCOMES), 3.8), sharey=True)
    positions = np.arange(len(names))
    for ax, (outcome, (label, higher_better)) in zip(axes, OUTCOMES.items(), strict=True):
        rows = table[table["outcome"] == outcome].set_index("policy").loc[names]
        err = np.vstack([rows["mean"] - rows["low"], rows["high"] - rows["mean"]])
        ax.errorbar(rows["mean"], positions, xerr=err, fmt="o", capsize=3)
        hint = (
            ""
            if higher_better is None
            else f"\n({'higher' if higher_better else 'lower'} is better)"
        )
        ax.set_title(label + hint, fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(positions, [style.safe_text(name) for name in names])
    axes[0].invert_yaxis()
    if title is None:
        reps = sorted(set(table["reps"].astype(int)))
        title = style.figure_title(
            "Policies compared, means with CIs",
            scenario=scenario,
            policy=names,
            reps=reps[0] if len(reps) == 1 else None,
            level=level,
        )
    style.set_title(fig, title)
    return fig


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Save ``fig`` to ``path`` (format by extension), close it and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    _close(fig)
    return path


def _close(fig: Figure) -> None:
    """Release ``fig``: forget it in pyplot if pyplot made it, and clear it."""
    if fig.canvas.manager is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)
    fig.clear()
