"""Figures, drawn from the ledger with matplotlib (no display needed).

Every figure is made in the house style of :mod:`govsim.plots.style` and titled with the
scenario, the policy, the replications and the confidence level where those apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from govsim.engine.incidents import State
from govsim.plots import style
from govsim.record.ledger import Ledger
from govsim.record.metrics import state_counts, tier_flow
from govsim.world.window import describe

#: What an incident is after its last desk in the columns of :func:`tier_flow_figure`
#: (``volunteer``: settled on the spot, at no desk).
_CLOSED, _OPEN, _VOLUNTEER = "closed", "open", "volunteer"
#: Vertical gap between the nodes of an alluvial column, as a share of its height.
_NODE_GAP = 0.025
#: Width of an alluvial node, as a share of the distance between columns.
_NODE_WIDTH = 0.1


def resolved_by_tier(ledger: Ledger) -> pd.DataFrame:
    """Window incidents that were resolved: resolution time (h) and the tier that closed
    them (``volunteer`` for one a volunteer settled on the spot)."""
    ev = ledger.events
    rows = ev[ev["state"] == State.RESOLVED]
    tier_of = np.array([o.tier for o in ledger.offices] + [_VOLUNTEER])  # office −1
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

    The title names the scenario, ``policy`` (when given), the seed, the days and the
    warm-up.
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
        detail=f"seed {meta['seed']}, {describe(ledger.window_h)}",
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
    paired: bool = False,
) -> Figure:
    """One panel per outcome: each policy's mean with its CI (from ``analysis.compare``),
    or with ``paired`` each policy's paired difference to the baseline with its CI (the
    baseline, the policy without differences, is left out; a dashed line marks zero).

    ``level`` is the confidence level the table was computed at. Without ``title`` the
    figure is titled with ``scenario``, the policies, the replications per policy (the
    table's ``reps``) and ``level``; a given ``title`` is used as written.
    """
    from govsim.analysis.comparison import OUTCOMES

    names = list(dict.fromkeys(table["policy"]))
    columns = ["mean", "low", "high"]
    subject = "Policies compared, means with CIs"
    if paired:
        no_diff = table.groupby("policy", sort=False)["diff"].apply(lambda d: d.isna().all())
        baseline = no_diff[no_diff].index[0]
        names.remove(baseline)
        columns = ["diff", "diff_low", "diff_high"]
        subject = f"Paired differences to {baseline}, with CIs"
    fig, axes = style.new_figure(1, len(OUTCOMES), size=(2.6 * len(OUTCOMES), 3.8), sharey=True)
    positions = np.arange(len(names))
    for ax, (outcome, (label, higher_better)) in zip(axes, OUTCOMES.items(), strict=True):
        rows = table[table["outcome"] == outcome].set_index("policy").loc[names, columns]
        mean, low, high = (rows[c].to_numpy(dtype=float) for c in columns)
        ax.errorbar(mean, positions, xerr=np.vstack([mean - low, high - mean]), fmt="o", capsize=3)
        if paired:
            ax.axvline(0.0, color="grey", lw=0.8, ls="--")
        hint = (
            ""
            if higher_better is None
            else f"\n({'higher' if higher_better else 'lower'} is better)"
        )
        ax.set_title(label + hint, fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
        ax.locator_params(axis="x", nbins=4)  # large values (cost) must not overlap
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(positions, [style.safe_text(name) for name in names])
    axes[0].invert_yaxis()
    if title is None:
        reps = sorted(set(table["reps"].astype(int)))
        title = style.figure_title(
            subject,
            scenario=scenario,
            policy=list(dict.fromkeys(table["policy"])),
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

    ``table`` is an experiment summary (``govsim.experiments.results.summary``) with a column of the
    parameter's values.
    """
    from govsim.analysis.comparison import OUTCOMES

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
    every target (``plan`` is a ``govsim.experiments.planner.Plan``). An outcome whose values span
    more than a factor of ten gets a logarithmic axis. Titled with the plan's scenario,
    policy and confidence.
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
        shown = np.abs(np.r_[mean[finite], bound[finite], target.bound])
        if shown.min() > 0 and shown.max() > 10 * shown.min():
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=8)
    title = style.figure_title(
        "Staffing frontier",
        scenario=plan.scenario or None,
        policy=plan.policy or None,
        detail=f"{plan.confidence:.0%} one-sided bounds",
    )
    style.set_title(fig, title)
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


def tier_flow_figure(ledgers: Mapping[str, Ledger]) -> Figure:
    """Where incidents went, tier by tier: an alluvial diagram of ``tier_flow`` per run.

    ``ledgers`` maps a label (the policy) to a run's ledger; each gets a panel, all with
    the same columns: the tier of each incident's first desk, second desk …, then who
    closed it. Nodes are tiers (top: the highest), ``closed`` (done at an earlier desk)
    and ``open``; a band's height is its share of the run's reported window incidents
    and its colour the tier that finally closed them. Titled with the scenario, the
    labels, the seed and the days of the first run.
    """
    flows = {label: tier_flow(ledger) for label, ledger in ledgers.items()}
    first = next(iter(ledgers.values()))
    stages = max(max((len(r) for r in f["route"]), default=0) for f in flows.values())
    fig, axes = style.new_figure(len(flows), 1, size=(11.0, 3.9 * len(flows)), squeeze=False)
    for ax, (label, flow) in zip(axes[:, 0], flows.items(), strict=True):
        _draw_alluvial(ax, flow, first.tiers, max(stages, 1))
        total = int(flow["incidents"].sum())
        ax.set_title(style.safe_text(f"{label}: {total:,} reported incidents"), loc="left")
    ends = set().union(*(flow["closed_by"] for flow in flows.values()))
    colours = {k: c for k, c in _closing_colours(first.tiers).items() if k in ends}
    axes[0, 0].legend(
        handles=[Patch(color=c, alpha=0.6, label=_closing_label(k)) for k, c in colours.items()],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
    )
    meta = first.meta
    title = style.figure_title(
        "Routes of incidents through the tiers",
        scenario=meta["scenario"],
        policy=list(ledgers),
        detail=f"seed {meta['seed']}, {describe(first.window_h)}",
    )
    style.set_title(fig, title)
    return fig


