"""Targets, their metrics and the calibration that fits presets to them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from govsim.analysis import calibration
from govsim.analysis.calibration import (
    CALIBRATION_SEED_BASE,
    UNDER_DETERMINED,
    Calibration,
    Profile,
    calibrate,
    calibration_seeds,
    degrees_of_freedom,
    measure_noise,
)
from govsim.analysis.noise import NOISE_SHARE, pilot_result
from govsim.analysis.queueing import mmc
from govsim.analysis.targets import Achieved, PresetTargets, Target, load_targets, measure
from govsim.analysis.theory import THEORY_DIR
from govsim.analysis.validation import MAX_VALIDATION_REPS, PRESETS, validation_seeds
from govsim.cli import main
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


def _toy(folder: Path, mean_h: float, uncertain: dict[str, list[float]], days: int = 120) -> float:
    """An M/M/2 grid (``folder/toy.yaml``) at λ = 1.5/h whose handling mean starts at
    ``mean_h``; returns the mean time in system Erlang C gives at the true μ = 1/h."""
    raw = yaml.safe_load((THEORY_DIR / "mmc.yaml").read_text("utf-8"))
    raw["staffing"]["grid_workers_per_grid"] = 2
    raw["incidents"]["request"]["rate"] = LAMBDA * HOURS_PER_YEAR / 1000
    raw["incidents"]["request"]["handling"]["default"]["mean_h"] = mean_h
    raw["uncertain"] = uncertain
    raw["run"] = {"days": days, "warmup_days": 10, "drain_days": 10}
    (folder / "toy.yaml").write_text(yaml.safe_dump(raw), "utf-8")
    return mmc(LAMBDA, MU_TRUE, 2).mean_sojourn


def _sojourn(value: float, tolerance: float) -> Target:
    return a_target("sojourn", "hours_from_report:request", value, tolerance)


HANDLING = "incidents.request.handling.default.mean_h"


def test_calibration_recovers_a_known_service_rate(tmp_path: Path) -> None:
    """The M/M/2 grid's handling mean 'unknown' in [0.4, 2.5] h (a wrong guess of 2 h),
    fitted to the mean time from report to resolution Erlang C gives at μ = 1/h."""
    sojourn = _toy(tmp_path, 2.0, {HANDLING: [0.4, 2.5]})
    unfitted = a_target("unfitted", "hours_from_report:request", 100 * sojourn, 1, role="holdout")
    fits = [_sojourn(sojourn, 0.05 * sojourn), unfitted]
    targets = PresetTargets(policy="status_quo", targets=fits)
    result = calibrate("toy", samples=8, reps=3, refine_evals=15, targets=targets, folder=tmp_path)
    fitted = result.fitted[HANDLING]
    profile = result.profiles[HANDLING]
    assert profile.verdict == "identified"
    assert profile.low <= fitted <= profile.high and profile.high - profile.low < 0.2
    # the fit absorbs the three replications' sampling error (a few %), nothing more
    assert abs(fitted - 1 / MU_TRUE) < 0.05
    assert [a.target.name for a in result.achieved] == ["sojourn"]  # the holdout is left out
    assert result.achieved[0].passed
    assert len(result.samples) >= 8 + 1 + 2
    assert np.isfinite(result.samples["loss"]).all()
    # one informative target, one identified parameter: k = 0, calibrated
    assert result.informative == {"sojourn": True} and result.degrees_of_freedom == 0
    assert result.status == "calibrated"
    assert list(result.seeds) == [CALIBRATION_SEED_BASE + k for k in range(3)]


def test_a_parameter_no_target_pins_makes_the_fit_under_determined(tmp_path: Path) -> None:
    """A second parameter the metric ignores (travel between cells: nobody travels) and a
    second target the handling time cannot move (how many incidents occur): the travel
    time is not identified, the count is uninformative, k = 1 − 2 = −1."""
    uncertain = {HANDLING: [0.4, 2.5], "map.edge_travel_h": [0.0, 1.0]}
    sojourn = _toy(tmp_path, 1.2, uncertain, days=60)
    count = a_target("count", "occurrences:request", 4000, 100)
    targets = PresetTargets(policy="status_quo", targets=[_sojourn(sojourn, 0.05 * sojourn), count])
    result = calibrate("toy", samples=3, reps=2, refine_evals=0, targets=targets, folder=tmp_path)
    assert result.informative == {"sojourn": True, "count": False}
    assert result.unidentified == ["map.edge_travel_h"]
    assert result.profiles[HANDLING].verdict == "identified"
    assert result.degrees_of_freedom == -1 and result.status == UNDER_DETERMINED
    # without runs: 2 fit targets − 2 parameters, before anything says one is useless
    assert degrees_of_freedom("toy", targets, tmp_path) == 0


def test_the_pilot_asks_for_the_fewest_reps_that_meet_the_noise_bound(tmp_path: Path) -> None:
    """Replications by noise: SE(n) ≤ tolerance / 4 at the n the pilot asks for, and not at
    n − 1; a tighter tolerance asks for more, in proportion to its square."""
    sojourn = _toy(tmp_path, 1.0, {HANDLING: [0.4, 2.5]})
    unfitted = a_target("unfitted", "hours_from_report:request", sojourn, 1e-6, role="holdout")
    fits = [_sojourn(sojourn, 0.05 * sojourn), unfitted]
    loose = PresetTargets(policy="status_quo", targets=fits)
    pilot = measure_noise("toy", loose, reps=6, folder=tmp_path)
    (noise,) = pilot.noise  # the holdout's noise asks for nothing: it is never fitted
    bound = noise.tolerance / NOISE_SHARE
    assert pilot.reps == 6 and pilot.needed == noise.needed and not pilot.capped
    assert noise.standard_error(pilot.needed) <= bound < noise.standard_error(pilot.needed - 1)
    assert pilot.bound_met(pilot.needed) and not pilot.bound_met(pilot.needed - 1)
    # a target with no measurable values asks for the minimum, not a made-up figure
    unmeasured = pilot_result([Achieved(_sojourn(sojourn, 0.025 * sojourn), np.full(6, np.nan))], 6)
    assert unmeasured.needed == 2
    # halving the tolerance asks for four times the replications (up to rounding)
    values = np.array([sojourn * (1 + 0.02 * z) for z in (-1.5, -0.5, 0.0, 0.5, 1.0, 1.5)])
    sd = float(np.std(values, ddof=1))
    half = pilot_result([Achieved(_sojourn(sojourn, 0.05 * sojourn), values)], 6).needed
    quarter = pilot_result([Achieved(_sojourn(sojourn, 0.025 * sojourn), values)], 6).needed
    assert half == int(np.ceil((4 * sd / (0.05 * sojourn)) ** 2))
    assert 4 * half - 4 <= quarter <= 4 * half


def test_calibration_and_validation_seeds_never_meet() -> None:
    """Validation runs seeds 0 … reps − 1 for at most MAX_VALIDATION_REPS replications;
    calibration's block starts above the last of them for any seed offset and reps."""
    top = max(validation_seeds(MAX_VALIDATION_REPS))
    assert top < CALIBRATION_SEED_BASE
    for reps in (1, 2, 3, 10, 1000, MAX_VALIDATION_REPS):
        for seed in (0, 1, 100, 2**40):
            assert not set(validation_seeds(reps)) & set(calibration_seeds(min(reps, 50), seed))
            assert calibration_seeds(reps, seed).start > top
    with pytest.raises(ValueError, match="validation: reps must be 1 to 100,000"):
        validation_seeds(MAX_VALIDATION_REPS + 1)
    with pytest.raises(ValueError):
        calibration_seeds(3, -1)


