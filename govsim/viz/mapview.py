"""The live map: grid cells coloured by open incidents, offices marked, grid workers shown.

Cells sit at their coordinates (``x``, ``y`` in km) or, when the map has none, at a
spring layout of the graph. Each cell's grid workers are a row of dots at the foot of
its square (filled: busy with an incident now; hollow: free). Offices above the cell
tier are marked at their cells, one marker per tier, and named below them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import matplotlib as mpl
import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from govsim import style
from govsim.viz.state import Desk, desks, open_by_cell

if TYPE_CHECKING:
    from govsim.model import GovernanceModel

#: Office markers by rank above the cell tier (1: community, 2: street, 3: city …).
OFFICE_MARKERS = ("s", "^", "D", "*", "P")
#: Side of a cell's square, as a share of the typical distance between neighbouring cells.
CELL_SIDE = 0.8
#: Maps with more cells than this get no per-cell counts written on them.
LABELLED_CELLS = 80


def cell_positions(model: GovernanceModel) -> np.ndarray:
    """(n_cells, 2) array of cell positions: the map's coordinates, else a spring layout."""
    graph = model.grid_map.graph
    xy = np.array(
        [[graph.nodes[c]["x"], graph.nodes[c]["y"]] for c in range(graph.number_of_nodes())]
    )
    if np.isfinite(xy).all():
        return xy
    layout = nx.spring_layout(graph, seed=0, weight=None)
    return np.array([layout[c] for c in range(graph.number_of_nodes())])


def map_figure(model: GovernanceModel, title: str | None = None) -> Figure:
    """Draw the map of ``model`` as it is now and return the figure.

    ``title`` defaults to the day, the scenario and (for a ``LiveModel``) the policy.
    """
    fig, ax = style.new_figure(size=(6.4, 5.6))
    xy = cell_positions(model)
    spacing = _spacing(model, xy)
    counts = open_by_cell(model)
    _draw_edges(ax, model, xy)
    side = CELL_SIDE * spacing
    norm = mpl.colors.Normalize(0, max(5, int(counts.max())))
    cells = PatchCollection(
        [Rectangle((x - side / 2, y - side / 2), side, side) for x, y in xy],
        cmap=style.COUNT_CMAP,
        norm=norm,
        edgecolors="#555555",
        linewidths=0.6,
        zorder=2,
    )
    cells.set_array(counts)
    ax.add_collection(cells)
    if model.grid_map.n_cells <= LABELLED_CELLS:
        for (x, y), count in zip(xy, counts.tolist(), strict=True):
            ink = "white" if norm(count) > 0.6 else "black"
            ax.text(x, y, str(count), ha="center", va="center", fontsize=8, color=ink, zorder=3)
    all_desks = desks(model)
    _draw_workers(ax, [d for d in all_desks if d.tier == model.grid_map.tiers[-1]], xy, spacing)
    _draw_offices(ax, model, [d for d in all_desks if not d.department], xy, spacing)
    fig.colorbar(cells, ax=ax, shrink=0.8, label="open incidents (reported, not resolved)")
    pad = 0.6 * spacing
    ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
    ax.set_ylim(xy[:, 1].min() - pad - 0.3 * spacing, xy[:, 1].max() + pad)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    for edge in ("left", "bottom"):
        ax.spines[edge].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.01), ncols=3, fontsize=7.5)
    default = style.figure_title(
        f"Open incidents by cell, day {model.day}",
        scenario=model.spec.name,
        policy=getattr(model, "policy_name", None),
        sep="\n",
    )
    ax.set_title(style.safe_text(title or default))
    return fig


def _spacing(model: GovernanceModel, xy: np.ndarray) -> float:
    """Typical distance between neighbouring cells (median edge length; 1 without edges)."""
    lengths = [np.hypot(*(xy[a] - xy[b])) for a, b in model.grid_map.graph.edges]
    positive = [d for d in lengths if d > 0]
    return float(np.median(positive)) if positive else 1.0


def _draw_edges(ax: Axes, model: GovernanceModel, xy: np.ndarray) -> None:
    """Grey lines between neighbouring cells."""
    for a, b in model.grid_map.graph.edges:
        ax.plot(*zip(xy[a], xy[b], strict=True), color="#bbbbbb", lw=0.8, zorder=1)


def _draw_workers(ax: Axes, cell_desks: list[Desk], xy: np.ndarray, spacing: float) -> None:
    """Each grid's workers as a row of dots along the foot of its cell: filled busy, hollow free."""
    busy, free = [], []
    half_row = 0.3 * spacing
    for desk in cell_desks:
        offsets = np.linspace(-half_row, half_row, desk.staff + 2)[1:-1]
        row = xy[desk.cell] + np.column_stack([offsets, np.full(desk.staff, -0.26 * spacing)])
        busy.extend(row[: desk.busy])
        free.extend(row[desk.busy :])
    for points, face, label in (
        (busy, "#222222", "grid worker, busy"),
        (free, "white", "grid worker, free"),
    ):
        if points:
            pts = np.array(points)
            ax.scatter(
                pts[:, 0],
                pts[:, 1],
                s=16,
                c=face,
                edgecolors="#222222",
                linewidths=0.8,
                zorder=4,
                label=label,
            )


def _draw_offices(
    ax: Axes, model: GovernanceModel, office_desks: list[Desk], xy: np.ndarray, spacing: float
) -> None:
    """A marker per office tier above the cell, and the offices' names by their cells."""
    tiers = model.grid_map.tiers
    names: dict[int, list[str]] = defaultdict(list)
    for rank, tier in enumerate(reversed(tiers[:-1]), start=1):
        cells = [d.cell for d in office_desks if d.tier == tier]
        if not cells:
            continue
        pts = xy[cells] + np.array([(-0.26 + 0.17 * (rank - 1)) * spacing, 0.24 * spacing])
        ax.scatter(
            pts[:, 0],
            pts[:, 1],
            marker=OFFICE_MARKERS[(rank - 1) % len(OFFICE_MARKERS)],
            s=40 + 15 * rank,
            c=style.PALETTE[rank % len(style.PALETTE)],
            edgecolors="black",
            linewidths=0.7,
            zorder=5,
            label=f"{tier} office",
        )
        for desk in office_desks:
            if desk.tier == tier:
                names[desk.cell].append(desk.name)
    for cell, labels in names.items():
        x, y = xy[cell]
        ax.text(
            x,
            y - 0.42 * spacing,
            style.safe_text(" / ".join(labels)),
            fontsize=7,
            ha="center",
            va="top",
            zorder=6,
            color="#333333",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
        )
