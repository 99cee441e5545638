"""The spine: with behaviour off, the engine reproduces queueing theory.

One grid must match Erlang C (mean wait, utilisation) and the tiered escalation network
the open Jackson network (per-tier mean sojourn, arrival rate, utilisation), each inside
a t-interval from 10 independent replications of a simulated year. The intervals are
Bonferroni-adjusted so the whole table holds at a 95% family-wise level; the power
checks make sure those intervals are narrow enough to catch a wrong model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govsim.analysis import queueing
from govsim.analysis.theory import MMC_CASES, TheoryCheck, judge, theory_report
from govsim.stats import mean_ci

REPS = 10


@pytest.fixture(scope="module")
def report() -> pd.DataFrame:
    return theory_report(reps=REPS, days=365.0)


def test_every_case_is_checked(report: pd.DataFrame) -> None:
    assert len(report) == 2 * len(MMC_CASES) + 3 * 4
    assert report["check"].str.contains("ρ=0.90").sum() >= 4  # heavy load is covered


def test_one_grid_matches_erlang_c(report: pd.DataFrame) -> None:
    mmc = report[report["check"].str.startswith("M/M/")]
    failures = mmc[~mmc["within_ci"]]
    assert failures.empty, failures.to_string()


def test_escalation_network_matches_jackson(report: pd.DataFrame) -> None:
    jackson = report[report["check"].str.startswith("Jackson")]
    failures = jackson[~jackson["within_ci"]]
    assert failures.empty, failures.to_string()


def test_intervals_would_catch_a_wrong_model(report: pd.DataFrame) -> None:
    """Power: each interval excludes the theory of a model with a rate 20% off either way.

    A wide interval would pass anything; these would not pass a broken engine.
    """
    weak = report[~report["rivals_excluded"]]
    assert weak.empty, weak.to_string()


def test_a_wrong_server_count_is_caught(report: pd.DataFrame) -> None:
    """Power: Erlang C for one server more lies far outside the heavy-load interval."""
    row = report[report["check"].str.startswith("M/M/5") & (report["quantity"] == "mean wait h")]
    wrong = queueing.mmc(4.5, 1.0, 6).mean_wait
    assert not (row["low"].iloc[0] <= wrong <= row["high"].iloc[0])


def test_mean_ci_covers_at_its_level() -> None:
    """The interval itself: ~95% coverage on normal samples of size 10."""
    rng = np.random.default_rng(0)
    hits = sum(mean_ci(rng.normal(3.0, 1.0, REPS)).contains(3.0) for _ in range(4000))
    assert 0.94 <= hits / 4000 <= 0.96


def test_judge_applies_bonferroni() -> None:
    comps = [TheoryCheck("c", "q", 0.0, np.array([10.0, 11.0, 12.0])) for _ in range(5)]
    table = judge(comps, family_level=0.95)
    single = mean_ci(np.array([10.0, 11.0, 12.0]), 0.99)
    assert table["low"].iloc[0] == pytest.approx(single.low)
    assert not table["within_ci"].any()
