"""Figures, drawn from the ledger with matplotlib (no display needed).

Every figure is made in the house style of :mod:`govsim.plots.style` and titled with the
scenario, the policy, the replications and the confidence level where those apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

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
#: Height of one run's alluvial panel (inches): two fill a 1280×720 slide.
_PANEL_HEIGHT = 3.0
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
    fig, (ax_time, ax_dist) = style.new_figure(1, 2, size=style.SLIDE)
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


def tier_flow_figure(ledgers: Mapping[str, Ledger]) -> Figure:
    """Where incidents went, tier by tier: an alluvial diagram of ``tier_flow`` per run.

    ``ledgers`` maps a label (the policy) to a run's ledger; each gets a panel, all with
    the same columns: the tier of each incident's first desk, second desk …, then who
    closed it. Nodes are tiers (top: the highest), ``closed`` (done at an earlier desk)
    and ``open``; a band's height is its share of the run's reported window incidents
    and its colour the tier that finally closed them. Titled with the scenario, the
    labels, the seed and the days of the first run. Two runs fill a 1280×720 slide.
    """
    flows = {label: tier_flow(ledger) for label, ledger in ledgers.items()}
    first = next(iter(ledgers.values()))
    stages = max(max((len(r) for r in f["route"]), default=0) for f in flows.values())
    height = max(_PANEL_HEIGHT * len(flows), style.SLIDE[0] / 2)
    fig, axes = style.new_figure(len(flows), 1, size=(style.SLIDE[0], height), squeeze=False)
    for ax, (label, flow) in zip(axes[:, 0], flows.items(), strict=True):
        _draw_alluvial(ax, flow, first.tiers, max(stages, 1))
        total = int(flow["incidents"].sum())
        ax.set_title(style.safe_text(f"{label}: {total:,} reported incidents"), loc="left")
    ends = set().union(*(flow["closed_by"] for flow in flows.values()))
    colours = {k: c for k, c in _closing_colours(first.tiers).items() if k in ends}
    fig.legend(
        handles=[Patch(color=c, alpha=0.6, label=_closing_label(k)) for k, c in colours.items()],
        loc="outside lower center",
        ncol=len(colours),
    )
    meta = first.meta
    title = style.figure_title(
        "Routes of incidents through the tiers",
        scenario=meta["scenario"],
        policy=list(ledgers),
        detail=f"seed {meta['seed']}, {describe(first.window_h)}",
        sep="\n",
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
                    fontsize=9,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
                    zorder=5,
                )
            y -= height + _NODE_GAP
        tops.append(top)
    _draw_bands(ax, paths, tops, order, colours, scale)
    names = [f"desk {k + 1}" for k in range(stages)] + ["closed by"]
    for column, name in enumerate(names):
        ax.text(column, 1.04, name, ha="center", va="bottom", fontsize=9, weight="bold")
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
