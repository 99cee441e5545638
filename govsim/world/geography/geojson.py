"""Maps drawn as polygons in a GeoJSON file: :func:`load_geojson`.

Planners have their grids as polygons (exported from a GIS); each polygon is a grid cell,
two cells are neighbours when their polygons share a stretch of boundary (rook
contiguity: touching at a corner is not enough), and the travel time between neighbours
is the distance between their centroids at a given speed. Geometry is shapely's (the
``geo`` extra).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import numpy as np

from govsim.world.geography.graphml import cells_graph
from govsim.world.geography.gridmap import GeographyError, GridMap, _check_tiers
from govsim.world.geography.offices import _assemble

#: Mean Earth radius (km), for the local projection of longitude and latitude.
EARTH_RADIUS_KM = 6371.0088

#: Digitised borders rarely coincide to the last bit: boundaries this close (as a share of
#: the smaller cell's perimeter) count as shared, ...
SNAP = 1e-6
#: ... and two cells are neighbours when they share at least this share of it (so cells
#: meeting only at a corner are not).
MIN_SHARED = 1e-3


def load_geojson(
    path: str | Path,
    tiers: Sequence[str],
    *,
    coordinates: Literal["lonlat", "metres"] = "lonlat",
    speed_kmh: float = 15.0,
    households_per_cell: int = 800,
    household_size: float = 2.8,
    vulnerable_share: float = 0.1,
    shops_per_cell: int = 0,
    tourist_load: float = 0.0,
    within_cell_travel_h: float = 0.05,
) -> GridMap:
    """Read a map from a GeoJSON ``FeatureCollection`` of grid-cell polygons.

    Every feature is one cell: a ``Polygon`` or ``MultiPolygon`` whose ``properties`` hold
    one entry per tier name with its region's label (as in :func:`load_graphml`: labels
    unique within a tier, a single top-tier label, each region inside one parent) and,
    optionally, ``households``, ``population``, ``vulnerable_share``, ``shops`` and
    ``tourist_load`` (defaults from the keyword arguments). ``coordinates`` says how the
    file's positions are given: ``lonlat`` (GeoJSON's WGS 84 longitude, latitude, projected
    onto a plane at the map's mean latitude — metres-accurate over a city) or ``metres``
    (an already projected plane). Cells whose polygons share boundary are joined by an
    edge with ``travel_h`` = centroid distance (km) / ``speed_kmh``; node ``x``, ``y`` are
    the centroids in km.

    Raises :class:`GeographyError` naming the feature and property for an unreadable file,
    a feature that is not a polygon, a missing or invalid property, a bad region tree or
    a map whose cells do not all connect. Returns the :class:`GridMap`.
    """
    if speed_kmh <= 0 or not math.isfinite(speed_kmh):
        raise GeographyError(f"speed_kmh = {speed_kmh!r} must be a finite number > 0")
    shapely = _shapely()
    tiers_t = _check_tiers(tiers)
    features = _read_features(path)
    raw = nx.Graph()
    polygons = []
    for i, feature in enumerate(features):
        name = _feature_name(feature, i)
        polygons.append(_polygon(shapely, feature, name))
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise GeographyError(f"{path}: feature {name!r}: 'properties' must be an object")
        raw.add_node(name, **properties)
    nodes = list(raw.nodes)
    if len(nodes) != len(features):
        raise GeographyError(f"{path}: two features share an id; each cell needs its own")
    xy = _plane_km(shapely, polygons, coordinates)
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
    for i in range(len(nodes)):  # positions come from the polygons, not the properties
        graph.nodes[i].update(x=float(xy[i, 0]), y=float(xy[i, 1]))
    for i, j in _neighbours(shapely, polygons):
        graph.add_edge(i, j, travel_h=float(np.hypot(*(xy[i] - xy[j])) / speed_kmh))
    return _assemble(tiers_t, graph, tuple(ancestors), within_cell_travel_h, names=names)


def _shapely() -> Any:
    """The shapely module, or a clear error naming the extra that installs it."""
    try:
        import shapely
    except ImportError:
        raise GeographyError("GeoJSON maps need shapely: pip install 'govsim[geo]'") from None
    return shapely


def _read_features(path: str | Path) -> list[dict[str, Any]]:
    """The features of a GeoJSON ``FeatureCollection`` file (at least one)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GeographyError(f"cannot read GeoJSON file {str(path)!r}: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeographyError(f"{path}: a GeoJSON map must be a FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise GeographyError(f"{path}: the FeatureCollection has no features")
    return features


def _feature_name(feature: Any, index: int) -> str:
    """How messages name a feature: its ``id``, else its position in the file."""
    if isinstance(feature, dict) and feature.get("id") is not None:
        return str(feature["id"])
    return f"#{index}"


def _polygon(shapely: Any, feature: Any, name: str) -> Any:
    """The feature's geometry as a valid shapely (multi)polygon."""
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeographyError(
            f"feature {name!r}: geometry must be a Polygon or MultiPolygon, got {kind!r}"
        )
    try:
        shape = shapely.geometry.shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise GeographyError(f"feature {name!r}: unreadable geometry: {exc}") from exc
    if shape.is_empty or shape.area <= 0:
        raise GeographyError(f"feature {name!r}: the polygon has no area")
    return shape if shape.is_valid else shapely.make_valid(shape)


def cell_outlines(
    path: str | Path, coordinates: Literal["lonlat", "metres"] = "lonlat"
) -> list[list[np.ndarray]]:
    """The cells' polygons of a GeoJSON map file on the plane of :func:`load_geojson`'s
    node ``x``, ``y`` (km), for drawing: per cell (in file order, as the map numbers its
    cells), the outer ring of each of its polygons as an ``(n, 2)`` array (holes left out).

    Raises :class:`GeographyError` as :func:`load_geojson` does for an unreadable file.
    """
    shapely = _shapely()
    features = _read_features(path)
    polygons = [_polygon(shapely, f, _feature_name(f, i)) for i, f in enumerate(features)]
    project = _projection(_centroids(shapely, polygons), coordinates)
    return [
        [project(shapely.get_coordinates(part.exterior)) for part in _parts(polygon)]
        for polygon in polygons
    ]


def _parts(shape: Any) -> list[Any]:
    """The polygons a (multi)polygon, or the collection ``make_valid`` may return, holds."""
    parts = getattr(shape, "geoms", [shape])
    return [part for part in parts if part.geom_type == "Polygon"]


def _centroids(shapely: Any, polygons: Sequence[Any]) -> np.ndarray:
    """The polygons' centroids as the file gives positions: an ``(n, 2)`` array."""
    return np.array([shapely.get_coordinates(p.centroid)[0] for p in polygons])


def _plane_km(shapely: Any, polygons: Sequence[Any], coordinates: str) -> np.ndarray:
    """Centroids in km on a plane: ``metres`` scaled, ``lonlat`` projected equirectangularly
    at the mean latitude (the error is below 0.1% over tens of km)."""
    centroids = _centroids(shapely, polygons)
    return _projection(centroids, coordinates)(centroids)


def _projection(centroids: np.ndarray, coordinates: str) -> Callable[[np.ndarray], np.ndarray]:
    """The map from the file's positions to km on the plane: ``metres`` scaled, ``lonlat``
    projected equirectangularly about the centroids' mean longitude and latitude."""
    if coordinates == "metres":
        return lambda points: points / 1000.0
    if coordinates != "lonlat":
        raise GeographyError(f"coordinates = {coordinates!r}: allowed: 'lonlat', 'metres'")
    lon0, lat0 = np.radians(centroids[:, 0]).mean(), np.radians(centroids[:, 1]).mean()

    def project(points: np.ndarray) -> np.ndarray:
        lon, lat = np.radians(points[:, 0]), np.radians(points[:, 1])
        x = EARTH_RADIUS_KM * (lon - lon0) * np.cos(lat0)
        y = EARTH_RADIUS_KM * (lat - lat0)
        return np.column_stack([x, y])

    return project


def _neighbours(shapely: Any, polygons: Sequence[Any]) -> list[tuple[int, int]]:
    """Pairs ``i < j`` of polygons sharing a stretch of boundary (rook contiguity), up to
    the snapping tolerance ``SNAP``."""
    scale = min(p.length for p in polygons)
    snap = SNAP * scale
    tree = shapely.STRtree(polygons)
    left, right = tree.query(polygons, predicate="dwithin", distance=snap)
    pairs = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            near = polygons[j].buffer(snap)
            shared = polygons[i].boundary.intersection(near).length
            if shared >= MIN_SHARED * min(polygons[i].length, polygons[j].length):
                pairs.append((i, j))
    return pairs
