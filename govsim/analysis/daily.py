"""Time-varying operations side by side: govsim and Ciw on a desk with a day/night roster.

``scenarios/theory/daily.yaml`` is one desk with behaviour off: a day crew and a night
crew (``rosters``), arrivals by an hour-of-day profile (``demand``), exponential
handling. ``daily_queue`` reads the M_t/M/c_t queue it is (``timevarying.DailyQueue``)
from the scenario, so the file is the one place the case is set. ``run_daily`` runs it
in govsim and in Ciw over independent replications and ``daily_table`` compares the mean
wait by hour of arrival:

- govsim against Ciw in every hour: the Welch interval of the difference of the two
  replication means must contain 0 (24 intervals, Bonferroni-adjusted to a 95%
  family-wise level);
- each simulator against the pointwise-stationary (PSA) and modified-offered-load
  (MOL) approximations, only in the hours ``timevarying.expected_to_hold`` marks (a
  second family, Bonferroni-adjusted to 95% over its intervals).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from govsim import shipped
from govsim.analysis.ciw_peer import ciw_available, ciw_hourly_waits
from govsim.analysis.timevarying import (
    HOURS_PER_DAY,
    DailyQueue,
    expected_to_hold,
    hourly_means,
    mol_waits,
    psa_waits,
)
from govsim.engine.model import simulate
from govsim.record.metrics import visits
from govsim.stats import Interval, difference_ci, mean_ci
from govsim.world.scenario import HOURS_PER_YEAR, Scenario, load_scenario

DAILY_FILE = shipped.folder("scenarios") / "theory" / "daily.yaml"


def daily_scenario() -> Scenario:
    """The shipped day/night desk (scenarios/theory/daily.yaml)."""
    return load_scenario(DAILY_FILE)


def daily_queue(scenario: Scenario) -> DailyQueue:
    """The M_t/M/c_t queue a one-desk, one-incident-type, behaviour-off scenario is.

    λ in hour h = households × rate / 8760 × the type's hour-of-day multiplier (mean 1);
    servers in hour h = the grid-worker crews whose shift covers h; μ = 1 / handling mean.
    """
    ((name, kind),) = scenario.incidents.items()
    mean_rate = scenario.map.households_per_cell * kind.rate / HOURS_PER_YEAR
    (profile,) = scenario.demand.hour_table([name])
    servers = np.zeros(HOURS_PER_DAY, dtype=int)
    rosters = scenario.rosters
    for crew in rosters.grid_workers or ():
        shift = rosters.shifts[crew.shift]
        whole = float(shift.start_h).is_integer() and float(shift.hours).is_integer()
        if shift.days != "all" or not whole:
            raise ValueError(f"shift {crew.shift}: a daily queue needs whole-hour daily shifts")
        staff = scenario.staffing.grid_workers_per_grid if crew.staff is None else crew.staff
        servers[(int(shift.start_h) + np.arange(int(shift.hours))) % HOURS_PER_DAY] += staff
    return DailyQueue(
        arrival_rates=tuple(float(mean_rate * m) for m in profile),
        servers=tuple(int(c) for c in servers),
        service_rate=1.0 / kind.handling["default"].mean_h,
    )


def govsim_hourly_waits(scenario: Scenario, seed: int) -> np.ndarray:
    """One govsim replication: mean wait (h) at the desk by hour of arrival, 24 values
    (the window's incidents, after the scenario's warm-up)."""
    stays = visits(simulate(scenario, seed=seed))
    served = stays[stays["started_at"].notna()]
    return hourly_means(served["queued_at"].to_numpy(), served["wait_h"].to_numpy())


@dataclass(frozen=True)
class DailyRuns:
    """Mean wait by hour of arrival, one row per replication (reps × 24), of govsim and of
    Ciw (None when Ciw is not installed), with the queue they simulate."""

    queue: DailyQueue
    govsim: np.ndarray
    ciw: np.ndarray | None


def run_daily(reps: int, scenario: Scenario | None = None) -> DailyRuns:
    """``reps`` replications of the desk (default: the shipped one) in govsim (seeds
    0…reps−1) and, when Ciw is installed, in Ciw (same seeds, its own streams; the same
    days and warm-up)."""
    scenario = scenario or daily_scenario()
    queue = daily_queue(scenario)
    ours = np.array([govsim_hourly_waits(scenario, seed) for seed in range(reps)])
    theirs = None
    if ciw_available():
        run = scenario.run
        theirs = np.array(
            [ciw_hourly_waits(queue, run.days, run.warmup_days, seed) for seed in range(reps)]
        )
    return DailyRuns(queue, ours, theirs)


def _bonferroni(family_level: float, count: int) -> float:
    return 1.0 - (1.0 - family_level) / max(count, 1)


def daily_table(
    runs: DailyRuns, family_level: float = 0.95, tolerance: float = 0.05
) -> pd.DataFrame:
    """One row per hour of the day: λ, servers, govsim's and Ciw's mean wait (h) with
    their intervals, the interval of the difference and whether it holds 0 (``agree``),
    PSA and MOL, whether they are checked in that hour (``checked``) and, where checked,
    whether each lies in both simulators' intervals (``psa_ok``, ``mol_ok``).

    Two families, each Bonferroni-adjusted to ``family_level``: the 24 differences, and
    the approximations' intervals (each checked hour: 2 approximations × the simulators).
    The hours checked are those where the queue has settled to within ``tolerance`` of
    its stationary state (``expected_to_hold``), so an approximation there may be off by
    that share of its value: it passes when within its interval widened by that much.
    """
    queue = runs.queue
    checked = expected_to_hold(queue, tolerance)
    samples = [runs.govsim] + ([runs.ciw] if runs.ciw is not None else [])
    agree_level = _bonferroni(family_level, HOURS_PER_DAY)
    approx_level = _bonferroni(family_level, 2 * len(samples) * int(checked.sum()))
    psa, mol = psa_waits(queue), mol_waits(queue)
    rows = []
    for hour in range(HOURS_PER_DAY):
        row: dict[str, object] = {
            "hour": hour,
            "arrival_rate": queue.arrival_rates[hour],
            "servers": queue.servers[hour],
        }
        approx: list[Interval] = []
        for name, sample in zip(("govsim", "ciw"), samples, strict=False):
            shown = mean_ci(sample[:, hour], agree_level)
            row |= {name: shown.mean, f"{name}_low": shown.low, f"{name}_high": shown.high}
            approx.append(mean_ci(sample[:, hour], approx_level))
        if runs.ciw is not None:
            diff = difference_ci(runs.govsim[:, hour], runs.ciw[:, hour], agree_level)
            row |= {"diff_low": diff.low, "diff_high": diff.high, "agree": diff.contains(0.0)}
        row |= {"psa": psa[hour], "mol": mol[hour], "checked": bool(checked[hour])}
        for label, value in (("psa_ok", psa[hour]), ("mol_ok", mol[hour])):
            slack = tolerance * value
            row[label] = bool(checked[hour]) and all(
                i.low - slack <= value <= i.high + slack for i in approx
            )
        rows.append(row)
    return pd.DataFrame(rows)


def daily_passed(table: pd.DataFrame) -> bool:
    """Whether govsim and Ciw agree in every hour and PSA and MOL hold where checked."""
    agree = bool(table["agree"].all()) if "agree" in table else True
    held = table.loc[table["checked"], ["psa_ok", "mol_ok"]].to_numpy().all()
    return agree and bool(held)
