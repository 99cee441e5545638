"""Fit a scenario to an incident log: rates, profiles, handling and routing, each number
marked in the written file as from data (records, CI) or assumed (confirm).

What the log gives and how it maps onto the scenario (stated in the file too):

- **rates**: the log sees reported incidents only, so the fitted ``rate`` is the rate of
  reports per household-year, and every type is reported at once (``reporting``: prob 1,
  delay 0; an assumption). Households per cell come from the base scenario's map (else
  ``map.households_per_cell``, assumed). Per-cell rates (shrunk, ``govsim.logs.rates``)
  go to the report: the schema's rates are per type, cells differing by households only.
- **profiles**: ``govsim.logs.profiles``.
- **handling**: the log gives no handling time, only ``assigned`` and ``closed``. For an
  incident closed at the bottom tier the span between them is one visit: the round trip
  into the cell and the handling at the worker's pace. The span less the round trip
  (2 × ``map.within_cell_travel_h``, from the base: assumed) is fitted (family by AIC,
  cv, mean), and ``mean_h`` is its mean times the base's pace (paperwork, pay);
  higher tiers take the same (``handling.default``; assumed).
  The sojourn (created → closed, open incidents censored) is fitted per type, and per
  type × tier of the closed, for the report and the back-test.
- **routing**: ``resolvable_at`` is the share closed at each tier (types with
  departments keep the base's owners); ``fail_prob`` the share of bottom-tier closures
  reopened (a failed fix recurs; assumed to be what a reopening is).
- **staffing**, departments, deadlines, severities and everything else: the base's, or
  the schema's defaults: assumptions the planner must confirm.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.errors import GovsimError
from govsim.logs import columns as col
from govsim.logs.durations import DurationFit, fit_durations
from govsim.logs.profiles import PARTS, ProfileFit, chosen, fit_profiles
from govsim.logs.rates import RateFit, fit_rates
from govsim.logs.routing import escalation_and_reopening, tier_shares, unit_shares
from govsim.logs.yamltext import dump
from govsim.policies.incentives import IncentiveScheme
from govsim.world.geography.from_spec import scenario_map
from govsim.world.scenario import MapSpec, Scenario, load_scenario, scenario_path

#: Days of warm-up the written scenario runs before the log's first day.
WARMUP_DAYS = 30
#: Fewest observed (closed) durations a distribution is fitted to.
MIN_OBSERVED = 5
#: Tiers of a scenario without a base, top to bottom (the log's tier names must be these).
DEFAULT_TIERS = ("city", "street", "community", "grid")


@dataclass
class LogFit:
    """Every fit of one log, and where the scenario's numbers came from.

    ``start``/``end``: the period fitted (``end`` is also the export time: open
    incidents are censored there). ``handling``/``sojourn``: per type;
    ``sojourn_by_tier``: per (type, tier), closed only. ``tiers``: shares closed per
    tier; ``routing``: escalation and reopen shares per type. ``problems``: what the fit
    left out and why.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    rates: RateFit
    profiles: ProfileFit
    handling: dict[str, DurationFit]
    sojourn: dict[str, DurationFit]
    sojourn_by_tier: dict[tuple[str, str], DurationFit]
    tiers: pd.DataFrame
    routing: pd.DataFrame
    tier_names: list[str]
    round_trip_h: float
    per: dict[str, str] = field(default_factory=dict)
    pace: float = 1.0
    fail_factor: float = 1.0
    problems: list[str] = field(default_factory=list)
    departments: pd.DataFrame = field(default_factory=pd.DataFrame)
    spans: dict[str, np.ndarray] = field(default_factory=dict)
    sojourn_data: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def handling_mean(self, kind: str) -> tuple[float, float, float]:
        """The scenario's ``mean_h`` of ``kind`` (low, mean, high): the mean of the bottom
        tier's visits less the round trip (``handling``), times the base's grid pace
        (paperwork and pay slow or speed a visit: ``IncentiveScheme.grid_speed``); at
        least 0.01 h."""
        got = self.handling[kind]
        return tuple(  # type: ignore[return-value]
            max(value * self.pace, 0.01) for value in (got.low, got.mean, got.high)
        )


