"""The round trip: simulate a known scenario, export its ledger as a platform log, read it
back through a mapping, fit it, and recover the scenario's numbers within the fit's CIs.

The CIs are the fit's own; the truth is the scenario's. Every comparison of one test is
made at a Bonferroni-corrected level (family-wise 95%), so that a correct fit fails a
test one time in twenty at most, and a fit that is off by more than its noise fails.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from govsim.engine.model import simulate
from govsim.logs import columns as col
from govsim.logs.backtest import backtest, parse_period
from govsim.logs.durations import censored, fit_durations, restricted_mean
from govsim.logs.export import ledger_to_log, write_log
from govsim.logs.fit import fit_log, fit_scenario
from govsim.logs.rates import fit_rates
from govsim.logs.reader import read_log
from govsim.world.scenario import load_scenario

SCENARIO = "scenarios/logs/synthetic_demo.yaml"
FAMILY = 0.05


@pytest.fixture(scope="module")
def truth():
    return load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def ledger(truth):
    return simulate(truth, seed=1)


@pytest.fixture(scope="module")
def log(truth, ledger, tmp_path_factory):
    """A year of the synthetic scenario, exported, written as CSV and read back."""
    path = write_log(ledger_to_log(ledger, truth), tmp_path_factory.mktemp("log") / "log.csv")
    return read_log(path, "govsim", scenario=truth).incidents


def _level(comparisons: int) -> float:
    return 1.0 - FAMILY / comparisons


def test_the_export_is_a_platform_log(truth, ledger, log):
    assert set(col.ALL) <= set(log.columns)
    # one row per incident reported in the window, recurrences being reopenings
    frame = ledger.incidents
    first = frame["parent"] < 0
    reported = frame["reported_at"].between(*ledger.window_h, inclusive="left")
    assert len(log) == int((first & reported).sum())
    recurred = frame["parent"] >= 0
    before = frame["occurred_at"] < ledger.window_h[1]
    parents = frame.loc[recurred & before, "parent"]
    rows = frame.loc[first & reported, "incident"]
    assert log[col.REOPENED].sum() == int(parents.isin(rows).sum())
    # assigned (the first handler) between report and closure; a closure has its tier, unit
    shut = log[col.CLOSED].notna()
    assert (log[col.ASSIGNED].dropna() >= log.loc[log[col.ASSIGNED].notna(), col.CREATED]).all()
    both = shut & log[col.ASSIGNED].notna()
    assert (log.loc[both, col.ASSIGNED] <= log.loc[both, col.CLOSED]).all()
    assert log.loc[shut, [col.TIER, col.UNIT]].notna().all().all()
    assert log.loc[~shut, [col.TIER, col.UNIT]].isna().all().all()
    assert log[col.CREATED].min() >= pd.Timestamp("2025-01-01")
    assert log[col.CREATED].max() < pd.Timestamp("2026-01-01")
    is_open = log[col.CLOSED].isna()
    assert is_open.any() and (log.loc[is_open, col.STATUS] == "open").all()
    assert (log.loc[~is_open, col.CLOSED] >= log.loc[~is_open, col.CREATED]).all()
    assert set(log[col.TIER].dropna()) <= set(truth.tiers)
    assert set(log[col.TYPE]) == set(truth.incidents)


def test_rates_are_recovered_within_their_cis(truth, log):
    fit = fit_log(log, truth, level=_level(len(truth.incidents)))
    rates = fit.rates.by_type.set_index(col.TYPE)
    for kind, spec in truth.incidents.items():
        assert rates.loc[kind, "low"] <= spec.rate <= rates.loc[kind, "high"], kind
    # shrinkage: every cell's estimate lies between its raw rate and the district mean
    cells = fit.rates.by_cell.merge(rates["rate"], left_on=col.TYPE, right_index=True)
    low = np.minimum(cells["raw"], cells["rate"]) - 1e-12
    high = np.maximum(cells["raw"], cells["rate"]) + 1e-12
    assert cells["shrunk"].between(low, high).all()


def test_handling_means_and_routing_are_recovered_within_their_cis(truth, log):
    grid_types = [k for k, spec in truth.incidents.items() if not spec.departments]
    tiers = truth.tiers
    comparisons = len(grid_types) * (2 + len(tiers))
    fit = fit_log(log, truth, level=_level(comparisons))
    shares = fit.tiers.set_index([col.TYPE, col.TIER])
    routing = fit.routing.set_index(col.TYPE)
    for kind in grid_types:
        spec = truth.incidents[kind]
        low, _, high = fit.handling_mean(kind)
        assert low <= spec.handling["default"].mean_h <= high, kind
        assert fit.handling[kind].family == spec.handling["default"].dist, kind
        got = routing.loc[kind]
        assert got["reopened_bottom_low"] <= spec.fail_prob <= got["reopened_bottom_high"], kind
        for tier in tiers:
            share = spec.resolvable_at.get(tier, 0.0)
            row = shares.loc[(kind, tier)]
            assert row["low"] - 1e-9 <= share <= row["high"] + 1e-9, (kind, tier)


def test_profiles_are_recovered_within_their_cis(truth, log):
    kinds = list(truth.incidents)
    comparisons = len(kinds) * (24 + 7 + 12)
    fit = fit_log(log, truth, level=_level(comparisons))
    profiles = truth.demand.profiles_of(kinds)
    for kind, profile in zip(kinds, profiles, strict=True):
        for part in ("hour", "weekday", "month"):  # a whole year: months are fitted
            got = fit.profiles.parts[kind][part]
            true = profile.normalised(part)
            assert np.all((got.low <= true) & (true <= got.high)), (kind, part)
    # the choice: shop noise keeps its own evening hours, home repairs the pooled day's
    assert fit.profiles.parts["shop_noise"]["hour"].source == "own"
    assert fit.profiles.parts["home_repair"]["hour"].source == "pooled"


def test_the_fitted_scenario_loads_and_marks_its_numbers(truth, log, tmp_path):
    out = tmp_path / "fitted.yaml"
    fit_scenario(log, out, base=SCENARIO)
    fitted = load_scenario(out)
    text = out.read_text(encoding="utf-8")
    assert "from data:" in text and "assumed" in text
    for kind, spec in truth.incidents.items():
        assert fitted.incidents[kind].rate == pytest.approx(spec.rate, rel=0.3)
    assert fitted.demand.assign["shop_noise"] == "shop_noise"


def test_the_backtest_fails_when_the_test_period_differs(log, tmp_path):
    """A demand shift the training period did not see: the test period's home repairs
    doubled (each row repeated under a new id). The back-test must flag that volume, in
    that direction."""
    train, test = parse_period("2025-01-01..2025-08-31"), parse_period("2025-09-01..2025-12-31")
    shifted = log[(log[col.TYPE] == "home_repair") & (log[col.CREATED] >= test[0])].copy()
    shifted[col.INCIDENT_ID] = shifted[col.INCIDENT_ID] + "-again"
    doubled = pd.concat([log, shifted], ignore_index=True)
    result = backtest(doubled, SCENARIO, train, test, tmp_path, reps=5)
    assert not result.passed
    missed = result.table[~result.table["inside"]]
    assert ("daily volume", "home_repair") in set(zip(missed["statistic"], missed[col.TYPE],
                                                      strict=True))
    row = result.table.set_index(["statistic", col.TYPE]).loc[("daily volume", "home_repair")]
    assert row["actual"] > row["high"]  # direction: more than the model expects
    assert row["actual"] == pytest.approx(2 * row["simulated"], rel=0.25)


def test_censored_fits_see_past_the_open_incidents():
    """Exponential durations (mean 10 h), each censored at a uniform 0–20 h export: the
    censored MLE recovers the mean within 4 standard errors (mean / √events); the mean of
    the closed alone, what ignoring the open ones gives, is far below."""
    rng = np.random.default_rng(7)
    durations = rng.exponential(10.0, 4000)
    export = rng.uniform(0.0, 20.0, 4000)
    observed = durations <= export
    seen = np.minimum(durations, export)
    got = fit_durations(seen, observed)
    assert got.censored == int((~observed).sum()) > 1000
    error = 10.0 / np.sqrt(observed.sum())
    assert got.family in ("exponential", "gamma")  # gamma nests the exponential
    assert abs(got.fitted_mean - 10.0) < 4 * error
    exponential = stats.expon(*stats.expon.fit(censored(seen, observed), floc=0))
    assert abs(exponential.mean() - 10.0) < 4 * error
    assert seen[observed].mean() < 10.0 - 10 * error
    # without censoring the restricted mean is the sample mean, its CI the t-like one
    mean, low, high = restricted_mean(durations, np.ones_like(observed))
    assert mean == pytest.approx(durations.mean())
    assert high - low == pytest.approx(2 * 1.96 * durations.std() / np.sqrt(4000), rel=0.01)


def test_shrinkage_beats_raw_rates_where_cells_differ():
    """200 cells whose rates differ (gamma, shape 4, mean 1 per household-year) over
    exposures of 2–200 household-years: the shrunk rates are nearer the truth than the raw
    ones (mean squared error), a cell's weight on its own rate grows with its exposure,
    and the posterior intervals cover the true rates about as often as they claim (95%,
    within 3 binomial standard errors)."""
    rng = np.random.default_rng(3)
    cells = 200
    true = rng.gamma(4.0, 0.25, cells)
    households = pd.Series(rng.uniform(2.0, 200.0, cells),
                           index=pd.Index([f"c{i}" for i in range(cells)], name=col.CELL))
    counts = rng.poisson(true * households.to_numpy())
    start = pd.Timestamp("2025-01-01")
    end = start + pd.Timedelta(hours=8760)  # one year: exposure = households
    log = pd.DataFrame({
        col.TYPE: "noise",
        col.CELL: np.repeat(households.index.to_numpy(), counts),
        col.CREATED: start + pd.Timedelta(days=100),
    })
    fit = fit_rates(log, households, start, end)
    by_cell = fit.by_cell.set_index(col.CELL).loc[households.index]
    raw_error = np.mean((by_cell["raw"] - true) ** 2)
    shrunk_error = np.mean((by_cell["shrunk"] - true) ** 2)
    assert shrunk_error < raw_error
    order = np.argsort(households.to_numpy())
    assert np.all(np.diff(by_cell["weight"].to_numpy()[order]) >= 0)
    covered = np.mean((by_cell["low"] <= true) & (true <= by_cell["high"]))
    assert abs(covered - 0.95) < 3 * np.sqrt(0.95 * 0.05 / cells)
