"""GovernanceModel: builds the world from a scenario and runs its clock.

Time is continuous, in hours. Incidents move through their lifecycle as scheduled
events on a plain ``heapq`` owned by the model, not Mesa's event scheduling: measured
here (``benchmarks/event_loop.py``) a heap runs 4x the events/s of Mesa 3.3's
``DEVSimulator`` and 8.6x those of Mesa 3.5's ``Model.schedule_event`` (which also holds
callbacks by weak reference). Mesa's ``step()`` is the daily tick on which slow
behaviour runs over AgentSets.
"""

from __future__ import annotations

import copy
import gc
import heapq
import math
from itertools import count
from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import Network

from govsim.agents import (
    ChannelChoice,
    Department,
    DepartmentStaff,
    GridWorker,
    Office,
    OfficeStaff,
    PartTimeGridWorker,
    Population,
    Resident,
    Volunteer,
    Worker,
)
from govsim.engine.incidents import (
    Channel,
    Incident,
    IncidentKind,
    OccurrenceSampler,
    State,
    handling_time,
)
from govsim.policies.disciplines import DISCIPLINES
from govsim.policies.evaluation import DAYS_PER_MONTH, MonthlyEvaluation
from govsim.policies.incentives import IncentiveScheme
from govsim.policies.routing import ROUTERS, Desks
from govsim.record.ledger import Ledger, OfficeInfo
from govsim.world.geography import GridMap, scenario_map
from govsim.world.scenario import Scenario, check_run_days

#: Named random streams, spawned in this order from the run's SeedSequence (append only).
STREAMS = (
    "occurrence",
    "handling",
    "reporting",
    "patrol",
    "agents",
    "routing",
    "quality",
    "recurrence",
    "joint",
    "channel",
)

QUEUED, STARTED, ESCALATED, RESOLVED = State.QUEUED, State.STARTED, State.ESCALATED, State.RESOLVED


def make_streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per named stream, all from ``SeedSequence(seed)``."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {
        name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)
    }


