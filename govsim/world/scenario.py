"""Scenario files: the world a run simulates, as validated, documented data.

A scenario is a YAML file. Every number in it is a named parameter reachable by a
dotted path (``incidents.dispute.rate``, ``staffing.grid_workers_per_grid``,
``map.per_parent.grid``) that ``--set PATH=VALUE`` can override and ``govsim params``
lists with its type and allowed range. Times are in hours, rates per household-year.

Every number has a finite range: NaN and infinity are refused everywhere, times are at
most ``MAX_HOURS``, and what a run creates (cells, agents, incidents, patrol visits) is
capped by ``cross_check`` so that any valid scenario runs in bounded time and memory.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    ValidationError,
)
from pydantic.fields import FieldInfo

from govsim import shipped
from govsim.errors import ScenarioError
from govsim.registry import DISCIPLINES, DISPATCH, EVALUATION, ROUTING
from govsim.world.calendar import CalendarSpec
from govsim.world.demand import DemandSpec
from govsim.world.escalation import Compliance, Petitions, Recognition
from govsim.world.fields import (  # noqa: F401 (re-exported: the schema's names)
    HOURS_PER_YEAR,
    MAX_AGENTS,
    MAX_CELLS,
    MAX_DESK_CELLS,
    MAX_FAIL,
    MAX_HOURS,
    MAX_INCIDENTS,
    MAX_PATROL_VISITS,
    MAX_SEVERITY,
    MIN_HOURS,
    Elasticity,
    Gain,
    Hours,
    Money,
    NoBoolNumbers,
    Points100,
    PositiveHours,
    Probability,
    RatingPoints,
    RegionCount,
    Registered,
    Spec,
    TierName,
    WeekHours,
)
from govsim.world.levers import apply_relative, looks_relative, parse_relative
from govsim.world.property import PropertySpec, check_property
from govsim.world.rosters import Rosters, roster_problems
from govsim.world.window import MAX_DAYS, MIN_DAYS, check_days
from govsim.world.yamlfile import DuplicateKeyError, load_yaml

TRIAGE_CLASSES = ("household", "community", "government")


class Handling(Spec):
    """Distribution of the hours one worker spends handling an incident at a tier."""

    dist: Literal["exponential", "lognormal", "gamma", "fixed"] = Field(
        "exponential", description="distribution family"
    )
    mean_h: PositiveHours = Field(2.0, description="mean handling time (h)")
    cv: float = Field(
        1.0,
        ge=0.0,
        le=10.0,
        description="coefficient of variation (lognormal and gamma only); ≤ 10: beyond any "
        "measured handling times, and larger values put the mean in rare enormous draws",
    )


class Reporting(Spec):
    """How residents report an incident they live with."""

    prob: Probability = Field(
        0.7,
        description="probability a resident reports it (default 0.7: assumption; the presets "
        "set theirs per type)",
    )
    delay_h: Hours = Field(
        12.0, description="mean delay from occurrence to report (h); default 12 h: assumption"
    )


class Detectability(Spec):
    """Chance that one patrol, door-to-door visit or volunteer round finds a hidden incident."""

    patrol: Probability = Field(
        0.3, description="per grid-worker patrol visit (probability); default: assumption"
    )
    visit: Probability = Field(
        0.6,
        description="per door-to-door visit (vulnerable residents' problems: always) "
        "(probability); default: assumption",
    )
    volunteer: Probability = Field(
        0.1, description="per volunteer daily round (probability); default: assumption"
    )


class IncidentType(Spec):
    """One kind of incident: how often it occurs, how bad, who owns it, how long it takes."""

    category: str = Field("general", description="category label for tables and plots")
    counted_as: str | None = Field(
        None,
        description="the source text's category this type counts under, for its volume "
        "(e.g. Zhenyuan's 社情民意 'opinions collected'): the counts per category of "
        "``govsim.record.volumes``; default (None): the type's own name",
    )
    triage: Literal["household", "community", "government"] = Field(
        "community", description="three-way triage class"
    )
    rate: float = Field(
        ge=0.0,
        le=1000.0,
        description="occurrences per year per unit of ``per``; ≤ 1,000 (three a day per "
        "unit): beyond any real demand",
    )
    trust_elasticity: Elasticity = Field(
        0.0,
        description="rate × exp(elasticity × (trust.reference − the cell's mean trust)): "
        "> 0, it flares where trust is low (disputes), boundedly (trust is 0–1); within "
        "±10, so a rate changes at most e^10-fold",
    )
    per: Literal["household", "shop", "visitor"] = Field(
        "household",
        description="what the rate counts: households, shops, or daily visitors of a cell",
    )
    severity: dict[int, Probability] = Field(
        default_factory=lambda: {1: 1.0}, description="share of occurrences per severity level"
    )
    deadline_h: dict[int, PositiveHours] = Field(
        default_factory=lambda: {1: 72.0}, description="deadline from report, per severity (h)"
    )
    departments: list[str] = Field(
        default_factory=list, description="owning departments (government matters)"
    )
    resolvable_at: dict[str, Probability] = Field(
        default_factory=dict,
        description="share whose lowest capable tier is each tier (default: the bottom tier)",
    )
    handling: dict[str, Handling] = Field(
        default_factory=lambda: {"default": Handling()},
        description="handling time per tier name, or 'default'",
    )
    reporting: Reporting = Field(
        default_factory=Reporting, description="how residents report it (reported incidents)"
    )
    detectability: Detectability = Field(
        default_factory=Detectability,
        description="how visits find it while nobody has reported it (hidden incidents)",
    )
    worsen_h: Hours = Field(
        0.0, description="hours hidden per extra severity level (0: never worsens); assumption"
    )
    ambiguity: Probability = Field(
        0.0, description="how unclear ownership is: the chance nobody claims a post (0–1)"
    )
    fail_prob: Probability = Field(
        0.0,
        description="chance a grid worker's fix does not hold, at normal effort; default 0: "
        "assumption (no text gives a number)",
    )
    recur_h: PositiveHours = Field(
        168.0, description="mean time until a failed fix recurs (h); assumption"
    )


class MapSpec(Spec):
    """The region tree and the graph of cells (see ``govsim.world.geography``).

    Built by a generator (``lattice``, ``random_geometric``) or read from a file. A GraphML
    file holds the cells as nodes (one attribute per tier naming the cell's region, e.g.
    ``community: A``; optional ``households``, ``population``, ``vulnerable_share``,
    ``shops``, ``tourist_load``, ``x``, ``y``) and edges with ``travel_h``. A GeoJSON file
    holds the cells as Polygon features with the same properties; cells whose polygons
    share a stretch of border are neighbours, ``speed_kmh`` apart from centroid to
    centroid (needs the ``geo`` extra: shapely). Relative file paths are read from the
    scenario file's folder.
    """

    tiers: list[TierName] = Field(
        default_factory=lambda: ["city", "street", "community", "grid"],
        min_length=3,
        max_length=5,
        description="region tiers top to bottom; the last is the map cell",
    )
    per_parent: dict[str, RegionCount | list[RegionCount]] = Field(
        default_factory=lambda: {"street": 1, "community": 4, "grid": 6},
        description="regions of each tier inside one region of the tier above, or a list "
        "with one count per region of the tier above (an uneven tree, lattice maps only)",
    )
    generator: Literal["lattice", "random_geometric", "graphml", "geojson"] = Field(
        "lattice",
        description="how cells are laid out: a lattice per region, random geometric "
        "points linked within radius_km, the GraphML file, or the GeoJSON file's polygons",
    )
    graphml: str | None = Field(None, description="GraphML file (generator: graphml)")
    geojson: str | None = Field(
        None, description="GeoJSON file of grid-cell polygons (generator: geojson)"
    )
    coordinates: Literal["lonlat", "metres"] = Field(
        "lonlat", description="how the GeoJSON file gives positions (generator: geojson)"
    )
    households_per_cell: float = Field(
        800.0,
        gt=0.0,
        le=1_000_000.0,
        description="mean households per cell (≤ 10^6: a grid cell is a few hundred)",
    )
    households_cv: float = Field(
        0.0,
        ge=0.0,
        le=3.0,
        description="spread of households across cells; ≤ 3: beyond this most cells draw "
        "one household and a few draw the whole city",
    )
    household_size: float = Field(
        2.8, gt=0.0, le=100.0, description="residents per household (≤ 100)"
    )
    vulnerable_share: Probability = Field(0.1, description="share of vulnerable residents")
    shops_per_cell: int = Field(
        0, ge=0, le=100_000, description="shops per cell (≤ 100,000: more than any city block)"
    )
    tourist_load: float = Field(
        0.0,
        ge=0.0,
        le=1_000_000.0,
        description="visitors per cell-day (≤ 10^6: more than any city district receives)",
    )
    edge_travel_h: Hours = Field(
        0.1,
        description="travel time between adjacent cells (h); assumption: the presets take 0.15 h",
    )
    within_cell_travel_h: Hours = Field(
        0.05, description="travel time inside a cell (h); assumption: the presets take 0.1 h"
    )
    radius_km: float = Field(
        0.8, gt=0.0, le=1000.0, description="link radius (random_geometric; ≤ 1,000 km)"
    )
    speed_kmh: float = Field(
        15.0,
        ge=0.1,
        le=1000.0,
        description="travel speed (random_geometric, geojson); 0.1–1,000 km/h, so travel "
        "times stay finite",
    )
    seed: int = Field(
        0,
        ge=0,
        le=2**63 - 1,
        description="seed of the map's random draws (the same city in every run)",
    )


class HourlyCost(Spec):
    """What an hour of each role costs (currency units per paid staff-hour).

    Staff are paid for their rostered hours (around the clock for a group without a
    roster), part-timers for their shift, surge staff for the surge (its shift, if it
    names one); overtime at ``rosters.overtime_rate``.
    """

    grid_worker: Money = Field(
        30.0, description="cost per grid-worker hour (currency units); assumption"
    )
    part_time: Money = Field(
        25.0, description="cost per part-time grid-worker hour (currency units); assumption"
    )
    office_staff: Money = Field(
        40.0, description="cost per office-staff hour (currency units); assumption"
    )
    department_staff: Money = Field(
        50.0, description="cost per department-staff hour (currency units); assumption"
    )


class PartTime(Spec):
    """Part-time grid workers (delivery riders, drivers): on duty in a daily window only."""

    per_grid: int = Field(
        0, ge=0, le=1000, description="part-time grid workers in each cell (≤ 1,000)"
    )
    start_h: float = Field(17.0, ge=0.0, lt=24.0, description="hour of the day their shift starts")
    hours: float = Field(4.0, gt=0.0, le=24.0, description="length of their daily shift (h)")


class Surge(Spec):
    """Extra handlers at every office of a tier for a period (Zhenyuan: 213 stewards)."""

    tier: str = Field(description="tier whose offices get the extra handlers")
    extra: int = Field(
        ge=1, le=10_000, description="extra handlers at each office of the tier (≤ 10,000)"
    )
    start_day: float = Field(ge=0.0, le=MAX_DAYS, description="day the surge starts")
    days: float = Field(gt=0.0, le=MAX_DAYS, description="how many days it lasts")
    shift: str | None = Field(
        None,
        description=(
            "a shift of rosters.shifts the surge crew works on the surge's days "
            "(none: on duty around the clock for the whole surge)"
        ),
    )


class SentDown(Spec):
    """A department's staff stationed at the offices of a lower tier ("6+X", 下沉).

    The department's incidents are then taken at that tier by its stationed staff, close
    to where they happen, instead of climbing to the department's own tier.
    """

    tier: str = Field(description="tier whose offices the staff are stationed at")
    staff: int = Field(
        ge=1, le=10_000, description="staff stationed at each office of that tier (≤ 10,000)"
    )
    resolves: Probability = Field(
        0.8,
        description="share of the department's incidents they resolve on site; default 0.8: "
        "assumption",
    )


def _ordered_hours(hours: tuple[float, float]) -> tuple[float, float]:
    if hours[0] >= hours[1]:
        raise ValueError(f"from {hours[0]} must be before to {hours[1]}")
    return hours


HourOfDay = Annotated[float, Field(ge=0.0, le=24.0)]
#: A span of the day, [from, to) in hours (0–24), to after from.
RoundsHours = Annotated[tuple[HourOfDay, HourOfDay], AfterValidator(_ordered_hours)]


class Staffing(Spec):
    """Who handles incidents at each tier."""

    grid_workers_per_grid: int = Field(
        3,
        ge=1,
        le=1000,
        description="grid workers in each cell; ≤ 1,000: beyond any real grid, and memory "
        "and run time grow with it",
    )
    office_staff: dict[str, Annotated[int, Field(ge=1, le=10_000)]] = Field(
        default_factory=lambda: {"city": 10, "street": 6, "community": 4},
        description="handlers at each office above the cell tier (≤ 10,000 each)",
    )
    volunteers_per_cell: int = Field(
        0, ge=0, le=1000, description="building heads in each cell (≤ 1,000)"
    )
    volunteer_participation: Probability = Field(
        1.0, description="chance a volunteer makes their daily round, with no time bank"
    )
    volunteer_fix_prob: Probability = Field(
        0.0, description="chance a volunteer settles a household matter they find on the spot"
    )
    patrols_per_day: float = Field(
        1.0,
        ge=0.0,
        le=48.0,
        description="patrol visits per grid worker per day; ≤ 48, one each half hour: each "
        "visit searches the cell, so run time grows with them; 1: Kongtong (seed 004) "
        "'网格员每天轨迹巡查' (a patrol track every day)",
    )
    visits_per_week: float = Field(
        0.0,
        ge=0.0,
        le=336.0,
        description="door-to-door visits per grid worker per week (走访); ≤ 336, as patrols; "
        "Zhenyuan (seed 000): '管家每周深入小区开展一次“入户问需”' (one a week)",
    )
    rounds_hours: RoundsHours | None = Field(
        (8.0, 20.0),
        description="hours of the day [from, to) (0–24) in which grid workers on duty around "
        "the clock and volunteers make their rounds, each at a time uniform over them "
        "(assumption: by day, as the presets' grid workers' long day); a rostered grid "
        "worker's rounds fall uniformly in that day's shifts (none on a day without one). "
        "null: every round at the daily tick, at midnight (before 0.2.0)",
    )
    hourly_cost: HourlyCost = Field(
        default_factory=HourlyCost, description="cost of an on-duty hour per role"
    )
    paperwork_h_per_week: WeekHours = Field(
        0.0, description="hours a week each grid worker and office staff spends on paperwork"
    )
    workweek_h: float = Field(
        40.0,
        ge=1.0,
        le=168.0,
        description="working hours in a week (1–168); 40: the State Council's 1995 rule on "
        "working hours (国务院关于职工工作时间的规定: 8 h a day, 40 h a week)",
    )
    part_time: PartTime = Field(
        default_factory=PartTime, description="part-time grid workers on a daily shift"
    )
    surge: list[Surge] = Field(default_factory=list, description="extra staff for a period")
    sent_down: dict[str, SentDown] = Field(
        default_factory=dict, description="department staff stationed at lower offices"
    )
    specialised: list[str] = Field(
        default_factory=list,
        description="tiers whose offices split their staff into one desk per incident category "
        "(specialists); other tiers pool them (generalists who take any task)",
    )
    specialist_speed: float = Field(
        1.0,
        ge=0.1,
        le=10.0,
        description="how much faster a specialist handles their own category (0.1–10×)",
    )


class Department(Spec):
    """A functional department: a pool of staff that takes government matters at a tier."""

    tier: str = Field(description="tier at which the department takes over")
    staff: int = Field(ge=1, le=10_000, description="handlers (≤ 10,000)")


class PlatformDispatch(Spec):
    """Platform dispatch: a verified incident goes straight to the desk able to resolve it."""

    misroute_rate: Probability = Field(
        0.05, description="share sent to the wrong tier first; assumption"
    )
    bounce_h: Hours = Field(
        4.0, description="delay for a misrouted incident to come back (h); assumption"
    )


class Whistle(Spec):
    """Whistle-and-report: the street summons the owning desk, which must come within a limit."""

    response_h: PositiveHours = Field(
        2.0,
        description="time allowed for the summoned to arrive (h); 2 h: assumption (Yuyao, seed "
        "003, tells of law enforcement '10分鐘內趕到現場' in one case)",
    )
    convene: Literal["joint", "sequential"] = Field(
        "joint",
        description="joint: every owner summoned at once (Yuyao, seed 003: '組織安監、綜合"
        "執法等部門的執法人員, 和村裡一起上門'); sequential: one after another, each summoned "
        "when the one before has done its part",
    )
    compliance: Compliance = Field(
        default_factory=Compliance, description="whether the summoned come on time"
    )


class Claim(Spec):
    """Group claim: incidents the grid cannot resolve are posted for the owner to claim."""

    delay_h: PositiveHours = Field(
        1.0, description="mean delay to claim a clear-owner incident (h); assumption"
    )
    ambiguity_slowdown: float = Field(
        4.0,
        ge=0.0,
        le=100.0,
        description="claim delay grows by this factor × ambiguity (≤ 100); assumption",
    )
    unclaimed_after_h: PositiveHours = Field(
        24.0,
        description="a post nobody claimed by then goes to arbitration or up the tiers (h); "
        "assumption",
    )


class Arbitration(Spec):
    """Arbitration of ambiguous ownership: slow the first time, then the type is settled."""

    enabled: bool = Field(False, description="send unclaimed incidents to arbitration")
    delay_h: PositiveHours = Field(
        336.0,
        description="time the committee takes to rule (h); two weeks: assumption (Yuyao, seed "
        "003, gives the committee's 8 rulings, not their time)",
    )


class Routing(Spec):
    """How incidents move between tiers: the routing policy and the queue discipline."""

    policy: Annotated[str, Registered(ROUTING)] = Field("tiered", description="routing policy")
    discipline: Annotated[str, Registered(DISCIPLINES)] = Field(
        "fifo", description="queue discipline: which waiting incident a desk serves next"
    )
    dispatch: Annotated[str, Registered(DISPATCH)] = Field(
        "longest_idle",
        description="dispatch rule: which of a desk's free handlers takes a job "
        "(longest_idle: the one free the longest; last_freed: govsim 0.1's stack)",
    )
    verify_h: Hours = Field(0.0, description="time from report to verified and triaged (h)")
    handoff_h: dict[str, Hours] = Field(
        default_factory=dict, description="hand-off delay into each tier (h)"
    )
    overdue_escalation: bool = Field(
        False, description="hand an incident up when its deadline passes while it waits"
    )
    recognise: Recognition = Field(
        default_factory=Recognition, description="how soon a lower tier hands up"
    )
    platform: PlatformDispatch = Field(
        default_factory=PlatformDispatch, description="settings of policy: platform"
    )
    whistle: Whistle = Field(default_factory=Whistle, description="settings of policy: whistle")
    claim: Claim = Field(default_factory=Claim, description="settings of policy: claim")
    arbitration: Arbitration = Field(
        default_factory=Arbitration, description="arbitration of unclaimed posts (policy: claim)"
    )


class FollowUp(Spec):
    """The follow-up visit after closure and the satisfaction rating it collects (1–5)."""

    prob: Probability = Field(
        1.0,
        description="share of closed incidents visited (the five-step method ends with a "
        "follow-up visit, '跟蹤回訪', Helong seed 001)",
    )
    delay_h: Hours = Field(24.0, description="delay from closure to visit (h); assumption")
    base_rating: float = Field(
        4.5, ge=1.0, le=5.0, description="rating of an on-time fix (1–5); assumption"
    )
    per_overdue_deadline: RatingPoints = Field(
        1.0, description="rating lost per deadline-length of lateness (rating points); assumption"
    )
    per_handoff: RatingPoints = Field(
        0.3, description="rating lost per tier hand-off (rating points); assumption"
    )
    per_failed_fix: RatingPoints = Field(
        1.5, description="rating lost when the fix did not hold (rating points); assumption"
    )
    noise_sd: RatingPoints = Field(
        0.5, description="spread of individual ratings (sd, rating points); assumption"
    )
    satisfied_at: float = Field(
        4.0, ge=1.0, le=5.0, description="rating counted as satisfied (1–5); assumption"
    )


class Evaluation(Spec):
    """Who evaluates grid workers, as weights summing to 1 (Zhenyuan: 4 : 3 : 3)."""

    government: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="weight of closures and deadlines (Zhenyuan, seed 000: "
        "政府监管、社区监督、群众评议 '评分占比为4:3:3')",
    )
    community: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="weight of the community's review (Zhenyuan 4:3:3, seed 000)",
    )
    residents: float = Field(
        0.3, ge=0.0, le=1.0, description="weight of residents' ratings (Zhenyuan 4:3:3, seed 000)"
    )


class Points(Spec):
    """Evaluation of grid workers each period: points, red/black lists, effort, pay (积分制,
    红黑榜).

    See ``govsim.policies.evaluation`` for the score, the points and how effort responds.
    """

    enabled: bool = Field(False, description="evaluate grid workers once every period")
    scheme: Annotated[str, Registered(EVALUATION)] = Field(
        "monthly_points", description="how workers are scored, listed and pushed to effort"
    )
    period: Literal["monthly", "quarterly", "yearly"] = Field(
        "monthly",
        description="how often workers are evaluated: every 30, 90 or 360 days (12 months "
        "of 30 days). Zhenyuan: 4:3:3 '年底综合测算' (totalled at the year's end); Helong: "
        "'5年来累计测评2000余人次' (2,000+ evaluations in 5 years of ~269 workers: about "
        "one a year); Kongtong: '每月考核排名' (monthly ranking)",
    )
    min_caseload: int = Field(
        1,
        ge=0,
        le=10_000,
        description="closures in the period below which a worker is not rated: neither "
        "excellent nor listed, and effort not pushed (0: everyone rated, even a worker who "
        "closed nothing); assumption — a share with nothing to count would otherwise score "
        "1 (excellent for doing nothing)",
    )
    per_closure: Points100 = Field(1.0, description="points per incident closed; assumption")
    per_satisfied: Points100 = Field(1.0, description="points per satisfied rating; assumption")
    overdue_penalty: Points100 = Field(
        3.0, description="points lost per incident closed after its deadline; assumption"
    )
    list_share: float = Field(
        0.1,
        ge=0.0,
        le=0.5,
        description="share of rated workers on the red list, and on the black (红榜/黑榜, Zhenyuan "
        "seed 000); 0.1: assumption",
    )
    excellent_at: Probability = Field(0.9, description="score (0–1) rated excellent; assumption")
    effort_step: Gain = Field(
        0.05,
        description="effort gained per evaluation not rated excellent, at full bonus; assumption",
    )
    black_list_push: Gain = Field(
        0.02, description="extra effort after an evaluation on the black list; assumption"
    )
    effort_decay: Probability = Field(
        0.0,
        description="share of effort lost per evaluation rated excellent or not rated (no "
        "pressure): effort falls back toward 0 (0: effort only rises); assumption",
    )
    effort_max: Gain = Field(0.5, description="most effort: pace × (1 + effort_max); assumption")
    effort_care: Gain = Field(
        1.0, description="rating points a grid worker's fix gains per unit of effort; assumption"
    )
    pay_per_excellent: Money = Field(
        0.0,
        description="pay per excellent rating (currency units), counted in the staff cost; "
        "Helong: '测评结果……直接与网格员……绩效奖金发放等相挂钩' (results tied to "
        "performance bonuses); '累计发放网格员补助49万元' (490,000 yuan paid to grid "
        "workers)",
    )


class TimeBank(Spec):
    """A volunteer time bank (爱心时间银行): hours volunteered are banked for later services."""

    enabled: bool = Field(False, description="bank volunteers' hours")
    participation_gain: Gain = Field(
        0.5,
        description="relative rise in volunteers' daily participation (Helong's 爱心时间银行, seed "
        "001); 0.5: assumption",
    )
    hours_per_round: float = Field(
        1.0, ge=MIN_HOURS, le=24.0, description="hours banked per round made (≤ 24); assumption"
    )


class Incentives(Spec):
    """What grid workers are paid and judged for, and the paperwork taken off them.

    A worker paid by an evaluation that counts closures works faster (``speed_gain``) and,
    where closures count for more than residents' ratings, cuts corners: the chance a fix
    fails grows by ``corner_cutting × bonus × (government − residents)``.
    """

    bonus: Probability = Field(0.0, description="how strongly pay follows the evaluation (0–1)")
    evaluation: Evaluation = Field(
        default_factory=Evaluation, description="weights of the evaluation pay follows"
    )
    speed_gain: Gain = Field(
        0.5,
        description="speed-up when pay follows closures fully (× pace); assumption: no text "
        "gives a number",
    )
    corner_cutting: Gain = Field(
        2.0,
        description="growth of failed fixes when closures outweigh ratings (× fail_prob); "
        "assumption: no text gives a number",
    )
    burden_reduction_h_per_week: WeekHours = Field(
        0.0, description="paperwork hours a week taken off each worker (减负)"
    )
    points: Points = Field(
        default_factory=Points, description="points, red and black lists, effort and pay"
    )
    time_bank: TimeBank = Field(default_factory=TimeBank, description="a volunteer time bank")


class ReportChannel(Spec):
    """One way residents report: an app or WeChat group, the hotline, a grid worker …

    A resident picks a channel with weight ``share × (trust / trust.reference)^
    trust_elasticity`` (× ``vulnerable_factor`` for the vulnerable), normalised.
    """

    share: Probability = Field(description="share of residents' reports at reference trust")
    verify_h: Hours = Field(description="time from a report to verified and triaged (h)")
    trust_elasticity: Elasticity = Field(
        0.0,
        description="> 0: the trusting use it more; < 0: the distrustful (the hotline); within ±10",
    )
    vulnerable_factor: float = Field(
        1.0,
        ge=0.0,
        le=100.0,
        description="weight for vulnerable residents (no smartphone: below 1; ≤ 100)",
    )


class Residents(Spec):
    """Resident agents, each standing for a group of households, and how they report."""

    households_per_agent: int = Field(
        10,
        ge=1,
        le=1_000_000,
        description="households one agent represents (≤ 10^6; a cell has at least one agent)",
    )
    channels: dict[str, ReportChannel] = Field(
        default_factory=dict,
        description="reporting channels; none: every report takes routing.verify_h",
    )


class Trust(Spec):
    """Residents' trust in the system (0–1): how it starts, learns and spreads."""

    initial: Probability = Field(0.7, description="mean trust at the start (0–1); assumption")
    reference: float = Field(
        0.7,
        gt=0.0,
        le=1.0,
        description="trust at which residents report with reporting.prob (0–1); assumption",
    )
    spread: float = Field(
        0.1, ge=0.0, le=1.0, description="spread (sd) of starting trust; assumption"
    )
    learning_rate: Probability = Field(
        0.3,
        description="weight of one's latest experience (a rated or ignored incident) (0–1); "
        "assumption",
    )
    neighbour_weight: Probability = Field(
        0.05,
        description="daily pull toward the mean trust of the neighbourhood (share a day); "
        "assumption",
    )
    report_elasticity: float = Field(
        1.0,
        ge=0.0,
        le=10.0,
        description="reporting ∝ (trust / reference)^elasticity, the delay to report ∝ "
        "(reference / trust)^elasticity; 0: trust does not matter; ≤ 10; assumption",
    )


