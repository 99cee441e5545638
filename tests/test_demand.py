"""Demand over time: profiles and windows, sampled by thinning (govsim.world.demand,
govsim.engine.demand, ``OccurrenceSampler``).

The statistical tests sample occurrences only (no engine run) on the M/M/c scenario
(2 incidents an hour on average) over four years, and compare counts by hour, weekday,
month and window with their expectations: a chi-square test of fit that must not reject
at 0.1%, and the same counts must reject a flat demand (what the old sampler drew).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from govsim.analysis.theory import THEORY_DIR
from govsim.engine.model import GovernanceModel, simulate
from govsim.errors import ScenarioError
from govsim.policies.files import load_policy
from govsim.world.demand import MONTH_DAYS
from govsim.world.scenario import (
    deep_merge,
    load_scenario,
    read_with_base,
    read_yaml,
    scenario_path,
    validate_scenario,
)
from tests.test_ledger_pin import ledger_hash

MMC = THEORY_DIR / "mmc.yaml"
#: Four years from 2025-01-01: every weekday 208 or 209 times, one leap day.
DAYS = 1461
START = dt.date(2025, 1, 1)
#: A day-shaped hour profile: quiet nights, a busy day, an evening peak.
HOUR = [0.2] * 7 + [1.0] * 2 + [2.0] * 9 + [3.0] * 4 + [0.5] * 2
WEEKDAY = [1.0, 1.0, 1.0, 1.0, 1.2, 2.0, 0.5]
MONTH = [0.5, 0.5, 1, 1, 1, 1, 2, 2, 1, 1, 1, 0.5]
#: Significance of the tests of fit (and of the tests that a flat demand is refused).
ALPHA = 1e-3


def mmc_with(demand: dict[str, Any]) -> Any:
    """The M/M/c scenario with ``demand`` as its demand section."""
    return validate_scenario(deep_merge(read_yaml(MMC), {"demand": demand}), source="mmc")


def occurrences(scenario: Any, days: int = DAYS, seed: int = 0) -> np.ndarray:
    """Occurrence times (h) the sampler draws day by day over ``days`` days."""
    model = GovernanceModel(scenario, seed=seed, days=days)
    drawn = [model.sampler.sample(day * 24.0, 24.0) for day in range(days)]
    return np.array([i.occurred_at for day in drawn for i in day])


def base_rate_per_h(scenario: Any) -> float:
    """The scenario's long-run total rate (per hour) without demand over time."""
    model = GovernanceModel(scenario, seed=0, days=1)
    return float(model.sampler.base_rates.sum())


def fits(counts: np.ndarray, expected: np.ndarray) -> float:
    """p-value of Pearson's chi-square test of ``counts`` against ``expected`` totals."""
    expected = expected * counts.sum() / expected.sum()
    return float(stats.chisquare(counts, expected).pvalue)


def test_thinning_reproduces_the_hour_profile() -> None:
    times = occurrences(mmc_with({"profiles": {"day": {"hour": HOUR}}, "default": "day"}))
    counts = np.bincount((times % 24).astype(int), minlength=24)
    assert fits(counts, np.array(HOUR)) > ALPHA
    assert fits(counts, np.ones(24)) < ALPHA  # what the stationary sampler drew
    # size: the evening's rate is 15 times the night's (3.0 / 0.2), within its CI
    evening, night = counts[18:22].sum() / 4, counts[:7].sum() / 7
    log_se = np.sqrt(1 / (4 * evening) + 1 / (7 * night))  # counts per hour: Poisson
    ratio_ci = np.exp(np.log(evening / night) + np.array([-3, 3]) * log_se)
    assert ratio_ci[0] < 15.0 < ratio_ci[1]


