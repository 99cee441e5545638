"""Maps in GraphML files: :func:`load_graphml` and its inverse :func:`save_graphml`."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import networkx as nx
import numpy as np

from govsim.world.geography.gridmap import (
    GeographyError,
    GridMap,
    _check_tiers,
    _typed_cell_attributes,
)
from govsim.world.geography.offices import _assemble


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
    raw = _read_graphml(path)
    nodes = list(raw.nodes)
    graph, ancestors, names = cells_graph(
        raw,
        nodes,
        tiers_t,
        households_per_cell=households_per_cell,
        household_size=household_size,
        vulnerable_share=vulnerable_share,
        shops_per_cell=shops_per_cell,
        tourist_load=tourist_load,
    )
    for (i, j), hours in _edge_hours(raw, nodes):
        graph.add_edge(i, j, travel_h=hours)
    if within_cell_travel_h is None:
        within_cell_travel_h = _file_within_cell_travel_h(raw)
    return _assemble(tiers_t, graph, tuple(ancestors), within_cell_travel_h, names=names)


def save_graphml(grid_map: GridMap, path: str | Path) -> None:
    """Write ``grid_map`` to a GraphML file that :func:`load_graphml` reads back identically.

    Nodes are written as ``0..n-1`` with the cell attributes; each tier attribute holds the
    region's name (see :meth:`GridMap.region_name`); edges carry ``travel_h``; graph
    attributes ``tiers`` (comma-separated) and ``within_cell_travel_h``. Round trips are
    exact when regions are numbered in order of first appearance over the cells, as every
    builder in this package does.
    """
    out = nx.Graph()
    out.graph["tiers"] = ",".join(grid_map.tiers)
    out.graph["within_cell_travel_h"] = float(grid_map.within_cell_travel_h)
    nodes = grid_map.graph.nodes
    for cell in range(grid_map.n_cells):
        attrs = _typed_cell_attributes(nodes[cell])
        for k, tier in enumerate(grid_map.tiers):
            attrs[tier] = grid_map.region_name(k, int(grid_map.ancestors[k][cell]))
        out.add_node(cell, **attrs)
    for u, v, data in sorted(grid_map.graph.edges(data=True)):
        out.add_edge(min(u, v), max(u, v), travel_h=float(data["travel_h"]))
    nx.write_graphml(out, str(path))


# ---------------------------------------------------------------------------------------
# Reading the parts of a file
# ---------------------------------------------------------------------------------------


def _read_graphml(path: str | Path) -> nx.Graph:
    """Read the raw graph of a GraphML file, which must have at least one node."""
    try:
        raw = nx.read_graphml(str(path))
    except (OSError, ParseError, nx.NetworkXError, ValueError) as exc:  # ValueError: a
        # value that does not parse as its declared attr.type (text in a `long`)
        raise GeographyError(f"cannot read GraphML file {str(path)!r}: {exc}") from exc
    if raw.number_of_nodes() == 0:
        raise GeographyError(f"GraphML file {str(path)!r} has no nodes")
    return raw


def _region_indices(
    raw: nx.Graph, nodes: Sequence[Any], tiers: tuple[str, ...]
) -> tuple[np.ndarray, list[list[Hashable]]]:
    """Turn the nodes' tier labels into region indices, checking the nesting.

    Returns ``ancestors`` (shape ``(n_tiers, n_nodes)``: the region index of each node,
    in ``nodes`` order, per tier) and, per tier, the labels in index order.
    """
    n_tiers = len(tiers)
    index_of: list[dict[Hashable, int]] = [{} for _ in tiers]
    first_node: list[list[Any]] = [[] for _ in tiers]
    parent_of: list[list[int]] = [[] for _ in tiers]
    ancestors = np.zeros((n_tiers, len(nodes)), dtype=np.int64)
    for i, node in enumerate(nodes):
        data = raw.nodes[node]
        for k, tier in enumerate(tiers):
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
                    f"{tiers[k - 1]} {labels_above[int(ancestors[k - 1, i])]!r}, but node "
                    f"{first_node[k][r]!r} puts {tier} {label!r} in {tiers[k - 1]} "
                    f"{labels_above[parent_of[k][r]]!r} (a region must have one parent)"
                )
            ancestors[k, i] = r
    if len(index_of[0]) != 1:
        raise GeographyError(
            f"node {first_node[0][1]!r}: top tier {tiers[0]!r} must have a single label, "
            f"found {len(index_of[0])}"
        )
    return ancestors, [list(index) for index in index_of]


def cells_graph(
    raw: nx.Graph, nodes: Sequence[Any], tiers: tuple[str, ...], **defaults: Any
) -> tuple[nx.Graph, np.ndarray, tuple[tuple[str, ...], ...]]:
    """The cells a map file describes, before their edges: a graph on cells ``0..n-1`` (in
    ``nodes`` order) with the cell attributes (``defaults`` fill gaps, see
    ``_cell_attributes``) and each tier's region index; the ancestors array (tiers × cells)
    and the region names per tier."""
    ancestors, labels = _region_indices(raw, nodes, tiers)
    graph = nx.Graph()
    for i, node in enumerate(nodes):
        attrs = _cell_attributes(node, raw.nodes[node], **defaults)
        attrs.update({tier: int(ancestors[k, i]) for k, tier in enumerate(tiers)})
        graph.add_node(i, **attrs)
    names = tuple(tuple(str(label) for label in tier_labels) for tier_labels in labels)
    return graph, ancestors, names


def _cell_attributes(
    node: Any,
    data: dict[str, Any],
    *,
    households_per_cell: int,
    household_size: float,
    vulnerable_share: float,
    shops_per_cell: int,
    tourist_load: float,
) -> dict[str, Any]:
    """The cell attributes of ``node`` from its GraphML ``data``, defaults filling gaps."""
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
    return {
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


def _edge_hours(raw: nx.Graph, nodes: Sequence[Any]) -> list[tuple[tuple[int, int], float]]:
    """The sorted ``((i, j), travel_h)`` of the undirected edges between cells ``i < j``.

    Cells are positions in ``nodes``; of several edges between two cells the shortest
    time wins, and self-loops are dropped.
    """
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
    return sorted(travel.items())


def _file_within_cell_travel_h(raw: nx.Graph) -> float:
    """The file's graph attribute ``within_cell_travel_h``, else 0.05 (hours)."""
    within = _as_float(raw.graph.get("within_cell_travel_h", 0.05))
    if within is None:
        raise GeographyError("graph attribute 'within_cell_travel_h' must be a number")
    return within


# ---------------------------------------------------------------------------------------
# Numbers in attributes
# ---------------------------------------------------------------------------------------


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
    if number is None or not (
        (signed and math.isnan(number))
        or (
            math.isfinite(number)
            and (signed or number >= 0)
            and (upper is None or number <= upper)
            and (not integer or number == round(number))
        )
    ):
        kind = "a whole number ≥ 0" if integer else "a finite number"
        if upper is not None:
            kind += f" in 0..{upper}"
        elif not signed and not integer:
            kind += " ≥ 0"
        raise GeographyError(f"node {node!r}: attribute {key!r} = {data[key]!r} must be {kind}")
    return round(number) if integer else number