class Fatigue(Spec):
    """Overtime tires grid workers, and tired workers are slower."""

    standard_h_per_day: float = Field(
        10.0, ge=0.1, le=24.0, description="busy hours a day before overtime (0.1–24); assumption"
    )
    recovery_per_day: Probability = Field(
        0.5, description="share of fatigue gone each day; assumption"
    )
    effect: Gain = Field(
        0.2, description="slow-down per unit of fatigue (large values: burnout spirals); assumption"
    )


class Behaviour(Spec):
    """The feedback that makes this an agent-based model; ``enabled: false`` freezes it."""

    enabled: bool = Field(True, description="false: fixed trust, no petitions (a pure queue)")
    trust: Trust = Field(default_factory=Trust, description="residents' trust in the system")
    fatigue: Fatigue = Field(
        default_factory=Fatigue, description="grid workers' fatigue from overtime"
    )
    vulnerable_report_factor: Probability = Field(
        0.6,
        description="vulnerable residents report with this fraction of the probability; assumption",
    )
    petition_after_h: Hours = Field(
        720.0,
        description="a resident's patience: a problem unsolved this long becomes a petition "
        "(h; 0: never); 30 days: assumption",
    )
    petitions: Petitions = Field(default_factory=Petitions, description="who petitions where")


class RunSpec(Spec):
    """Default run length; the CLI and experiments may override it."""

    days: float = Field(
        365.0,
        ge=MIN_DAYS,
        le=MAX_DAYS,
        description="simulated days of occurrences, the warm-up included; 1 to 3,650 (ten "
        "years): the model ticks daily, and a run's work grows with its length",
    )
    warmup_days: float = Field(
        30.0,
        ge=0.0,
        le=MAX_DAYS,
        description="first days excluded from metrics (at most half the run; ≤ 3,650)",
    )
    drain_days: float = Field(
        60.0,
        ge=0.0,
        le=MAX_DAYS,
        description="days to keep working after the last occurrence (≤ 3,650)",
    )


