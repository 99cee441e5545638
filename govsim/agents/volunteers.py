"""Volunteers: building heads who notice problems in their buildings."""

from __future__ import annotations

from mesa.discrete_space import CellAgent

from govsim.incidents import Channel


class Volunteer(CellAgent):
    """A building head on one cell; a daily round may find hidden incidents."""

    def round(self) -> None:
        """Look around the cell once; each hidden incident is found with its detectability."""
        self.model.search(self.cell.coordinate, Channel.VOLUNTEER)
