"""Volunteers: building heads, unit heads and party members who look after their cell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.discrete_space import CellAgent

if TYPE_CHECKING:
    from govsim.engine.patrols import Patrols


class Volunteer(CellAgent):
    """A volunteer on one cell who, on the days they take part, makes a round of it.

    They take part with the scenario's volunteer participation (higher when a time bank
    credits their hours); a round finds each hidden incident with its detectability, and
    a household matter found may be settled on the spot (``volunteer_fix_prob``).
    """

    def round(self, patrols: Patrols) -> None:
        """Today's round, if they take part today."""
        if patrols.takes_part():
            patrols.volunteer_round(self.cell.coordinate)
