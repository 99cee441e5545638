"""Volunteers: building heads, unit heads and party members who look after their cell."""

from __future__ import annotations

from mesa.discrete_space import CellAgent

from govsim.engine.incidents import Channel


class Volunteer(CellAgent):
    """A volunteer on one cell who, on the days they take part, makes a round of it.

    They take part with the model's ``volunteer_participation`` (higher when a time bank
    credits their hours); a round finds each hidden incident with its detectability, and
    a household matter found may be settled on the spot (``volunteer_fix_prob``).
    """

    def round(self) -> None:
        """Today's round, if they take part today."""
        model = self.model
        if model.volunteer_participation < 1.0 and (
            model.patrol_rng.random() >= model.volunteer_participation
        ):
            return
        model.volunteer_rounds += 1
        model.search(self.cell.coordinate, Channel.VOLUNTEER)
