"""The ``newest_first`` queue discipline."""

from __future__ import annotations


class NewestFirst:
    """Last come, first served: the incident that arrived last is served first."""

    def __init__(self) -> None:
        self._items = []

    def push(self, incident) -> None:
        """Add a waiting incident on top of the stack."""
        self._items.append(incident)

    def pop(self):
        """The newest incident still waiting (one that left early is skipped), or None."""
        items = self._items
        while items:
            incident = items.pop()
            if incident.waiting_in is self:
                incident.waiting_in = None
                return incident
        return None
