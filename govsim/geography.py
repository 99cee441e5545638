"""The networked grid map: a city cut into nested regions whose smallest unit is a cell.

A map has 3 to 5 region *tiers*, top to bottom (e.g. ``city → street → community →
grid``). The bottom tier is the map cell: one node of an undirected ``networkx`` graph
whose edges carry the travel time ``travel_h`` (hours) between neighbouring cells. Every
region of every tier has an *office*, sitting in the region's most central cell (least
total shortest-path travel time to the region's cells), from which staff travel to
incidents.

Conventions used throughout:

* cells are labelled ``0 .. n_cells - 1``; regions of tier ``k`` are labelled
  ``0 .. region_counts[k] - 1``; tier 0 (the top) always has a single region;
* the builders number cells in hierarchy order, so the region of tier ``k`` holding
  cell ``c`` is ``c // prod(children_per_parent[k:])`` and the children of region ``r``
  are ``r * c_k .. r * c_k + c_k - 1``;
* times are hours, distances and coordinates kilometres, tourist load visitors per day.

Builders: :func:`build_lattice`, :func:`build_random_geometric`, :func:`load_graphml`
(and :func:`save_graphml` for the reverse).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import networkx as nx
import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from govsim.errors import GovsimError
from govsim.scenario import MapSpec

#: Node attributes every cell carries besides its tier indices.
CELL_ATTRIBUTES = (
    "households",
    "population",
    "vulnerable_share",
    "shops",
    "tourist_load",
    "x",
    "y",
)
#: Distance (km) between neighbouring cells of a lattice map.
LATTICE_SPACING_KM = 0.5
#: Relative tolerance under which two total travel times count as a tie for an office.
OFFICE_TIE_RTOL = 1e-9
_MIN_TIERS, _MAX_TIERS = 3, 5
#: Number of matrix cells (sources × targets) per all-pairs Dijkstra chunk (~32 MB).
_CHUNK_ENTRIES = 1 << 22


class GeographyError(GovsimError, ValueError):
    """A map is invalid: bad tiers, a disconnected graph, or a GraphML file that does not fit.

    The message names the offending node, edge or attribute.
    """


# ---------------------------------------------------------------------------------------
# The map
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GridMap:
    """A graph of cells nested in a tree of regions, with one office per region.

    Attributes:
        tiers: region tier names, top → bottom (3 to 5); the last tier is the map cell.
        graph: undirected graph on cells ``0 .. n_cells - 1``. Node attributes:
            ``households`` (int), ``population`` (int, residents), ``vulnerable_share``
            (float 0–1), ``shops`` (int), ``tourist_load`` (float, visitors per day),
            ``x``, ``y`` (km; NaN when unknown) and, for every tier name, the index of the
            cell's region at that tier. Edge attribute ``travel_h`` (hours, ≥ 0).
            Treat it as read-only.
        ancestors: per tier, an int array over cells: ``ancestors[k][cell]`` is the index
            of the cell's region at tier ``k`` (all zeros at tier 0, identity at the bottom).
        region_counts: number of regions per tier.
        office_cells: per tier, ``office_cells[k][r]`` is the cell of region ``r``'s office
            (its most central cell; ties → lowest cell id). Bottom tier: the cell itself.
        travel_from_office: per tier above the bottom, a float array of shape
            ``(region_counts[k], n_cells)``: shortest-path travel time (h) from region
            ``r``'s office cell to every cell (0 at the office cell; the walk inside the
            destination cell is *not* included). Bottom tier: a 1-D array of shape
            ``(n_cells,)`` whose every entry is ``within_cell_travel_h`` — the only trip a
            cell's own office makes is inside the cell. Use :meth:`office_travel_h` for a
            uniform, walk-inclusive figure.
        within_cell_travel_h: travel time (h) to reach an incident inside a cell once there.
        names: optional region names per tier (``names[k][r]``), unique within a tier;
            ``None`` means ``"<tier> <index>"``.

    All arrays are read-only. Construction validates the nesting (every region non-empty
    with exactly one parent) and the shapes, raising :class:`GeographyError`.
    """

    tiers: tuple[str, ...]
    graph: nx.Graph
    ancestors: tuple[np.ndarray, ...]
    region_counts: tuple[int, ...]
    office_cells: tuple[np.ndarray, ...]
    travel_from_office: tuple[np.ndarray, ...]
    within_cell_travel_h: float
    names: tuple[tuple[str, ...], ...] | None = None
    _parents: tuple[np.ndarray, ...] = field(init=False, repr=False)
    _children: tuple[tuple[np.ndarray, ...], ...] = field(init=False, repr=False)
    _cell_order: tuple[np.ndarray, ...] = field(init=False, repr=False)
    _cell_starts: tuple[np.ndarray, ...] = field(init=False, repr=False)
    _households: np.ndarray = field(init=False, repr=False)
    _population: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Normalise the fields to tuples of read-only arrays and check their consistency."""
        tiers = _check_tiers(self.tiers)
        n = self.graph.number_of_nodes()
        if n == 0:
            raise GeographyError("the map has no cells")
        if set(self.graph.nodes) != set(range(n)):
            raise GeographyError(f"graph nodes must be the integers 0..{n - 1}")
        for cell, data in self.graph.nodes(data=True):
            missing = [a for a in CELL_ATTRIBUTES if a not in data]
            if missing:
                raise GeographyError(f"cell {cell}: missing node attributes {missing}")
        n_tiers = len(tiers)
        for name in ("ancestors", "region_counts", "office_cells", "travel_from_office"):
            if len(getattr(self, name)) != n_tiers:
                raise GeographyError(f"{name} needs one entry per tier ({n_tiers})")
        counts = tuple(int(c) for c in self.region_counts)
        ancestors = tuple(_readonly(a, np.int64) for a in self.ancestors)
        cells = np.arange(n)
        for k, (anc, count) in enumerate(zip(ancestors, counts, strict=True)):
            if anc.shape != (n,) or anc.min() < 0 or anc.max() >= count:
                raise GeographyError(
                    f"ancestors[{k}] must hold {n} region indices in 0..{count - 1}"
                )
            if np.any(np.bincount(anc, minlength=count) == 0):
                raise GeographyError(f"tier {tiers[k]!r} has a region without cells")
        if counts[0] != 1:
            raise GeographyError(f"the top tier {tiers[0]!r} must be a single region")
        if not np.array_equal(ancestors[-1], cells):
            raise GeographyError(f"the bottom tier {tiers[-1]!r} must be the cells themselves")
        parents: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        for k in range(1, n_tiers):
            _, first_cell = np.unique(ancestors[k], return_index=True)
            par = ancestors[k - 1][first_cell]  # the parent of each region's first cell
            clash = np.flatnonzero(par[ancestors[k]] != ancestors[k - 1])
            if clash.size:
                cell = int(clash[0])
                raise GeographyError(
                    f"cell {cell}: {tiers[k]} {int(ancestors[k][cell])} lies in more than "
                    f"one {tiers[k - 1]}"
                )
            parents.append(_readonly(par, np.int64))
        offices = tuple(_readonly(o, np.int64) for o in self.office_cells)
        for k, (off, count) in enumerate(zip(offices, counts, strict=True)):
            if (
                off.shape != (count,)
                or off.min() < 0
                or off.max() >= n
                or not np.array_equal(ancestors[k][off], np.arange(count))
            ):
                raise GeographyError(f"office_cells[{k}] must give a cell inside each region")
        travel = tuple(_readonly(t, np.float64) for t in self.travel_from_office)
        for k in range(n_tiers - 1):
            if travel[k].shape != (counts[k], n):
                raise GeographyError(f"travel_from_office[{k}] must have shape ({counts[k]}, {n})")
        if travel[-1].shape != (n,):
            raise GeographyError(f"travel_from_office[{n_tiers - 1}] must have shape ({n},)")
        if self.names is not None:
            names = tuple(tuple(str(s) for s in tier_names) for tier_names in self.names)
            if len(names) != n_tiers or any(
                len(tn) != c or len(set(tn)) != c for tn, c in zip(names, counts, strict=True)
            ):
                raise GeographyError("names must give one distinct name per region of each tier")
            object.__setattr__(self, "names", names)
        orders, starts, children = [], [], []
        for k in range(n_tiers):
            order = np.argsort(ancestors[k], kind="stable")
            orders.append(_readonly(order, np.int64))
            starts.append(
                _readonly(np.searchsorted(ancestors[k][order], np.arange(counts[k] + 1)), np.int64)
            )
        for k in range(n_tiers - 1):
            kids = parents[k + 1]
            order = np.argsort(kids, kind="stable")
            bounds = np.searchsorted(kids[order], np.arange(counts[k] + 1))
            children.append(
                tuple(
                    _readonly(order[bounds[r] : bounds[r + 1]], np.int64) for r in range(counts[k])
                )
            )
        children.append(tuple(np.zeros(0, dtype=np.int64) for _ in range(counts[-1])))
        nodes = self.graph.nodes
        object.__setattr__(self, "tiers", tiers)
        object.__setattr__(self, "ancestors", ancestors)
        object.__setattr__(self, "region_counts", counts)
        object.__setattr__(self, "office_cells", offices)
        object.__setattr__(self, "travel_from_office", travel)
        object.__setattr__(self, "within_cell_travel_h", float(self.within_cell_travel_h))
        object.__setattr__(self, "_parents", tuple(parents))
        object.__setattr__(self, "_children", tuple(children))
        object.__setattr__(self, "_cell_order", tuple(orders))
        object.__setattr__(self, "_cell_starts", tuple(starts))
        object.__setattr__(
            self, "_households", _readonly([nodes[c]["households"] for c in cells], np.int64)
        )
        object.__setattr__(
            self, "_population", _readonly([nodes[c]["population"] for c in cells], np.int64)
        )

    @property
    def n_cells(self) -> int:
        """Number of map cells (nodes of the graph)."""
        return self.graph.number_of_nodes()

    @property
    def n_tiers(self) -> int:
        """Number of region tiers (3 to 5)."""
        return len(self.tiers)

    @property
    def households(self) -> np.ndarray:
        """Households per cell: read-only int array of shape ``(n_cells,)``."""
        return self._households

    @property
    def population(self) -> np.ndarray:
        """Residents per cell: read-only int array of shape ``(n_cells,)``."""
        return self._population

    def tier_index(self, tier: str) -> int:
        """Return the position (0 = top) of the tier called ``tier``; unknown → ``KeyError``."""
        try:
            return self.tiers.index(tier)
        except ValueError:
            raise KeyError(f"no tier {tier!r}; tiers are {list(self.tiers)}") from None

    def parent(self, k: int, r: int) -> int:
        """Return the index, at tier ``k - 1``, of the region containing region ``r`` of tier ``k``.

        Raises ``ValueError`` for the top tier (it has no parent), ``IndexError`` when
        ``k`` or ``r`` is out of range.
        """
        self._check_region(k, r)
        if k == 0:
            raise ValueError(f"the top tier {self.tiers[0]!r} has no parent")
        return int(self._parents[k][r])

    def children(self, k: int, r: int) -> np.ndarray:
        """Return the indices, at tier ``k + 1``, of region ``r``'s sub-regions (ascending).

        Read-only int array; empty for the bottom tier.
        """
        self._check_region(k, r)
        return self._children[k][r]

    def cells_of(self, k: int, r: int) -> np.ndarray:
        """Return the cells of region ``r`` of tier ``k`` as an ascending read-only int array."""
        self._check_region(k, r)
        starts = self._cell_starts[k]
        return self._cell_order[k][starts[r] : starts[r + 1]]

    def region_name(self, k: int, r: int) -> str:
        """Return the display name of region ``r`` of tier ``k``, e.g. ``"community 3"``."""
        self._check_region(k, r)
        if self.names is not None:
            return self.names[k][r]
        return f"{self.tiers[k]} {r}"

    def office_travel_h(self, k: int, cell: int) -> float:
        """Return the hours for ``cell``'s tier-``k`` office to reach an incident in the cell.

        That is the shortest-path travel from the office cell to ``cell`` plus the walk
        inside the cell (``within_cell_travel_h``); at the bottom tier, just the walk.
        """
        if not 0 <= cell < self.n_cells:
            raise IndexError(f"cell {cell} out of range 0..{self.n_cells - 1}")
        if k == self.n_tiers - 1 or k == -1:
            return float(self.travel_from_office[-1][cell])
        region = self.ancestors[k][cell]
        return float(self.travel_from_office[k][region, cell]) + self.within_cell_travel_h

    def _check_region(self, k: int, r: int) -> None:
        """Raise ``IndexError`` unless ``k`` is a tier index and ``r`` a region of it."""
        if not 0 <= k < self.n_tiers:
            raise IndexError(f"tier {k} out of range 0..{self.n_tiers - 1}")
        if not 0 <= r < self.region_counts[k]:
            raise IndexError(f"{self.tiers[k]} {r} out of range 0..{self.region_counts[k] - 1}")


