"""The map: grid cells coloured by open incidents, offices marked, grid workers shown.

Cells sit at their coordinates (``x``, ``y`` in km) or, when the map has none, at a
spring layout of the graph. The live map (:func:`map_figure`) draws each cell as its
polygon when the scenario's map is a GeoJSON file, else as a square; each cell's grid
workers are a row of dots at the foot of its cell (filled: busy with an incident now; hollow:
free), and offices above the cell tier are marked at their cells, one marker per tier,
and named below them. Snapshots of a finished run (:func:`map_snapshots_figure`,
:func:`map_animation`) draw each unresolved incident as a dot in its cell, coloured by
where it is: the tier holding it, on its way between desks, being verified, or hidden.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, PathPatch, Rectangle
from matplotlib.path import Path

from govsim.plots import style
from govsim.record.ledger import Ledger
from govsim.record.metrics import HANDING_OVER, HIDDEN, VERIFYING, incidents_at
from govsim.viz.state import Desk, desks, open_by_cell
from govsim.world.geography import GridMap
from govsim.world.geography.geojson import cell_outlines
from govsim.world.scenario import MapSpec

if TYPE_CHECKING:
    from govsim.engine.model import GovernanceModel

#: Office markers by rank above the cell tier (1: community, 2: street, 3: city …).
OFFICE_MARKERS = ("s", "^", "D", "*", "P")
#: Side of a cell's square, as a share of the typical distance between neighbouring cells.
CELL_SIDE = 0.8
#: Maps with more cells than this get no per-cell counts written on them.
LABELLED_CELLS = 80


def cell_positions(grid_map: GridMap) -> np.ndarray:
    """(n_cells, 2) array of cell positions: the map's coordinates, else a spring layout."""
    graph = grid_map.graph
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
    fig, ax = style.new_figure(size=(3.6, 4.6))
    xy = cell_positions(model.grid_map)
    spacing = _spacing(model.grid_map, xy)
    counts = open_by_cell(model)
    outlines = polygons(model.spec.map)
    if outlines is None:
        _draw_edges(ax, model.grid_map, xy)
    norm = mpl.colors.Normalize(0, max(5, int(counts.max())))
    cells = PatchCollection(
        _squares(xy, CELL_SIDE * spacing) if outlines is None else list(outlines),
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
    fig.colorbar(cells, ax=ax, shrink=0.7, label="open incidents per cell")
    _frame(ax, _extent(xy, outlines), spacing)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.01), ncols=2, fontsize=7.5)
    default = style.figure_title(
        f"Open incidents by cell, day {model.day}",
        scenario=model.spec.name,
        policy=getattr(model, "policy_name", None),
        sep="\n",
    )
    ax.set_title(style.safe_text(title or default), fontsize=9)
    return fig


def polygons(spec: MapSpec) -> tuple[PathPatch, ...] | None:
    """The cells' polygons (one patch per cell, in cell order) of a GeoJSON map, in km as
    the map's positions; ``None`` for a map drawn by a generator or read from GraphML."""
    if spec.generator != "geojson" or spec.geojson is None:
        return None
    return tuple(
        PathPatch(Path.make_compound_path(*(Path(ring, closed=True) for ring in rings)))
        for rings in _outlines(spec.geojson, spec.coordinates)
    )


@functools.lru_cache(maxsize=4)
def _outlines(path: str, coordinates: str) -> list[list[np.ndarray]]:
    """The file's outlines, read once per app process (the map redraws every step)."""
    return cell_outlines(path, coordinates)  # type: ignore[arg-type]


def _squares(xy: np.ndarray, side: float) -> list[Patch]:
    """A square of ``side`` km centred on each cell position."""
    return [Rectangle((x - side / 2, y - side / 2), side, side) for x, y in xy]


def _extent(xy: np.ndarray, outlines: Sequence[PathPatch] | None) -> np.ndarray:
    """The points the map must show: the cell positions, and the polygons' corners."""
    if outlines is None:
        return xy
    return np.vstack([xy, *(patch.get_path().vertices for patch in outlines)])