def _closing_colours(tiers: list[str]) -> dict[str, str]:
    """Colour of each way an incident ends: the closing tier (top first), a volunteer, open."""
    colours = style.tier_colours(tiers)
    ordered = {tier: colours[tier] for tier in reversed(tiers)}
    return {**ordered, _VOLUNTEER: style.PALETTE[4], _OPEN: style.PALETTE[7]}


def _closing_label(key: str) -> str:
    """How a closing category reads in the legend and the last column."""
    return {_VOLUNTEER: "settled by a volunteer", _OPEN: "still open"}.get(key, f"closed at {key}")


def _stage_categories(route: tuple[str, ...], closed_by: str, stages: int) -> list[str]:
    """Where an incident is in each of ``stages`` columns, then how it ended."""
    after = _OPEN if closed_by == _OPEN else _CLOSED
    steps = list(route) or ([_VOLUNTEER] if closed_by == _VOLUNTEER else [])
    return [*steps, *[after] * (stages - len(steps)), closed_by]


def _draw_alluvial(ax: Axes, flow: pd.DataFrame, tiers: list[str], stages: int) -> None:
    """Draw one run's routes on ``ax``: ``stages`` desk columns and the closing column."""
    colours = _closing_colours(tiers)
    order = {key: i for i, key in enumerate([*reversed(tiers), _VOLUNTEER, _CLOSED, _OPEN])}
    paths = [
        (_stage_categories(row.route, row.closed_by, stages), int(row.incidents))
        for row in flow.itertuples(index=False)
    ]
    total = sum(n for _, n in paths)
    scale = (1.0 - _NODE_GAP * (len(order) - 1)) / max(total, 1)
    tops = []  # per column: category → y of its node's top
    for column in range(stages + 1):
        sizes: dict[str, int] = {}
        for cats, n in paths:
            sizes[cats[column]] = sizes.get(cats[column], 0) + n
        y, top = 1.0, {}
        for cat in sorted(sizes, key=order.__getitem__):
            top[cat] = y
            height = sizes[cat] * scale
            final = column == stages
            face = colours[cat] if final else ("0.8" if cat == _CLOSED else "0.25")
            ax.add_patch(
                Rectangle((column - _NODE_WIDTH / 2, y - height), _NODE_WIDTH, height, fc=face)
            )
            if sizes[cat] / max(total, 1) >= 0.01:
                text = _closing_label(cat) if final else cat
                ax.text(
                    column + (_NODE_WIDTH if final else 0.0),
                    y - height / 2,
                    f"{text} {sizes[cat] / total:.0%}",
                    ha="left" if final else "center",
                    va="center",
                    fontsize=7.5,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                    zorder=5,
                )
            y -= height + _NODE_GAP
        tops.append(top)
    _draw_bands(ax, paths, tops, order, colours, scale)
    names = [f"desk {k + 1}" for k in range(stages)] + ["closed by"]
    for column, name in enumerate(names):
        ax.text(column, 1.04, name, ha="center", va="bottom", fontsize=8.5, weight="bold")
    ax.set_xlim(-0.4, stages + 0.9)
    ax.set_ylim(-0.02, 1.1)
    ax.set_axis_off()


def _draw_bands(
    ax: Axes,
    paths: list[tuple[list[str], int]],
    tops: list[dict[str, float]],
    order: dict[str, int],
    colours: dict[str, str],
    scale: float,
) -> None:
    """The bands between neighbouring columns, stacked so that few of them cross."""
    x = np.linspace(0.0, 1.0, 40)
    ease = x * x * (3 - 2 * x)  # smoothstep: flat at both ends
    for column in range(len(tops) - 1):
        links: dict[tuple[str, str, str], int] = {}
        for cats, n in paths:
            key = (cats[column], cats[column + 1], cats[-1])
            links[key] = links.get(key, 0) + n
        out_side = dict(tops[column])
        in_side = dict(tops[column + 1])
        leaving = sorted(links, key=lambda k: (order[k[0]], order[k[1]], order[k[2]]))
        start = {}
        for key in leaving:
            start[key] = out_side[key[0]]
            out_side[key[0]] -= links[key] * scale
        arriving = sorted(links, key=lambda k: (order[k[1]], order[k[0]], order[k[2]]))
        for key in arriving:
            height = links[key] * scale
            y0, y1 = start[key], in_side[key[1]]
            in_side[key[1]] -= height
            upper = y0 + (y1 - y0) * ease
            ax.fill_between(
                column + _NODE_WIDTH / 2 + x * (1 - _NODE_WIDTH),
                upper - height,
                upper,
                color=colours[key[2]],
                alpha=0.45,
                lw=0,
            )
