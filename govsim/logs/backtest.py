"""Back-test a fitted scenario: fit on a training period, simulate a test period, compare.

The scenario is fitted (``fit_scenario``) on the incidents created in the training
period; it is then run over the test period (after ``WARMUP_DAYS`` of warm-up) ``reps``
times, each run exported as a log (``ledger_to_log``), and per incident type three
statistics of the simulated logs are set against the actual log's over the same days:
the mean daily volume, the median and 90th percentile of the resolution time (created →
closed; Kaplan–Meier, open incidents censored at the test's end) and the share closed
above the bottom tier (escalated).

**The criterion.** Each actual value must lie in its prediction interval: the simulated
mean ± t(reps − 1) × s × √(1 + 1/reps + test/train), s the replications' standard
deviation, ``test/train`` the ratio of the two periods' days (the fit's own error,
taken as the statistic's sampling variance over a training sample of that many days),
at the Bonferroni-corrected level 1 − 0.05 / (number of statistics compared): a correct
model fails the back-test one time in twenty at most. A statistic either side cannot
give (a quantile never reached, a type with no closures) is not compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from govsim.engine.model import simulate
from govsim.errors import GovsimError
from govsim.logs import columns as col
from govsim.logs.export import ledger_to_log
from govsim.logs.fit import fit_scenario, hours_between, log_period
from govsim.world.scenario import load_scenario

WARMUP_DAYS = 30
FAMILY_ALPHA = 0.05
QUANTILES = (0.5, 0.9)


def km_quantile(durations: np.ndarray, observed: np.ndarray, q: float) -> float:
    """The ``q`` quantile of the Kaplan–Meier estimate (the least time where the
    estimated CDF reaches ``q``; NaN if it never does)."""
    if len(durations) == 0 or not observed.any():
        return float("nan")
    values = np.maximum(durations, 1e-9)
    data = stats.CensoredData(uncensored=values[observed], right=values[~observed])
    cdf = stats.ecdf(data).cdf
    reached = np.flatnonzero(cdf.probabilities >= q - 1e-12)
    return float(cdf.quantiles[reached[0]]) if len(reached) else float("nan")


def log_statistics(
    log: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, bottom: str
) -> pd.DataFrame:
    """Per type, the compared statistics of the incidents created in ``[start, end)``,
    what happened after ``end`` unknown: one row per (statistic, type) with ``value``."""
    within = log[(log[col.CREATED] >= start) & (log[col.CREATED] < end)]
    closed = within[col.CLOSED].notna() & (within[col.CLOSED] < end)
    days = (end - start) / pd.Timedelta(days=1)
    waited = hours_between(within[col.CLOSED].where(closed, end), within[col.CREATED])
    rows = []
    for kind, rows_of in within.groupby(col.TYPE):
        index = within.index.get_indexer(rows_of.index)
        shut = closed.to_numpy()[index]
        rows.append(("daily volume", kind, len(rows_of) / days))
        for q in QUANTILES:
            rows.append((f"resolution p{q * 100:.0f} (h)", kind,
                         km_quantile(waited[index], shut, q)))
        tiers = rows_of.loc[closed.loc[rows_of.index], col.TIER].dropna()
        rows.append(("escalated share", kind,
                     float((tiers != bottom).mean()) if len(tiers) else float("nan")))
    return pd.DataFrame(rows, columns=["statistic", col.TYPE, "value"])


@dataclass
class Backtest:
    """A back-test's comparison table (one row per statistic and type: ``actual``,
    ``simulated`` mean, prediction interval ``low``/``high``, ``inside``), the fitted
    scenario's path and the periods, reps and level; ``passed`` when every compared
    actual value lies in its interval."""

    table: pd.DataFrame
    scenario: Path
    train: tuple[pd.Timestamp, pd.Timestamp]
    test: tuple[pd.Timestamp, pd.Timestamp]
    reps: int
    level: float

    @property
    def passed(self) -> bool:
        """Whether every compared statistic's actual value is inside its interval."""
        return bool(self.table["inside"].all())