def _frame(ax: Axes, xy: np.ndarray, spacing: float) -> None:
    """Fit ``ax`` to the cells at ``xy``, at equal scale, without ticks, grid or spines."""
    pad = 0.6 * spacing
    ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
    ax.set_ylim(xy[:, 1].min() - pad - 0.3 * spacing, xy[:, 1].max() + pad)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    for edge in ("left", "bottom"):
        ax.spines[edge].set_visible(False)


def _spacing(grid_map: GridMap, xy: np.ndarray) -> float:
    """Typical distance between neighbouring cells (median edge length; 1 without edges)."""
    lengths = [np.hypot(*(xy[a] - xy[b])) for a, b in grid_map.graph.edges]
    positive = [d for d in lengths if d > 0]
    return float(np.median(positive)) if positive else 1.0


def _draw_edges(ax: Axes, grid_map: GridMap, xy: np.ndarray) -> None:
    """Grey lines between neighbouring cells."""
    for a, b in grid_map.graph.edges:
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


#: Dots per row in a cell of a snapshot: a cell shows at most this many squared incidents
#: (the last place says how many more there are).
SNAPSHOT_DOTS = 5


@dataclass(frozen=True)
class _Snapshots:
    """What every snapshot of one run shares: where cells are, the incidents at each time
    (``govsim.record.metrics.incidents_at``), the shading scale and the colour of each place."""

    grid_map: GridMap
    xy: np.ndarray
    spacing: float
    frames: pd.DataFrame
    vmax: int
    colours: dict[str, str]

    @classmethod
    def of(cls, ledger: Ledger, grid_map: GridMap, times_h: Sequence[float]) -> _Snapshots:
        """Read ``ledger`` at ``times_h`` (hours since the start) over ``grid_map``."""
        xy = cell_positions(grid_map)
        frames = incidents_at(ledger, np.asarray(times_h, dtype=float))
        open_rows = frames[frames["where"] != HIDDEN]
        per_cell = open_rows.groupby(["time_h", "cell"]).size()
        by_tier = style.tier_colours(ledger.tiers)
        colours = {
            **{tier: by_tier[tier] for tier in reversed(ledger.tiers)},  # top tier first
            HANDING_OVER: style.PALETTE[4],
            VERIFYING: "#9a9a9a",
            HIDDEN: "white",
        }
        vmax = max(5, int(per_cell.max()) if len(per_cell) else 0)
        return cls(grid_map, xy, _spacing(grid_map, xy), frames, vmax, colours)

    @property
    def aspect(self) -> float:
        """Height over width of the drawn map."""
        extent = self.xy.max(axis=0) - self.xy.min(axis=0) + 1.2 * self.spacing
        return float(extent[1] + 0.3 * self.spacing) / float(extent[0])

    def draw(self, ax: Axes, time_h: float) -> None:
        """Draw the map at ``time_h`` on ``ax``: cells shaded by their open incidents,
        one dot per unresolved incident coloured by where it is (hidden ones hollow)."""
        rows = self.frames[self.frames["time_h"] == time_h]
        rank = {where: i for i, where in enumerate(self.colours)}
        rows = rows.assign(rank=rows["where"].map(rank)).sort_values(["cell", "rank"])
        opened = rows[rows["where"] != HIDDEN]
        counts = np.bincount(opened["cell"], minlength=self.grid_map.n_cells)
        _draw_edges(ax, self.grid_map, self.xy)
        side = CELL_SIDE * self.spacing
        cells = PatchCollection(
            [Rectangle((x - side / 2, y - side / 2), side, side) for x, y in self.xy],
            cmap="Greys",
            norm=mpl.colors.Normalize(0, 2.5 * self.vmax),  # light: the dots must show
            edgecolors="#777777",
            linewidths=0.6,
            zorder=2,
        )
        cells.set_array(counts)
        ax.add_collection(cells)
        places = (np.linspace(-0.4, 0.4, SNAPSHOT_DOTS) * side).tolist()
        slots = np.array([(dx, -dy) for dy in places for dx in places])
        radius = 0.32 * side / SNAPSHOT_DOTS
        dots, faces = [], []
        for cell, group in rows.groupby("cell"):
            shown = group["where"].to_numpy()
            if len(shown) > len(slots):
                shown = shown[: len(slots) - 1]
                x, y = self.xy[cell] + slots[-1]
                more = f"+{len(group) - len(shown)}"
                ax.text(x, y, more, ha="center", va="center", fontsize=6, zorder=4)
            dots.extend(Circle(xy, radius) for xy in self.xy[cell] + slots[: len(shown)])
            faces.extend(self.colours[w] for w in shown)
        ax.add_collection(
            PatchCollection(dots, facecolors=faces, edgecolors="#444444", linewidths=0.4, zorder=3)
        )
        day, hour = divmod(time_h, 24.0)
        ax.set_title(f"day {day:g}, {hour:02.0f}:00 · {len(opened)} open", fontsize=9)
        _frame(ax, self.xy, self.spacing)

    def legend(self, fig: Figure, ncols: int) -> None:
        """The figure's legend below its axes, ``ncols`` wide: a dot per place an
        incident can be."""
        labels = {HANDING_OVER: "between desks", VERIFYING: "being verified"}
        handles = [
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                mfc=colour,
                mec="#444444",
                label=labels.get(where, where if where == HIDDEN else f"at a {where} desk"),
            )
            for where, colour in self.colours.items()
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=ncols)