# ---------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------


def build_lattice(
    tiers: Sequence[str],
    children_per_parent: Sequence[int],
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
            each region of tier ``i`` (``[1, 4, 6]``: 1 street, 4 communities, 24 grids).
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
    row by row; this keeps every region connected. Returns the :class:`GridMap`.
    """
    tiers_t = _check_tiers(tiers)
    sizes = _check_children(tiers_t, children_per_parent)
    _check_positive("spacing_km", spacing_km)
    _check_nonnegative("edge_travel_h", edge_travel_h)
    n = math.prod(sizes)
    cols_rows = _block_layout(sizes)
    households = _draw_households(households_per_cell, n, households_cv, rng)
    graph = _cell_graph(
        tiers_t,
        sizes,
        households,
        household_size=household_size,
        vulnerable_share=vulnerable_share,
        shops_per_cell=shops_per_cell,
        tourist_load=tourist_load,
        xy=cols_rows * float(spacing_km),
    )
    where = {(int(c), int(r)): i for i, (c, r) in enumerate(cols_rows)}
    edges = []
    for (c, r), i in where.items():
        for neighbour in ((c + 1, r), (c, r + 1)):
            j = where.get(neighbour)
            if j is not None:
                edges.append((min(i, j), max(i, j)))
    graph.add_edges_from(sorted(edges), travel_h=float(edge_travel_h))
    return _assemble(tiers_t, graph, _hierarchy_ancestors(sizes), within_cell_travel_h)


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

    Args:
        tiers, children_per_parent: as for :func:`build_lattice`; the number of cells is
            the product of ``children_per_parent``.
        households_per_cell, households_cv, household_size, vulnerable_share,
            shops_per_cell, tourist_load, within_cell_travel_h: as for
            :func:`build_lattice`.
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
    graph = _cell_graph(
        tiers_t,
        sizes,
        households,
        household_size=household_size,
        vulnerable_share=vulnerable_share,
        shops_per_cell=shops_per_cell,
        tourist_load=tourist_load,
        xy=xy,
    )
    geometric = nx.random_geometric_graph(
        n, float(radius_km), pos={i: tuple(p) for i, p in enumerate(xy)}
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
    for u, v in edges:
        length = float(np.hypot(*(xy[u] - xy[v])))
        graph.add_edge(u, v, travel_h=length / float(speed_kmh))
    return _assemble(tiers_t, graph, _hierarchy_ancestors(sizes), within_cell_travel_h)


def load_graphml(
    path: str | Path,
    tiers: Sequence[str],
    *,
    households_per_cell: int = 800,
    household_size: float = 2.8,
    vulnerable_share: float = 0.1,
    shops_per_cell: int = 0,
    tourist_load: float = 0.0,
    within_cell_travel_h: float | None = None,
) -> GridMap:
    """Read a map from a GraphML file.

    Every node needs one attribute per tier name holding its region's label (any value;
    labels must be unique within a tier, and the top tier must have a single label).
    Labels become 0-based region indices in order of first appearance, scanning nodes in
    file order; cells are numbered ``0..n-1`` in file order too; a label's text becomes
    the region's name. Optional node attributes (defaults from the keyword arguments):
    ``households``, ``population`` (default round(households × household_size); when only
    population is given households = max(1, round(population / household_size))),
    ``vulnerable_share``, ``shops``, ``tourist_load``, ``x``, ``y`` (km, default NaN).
    Every edge needs ``travel_h`` (hours ≥ 0); directed or parallel edges collapse to one
    undirected edge with the smallest time, self-loops are dropped.
    ``within_cell_travel_h`` defaults to the file's graph attribute of that name, else 0.05.

    Raises :class:`GeographyError` naming the node (or edge) and attribute for a missing
    or invalid attribute, a region with two parents, a shared bottom-tier label, a
    disconnected graph or an unreadable file. Returns the :class:`GridMap`.
    """
    tiers_t = _check_tiers(tiers)
    try:
        raw = nx.read_graphml(str(path))
    except (OSError, ParseError, nx.NetworkXError) as exc:
        raise GeographyError(f"cannot read GraphML file {str(path)!r}: {exc}") from exc
    nodes = list(raw.nodes)
    if not nodes:
        raise GeographyError(f"GraphML file {str(path)!r} has no nodes")
    n_tiers = len(tiers_t)
    index_of: list[dict[Hashable, int]] = [{} for _ in tiers_t]
    first_node: list[list[Any]] = [[] for _ in tiers_t]
    parent_of: list[list[int]] = [[] for _ in tiers_t]
    ancestors = np.zeros((n_tiers, len(nodes)), dtype=np.int64)
    for i, node in enumerate(nodes):
        data = raw.nodes[node]
        for k, tier in enumerate(tiers_t):
            if tier not in data:
                raise GeographyError(f"node {node!r}: missing tier attribute {tier!r}")
            label = data[tier]
            r = index_of[k].get(label)
            if r is None:
                r = index_of[k][label] = len(index_of[k])
                first_node[k].append(node)
                parent_of[k].append(int(ancestors[k - 1, i]) if k else 0)
            elif k == n_tiers - 1:
                raise GeographyError(
                    f"node {node!r}: bottom-tier attribute {tier!r} = {label!r} is already "
                    f"used by node {first_node[k][r]!r}; each cell needs its own label"
                )
            elif k and parent_of[k][r] != ancestors[k - 1, i]:
                labels_above = list(index_of[k - 1])
                raise GeographyError(
                    f"node {node!r}: attribute {tier!r} = {label!r} puts it in "
                    f"{tiers_t[k - 1]} {labels_above[int(ancestors[k - 1, i])]!r}, but node "
                    f"{first_node[k][r]!r} puts {tier} {label!r} in {tiers_t[k - 1]} "
                    f"{labels_above[parent_of[k][r]]!r} (a region must have one parent)"
                )
            ancestors[k, i] = r
    if len(index_of[0]) != 1:
        raise GeographyError(
            f"node {first_node[0][1]!r}: top tier {tiers_t[0]!r} must have a single label, "
            f"found {len(index_of[0])}"
        )
    graph = nx.Graph()
    for i, node in enumerate(nodes):
        data = raw.nodes[node]
        households = _node_number(node, data, "households", None, integer=True)
        population = _node_number(node, data, "population", None, integer=True)
        if households is None:
            households = (
                households_per_cell
                if population is None
                else max(1, round(population / household_size))
            )
        if population is None:
            population = round(households * household_size)
        attrs: dict[str, Any] = {
            "households": int(households),
            "population": int(population),
            "vulnerable_share": _node_number(
                node, data, "vulnerable_share", vulnerable_share, upper=1.0
            ),
            "shops": _node_number(node, data, "shops", shops_per_cell, integer=True),
            "tourist_load": _node_number(node, data, "tourist_load", tourist_load),
            "x": _node_number(node, data, "x", math.nan, signed=True),
            "y": _node_number(node, data, "y", math.nan, signed=True),
        }
        attrs.update({tier: int(ancestors[k, i]) for k, tier in enumerate(tiers_t)})
        graph.add_node(i, **attrs)
    position = {node: i for i, node in enumerate(nodes)}
    travel: dict[tuple[int, int], float] = {}
    for u, v, data in raw.edges(data=True):
        if "travel_h" not in data:
            raise GeographyError(f"edge ({u!r}, {v!r}): missing attribute 'travel_h'")
        hours = _as_float(data["travel_h"])
        if hours is None or not math.isfinite(hours) or hours < 0:
            raise GeographyError(
                f"edge ({u!r}, {v!r}): attribute 'travel_h' = {data['travel_h']!r} "
                "must be a finite number of hours ≥ 0"
            )
        i, j = sorted((position[u], position[v]))
        if i != j:
            travel[i, j] = min(hours, travel.get((i, j), math.inf))
    for (i, j), hours in sorted(travel.items()):
        graph.add_edge(i, j, travel_h=hours)
    if within_cell_travel_h is None:
        within = _as_float(raw.graph.get("within_cell_travel_h", 0.05))
        if within is None:
            raise GeographyError("graph attribute 'within_cell_travel_h' must be a number")
        within_cell_travel_h = within
    names = tuple(tuple(str(label) for label in index_of[k]) for k in range(n_tiers))
    return _assemble(tiers_t, graph, tuple(ancestors), within_cell_travel_h, names=names)


def save_graphml(grid_map: GridMap, path: str | Path) -> None:
    """Write ``grid_map`` to a GraphML file that :func:`load_graphml` reads back identically.

    Nodes are written as ``0..n-1`` with the cell attributes; each tier attribute holds the
    region's name (see :meth:`GridMap.region_name`); edges carry ``travel_h``; graph
    attributes ``tiers`` (comma-separated) and ``within_cell_travel_h``. Round trips are
    exact when regions are numbered in order of first appearance over the cells, as every
    builder in this module does.
    """
    out = nx.Graph()
    out.graph["tiers"] = ",".join(grid_map.tiers)
    out.graph["within_cell_travel_h"] = float(grid_map.within_cell_travel_h)
    nodes = grid_map.graph.nodes
    for cell in range(grid_map.n_cells):
        data = nodes[cell]
        attrs: dict[str, Any] = {
            "households": int(data["households"]),
            "population": int(data["population"]),
            "vulnerable_share": float(data["vulnerable_share"]),
            "shops": int(data["shops"]),
            "tourist_load": float(data["tourist_load"]),
            "x": float(data["x"]),
            "y": float(data["y"]),
        }
        for k, tier in enumerate(grid_map.tiers):
            attrs[tier] = grid_map.region_name(k, int(grid_map.ancestors[k][cell]))
        out.add_node(cell, **attrs)
    for u, v, data in sorted(grid_map.graph.edges(data=True)):
        out.add_edge(min(u, v), max(u, v), travel_h=float(data["travel_h"]))
    nx.write_graphml(out, str(path))


# ---------------------------------------------------------------------------------------
# Assembly: offices and travel times
# ---------------------------------------------------------------------------------------


def _assemble(
    tiers: tuple[str, ...],
    graph: nx.Graph,
    ancestors: Sequence[np.ndarray],
    within_cell_travel_h: float,
    *,
    names: tuple[tuple[str, ...], ...] | None = None,
) -> GridMap:
    """Check connectivity, place every office and compute travel times; return the map."""
    _check_nonnegative("within_cell_travel_h", within_cell_travel_h)
    n = graph.number_of_nodes()
    n_components = nx.number_connected_components(graph)
    if n_components != 1:
        raise GeographyError(f"the map graph is not connected: it has {n_components} components")
    ancestors = tuple(np.asarray(a, dtype=np.int64) for a in ancestors)
    counts = tuple(int(a.max()) + 1 for a in ancestors)
    adjacency = _adjacency(graph)
    upper = range(len(tiers) - 1)
    totals = _totals_within_region(adjacency, [ancestors[k] for k in upper], counts[:-1])
    offices = [_most_central(totals[k], ancestors[k], counts[k]) for k in upper]
    distinct = np.unique(np.concatenate(offices))
    rows = dijkstra(adjacency, directed=True, indices=distinct)
    travel = [rows[np.searchsorted(distinct, off)] for off in offices]
    offices.append(np.arange(n))
    travel.append(np.full(n, float(within_cell_travel_h)))
    return GridMap(
        tiers=tiers,
        graph=graph,
        ancestors=ancestors,
        region_counts=counts,
        office_cells=tuple(offices),
        travel_from_office=tuple(travel),
        within_cell_travel_h=float(within_cell_travel_h),
        names=names,
    )


def _adjacency(graph: nx.Graph) -> csr_array:
    """Return the symmetric sparse matrix of edge ``travel_h`` (explicit zeros kept)."""
    n = graph.number_of_nodes()
    us, vs, ws = [], [], []
    for u, v, w in graph.edges(data="travel_h"):
        us.append(u)
        vs.append(v)
        ws.append(float(w))
    rows = np.array(us + vs, dtype=np.int64)
    cols = np.array(vs + us, dtype=np.int64)
    return csr_array((np.array(ws + ws, dtype=np.float64), (rows, cols)), shape=(n, n))


def _totals_within_region(
    adjacency: csr_array, ancestors: Sequence[np.ndarray], counts: Sequence[int]
) -> list[np.ndarray]:
    """For each given tier, each cell's total shortest-path time (h) to its region's cells.

    Runs an all-pairs Dijkstra in chunks of source cells so memory stays bounded.
    """
    n = adjacency.shape[0]
    orders = [np.argsort(a, kind="stable") for a in ancestors]
    starts = [
        np.searchsorted(a[o], np.arange(c))
        for a, o, c in zip(ancestors, orders, counts, strict=True)
    ]
    totals = [np.zeros(n) for _ in ancestors]
    chunk = max(1, _CHUNK_ENTRIES // n)
    for lo in range(0, n, chunk):
        sources = np.arange(lo, min(n, lo + chunk))
        dist = dijkstra(adjacency, directed=True, indices=sources)
        for total, anc, order, start in zip(totals, ancestors, orders, starts, strict=True):
            per_region = np.add.reduceat(dist[:, order], start, axis=1)
            total[sources] = per_region[np.arange(sources.size), anc[sources]]
    return totals


def _most_central(totals: np.ndarray, ancestors: np.ndarray, count: int) -> np.ndarray:
    """Per region, the cell with the least total (ties within a relative 1e-9 → lowest id)."""
    best = np.full(count, np.inf)
    np.minimum.at(best, ancestors, totals)
    near = totals <= best[ancestors] + OFFICE_TIE_RTOL * np.maximum(1.0, best[ancestors])
    cells = np.arange(totals.size)
    office = np.full(count, totals.size, dtype=np.int64)
    np.minimum.at(office, ancestors[near], cells[near])
    return office


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def _readonly(values: Any, dtype: type) -> np.ndarray:
    """Return a read-only copy of ``values`` as an array of ``dtype``."""
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array


def _check_tiers(tiers: Sequence[str]) -> tuple[str, ...]:
    """Validate tier names (3 to 5, distinct, non-empty, not a cell attribute name)."""
    if isinstance(tiers, str):
        raise GeographyError("tiers must be a sequence of tier names, not one string")
    tiers_t = tuple(tiers)
    if not _MIN_TIERS <= len(tiers_t) <= _MAX_TIERS:
        raise GeographyError(
            f"a map needs {_MIN_TIERS} to {_MAX_TIERS} tiers, got {len(tiers_t)}: {list(tiers_t)}"
        )
    for tier in tiers_t:
        if not isinstance(tier, str) or not tier:
            raise GeographyError(f"tier names must be non-empty strings, got {tier!r}")
        if tier in CELL_ATTRIBUTES:
            raise GeographyError(f"tier name {tier!r} clashes with a cell attribute")
    if len(set(tiers_t)) != len(tiers_t):
        raise GeographyError(f"tier names must be distinct: {list(tiers_t)}")
    return tiers_t


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


def _check_positive(name: str, value: float) -> None:
    """Raise :class:`GeographyError` unless ``value`` is a finite number > 0."""
    if not (isinstance(value, int | float | np.number) and math.isfinite(value) and value > 0):
        raise GeographyError(f"{name} must be a finite number > 0, got {value!r}")


def _check_nonnegative(name: str, value: float) -> None:
    """Raise :class:`GeographyError` unless ``value`` is a finite number ≥ 0."""
    if not (isinstance(value, int | float | np.number) and math.isfinite(value) and value >= 0):
        raise GeographyError(f"{name} must be a finite number ≥ 0, got {value!r}")


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
    """Households per cell: a constant, given values, or gamma draws (mean, CV); ints ≥ 1."""
    _check_nonnegative("households_cv", cv)
    if not isinstance(households_per_cell, int | float | np.number):
        values = np.asarray(households_per_cell, dtype=float)
        if values.shape != (n,) or not np.all(np.isfinite(values)) or np.any(values < 0):
            raise GeographyError(f"households_per_cell must be {n} numbers ≥ 0, one per cell")
        return np.rint(values).astype(np.int64)
    _check_positive("households_per_cell", households_per_cell)
    mean = float(households_per_cell)
    if cv == 0:
        return np.full(n, max(1, round(mean)), dtype=np.int64)
    if rng is None:
        raise GeographyError("households_cv > 0 needs an rng to draw households from")
    draws = rng.gamma(1.0 / cv**2, mean * cv**2, size=n)
    return np.maximum(1, np.rint(draws)).astype(np.int64)


def _cell_graph(
    tiers: tuple[str, ...],
    sizes: Sequence[int],
    households: np.ndarray,
    *,
    household_size: float,
    vulnerable_share: float,
    shops_per_cell: int,
    tourist_load: float,
    xy: np.ndarray,
) -> nx.Graph:
    """Return an edgeless graph of cells in hierarchy order carrying all node attributes."""
    _check_positive("household_size", household_size)
    _check_nonnegative("vulnerable_share", vulnerable_share)
    if vulnerable_share > 1:
        raise GeographyError(f"vulnerable_share must be in 0..1, got {vulnerable_share!r}")
    if isinstance(shops_per_cell, bool) or not isinstance(shops_per_cell, int | np.integer):
        raise GeographyError(f"shops_per_cell must be an integer, got {shops_per_cell!r}")
    _check_nonnegative("shops_per_cell", shops_per_cell)
    _check_nonnegative("tourist_load", tourist_load)
    ancestors = _hierarchy_ancestors(sizes)
    population = np.rint(households * float(household_size)).astype(np.int64)
    graph = nx.Graph()
    for cell in range(households.size):
        attrs: dict[str, Any] = {
            "households": int(households[cell]),
            "population": int(population[cell]),
            "vulnerable_share": float(vulnerable_share),
            "shops": int(shops_per_cell),
            "tourist_load": float(tourist_load),
            "x": float(xy[cell, 0]),
            "y": float(xy[cell, 1]),
        }
        attrs.update({tier: int(ancestors[k][cell]) for k, tier in enumerate(tiers)})
        graph.add_node(cell, **attrs)
    return graph


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


def _as_float(value: Any) -> float | None:
    """``value`` as a float, or ``None`` when it is not a number (booleans are not)."""
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _node_number(
    node: Any,
    data: dict[str, Any],
    key: str,
    default: Any,
    *,
    integer: bool = False,
    upper: float | None = None,
    signed: bool = False,
) -> Any:
    """Read the numeric node attribute ``key`` (or ``default``), checking its range.

    Integers must be whole and ≥ 0; floats finite, ≥ 0 and ≤ ``upper``, except that a
    ``signed`` value (a coordinate) may be negative or NaN (unknown).
    """
    if key not in data:
        return default
    number = _as_float(data[key])
    bad = number is None or not (math.isfinite(number) or (signed and math.isnan(number)))
    if not bad and number is not None and not math.isnan(number):
        bad = (
            (not signed and number < 0)
            or (upper is not None and number > upper)
            or (integer and number != round(number))
        )
    if bad or number is None:
        kind = "a whole number ≥ 0" if integer else "a finite number"
        if upper is not None:
            kind += f" in 0..{upper}"
        elif not signed and not integer:
            kind += " ≥ 0"
        raise GeographyError(f"node {node!r}: attribute {key!r} = {data[key]!r} must be {kind}")
    return round(number) if integer else number


def build_map(spec: MapSpec, rng: np.random.Generator) -> GridMap:
    """The map a scenario's ``map`` section describes, drawn with ``rng`` where random."""
    tiers = spec.tiers
    per_parent = [spec.per_parent[tier] for tier in tiers[1:]]
    cells = {
        "households_cv": spec.households_cv,
        "household_size": spec.household_size,
        "vulnerable_share": spec.vulnerable_share,
        "shops_per_cell": spec.shops_per_cell,
        "tourist_load": spec.tourist_load,
        "within_cell_travel_h": spec.within_cell_travel_h,
    }
    if spec.generator == "graphml":
        del cells["households_cv"]
        return load_graphml(
            spec.graphml, tiers, households_per_cell=round(spec.households_per_cell), **cells
        )
    if spec.generator == "random_geometric":
        return build_random_geometric(
            tiers,
            per_parent,
            spec.households_per_cell,
            rng=rng,
            radius_km=spec.radius_km,
            speed_kmh=spec.speed_kmh,
            **cells,
        )
    return build_lattice(
        tiers,
        per_parent,
        spec.households_per_cell,
        edge_travel_h=spec.edge_travel_h,
        rng=rng,
        **cells,
    )
