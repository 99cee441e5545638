"""Residents: household groups that live with incidents and report them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.discrete_space import CellAgent

if TYPE_CHECKING:
    from govsim.incidents import IncidentKind


class Resident(CellAgent):
    """A group of ``households`` households on one map cell.

    ``trust`` (0–1) is the resident's confidence in the system; the engine holds it
    fixed at 1 so reporting follows each incident type's ``reporting.prob``.
    """

    def __init__(self, model, households: int, vulnerable: bool) -> None:
        super().__init__(model)
        self.households = households
        self.vulnerable = vulnerable
        self.trust = 1.0

    def report_probability(self, kind: IncidentKind) -> float:
        """Probability this resident reports an incident of ``kind`` it lives with."""
        return kind.spec.reporting.prob * self.trust
