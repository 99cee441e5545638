"""Dispatch rules: which of a desk's free workers takes the job that arrives.

A desk keeps its free workers in the order they came free (the last freed last); a rule
picks one and takes it off that list.
"""

from __future__ import annotations

from typing import TypeVar

W = TypeVar("W")


class LastFreed:
    """The worker freed last takes the next job (a stack: last in, first out)."""

    def take(self, free: list[W]) -> W:
        """Remove and return the chosen worker from ``free`` (not empty)."""
        return free.pop()


#: The dispatch rules by name; ``last_freed`` is the engine's rule.
DISPATCH_RULES: dict[str, type[LastFreed]] = {"last_freed": LastFreed}
DEFAULT_DISPATCH = "last_freed"
