"""Synthetic map builders: :func:`build_lattice` and :func:`build_random_geometric`.

Both number cells in hierarchy order, so the region of tier ``k`` holding cell ``c`` is
``c // prod(children_per_parent[k:])`` and the children of region ``r`` are
``r * c_k .. r * c_k + c_k - 1``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import networkx as nx
import numpy as np

from govsim.world.geography.gridmap import (
    GeographyError,
    GridMap,
    _check_nonnegative,
    _check_positive,
    _check_tiers,
    _typed_cell_attributes,
)
from govsim.world.geography.offices import _assemble

#: Distance (km) between neighbouring cells of a lattice map.
LATTICE_SPACING_KM = 0.5


def build_lattice(
    tiers: Sequence[str],
    children_per_parent: Sequence[int | Sequence[int]],
    households_per_cell: float | Sequence[float] = 800.0,
    *,
    households_cv: float = 0.0,
    household_size: float = 2.8,
    vulnerable_share: float = 0.1,
    shops_per_cell: int = 0,
    tourist_load: float = 0.0,
    edge_travel_h: float = 0.1,
    within_cell_travel_h: float = 0.05,
    spacing_km: float = LATTICE_SPACING_KM,
    rng: np.random.Generator | None = None,
) -> GridMap:
    """Build a square-lattice map in which every region is a contiguous block of cells.

    Args:
        tiers: tier names top → bottom (3 to 5).
        children_per_parent: ``children_per_parent[i]`` regions of tier ``i + 1`` inside
            each region of tier ``i`` (``[1, 4, 6]``: 1 street, 4 communities, 24 grids),
            or a list with one count per region of tier ``i`` for an uneven tree
            (``[3, [8, 6, 6], 4]``: 3 streets of 8, 6 and 6 communities of 4 grids).
        households_per_cell: mean households per cell (rounded, ≥ 1), or one value per cell
            in hierarchy order.
        households_cv: coefficient of variation of households across cells; when > 0 the
            counts are gamma draws from ``rng`` (rounded, ≥ 1).
        household_size: residents per household (population = round(households × size)).
        vulnerable_share: share of vulnerable residents (0–1), every cell.
        shops_per_cell: shops in every cell.
        tourist_load: visitors per day in every cell.
        edge_travel_h: hours between 4-neighbouring cells.
        within_cell_travel_h: hours to reach an incident inside a cell.
        spacing_km: distance between neighbouring cell centres (km).
        rng: random generator (needed only when ``households_cv > 0``).

    Children of a region are laid out as a near-square arrangement of equal blocks, filled
    row by row; this keeps every region connected. An uneven tree is laid out along a
    serpentine through a near-square lattice, cells in hierarchy order, so every region
    (a run of consecutive cells) is a connected path. Returns the :class:`GridMap`.
    """
    tiers_t = _check_tiers(tiers)
    if all(isinstance(c, int | np.integer) for c in children_per_parent):
        sizes = _check_children(tiers_t, children_per_parent)
        ancestors = _hierarchy_ancestors(sizes)
        cols_rows = _block_layout(sizes)
    else:
        ancestors = _tree_ancestors(_check_tree(tiers_t, children_per_parent))
        cols_rows = _serpentine_layout(ancestors[-1].size)
    _check_positive("spacing_km", spacing_km)
    _check_nonnegative("edge_travel_h", edge_travel_h)
    n = ancestors[-1].size
    households = _draw_households(households_per_cell, n, households_cv, rng)
    graph = _cell_graph(
        tiers_t,
        ancestors,
        households,
        household_size=household_size,
        vulnerable_share=vulnerable_share,
        shops_per_cell=shops_per_cell,
        tourist_load=tourist_load,
        xy=cols_rows * float(spacing_km),
    )
    graph.add_edges_from(_lattice_edges(cols_rows), travel_h=float(edge_travel_h))
    return _assemble(tiers_t, graph, ancestors, within_cell_travel_h)


def build_random_geometric(
    tiers: Sequence[str],
    children_per_parent: Sequence[int],
    households_per_cell: float | Sequence[float] = 800.0,
    *,
    rng: np.random.Generator,
    radius_km: float = 0.8,
    speed_kmh: float = 15.0,
    area_km2: float | None = None,
    households_cv: float = 0.0,
    household_size: float = 2.8,
    vulnerable_share: float = 0.1,
    shops_per_cell: int = 0,
    tourist_load: float = 0.0,
    within_cell_travel_h: float = 0.05,
) -> GridMap:
    """Build a map of randomly placed cells linked when closer than ``radius_km``.

    ``tiers``, ``children_per_parent``, ``households_per_cell``, ``households_cv``,
    ``household_size``, ``vulnerable_share``, ``shops_per_cell``, ``tourist_load`` and
    ``within_cell_travel_h`` are as for :func:`build_lattice`; the number of cells is the
    product of ``children_per_parent``.

    Args:
        rng: random generator; positions are drawn first, then households.
        radius_km: cells at most this far apart (km) are linked.
        speed_kmh: travel speed; an edge's ``travel_h`` is its length (km) / speed.
        area_km2: area of the square the cells are scattered over; default
            ``0.25 km² × n_cells`` (the density of a lattice with 0.5 km spacing).

    Cells are drawn uniformly in the square. Each component other than the largest is
    joined to the original largest one by an edge between their closest pair of cells.
    Regions come from recursive spatial halving: a region's cells are sorted along the
    longer side of their bounding box and cut in proportion to its children's sizes.
    Returns the :class:`GridMap`.
    """
    tiers_t = _check_tiers(tiers)
    sizes = _check_children(tiers_t, children_per_parent)
    _check_positive("radius_km", radius_km)
    _check_positive("speed_kmh", speed_kmh)
    n = math.prod(sizes)
    area = 0.25 * n if area_km2 is None else float(area_km2)
    _check_positive("area_km2", area)
    side = math.sqrt(area)
    drawn = rng.uniform(0.0, side, size=(n, 2))
    xy = drawn[_spatial_order(drawn, sizes)]
    households = _draw_households(households_per_cell, n, households_cv, rng)
    ancestors = _hierarchy_ancestors(sizes)
    graph = _cell_graph(
        tiers_t,
        ancestors,
        households,
        household_size=household_size,
        vulnerable_share=vulnerable_share,
        shops_per_cell=shops_per_cell,
        tourist_load=tourist_load,
        xy=xy,
    )
    for u, v in _geometric_edges(xy, float(radius_km)):
        length = float(np.hypot(*(xy[u] - xy[v])))
        graph.add_edge(u, v, travel_h=length / float(speed_kmh))
    return _assemble(tiers_t, graph, ancestors, within_cell_travel_h)


# ---------------------------------------------------------------------------------------
# Cells: tiers, households and attributes
# ---------------------------------------------------------------------------------------


def _check_children(tiers: tuple[str, ...], children_per_parent: Sequence[int]) -> tuple[int, ...]:
    """Validate ``children_per_parent``: one integer ≥ 1 per tier below the top."""
    sizes = tuple(children_per_parent)
    if len(sizes) != len(tiers) - 1:
        raise GeographyError(
            f"children_per_parent needs {len(tiers) - 1} entries (one per tier below "
            f"{tiers[0]!r}), got {len(sizes)}"
        )
    for tier, size in zip(tiers[1:], sizes, strict=True):
        if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
            raise GeographyError(
                f"children_per_parent for {tier!r} must be an integer ≥ 1, got {size!r}"
            )
    return tuple(int(s) for s in sizes)


def _check_tree(
    tiers: tuple[str, ...], children_per_parent: Sequence[int | Sequence[int]]
) -> list[list[int]]:
    """Validate an uneven tree; returns, per tier below the top, the child count of every
    region of the tier above."""
    if len(children_per_parent) != len(tiers) - 1:
        raise GeographyError(
            f"children_per_parent needs {len(tiers) - 1} entries (one per tier below "
            f"{tiers[0]!r}), got {len(children_per_parent)}"
        )
    counts: list[list[int]] = []
    parents = 1
    for tier, given in zip(tiers[1:], children_per_parent, strict=True):
        per_parent = [given] * parents if isinstance(given, int | np.integer) else list(given)
        if len(per_parent) != parents:
            raise GeographyError(
                f"children_per_parent for {tier!r} needs one count per region of the tier "
                f"above ({parents}), got {len(per_parent)}"
            )
        if any(
            isinstance(c, bool) or not isinstance(c, int | np.integer) or c < 1 for c in per_parent
        ):
            raise GeographyError(
                f"children_per_parent for {tier!r} must be integers ≥ 1, got {per_parent!r}"
            )
        counts.append([int(c) for c in per_parent])
        parents = sum(per_parent)
    return counts


def _tree_ancestors(counts: Sequence[Sequence[int]]) -> tuple[np.ndarray, ...]:
    """Ancestors of cells numbered in hierarchy order, for an uneven tree (``_check_tree``)."""
    ancestors = [np.zeros(1, dtype=np.int64)]
    for per_parent in counts:
        parent = np.repeat(np.arange(len(per_parent)), per_parent)
        ancestors = [a[parent] for a in ancestors] + [np.arange(parent.size)]
    return tuple(ancestors)


def _serpentine_layout(n: int) -> np.ndarray:
    """Lattice positions (column, row) of ``n`` cells along a serpentine: row by row,
    every other row right to left, so consecutive cells are always neighbours."""
    width = math.ceil(math.sqrt(n))
    rows, cols = np.divmod(np.arange(n), width)
    cols = np.where(rows % 2 == 1, width - 1 - cols, cols)
    return np.column_stack([cols, rows]).astype(np.int64)


def _hierarchy_ancestors(sizes: Sequence[int]) -> tuple[np.ndarray, ...]:
    """Ancestors of cells numbered in hierarchy order: ``cell // prod(sizes[k:])`` at tier k."""
    cells = np.arange(math.prod(sizes))
    return tuple(cells // math.prod(sizes[k:]) for k in range(len(sizes) + 1))


def _draw_households(
    households_per_cell: float | Sequence[float],
    n: int,
    cv: float,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """Households per cell: given values (rounded), or a mean (≥ 1) kept constant or drawn.

    With a mean and ``cv > 0`` the counts are gamma draws (mean, coefficient of variation
    ``cv``) from ``rng``, rounded and at least 1.
    """
    _check_nonnegative("households_cv", cv)
    if not isinstance(households_per_cell, int | float | np.number):
        values = np.asarray(households_per_cell, dtype=float)
        if values.shape != (n,) or not np.all(np.isfinite(values)) or np.any(values < 0):
            raise GeographyError(f"households_per_cell must be {n} numbers ≥ 0, one per cell")
        return np.rint(values).astype(np.int64)
    _check_positive("households_per_cell", households_per_cell)
    mean = float(households_per_cell)
    if cv < 1e-6:  # no spread to speak of, and the gamma's shape 1 / cv² would overflow
        return np.full(n, max(1, round(mean)), dtype=np.int64)
    if rng is None:
        raise GeographyError("households_cv > 0 needs an rng to draw households from")
    draws = rng.gamma(1.0 / cv**2, mean * cv**2, size=n)
    return np.maximum(1, np.rint(draws)).astype(np.int64)


def _cell_graph(
    tiers: tuple[str, ...],
    ancestors: tuple[np.ndarray, ...],
    households: np.ndarray,
    *,
    household_size: float,
    vulnerable_share: float,
    shops_per_cell: int,
    tourist_load: float,
    xy: np.ndarray,
) -> nx.Graph:
    """Return an edgeless graph of cells in hierarchy order carrying all node attributes.

    ``ancestors`` gives each cell's region per tier; ``xy`` the positions (km), one row
    per cell. Raises :class:`GeographyError` for an invalid per-cell parameter.
    """
    _check_positive("household_size", household_size)
    _check_nonnegative("vulnerable_share", vulnerable_share)
    if vulnerable_share > 1:
        raise GeographyError(f"vulnerable_share must be in 0..1, got {vulnerable_share!r}")
    if isinstance(shops_per_cell, bool) or not isinstance(shops_per_cell, int | np.integer):
        raise GeographyError(f"shops_per_cell must be an integer, got {shops_per_cell!r}")
    _check_nonnegative("shops_per_cell", shops_per_cell)
    _check_nonnegative("tourist_load", tourist_load)
    population = np.rint(households * float(household_size)).astype(np.int64)
    graph = nx.Graph()
    for cell in range(households.size):
        attrs = _typed_cell_attributes(
            {
                "households": households[cell],
                "population": population[cell],
                "vulnerable_share": vulnerable_share,
                "shops": shops_per_cell,
                "tourist_load": tourist_load,
                "x": xy[cell, 0],
                "y": xy[cell, 1],
            }
        )
        attrs.update({tier: int(ancestors[k][cell]) for k, tier in enumerate(tiers)})
        graph.add_node(cell, **attrs)
    return graph


# ---------------------------------------------------------------------------------------
# Lattice layout
# ---------------------------------------------------------------------------------------


def _arrangement(count: int, width: int, height: int) -> tuple[int, int]:
    """Columns and rows for ``count`` blocks of ``width × height`` cells, near-square overall.

    Minimises |log aspect ratio| + log(slots / count), then empty slots, then columns.
    """
    best: tuple[float, int, int] | None = None
    choice = (1, count)
    for cols in range(1, count + 1):
        rows = -(-count // cols)
        score = abs(math.log(cols * width / (rows * height))) + math.log(rows * cols / count)
        key = (round(score, 9), rows * cols - count, cols)
        if best is None or key < best:
            best, choice = key, (cols, rows)
    return choice


def _block_layout(sizes: Sequence[int]) -> np.ndarray:
    """Lattice positions (column, row) of cells in hierarchy order, shape ``(n, 2)``.

    Built bottom-up: a region's children are identical blocks placed row by row in a
    near-square arrangement. Every footprint has a full top row and a full left column,
    so blocks that are neighbours in the arrangement touch and every region is connected.
    """
    footprint = np.zeros((1, 2), dtype=np.int64)
    width = height = 1
    for count in reversed(sizes):
        cols, rows = _arrangement(count, width, height)
        offsets = np.array([(j % cols * width, j // cols * height) for j in range(count)])
        footprint = (offsets[:, None, :] + footprint[None, :, :]).reshape(-1, 2)
        width, height = cols * width, rows * height
    return footprint


def _lattice_edges(cols_rows: np.ndarray) -> list[tuple[int, int]]:
    """The sorted ``(low, high)`` cell pairs that are 4-neighbours on the lattice."""
    where = {(int(c), int(r)): i for i, (c, r) in enumerate(cols_rows)}
    edges = []
    for (c, r), i in where.items():
        for neighbour in ((c + 1, r), (c, r + 1)):
            j = where.get(neighbour)
            if j is not None:
                edges.append((min(i, j), max(i, j)))
    return sorted(edges)


# ---------------------------------------------------------------------------------------
# Random geometric layout
# ---------------------------------------------------------------------------------------


def _spatial_order(xy: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    """Order the points so that consecutive blocks form compact regions at every tier.

    Each region is cut into its children by recursive halving along the longer side of
    its bounding box (ties broken by the other coordinate, then by index).
    """

    def split(idx: np.ndarray, parts: int) -> list[np.ndarray]:
        if parts == 1:
            return [idx]
        first = parts // 2
        cut = idx.size * first // parts
        pts = xy[idx]
        axis = 0 if np.ptp(pts[:, 0]) >= np.ptp(pts[:, 1]) else 1
        order = np.lexsort((idx, pts[:, 1 - axis], pts[:, axis]))
        ranked = idx[order]
        return split(ranked[:cut], first) + split(ranked[cut:], parts - first)

    def arrange(idx: np.ndarray, level: int) -> list[np.ndarray]:
        if level == len(sizes):
            return [idx]
        out: list[np.ndarray] = []
        for part in split(idx, sizes[level]):
            out.extend(arrange(part, level + 1))
        return out

    return np.concatenate(arrange(np.arange(xy.shape[0]), 0))


def _geometric_edges(xy: np.ndarray, radius_km: float) -> list[tuple[int, int]]:
    """The ``(low, high)`` cell pairs at most ``radius_km`` apart, plus joining edges.

    The pairs come sorted, then, for each component other than the largest (bigger ones
    first, ties → lowest cell first), the closest pair between it and the largest one.
    """
    geometric = nx.random_geometric_graph(
        xy.shape[0], radius_km, pos={i: tuple(p) for i, p in enumerate(xy)}
    )
    edges = sorted((min(u, v), max(u, v)) for u, v in geometric.edges)
    components = sorted(
        (np.array(sorted(c)) for c in nx.connected_components(geometric)),
        key=lambda c: (-c.size, c[0]),
    )
    main = components[0]
    for comp in components[1:]:
        dist = np.linalg.norm(xy[comp][:, None, :] - xy[main][None, :, :], axis=2)
        a, b = np.unravel_index(int(np.argmin(dist)), dist.shape)
        u, v = int(comp[a]), int(main[b])
        edges.append((min(u, v), max(u, v)))
    return edges