class Scenario(Spec):
    """A whole scenario file: the map, incidents, people and the routing rules."""

    name: str = Field("scenario", description="the scenario's name in tables and figures")
    description: str = Field("", description="one line on what it models")
    map: MapSpec = Field(default_factory=MapSpec, description="the region tree and its cells")
    incidents: dict[str, IncidentType] = Field(
        min_length=1, description="incident types by name (at least one)"
    )
    staffing: Staffing = Field(default_factory=Staffing, description="who handles incidents")
    departments: dict[str, Department] = Field(
        default_factory=dict, description="functional departments by name"
    )
    routing: Routing = Field(default_factory=Routing, description="how incidents move")
    followup: FollowUp = Field(
        default_factory=FollowUp, description="the follow-up visit and its rating"
    )
    residents: Residents = Field(
        default_factory=Residents, description="resident agents and reporting channels"
    )
    behaviour: Behaviour = Field(
        default_factory=Behaviour, description="trust, fatigue and petitions"
    )
    incentives: Incentives = Field(
        default_factory=Incentives, description="pay, evaluation and paperwork"
    )
    run: RunSpec = Field(default_factory=RunSpec, description="default run length")
    calendar: CalendarSpec = Field(
        default_factory=CalendarSpec, description="the dates the run covers"
    )
    rosters: Rosters = Field(default_factory=Rosters, description="shifts and who works them")
    demand: DemandSpec = Field(default_factory=DemandSpec, description="demand over time")
    uncertain: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        description="parameters the calibration may fit (dotted path: [low, high])",
    )
    assumed: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        description="parameters fixed at their values as stated assumptions, with the range "
        "they may plausibly take (dotted path: [low, high]): never fitted; robustness "
        "analysis sweeps them",
    )

    @property
    def tiers(self) -> tuple[str, ...]:
        """Tier names, top to bottom."""
        return tuple(self.map.tiers)

    # after ``tiers``: defined before it, this field's name would shadow ``@property``
    property: PropertySpec = Field(
        default_factory=PropertySpec, description="property management of the compounds"
    )


