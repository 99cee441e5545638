"""Places in a log: coordinates matched to the grid polygons of a GeoJSON map (shapely,
the ``geo`` extra), and the cell names of a scenario's map."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from govsim.errors import LogError
from govsim.world.geography.from_spec import scenario_map
from govsim.world.geography.geojson import _feature_name, _polygon, _read_features, _shapely
from govsim.world.scenario import Scenario


class CellPolygons:
    """The cells of a GeoJSON map as polygons, to match points to (WGS 84 lon/lat)."""

    def __init__(self, path: str | Path, cell_property: str | None) -> None:
        """Read the polygons of ``path``; each cell is named by its feature's
        ``cell_property`` (default: the feature's id, else its position in the file)."""
        self.shapely = _shapely()
        features = _read_features(path)
        self.names = np.array(
            [_cell_name(path, feature, i, cell_property) for i, feature in enumerate(features)],
            dtype=object,
        )
        polygons = [
            _polygon(self.shapely, f, str(name))
            for f, name in zip(features, self.names, strict=True)
        ]
        self.tree = self.shapely.STRtree(polygons)

    def cells(self, longitude: np.ndarray, latitude: np.ndarray) -> np.ndarray:
        """The cell name of each point (None for a point inside no polygon); a point on a
        border shared by two cells goes to the first in the file."""
        found = np.full(len(longitude), None, dtype=object)
        points = self.shapely.points(longitude, latitude)
        point, polygon = self.tree.query(points, predicate="intersects")
        if len(point):
            order = np.lexsort((polygon, point))
            point, polygon = point[order], polygon[order]
            first = np.r_[True, point[1:] != point[:-1]]
            found[point[first]] = self.names[polygon[first]]
        return found


def _cell_name(path: str | Path, feature: object, index: int, prop: str | None) -> str:
    """The grid id of a feature: its ``prop`` property, else its id."""
    if prop is None:
        return _feature_name(feature, index)
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(properties, dict) or properties.get(prop) is None:
        raise LogError(
            f"{path}: feature {_feature_name(feature, index)!r} has no property {prop!r} "
            "(the mapping's cell_property, or the scenario's bottom tier)"
        )
    return str(properties[prop])


def scenario_cells(scenario: Scenario) -> set[str]:
    """The grid ids of the scenario's map cells (its bottom tier's region names)."""
    grid = scenario_map(scenario.map)
    bottom = grid.n_tiers - 1
    return {grid.region_name(bottom, cell) for cell in range(grid.n_cells)}
