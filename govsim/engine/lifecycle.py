"""The incident lifecycle: occur → report → verify → queue/start/finish → close → follow-up.

Each step is an event on the clock; every state change is a ledger row. This is the hot
path of a run: methods bind what they use to locals and attributes, and push onto the
heap directly where an event is scheduled per job.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from govsim.engine.clock import Clock
from govsim.engine.crews import Crews
from govsim.engine.incidents import (
    Channel,
    Incident,
    IncidentKind,
    OccurrenceSampler,
    State,
)
from govsim.engine.joint import JointResponse
from govsim.engine.petitions import Petitions
from govsim.record.ledger import Ledger
from govsim.registry import DISPATCH
from govsim.world.scenario import Scenario

if TYPE_CHECKING:
    from govsim.agents.offices import Office
    from govsim.agents.residents import ChannelChoice, Population
    from govsim.policies.evaluation import MonthlyEvaluation
    from govsim.policies.followup import FollowUpRating
    from govsim.policies.routing import Move, TieredEscalation

OCCURRED, REPORTED, VERIFIED = State.OCCURRED, State.REPORTED, State.VERIFIED
QUEUED, STARTED, ESCALATED, RESOLVED = State.QUEUED, State.STARTED, State.ESCALATED, State.RESOLVED


class Lifecycle:
    """Moves every incident through its lifecycle, on the clock, into the ledger.

    ``incidents`` lists every incident so far (an id is a position in it); ``hidden[cell]``
    those there that nobody official knows of yet (some perhaps found since: searches
    skip those), ``hidden_count`` how many of them are really hidden; ``unfinished``
    counts the measurement window's incidents not yet done (resolved and followed up).
    """

    def __init__(
        self,
        scenario: Scenario,
        clock: Clock,
        ledger: Ledger,
        kinds: Sequence[IncidentKind],
        sampler: OccurrenceSampler,
        population: Population,
        channels: ChannelChoice | None,
        router: TieredEscalation,
        evaluation: MonthlyEvaluation | None,
        rating: FollowUpRating,
        streams: dict[str, np.random.Generator],
        window_h: tuple[float, float],
        n_cells: int,
        crews: Crews,
    ) -> None:
        self.clock = clock
        self.schedule = clock.schedule
        self._events, self._order = clock.events, clock.order
        self.ledger = ledger
        self._record, self._assist = ledger.record, ledger.record_assist
        self.kinds = kinds
        self.sampler = sampler
        self.population = population
        self.channels = channels
        self.router = router
        self.evaluation = evaluation
        self._rate = rating.rate
        self._channel_rng = streams["channel"]
        self.joint = JointResponse(
            scenario.routing.whistle, clock, kinds, router, streams, ledger.record, self._arrive
        )
        self._convene, self._sequential = self.joint.convene, self.joint.sequential
        self.warmup_h, self.horizon_h = window_h
        self._worsen_h = [k.spec.worsen_h for k in kinds]
        self._fail_prob = [k.spec.fail_prob for k in kinds]
        self._verify_h = scenario.routing.verify_h
        self._overdue = scenario.routing.overdue_escalation
        self._followup = scenario.followup
        behaviour = scenario.behaviour
        self._petition_after_h = behaviour.petition_after_h if behaviour.enabled else 0.0
        self.petitions = Petitions(
            behaviour, clock, population, router, ledger.record_petition, self.found
        )
        self._await_petition = self.petitions.wait
        self._petition_unresolved = self.petitions.unresolved
        self.incidents: list[Incident] = []
        self.hidden: list[list[Incident]] = [[] for _ in range(n_cells)]
        self.hidden_count = 0
        self.unfinished = 0
        self._release = crews.release
        # desks' handlers on shift, read only when some group works shifts
        self._on_shift = crews.on_shift if scenario.rosters.enabled else None
        self._divert = crews.divert
        # a rule that does not say (a plugin's) may read them: keep them then
        self._tracks = getattr(DISPATCH[scenario.routing.dispatch], "tracks", True)

    def occur_over(self, start_h: float, hours: float) -> None:
        """Sample the incidents occurring in ``[start_h, start_h + hours)`` and schedule
        their occurrence."""
        fresh = self.sampler.sample(start_h, hours)
        self.incidents.extend(fresh)
        occur, events, order, push = self._occur, self._events, self._order, heapq.heappush
        for incident in fresh:
            push(events, (incident.occurred_at, next(order), occur, incident))
        warmup_h, horizon_h = self.warmup_h, self.horizon_h
        self.unfinished += sum(warmup_h <= i.occurred_at < horizon_h for i in fresh)

    # --- hidden, until someone reports or finds it --------------------------------------

    def _occur(self, incident: Incident) -> None:
        now = self.clock.now
        self._record((now, incident.id, OCCURRED, -1, -1))
        kind = self.kinds[incident.kind]
        population, resident = self.population, incident.resident
        incident.vulnerable = population.vulnerable.item(resident)
        if incident.report_u < population.report_probability(resident, kind):
            wait = incident.report_wait * kind.spec.reporting.delay_h
            if wait == 0.0:
                self._report(incident, Channel.RESIDENT)
                if self._petition_unresolved:
                    self._await_petition(incident, now)
                return
            wait *= population.delay_factor(resident)
            self.schedule(now + wait, self._resident_report, incident)
        self.hidden[incident.cell].append(incident)
        self.hidden_count += 1
        if self._petition_after_h:
            self._await_petition(incident, now)

    def _resident_report(self, incident: Incident) -> None:
        self.found(incident, Channel.RESIDENT)

    def found(self, incident: Incident, channel: Channel) -> None:
        """``incident`` was reported or found through ``channel`` (once: later finds of
        an incident already known are ignored)."""
        if not incident.discovered:
            self.hidden_count -= 1
            self._report(incident, channel)

    def settle(self, incident: Incident, channel: Channel) -> None:
        """A volunteer found ``incident`` and settles it on the spot, in its grid handling
        time; no desk takes it."""
        self.hidden_count -= 1
        self._mark_reported(incident, channel)
        self.schedule(self.clock.now + incident.handling_h[0], self._settled, incident)

    def _settled(self, incident: Incident) -> None:
        self._close(incident, None, None)

    # --- reported: verified, then routed to a desk --------------------------------------

    def _report(self, incident: Incident, channel: int) -> None:
        self._mark_reported(incident, channel)
        verify_h = self._verify_h
        if channel == Channel.RESIDENT and self.channels is not None:
            incident.via = self.channels.choose(incident.resident, self._channel_rng.random())
            verify_h = self.channels.verify_h[incident.via]
        if verify_h:
            self.schedule(self.clock.now + verify_h, self._verify, incident)
        else:
            self._verify(incident)

    def _mark_reported(self, incident: Incident, channel: int) -> None:
        now = self.clock.now
        incident.discovered = True
        kind = self.kinds[incident.kind]
        worsen_h = self._worsen_h[incident.kind]
        if worsen_h:
            steps = int((now - incident.occurred_at) / worsen_h)
            incident.severity = min(kind.max_severity, incident.severity + steps)
        incident.reported_at = now
        incident.channel = channel
        incident.deadline_at = now + kind.deadline_h[incident.severity]
        self._record((now, incident.id, REPORTED, -1, int(channel)))

    def _verify(self, incident: Incident) -> None:
        now = self.clock.now
        self._record((now, incident.id, VERIFIED, -1, -1))
        if self._overdue:  # a deadline already passed during verification fires at once
            self.schedule(max(incident.deadline_at, now), self._on_deadline, incident)
        self._move(incident, self.router.admit(incident, now))

    # --- at a desk: queued, started, finished -------------------------------------------

    def _arrive(self, incident: Incident, office: Office) -> None:
        on_shift = self._on_shift
        if on_shift is not None and not on_shift[office.id]:  # nobody on duty there
            office = self._divert(incident, office)
        incident.office = office
        record = self._record if incident.joint is None else self._assist
        record((self.clock.now, incident.id, QUEUED, office.id, -1))
        worker = office.arrive(incident)
        if worker is not None:
            self.start(incident, office, worker)

    def start(self, incident: Incident, office: Office, worker: Any) -> None:
        """``worker`` of ``office`` takes ``incident`` now: busy for the round trip and the
        handling time at the desk's tier, at the worker's speed."""
        incident.worker = worker
        now = self.clock.now
        record = self._record if incident.joint is None else self._assist
        record((now, incident.id, STARTED, office.id, worker.unique_id))
        busy_h = (
            incident.handling_h[office.rank] / worker.speed + office.round_trip_h[incident.cell]
        )
        worker.busy_today += busy_h
        if self._tracks:  # the dispatch rule reads where and how much workers worked
            worker.last_cell = incident.cell
            worker.tally["taken"] += 1
        heapq.heappush(self._events, (now + busy_h, next(self._order), self._finish, incident))

    def _finish(self, incident: Incident) -> None:
        office, worker = incident.office, incident.worker
        now = self.clock.now
        whole = incident.joint
        if whole is not None:  # one department's part of a joint response is done
            self._assist((now, whole.id, RESOLVED, office.id, worker.unique_id))
            whole.pending -= 1
            if not whole.pending:
                self._close(whole, whole.office, None)
            elif self._sequential:
                self.joint.summon_next(whole, now)
        elif self.router.resolves(incident, office):
            self._close(incident, office, worker)
        else:
            self._record((now, incident.id, ESCALATED, office.id, worker.unique_id))
            self._hand_up(incident, office)
        if worker.leaving:  # the shift is over (or a call-out): this job is done
            self._release(worker)
            return
        following = office.next_job(worker)
        if following is not None:
            self.start(following, office, worker)

    # --- handed on: up the tiers, or to a joint response --------------------------------

    def _hand_up(self, incident: Incident, office: Office) -> None:
        now = self.clock.now
        move = self.router.escalate(incident, office, now)
        incident.handoffs += 1
        summoned = self.router.summons(incident, office)
        if summoned:
            incident.office = move[0]
            self.schedule(now + move[1], self._convene, (incident, summoned, move[1]))
        else:
            self._move(incident, move)

    def _move(self, incident: Incident, move: Move) -> None:
        target, delay = move
        if delay:
            incident.office = target
            self.schedule(self.clock.now + delay, self._handed_over, incident)
        else:
            self._arrive(incident, target)

    def _handed_over(self, incident: Incident) -> None:
        self._arrive(incident, incident.office)

    def _on_deadline(self, incident: Incident) -> None:
        office = incident.office
        if incident.waiting_in is not None and self.router.below_top(office):
            incident.waiting_in = None
            self._record((self.clock.now, incident.id, ESCALATED, office.id, -1))
            self._hand_up(incident, office)

    # --- closed, perhaps to recur; then followed up --------------------------------------

    def _close(self, incident: Incident, office: Office | None, worker: Any) -> None:
        """Resolved at ``office`` by ``worker``: worker None for a joint response, both
        None for a volunteer who settled it on the spot."""
        now = self.clock.now
        actor = -1 if worker is None else worker.unique_id
        self._record((now, incident.id, RESOLVED, -1 if office is None else office.id, actor))
        incident.resolved_at = now
        if worker is not None and office.rank == 0:
            if self.evaluation is not None:
                self.evaluation.closed(worker, now <= incident.deadline_at)
            if worker.fix_fails(incident.fail_u, self._fail_prob[incident.kind]):
                self._fix_failed(incident)
        if incident.followup_u < self._followup.prob:
            self.schedule(now + self._followup.delay_h, self._follow_up, incident)
        else:
            self._done(incident)

    def _fix_failed(self, incident: Incident) -> None:
        """Closed, but the fix does not hold: the same problem occurs again later."""
        incident.failed = True
        if self.evaluation is not None:
            self.evaluation.failed(incident.worker)
        again = self.clock.now + incident.recur_wait * self.kinds[incident.kind].spec.recur_h
        self.unfinished += self.warmup_h <= again < self.horizon_h
        self.schedule(again, self._recur, incident)

    def _recur(self, parent: Incident) -> None:
        # made only now, so that incident ids stay positions in self.incidents
        recurrence = self.sampler.recurrence(parent, self.clock.now)
        self.incidents.append(recurrence)
        self._occur(recurrence)

    def _follow_up(self, incident: Incident) -> None:
        closer = incident.worker
        by_grid = closer if closer is not None and incident.office.rank == 0 else None
        rating = incident.rating = self._rate(incident, by_grid)
        if self.evaluation is not None and by_grid is not None:
            self.evaluation.rated(by_grid, rating)
        self.population.experience(incident.resident, (rating - 1.0) / 4.0)
        self._record((self.clock.now, incident.id, State.FOLLOWED_UP, -1, -1))
        self._done(incident)

    def _done(self, incident: Incident) -> None:
        if self.warmup_h <= incident.occurred_at < self.horizon_h:
            self.unfinished -= 1
