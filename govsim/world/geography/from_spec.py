"""Build the map a scenario's ``map`` section (:class:`~govsim.world.scenario.MapSpec`) draws."""

from __future__ import annotations

import numpy as np

from govsim.world.geography.generators import build_lattice, build_random_geometric
from govsim.world.geography.geojson import load_geojson
from govsim.world.geography.graphml import load_graphml
from govsim.world.geography.gridmap import GridMap
from govsim.world.scenario import MapSpec


def build_map(spec: MapSpec, rng: np.random.Generator) -> GridMap:
    """The map a scenario's ``map`` section describes, drawn with ``rng`` where random.

    ``spec.generator`` picks the builder: :func:`build_lattice` (``"lattice"``),
    :func:`build_random_geometric` (``"random_geometric"``), :func:`load_graphml`
    (``"graphml"``) or :func:`load_geojson` (``"geojson"``); for the files,
    ``households_cv`` and ``rng`` are unused and ``households_per_cell`` is rounded to
    the default for cells without households.
    """
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
    if spec.generator in ("graphml", "geojson"):
        del cells["households_cv"]
        households = round(spec.households_per_cell)
        if spec.generator == "geojson":
            return load_geojson(
                spec.geojson,
                tiers,
                coordinates=spec.coordinates,
                speed_kmh=spec.speed_kmh,
                households_per_cell=households,
                **cells,
            )
        return load_graphml(spec.graphml, tiers, households_per_cell=households, **cells)
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


def scenario_map(spec: MapSpec) -> GridMap:
    """The map every run of a scenario builds: :func:`build_map` drawn from the map's own
    seed (``map.seed``), so that the city is the same whatever the run's seed."""
    return build_map(spec, np.random.default_rng(spec.seed))
