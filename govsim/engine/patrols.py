"""Patrols: the search for hidden incidents that grid workers and volunteers make.

This is the narrow interface handed to those agents at the daily tick: how many rounds a
day's rate makes, whether a volunteer takes part today, and one search of a cell. What a
search finds goes on to the lifecycle (``Discovery``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from govsim.engine.incidents import Channel, Incident
from govsim.world.scenario import Scenario

if TYPE_CHECKING:
    from govsim.engine.incidents import IncidentKind


class Discovery(Protocol):
    """What a search needs from the lifecycle: the hidden incidents, and what to do with
    one it finds."""

    hidden: list[list[Incident]]

    def found(self, incident: Incident, channel: Channel) -> None:
        """``incident`` was found through ``channel``: it is reported."""

    def settle(self, incident: Incident, channel: Channel) -> None:
        """``incident`` was found and is being settled on the spot by its finder."""


class Patrols:
    """Searches of map cells for hidden incidents, and the day's count of volunteer rounds.

    A search finds each hidden incident with its type's detectability for the channel (a
    door-to-door visit always finds a vulnerable resident's problem); a volunteer who
    finds a household matter the grid could resolve settles it on the spot with
    ``staffing.volunteer_fix_prob``. All draws come from the ``patrol`` stream.
    """

    def __init__(
        self,
        discovery: Discovery,
        scenario: Scenario,
        kinds: Sequence[IncidentKind],
        rng: np.random.Generator,
    ) -> None:
        staffing, bank = scenario.staffing, scenario.incentives.time_bank
        self.discovery = discovery
        self.rng = rng
        #: (channel, rounds per day) of a grid worker's daily rounds
        self.daily = (
            (Channel.PATROL, staffing.patrols_per_day),
            (Channel.VISIT, staffing.visits_per_week / 7.0),
        )
        self.participation = min(
            1.0, staffing.volunteer_participation * (1.0 + bank.participation_gain * bank.enabled)
        )
        self.rounds = 0  # volunteer rounds made since the count was last taken
        self._detect = [
            {
                Channel.PATROL: k.spec.detectability.patrol,
                Channel.VOLUNTEER: k.spec.detectability.volunteer,
                Channel.VISIT: k.spec.detectability.visit,
            }
            for k in kinds
        ]
        self._household = [k.triage == "household" for k in kinds]
        self._fix_prob = staffing.volunteer_fix_prob

    def times(self, per_day: float) -> int:
        """Rounds made today at ``per_day`` a day: the whole part, plus one by chance with
        the fractional part."""
        whole = int(per_day)
        if self.rng.random() < per_day - whole:
            whole += 1
        return whole

    def takes_part(self) -> bool:
        """Whether a volunteer takes part today (with the participation rate)."""
        return self.participation >= 1.0 or self.rng.random() < self.participation

    def volunteer_round(self, cell: int) -> None:
        """A volunteer's round of ``cell``: counted, and one search."""
        self.rounds += 1
        self.search(cell, Channel.VOLUNTEER)

    def take_rounds(self) -> int:
        """The volunteer rounds made since last asked; the count starts again at 0."""
        rounds, self.rounds = self.rounds, 0
        return rounds

    def search(self, cell: int, channel: Channel) -> None:
        """One visit to ``cell`` through ``channel``: each hidden incident there is found
        with its detectability, and goes on to the lifecycle."""
        discovery = self.discovery
        hidden = [i for i in discovery.hidden[cell] if not i.discovered]
        draws = self.rng.random(len(hidden)).tolist()
        keep = []
        for incident, u in zip(hidden, draws, strict=True):
            if u < self._detect[incident.kind][channel] or (
                channel == Channel.VISIT and incident.vulnerable
            ):
                if channel == Channel.VOLUNTEER and self._settles(incident):
                    discovery.settle(incident, channel)
                else:
                    discovery.found(incident, channel)
            else:
                keep.append(incident)
        discovery.hidden[cell] = keep

    def _settles(self, incident: Incident) -> bool:
        """Whether the volunteer who found ``incident`` settles it on the spot: only a
        household matter the grid could resolve, with ``volunteer_fix_prob``."""
        return (
            self._fix_prob > 0.0
            and incident.level == 0
            and self._household[incident.kind]
            and self.rng.random() < self._fix_prob
        )
