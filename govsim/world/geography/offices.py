"""Offices and travel times: turn a cell graph and its region tiers into a :class:`GridMap`.

Every region's office sits in its most central cell: the one with the least total
shortest-path travel time to the region's cells. Totals within :data:`OFFICE_TIE_RTOL`
× max(1, least total) of the least count as ties, won by the lowest cell id.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from govsim.world.geography.gridmap import GeographyError, GridMap, _check_nonnegative

#: Relative tolerance under which two total travel times count as a tie for an office.
OFFICE_TIE_RTOL = 1e-9
#: Number of matrix cells (sources × targets) per all-pairs Dijkstra chunk (~32 MB).
_CHUNK_ENTRIES = 1 << 22


def _assemble(
    tiers: tuple[str, ...],
    graph: nx.Graph,
    ancestors: Sequence[np.ndarray],
    within_cell_travel_h: float,
    *,
    names: tuple[tuple[str, ...], ...] | None = None,
) -> GridMap:
    """Check connectivity, place every office and compute travel times; return the map.

    ``graph`` must hold cells ``0..n-1`` with all node attributes and edge ``travel_h``;
    ``ancestors[k][cell]`` is the cell's region at tier ``k``, regions numbered from 0.
    """
    _check_nonnegative("within_cell_travel_h", within_cell_travel_h)
    n = graph.number_of_nodes()
    n_components = nx.number_connected_components(graph)
    if n_components != 1:
        raise GeographyError(f"the map graph is not connected: it has {n_components} components")
    ancestors = tuple(np.asarray(a, dtype=np.int64) for a in ancestors)
    counts = tuple(int(a.max()) + 1 for a in ancestors)
    adjacency = travel_adjacency(graph)
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


def travel_adjacency(graph: nx.Graph) -> csr_array:
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
    """Per region, the cell with the least total; near ties (module docstring) → lowest id."""
    best = np.full(count, np.inf)
    np.minimum.at(best, ancestors, totals)
    near = totals <= best[ancestors] + OFFICE_TIE_RTOL * np.maximum(1.0, best[ancestors])
    cells = np.arange(totals.size)
    office = np.full(count, totals.size, dtype=np.int64)
    np.minimum.at(office, ancestors[near], cells[near])
    return office