def log_period(incidents: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The whole days a log covers: from its first report's midnight to the midnight
    after its last report or closure."""
    first = incidents[col.CREATED].min().normalize()
    last = max(incidents[col.CREATED].max(), incidents[col.CLOSED].max())
    return first, last.normalize() + pd.Timedelta(days=1)


def hours_between(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    """``later − earlier`` in hours (NaN where either is missing)."""
    return ((later - earlier) / pd.Timedelta(hours=1)).to_numpy(dtype=float)


def fit_log(
    incidents: pd.DataFrame,
    base: Scenario | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    level: float = 0.95,
) -> LogFit:
    """Fit rates, profiles, durations and routing to the incidents created in
    ``[start, end)`` (default: the whole log, ``log_period``); ``base`` gives the map
    (cells, households, tiers, travel)."""
    period = log_period(incidents)
    start = period[0] if start is None else pd.Timestamp(start)
    end = period[1] if end is None else pd.Timestamp(end)
    within = (incidents[col.CREATED] >= start) & (incidents[col.CREATED] < end)
    log = incidents[within].reset_index(drop=True)  # positions index the duration arrays
    if log.empty:
        raise GovsimError(f"no incidents created in {start.date()} – {end.date()}: nothing to "
                          f"fit (the log's reports run {period[0].date()} – {period[1].date()})")
    log.loc[log[col.CLOSED] >= end, [col.CLOSED, col.TIER]] = pd.NaT, None
    problems = []
    spec = base.map if base is not None else MapSpec()
    tier_names = list(spec.tiers if base is not None else DEFAULT_TIERS)
    units = _units(log, base, spec)
    per = {kind: spec_.per for kind, spec_ in (base.incidents if base else {}).items()}
    untyped = int(log[col.TYPE].isna().sum())
    if untyped:
        problems.append(f"{untyped} incidents without a type, left out")
        log = log[log[col.TYPE].notna()]
    unplaced = int(log[col.CELL].isna().sum())
    if unplaced:
        problems.append(f"{unplaced} incidents without a cell: in their type's rate, no cell's")
    unknown = sorted(set(log[col.CELL].dropna()) - set(units.index))
    if unknown:
        problems.append(f"{len(unknown)} cells not on the map, left out of the rates: "
                        f"{unknown[:5]}")
    bad_tiers = sorted(set(log[col.TIER].dropna()) - set(tier_names))
    if bad_tiers:
        problems.append(f"tiers not in {tier_names}, left out of the routing: {bad_tiers}")
    bottom = tier_names[-1]
    scheme = IncentiveScheme(base) if base is not None else None
    handling, sojourn, by_tier, spans, sojourn_data = {}, {}, {}, {}, {}
    # a bottom-tier visit less the round trip into the cell: the handling at the pace
    round_trip_h = 2.0 * spec.within_cell_travel_h
    span = hours_between(log[col.CLOSED], log[col.ASSIGNED]) - round_trip_h
    waited = hours_between(log[col.CLOSED].fillna(end), log[col.CREATED])
    for kind, rows in log.groupby(col.TYPE):
        index = log.index.get_indexer(rows.index)
        closed = rows[col.CLOSED].notna().to_numpy()
        got = _fitted(waited[index], closed, level, f"{kind}: resolution times", problems)
        if got is not None:
            sojourn[str(kind)] = got
            sojourn_data[str(kind)] = (waited[index], closed)
        visit = (rows[col.TIER] == bottom).to_numpy() & ~np.isnan(span[index])
        got = _fitted(span[index][visit], np.ones(visit.sum(), bool), level,
                      f"{kind}: {bottom} visits (its handling is the base's or the "
                      "schema's: assumed)", problems)
        if got is not None:
            spans[str(kind)] = span[index][visit]
            handling[str(kind)] = got
        for tier, at in rows[closed].groupby(col.TIER):
            where = log.index.get_indexer(at.index)
            got = _fitted(waited[where], np.ones(len(at), bool), level, "", [])
            if got is not None:
                by_tier[(str(kind), str(tier))] = got
    return LogFit(
        start=start,
        end=end,
        rates=fit_rates(log, units, start, end, level, per),
        profiles=fit_profiles(log, start, end, level),
        handling=handling,
        sojourn=sojourn,
        sojourn_by_tier=by_tier,
        tiers=tier_shares(log, tier_names, level),
        routing=escalation_and_reopening(log, bottom, level),
        departments=unit_shares(log, list(base.departments) if base else [], level),
        tier_names=tier_names,
        round_trip_h=round_trip_h,
        per=per,
        pace=scheme.grid_speed if scheme else 1.0,
        fail_factor=scheme.fail_factor if scheme and scheme.fail_factor > 0 else 1.0,
        problems=problems,
        spans=spans,
        sojourn_data=sojourn_data,
    )


def _fitted(
    durations: np.ndarray, observed: np.ndarray, level: float, what: str, problems: list[str]
) -> DurationFit | None:
    """``fit_durations``, or None (``what`` noted in ``problems``) where fewer than
    ``MIN_OBSERVED`` durations were observed or no family fits them."""
    if observed.sum() < MIN_OBSERVED:
        problems.append(f"{what}: {observed.sum()} observed, fewer than {MIN_OBSERVED}: "
                        "not fitted")
        return None
    try:
        return fit_durations(durations, observed, level)
    except ValueError as exc:
        problems.append(f"{what}: not fitted ({exc})")
        return None


def _units(log: pd.DataFrame, base: Scenario | None, spec: MapSpec) -> pd.DataFrame:
    """Per cell (by cell id) the units rates are per: households, shops, daily visitors —
    the base's map, else the log's cells with ``households_per_cell`` each (assumed)."""
    if base is None:
        cells = sorted(log[col.CELL].dropna().unique()) or ["grid 0"]
        index = pd.Index(cells, name=col.CELL)
        return pd.DataFrame({"household": float(spec.households_per_cell), "shop": 0.0,
                             "visitor": 0.0}, index=index)
    grid_map = scenario_map(base.map)
    bottom = grid_map.n_tiers - 1
    names = [grid_map.region_name(bottom, c) for c in range(grid_map.n_cells)]
    return pd.DataFrame(
        {"household": grid_map.households.astype(float),
         "shop": grid_map.cell_values("shops").astype(float),
         "visitor": grid_map.cell_values("tourist_load").astype(float)},
        index=pd.Index(names, name=col.CELL))


def summing_to_one(shares: dict[str, float], digits: int = 4) -> dict[str, float]:
    """``shares`` rounded to ``digits`` significant digits, the largest then set so that
    they sum to 1 exactly (the schema checks the sum)."""
    rounded = {key: float(f"{value:.{digits}g}") for key, value in shares.items()}
    largest = max(rounded, key=rounded.get)
    rounded[largest] = round(1.0 - sum(v for k, v in rounded.items() if k != largest), 12)
    return rounded


def ci_note(count: int, low: float, high: float, level: float, what: str = "records") -> str:
    """The provenance of a number from data: ``from data: N records, 95% CI LOW–HIGH``."""
    return f"from data: {count:,} {what}, {level:.0%} CI {low:.4g}–{high:.4g}"


def fit_scenario(
    incidents: pd.DataFrame,
    out: str | Path,
    base: str | Path | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    level: float = 0.95,
) -> LogFit:
    """Fit the log (``fit_log``) and write the scenario to ``out`` (YAML, each number
    marked from data or assumed; over ``base`` with its ``base:`` key when given).
    Returns the fits; the file loads with ``govsim check`` and runs."""
    out = Path(out)
    base_path = scenario_path(base) if base is not None else None
    base_scenario = load_scenario(base_path) if base_path is not None else None
    fit = fit_log(incidents, base_scenario, start, end, level)
    data, comments = _scenario_data(fit, base_scenario, base_path, out)
    header = _header(fit, base_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + dump(data, comments) + "\n", encoding="utf-8")
    try:
        load_scenario(out)
    except GovsimError as exc:  # a fit the schema refuses: say so, with the file kept
        raise GovsimError(f"the fitted scenario {out} does not validate: {exc}") from None
    return fit


def _period(fit: LogFit) -> str:
    """The fitted period's first and last days."""
    return f"{fit.start.date()} – {(fit.end - pd.Timedelta(days=1)).date()}"


def _base_reference(base: Path, out: Path) -> str:
    """How the written scenario names its base: relative to it where the two are near
    (at most one folder up), else the base's absolute path (a shipped scenario)."""
    relative = Path(os.path.relpath(base.resolve(), out.parent.resolve())).as_posix()
    return relative if not relative.startswith("../..") else base.resolve().as_posix()


def _header(fit: LogFit, base_path: Path | None) -> str:
    period = _period(fit)
    lines = [
        f"Fitted by govsim import-log from an incident log of {period}",
        f"({fit.rates.by_type['count'].sum():,} incidents). Numbers marked 'from data' were",
        "fitted (records, CI); 'assumed: confirm' and everything not marked",
        f"({'the base scenario ' + base_path.name if base_path else 'the schema defaults'}:"
        " staffing, departments, deadlines, severities, travel) did not come from the log.",
        "The log sees reports only: rates are report rates, each reported at once.",
        "Handling: the bottom tier's assigned -> closed span less the round trip into the",
        f"cell ({fit.round_trip_h:g} h, assumed), used at every tier (assumed).",
        *fit.problems,
    ]
    return "".join(f"# {line}\n" for line in lines)


def _scenario_data(
    fit: LogFit, base: Scenario | None, base_path: Path | None, out: Path
) -> tuple[dict[str, Any], dict[str, str]]:
    """The scenario's sections as data, and the comment of each number's line."""
    data: dict[str, Any] = {}
    notes: dict[str, str] = {}
    start = (fit.start - pd.Timedelta(days=WARMUP_DAYS)).date()
    days = (fit.end - fit.start).days + WARMUP_DAYS
    if base_path is not None:
        data["base"] = _base_reference(base_path, out)
        data["name"] = f"{base.name}_fitted" if base else "fitted"
    else:
        data["name"] = "fitted"
        data.update(_no_base_sections(fit, notes))
    data["description"] = f"Fitted to an incident log, {_period(fit)}"
    data["run"] = {"days": days, "warmup_days": WARMUP_DAYS, "drain_days": 30}
    notes["run.days"] = f"the log's {days - WARMUP_DAYS} days after {WARMUP_DAYS} of warm-up"
    data["calendar"] = {"start_date": start}
    data["incidents"] = _incidents(fit, base, notes)
    data["demand"] = _demand(fit, notes)
    return data, notes


def _no_base_sections(fit: LogFit, notes: dict[str, str]) -> dict[str, Any]:
    """The map and staffing of a scenario without a base: the log's cells under one
    community (assumed), the schema's default staffing (assumed)."""
    cells = max(len(fit.rates.by_cell[col.CELL].unique()), 1)
    spec = MapSpec()
    notes["map.per_parent.grid"] = f"the log's {cells} cells, under one community (assumed)"
    notes["map.households_per_cell"] = "assumed: confirm (rates are per household-year)"
    notes["staffing"] = "assumed: confirm (the schema's defaults; the log has no staffing)"
    return {
        "map": {"tiers": list(fit.tier_names),
                "per_parent": {fit.tier_names[1]: 1, fit.tier_names[2]: 1,
                               fit.tier_names[3]: cells},
                "households_per_cell": spec.households_per_cell},
        "staffing": {"grid_workers_per_grid": 3,
                     "office_staff": {tier: 4 for tier in fit.tier_names[:-1]}},
    }


def _incidents(fit: LogFit, base: Scenario | None, notes: dict[str, str]) -> dict[str, Any]:
    """Each type's rate, reporting, handling, routing and fail_prob from the fits; a base
    type the log lacks gets rate 0."""
    out: dict[str, Any] = {}
    shares = fit.tiers.set_index([col.TYPE, col.TIER])
    routing = fit.routing.set_index(col.TYPE)
    bottom = fit.tier_names[-1]
    for row in fit.rates.by_type.itertuples():
        kind = str(getattr(row, col.TYPE))
        path = f"incidents.{kind}"
        entry: dict[str, Any] = {"rate": row.rate}
        notes[f"{path}.rate"] = ci_note(row.count, row.low, row.high, fit.rates.level) + (
            f" (reports per {fit.per.get(kind, 'household')}-year)")
        entry["reporting"] = {"prob": 1.0, "delay_h": 0.0}
        notes[f"{path}.reporting"] = "assumed: the log sees reports, the rate is of reports"
        handled = fit.handling.get(kind)
        if handled is not None:
            low, mean, high = fit.handling_mean(kind)
            fitted = {"dist": handled.family, "mean_h": mean, "cv": min(handled.cv, 10.0)}
            # the bottom tier by name too: a base's own entry for it must give way
            entry["handling"] = {bottom: fitted, "default": dict(fitted)}
            notes[f"{path}.handling.{bottom}.mean_h"] = ci_note(
                handled.n, low, high, handled.level, f"{bottom} visits"
            ) + f" less the {fit.round_trip_h:g} h round trip, × pace {fit.pace:.3g}"
            notes[f"{path}.handling.{bottom}.dist"] = (
                f"from data: least AIC of {', '.join(handled.aic)}; KS {handled.ks:.3f}, "
                f"AD {handled.ad:.2f}")
            notes[f"{path}.handling.default"] = (
                f"assumed: the {bottom} tier's at the tiers the base does not name")
        owned = base is not None and kind in base.incidents and base.incidents[kind].departments
        if not owned and (kind, bottom) in shares.index:
            total = int(shares.loc[kind, "count"].sum())
            entry["resolvable_at"] = summing_to_one(
                {tier: float(shares.loc[(kind, tier), "share"]) for tier in fit.tier_names})
            for tier in fit.tier_names:
                got = shares.loc[(kind, tier)]
                notes[f"{path}.resolvable_at.{tier}"] = ci_note(
                    total, got["low"], got["high"], fit.rates.level, "closures"
                ) + " closed there (assumed: none a lower tier could have closed)"
        elif owned:
            by = fit.departments[fit.departments[col.TYPE] == kind]
            closed_by = ", ".join(f"{r.unit} {r.share:.0%}" for r in by.itertuples()) or "none"
            notes[f"{path}.rate"] += (f"; owners: the base's departments (assumed; closed by "
                                      f"them in the log: {closed_by})")
        if kind in routing.index and routing.loc[kind, "at_bottom"] > 0:
            got = routing.loc[kind]
            entry["fail_prob"] = min(1.0, float(got["reopened_bottom"]) / fit.fail_factor)
            notes[f"{path}.fail_prob"] = ci_note(
                int(got["at_bottom"]), got["reopened_bottom_low"], got["reopened_bottom_high"],
                fit.rates.level, f"{bottom} closures"
            ) + f": the share reopened, / the base's corner-cutting factor {fit.fail_factor:.3g}"
        out[kind] = entry
    for kind in (base.incidents if base is not None else {}):
        if kind not in out:
            out[kind] = {"rate": 0.0}
            notes[f"incidents.{kind}.rate"] = "not in the log"
    for kind, entry in out.items():
        if base is None or kind not in base.incidents:  # a type the base does not know
            entry.update({"category": "general", "triage": "community"})
            notes[f"incidents.{kind}.triage"] = (
                "assumed: confirm (severities, deadlines: the schema's defaults)")
    return out


def _demand(fit: LogFit, notes: dict[str, str]) -> dict[str, Any]:
    """The fitted profiles: one pooled (``all_types``), one per type whose own differs,
    every type assigned (so that a base's assignments give way)."""
    profiles: dict[str, Any] = {"flat": {}}
    assign = {}
    pooled = {part: fit.profiles.pooled[part] for part in fit.profiles.pooled}
    shared = {part: p.multiplier.tolist() for part, p in pooled.items() if p.source == "pooled"}
    if shared:
        profiles["all_types"] = shared
        for part in shared:
            notes[f"demand.profiles.all_types.{part}"] = (
                f"from data: all types' counts (not flat, p = {pooled[part].p_pooled:.2g})")
    for kind, parts in fit.profiles.parts.items():
        own = {part: parts[part].source for part in parts}
        if "own" in own.values():
            profile = {}
            for part in PARTS:
                values = chosen(fit.profiles, kind, part)
                if values is not None:
                    profile[part] = values.tolist()
                    notes[f"demand.profiles.{kind}.{part}"] = (
                        f"from data: {'own' if own[part] == 'own' else 'all types'} counts "
                        f"(own vs all types p = {parts[part].p_own:.2g})")
            profiles[kind] = profile
            assign[kind] = kind
        else:
            assign[kind] = "all_types" if shared else "flat"
    if fit.profiles.month_note:
        notes["demand.profiles"] = f"assumed: {fit.profiles.month_note}"
    return {"profiles": profiles, "default": None, "assign": assign, "windows": []}