def cross_check(scenario: Scenario) -> list[tuple[str, str]]:
    """Consistency rules that span fields; returns (field path, problem) pairs.

    - ``map.tiers``: distinct names.
    - ``map.per_parent``: exactly the tiers below the top, each count at least 1; a list
      of counts needs one count per region of the tier above and ``generator: lattice``.
    - ``map.graphml``, ``map.geojson``: the file is required with that ``generator``.
    - ``staffing.office_staff``: exactly the tiers above the cell tier.
    - ``routing.handoff_h``: only tiers above the cell tier.
    - ``staffing.surge``: each surge's ``tier`` is a tier.
    - ``staffing.sent_down``: each key is a department, stationed at a tier below the
      department's own.
    - ``staffing.specialised``: tiers whose offices have at least one handler per incident
      category (the cell tier counts ``grid_workers_per_grid``).
    - ``departments.<department>.tier``: a tier above the cell tier.
    - ``rosters``: see ``govsim.world.rosters.roster_problems``.
    - ``residents.channels``: shares sum to 1.
    - ``uncertain``, ``assumed``: each key a numeric parameter path of this scenario,
      with low < high, in one of the two only; an assumed value lies in its range.
    - ``incentives.evaluation``: the three weights sum to 1.
    - ``property.problems``, ``property.disputes``: incident types, none in both.
    - ``incidents.<type>``: ``severity`` shares sum to 1 over whole levels from 1; a
      ``deadline_h`` for every severity level; ``departments`` exist, and a government
      matter names at least one; ``resolvable_at`` names tiers and its shares sum to 1;
      ``handling`` names tiers or ``default`` and covers every tier (a ``default`` does);
      severity levels at most 10; ``fail_prob`` × the corner cutting of
      ``incentives`` (``1 + corner_cutting × bonus × (government − residents)``) at most
      0.9, since at 1 every fix fails and the problem recurs without end.
    - ``demand``: ``default`` and ``assign`` name profiles that exist, ``assign`` and each
      window's ``incidents`` name incident types; a profile is not defined both in
      ``profiles`` and in the ``csv`` file.
    - What one run creates (see ``run_size``) is capped, because its memory and run time
      grow with each: at most 5,000 map cells and 40,000,000 office desks × cells (each
      desk keeps its travel time to every cell); 1,000,000 agents (residents, grid
      workers, volunteers, office and department staff); 1,000,000 expected incidents
      over ``run.days`` + ``run.drain_days`` (with trust raising every rate as far as it
      can, and ``demand``'s profiles and windows over those days); 20,000,000 patrol and
      door-to-door visits. A run's ``days`` given elsewhere (``--days``, a spec's
      ``days``) is checked the same way. A map read from a file
      (``graphml``, ``geojson``) is counted as one cell: its size is not known before it
      is read.
    """
    problems: list[tuple[str, str]] = []
    tiers = scenario.tiers
    below_top, above_bottom = tiers[1:], tiers[:-1]
    if len(set(tiers)) != len(tiers):
        problems.append(("map.tiers", f"tier names must be distinct, got {list(tiers)}"))
    if set(scenario.map.per_parent) != set(below_top):
        problems.append(
            ("map.per_parent", f"needs exactly the tiers below the top: {list(below_top)}")
        )
    parents = 1
    for tier in below_top:
        count = scenario.map.per_parent.get(tier, 1)
        counts = count if isinstance(count, list) else [count] * parents
        if isinstance(count, list) and len(count) != parents:
            problems.append(
                (
                    f"map.per_parent.{tier}",
                    f"needs one count per region above ({parents}), got {len(count)}",
                )
            )
        if isinstance(count, list) and scenario.map.generator != "lattice":
            problems.append((f"map.per_parent.{tier}", "a list of counts needs generator: lattice"))
        if min(counts, default=1) < 1:
            problems.append((f"map.per_parent.{tier}", f"must be >= 1, got {count}"))
        parents = sum(counts)
    for kind in ("graphml", "geojson"):
        if scenario.map.generator == kind and not getattr(scenario.map, kind):
            problems.append((f"map.{kind}", f"a file is required when generator is {kind}"))
    if set(scenario.staffing.office_staff) != set(above_bottom):
        problems.append(
            (
                "staffing.office_staff",
                f"needs exactly the tiers above the cell tier: {list(above_bottom)}",
            )
        )
    for tier in scenario.routing.handoff_h:
        if tier not in above_bottom:
            allowed = f"not a tier above the cell: {list(above_bottom)}"
            problems.append((f"routing.handoff_h.{tier}", allowed))
    problems.extend(_check_staffing(scenario))
    problems.extend(roster_problems(scenario))
    for name, dept in scenario.departments.items():
        if dept.tier not in above_bottom:
            problems.append(
                (f"departments.{name}.tier", f"'{dept.tier}' is not one of {list(above_bottom)}")
            )
    channels = scenario.residents.channels
    if channels and abs(sum(c.share for c in channels.values()) - 1.0) > 1e-9:
        total = sum(c.share for c in channels.values())
        problems.append(("residents.channels", f"shares must sum to 1, got {total:g}"))
    if scenario.uncertain or scenario.assumed:
        problems.extend(_check_uncertain(scenario))
    weights = scenario.incentives.evaluation
    total = weights.government + weights.community + weights.residents
    if abs(total - 1.0) > 1e-9:
        problems.append(("incentives.evaluation", f"weights must sum to 1, got {total:g}"))
    for name, kind in scenario.incidents.items():
        problems.extend(_check_incident_type(f"incidents.{name}", kind, scenario))
    problems.extend(scenario.demand.problems(scenario.incidents))
    problems.extend(check_property(scenario.property, list(scenario.incidents)))
    if not problems:  # the sizes need a consistent region tree
        problems.extend(size_problems(scenario))
    return problems


