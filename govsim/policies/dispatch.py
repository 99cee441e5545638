"""Dispatch rules: which of a desk's free workers takes the job that arrives.

A desk keeps its free workers in a deque in the order they came free (the last freed at
the right end); a rule picks one for the arriving incident and takes it off that deque.
The desk builds one rule per desk as ``Rule(context)`` (a ``DispatchContext``: the desk's
home cell, travel times between cells, each incident kind's category).

- ``last_freed``: the last freed worker takes it (a stack) — govsim ≤ 0.1's behaviour;
  under light load one worker per desk does most of the work.
- ``longest_idle``: the worker free the longest takes it (first freed, first taken: a
  queue of free workers), which shares the work evenly; O(1).
- ``round_robin``: workers take jobs in turn in a fixed order (the order they were hired),
  skipping those busy when their turn comes.
- ``nearest``: the free worker with the shortest travel time (h, shortest path over the
  map) from where they are — the cell of their last job, or the desk's cell before their
  first — to the incident's cell; ties to the longest idle. It chooses who, not how long:
  a job's busy time stays the desk's round trip plus handling.
- ``least_loaded``: the free worker who has taken fewest jobs this evaluation period
  (grid workers: since their last evaluation; others: since the start); ties to the
  longest idle.
- ``skill``: the longest-idle free worker whose ``skill`` (an incident category) is the
  incident's; if none is free, the longest idle. Staff of a specialised desk
  (``staffing.specialised``) have their desk's category as skill; at a pooled desk the
  staff's skills cycle through the categories in hiring order (an assumption: each
  generalist knows one category best). Skill chooses who; speed stays the worker's.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from govsim.registry import DISPATCH

if TYPE_CHECKING:
    from govsim.engine.incidents import Incident


@dataclass(frozen=True)
class DispatchContext:
    """What a desk's dispatch rule may know: ``home`` (the desk's cell), ``travel_h(a, b)``
    (hours from cell ``a`` to cell ``b``) and ``categories[kind]`` (each incident kind's
    category)."""

    home: int
    travel_h: Callable[[int, int], float]
    categories: Sequence[str]


class DispatchRule(Protocol):
    """What a dispatch rule does: take one handler off a desk's deque of free handlers.

    ``tracks``: whether it reads a worker's ``last_cell`` or jobs ``taken`` (the
    lifecycle keeps them up to date only for such a rule: per-job work saved otherwise).
    """

    tracks: bool

    def take(self, free: deque[Any], incident: Incident) -> Any:
        """Remove and return the handler from ``free`` (not empty; in the order they came
        free, the last freed at the right) who takes ``incident``."""


class ContextFree:
    """Base of the rules that need nothing of their desk's context."""

    tracks = False

    def __init__(self, context: DispatchContext | None = None) -> None:
        pass


@DISPATCH.register("last_freed")
class LastFreed(ContextFree):
    """The worker freed last takes the next job (a stack: last in, first out)."""

    def take(self, free: deque[Any], incident: Incident) -> Any:
        """Remove and return the worker freed last."""
        return free.pop()


@DISPATCH.register("longest_idle")
class LongestIdle(ContextFree):
    """The worker free the longest takes the next job (first freed, first taken)."""

    def take(self, free: deque[Any], incident: Incident) -> Any:
        """Remove and return the worker freed first."""
        return free.popleft()


@DISPATCH.register("round_robin")
class RoundRobin:
    """Workers take jobs in turn in hiring order (``unique_id``), a busy one skipped."""

    tracks = False

    def __init__(self, context: DispatchContext | None = None) -> None:
        self.last = -1  # the unique_id of the worker who took the last job

    def take(self, free: deque[Any], incident: Incident) -> Any:
        """Remove and return the free worker next in turn after the last one served."""
        after = [w for w in free if w.unique_id > self.last]
        chosen = min(after or free, key=_hired)
        free.remove(chosen)
        self.last = chosen.unique_id
        return chosen


@DISPATCH.register("nearest")
class Nearest:
    """The free worker nearest (travel time) to the incident takes it; ties: longest idle."""

    tracks = True

    def __init__(self, context: DispatchContext) -> None:
        self.home = context.home
        self.travel_h = context.travel_h

    def take(self, free: deque[Any], incident: Incident) -> Any:
        """Remove and return the free worker with the shortest travel to ``incident.cell``
        from their last job's cell (the desk's cell before their first job)."""
        cell, home, travel = incident.cell, self.home, self.travel_h
        chosen = min(
            free, key=lambda w: travel(home if w.last_cell < 0 else w.last_cell, cell)
        )
        free.remove(chosen)
        return chosen


@DISPATCH.register("least_loaded")
class LeastLoaded(ContextFree):
    """The free worker with fewest jobs taken this period takes it; ties: longest idle."""

    tracks = True

    def take(self, free: deque[Any], incident: Incident) -> Any:
        """Remove and return the free worker with the fewest ``tally["taken"]``."""
        chosen = min(free, key=lambda w: w.tally["taken"])
        free.remove(chosen)
        return chosen


@DISPATCH.register("skill")
class Skill:
    """The longest-idle free worker skilled in the incident's category; else the longest
    idle."""

    tracks = False

    def __init__(self, context: DispatchContext) -> None:
        self.categories = context.categories

    def take(self, free: deque[Any], incident: Incident) -> Any:
        """Remove and return the first-freed worker whose ``skill`` is the incident's
        category, or the first freed if none is."""
        category = self.categories[incident.kind]
        for worker in free:
            if worker.skill == category:
                free.remove(worker)
                return worker
        return free.popleft()


def _hired(worker: Any) -> int:
    return worker.unique_id
