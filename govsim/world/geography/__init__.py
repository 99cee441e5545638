"""The networked grid map: a city cut into nested regions whose smallest unit is a cell.

Modules: :mod:`~govsim.world.geography.gridmap` (the :class:`GridMap` and its validation),
:mod:`~govsim.world.geography.offices` (office placement and travel times),
:mod:`~govsim.world.geography.generators` (:func:`build_lattice`, :func:`build_random_geometric`),
:mod:`~govsim.world.geography.graphml` (:func:`load_graphml`, :func:`save_graphml`) and
:mod:`~govsim.world.geography.from_spec` (:func:`build_map`, from a scenario's ``map`` section;
:func:`scenario_map`, the map every run of a scenario builds).
"""

from govsim.world.geography.from_spec import build_map, scenario_map
from govsim.world.geography.generators import (
    LATTICE_SPACING_KM,
    build_lattice,
    build_random_geometric,
)
from govsim.world.geography.graphml import load_graphml, save_graphml
from govsim.world.geography.gridmap import CELL_ATTRIBUTES, GeographyError, GridMap
from govsim.world.geography.offices import OFFICE_TIE_RTOL

__all__ = [
    "CELL_ATTRIBUTES",
    "LATTICE_SPACING_KM",
    "OFFICE_TIE_RTOL",
    "GeographyError",
    "GridMap",
    "build_lattice",
    "build_map",
    "build_random_geometric",
    "load_graphml",
    "save_graphml",
    "scenario_map",
]