@dataclass(frozen=True)
class RunSize:
    """What one run of a scenario creates, estimated from its fields before it is built.

    ``cells`` is None for a map read from a file (its size is known only once read).
    ``agents`` maps each kind of agent to how many (an estimate for residents: one agent
    per ``households_per_agent`` households of a cell, at least one a cell), ``incidents``
    the expected number over the run were trust to move every rate as high as it can
    (``trust_elasticity``), ``visits`` the patrol and door-to-door visits, ``desks`` the
    office desks (one per region and tier, per category where it is specialised, and the
    departments', at home and sent down).
    """

    cells: int | None
    agents: dict[str, float]
    incidents: float
    visits: float
    desks: int


def run_size(scenario: Scenario, days: float | None = None) -> RunSize:
    """Estimate what a run of ``scenario`` creates over ``days`` (default ``run.days``),
    the drain period included."""
    spec, staffing = scenario.map, scenario.staffing
    regions = _region_counts(scenario)
    cells = regions[scenario.tiers[-1]] if regions else None
    n = float(cells if cells is not None else 1)
    per_agent = scenario.residents.households_per_agent
    hours = ((days if days is not None else scenario.run.days) + scenario.run.drain_days) * 24.0
    grid = n * (staffing.grid_workers_per_grid + staffing.part_time.per_grid)
    counted = regions or {tier: 1 for tier in scenario.tiers}
    offices = sum(counted[tier] * staff for tier, staff in staffing.office_staff.items())
    offices += sum(counted.get(s.tier, 0) * s.extra for s in staffing.surge)
    offices += sum(d.staff for d in scenario.departments.values())
    offices += sum(counted.get(s.tier, 0) * s.staff for s in staffing.sent_down.values())
    agents = {
        "residents": n * (1 + spec.households_per_cell / per_agent),
        "grid workers": grid,
        "volunteers": n * staffing.volunteers_per_cell,
        "office and department staff": float(offices),
    }
    units = {
        "household": n * spec.households_per_cell,
        "shop": n * spec.shops_per_cell,
        "visitor": n * spec.tourist_load,
    }
    reference = scenario.behaviour.trust.reference
    over_time = scenario.demand.mean_factors(
        list(scenario.incidents), scenario.calendar.start_date, hours / 24.0
    )
    per_hour = (
        sum(  # trust stays within 0–1: a rate is highest at one end of it
            kind.rate
            * units[kind.per]
            * math.exp(
                max(kind.trust_elasticity * reference, kind.trust_elasticity * (reference - 1))
            )
            * factor
            for kind, factor in zip(scenario.incidents.values(), over_time, strict=True)
        )
        / HOURS_PER_YEAR
    )
    daily = staffing.patrols_per_day + staffing.visits_per_week / 7.0
    categories = len({kind.category for kind in scenario.incidents.values()})
    desks = sum(
        count * (categories if tier in staffing.specialised else 1)
        for tier, count in counted.items()
    )
    desks += len(scenario.departments)
    desks += sum(counted.get(s.tier, 0) for s in staffing.sent_down.values())
    return RunSize(cells, agents, per_hour * hours, daily * grid * hours / 24.0, desks)