def test_calibrate_runs_on_its_own_seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run a calibration makes — the pilot and every setting — is on the
    calibration block; a fake ``achieve`` records the seeds."""
    first_seeds: set[int] = set()

    asked: list[int] = []
    done: list[None] = []

    def fake(name, reps, overrides=None, targets=None, base_seed=0, folder=None, on_run=None):
        first_seeds.update(range(base_seed, base_seed + reps))
        asked.append(reps)
        for _ in range(reps):
            on_run()
        return [
            Achieved(t, np.array([t.value, t.value + 0.01 * t.tolerance])) for t in targets.targets
        ]

    monkeypatch.setattr(calibration, "achieve", fake)
    result = calibrate(
        "zhenyuan", samples=2, refine_evals=0, seed=5, on_run=lambda: done.append(None)
    )
    assert len(done) == sum(asked)  # the bar moves once per run, the pilots' included
    assert min(first_seeds) == CALIBRATION_SEED_BASE + 5
    assert first_seeds == set(range(CALIBRATION_SEED_BASE + 5, CALIBRATION_SEED_BASE + 5 + 8))
    assert result.pilot is not None and result.reps == 2  # noise far below the bound


#: The parameters issue 16 found the figures do not pin (profiles to a range's edge, or a
#: parameter with no figure of its own): fixed from a source or a stated assumption since.
UNIDENTIFIED = {
    "helong": ["effort_step", "effort_max", "effort_care"],
    "wuhou": ["behaviour.trust.initial", "property."],
    "yuyao": ["routing.handoff_h.street", "routing.whistle.response_h"],
    "kongtong": ["routing.verify_h"],
}


def test_no_shipped_preset_is_under_determined_before_the_fit() -> None:
    """k = fit targets − uncertain parameters, from the files alone, is ≥ 0 for every
    preset (it was −2 for Helong, −3 for Wuhou, −1 for Yuyao, −2 for Kongtong), and no
    parameter the figures did not pin is fitted any more."""
    targets = load_targets()
    for preset in PRESETS:
        fits = targets[preset].with_role("fit").targets
        uncertain = calibration.preset_scenario(preset).uncertain
        k = degrees_of_freedom(preset, targets[preset])
        assert k == len(fits) - len(uncertain) >= 0, preset
        for fixed in UNIDENTIFIED.get(preset, []):
            assert not [path for path in uncertain if fixed in path], (preset, fixed)


def test_calibrate_prints_the_label_k_and_the_replications(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The printed fit says under-determined (never calibrated) when a parameter is not
    identified, gives k and where the replications came from."""
    target = a_target("t", "occurrences:x", 0.5, 0.1)
    pilot = pilot_result([Achieved(target, np.array([0.4, 0.5, 0.6]))], 3)
    profile = Profile(np.array([0.0, 1.0]), np.array([0.0, 0.0]), 0.0, 1.0, "not identified")
    fit = Calibration(
        preset="zhenyuan",
        ranges={"a.b": (0.0, 1.0)},
        fitted={"a.b": 0.5},
        loss=0.0,
        achieved=[Achieved(target, np.array([0.45, 0.55]))],
        samples=pd.DataFrame(),
        seeds=calibration_seeds(pilot.needed),
        profiles={"a.b": profile},
        pilot=pilot,
        informative={"t": True},
    )
    monkeypatch.setattr("govsim.analysis.calibration.calibrate", lambda *a, **k: fit)
    assert main(["calibrate", "zhenyuan"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    # sd 0.1 against a tolerance of 0.1: (4 × 0.1 / 0.1)² = 16 replications
    assert pilot.needed == 16
    assert "replications: 16, measured by a pilot of 3" in out
    assert "k = 1 informative fit targets − 1 parameters = 0" in out
    assert "zhenyuan: UNDER-DETERMINED (a.b not identified)" in out
    assert "zhenyuan: calibrated" not in out


def test_auto_reps_are_checked_at_the_fit_and_the_fit_redone_with_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pilot at the start that needs 2 replications, and one at the fit that needs 7
    (Zhenyuan's county desk: nearly every opinion resolved at the start, a noisy share at
    the fit): the fit runs again with 7, and a third pilot that needs no more ends it."""
    from govsim.analysis.noise import Pilot

    needs = iter([2, 7, 7])
    pilots: list[dict] = []
    fits: list[int] = []

    def fake_pilot(preset, spec, reps, seed, overrides, folder, on_run) -> Pilot:
        pilots.append(dict(overrides or {}))
        return Pilot(reps, [], next(needs), False)

    def fake_fit(preset, spec, ranges, samples, reps, *rest) -> calibration.Calibration:
        fits.append(reps)
        fitted = {name: float(low) + len(fits) for name, (low, _) in ranges.items()}
        return calibration.Calibration(
            preset, ranges, fitted, 0.0, [], pd.DataFrame(), range(reps), {}
        )

    monkeypatch.setattr(calibration, "measure_noise", fake_pilot)
    monkeypatch.setattr(calibration, "_fit", fake_fit)
    result = calibration.calibrate("zhenyuan")
    assert fits == [2, 7]
    assert result.pilot is not None and result.pilot.needed == 7
    ((path, (low, _)),) = calibration.preset_scenario("zhenyuan").uncertain.items()
    assert pilots == [{}, {path: low + 1}, {path: low + 2}]  # the start, then each fit
