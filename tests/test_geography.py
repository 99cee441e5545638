"""Tests of the grid map: nesting, layout, offices, travel times, builders and GraphML."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import govsim.world.geography
from govsim.engine.model import GovernanceModel
from govsim.errors import GovsimError
from govsim.world.geography import (
    CELL_ATTRIBUTES,
    GeographyError,
    GridMap,
    build_lattice,
    build_map,
    build_random_geometric,
    load_graphml,
    save_graphml,
    scenario_map,
)
from govsim.world.scenario import MapSpec, load_scenario
from tests.support import DEMO

TIERS4 = ("city", "street", "community", "grid")
TIERS5 = ("city", "district", "street", "community", "grid")


def assert_nesting(m: GridMap) -> None:
    """Check that ancestors, parent, children, cells_of and node attributes agree."""
    n = m.n_cells
    assert np.array_equal(m.ancestors[0], np.zeros(n))
    assert np.array_equal(m.ancestors[-1], np.arange(n))
    for k, tier in enumerate(m.tiers):
        assert [m.graph.nodes[c][tier] for c in range(n)] == m.ancestors[k].tolist()
        assert sorted(set(m.ancestors[k].tolist())) == list(range(m.region_counts[k]))
        covered = np.concatenate([m.cells_of(k, r) for r in range(m.region_counts[k])])
        assert sorted(covered.tolist()) == list(range(n))
        for r in range(m.region_counts[k]):
            cells = m.cells_of(k, r)
            assert cells.tolist() == np.flatnonzero(m.ancestors[k] == r).tolist()
            if k > 0:
                parents = set(m.ancestors[k - 1][cells].tolist())
                assert parents == {m.parent(k, r)}
                assert r in m.children(k - 1, m.parent(k, r)).tolist()
            if k < m.n_tiers - 1:
                kids = m.children(k, r)
                assert sorted(set(m.ancestors[k + 1][cells].tolist())) == kids.tolist()
                for child in kids:
                    assert m.parent(k + 1, int(child)) == r
            else:
                assert m.children(k, r).size == 0


def assert_same_map(a: GridMap, b: GridMap) -> None:
    """Check that two maps have identical tiers, cells, edges, regions, offices and times."""
    assert a.tiers == b.tiers
    assert a.region_counts == b.region_counts
    assert a.within_cell_travel_h == b.within_cell_travel_h
    assert dict(a.graph.nodes(data=True)) == dict(b.graph.nodes(data=True))
    assert sorted(a.graph.edges(data="travel_h")) == sorted(b.graph.edges(data="travel_h"))
    for k in range(a.n_tiers):
        assert np.array_equal(a.ancestors[k], b.ancestors[k])
        assert np.array_equal(a.office_cells[k], b.office_cells[k])
        assert np.array_equal(a.travel_from_office[k], b.travel_from_office[k])
        names_a = [a.region_name(k, r) for r in range(a.region_counts[k])]
        assert names_a == [b.region_name(k, r) for r in range(b.region_counts[k])]


def brute_force_offices(m: GridMap) -> None:
    """Check each office is the lowest-id minimiser of total travel time within its region."""
    dist = dict(nx.all_pairs_dijkstra_path_length(m.graph, weight="travel_h"))
    for k in range(m.n_tiers):
        for r in range(m.region_counts[k]):
            cells = m.cells_of(k, r).tolist()
            totals = {c: sum(dist[c][d] for d in cells) for c in cells}
            best = min(totals.values())
            winners = [c for c in cells if totals[c] <= best + 1e-9 * max(1.0, best)]
            assert int(m.office_cells[k][r]) == min(winners)
            assert totals[int(m.office_cells[k][r])] == pytest.approx(best)


# --- nesting and counts -----------------------------------------------------------------


def test_lattice_nesting_and_counts_4_tiers() -> None:
    m = build_lattice(TIERS4, [1, 4, 6], 800)
    assert m.n_cells == 24
    assert m.region_counts == (1, 1, 4, 24)
    assert m.ancestors[2].tolist() == [c // 6 for c in range(24)]
    assert m.cells_of(2, 3).tolist() == [18, 19, 20, 21, 22, 23]
    assert m.children(1, 0).tolist() == [0, 1, 2, 3]
    assert m.parent(3, 13) == 2
    assert m.region_name(2, 3) == "community 3"
    assert m.tier_index("community") == 2
    assert m.households.tolist() == [800] * 24
    assert m.population.tolist() == [2240] * 24
    node = m.graph.nodes[7]
    assert (node["vulnerable_share"], node["shops"], node["tourist_load"]) == (0.1, 0, 0.0)
    assert_nesting(m)


def test_lattice_nesting_and_counts_5_tiers() -> None:
    m = build_lattice(TIERS5, [2, 3, 2, 3], 500, household_size=2.0, shops_per_cell=4)
    assert m.n_cells == 36
    assert m.region_counts == (1, 2, 6, 12, 36)
    assert m.ancestors[1].tolist() == [c // 18 for c in range(36)]
    assert m.children(0, 0).tolist() == [0, 1]
    assert m.children(2, 5).tolist() == [10, 11]
    assert m.population.tolist() == [1000] * 36
    assert all(m.graph.nodes[c]["shops"] == 4 for c in range(36))
    assert_nesting(m)


def test_region_queries_reject_bad_indices() -> None:
    m = build_lattice(TIERS4, [1, 4, 6], 800)
    with pytest.raises(ValueError, match="no parent"):
        m.parent(0, 0)
    with pytest.raises(IndexError):
        m.cells_of(2, 4)
    with pytest.raises(IndexError):
        m.children(4, 0)
    with pytest.raises(KeyError):
        m.tier_index("village")
    assert not m.ancestors[2].flags.writeable
    assert not m.children(3, 0).flags.writeable


# --- lattice layout ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tiers", "sizes"),
    [
        (TIERS4, [1, 4, 6]),
        (TIERS4, [3, 5, 7]),
        (TIERS4, [2, 7, 5]),
        (TIERS5, [2, 3, 5, 3]),
        (("city", "street", "grid"), [1, 11]),
    ],
)
def test_lattice_regions_are_contiguous(tiers: tuple[str, ...], sizes: list[int]) -> None:
    m = build_lattice(tiers, sizes, 300, edge_travel_h=0.2)
    assert m.n_cells == math.prod(sizes)
    positions = {(m.graph.nodes[c]["x"], m.graph.nodes[c]["y"]) for c in range(m.n_cells)}
    assert len(positions) == m.n_cells
    for u, v, hours in m.graph.edges(data="travel_h"):
        a, b = m.graph.nodes[u], m.graph.nodes[v]
        assert abs(a["x"] - b["x"]) + abs(a["y"] - b["y"]) == pytest.approx(0.5)
        assert hours == 0.2
    for u in range(m.n_cells):  # every touching pair of cells is linked
        for v in range(u + 1, m.n_cells):
            a, b = m.graph.nodes[u], m.graph.nodes[v]
            touching = math.isclose(abs(a["x"] - b["x"]) + abs(a["y"] - b["y"]), 0.5)
            assert touching == m.graph.has_edge(u, v)
    for k in range(m.n_tiers):
        for r in range(m.region_counts[k]):
            sub = m.graph.subgraph(m.cells_of(k, r).tolist())
            assert nx.is_connected(sub), (m.tiers[k], r)
    assert_nesting(m)


def test_lattice_households_from_gamma() -> None:
    m = build_lattice(TIERS4, [1, 10, 30], 400, households_cv=0.5, rng=np.random.default_rng(3))
    h = m.households
    assert h.dtype.kind == "i" and h.min() >= 1
    assert len(set(h.tolist())) > 50
    assert h.mean() == pytest.approx(400, rel=0.1)
    assert h.std() / h.mean() == pytest.approx(0.5, rel=0.2)
    assert m.population.tolist() == np.rint(h * 2.8).astype(int).tolist()
    with pytest.raises(GeographyError, match="rng"):
        build_lattice(TIERS4, [1, 2, 2], 400, households_cv=0.5)


def test_lattice_households_per_cell_sequence() -> None:
    m = build_lattice(TIERS4, [1, 2, 2], [10, 20, 30, 40], household_size=1.5)
    assert m.households.tolist() == [10, 20, 30, 40]
    assert m.population.tolist() == [15, 30, 45, 60]


# --- offices and travel -----------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: build_lattice(TIERS4, [1, 4, 6], 800),
        lambda: build_lattice(TIERS5, [2, 3, 2, 3], 800, edge_travel_h=0.25),
        lambda: build_random_geometric(TIERS4, [2, 3, 8], rng=np.random.default_rng(5)),
    ],
)
def test_office_is_most_central_cell(make: Callable[[], GridMap]) -> None:
    m = make()
    brute_force_offices(m)
    assert m.office_cells[-1].tolist() == list(range(m.n_cells))


def test_lattice_office_positions() -> None:
    m = build_lattice(TIERS4, [1, 4, 6], 800)
    # a 2 × 3 community block: the middle row is the most central, the lower id wins
    assert m.office_cells[2].tolist() == [2, 8, 14, 20]
    assert m.office_cells[0].tolist() == m.office_cells[1].tolist() == [5]


@pytest.mark.parametrize("seed", [1, 2])
def test_travel_from_office_matches_networkx(seed: int) -> None:
    m = build_random_geometric(TIERS5, [2, 2, 3, 5], rng=np.random.default_rng(seed))
    for k in range(m.n_tiers - 1):
        assert m.travel_from_office[k].shape == (m.region_counts[k], m.n_cells)
        for r in range(m.region_counts[k]):
            office = int(m.office_cells[k][r])
            lengths = nx.single_source_dijkstra_path_length(m.graph, office, weight="travel_h")
            expected = [lengths[c] for c in range(m.n_cells)]
            np.testing.assert_allclose(m.travel_from_office[k][r], expected, rtol=1e-12)
            assert m.travel_from_office[k][r, office] == 0.0
    bottom = m.travel_from_office[-1]
    assert bottom.shape == (m.n_cells,)
    assert np.all(bottom == m.within_cell_travel_h)
    cell = 17
    street = int(m.ancestors[2][cell])
    assert m.office_travel_h(2, cell) == pytest.approx(
        m.travel_from_office[2][street, cell] + m.within_cell_travel_h
    )
    assert m.office_travel_h(4, cell) == m.within_cell_travel_h


def test_zero_edge_travel_is_an_edge() -> None:
    m = build_lattice(TIERS4, [1, 2, 3], 100, edge_travel_h=0.0, within_cell_travel_h=0.0)
    assert np.all(m.travel_from_office[0] == 0.0)
    assert m.office_cells[0].tolist() == [0]


# --- random geometric -------------------------------------------------------------------


def test_random_geometric_is_connected_and_nested() -> None:
    m = build_random_geometric(
        TIERS4, [1, 5, 12], rng=np.random.default_rng(11), radius_km=0.3, speed_kmh=10.0
    )
    assert m.n_cells == 60
    assert nx.is_connected(m.graph)
    sparse = nx.random_geometric_graph(
        60, 0.3, pos={c: (m.graph.nodes[c]["x"], m.graph.nodes[c]["y"]) for c in range(60)}
    )
    assert nx.number_connected_components(sparse) > 1  # the joining step was needed
    for u, v, hours in m.graph.edges(data="travel_h"):
        a, b = m.graph.nodes[u], m.graph.nodes[v]
        assert hours == pytest.approx(math.hypot(a["x"] - b["x"], a["y"] - b["y"]) / 10.0)
    side = math.sqrt(0.25 * 60)
    xs = [m.graph.nodes[c]["x"] for c in range(60)]
    assert min(xs) >= 0 and max(xs) <= side
    assert [m.cells_of(2, r).size for r in range(5)] == [12] * 5
    assert_nesting(m)


def test_random_geometric_regions_are_compact() -> None:
    m = build_random_geometric(TIERS4, [1, 4, 25], rng=np.random.default_rng(2))
    xy = np.array([[m.graph.nodes[c]["x"], m.graph.nodes[c]["y"]] for c in range(100)])
    spread_regions = np.mean([xy[m.cells_of(2, r)].std(axis=0).sum() for r in range(4)])
    assert spread_regions < 0.75 * xy.std(axis=0).sum()


# --- reproducibility --------------------------------------------------------------------


def test_same_seed_same_map_other_seed_other_map() -> None:
    def lattice(seed: int) -> GridMap:
        rng = np.random.default_rng(seed)
        return build_lattice(TIERS4, [1, 3, 8], 600, households_cv=0.4, rng=rng)

    def geometric(seed: int) -> GridMap:
        return build_random_geometric(
            TIERS4, [1, 3, 8], 600, households_cv=0.4, rng=np.random.default_rng(seed)
        )

    for make in (lattice, geometric):
        assert_same_map(make(7), make(7))
        a, b = make(7), make(8)
        assert a.households.tolist() != b.households.tolist()
    a, b = geometric(7), geometric(8)
    assert sorted(a.graph.edges) != sorted(b.graph.edges)
    assert a.graph.nodes[0]["x"] != b.graph.nodes[0]["x"]


# --- GraphML ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: build_lattice(
            TIERS4,
            [1, 4, 6],
            700,
            households_cv=0.3,
            rng=np.random.default_rng(1),
            tourist_load=12.5,
        ),
        lambda: build_random_geometric(
            TIERS5,
            [2, 2, 3, 4],
            rng=np.random.default_rng(4),
            within_cell_travel_h=0.07,
            vulnerable_share=0.2,
        ),
    ],
)
def test_graphml_round_trip(make: Callable[[], GridMap], tmp_path: Path) -> None:
    m = make()
    path = tmp_path / "map.graphml"
    save_graphml(m, path)
    back = load_graphml(path, m.tiers)
    assert_same_map(m, back)
    assert_nesting(back)


def _write(tmp_path: Path, graph: nx.Graph) -> Path:
    path = tmp_path / "in.graphml"
    nx.write_graphml(graph, str(path))
    return path


def _small_graph() -> nx.Graph:
    """Four cells: two communities (A: a, b; B: c, d) in one street of one city."""
    g = nx.Graph()
    for node, community in zip("abcd", "AABB", strict=True):
        g.add_node(node, city="C", street="S", community=community, grid=f"g-{node}")
    g.add_edge("a", "b", travel_h=0.1)
    g.add_edge("b", "c", travel_h=0.3)
    g.add_edge("c", "d", travel_h=0.2)
    return g


def test_graphml_labels_and_defaults(tmp_path: Path) -> None:
    g = _small_graph()
    g.nodes["c"]["households"] = 50
    g.nodes["d"]["population"] = 280
    m = load_graphml(_write(tmp_path, g), TIERS4, households_per_cell=100, household_size=2.8)
    assert m.region_counts == (1, 1, 2, 4)
    assert m.ancestors[2].tolist() == [0, 0, 1, 1]
    assert m.region_name(2, 1) == "B"
    assert m.region_name(3, 2) == "g-c"
    assert m.households.tolist() == [100, 100, 50, 100]
    assert m.population.tolist() == [280, 280, 140, 280]
    assert math.isnan(m.graph.nodes[0]["x"])
    assert m.within_cell_travel_h == 0.05
    assert m.office_cells[2].tolist() == [0, 2]  # ties → lowest id
    assert m.office_cells[0].tolist() == [1]
    assert m.travel_from_office[0][0].tolist() == pytest.approx([0.1, 0.0, 0.3, 0.5])
    assert_nesting(m)


def test_graphml_missing_tier_attribute(tmp_path: Path) -> None:
    g = _small_graph()
    del g.nodes["c"]["community"]
    with pytest.raises(GeographyError, match=r"node 'c'.*'community'"):
        load_graphml(_write(tmp_path, g), TIERS4)


def test_graphml_inconsistent_nesting(tmp_path: Path) -> None:
    g = _small_graph()
    g.nodes["b"]["street"] = "T"  # community A now lies in streets S and T
    with pytest.raises(GeographyError, match=r"node 'b'.*'community'.*one parent"):
        load_graphml(_write(tmp_path, g), TIERS4)


def test_graphml_missing_travel_h(tmp_path: Path) -> None:
    g = _small_graph()
    g.add_edge("a", "d")
    with pytest.raises(GeographyError, match=r"edge \('a', 'd'\).*'travel_h'"):
        load_graphml(_write(tmp_path, g), TIERS4)


def test_graphml_other_errors(tmp_path: Path) -> None:
    g = _small_graph()
    g.nodes["d"]["grid"] = "g-a"
    with pytest.raises(GeographyError, match=r"node 'd'.*'grid'.*node 'a'"):
        load_graphml(_write(tmp_path, g), TIERS4)
    g = _small_graph()
    g.nodes["b"]["vulnerable_share"] = 1.5
    with pytest.raises(GeographyError, match=r"node 'b'.*'vulnerable_share'"):
        load_graphml(_write(tmp_path, g), TIERS4)
    g = _small_graph()
    g.remove_edge("b", "c")
    with pytest.raises(GeographyError, match="2 components"):
        load_graphml(_write(tmp_path, g), TIERS4)
    g = _small_graph()
    g.edges["a", "b"]["travel_h"] = -1.0
    with pytest.raises(GeographyError, match=r"edge \('a', 'b'\)"):
        load_graphml(_write(tmp_path, g), TIERS4)
    with pytest.raises(GeographyError, match="cannot read"):
        load_graphml(tmp_path / "missing.graphml", TIERS4)


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tiers",
    [("city", "grid"), ("a", "b", "c", "d", "e", "f"), ("city", "city", "grid"), "abc"],
)
def test_bad_tiers_raise(tiers: Sequence[str]) -> None:
    sizes = [2] * max(1, len(tiers) - 1)
    with pytest.raises(GeographyError):
        build_lattice(tiers, sizes, 100)
    with pytest.raises(GeographyError):
        build_random_geometric(tiers, sizes, rng=np.random.default_rng(0))


def test_bad_children_and_parameters_raise(tmp_path: Path) -> None:
    with pytest.raises(GeographyError, match="3 entries"):
        build_lattice(TIERS4, [1, 4], 100)
    with pytest.raises(GeographyError, match="'community'"):
        build_lattice(TIERS4, [1, 0, 6], 100)
    with pytest.raises(GeographyError, match="vulnerable_share"):
        build_lattice(TIERS4, [1, 2, 2], 100, vulnerable_share=1.2)
    with pytest.raises(GeographyError, match="clashes"):
        build_lattice(("city", "households", "grid"), [1, 2], 100)
    with pytest.raises(GeographyError, match="5 tiers"):
        load_graphml(tmp_path / "x.graphml", ("a", "b"))
    assert issubclass(GeographyError, ValueError)
    assert issubclass(GeographyError, GovsimError)
    assert "households" in CELL_ATTRIBUTES


def test_gridmap_validates_its_fields() -> None:
    m = build_lattice(TIERS4, [2, 2, 2], 100)
    fields = {
        "tiers": m.tiers,
        "graph": m.graph,
        "ancestors": m.ancestors,
        "region_counts": m.region_counts,
        "office_cells": m.office_cells,
        "travel_from_office": m.travel_from_office,
        "within_cell_travel_h": m.within_cell_travel_h,
    }
    assert GridMap(**fields).office_cells[0].tolist() == m.office_cells[0].tolist()
    bad_nesting = (m.ancestors[0], m.ancestors[1], np.arange(8) % 4, m.ancestors[3])
    with pytest.raises(GeographyError, match="cell 4: community 0 lies in more than one street"):
        GridMap(**{**fields, "ancestors": bad_nesting})
    with pytest.raises(GeographyError, match="office_cells"):
        GridMap(**{**fields, "office_cells": (m.office_cells[0],) * 4})
    graph = m.graph.copy()
    del graph.nodes[2]["households"]
    with pytest.raises(GeographyError, match="cell 2"):
        GridMap(**{**fields, "graph": graph})


# --- scenario maps and the public API -------------------------------------------------


def test_build_map_uses_the_spec_generator(tmp_path: Path) -> None:
    spec = MapSpec(households_cv=0.3, tourist_load=2.0)
    lattice = build_lattice(
        TIERS4, [1, 4, 6], 800, households_cv=0.3, tourist_load=2.0, rng=np.random.default_rng(5)
    )
    assert_same_map(build_map(spec, np.random.default_rng(5)), lattice)
    spec = MapSpec(generator="random_geometric", radius_km=0.6, speed_kmh=12.0)
    geometric = build_random_geometric(
        TIERS4, [1, 4, 6], rng=np.random.default_rng(6), radius_km=0.6, speed_kmh=12.0
    )
    assert_same_map(build_map(spec, np.random.default_rng(6)), geometric)
    path = tmp_path / "map.graphml"
    save_graphml(geometric, path)
    spec = MapSpec(generator="graphml", graphml=str(path))
    assert_same_map(build_map(spec, np.random.default_rng(7)), geometric)


def test_every_run_of_a_scenario_builds_its_map_from_the_map_seed() -> None:
    demo = load_scenario(DEMO)
    expected = build_map(demo.map, np.random.default_rng(demo.map.seed))
    assert_same_map(scenario_map(demo.map), expected)
    for seed in (0, 7):
        assert_same_map(GovernanceModel(demo, seed=seed, days=1).grid_map, expected)


def test_public_api_is_reexported() -> None:
    assert sorted(govsim.world.geography.__all__) == sorted(
        [
            "CELL_ATTRIBUTES",
            "GeographyError",
            "GridMap",
            "LATTICE_SPACING_KM",
            "OFFICE_TIE_RTOL",
            "build_lattice",
            "build_map",
            "build_random_geometric",
            "load_graphml",
            "save_graphml",
            "scenario_map",
        ]
    )
    assert all(hasattr(govsim.world.geography, name) for name in govsim.world.geography.__all__)


def test_an_uneven_tree_keeps_its_counts_and_connected_regions() -> None:
    """Kongtong: 3 streets of 8, 6 and 6 communities; 83 grids (three communities of 5)."""
    grids = [4] * 17 + [5] * 3
    gm = build_lattice(["district", "street", "community", "grid"], [3, [8, 6, 6], grids])
    assert gm.region_counts == (1, 3, 20, 83)
    assert np.bincount(
        gm.ancestors[1][np.unique(gm.ancestors[2], return_index=True)[1]]
    ).tolist() == [8, 6, 6]
    assert np.bincount(gm.ancestors[2]).tolist() == grids
    for level in (1, 2):
        for region in range(gm.region_counts[level]):
            cells = np.flatnonzero(gm.ancestors[level] == region).tolist()
            assert nx.is_connected(gm.graph.subgraph(cells))


def test_an_uneven_tree_needs_one_count_per_parent() -> None:
    with pytest.raises(GeographyError, match="one count per region of the tier above \\(3\\)"):
        build_lattice(["district", "street", "community", "grid"], [3, [8, 6], 4])