def size_problems(scenario: Scenario, days: float | None = None) -> list[tuple[str, str]]:
    """The caps of ``cross_check`` on what a run creates, as (field path, problem) pairs."""
    size = run_size(scenario, days)
    problems = []
    if size.cells is not None and size.cells > MAX_CELLS:
        problems.append(
            (
                "map.per_parent",
                f"this scenario would create {size.cells:,} map cells (the product of the "
                f"counts); the limit is {MAX_CELLS:,}: building the map's travel times "
                "grows faster than the cells",
            )
        )
    elif size.cells is not None and size.cells * size.desks > MAX_DESK_CELLS:
        problems.append(
            (
                "map.per_parent",
                f"this scenario would create {size.desks:,} office desks for {size.cells:,} "
                f"cells, each desk keeping its travel time to every cell: "
                f"{size.cells * size.desks:,}; the limit is {MAX_DESK_CELLS:,}",
            )
        )
    total = sum(size.agents.values())
    if total > MAX_AGENTS:
        parts = ", ".join(f"{kind} {count:,.0f}" for kind, count in size.agents.items())
        problems.append(
            (
                "staffing",
                f"this scenario would create {total:,.0f} agents ({parts}; map cells × "
                f"each cell's residents, grid workers and volunteers); the limit is "
                f"{MAX_AGENTS:,}: memory grows with them",
            )
        )
    if size.incidents > MAX_INCIDENTS:
        problems.append(
            (
                "incidents",
                f"this scenario would create about {size.incidents:,.0f} incidents (rates × "
                f"households, shops or visitors × run days + drain days); the limit is "
                f"{MAX_INCIDENTS:,}: memory and run time grow with them",
            )
        )
    if size.visits > MAX_PATROL_VISITS:
        problems.append(
            (
                "staffing.patrols_per_day",
                f"this scenario would make {size.visits:,.0f} patrol and door-to-door visits "
                f"(grid workers × (patrols_per_day + visits_per_week / 7) × days); the limit "
                f"is {MAX_PATROL_VISITS:,}: each visit searches its cell",
            )
        )
    return problems


def check_run_days(scenario: Scenario, days: float, source: str = "days") -> None:
    """Refuse a run length given outside the file (``--days``, a spec's ``days``, the
    ``days`` argument of ``simulate``) that ``run.days`` could not take: not finite,
    outside 1 to ``MAX_DAYS``, or over the caps of ``cross_check`` for this scenario."""
    check_days(days, source)
    problems = size_problems(scenario, days)
    if problems:
        lines = [f"{path}: {msg}" for path, msg in problems]
        raise ScenarioError(format_problems(f"{source}: {days:g} days of {scenario.name}", lines))


def _region_counts(scenario: Scenario) -> dict[str, int] | None:
    """Regions of each tier the map's generator makes (None for a map read from a file)."""
    if scenario.map.generator in ("graphml", "geojson"):
        return None
    counts = {scenario.tiers[0]: 1}
    parents = 1
    for tier in scenario.tiers[1:]:
        count = scenario.map.per_parent.get(tier, 1)
        parents = sum(count) if isinstance(count, list) else count * parents
        counts[tier] = parents
    return counts


