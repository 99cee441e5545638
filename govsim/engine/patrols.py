"""Patrols: the search for hidden incidents that grid workers and volunteers make.

This is the narrow interface handed to those agents each day: how many rounds a day's
rate makes, whether a volunteer takes part today, and one search of a cell. What a
search finds goes on to the lifecycle (``Discovery``).

With ``staffing.rounds_hours`` set, the day's rounds are planned at its start and each
search is an event on the clock at a time in the searcher's working hours (``plan``), so
it finds only what is hidden then and what it finds is reported then. Without it
(``rounds_hours: null``), every search is made at the daily tick, at midnight.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from govsim.engine.clock import Clock
from govsim.engine.incidents import Channel, Incident
from govsim.world.scenario import Scenario

if TYPE_CHECKING:
    from govsim.engine.incidents import IncidentKind

#: Working hours of one day: (start, end) spans in hours since the start of the run.
WorkingHours = Sequence[tuple[float, float]]


class Discovery(Protocol):
    """What a search needs from the lifecycle: the hidden incidents, and what to do with
    one it finds."""

    hidden: list[list[Incident]]

    def found(self, incident: Incident, channel: Channel) -> None:
        """``incident`` was found through ``channel``: it is reported."""

    def settle(self, incident: Incident, channel: Channel) -> None:
        """``incident`` was found and is being settled on the spot by its finder."""


class OnDuty(Protocol):
    """A grid worker, as a planned search sees them: on duty or not."""

    on_duty: bool


class Patrols:
    """Searches of map cells for hidden incidents, and the day's count of volunteer rounds.

    A search finds each hidden incident with its type's detectability for the channel (a
    door-to-door visit always finds a vulnerable resident's problem); a volunteer who
    finds a household matter the grid could resolve settles it on the spot with
    ``staffing.volunteer_fix_prob``. How many rounds are made, and what each finds, are
    drawn from the ``patrol`` stream; when planned rounds happen, from ``rounds``.

    ``in_hours``: whether rounds are planned in working hours (``staffing.rounds_hours``
    set), ``daytime`` the hours of the day (from, to) of those on duty around the clock.
    """

    def __init__(
        self,
        discovery: Discovery,
        scenario: Scenario,
        kinds: Sequence[IncidentKind],
        rng: np.random.Generator,
        clock: Clock,
        when_rng: np.random.Generator,
    ) -> None:
        staffing, bank = scenario.staffing, scenario.incentives.time_bank
        self.discovery = discovery
        self.rng = rng
        self.clock = clock
        self.when_rng = when_rng
        self.daytime = staffing.rounds_hours
        self.in_hours = self.daytime is not None
        #: whether anyone makes rounds (else no day's rounds are planned, nor draws made)
        self.anyone = bool(
            staffing.patrols_per_day or staffing.visits_per_week or staffing.volunteers_per_cell
        )
        #: (channel, rounds per day) of a grid worker's daily rounds
        self.daily = (
            (Channel.PATROL, staffing.patrols_per_day),
            (Channel.VISIT, staffing.visits_per_week / 7.0),
        )
        self.participation = min(
            1.0, staffing.volunteer_participation * (1.0 + bank.participation_gain * bank.enabled)
        )
        self.rounds = 0  # volunteer rounds made since the count was last taken
        #: today's rounds not yet on the clock: (hours, or None for daytime; the search)
        self._planned: list[tuple[WorkingHours | None, tuple[OnDuty | None, int, Channel]]] = []
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
        """A volunteer's round of ``cell``: counted, and one search (now, at the tick, or
        planned in today's ``daytime`` hours)."""
        self.rounds += 1
        if self.in_hours:
            self._planned.append((None, (None, cell, Channel.VOLUNTEER)))
        else:
            self.search(cell, Channel.VOLUNTEER)

    def walk(self, cell: int) -> None:
        """A grid worker's rounds of ``cell`` at the daily tick: ``patrols_per_day``
        patrols and ``visits_per_week`` / 7 door-to-door visits (fractions by chance)."""
        for channel, per_day in self.daily:
            for _ in range(self.times(per_day)):
                self.search(cell, channel)

    def plan(self, worker: OnDuty, cell: int, hours: WorkingHours | None) -> None:
        """A grid worker's day of rounds of ``cell`` (as many as ``walk`` makes), each at a
        time uniform over ``hours`` (None: today's ``daytime`` hours), made if the worker
        is on duty then; on the clock once ``schedule`` is called."""
        planned = self._planned
        for channel, per_day in self.daily:
            for _ in range(self.times(per_day)):
                planned.append((hours, (worker, cell, channel)))

    def schedule(self) -> None:
        """Put the rounds planned today on the clock, each at a time drawn uniformly over
        its hours; called at the start of the day, after every searcher has planned."""
        planned = self._planned
        if not planned:
            return
        start_h = self.clock.now // 24.0 * 24.0
        begin, end = self.daytime
        daytime = ((start_h + begin, start_h + end),)
        events, order, search = self.clock.events, self.clock.order, self._search_at
        for (hours, subject), u in zip(
            planned, self.when_rng.random(len(planned)).tolist(), strict=True
        ):
            heapq.heappush(events, (_spread(u, hours or daytime), next(order), search, subject))
        planned.clear()

    def _search_at(self, planned: tuple[OnDuty | None, int, Channel]) -> None:
        searcher, cell, channel = planned
        if searcher is None or searcher.on_duty:  # a volunteer, or a worker on duty
            self.search(cell, channel)

    def take_rounds(self) -> int:
        """The volunteer rounds made since last asked; the count starts again at 0."""
        rounds, self.rounds = self.rounds, 0
        return rounds

    def search(self, cell: int, channel: Channel) -> None:
        """One visit to ``cell`` through ``channel``: each hidden incident there is found
        with its detectability, and goes on to the lifecycle."""
        discovery = self.discovery
        if not discovery.hidden[cell]:
            return
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


def _spread(u: float, hours: WorkingHours) -> float:
    """The time (h) a fraction ``u`` (0–1) of the way through ``hours``, their spans laid
    end to end."""
    if len(hours) == 1:
        begin, end = hours[0]
        return begin + u * (end - begin)
    left = u * sum(end - begin for begin, end in hours)
    for begin, end in hours:
        if left < end - begin:
            break
        left -= end - begin
    return begin + left
