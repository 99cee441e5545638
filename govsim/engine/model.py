"""GovernanceModel: wires a run's parts together and runs its clock day by day.

Time is continuous, in hours. The parts, each with one job:

- ``clock`` (``govsim.engine.clock``): the time and the heap of events still to happen;
- ``WorldBuilder`` (``govsim.engine.build``): residents, desks, staff, departments,
  volunteers and surge crews, from the scenario;
- ``lifecycle`` (``govsim.engine.lifecycle``): every incident from occurrence to
  follow-up, as events on the clock, into the ledger;
- ``patrols`` (``govsim.engine.patrols``): the searches grid workers and volunteers make;
- ``crews`` (``govsim.engine.crews``): shift and surge crews on and off duty;
- the policies: routing, the periodic evaluation, incentives, the follow-up rating.

Mesa's ``step()`` is the daily tick on which slow behaviour runs over AgentSets.
"""

from __future__ import annotations

import gc

import mesa
from mesa.discrete_space import Network

from govsim.agents import ChannelChoice, GridWorker, Volunteer
from govsim.engine import mesa_ids  # noqa: F401 - frees finished models (installs on import)
from govsim.engine.build import WorldBuilder, exposure
from govsim.engine.clock import Clock
from govsim.engine.crews import Crews
from govsim.engine.demand import demand_curve
from govsim.engine.incidents import IncidentKind, OccurrenceSampler
from govsim.engine.lifecycle import Lifecycle
from govsim.engine.patrols import Patrols
from govsim.engine.rates import RateFactors
from govsim.engine.streams import make_streams
from govsim.policies.evaluation import DAYS_PER_MONTH
from govsim.policies.followup import FollowUpRating
from govsim.policies.incentives import IncentiveScheme
from govsim.record.ledger import Ledger
from govsim.registry import EVALUATION, ROUTING
from govsim.world.calendar import Calendar
from govsim.world.geography import GridMap, scenario_map
from govsim.world.scenario import Scenario, check_run_days
from govsim.world.window import Window


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
        self.window = window = Window.of(scenario, days)
        self.days, self.horizon_h = window.days, window.horizon_h
        self.warmup_h, self.drain_until_h = window.warmup_h, window.drain_until_h
        if days is not None:  # a length given outside the file: the file's caps apply
            check_run_days(scenario, self.days)
        self.day = 0
        self.clock = Clock()
        self.ledger = Ledger()
        self.grid_map: GridMap = scenario_map(scenario.map)  # the city is not noise
        self.space = Network(self.grid_map.graph, random=self.random)
        self.kinds = [
            IncidentKind(i, name, spec, scenario)
            for i, (name, spec) in enumerate(scenario.incidents.items())
        ]
        self.incentives = IncentiveScheme(scenario)
        points = scenario.incentives.points
        self.evaluation = EVALUATION[points.scheme](scenario) if points.enabled else None
        self._evaluation_days = getattr(self.evaluation, "period_days", DAYS_PER_MONTH)

        world = WorldBuilder(
            self, self.space, self.grid_map, self.kinds, self.incentives, self.ledger
        ).build()
        self.population = world.population
        channels = scenario.residents.channels
        self.channels = ChannelChoice(channels, self.population) if channels else None
        self.offices, self.office_table = world.offices, world.office_table
        self.router = ROUTING[scenario.routing.policy](world.desks, scenario.routing, self.kinds)
        self.grid_workers = self.agents.select(agent_type=GridWorker)  # part-timers too
        self.sampler = OccurrenceSampler(
            self.kinds,
            exposure(self.grid_map, self.kinds),
            world.resident_offsets,
            streams,
            demand_curve(scenario, self.drain_until_h),
            scenario.routing.recognise,
        )
        self.rates = RateFactors(scenario, self.kinds, self.grid_map.n_cells, self.sampler)
        self.rates.update(self.population)

        self.calendar = Calendar(scenario.calendar)
        self.crews = Crews(
            self.clock,
            self.ledger,
            self.calendar,
            scenario.rosters,
            world.crews,
            self.offices,
            streams["rota"],
            world.duty_desks,
            world.duty_from_rank,
        )
        self.crews.schedule_surges(world.surges)
        self.lifecycle = Lifecycle(
            scenario,
            self.clock,
            self.ledger,
            self.kinds,
            self.sampler,
            self.population,
            self.channels,
            self.router,
            self.evaluation,
            FollowUpRating(scenario.followup, points.effort_care),
            streams,
            (self.warmup_h, self.horizon_h),
            self.grid_map.n_cells,
            self.crews,
        )
        self.crews.start = self.lifecycle.start
        self.incidents = self.lifecycle.incidents
        self.patrols = Patrols(
            self.lifecycle, scenario, self.kinds, streams["patrol"], self.clock, streams["rounds"]
        )

    @property
    def now(self) -> float:
        """The model's time, in hours since the start of the run."""
        return self.clock.now

    def step(self) -> None:
        """Advance one day: that day's occurrences and events, then the daily tick.

        Occurrences go on through the drain period, outside the measurement window, so
        that the window's last incidents finish in a system as loaded as before; the
        run stops once every window incident is done, or when the drain period ends.
        """
        start = self.day * 24.0
        if start < self.drain_until_h:
            self.lifecycle.occur_over(start, min(24.0, self.drain_until_h - start))
        self.crews.schedule_day(self.day)
        if self.patrols.in_hours and self.patrols.anyone:  # rounds planned in working hours
            self._rounds()
        self.clock.run_until(start + 24.0)
        self.day += 1
        self.population.spread()
        self.rates.update(self.population)
        if self.spec.behaviour.enabled:
            self.grid_workers.do("end_of_day")
        if self.evaluation is not None and self.day % self._evaluation_days == 0:
            self._evaluate()
        if not self.patrols.in_hours and self.lifecycle.hidden_count:
            self._rounds()
        self.ledger.record_day(
            self.now,
            self.population.mean_trust(),
            self.population.mean_trust(vulnerable=True),
            self.patrols.take_rounds(),
        )
        past_horizon = self.now >= self.horizon_h
        if past_horizon and (not self.lifecycle.unfinished or self.now >= self.drain_until_h):
            self.running = False

    def _rounds(self) -> None:
        """Grid workers' and volunteers' rounds of the day (``Patrols``)."""
        self.grid_workers.shuffle_do("patrol", self.patrols)
        if Volunteer in self.agents_by_type:
            self.agents_by_type[Volunteer].shuffle_do("round", self.patrols)
        self.patrols.schedule()

    def _evaluate(self) -> None:
        """The period's evaluation of every grid worker; effort changes their pace."""
        workers = list(self.grid_workers)
        result = self.evaluation.evaluate(workers)
        for worker in workers:
            worker.set_pace()
        self.ledger.record_evaluation(self.now, result)

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
                "start_date": self.spec.calendar.start_date.isoformat(),
                "satisfied_at": self.spec.followup.satisfied_at,
                "pay_per_excellent": self.spec.incentives.points.pay_per_excellent,
                "hourly_cost": self.spec.staffing.hourly_cost.model_dump(),
                "volunteers": len(self.agents_by_type.get(Volunteer, ())),
                "households": float(self.grid_map.households.sum()),
                "channels": self.channels.names if self.channels is not None else [],
                "banked_h_per_round": (bank := self.spec.incentives.time_bank).hours_per_round
                * bank.enabled,
                "counted_as": [k.spec.counted_as or k.name for k in self.kinds],
            },
        )


def simulate(scenario: Scenario, seed: int = 0, days: float | None = None) -> Ledger:
    """Build a model, run it to the end and return its ledger."""
    return GovernanceModel(scenario, seed=seed, days=days).run()
