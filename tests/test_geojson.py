"""Maps from GeoJSON polygons: adjacency by shared boundary, travel by centroid distance."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from govsim import load_scenario, simulate, summarize
from govsim.world.geography import GeographyError
from govsim.world.geography.geojson import EARTH_RADIUS_KM, load_geojson

TIERS = ("city", "street", "community", "grid")
DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo.yaml"
LON0, LAT0, SIDE = 104.04, 30.64, 0.005  # a street in Chengdu; cells 0.005° on a side


def square(col: int, row: int, side: float = SIDE) -> list[list[list[float]]]:
    """A closed ring around cell (col, row) of a lon/lat lattice."""
    x, y = LON0 + col * side, LAT0 + row * side
    return [[[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]]


def cell(col: int, row: int, **properties: Any) -> dict[str, Any]:
    """A grid-cell feature: community A is the left column pair, B the right."""
    community = "A" if col < 2 else "B"
    labels = {"city": "C", "street": "S", "community": community, "grid": f"g{col}{row}"}
    return {
        "type": "Feature",
        "id": f"g{col}{row}",
        "geometry": {"type": "Polygon", "coordinates": square(col, row)},
        "properties": {**labels, **properties},
    }


def write(tmp_path: Path, features: list[dict[str, Any]]) -> Path:
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def lattice(tmp_path: Path) -> Path:
    """A 4 × 2 lattice of square cells; (0, 0) has 50 households."""
    features = [cell(c, r) for r in range(2) for c in range(4)]
    features[0]["properties"]["households"] = 50
    return write(tmp_path, features)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def test_cells_touching_along_an_edge_are_neighbours_and_corners_are_not(
    tmp_path: Path,
) -> None:
    m = load_geojson(lattice(tmp_path), TIERS, households_per_cell=100)
    assert m.n_cells == 8
    assert m.region_counts == (1, 1, 2, 8)
    assert m.ancestors[2].tolist() == [0, 0, 1, 1, 0, 0, 1, 1]
    assert m.region_name(2, 1) == "B" and m.region_name(3, 5) == "g11"
    # rook contiguity on a 4 × 2 lattice: 3 × 2 horizontal + 4 vertical edges, no diagonals
    edges = {tuple(sorted(e)) for e in m.graph.edges}
    assert len(edges) == 10
    assert (0, 5) not in edges and (0, 1) in edges and (0, 4) in edges
    assert m.households.tolist() == [50, *[100] * 7]


def test_travel_times_are_great_circle_distances_at_the_speed(tmp_path: Path) -> None:
    speed = 12.0
    m = load_geojson(lattice(tmp_path), TIERS, speed_kmh=speed)
    centre = (LON0 + SIDE / 2, LAT0 + SIDE / 2)
    east = (LON0 + 1.5 * SIDE, LAT0 + SIDE / 2)
    north = (LON0 + SIDE / 2, LAT0 + 1.5 * SIDE)
    assert m.graph.edges[0, 1]["travel_h"] == pytest.approx(
        haversine_km(centre, east) / speed, 1e-3
    )
    assert m.graph.edges[0, 4]["travel_h"] == pytest.approx(
        haversine_km(centre, north) / speed, 1e-3
    )
    # an east step is shorter than a north step by cos(latitude)
    ratio = m.graph.edges[0, 1]["travel_h"] / m.graph.edges[0, 4]["travel_h"]
    assert ratio == pytest.approx(math.cos(math.radians(LAT0 + SIDE)), 1e-3)
    xy = np.array([[m.graph.nodes[i]["x"], m.graph.nodes[i]["y"]] for i in range(m.n_cells)])
    assert xy.mean(axis=0) == pytest.approx([0.0, 0.0], abs=1e-9)  # centred on the map


def test_projected_metres(tmp_path: Path) -> None:
    features = []
    for col in range(2):
        ring = [[col * 500, 0], [col * 500 + 500, 0], [col * 500 + 500, 500], [col * 500, 500]]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                "properties": {"city": "C", "street": "S", "community": "A", "grid": col},
            }
        )
    m = load_geojson(write(tmp_path, features), TIERS, coordinates="metres", speed_kmh=5.0)
    assert m.graph.edges[0, 1]["travel_h"] == pytest.approx(0.5 / 5.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f[2]["properties"].pop("community"), r"node 'g20'.*'community'"),
        (
            lambda f: f[3].update(geometry={"type": "Point", "coordinates": [LON0, LAT0]}),
            r"feature 'g30': geometry must be a Polygon or MultiPolygon, got 'Point'",
        ),
        (lambda f: f.pop(1), r"not connected"),  # g10 joined community A to the rest
        (lambda f: f[0]["properties"].update(households=-3), r"node 'g00'.*'households'"),
    ],
)
def test_a_bad_file_names_the_feature_and_property(
    tmp_path: Path, change: Any, message: str
) -> None:
    features = [cell(c, 0) for c in range(4)]
    change(features)
    with pytest.raises(GeographyError, match=message):
        load_geojson(write(tmp_path, features), TIERS)


def test_not_a_feature_collection(tmp_path: Path) -> None:
    path = tmp_path / "x.geojson"
    path.write_text('{"type": "Feature"}')
    with pytest.raises(GeographyError, match="must be a FeatureCollection"):
        load_geojson(path, TIERS)
    path.write_text("{not json")
    with pytest.raises(GeographyError, match="cannot read GeoJSON file"):
        load_geojson(path, TIERS)


def test_a_scenario_runs_on_a_geojson_map(tmp_path: Path) -> None:
    lattice(tmp_path)
    raw = yaml.safe_load(DEMO.read_text())
    raw["map"] = {"generator": "geojson", "geojson": "grids.geojson", "tiers": list(TIERS)}
    raw["map"]["per_parent"] = {"street": 1, "community": 2, "grid": 4}
    scenario_file = tmp_path / "street.yaml"
    scenario_file.write_text(yaml.safe_dump(raw, allow_unicode=True))
    scenario = load_scenario(scenario_file)
    assert scenario.map.geojson == str(tmp_path / "grids.geojson")
    summary = summarize(simulate(scenario, seed=1, days=20))
    assert summary["incidents"] > 0 and summary["resolved"] > 0


def test_the_generator_needs_its_file(tmp_path: Path) -> None:
    from govsim.errors import ScenarioError

    path = tmp_path / "s.yaml"
    path.write_text(f"base: {DEMO}\nmap: {{generator: geojson}}\n")
    with pytest.raises(ScenarioError, match=r"map\.geojson: a file is required"):
        load_scenario(path)
