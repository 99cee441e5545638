"""The :class:`GridMap` data structure, its validation and the checks the builders share.

A map has 3 to 5 region *tiers*, top to bottom (e.g. ``city → street → community →
grid``). The bottom tier is the map cell: one node of an undirected ``networkx`` graph
whose edges carry the travel time ``travel_h`` (hours) between neighbouring cells. Every
region of every tier has an *office*, sitting in the region's most central cell, from
which staff travel to incidents.

Conventions used throughout the package:

* cells are labelled ``0 .. n_cells - 1``; regions of tier ``k`` are labelled
  ``0 .. region_counts[k] - 1``; tier 0 (the top) always has a single region;
* times are hours, distances and coordinates kilometres, tourist load visitors per day.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from govsim.errors import GovsimError

#: Python type of every node attribute a cell carries besides its tier indices.
_CELL_ATTRIBUTE_TYPES: dict[str, type] = {
    "households": int,
    "population": int,
    "vulnerable_share": float,
    "shops": int,
    "tourist_load": float,
    "x": float,
    "y": float,
}
#: Node attributes every cell carries besides its tier indices.
CELL_ATTRIBUTES = tuple(_CELL_ATTRIBUTE_TYPES)
_MIN_TIERS, _MAX_TIERS = 3, 5


class GeographyError(GovsimError, ValueError):
    """A map is invalid: bad tiers, a disconnected graph, or a GraphML file that does not fit.

    The message names the offending node, edge or attribute.
    """


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
    with exactly one parent) and the shapes, raising :class:`GeographyError`. It does not
    check that the offices are the most central cells or that the travel times are
    shortest paths; the builders compute both (see ``govsim.world.geography.offices``).
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
        n = _check_cells(self.graph)
        _check_one_entry_per_tier(
            {
                "ancestors": self.ancestors,
                "region_counts": self.region_counts,
                "office_cells": self.office_cells,
                "travel_from_office": self.travel_from_office,
            },
            len(tiers),
        )
        counts = tuple(int(c) for c in self.region_counts)
        ancestors = _normalise_ancestors(self.ancestors, tiers, counts, n)
        parents = _parent_regions(ancestors, tiers)
        values: dict[str, Any] = {
            "tiers": tiers,
            "ancestors": ancestors,
            "region_counts": counts,
            "office_cells": _normalise_offices(self.office_cells, ancestors, counts, n),
            "travel_from_office": _normalise_travel(self.travel_from_office, counts, n),
            "within_cell_travel_h": float(self.within_cell_travel_h),
        }
        if self.names is not None:
            values["names"] = _normalise_names(self.names, counts)
        values["_cell_order"], values["_cell_starts"] = _cells_by_region(ancestors, counts)
        values["_parents"] = parents
        values["_children"] = _child_regions(parents, counts)
        for attribute in ("households", "population"):
            values[f"_{attribute}"] = _readonly(
                [self.graph.nodes[cell][attribute] for cell in range(n)], np.int64
            )
        for name, value in values.items():
            object.__setattr__(self, name, value)

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

    def cell_values(self, attribute: str) -> np.ndarray:
        """One cell attribute (e.g. ``"shops"``, ``"tourist_load"``) as an array over cells."""
        if attribute not in CELL_ATTRIBUTES:
            raise KeyError(f"no cell attribute {attribute!r}; known: {list(CELL_ATTRIBUTES)}")
        return np.array([self.graph.nodes[c][attribute] for c in range(self.n_cells)])

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
        inside the cell (``within_cell_travel_h``); at the bottom tier (``k`` equal to
        ``n_tiers - 1`` or ``-1``), just the walk. Raises ``IndexError`` for a bad cell.
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
# GridMap validation and normalisation
# ---------------------------------------------------------------------------------------


def _check_cells(graph: nx.Graph) -> int:
    """Check the nodes are ``0..n-1`` and carry every cell attribute; return ``n``."""
    n = graph.number_of_nodes()
    if n == 0:
        raise GeographyError("the map has no cells")
    if set(graph.nodes) != set(range(n)):
        raise GeographyError(f"graph nodes must be the integers 0..{n - 1}")
    for cell, data in graph.nodes(data=True):
        missing = [a for a in CELL_ATTRIBUTES if a not in data]
        if missing:
            raise GeographyError(f"cell {cell}: missing node attributes {missing}")
    return n


def _check_one_entry_per_tier(fields: Mapping[str, Sequence[Any]], n_tiers: int) -> None:
    """Check every per-tier field (given by name) has exactly ``n_tiers`` entries."""
    for name, values in fields.items():
        if len(values) != n_tiers:
            raise GeographyError(f"{name} needs one entry per tier ({n_tiers})")


def _normalise_ancestors(
    ancestors: Sequence[Any], tiers: tuple[str, ...], counts: tuple[int, ...], n: int
) -> tuple[np.ndarray, ...]:
    """Return ``ancestors`` as read-only int arrays after checking they form region tiers.

    Each tier must map all ``n`` cells onto regions ``0..counts[k] - 1``, leaving none
    empty; the top tier must be one region and the bottom tier the cells themselves.
    """
    arrays = tuple(_readonly(a, np.int64) for a in ancestors)
    for k, (anc, count) in enumerate(zip(arrays, counts, strict=True)):
        if anc.shape != (n,) or anc.min() < 0 or anc.max() >= count:
            raise GeographyError(f"ancestors[{k}] must hold {n} region indices in 0..{count - 1}")
        if np.any(np.bincount(anc, minlength=count) == 0):
            raise GeographyError(f"tier {tiers[k]!r} has a region without cells")
    if counts[0] != 1:
        raise GeographyError(f"the top tier {tiers[0]!r} must be a single region")
    if not np.array_equal(arrays[-1], np.arange(n)):
        raise GeographyError(f"the bottom tier {tiers[-1]!r} must be the cells themselves")
    return arrays


def _parent_regions(
    ancestors: tuple[np.ndarray, ...], tiers: tuple[str, ...]
) -> tuple[np.ndarray, ...]:
    """Per tier, the parent (at tier ``k - 1``) of each region; the top tier gets an empty array.

    Raises :class:`GeographyError` naming the first cell of a region that lies in more
    than one parent.
    """
    parents = [np.zeros(0, dtype=np.int64)]
    for k in range(1, len(tiers)):
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
    return tuple(parents)


def _normalise_offices(
    office_cells: Sequence[Any], ancestors: tuple[np.ndarray, ...], counts: tuple[int, ...], n: int
) -> tuple[np.ndarray, ...]:
    """Return ``office_cells`` as read-only int arrays, checking each office is in its region."""
    offices = tuple(_readonly(o, np.int64) for o in office_cells)
    for k, (off, count) in enumerate(zip(offices, counts, strict=True)):
        if (
            off.shape != (count,)
            or off.min() < 0
            or off.max() >= n
            or not np.array_equal(ancestors[k][off], np.arange(count))
        ):
            raise GeographyError(f"office_cells[{k}] must give a cell inside each region")
    return offices


def _normalise_travel(
    travel_from_office: Sequence[Any], counts: tuple[int, ...], n: int
) -> tuple[np.ndarray, ...]:
    """Return ``travel_from_office`` as read-only float arrays after checking their shapes."""
    travel = tuple(_readonly(t, np.float64) for t in travel_from_office)
    for k in range(len(counts) - 1):
        if travel[k].shape != (counts[k], n):
            raise GeographyError(f"travel_from_office[{k}] must have shape ({counts[k]}, {n})")
    if travel[-1].shape != (n,):
        raise GeographyError(f"travel_from_office[{len(counts) - 1}] must have shape ({n},)")
    return travel


def _normalise_names(
    names: Sequence[Sequence[Any]], counts: tuple[int, ...]
) -> tuple[tuple[str, ...], ...]:
    """Return the region names as tuples of strings, checking one distinct name per region."""
    as_text = tuple(tuple(str(s) for s in tier_names) for tier_names in names)
    if len(as_text) != len(counts) or any(
        len(tn) != c or len(set(tn)) != c for tn, c in zip(as_text, counts, strict=True)
    ):
        raise GeographyError("names must give one distinct name per region of each tier")
    return as_text


def _cells_by_region(
    ancestors: tuple[np.ndarray, ...], counts: tuple[int, ...]
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """Per tier, the cells sorted by region and where each region's run starts.

    The cells of region ``r`` at tier ``k`` are ``order[k][starts[k][r]:starts[k][r + 1]]``
    (ascending, as the sort is stable). All arrays are read-only.
    """
    orders, starts = [], []
    for anc, count in zip(ancestors, counts, strict=True):
        order = np.argsort(anc, kind="stable")
        orders.append(_readonly(order, np.int64))
        starts.append(_readonly(np.searchsorted(anc[order], np.arange(count + 1)), np.int64))
    return tuple(orders), tuple(starts)


def _child_regions(
    parents: tuple[np.ndarray, ...], counts: tuple[int, ...]
) -> tuple[tuple[np.ndarray, ...], ...]:
    """Per tier and region, the ascending read-only array of its sub-regions' indices.

    Every region of the bottom tier gets the same empty array.
    """
    children: list[tuple[np.ndarray, ...]] = []
    for k in range(len(counts) - 1):
        kids = parents[k + 1]
        order = np.argsort(kids, kind="stable")
        bounds = np.searchsorted(kids[order], np.arange(counts[k] + 1))
        children.append(
            tuple(_readonly(order[bounds[r] : bounds[r + 1]], np.int64) for r in range(counts[k]))
        )
    children.append((_readonly([], np.int64),) * counts[-1])
    return tuple(children)


# ---------------------------------------------------------------------------------------
# Helpers shared by the builders
# ---------------------------------------------------------------------------------------


def _readonly(values: Any, dtype: type[np.generic]) -> np.ndarray:
    """Return a read-only copy of ``values`` as an array of ``dtype``."""
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array


def _typed_cell_attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the cell attributes of ``values``, in :data:`CELL_ATTRIBUTES` order, as int/float."""
    return {name: kind(values[name]) for name, kind in _CELL_ATTRIBUTE_TYPES.items()}


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


def _check_positive(name: str, value: float) -> None:
    """Raise :class:`GeographyError` unless ``value`` is a finite number > 0."""
    if not (isinstance(value, int | float | np.number) and math.isfinite(value) and value > 0):
        raise GeographyError(f"{name} must be a finite number > 0, got {value!r}")


def _check_nonnegative(name: str, value: float) -> None:
    """Raise :class:`GeographyError` unless ``value`` is a finite number ≥ 0."""
    if not (isinstance(value, int | float | np.number) and math.isfinite(value) and value >= 0):
        raise GeographyError(f"{name} must be a finite number ≥ 0, got {value!r}")