def _snapshot_title(ledger: Ledger, policy: str | None) -> str:
    return style.figure_title(
        "Unresolved incidents on the map, by where they are",
        scenario=ledger.meta["scenario"],
        policy=policy,
        detail=f"seed {ledger.meta['seed']}; cell shade: open incidents",
        sep="\n",
    )


def map_snapshots_figure(
    ledger: Ledger,
    grid_map: GridMap,
    times_h: Sequence[float],
    *,
    policy: str | None = None,
    ncols: int = 4,
) -> Figure:
    """The map of a finished run at each of ``times_h`` (hours since the start), one panel
    each, ``ncols`` to a row.

    Each cell is shaded by its open incidents (reported, not resolved) and each unresolved
    incident is a dot in its cell coloured by where it is then: at a desk of some tier
    (departments at their tier), between desks, being verified, or hidden (hollow).
    ``grid_map`` is the run's map (``govsim.world.geography.scenario_map``). Titled with the
    scenario, ``policy`` and the seed.
    """
    shots = _Snapshots.of(ledger, grid_map, times_h)
    nrows = -(-len(times_h) // ncols)
    fig, axes = style.new_figure(
        nrows, ncols, size=(3.0 * ncols, (3.0 * shots.aspect + 0.4) * nrows + 0.9), squeeze=False
    )
    for ax, time_h in zip(axes.flat, times_h, strict=False):
        shots.draw(ax, float(time_h))
    for ax in axes.flat[len(times_h) :]:
        ax.set_axis_off()
    shots.legend(fig, ncols=len(shots.colours) if ncols >= 3 else 3)
    style.set_title(fig, _snapshot_title(ledger, policy))
    return fig


def map_animation(
    ledger: Ledger,
    grid_map: GridMap,
    times_h: Sequence[float],
    *,
    policy: str | None = None,
    interval_ms: int = 300,
) -> FuncAnimation:
    """The snapshots of :func:`map_snapshots_figure` as an animation, one frame per time
    in ``times_h`` shown ``interval_ms`` milliseconds; in a notebook, display it with
    ``IPython.display.HTML(animation.to_jshtml())``."""
    shots = _Snapshots.of(ledger, grid_map, times_h)
    fig, ax = style.new_figure(size=(5.0, 5.0 * shots.aspect + 1.3))
    shots.legend(fig, ncols=3)
    style.set_title(fig, _snapshot_title(ledger, policy))

    def frame(index: int) -> None:
        ax.clear()
        shots.draw(ax, float(times_h[index]))

    return FuncAnimation(fig, frame, frames=len(times_h), interval=interval_ms)
