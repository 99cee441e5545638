"""Targets, their metrics and the calibration that fits presets to them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from govsim.analysis.calibration import calibrate
from govsim.analysis.queueing import mmc
from govsim.analysis.targets import PresetTargets, Target, load_targets, measure
from govsim.analysis.theory import THEORY_DIR
from govsim.engine.model import simulate
from govsim.errors import ScenarioError
from govsim.record.metrics import window_incidents
from govsim.world.scenario import HOURS_PER_YEAR, load_scenario
from tests.support import DEMO, a_target

LAMBDA, MU_TRUE = 1.5, 1.0


def test_target_metrics_by_hand() -> None:
    ledger = simulate(load_scenario(DEMO), seed=0, days=60)
    frame = window_incidents(ledger)
    months = (ledger.window_h[1] - ledger.window_h[0]) / (30 * 24)
    dispute = ledger.kinds.index("neighbour_dispute")
    rows = frame[frame["kind"] == dispute]

    def target(metric: str) -> Target:
        return a_target("t", metric, 0, 1)

    end = ledger.window_h[1]
    # handled in the window: reported before its end; some came to light only after it
    handled = rows[rows["reported_at"] < end]
    assert (rows["reported_at"] >= end).any()
    assert measure(target("reported_per_month:neighbour_dispute"), ledger) == pytest.approx(
        len(handled) / months
    )
    assert measure(target("resolved_share:neighbour_dispute"), ledger) == pytest.approx(
        (handled["resolved_at"] < end).mean()
    )
    hours = (rows["resolved_at"] - rows["reported_at"]).mean()
    assert measure(target("hours_from_report:neighbour_dispute"), ledger) == pytest.approx(hours)
    shares = [
        measure(target(f"resolved_at_share:neighbour_dispute:{tier}"), ledger)
        for tier in ledger.tiers
    ]
    assert sum(shares) == pytest.approx(1.0)
    with pytest.raises(ScenarioError, match="no incident type 'dispute'"):
        measure(target("occurrences:dispute"), ledger)


def test_a_bad_targets_file_is_refused(tmp_path: Path) -> None:
    entry = a_target("x", "speed:grid", 1, 1).model_dump(mode="json", exclude_none=True)
    bad = {"demo": {"policy": "status_quo", "source": "-", "figures": [entry]}}
    path = tmp_path / "register.yaml"
    path.write_text(yaml.safe_dump(bad), "utf-8")
    with pytest.raises(ScenarioError, match=r"demo\.figures\.0\.metric: unknown metric 'speed'"):
        load_targets(path)
    entry.update(metric="occurrences:x", tolerance=0)
    path.write_text(yaml.safe_dump(bad), "utf-8")
    with pytest.raises(ScenarioError, match=rf"{path}: demo\.figures\.0\.target\.tolerance"):
        load_targets(path)


def test_the_shipped_targets_name_real_metrics_and_presets() -> None:
    targets = load_targets()
    assert set(targets) == {"zhenyuan", "helong", "wuhou", "yuyao", "kongtong"}


def test_calibration_recovers_a_known_service_rate(tmp_path: Path) -> None:
    """An M/M/2 grid whose handling mean is 'unknown' in [0.4, 2.5] h, fitted to the mean
    time from report to resolution Erlang C gives at the true μ = 1/h."""
    raw = yaml.safe_load((THEORY_DIR / "mmc.yaml").read_text("utf-8"))
    raw["staffing"]["grid_workers_per_grid"] = 2
    raw["incidents"]["request"]["rate"] = LAMBDA * HOURS_PER_YEAR / 1000
    raw["incidents"]["request"]["handling"]["default"]["mean_h"] = 2.0  # a wrong guess
    raw["uncertain"] = {"incidents.request.handling.default.mean_h": [0.4, 2.5]}
    raw["run"] = {"days": 120, "warmup_days": 10, "drain_days": 10}
    (tmp_path / "toy.yaml").write_text(yaml.safe_dump(raw), "utf-8")
    sojourn = mmc(LAMBDA, MU_TRUE, 2).mean_sojourn
    targets = PresetTargets(
        policy="status_quo",
        targets=[
            a_target("sojourn", "hours_from_report:request", sojourn, 0.05 * sojourn),
            a_target("unfitted", "hours_from_report:request", 100 * sojourn, 1, role="holdout"),
        ],
    )
    result = calibrate("toy", samples=8, reps=3, refine_evals=15, targets=targets, folder=tmp_path)
    fitted = result.fitted["incidents.request.handling.default.mean_h"]
    profile = result.profiles["incidents.request.handling.default.mean_h"]
    assert profile.verdict == "identified"
    assert profile.low <= fitted <= profile.high and profile.high - profile.low < 0.2
    # the fit absorbs the three replications' sampling error (a few %), nothing more
    assert abs(fitted - 1 / MU_TRUE) < 0.05
    assert [a.target.name for a in result.achieved] == ["sojourn"]  # the holdout is left out
    assert result.achieved[0].passed
    assert len(result.samples) >= 8 + 1 + 2
    assert np.isfinite(result.samples["loss"]).all()