def _check_uncertain(scenario: Scenario) -> Iterator[tuple[str, str]]:
    numbers = {
        path: value
        for path, value, *_ in iter_parameters(scenario)
        if isinstance(value, int | float) and not isinstance(value, bool)
    }
    for section in ("uncertain", "assumed"):
        for path, (low, high) in getattr(scenario, section).items():
            where = f"{section}.{path}"
            if path not in numbers:
                close = difflib.get_close_matches(path, numbers, n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                yield where, f"not a numeric parameter of this scenario{hint}"
            elif not low < high:
                yield where, f"the range needs low < high, got [{low:g}, {high:g}]"
            elif section == "assumed" and not low <= numbers[path] <= high:
                yield where, f"the value {numbers[path]:g} is outside [{low:g}, {high:g}]"
    for path in scenario.uncertain.keys() & scenario.assumed.keys():
        yield f"assumed.{path}", "also under uncertain: a parameter is fitted or assumed"


def _check_staffing(scenario: Scenario) -> Iterator[tuple[str, str]]:
    tiers, staffing = scenario.tiers, scenario.staffing
    for i, surge in enumerate(staffing.surge):
        if surge.tier not in tiers:
            yield f"staffing.surge.{i}.tier", f"'{surge.tier}' is not one of {list(tiers)}"
    for name, stationed in staffing.sent_down.items():
        path = f"staffing.sent_down.{name}"
        if name not in scenario.departments:
            yield (
                path,
                f"department '{name}' does not exist; defined: {sorted(scenario.departments)}",
            )
        elif stationed.tier not in tiers or tiers.index(stationed.tier) <= tiers.index(
            scenario.departments[name].tier
        ):
            home = scenario.departments[name].tier
            below = list(tiers[tiers.index(home) + 1 :])
            yield f"{path}.tier", f"'{stationed.tier}' is not a tier below '{home}': {below}"
    categories = sorted({kind.category for kind in scenario.incidents.values()})
    for tier in staffing.specialised:
        if tier not in tiers:
            yield "staffing.specialised", f"'{tier}' is not one of {list(tiers)}"
            continue
        staff = (
            staffing.grid_workers_per_grid
            if tier == tiers[-1]
            else staffing.office_staff.get(tier, 0)
        )
        if staff < len(categories):
            yield (
                "staffing.specialised",
                f"'{tier}' offices have {staff} staff for {len(categories)} incident categories "
                f"{categories}: specialists need at least one per category",
            )


def _check_incident_type(
    path: str, kind: IncidentType, scenario: Scenario
) -> Iterator[tuple[str, str]]:
    tiers = scenario.tiers
    if abs(sum(kind.severity.values()) - 1.0) > 1e-9:
        yield f"{path}.severity", f"shares must sum to 1, got {sum(kind.severity.values()):g}"
    if any(level < 1 for level in kind.severity):
        yield f"{path}.severity", "severity levels are whole numbers from 1"
    missing = sorted(set(kind.severity) - set(kind.deadline_h))
    if missing:
        yield f"{path}.deadline_h", f"needs a deadline for severity {missing}"
    for dept in kind.departments:
        if dept not in scenario.departments:
            yield (
                f"{path}.departments",
                f"department '{dept}' does not exist; defined: {sorted(scenario.departments)}",
            )
    if kind.triage == "government" and not kind.departments:
        yield f"{path}.departments", "a government matter needs at least one owning department"
    for tier in kind.resolvable_at:
        if tier not in tiers:
            yield f"{path}.resolvable_at.{tier}", f"not a tier: {list(tiers)}"
    if kind.resolvable_at and abs(sum(kind.resolvable_at.values()) - 1.0) > 1e-9:
        total = sum(kind.resolvable_at.values())
        yield f"{path}.resolvable_at", f"shares must sum to 1, got {total:g}"
    for tier in kind.handling:
        if tier != "default" and tier not in tiers:
            yield f"{path}.handling.{tier}", f"not a tier or 'default': {list(tiers)}"
    handled_everywhere = "default" in kind.handling or set(tiers) <= set(kind.handling)
    if not handled_everywhere:
        yield f"{path}.handling", "give a 'default' or a distribution for every tier"
    if max(kind.severity, default=1) > MAX_SEVERITY:
        yield f"{path}.severity", f"severity levels are 1 to {MAX_SEVERITY}"
    incentives = scenario.incentives
    weights = incentives.evaluation
    pressure = incentives.bonus * (weights.government - weights.residents)
    failing = kind.fail_prob * max(0.0, 1.0 + incentives.corner_cutting * pressure)
    if failing > MAX_FAIL:
        yield (
            f"{path}.fail_prob",
            f"with the corner cutting of incentives a fix fails with chance {failing:g}; the "
            f"limit is {MAX_FAIL}: near 1 every fix fails and the problem recurs without end",
        )


# --- loading, overrides and errors -------------------------------------------------------


#: The scenarios shipped with govsim, which every command and ``Sim`` find by name.
SCENARIO_DIR = shipped.folder("scenarios")


def scenario_path(scenario: str | Path, here: Path | None = None) -> Path:
    """The file of ``scenario``: a file (relative to ``here``, default the current folder;
    an existing file wins over a shipped name), or a shipped scenario's name (``demo``,
    ``kongtong``, ``theory/mmc``). Raises ``ScenarioError`` naming the shipped ones when
    neither exists."""
    path = shipped.locate("scenarios", scenario, here)
    if path is None:
        raise ScenarioError(
            f"{scenario}: no such scenario file or shipped scenario; "
            f"shipped: {', '.join(shipped.names('scenarios'))}"
        )
    return path


def load_scenario(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    policy: Mapping[str, Any] | None = None,
    policy_source: str = "",
) -> Scenario:
    """Read a scenario file, lay a policy and overrides over it, and validate the result.

    ``policy`` holds whole sections (``routing``, ``staffing`` …) merged key by key over
    the file's; ``overrides`` maps dotted parameter paths to values (already parsed, or
    strings parsed as YAML scalars) and applies last. Raises ``ScenarioError`` naming the
    file (and the policy file), the field path and what is allowed. ``path`` may be a
    shipped scenario's name (see ``scenario_path``).
    """
    path = scenario_path(path)
    raw = read_with_base(path)
    source = f"{path} with policy {policy_source}" if policy_source else str(path)
    if policy:
        raw = deep_merge(raw, resolve_levers(raw, policy, source))
    for key, value in (overrides or {}).items():
        set_path(raw, key, resolve_override(raw, key, value, source), source=source)
    return validate_scenario(raw, source=source, base_dir=path.parent)


def read_with_base(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file, laid over the file its ``base`` key names (relative to it).

    A preset can so share a catalogue of incident types with others and state only what
    is its own; bases may have bases, but not in a cycle.
    """
    raw = read_yaml(path)
    base = raw.pop("base", None)
    if base is None:
        return raw
    if not isinstance(base, str):
        raise ScenarioError(f"{path}: base: expected a file name, got {base!r}")
    base_path = (path.parent / base).resolve()
    if base_path in seen or base_path == path.resolve():
        raise ScenarioError(f"{path}: base: '{base}' includes itself")
    if not base_path.exists():
        raise ScenarioError(f"{path}: base: no such file '{base}' (looked in {base_path.parent})")
    return deep_merge(read_with_base(base_path, (*seen, path.resolve())), raw)


def deep_merge(base: Mapping[str, Any], layer: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``base`` with ``layer`` merged in: mappings key by key, anything else replaced."""
    merged = dict(base)
    for key, value in layer.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse a YAML mapping from ``path`` or raise ``ScenarioError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a text file (expected UTF-8 YAML)") from None
    try:
        data = load_yaml(text)
    except DuplicateKeyError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise ScenarioError(f"{path}: not valid YAML{line}: {exc}") from None
    except ValueError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ScenarioError(f"{path}: expected a YAML mapping of sections, got {kind}")
    return data


def validate_scenario(
    raw: Mapping[str, Any], source: str = "<scenario>", base_dir: Path | None = None
) -> Scenario:
    """Validate a scenario given as plain data; relative map and demand file paths resolve
    from base_dir."""
    try:
        scenario = Scenario.model_validate(raw, context={"base_dir": base_dir})
    except ValidationError as exc:
        lines = describe_errors(exc.errors())
        raise ScenarioError(format_problems(source, lines)) from None
    problems = cross_check(scenario)
    if problems:
        raise ScenarioError(format_problems(source, [f"{p}: {msg}" for p, msg in problems]))
    for kind in ("graphml", "geojson"):
        name = getattr(scenario.map, kind)
        if name and base_dir is not None and not Path(name).is_absolute():
            setattr(scenario.map, kind, str(base_dir / name))
    scenario.calendar.resolve(base_dir, source)
    return scenario


def format_problems(source: str, lines: list[str], what: str = "scenario") -> str:
    """One message for a refused file: ``SOURCE: invalid WHAT (N problems)`` and a line each."""
    head = f"{source}: invalid {what} ({len(lines)} problem{'s' * (len(lines) > 1)})"
    return "\n".join([head, *(f"  {line}" for line in lines)])


def describe_errors(errors: list[Any], root: type[BaseModel] | None = None) -> list[str]:
    """One line per field path for pydantic's errors (see ``describe_error``).

    A value that no member of a union accepts (``per_parent``: a count or a list of
    counts) gets one line, the members' complaints joined by "or", without the members'
    type names that pydantic puts in the path.
    """
    tags = _model_names(root or Scenario)
    merged: dict[str, list[str]] = {}
    for err in errors:
        loc = tuple(part for part in err["loc"] if not _is_union_tag(part, tags))
        path, _, message = describe_error({**err, "loc": loc}, root).partition(": ")
        merged.setdefault(path, []).append(message)
    return [f"{path}: {' or '.join(dict.fromkeys(found))}" for path, found in merged.items()]


def _is_union_tag(part: Any, model_names: set[str]) -> bool:
    """Whether a part of an error's path is pydantic's name of a union member."""
    if not isinstance(part, str):
        return False
    builtin = re.fullmatch(r"(constrained-)?(int|float|str|bool)|(list|tuple|dict)\[.*\]", part)
    return builtin is not None or part in model_names


def _model_names(root: type[BaseModel]) -> set[str]:
    """Names of the models reachable from ``root`` through its fields' types."""
    found: set[str] = set()
    pending: list[Any] = [root]
    while pending:
        annotation = pending.pop()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation.__name__ not in found:
                found.add(annotation.__name__)
                pending.extend(f.annotation for f in annotation.model_fields.values())
        else:
            pending.extend(get_args(annotation))
    return found


def describe_error(err: Mapping[str, Any], root: type[BaseModel] | None = None) -> str:
    """One line for a pydantic error: the field path and what is allowed there.

    ``root`` is the schema the path starts from (default: ``Scenario``).
    """
    loc = ".".join(str(part) for part in err["loc"])
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(err["loc"][:-1], root or Scenario)
        return f"{loc}: unknown key; allowed: {', '.join(allowed)}"
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
    if err["type"] == "missing":
        return f"{loc}: required field is missing"
    return f"{loc}: {err['msg'].removeprefix('Value error, ')}{shown}"


def _allowed_keys(loc: tuple[Any, ...], root: type[BaseModel]) -> list[str]:
    """Field names allowed at ``loc`` in the schema ``root``."""
    model: Any = root
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if fields is not None and part in fields:  # else a mapping's key: same model
            model = _values_model(fields[part].annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _values_model(annotation: Any) -> Any:
    """The model a field's value is, or its mapping's values are, or a member of its union
    is (``Parameters | None``); otherwise the annotation itself."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) is dict:
        return _values_model(get_args(annotation)[1])
    if get_origin(annotation) in (Union, UnionType):
        members = [_values_model(arg) for arg in get_args(annotation)]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        return models[0] if models else annotation
    return annotation


def parse_value(value: Any) -> Any:
    """Parse an override value written on a command line (YAML scalar syntax)."""
    if not isinstance(value, str):
        return value
    try:
        return load_yaml(value)
    except DuplicateKeyError as exc:
        raise ScenarioError(f"--set value {value!r}: {exc}") from None
    except (yaml.YAMLError, ValueError):
        return value


def parse_assignments(items: list[str]) -> dict[str, Any]:
    """Turn ``["a.b=1", ...]`` into ``{"a.b": 1}``; raise ScenarioError on a malformed item."""
    result: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z0-9_.\-]+", key.strip()):
            raise ScenarioError(f"--set {item!r}: expected PATH=VALUE, e.g. map.per_parent.grid=6")
        path, text = key.strip(), value.strip()
        keep = looks_relative(text) and headcount_minimum(path) is not None
        result[path] = text if keep else parse_value(text)  # "+1" stays a relative headcount
    return result


# --- relative headcounts (govsim.world.levers) -----------------------------------------


def headcount_minimum(dotted: str) -> int | None:
    """The least value of the headcount at ``dotted`` (a whole-number field under
    ``staffing`` or ``departments``), or None where the path is not a headcount."""
    if dotted.split(".")[0] not in ("staffing", "departments"):
        return None
    model: Any = Scenario
    metadata: list[Any] = []
    for part in dotted.split("."):
        if isinstance(model, type) and issubclass(model, BaseModel):
            if part not in model.model_fields:
                return None
            field = model.model_fields[part]
            model, metadata = field.annotation, list(field.metadata)
        elif get_origin(model) is dict:
            model, metadata = get_args(model)[1], []
        else:
            return None
        while get_origin(model) is Annotated:
            model, *extra = get_args(model)
            metadata += [bound for item in extra for bound in getattr(item, "metadata", [item])]
    if model is not int:
        return None
    lows = [b.ge for b in metadata if isinstance(b, Ge)] + [
        b.gt + 1 for b in metadata if isinstance(b, Gt)
    ]
    return max(lows, default=0)


def relative_levers(layer: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every headcount of a policy's sections written as a relative change, by its path."""
    for key, value in layer.items():
        path = f"{prefix}{key}"
        if looks_relative(value) and headcount_minimum(path) is not None:
            yield path, value
        elif isinstance(value, Mapping):
            yield from relative_levers(value, path + ".")


def resolve_levers(raw: dict[str, Any], layer: Mapping[str, Any], source: str) -> dict[str, Any]:
    """A copy of a policy's sections with each relative headcount (``{add: 1}``,
    ``{times: 1.5}``) made the number it gives of ``raw``'s value (defaults filled in).
    Raises ``ScenarioError`` naming the field path and the allowed forms."""
    found = list(relative_levers(layer))
    if not found:
        return dict(layer)
    filled = _filled(raw)
    resolved = copy.deepcopy(dict(layer))
    for dotted, value in found:
        set_path(resolved, dotted, _resolved(filled, dotted, value, source), check=False)
    return resolved


def resolve_override(raw: dict[str, Any], dotted: str, value: Any, source: str) -> Any:
    """The value a ``--set`` override puts at ``dotted``: parsed (see ``parse_value``),
    and a relative headcount (``+1``, ``x1.5``, ``{add: 1}``) made absolute against
    ``raw``."""
    if not (looks_relative(value) and headcount_minimum(dotted) is not None):
        value = parse_value(value)
    if looks_relative(value) and headcount_minimum(dotted) is not None:
        return _resolved(_filled(raw), dotted, value, source)
    return value


def _resolved(filled: dict[str, Any], dotted: str, value: Any, source: str) -> int:
    node: Any = filled
    for part in dotted.split("."):
        node = node.get(_match_key(node, part)) if isinstance(node, dict) else None
    try:
        change = parse_relative(value, dotted)
        assert change is not None  # looks_relative held
        return apply_relative(change, node, headcount_minimum(dotted) or 0, dotted)
    except ValueError as exc:
        raise ScenarioError(f"{source}: {exc}") from None


def set_path(
    raw: dict[str, Any], dotted: str, value: Any, source: str = "<scenario>", check: bool = True
) -> None:
    """Set ``raw[a][b][c] = value`` for ``dotted == "a.b.c"``.

    The path must name a parameter of the scenario (as ``govsim params`` lists them) or a
    new key in a section that exists (e.g. an incident type's ``worsen_h`` left at its
    default); anything else is refused with the closest known paths, so a typo never
    creates a new incident type or department silently. ``check=False`` skips that
    check, for a path already checked against the same file (it costs milliseconds).
    """
    if check:
        _check_path_known(raw, dotted, source)
    node: Any = raw
    parts = dotted.split(".")
    for part in parts[:-1]:
        key = _match_key(node, part)
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[_match_key(node, parts[-1])] = value


def _match_key(node: dict[Any, Any], part: str) -> Any:
    """The key of ``node`` that ``part`` names: a string, or an integer key like a severity."""
    if part in node:
        return part
    return int(part) if part.isdigit() else part


def _check_path_known(raw: dict[str, Any], dotted: str, source: str) -> None:
    filled = _filled(raw)
    known = {path for path, *_ in dotted_leaves(filled)}
    parent, _, _ = dotted.rpartition(".")
    if dotted in known or (_section_exists(filled, parent) and field_at(dotted) is not None):
        return
    close = difflib.get_close_matches(dotted, sorted(known), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see `govsim params FILE`"
    raise ScenarioError(f"{source}: {dotted}: unknown parameter path{hint}")


def _filled(raw: dict[str, Any]) -> dict[str, Any]:
    """The scenario as written, with schema defaults filled in where it validates."""
    try:
        return Scenario.model_validate(raw).model_dump()
    except ValidationError:
        return raw


def dotted_leaves(data: Mapping[Any, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of nested mappings under its dotted path (a list is a leaf)."""
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from dotted_leaves(value, path + ".")
        else:
            yield path, value


def _section_exists(data: dict[str, Any], dotted: str) -> bool:
    node: Any = data
    for part in dotted.split(".") if dotted else []:
        if not isinstance(node, dict):
            return False
        node = node.get(_match_key(node, part))
    return isinstance(node, dict)


def field_at(dotted: str) -> FieldInfo | None:
    """The schema field a dotted parameter path falls under, or None if the schema has no
    such path. Mapping keys are free: ``incidents.dispute.rate`` is ``IncidentType.rate``,
    ``routing.handoff_h.street`` the field ``Routing.handoff_h``."""
    model: Any = Scenario
    found: FieldInfo | None = None
    for part in dotted.split("."):
        if isinstance(model, type) and issubclass(model, BaseModel):
            if part not in model.model_fields:
                return None
            found = model.model_fields[part]
            model = found.annotation
        elif get_origin(model) is dict:
            model = get_args(model)[1]
        else:
            return None
        while get_origin(model) is Annotated:
            model = get_args(model)[0]
    return found


# --- parameter listing -------------------------------------------------------------------


def iter_parameters(scenario: Scenario) -> Iterator[tuple[str, Any, str, str, str]]:
    """Every leaf parameter as (path, value, type, allowed range, description)."""
    yield from _walk(scenario, "")


def _walk(model: BaseModel, prefix: str) -> Iterator[tuple[str, Any, str, str, str]]:
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        desc = field.description or ""
        if isinstance(value, BaseModel):
            yield from _walk(value, path + ".")
        elif isinstance(value, dict):
            is_dict = get_origin(field.annotation) is dict
            value_type = get_args(field.annotation)[1] if is_dict else Any
            if not value:  # an empty mapping is still a parameter one can fill
                yield path, value, "dict", "", desc
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from _walk(item, f"{path}.{key}.")
                else:
                    yield (
                        f"{path}.{key}",
                        item,
                        _type_name(item),
                        annotation_range(value_type),
                        desc,
                    )
        else:
            yield path, value, _type_name(value), field_range(field), desc


def _type_name(value: Any) -> str:
    return type(value).__name__ if value is not None else "none"


def field_choices(field: FieldInfo, plugins: bool = True) -> list[str] | None:
    """The values a field allows if it is a choice (a ``Literal`` or a registered name),
    else None; ``plugins=False`` leaves out names that plugins registered."""
    if get_origin(field.annotation) is Literal:
        return [str(arg) for arg in get_args(field.annotation)]
    registered = next((item for item in field.metadata if isinstance(item, Registered)), None)
    return None if registered is None else registered.registry.names(plugins)


def field_range(field: FieldInfo, plugins: bool = True) -> str:
    """The values a field allows, as text: its choices, bounds or number of items."""
    choices = field_choices(field, plugins)
    if choices is not None:
        return " | ".join(choices)
    return _bounds(field.metadata) or annotation_range(field.annotation)


def annotation_range(annotation: Any) -> str:
    """The values a type allows (``Annotated`` bounds, ``Literal`` choices), as text."""
    if get_origin(annotation) is Annotated:
        _, *meta = get_args(annotation)
        found = []
        for item in meta:
            found.extend(getattr(item, "metadata", [item]))
        return _bounds(found)
    if get_origin(annotation) is Literal:
        return " | ".join(map(str, get_args(annotation)))
    return ""


def _bounds(metadata: list[Any]) -> str:
    low = high = size = pattern = ""
    fewest = most = None
    for item in metadata:
        if isinstance(item, Ge):
            low = f">= {item.ge:g}"
        elif isinstance(item, Gt):
            low = f"> {item.gt:g}"
        elif isinstance(item, Le):
            high = f"<= {item.le:g}"
        elif isinstance(item, Lt):
            high = f"< {item.lt:g}"
        elif isinstance(item, MinLen):
            fewest = item.min_length
        elif isinstance(item, MaxLen):
            most = item.max_length
        elif getattr(item, "pattern", None):
            pattern = f"matches {item.pattern}"
    if fewest is not None or most is not None:
        size = f"{fewest or 0} to {most} items" if most is not None else f"{fewest}+ items"
    return ", ".join(part for part in (low, high, size, pattern) if part)
