"""Routing policies: where an incident goes first and where it goes when a tier gives up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govsim.agents.offices import Office
    from govsim.incidents import Incident


class TieredEscalation:
    """Each tier tries in turn: an incident starts at its grid and climbs one tier at a time.

    ``offices[rank][cell]`` is the desk of the cell's region at that rank (0 = the grid);
    ``departments[kind][rank]`` is the department that takes over an incident of that kind
    when it reaches that rank and that rank is the lowest able to resolve it.
    """

    name = "tiered"

    def __init__(
        self, offices: Sequence[Sequence[Office]], departments: Sequence[dict[int, Office]]
    ) -> None:
        self.offices = offices
        self.departments = departments
        self.top = len(offices) - 1

    def entry(self, incident: Incident) -> Office:
        """The first office to handle a verified, triaged incident: its grid."""
        return self._desk(incident, 0)

    def resolves(self, incident: Incident, office: Office) -> bool:
        """Whether handling at ``office`` closes the incident (its tier is capable)."""
        return office.rank >= incident.level

    def escalate(self, incident: Incident, office: Office) -> Office | None:
        """The office one tier up from ``office``, or None at the top."""
        rank = office.rank + 1
        return None if rank > self.top else self._desk(incident, rank)

    def _desk(self, incident: Incident, rank: int) -> Office:
        if rank == incident.level:
            department = self.departments[incident.kind].get(rank)
            if department is not None:
                return department
        return self.offices[rank][incident.cell]
