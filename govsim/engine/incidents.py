"""Incidents: their lifecycle states, the light record each one is, and how they occur.

An incident is a slots record, not a Mesa agent: a year of a city holds hundreds of
thousands of them. All random draws an incident needs are made when it occurs, in
vectorised blocks, each from its own stream (occurrence, handling, reporting), so that
a policy that changes handling or routing faces the very same incidents (common random
numbers), and handling times are coupled by inverse transform (a larger mean stretches
the same draw).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from scipy import special

from govsim.engine.demand import DemandCurve
from govsim.world.escalation import Recognition
from govsim.world.scenario import HOURS_PER_YEAR, Handling, IncidentType, Scenario


class State(IntEnum):
    """Lifecycle states recorded in the ledger (the five-step method)."""

    OCCURRED = 0  # exists, nobody official knows: hidden
    REPORTED = 1  # discovered by a resident, patrol or volunteer; awaiting verification
    VERIFIED = 2  # verified and triaged; being routed
    QUEUED = 3  # waiting at an office
    STARTED = 4  # a handler is on it (travel + handling)
    ESCALATED = 5  # handed up; in transit to the next office
    RESOLVED = 6  # closed
    FOLLOWED_UP = 7  # follow-up visit made and satisfaction rated


#: The transitions the lifecycle allows; conservation tests check the ledger against it.
NEXT_STATES: dict[State, frozenset[State]] = {
    State.OCCURRED: frozenset({State.REPORTED}),
    State.REPORTED: frozenset({State.VERIFIED, State.RESOLVED}),  # settled by a volunteer
    State.VERIFIED: frozenset({State.QUEUED}),
    State.QUEUED: frozenset({State.STARTED, State.ESCALATED}),
    State.STARTED: frozenset({State.RESOLVED, State.ESCALATED}),
    State.ESCALATED: frozenset({State.QUEUED}),
    State.RESOLVED: frozenset({State.FOLLOWED_UP}),
    State.FOLLOWED_UP: frozenset(),
}


class Channel(IntEnum):
    """Who discovered an incident (the actor of its REPORTED row)."""

    RESIDENT = 0
    PATROL = 1
    VOLUNTEER = 2
    PETITION = 3  # a problem left hidden so long the resident went to the city
    VISIT = 4  # a grid worker's door-to-door visit


@dataclass(slots=True, eq=False)
class Incident:
    """One incident's identity, its pre-drawn randomness and its mutable lifecycle state.

    Times are hours since the start of the run; ``level`` is the rank (0 = cell tier,
    counting up) of the lowest tier able to resolve it; ``handling_h[rank]`` is the
    handling time it needs at that tier.
    """

    id: int
    kind: int
    cell: int
    resident: int
    severity: int
    level: int
    occurred_at: float
    handling_h: list[float]
    report_u: float
    report_wait: float
    followup_u: float
    rating_z: float
    route_u: float
    route_e: float
    fail_u: float
    recur_wait: float
    parent: int = -1  # the incident this one is a recurrence of
    failed: bool = False  # closed, but the fix did not hold
    vulnerable: bool = False
    discovered: bool = False
    channel: int = -1
    via: int = -1  # the reporting channel a resident used (``residents.channels``), if any
    reported_at: float = float("nan")
    deadline_at: float = float("inf")
    resolved_at: float = float("nan")
    rating: float = float("nan")
    handoffs: int = 0
    office: object = None
    worker: object = None
    waiting_in: object = None  # the queue it waits in, if any
    joint: object = None  # a part of a joint response: the incident it is part of
    pending: int = 0  # parts of its joint response still under way


class IncidentKind:
    """An incident type compiled for the engine: arrays and lookups instead of a schema."""

    def __init__(self, index: int, name: str, spec: IncidentType, scenario: Scenario) -> None:
        ranks = {tier: rank for rank, tier in enumerate(reversed(scenario.tiers))}
        self.index, self.name, self.spec = index, name, spec
        self.triage = spec.triage
        self.report_prob = spec.reporting.prob
        self.severity_levels = np.array(sorted(spec.severity), dtype=np.int64)
        self.severity_cdf = np.cumsum([spec.severity[s] for s in self.severity_levels])
        self.max_severity = int(self.severity_levels.max())
        # worsening can push a severity past the listed levels: those take the last deadline
        top_deadline = spec.deadline_h[max(spec.deadline_h)]
        self.deadline_h = [
            spec.deadline_h.get(s, top_deadline) for s in range(self.max_severity + 1)
        ]
        sent_down = scenario.staffing.sent_down
        self.owner_ranks: dict[int, str] = {}
        for dept in reversed(spec.departments):
            self.owner_ranks[ranks[scenario.departments[dept].tier]] = dept
            if dept in sent_down:
                self.owner_ranks[ranks[sent_down[dept].tier]] = dept
        if spec.triage == "government":
            lead = spec.departments[0]
            home = ranks[scenario.departments[lead].tier]
            levels = {home: 1.0}
            if lead in sent_down:  # its stationed staff resolve a share on site
                on_site = sent_down[lead].resolves
                levels = {ranks[sent_down[lead].tier]: on_site, home: 1.0 - on_site}
        else:
            levels = {ranks[t]: p for t, p in spec.resolvable_at.items()} or {0: 1.0}
        levels = {rank: share for rank, share in levels.items() if share > 0.0}
        self.level_values = np.array(sorted(levels), dtype=np.int64)
        self.level_cdf = np.cumsum([levels[r] for r in self.level_values])
        self.handling = [
            spec.handling.get(tier, spec.handling.get("default"))
            for tier in reversed(scenario.tiers)
        ]


#: Below this coefficient of variation a handling time is fixed: the spread is under float
#: precision of the mean, and the gamma's shape 1 / cv² would overflow.
FIXED_BELOW_CV = 1e-6


def handling_time(spec: Handling, u: float) -> float:
    """One handling time (h) at probability ``u`` (see ``handling_quantile``)."""
    return float(handling_quantile(spec, np.array([u]))[0])


def handling_quantile(spec: Handling, u: np.ndarray) -> np.ndarray:
    """Handling times (h) at probabilities ``u`` by inverse transform of the distribution."""
    if spec.dist == "fixed":
        return np.full_like(u, spec.mean_h)
    if spec.dist == "exponential":
        return -spec.mean_h * np.log1p(-u)
    if spec.cv < FIXED_BELOW_CV:
        return np.full_like(u, spec.mean_h)
    if spec.dist == "lognormal":
        sigma2 = np.log1p(spec.cv**2)
        return np.exp(np.log(spec.mean_h) - sigma2 / 2 + np.sqrt(sigma2) * special.ndtri(u))
    shape = 1.0 / spec.cv**2
    return special.gammaincinv(shape, u) * (spec.mean_h / shape)


class OccurrenceSampler:
    """Draws the incidents that occur in a window, cell by cell and type by type.

    Occurrences are a Poisson process with rate ``exposure[cell, kind] * rate[kind]`` per
    year for every (cell, kind) pair, the exposure being the cell's households, shops or
    daily visitors (the type's ``per``); each occurrence picks a resident agent of its
    cell uniformly. With a ``demand`` curve the process is non-homogeneous: a day's
    candidates are drawn at each pair's highest rate of that day and thinned by the hour
    profile (Lewis–Shedler), the acceptance draws coming from their own stream.
    With ``recognise`` (``routing.recognise``) a tier below an incident's capable one
    that recognises it as beyond it spends only the triage time on it.
    """

    def __init__(
        self,
        kinds: list[IncidentKind],
        exposure: np.ndarray,
        resident_offsets: np.ndarray,
        streams: dict[str, np.random.Generator],
        demand: DemandCurve | None = None,
        recognise: Recognition | None = None,
    ) -> None:
        self.kinds = kinds
        rates = np.array([k.spec.rate for k in kinds]) / HOURS_PER_YEAR
        self.base_rates = exposure * rates  # per (cell, kind), per hour
        self.demand = demand
        self.rescale(np.ones_like(self.base_rates))
        self.n_kinds = len(kinds)
        self.resident_offsets = resident_offsets
        self.n_ranks = len(kinds[0].handling)
        self.occurrence = streams["occurrence"]
        self.thinning = streams["demand"]
        # per-incident draws, each from its own stream (occurrence, handling, reporting …)
        self.streams = tuple(
            streams[name] for name in ("occurrence", "handling", "reporting", "routing", "quality")
        )
        self.recurring = streams["recurrence"]
        self.recognise = recognise if recognise is not None and recognise.prob else None
        self.escalation = streams["escalation"]
        self.next_id = 0

    def rescale(self, factors: np.ndarray) -> None:
        """Set each (cell, kind) rate to its base rate × ``factors[cell, kind]``.

        ``rate_per_h`` is then their total, the long-run rate (the demand curve's
        profiles have mean 1; its windows come on top).
        """
        self.pair_rates = self.base_rates * factors
        self.rate_per_h, self.pair_cdf = _total_and_cdf(self.pair_rates.ravel())

    def sample(self, start_h: float, hours: float) -> list[Incident]:
        """Incidents occurring in ``[start_h, start_h + hours)``, in time order.

        With a demand curve the interval must lie within one day (the model samples day
        by day): candidates at the day's peak rates, thinned by the hour profile.
        """
        demand = self.demand
        rate_per_h, pair_cdf = self.rate_per_h, self.pair_cdf
        if demand is not None:
            day = int(start_h // 24.0)
            peaks = self.pair_rates * (demand.daily[day] * demand.hour_peak)
            rate_per_h, pair_cdf = _total_and_cdf(peaks.ravel())
        rng = self.occurrence
        n = int(rng.poisson(rate_per_h * hours))
        times = np.sort(rng.uniform(start_h, start_h + hours, n))
        pair = np.minimum(np.searchsorted(pair_cdf, rng.random(n), side="right"), pair_cdf.size - 1)
        cells, kinds = np.divmod(pair, self.n_kinds)
        lo, hi = self.resident_offsets[cells], self.resident_offsets[cells + 1]
        residents = lo + (rng.random(n) * (hi - lo)).astype(np.int64)
        if demand is not None and demand.thins:
            hour = np.minimum((times - day * 24.0).astype(np.int64), 23)
            kept = self.thinning.random(n) < demand.acceptance(kinds, hour)
            times, cells, kinds, residents = times[kept], cells[kept], kinds[kept], residents[kept]
        return self._build(times, cells, kinds, residents, *self.streams)

    def recurrence(self, parent: Incident, time_h: float) -> Incident:
        """The same problem back at ``time_h`` after a fix that did not hold.

        Its own draws come from the recurrence stream, so recurrences never shift the
        incidents every policy shares.
        """
        one = np.array
        g = self.recurring
        (incident,) = self._build(
            one([time_h]),
            one([parent.cell]),
            one([parent.kind]),
            one([parent.resident]),
            g,
            g,
            g,
            g,
            g,
        )
        incident.parent = parent.id
        return incident

    def _build(
        self,
        times: np.ndarray,
        cells: np.ndarray,
        kinds: np.ndarray,
        residents: np.ndarray,
        occurrence: np.random.Generator,
        handling_rng: np.random.Generator,
        reporting: np.random.Generator,
        routing: np.random.Generator,
        quality: np.random.Generator,
    ) -> list[Incident]:
        """Incident records for given times, cells, kinds and residents, with all their draws."""
        n = times.size
        u_sev, u_level = occurrence.random(n), occurrence.random(n)
        severity = np.empty(n, dtype=np.int64)
        level = np.empty(n, dtype=np.int64)
        handling = np.empty((n, self.n_ranks))
        u_handling = handling_rng.random((n, self.n_ranks))
        for index in np.unique(kinds).tolist():  # only the kinds present: one for a recurrence
            kind, mask = self.kinds[index], kinds == index
            severity[mask] = _pick(kind.severity_levels, kind.severity_cdf, u_sev[mask])
            level[mask] = _pick(kind.level_values, kind.level_cdf, u_level[mask])
            for rank, spec in enumerate(kind.handling):
                handling[mask, rank] = handling_quantile(spec, u_handling[mask, rank])
        if self.recognise is not None:
            self._recognise(handling, level)
        first = self.next_id
        self.next_id += n
        columns = (
            range(first, first + n),
            kinds.tolist(),
            cells.tolist(),
            residents.tolist(),
            severity.tolist(),
            level.tolist(),
            times.tolist(),
            handling.tolist(),
            reporting.random(n).tolist(),
            reporting.exponential(1.0, n).tolist(),
            reporting.random(n).tolist(),
            reporting.standard_normal(n).tolist(),
            routing.random(n).tolist(),
            routing.exponential(1.0, n).tolist(),
            quality.random(n).tolist(),
            quality.exponential(1.0, n).tolist(),
        )
        return list(map(Incident, *columns))

    def _recognise(self, handling: np.ndarray, level: np.ndarray) -> None:
        """Cut the handling time (h) at each tier below an incident's level to the triage
        time where that tier recognises it as beyond it (one draw per incident and tier,
        from the escalation stream, so that other draws stay as they are)."""
        recognise = self.recognise
        below = np.arange(self.n_ranks)[None, :] < level[:, None]
        quick = below & (self.escalation.random(handling.shape) < recognise.prob)
        np.minimum(handling, recognise.h, out=handling, where=quick)


def _total_and_cdf(pair_rates: np.ndarray) -> tuple[float, np.ndarray]:
    """The total of the (cell, kind) rates (per h) and their cumulative shares."""
    total = float(pair_rates.sum())
    return total, np.cumsum(pair_rates) / max(total, 1e-300)


def _pick(values: np.ndarray, cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draws from a discrete distribution (``values`` with cumulative ``cdf``)."""
    return values[np.minimum(np.searchsorted(cdf, u, side="right"), values.size - 1)]
