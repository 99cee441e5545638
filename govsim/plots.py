"""Figures, drawn from the ledger with matplotlib (no display needed).

Every figure is made in the house style of :mod:`govsim.style` and titled with the
scenario, the policy, the replications and the confidence level where those apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def sweep_figure(table: pd.DataFrame, parameter: str, title: str) -> Figure:
    """One panel per compared outcome: each policy's mean and 95% CI against ``parameter``.

    ``table`` is an experiment summary (``govsim.results.summary``) with a column of the
    parameter's values.
    """
    from govsim.analysis import OUTCOMES

    fig, axes = style.new_figure(1, len(OUTCOMES), size=(2.8 * len(OUTCOMES), 3.6))
    for ax, (outcome, (label, _)) in zip(axes, OUTCOMES.items(), strict=True):
        rows = table[table["outcome"] == outcome]
        for policy, line in rows.groupby("policy", sort=False):
            line = line.sort_values(parameter)
            x = line[parameter].to_numpy(dtype=float)
            ax.plot(x, line["mean"], marker="o", ms=3, label=policy)
            ax.fill_between(x, line["low"], line["high"], alpha=0.2)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel(parameter, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    axes[0].legend(frameon=False, fontsize=8)
    style.set_title(fig, title)
    return fig


def frontier_figure(plan: Any) -> Figure:
    """The staffing planner's frontier: each target outcome against cost, per candidate.

    Dots are means over replications, bars reach the one-sided bound that decided the
    candidate, the dashed line is the target, the star the least-cost candidate meeting
    every target (``plan`` is a ``govsim.planner.Plan``).
    """
    targets = plan.targets
    fig, axes = style.new_figure(1, len(targets), size=(4.5 * len(targets), 3.8), squeeze=False)
    table = plan.table
    best = table.index[[row == plan.best for row in table[plan.paths].to_dict("records")]]
    for ax, target in zip(axes[0], targets, strict=True):
        mean, bound = table[f"{target.outcome} mean"], table[f"{target.outcome} bound"]
        finite = np.isfinite(bound)
        meets = table["verdict"] == "meets"
        for mask, colour, label in ((meets, "tab:green", "meets all"), (~meets, "tab:red", "not")):
            ax.errorbar(
                table["cost"][mask & finite],
                mean[mask & finite],
                yerr=np.abs(bound - mean)[mask & finite],
                fmt="o",
                color=colour,
                capsize=3,
                label=label,
            )
        ax.axhline(target.bound, color="grey", ls="--", lw=1, label=str(target))
        if len(best):
            ax.plot(table["cost"][best], mean[best], "*", ms=16, color="gold", mec="black")
        ax.set(xlabel="staff cost over the window", ylabel=target.outcome, title=str(target))
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=8)
    style.set_title(fig, f"Staffing frontier ({plan.confidence:.0%} one-sided bounds)")
    return fig


def series_figure(series: pd.DataFrame, runs: pd.DataFrame, title: str) -> Figure:
    """Open incidents (backlog), hidden incidents and trust by day: each policy's mean over
    its runs with a 95% band (t-interval across runs, day by day).

    ``series`` holds the runs' time series (``run_id``, ``day`` and the columns), ``runs``
    maps ``run_id`` to ``policy``.
    """
    from scipy import stats

    columns = [c for c in ("backlog", "hidden", "trust") if c in series.columns]
    frame = series.merge(runs[["run_id", "policy"]], on="run_id")
    fig, axes = style.new_figure(1, len(columns), size=(4.5 * len(columns), 3.6), squeeze=False)
    for ax, column in zip(axes[0], columns, strict=True):
        for policy, rows in frame.groupby("policy", sort=False):
            by_day = rows.groupby("day")[column].agg(["mean", "std", "count"])
            t = stats.t.ppf(0.975, np.maximum(by_day["count"] - 1, 1))
            half = (t * by_day["std"] / np.sqrt(by_day["count"])).fillna(0.0)
            ax.plot(by_day.index, by_day["mean"], label=policy)
            ax.fill_between(by_day.index, by_day["mean"] - half, by_day["mean"] + half, alpha=0.2)
        ax.set(xlabel="day", title=column)
        ax.grid(alpha=0.3)
    axes[0][0].legend(frameon=False, fontsize=8)
    style.set_title(fig, title)
    return fig
