"""Dispatch rules: which of a desk's free workers takes the job that arrives.

A desk keeps its free workers in the order they came free (the last freed last); a rule
picks one and takes it off that list.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from govsim.registry import DISPATCH

W = TypeVar("W")


class DispatchRule(Protocol):
    """What a dispatch rule does: take one handler off a desk's list of free handlers."""

    def take(self, free: list[W]) -> W:
        """Remove and return the chosen handler from ``free`` (in the order they came free)."""


@DISPATCH.register("last_freed")
class LastFreed:
    """The worker freed last takes the next job (a stack: last in, first out)."""

    def take(self, free: list[W]) -> W:
        """Remove and return the chosen worker from ``free`` (not empty)."""
        return free.pop()
