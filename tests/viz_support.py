"""Helpers for the live app's tests: a scenario on a GeoJSON map of slanted cells, and a
small results folder."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from govsim.experiments.experiment import run_experiment
from govsim.experiments.spec import load_experiment
from tests.experiments_support import SMALL, write_spec
from tests.support import DEMO

TIERS = ("city", "street", "community", "grid")
#: A corner of the map (lon, lat: a street in Chengdu), a cell's side (degrees) and how far
#: each row leans right (share of a side): the cells are parallelograms, not squares.
LON0, LAT0, SIDE, LEAN = 104.04, 30.64, 0.005, 0.4
COLUMNS, ROWS = 4, 3


def slanted_cell(col: int, row: int) -> dict:
    """The GeoJSON feature of cell (``col``, ``row``): community A left, B right."""
    corners = [(col, row), (col + 1, row), (col + 1, row + 1), (col, row + 1), (col, row)]
    ring = [[LON0 + SIDE * (u + LEAN * v), LAT0 + SIDE * v] for u, v in corners]
    labels = {"city": "C", "street": "S", "community": "AB"[col >= 2], "grid": f"g{col}{row}"}
    return {
        "type": "Feature",
        "id": labels["grid"],
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": labels,
    }


def geojson_scenario(folder: Path) -> Path:
    """The demo city on a 4 × 3 map of slanted cells read from GeoJSON (``map.generator:
    geojson``), written into ``folder``; returns the scenario file."""
    features = [slanted_cell(c, r) for r in range(ROWS) for c in range(COLUMNS)]
    (folder / "slanted.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features})
    )
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    raw["name"] = "slanted"
    raw["map"] = {
        "generator": "geojson",
        "geojson": "slanted.geojson",
        "tiers": list(TIERS),
        "per_parent": {"street": 1, "community": 2, "grid": 6},
    }
    path = folder / "slanted.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def small_results(folder: Path) -> Path:
    """A finished results folder of ``SMALL`` (two policies × two staffing samples × two
    replications of 12 days) in ``folder``; returns its path."""
    out = folder / "results"
    run_experiment(load_experiment(write_spec(folder, SMALL)), out, batch=4)
    return out