def backtest(
    incidents: pd.DataFrame,
    base: str | Path | None,
    train: tuple[pd.Timestamp, pd.Timestamp],
    test: tuple[pd.Timestamp, pd.Timestamp],
    out: str | Path,
    reps: int = 5,
    seed: int = 0,
) -> Backtest:
    """Fit on ``train`` (writing ``out``/fitted.yaml), simulate ``test`` ``reps`` times
    (seeds ``seed`` …) and compare (module doc). ``reps`` ≥ 2."""
    check_periods(incidents, train, test)
    out = Path(out)
    path = out / "fitted.yaml"
    fit = fit_scenario(incidents, path, base=base, start=train[0], end=train[1])
    bottom = fit.tier_names[-1]
    start = (test[0] - pd.Timedelta(days=WARMUP_DAYS)).date()
    days = (test[1] - test[0]) / pd.Timedelta(days=1) + WARMUP_DAYS
    scenario = load_scenario(path, {"calendar.start_date": start.isoformat(),
                                    "run.days": days, "run.warmup_days": WARMUP_DAYS})
    actual = log_statistics(incidents, test[0], test[1], bottom)
    runs = []
    for rep in range(reps):
        log = ledger_to_log(simulate(scenario, seed=seed + rep), scenario)
        runs.append(log_statistics(log, test[0], test[1], bottom).assign(rep=rep))
    simulated = pd.concat(runs).pivot_table(index=["statistic", col.TYPE], columns="rep",
                                            values="value", dropna=False)
    table = actual.set_index(["statistic", col.TYPE]).join(simulated, how="left")
    values = table[list(range(reps))].to_numpy(dtype=float)
    table = table[["value"]].rename(columns={"value": "actual"})
    table["simulated"] = np.nanmean(values, axis=1)
    spread = np.nanstd(values, axis=1, ddof=1)
    comparable = table["actual"].notna() & (np.isfinite(values).sum(axis=1) == reps)
    table = table[comparable.to_numpy()].copy()
    spread = spread[comparable.to_numpy()]
    level = 1.0 - FAMILY_ALPHA / max(len(table), 1)
    ratio = (test[1] - test[0]) / (train[1] - train[0])
    half = stats.t.ppf(0.5 + level / 2.0, reps - 1) * spread * np.sqrt(1 + 1 / reps + ratio)
    table["low"], table["high"] = table["simulated"] - half, table["simulated"] + half
    table["inside"] = table["actual"].between(table["low"], table["high"])
    return Backtest(table.reset_index(), path, train, test, reps, level)


def check_periods(
    incidents: pd.DataFrame,
    train: tuple[pd.Timestamp, pd.Timestamp],
    test: tuple[pd.Timestamp, pd.Timestamp],
) -> None:
    """Refuse (``GovsimError``) periods outside the log or overlapping: a test period the
    log does not cover would pass with nothing compared, one overlapping the training
    period would test the fit on its own data."""
    first, last = log_period(incidents)
    shown = f"the log covers {first.date()} – {(last - pd.Timedelta(days=1)).date()}"
    for name, (start, end) in (("--train", train), ("--test", test)):
        if start < first or end > last:
            raise GovsimError(f"{name} {start.date()}..{(end - pd.Timedelta(days=1)).date()} "
                              f"is not inside the log: {shown}")
    if train[0] < test[1] and test[0] < train[1]:
        raise GovsimError("--train and --test overlap: the test must be on days the fit "
                          "did not see")


def parse_period(text: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``START..END`` (ISO dates, END included) as ``[start, end)`` midnights; raises
    ``ValueError`` saying the form."""
    first, sep, last = text.partition("..")
    try:
        start, end = pd.Timestamp(first), pd.Timestamp(last) + pd.Timedelta(days=1)
    except ValueError:
        start = end = None
    if not sep or start is None or end is None or end <= start:
        raise ValueError(f"{text!r}: expected START..END, ISO dates, START before END "
                         "(e.g. 2025-01-01..2025-08-31)")
    return start.normalize(), end.normalize()