class GovernanceModel(mesa.Model):
    """An agent-based, event-driven model of one city's grid governance.

    Build it from a validated ``Scenario`` and a seed, call ``run()``, then read
    ``ledger`` (see ``govsim.record.metrics``). ``days`` overrides ``scenario.run.days``.
    """

    def __init__(self, scenario: Scenario, seed: int = 0, days: float | None = None) -> None:
        streams = make_streams(seed)
        super().__init__(rng=streams["agents"])
        self.spec = scenario  # not `scenario`: Mesa 3.5 keeps its own Model.scenario
        self.seed = seed
        self.days = float(days if days is not None else scenario.run.days)
        if days is not None:
            check_run_days(scenario, self.days)
        self.horizon_h = self.days * 24.0
        self.warmup_h = min(scenario.run.warmup_days * 24.0, self.horizon_h / 2)
        self.drain_until_h = self.horizon_h + scenario.run.drain_days * 24.0
        self.now = 0.0
        self.day = 0
        self.patrol_rng = streams["patrol"]
        self.patrols_per_day = scenario.staffing.patrols_per_day
        self.visits_per_day = scenario.staffing.visits_per_week / 7.0
        self.ledger = Ledger()
        self._record = self.ledger.record
        self._assist = self.ledger.record_assist
        self._joint_rng = streams["joint"]
        self._events: list[tuple[float, int, Any, Incident]] = []
        self._order = count()

        self.grid_map: GridMap = scenario_map(scenario.map)  # the city is not noise
        self.space = Network(self.grid_map.graph, random=self.random)
        self.kinds = [
            IncidentKind(i, name, spec, scenario)
            for i, (name, spec) in enumerate(scenario.incidents.items())
        ]
        self._detect = [
            {
                Channel.PATROL: k.spec.detectability.patrol,
                Channel.VOLUNTEER: k.spec.detectability.volunteer,
                Channel.VISIT: k.spec.detectability.visit,
            }
            for k in self.kinds
        ]
        self._worsen_h = [k.spec.worsen_h for k in self.kinds]
        self._fail_prob = [k.spec.fail_prob for k in self.kinds]
        resident_offsets = self._build_residents()
        channels = scenario.residents.channels
        self.channels = ChannelChoice(channels, self.population) if channels else None
        self._channel_rng = streams["channel"]
        self.incentives = IncentiveScheme(scenario)
        points = scenario.incentives.points
        self.evaluation = MonthlyEvaluation(scenario) if points.enabled else None
        self._effort_care = points.effort_care
        self.part_timers: list[Worker] = []
        self.offices, self.office_table = self._build_offices()
        self._build_volunteers()
        handoff_h = [0.0] + [
            scenario.routing.handoff_h.get(tier, 0.0) for tier in reversed(scenario.tiers[:-1])
        ]
        desks = Desks(self.office_table, *self._build_departments(), handoff_h=handoff_h)
        self.router = ROUTERS[scenario.routing.policy](desks, scenario.routing, self.kinds)
        self._build_surges()
        self.grid_workers = self.agents.select(agent_type=GridWorker)  # part-timers too
        self._verify_h = scenario.routing.verify_h
        self._overdue = scenario.routing.overdue_escalation
        self._followup = scenario.followup
        self._volunteer_fix_prob = scenario.staffing.volunteer_fix_prob
        self.volunteer_participation = min(
            1.0,
            scenario.staffing.volunteer_participation
            * (
                1.0
                + scenario.incentives.time_bank.participation_gain
                * scenario.incentives.time_bank.enabled
            ),
        )
        self.volunteer_rounds = 0  # rounds made today
        behaviour = scenario.behaviour
        self._petition_after_h = behaviour.petition_after_h if behaviour.enabled else 0.0
        units = {
            "household": self.grid_map.households,
            "shop": self.grid_map.cell_values("shops"),
            "visitor": self.grid_map.cell_values("tourist_load"),
        }
        exposure = np.column_stack([units[kind.spec.per] for kind in self.kinds])
        self.sampler = OccurrenceSampler(self.kinds, exposure, resident_offsets, streams)
        self._rate_elasticity = np.array([k.spec.trust_elasticity for k in self.kinds])
        if not self._rate_elasticity.any():
            self._rate_elasticity = None
        self._rescale_rates()
        self.incidents: list[Incident] = []
        self.hidden: list[list[Incident]] = [[] for _ in range(self.grid_map.n_cells)]
        self.hidden_count = 0
        self._unfinished = 0  # window incidents not yet resolved (and followed up)

    # --- building the world ----------------------------------------------------------

    def _build_residents(self) -> np.ndarray:
        """Resident agents per cell; returns offsets so cell c owns agents [o[c], o[c+1])."""
        per_agent = self.spec.residents.households_per_agent
        share = self.spec.map.vulnerable_share
        offsets, cells, flags = [0], [], []
        self.residents: list[Resident] = []
        for cell, households in enumerate(self.grid_map.households.tolist()):
            n_agents = max(1, math.ceil(households / per_agent))
            sizes = np.full(n_agents, households // n_agents)
            sizes[: households % n_agents] += 1
            vulnerable = self.rng.random(n_agents) < share
            for size, flag in zip(sizes.tolist(), vulnerable.tolist(), strict=True):
                resident = Resident(self, len(self.residents), size, flag)
                resident.cell = self.space[cell]
                self.residents.append(resident)
            offsets.append(offsets[-1] + n_agents)
            cells.extend([cell] * n_agents)
            flags.extend(vulnerable.tolist())
        adjacency = nx.to_scipy_sparse_array(
            self.grid_map.graph, nodelist=range(self.grid_map.n_cells), weight=None
        )
        self.population = Population(
            np.array(cells), np.array(flags), adjacency, self.spec.behaviour, self.rng
        )
        return np.array(offsets)

    def _build_offices(self) -> tuple[list[Office], list[list[list[Office]]]]:
        """One desk per region and tier (per category where the tier is specialised), with
        its staff; ``table[rank][cell][kind]`` is the desk taking that kind there."""
        gm, staffing = self.grid_map, self.spec.staffing
        categories = sorted({kind.spec.category for kind in self.kinds})
        self.offices: list[Office] = []
        table = []
        n_tiers = len(gm.tiers)
        for rank in range(n_tiers):
            level = n_tiers - 1 - rank
            tier = gm.tiers[level]
            bottom = rank == 0
            specialised = tier in staffing.specialised
            groups = categories if specialised else [""]
            servers = staffing.grid_workers_per_grid if bottom else staffing.office_staff[tier]
            regions = []
            for region in range(gm.region_counts[level]):
                desks = {}
                for g, category in enumerate(groups):
                    name = gm.region_name(level, region) + (f"/{category}" if category else "")
                    share = servers // len(groups) + (g < servers % len(groups))
                    desk = self._desk(Office, name, tier, level, region, share)
                    speed = staffing.specialist_speed if specialised else 1.0
                    self._staff(desk, share, speed)
                    if bottom:
                        part = staffing.part_time.per_grid
                        part = part // len(groups) + (g < part % len(groups))
                        self._staff(desk, part, speed, crew=self.part_timers)
                    desks[category] = desk
                regions.append([desks[k.spec.category if specialised else ""] for k in self.kinds])
            table.append([regions[r] for r in gm.ancestors[level].tolist()])
        return self.offices, table

    def _desk(
        self,
        cls: type[Office],
        name: str,
        tier: str,
        level: int,
        region: int,
        servers: int,
        department: str | None = None,
    ) -> Office:
        """A desk at the office of ``region`` of tier ``level``, added to ``self.offices``."""
        gm = self.grid_map
        rank = len(gm.tiers) - 1 - level
        info = OfficeInfo(len(self.offices), name, tier, rank, servers, department)
        travel = gm.travel_from_office[level]
        travel = travel if rank == 0 else travel[region] + gm.within_cell_travel_h
        desk = cls(self, info, travel, DISCIPLINES[self.spec.routing.discipline]())
        desk.cell = self.space[int(gm.office_cells[level][region])]
        self.offices.append(desk)
        return desk

    def _staff(
        self, desk: Office, count: int, speed: float = 1.0, crew: list[Worker] | None = None
    ) -> None:
        """Hire ``count`` handlers of the desk's kind; a ``crew`` (shift or surge) starts off
        duty and comes on when its shift does."""
        scheme = self.incentives
        for _ in range(count):
            if isinstance(desk, Department):
                worker: Worker = DepartmentStaff(self, desk, speed, on_duty=crew is None)
            elif desk.rank > 0:
                worker = OfficeStaff(self, desk, scheme.availability * speed, on_duty=crew is None)
            else:
                cls = PartTimeGridWorker if crew is self.part_timers else GridWorker
                worker = cls(
                    self, desk, scheme.grid_speed * speed, scheme.fail_factor, crew is None
                )
            worker.cell = desk.cell
            desk.hire(worker)
            if crew is None:
                self.ledger.staff_change(0.0, desk.id, worker.role, 1)
            else:
                crew.append(worker)

    def _build_surges(self) -> None:
        """Surge crews, off duty until their surge starts and gone when it ends."""
        tiers = self.grid_map.tiers
        for surge in self.spec.staffing.surge:
            rank = len(tiers) - 1 - tiers.index(surge.tier)
            crew: list[Worker] = []
            for desk in self.offices:
                if desk.rank == rank and desk.info.department is None:
                    self._staff(desk, surge.extra, crew=crew)
            self.schedule(surge.start_day * 24.0, self._clock_on, crew)
            self.schedule((surge.start_day + surge.days) * 24.0, self._clock_off, crew)

    def _build_departments(
        self,
    ) -> tuple[list[dict[int, list[Office]]], dict[str, list[Office]]]:
        """Department desks, at home and sent down; returns, per incident kind, the desks
        owning it at each rank, per cell, and per department its desk nearest each cell."""
        gm, n_tiers = self.grid_map, len(self.grid_map.tiers)
        cells = np.arange(gm.n_cells)
        owners: dict[tuple[str, int], list[Office]] = {}
        nearest: dict[str, list[Office]] = {}
        for name, spec in self.spec.departments.items():
            level = gm.tiers.index(spec.tier)
            desk = self._desk(Department, name, spec.tier, level, 0, spec.staff, name)
            # its staff set out from the office of the tier's region holding the incident
            desk.round_trip_h = (
                2.0
                * (
                    gm.travel_from_office[level][gm.ancestors[level], cells]
                    + gm.within_cell_travel_h
                )
            ).tolist()
            self._staff(desk, spec.staff)
            owners[name, n_tiers - 1 - level] = nearest[name] = [desk] * gm.n_cells
            stationed = self.spec.staffing.sent_down.get(name)
            if stationed is None:
                continue
            level = gm.tiers.index(stationed.tier)
            desks = []
            for region in range(gm.region_counts[level]):
                place = gm.region_name(level, region)
                desks.append(
                    self._desk(
                        Department,
                        f"{name}@{place}",
                        stationed.tier,
                        level,
                        region,
                        stationed.staff,
                        name,
                    )
                )
                self._staff(desks[-1], stationed.staff)
            owners[name, n_tiers - 1 - level] = nearest[name] = [
                desks[r] for r in gm.ancestors[level].tolist()
            ]
        by_kind = [
            {rank: owners[dept, rank] for rank, dept in kind.owner_ranks.items()}
            for kind in self.kinds
        ]
        return by_kind, nearest

    def _build_volunteers(self) -> None:
        for cell in range(self.grid_map.n_cells):
            for _ in range(self.spec.staffing.volunteers_per_cell):
                Volunteer(self).cell = self.space[cell]

    # --- the clock ---------------------------------------------------------------------

    def schedule(self, time_h: float, action: Any, subject: Any) -> None:
        """Call ``action(subject)`` at ``time_h`` (hours); the subject is an incident or a
        crew of workers."""
        heapq.heappush(self._events, (time_h, next(self._order), action, subject))

    def _clock_on(self, crew: list[Worker]) -> None:
        """A shift or surge starts: each of the crew takes the next job or waits free."""
        for worker in crew:
            if worker.leaving:  # still on the last job of a shift that just ended: stays
                worker.leaving = False
                continue
            if worker.on_duty:
                continue
            worker.on_duty = True
            office = worker.office
            self.ledger.staff_change(self.now, office.id, worker.role, 1)
            following = office.queue.pop()
            if following is None:
                office.free.append(worker)
            else:
                self._start(following, office, worker)

    def _clock_off(self, crew: list[Worker]) -> None:
        """A shift or surge ends: the free go home now, the busy once their job is done."""
        for worker in crew:
            if not worker.on_duty:
                continue
            office = worker.office
            if worker in office.free:
                office.free.remove(worker)
                worker.on_duty = False
                self.ledger.staff_change(self.now, office.id, worker.role, -1)
            else:
                worker.leaving = True

    def step(self) -> None:
        """Advance one day: that day's occurrences and events, then the daily tick.

        Occurrences go on through the drain period, outside the measurement window, so
        that the window's last incidents finish in a system as loaded as before; the
        run stops once every window incident is done, or when the drain period ends.
        """
        start = self.day * 24.0
        if start < self.drain_until_h:
            fresh = self.sampler.sample(start, min(24.0, self.drain_until_h - start))
            self.incidents.extend(fresh)
            occur, events, order, push = self._occur, self._events, self._order, heapq.heappush
            for incident in fresh:
                push(events, (incident.occurred_at, next(order), occur, incident))
            window = [
                i.occurred_at for i in fresh if self.warmup_h <= i.occurred_at < self.horizon_h
            ]
            self._unfinished += len(window)
        if self.part_timers:
            shift = self.spec.staffing.part_time
            self.schedule(start + shift.start_h, self._clock_on, self.part_timers)
            self.schedule(start + shift.start_h + shift.hours, self._clock_off, self.part_timers)
        self._process_until(start + 24.0)
        self.now = start + 24.0
        self.day += 1
        self.population.spread()
        self._rescale_rates()
        if self.spec.behaviour.enabled:
            self.grid_workers.do("end_of_day")
        if self.evaluation is not None and self.day % DAYS_PER_MONTH == 0:
            self._evaluate()
        if self.hidden_count:
            self.grid_workers.shuffle_do("patrol")
            if Volunteer in self.agents_by_type:
                self.agents_by_type[Volunteer].shuffle_do("round")
        self.ledger.record_day(
            self.now,
            self.population.mean_trust(),
            self.population.mean_trust(vulnerable=True),
            self.volunteer_rounds,
        )
        self.volunteer_rounds = 0
        past_horizon = self.now >= self.horizon_h
        if past_horizon and (not self._unfinished or self.now >= self.drain_until_h):
            self.running = False

    def _rescale_rates(self) -> None:
        """Rates that answer trust follow each cell's mean trust (see ``trust_elasticity``)."""
        if self._rate_elasticity is None:
            return
        gap = self.spec.behaviour.trust.reference - self.population.cell_trust()
        self.sampler.rescale(np.exp(gap[:, None] * self._rate_elasticity[None, :]))

    def _evaluate(self) -> None:
        """The month's evaluation of every grid worker; effort changes their pace."""
        workers = list(self.grid_workers)
        result = self.evaluation.evaluate(workers)
        for worker in workers:
            worker.set_pace()
        self.ledger.record_evaluation(self.now, result)

    def _process_until(self, end_h: float) -> None:
        events, pop = self._events, heapq.heappop
        while events and events[0][0] < end_h:
            time_h, _, action, incident = pop(events)
            self.now = time_h
            action(incident)

    def run(self) -> Ledger:
        """Run to the horizon plus the drain period; returns the frozen ledger."""
        # The cyclic garbage collector would rescan every live incident record again and
        # again while nothing a run creates needs it: pausing it halves the run time.
        collecting = gc.isenabled()
        gc.disable()
        try:
            while self.running:
                self.step()
            self._freeze()
        finally:
            if collecting:
                gc.enable()
        return self.ledger

    def _freeze(self) -> None:
        self.ledger.freeze(
            self.incidents,
            [office.info for office in self.offices],
            [k.name for k in self.kinds],
            [k.triage for k in self.kinds],
            list(reversed(self.grid_map.tiers)),
            (self.warmup_h, self.horizon_h),
            self.now,
            {
                "scenario": self.spec.name,
                "seed": self.seed,
                "days": self.days,
                "satisfied_at": self.spec.followup.satisfied_at,
                "hourly_cost": self.spec.staffing.hourly_cost.model_dump(),
                "volunteers": len(self.agents_by_type.get(Volunteer, ())),
                "channels": self.channels.names if self.channels is not None else [],
                "banked_h_per_round": (
                    bank.hours_per_round
                    if (bank := self.spec.incentives.time_bank).enabled
                    else 0.0
                ),
            },
        )

    # --- the lifecycle (hot path: keep it lean) -----------------------------------------

    def _occur(self, incident: Incident) -> None:
        self._record((self.now, incident.id, 0, -1, -1))
        kind = self.kinds[incident.kind]
        population, resident = self.population, incident.resident
        incident.vulnerable = population.vulnerable.item(resident)
        if incident.report_u < population.report_probability(resident, kind):
            wait = incident.report_wait * kind.spec.reporting.delay_h
            if wait == 0.0:
                self._report(incident, Channel.RESIDENT)
                return
            wait *= population.delay_factor(resident)
            self.schedule(self.now + wait, self._resident_report, incident)
        self.hidden[incident.cell].append(incident)
        self.hidden_count += 1
        if self._petition_after_h:
            self.schedule(self.now + self._petition_after_h, self._petition, incident)

    def _resident_report(self, incident: Incident) -> None:
        self._found(incident, Channel.RESIDENT)

    def _petition(self, incident: Incident) -> None:
        if not incident.discovered:
            self.population.experience(incident.resident, 0.0)
            self._found(incident, Channel.PETITION)

    def search(self, cell: int, channel: Channel) -> None:
        """One visit to ``cell``: each hidden incident there is found with its detectability
        (a door-to-door visit always finds a vulnerable resident's problem)."""
        hidden = [i for i in self.hidden[cell] if not i.discovered]
        draws = self.patrol_rng.random(len(hidden)).tolist()
        keep = []
        for incident, u in zip(hidden, draws, strict=True):
            if u < self._detect[incident.kind][channel] or (
                channel == Channel.VISIT and incident.vulnerable
            ):
                if channel == Channel.VOLUNTEER and self._settles(incident):
                    self.hidden_count -= 1
                    self._mark_reported(incident, channel)
                    self.schedule(self.now + incident.handling_h[0], self._settled, incident)
                else:
                    self._found(incident, channel)
            else:
                keep.append(incident)
        self.hidden[cell] = keep

    def _settles(self, incident: Incident) -> bool:
        """Whether the volunteer who found ``incident`` settles it on the spot: only a
        household matter the grid could resolve, with ``volunteer_fix_prob``."""
        return (
            self._volunteer_fix_prob > 0.0
            and incident.level == 0
            and self.kinds[incident.kind].triage == "household"
            and self.patrol_rng.random() < self._volunteer_fix_prob
        )

    def _settled(self, incident: Incident) -> None:
        self._close(incident, None, None)

    def _found(self, incident: Incident, channel: Channel) -> None:
        if not incident.discovered:
            self.hidden_count -= 1
            self._report(incident, channel)

    def _report(self, incident: Incident, channel: int) -> None:
        self._mark_reported(incident, channel)
        verify_h = self._verify_h
        if channel == Channel.RESIDENT and self.channels is not None:
            incident.via = self.channels.choose(incident.resident, self._channel_rng.random())
            verify_h = self.channels.verify_h[incident.via]
        if verify_h:
            self.schedule(self.now + verify_h, self._verify, incident)
        else:
            self._verify(incident)

    def _mark_reported(self, incident: Incident, channel: int) -> None:
        now = self.now
        incident.discovered = True
        kind = self.kinds[incident.kind]
        worsen_h = self._worsen_h[incident.kind]
        if worsen_h:
            steps = int((now - incident.occurred_at) / worsen_h)
            incident.severity = min(kind.max_severity, incident.severity + steps)
        incident.reported_at = now
        incident.channel = channel
        incident.deadline_at = now + kind.deadline_h[incident.severity]
        self._record((now, incident.id, 1, -1, int(channel)))

    def _verify(self, incident: Incident) -> None:
        self._record((self.now, incident.id, 2, -1, -1))
        if self._overdue:  # a deadline already passed during verification fires at once
            self.schedule(max(incident.deadline_at, self.now), self._on_deadline, incident)
        if incident.channel == Channel.PETITION:  # the city takes it, skipping the tiers
            desks = self.router.desks
            self._arrive(incident, desks.office(incident, desks.top))
        else:
            self._move(incident, self.router.entry(incident, self.now))

    def _arrive(self, incident: Incident, office: Office) -> None:
        incident.office = office
        record = self._record if incident.joint is None else self._assist
        record((self.now, incident.id, QUEUED, office.id, -1))
        if office.free:
            self._start(incident, office, office.free.pop())
        else:
            incident.waiting_in = office.queue
            office.queue.push(incident)

    def _start(self, incident: Incident, office: Office, worker: Any) -> None:
        incident.worker = worker
        now = self.now
        record = self._record if incident.joint is None else self._assist
        record((now, incident.id, STARTED, office.id, worker.unique_id))
        busy_h = (
            incident.handling_h[office.rank] / worker.speed + office.round_trip_h[incident.cell]
        )
        worker.busy_today += busy_h
        heapq.heappush(self._events, (now + busy_h, next(self._order), self._finish, incident))

    def _finish(self, incident: Incident) -> None:
        office, worker = incident.office, incident.worker
        whole = incident.joint
        if whole is not None:  # one department's part of a joint response is done
            self._assist((self.now, whole.id, RESOLVED, office.id, worker.unique_id))
            whole.pending -= 1
            if not whole.pending:
                self._close(whole, whole.office, None)
        elif self.router.resolves(incident, office):
            self._close(incident, office, worker)
        else:
            self._record((self.now, incident.id, ESCALATED, office.id, worker.unique_id))
            self._hand_up(incident, office)
        if worker.leaving:  # the shift is over: off duty now that this job is done
            worker.leaving = worker.on_duty = False
            self.ledger.staff_change(self.now, office.id, worker.role, -1)
            return
        following = office.queue.pop()
        if following is None:
            office.free.append(worker)
        else:
            self._start(following, office, worker)

    def _close(self, incident: Incident, office: Office | None, worker: Worker | None) -> None:
        """Resolved at ``office`` by ``worker``: worker None for a joint response, both
        None for a volunteer who settled it on the spot."""
        actor = -1 if worker is None else worker.unique_id
        self._record((self.now, incident.id, RESOLVED, -1 if office is None else office.id, actor))
        incident.resolved_at = self.now
        if worker is not None and office.rank == 0:
            if self.evaluation is not None:
                worker.tally["closed"] += 1
                worker.tally["on_time"] += self.now <= incident.deadline_at
            care = 1.0 + worker.effort  # effort is speed and care: fewer fixes fail
            if incident.fail_u < self._fail_prob[incident.kind] * worker.fail_factor / care:
                self._fix_failed(incident)
        if incident.followup_u < self._followup.prob:
            self.schedule(self.now + self._followup.delay_h, self._follow_up, incident)
        else:
            self._done(incident)

    def _fix_failed(self, incident: Incident) -> None:
        """Closed, but the fix does not hold: the same problem occurs again later."""
        incident.failed = True
        if self.evaluation is not None:
            incident.worker.tally["failed"] += 1
        again = self.now + incident.recur_wait * self.kinds[incident.kind].spec.recur_h
        self._unfinished += self.warmup_h <= again < self.horizon_h
        self.schedule(again, self._recur, incident)

    def _recur(self, parent: Incident) -> None:
        # made only now, so that incident ids stay positions in self.incidents
        recurrence = self.sampler.recurrence(parent, self.now)
        self.incidents.append(recurrence)
        self._occur(recurrence)

    def _hand_up(self, incident: Incident, office: Office) -> None:
        move = self.router.escalate(incident, office, self.now)
        incident.handoffs += 1
        summoned = self.router.summons(incident, office)
        if summoned:
            incident.office = move[0]
            self.schedule(self.now + move[1], self._convene, (incident, summoned))
        else:
            self._move(incident, move)

    def _convene(self, joint: tuple[Incident, list[Office]]) -> None:
        """A joint response (fork-join): every summoned department takes its part at once,
        each part queued and handled at its own desk; the incident is resolved when the
        last part is done. The lead's part takes the incident's own handling time, the
        others their own draws of the type's handling distribution."""
        incident, desks = joint
        lead = incident.office
        self._record((self.now, incident.id, QUEUED, lead.id, -1))
        self._record((self.now, incident.id, STARTED, lead.id, -1))
        incident.pending = len(desks)
        kind = self.kinds[incident.kind]
        draws = self._joint_rng.random(len(desks)).tolist()
        for desk, u in zip(desks, draws, strict=True):
            part = copy.copy(incident)
            part.joint = incident
            if desk is not lead:
                part.handling_h = list(incident.handling_h)
                part.handling_h[desk.rank] = handling_time(kind.handling[desk.rank], u)
            self._arrive(part, desk)

    def _move(self, incident: Incident, move: tuple[Office, float]) -> None:
        target, delay = move
        if delay:
            incident.office = target
            self.schedule(self.now + delay, self._handed_over, incident)
        else:
            self._arrive(incident, target)

    def _handed_over(self, incident: Incident) -> None:
        self._arrive(incident, incident.office)

    def _on_deadline(self, incident: Incident) -> None:
        office = incident.office
        if incident.waiting_in is not None and office.rank < self.router.desks.top:
            incident.waiting_in = None
            self._record((self.now, incident.id, ESCALATED, office.id, -1))
            self._hand_up(incident, office)

    def _follow_up(self, incident: Incident) -> None:
        spec = self._followup
        taken = incident.resolved_at - incident.reported_at
        allowed = incident.deadline_at - incident.reported_at
        late = max(0.0, taken / allowed - 1.0)
        closer = incident.worker
        by_grid = closer is not None and incident.office.rank == 0
        rating = (
            spec.base_rating
            - spec.per_overdue_deadline * late
            - spec.per_handoff * incident.handoffs
            - spec.per_failed_fix * incident.failed
            + spec.noise_sd * incident.rating_z
            + (self._effort_care * closer.effort if by_grid else 0.0)
        )
        incident.rating = min(5.0, max(1.0, rating))
        if self.evaluation is not None and by_grid:
            closer.tally["rated"] += 1
            closer.tally["satisfied"] += incident.rating >= spec.satisfied_at
        self.population.experience(incident.resident, (incident.rating - 1.0) / 4.0)
        self._record((self.now, incident.id, State.FOLLOWED_UP, -1, -1))
        self._done(incident)

    def _done(self, incident: Incident) -> None:
        if self.warmup_h <= incident.occurred_at < self.horizon_h:
            self._unfinished -= 1


def simulate(scenario: Scenario, seed: int = 0, days: float | None = None) -> Ledger:
    """Build a model, run it to the end and return its ledger."""
    return GovernanceModel(scenario, seed=seed, days=days).run()
