"""Let finished models be freed: Mesa's per-model agent-id counters, held weakly.

Mesa 3 numbers agents with ``Agent._ids``, a class-level ``defaultdict`` keyed by the
model; it holds every model ever built (and through it every agent and event) for the
life of the process — about 6 MB per demo-city run, so an experiment's memory grew with
its number of runs. Keyed weakly, a counter goes away with its model; numbering is
unchanged (1, 2, … per model).
"""

from __future__ import annotations

import itertools
import weakref
from collections import defaultdict
from typing import Any

import mesa


class WeakCounters(weakref.WeakKeyDictionary):
    """``model → itertools.count(1)``, created on first use, dropped with the model."""

    def __getitem__(self, model: Any) -> Any:
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


def install() -> None:
    """Replace Mesa's strong ``Agent._ids`` registry by ``WeakCounters`` (idempotent)."""
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, defaultdict):
        weak = WeakCounters()
        for model, counter in ids.items():
            weak[model] = counter
        mesa.Agent._ids = weak


install()  # on import: every model is built after this module is loaded