def test_weekday_and_month_profiles_and_a_window() -> None:
    window = {"name": "festival", "start": "2026-05-01", "end": "2026-05-07", "factor": 3.0}
    profile = {"weekday": WEEKDAY, "month": MONTH}
    scenario = mmc_with({"profiles": {"p": profile}, "default": "p", "windows": [window]})
    times = occurrences(scenario)
    days = (times // 24).astype(int)
    dates = [START + dt.timedelta(days=int(d)) for d in range(DAYS)]
    weekday = np.array([d.weekday() for d in dates])
    month = np.array([d.month - 1 for d in dates])
    open_days = np.array([dt.date(2026, 5, 1) <= d <= dt.date(2026, 5, 7) for d in dates])
    w = np.array(WEEKDAY) / np.mean(WEEKDAY)
    m = np.array(MONTH) * MONTH_DAYS.sum() / (np.array(MONTH) * MONTH_DAYS).sum()
    daily = w[weekday] * m[month] * np.where(open_days, 3.0, 1.0)  # expected ∝ this

    by_weekday = np.bincount(weekday[days], minlength=7)
    assert fits(by_weekday, np.bincount(weekday, weights=daily, minlength=7)) > ALPHA
    assert fits(by_weekday, np.bincount(weekday, minlength=7).astype(float)) < ALPHA
    by_month = np.bincount(month[days], minlength=12)
    assert fits(by_month, np.bincount(month, weights=daily, minlength=12)) > ALPHA
    assert fits(by_month, np.bincount(month, minlength=12).astype(float)) < ALPHA
    # the window: its count against its Poisson CI, and three times the same days' rate
    # a year before (no window then)
    rate_per_day = base_rate_per_h(scenario) * 24.0
    in_window = int(open_days[days].sum())
    expected = rate_per_day * daily[open_days].sum()
    assert abs(in_window - expected) < 3.3 * np.sqrt(expected)
    year_before = np.array([dt.date(2025, 5, 1) <= d <= dt.date(2025, 5, 7) for d in dates])
    before = rate_per_day * daily[year_before].sum()
    assert in_window > before + 3.3 * np.sqrt(before)


def test_normalised_profiles_keep_the_yearly_rate() -> None:
    demand = {"profiles": {"p": {"hour": HOUR, "weekday": WEEKDAY, "month": MONTH}}, "default": "p"}
    scenario = mmc_with(demand)
    total = occurrences(scenario).size
    expected = base_rate_per_h(scenario) * 24.0 * DAYS  # rate × exposure × the days
    # the four years' calendar averages the profiles to within 0.1% of their mean
    assert abs(total - expected) < 3.3 * np.sqrt(expected) + 1e-3 * expected


def test_flat_profiles_sample_as_no_profile_does() -> None:
    raw = {k: v for k, v in read_with_base(scenario_path("demo")).items() if k != "demand"}
    flat = {
        "profiles": {"flat": {"hour": [2.5] * 24, "weekday": [3.0] * 7, "month": [1.0] * 12}},
        "default": "flat",
        "windows": [{"name": "none", "start": "2025-01-10", "end": "2025-01-20", "factor": 1.0}],
    }
    plain = simulate(validate_scenario(raw), seed=3, days=40)
    with_flat = simulate(validate_scenario(deep_merge(raw, {"demand": flat})), seed=3, days=40)
    assert ledger_hash(with_flat) == ledger_hash(plain)
    shaped = deep_merge(flat, {"profiles": {"flat": {"hour": HOUR}}})
    with_shape = simulate(validate_scenario(deep_merge(raw, {"demand": shaped})), seed=3, days=40)
    assert ledger_hash(with_shape) != ledger_hash(plain)


def test_policies_that_only_route_see_the_same_incidents() -> None:
    demand = {"profiles": {"p": {"hour": HOUR, "weekday": WEEKDAY}}, "default": "p"}
    firsts = []
    for name in ("status_quo", "platform_dispatch"):
        policy = load_policy(name)
        scenario = load_scenario("demo", {}, policy.sections, policy.source)
        scenario = validate_scenario(deep_merge(scenario.model_dump(), {"demand": demand}))
        frame = simulate(scenario, seed=5, days=40).incidents
        # recurrences depend on the fixes, and the drain lasts until the work is done
        first = frame[(frame["parent"] < 0) & (frame["occurred_at"] < 40 * 24.0)]
        # (not severity: it worsens while hidden)
        firsts.append(first[["occurred_at", "kind", "cell", "level"]].to_numpy())
    assert len(firsts[0]) > 100
    np.testing.assert_array_equal(firsts[0], firsts[1])


def _refusal(demand: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as caught:
        mmc_with(demand)
    return str(caught.value)


@pytest.mark.parametrize(
    ("demand", "path", "what"),
    [
        ({"profiles": {"p": {"hour": [1.0] * 23}}}, "demand.profiles.p.hour", "at least 24"),
        ({"profiles": {"p": {"weekday": [1.0] * 8}}}, "demand.profiles.p.weekday", "at most 7"),
        ({"profiles": {"p": {"month": [1.0] * 11 + [-1.0]}}}, "demand.profiles.p.month.11", "0"),
        ({"profiles": {"p": {"hour": [0.0] * 24}}}, "demand.profiles.p.hour", "all multipliers"),
        (
            {"windows": [{"name": "w", "start": "2025-05-02", "end": "2025-05-01", "factor": 2}]},
            "demand.windows.0",
            "before start",
        ),
        (
            {"windows": [{"name": "w", "start": "2025-05-01", "end": "2025-05-02", "factor": 2,
                          "incidents": ["tourism"]}]},
            "demand.windows.0.incidents",
            "no incident type 'tourism'",
        ),
        ({"profiles": {"p": {}}, "assign": {"tourism": "p"}}, "demand.assign.tourism",
         "no incident type"),
        ({"assign": {"request": "nope"}}, "demand.assign.request", "no profile 'nope'"),
        ({"default": "nope"}, "demand.default", "no profile 'nope'"),
        ({"windows": [{"name": "w", "start": "2025-05-01", "end": "2025-05-02", "factor": 1e3}]},
         "demand.windows.0.factor", "100"),
    ],
)  # fmt: skip
def test_schema_errors_name_the_field_path(demand: dict[str, Any], path: str, what: str) -> None:
    message = _refusal(demand)
    line = next(line for line in message.splitlines() if line.strip().startswith(path + ":"))
    assert what in line


def test_profiles_from_a_csv_beside_the_scenario(tmp_path: Path) -> None:
    rows = ["profile,part,slot,multiplier"] + [f"day,hour,{h},{v}" for h, v in enumerate(HOUR)]
    (tmp_path / "demand.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    raw = deep_merge(read_yaml(MMC), {"demand": {"csv": "demand.csv", "default": "day"}})
    path = tmp_path / "mmc.yaml"
    import yaml

    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.demand.csv == str(tmp_path / "demand.csv")
    from_csv = scenario.demand.hour_table(["request"])
    inline = mmc_with({"profiles": {"day": {"hour": HOUR}}, "default": "day"})
    np.testing.assert_array_equal(from_csv, inline.demand.hour_table(["request"]))

    (tmp_path / "demand.csv").write_text("\n".join(rows[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"demand\.csv: .*profile day hour lacks slots \[23\]"):
        load_scenario(path)
    (tmp_path / "demand.csv").write_text("\n".join([*rows, "day,hour,3,2"]) + "\n")
    with pytest.raises(ScenarioError, match=r"row 26: day hour slot 3 is given twice"):
        load_scenario(path)


def test_windows_count_in_the_cap_on_incidents() -> None:
    whole_run = {"name": "w", "start": "2025-01-01", "end": "2035-12-31", "factor": 100.0}
    message = _refusal({"windows": [whole_run, whole_run]})
    assert "incidents: this scenario would create about" in message
