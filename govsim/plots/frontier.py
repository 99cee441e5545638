"""The staffing planner's frontier: each target outcome against the staff cost, one point
per evaluated staffing, labelled with that staffing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from govsim.plots import style
from govsim.plots.labels import CURRENCY, outcome_label, thousands

#: How a target's comparison reads.
_OPS = {"<=": "≤", ">=": "≥"}
#: Colours of a staffing that meets every target, and of one that does not.
_MEETS, _MISSES = style.PALETTE[2], style.PALETTE[3]


def staffing_label(values: dict[str, Any]) -> str:
    """A staffing as a point's label: its values, ``/``-separated in the order of the
    varied parameters (``2`` or ``2 / 6``)."""
    return " / ".join(
        f"{value:g}" if isinstance(value, float) else str(value) for value in values.values()
    )


def parameter_label(path: str) -> str:
    """A varied parameter as the legend names it: its dotted path's last two parts,
    spelled out (``staffing.grid_workers_per_grid`` → ``grid workers per grid``)."""
    parts = path.split(".")[1:] or path.split(".")
    return " ".join(part.replace("_", " ") for part in parts[-2:])


def frontier_figure(plan: Any) -> Figure:
    """One panel per target: the outcome's mean against the staff cost for each evaluated
    staffing, labelled with the staffing's values.

    Bars reach the one-sided bound that decided the staffing (``plan.confidence``); the
    dashed line is the target, the region beyond it shaded; green points meet every
    target, vermilion ones do not; the star is the least-cost staffing meeting every
    target. Axes carry the outcomes' labels and units; cost is in currency units with
    thousands separators. An outcome whose values span more than a factor of ten gets a
    logarithmic axis. ``plan`` is a ``govsim.experiments.planner.Plan``; titled with its
    scenario, policy and confidence, and the varied parameters the labels list.
    """
    targets = plan.targets
    ncols = min(len(targets), 2)
    nrows = -(-len(targets) // ncols)
    fig, axes = style.new_figure(nrows, ncols, size=style.SLIDE, squeeze=False)
    table = plan.table.sort_values("cost")
    labels = [staffing_label(row) for row in table[plan.paths].to_dict("records")]
    best = np.array([row == plan.best for row in table[plan.paths].to_dict("records")])
    meets = (table["verdict"] == "meets").to_numpy()
    for ax, target in zip(axes.flat, targets, strict=False):
        _target_panel(ax, table, target, labels, meets, best)
    for ax in axes.flat[len(targets) :]:
        ax.set_visible(False)
    axes.flat[0].legend(loc="best")
    varied = " / ".join(parameter_label(path) for path in plan.paths)
    title = style.figure_title(
        "Staffing frontier",
        scenario=plan.scenario or None,
        policy=plan.policy or None,
        detail=f"{plan.confidence:.0%} one-sided bounds",
    )
    style.set_title(fig, f"{title}\npoints labelled with {varied}")
    return fig


def _target_panel(
    ax: Axes,
    table: pd.DataFrame,
    target: Any,
    labels: list[str],
    meets: np.ndarray,
    best: np.ndarray,
) -> None:
    """One target's panel: its outcome against cost (see :func:`frontier_figure`)."""
    cost = table["cost"].to_numpy(dtype=float)
    mean = table[f"{target.outcome} mean"].to_numpy(dtype=float)
    bound = table[f"{target.outcome} bound"].to_numpy(dtype=float)
    finite = np.isfinite(bound)
    for mask, colour, label in ((meets, _MEETS, "meets every target"), (~meets, _MISSES, "not")):
        shown = mask & finite
        ax.errorbar(
            cost[shown],
            mean[shown],
            yerr=np.abs(bound - mean)[shown],
            fmt="o",
            ms=7,
            color=colour,
            capsize=4,
            label=label,
        )
    ax.plot(cost[finite], mean[finite], color="0.6", lw=1, zorder=0)
    for x, y, text in zip(cost[finite], mean[finite], np.array(labels)[finite], strict=True):
        ax.annotate(
            style.safe_text(text),
            (x, y),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=10,
        )
    if best.any():
        ax.plot(
            cost[best],
            mean[best],
            "*",
            ms=20,
            color="gold",
            mec="black",
            zorder=5,
            label="least cost meeting all",
        )
    ax.axhline(target.bound, color="0.3", ls="--", lw=1.2)
    ax.annotate(
        f"target {_OPS[target.op]} {target.bound:,g}",
        (1.0, target.bound),
        xycoords=("axes fraction", "data"),
        xytext=(-4, 4),
        textcoords="offset points",
        ha="right",
        fontsize=10,
        color="0.3",
    )
    shown = np.abs(np.r_[mean[finite], bound[finite], target.bound])
    if shown.min() > 0 and shown.max() > 10 * shown.min():
        ax.set_yscale("log")
    ax.margins(x=0.12, y=0.12)
    low, high = ax.get_ylim()
    ax.axhspan(target.bound, high if target.op == ">=" else low, color=_MEETS, alpha=0.07, lw=0)
    ax.set_ylim(low, high)
    ax.set(xlabel=f"staff cost over the window ({CURRENCY})", ylabel=outcome_label(target.outcome))
    ax.set_title(f"{outcome_label(target.outcome)} {_OPS[target.op]} {target.bound:,g}")
    thousands(ax.xaxis)
