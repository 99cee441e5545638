"""Quick sizes on the spec commands (``--samples``, ``--reps``, ``--days``, ``--set``), the
spec names each command suggests, and ``--quiet``."""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pytest

from govsim.analysis.robustness import load_robustness
from govsim.analysis.sensitivity import as_experiment, load_sensitivity
from govsim.cli import main
from govsim.engine.model import simulate
from govsim.errors import ScenarioError
from govsim.experiments.overrides import Overrides
from govsim.experiments.results import load
from govsim.experiments.spec import load_experiment
from tests.experiments_support import SMALL, write_spec

#: A Latin hypercube of 10 samples × 5 replications × 30 days: 50 runs as written.
LHS = """\
parameters:
  design: lhs
  samples: 10
  ranges:
    staffing.grid_workers_per_grid: [2, 4]
replications: 5
days: 30
series_every_days: 1
"""
QUICK = ["--samples", "2", "--reps", "2", "--days", "3", "--set", "staffing.patrols_per_day=0"]


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The LHS spec run with QUICK: its spec, its results folder and what it printed."""
    folder = tmp_path_factory.mktemp("quick")
    spec = write_spec(folder, LHS)
    out = folder / "out"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["experiment", str(spec), "--out", str(out), *QUICK]) == 0
    return spec, out, printed.getvalue()


def test_overrides_set_the_runs_and_land_in_the_manifest(quick) -> None:
    spec, out, printed = quick
    results = load(out)
    m = results.manifest
    assert m["overrides"] == {
        "samples": 2,
        "replications": 2,
        "days": 3.0,
        "set": {"staffing.patrols_per_day": 0},
    }
    assert (m["spec"]["parameters"]["samples"], m["spec"]["replications"]) == (2, 2)
    assert m["spec"]["days"] == 3.0 and m["spec"]["set"] == {"staffing.patrols_per_day": 0}
    assert m["runs_total"] == len(results.runs) == 2 * 2  # 50 as the spec is written
    first = load_experiment(spec, Overrides(**m["overrides"]))
    ledger = simulate(first.scenario(0, 0, first.policies[0]), seed=0, days=3)
    days = results.series.loc[results.series["run_id"] == 0, "day"]
    assert days.max() == int(ledger.end_h / 24) < 30  # 3 days and the drain, not 30
    assert printed.splitlines()[0] == (
        "test with --samples 2 --reps 2 --days 3 --set staffing.patrols_per_day=0: 4 runs"
    )
    as_written = load_experiment(spec)
    assert as_written.n_runs == 50 and as_written.scenario(0, 0, as_written.policies[0])
    overridden = load_experiment(spec, Overrides(set={"staffing.patrols_per_day": 0}))
    patrols = [
        e.scenario(0, 0, e.policies[0]).staffing.patrols_per_day for e in (as_written, overridden)
    ]
    assert patrols[0] > 0 and patrols[1] == 0  # --set reached the runs' scenario


def test_resume_with_other_overrides_is_refused(quick, capsys) -> None:
    spec, out, _ = quick
    assert main(["experiment", str(spec), "--out", str(out), "--resume", *QUICK[:-2]]) == 2
    err = capsys.readouterr().err
    assert "different experiment (changed: spec)" in err
    assert "it ran with --samples 2 --reps 2 --days 3 --set staffing.patrols_per_day=0" in err
    assert main(["experiment", str(spec), "--out", str(out), "--resume", *QUICK]) == 0
    assert "4 of 4 runs stored" in capsys.readouterr().out


def test_samples_resize_only_a_latin_hypercube(tmp_path: Path, capsys) -> None:
    spec = write_spec(tmp_path, SMALL)  # a factorial design
    assert main(["experiment", str(spec), "--out", str(tmp_path / "o"), "--samples", "3"]) == 2
    err = capsys.readouterr().err
    assert "--samples: only a Latin hypercube's samples" in err
    assert "its design is factorial: every combination of parameters.values" in err
    assert not (tmp_path / "o").exists()


def test_set_is_checked_like_a_spec_field(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, LHS)
    with pytest.raises(ScenarioError, match=r"set.staffing.grid_workers_per_grid: also varied"):
        load_experiment(spec, Overrides(set={"staffing.grid_workers_per_grid": 3}))
    with pytest.raises(ScenarioError, match=r"\(with --set staffing.patrol=1\): set \(for"):
        load_experiment(spec, Overrides(set={"staffing.patrol": 1}))
    with pytest.raises(ScenarioError, match=r"(?s)\(with --reps 0\).*replications"):
        load_experiment(spec, Overrides(replications=0))


def test_sensitivity_overrides_resize_the_design() -> None:
    given = Overrides(samples=8, replications=2, days=20, set={"map.per_parent.grid": 4})
    study = load_sensitivity("sensitivity/sobol_demo", given)
    assert study.spec.samples == 8 and study.n_samples == 8 * (2 * 8 + 2)  # 256 as written
    experiment = as_experiment(study)
    assert experiment.n_runs == 8 * 18 * 2 and experiment.spec.days == 20
    assert experiment.overrides == given.record() and experiment.spec.set == given.set
    assert experiment.scenario(0, 0, experiment.policies[0]).map.per_parent["grid"] == 4
    with pytest.raises(ScenarioError, match=r"(?s)\(with --samples 12\).*power of two.*8 or 16"):
        load_sensitivity("sensitivity/sobol_demo", Overrides(samples=12))


def test_robustness_overrides_resize_the_study() -> None:
    robustness = load_robustness(
        "robustness/yuyao_whistle", Overrides(samples=4, replications=1, days=10)
    )
    experiment = robustness.experiment
    assert experiment.n_runs == 4 * len(robustness.policies) * 1
    assert (robustness.spec.samples, robustness.spec.days) == (4, 10)
    assert experiment.overrides == {"samples": 4, "replications": 1, "days": 10}


@pytest.mark.parametrize(
    ("command", "own", "others"),
    [
        ("experiment", "five_policies", ("sensitivity/", "robustness/")),
        ("sensitivity", "sensitivity/sobol_demo", ("five_policies", "robustness/")),
        ("robustness", "robustness/yuyao_whistle", ("five_policies", "sensitivity/")),
    ],
)
def test_unknown_spec_names_suggest_only_what_the_command_runs(
    command: str, own: str, others: tuple[str, ...], tmp_path: Path, capsys
) -> None:
    assert main([command, "no_such_spec", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    shipped = err.split("shipped: ", 1)[1]
    assert f"shipped {command} spec" in err and own in shipped
    assert not any(other in shipped for other in others)


def test_another_commands_spec_names_its_command(tmp_path: Path, capsys) -> None:
    out = str(tmp_path / "o")
    assert main(["experiment", "robustness/yuyao_whistle", "--out", out]) == 2
    assert "a shipped robustness spec; run it with govsim robustness" in capsys.readouterr().err


def _fake_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard error looks like a terminal, so the bars would draw."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)


def test_quiet_prints_nothing_on_standard_error(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write_spec(tmp_path, SMALL)
    _fake_terminal(monkeypatch)
    assert main(["experiment", str(spec), "--out", str(tmp_path / "loud"), "--reps", "1"]) == 0
    assert "test" in capsys.readouterr().err  # the bar, labelled with the experiment
    args = ["experiment", str(spec), "--out", str(tmp_path / "quiet"), "--reps", "1", "--quiet"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "4 of 4 runs stored" in captured.out


def test_validate_and_calibrate_count_runs_and_hush_with_quiet(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both bars move per run (the stand-ins below call ``on_run`` as the real ones do),
    and --quiet silences them."""
    from govsim.analysis import calibration, validation

    def write_report(presets, reps, out, on_preset, on_run):
        for _ in range(3):
            on_run()
        return {}

    def calibrate(*args, on_run, **kwargs):
        on_run()
        raise ScenarioError("stop here")  # the bar has drawn; the result is not the point

    monkeypatch.setattr(validation, "write_report", write_report)
    monkeypatch.setattr(calibration, "calibrate", calibrate)
    _fake_terminal(monkeypatch)
    report = str(tmp_path / "v.md")
    for quiet in ([], ["--quiet"]):
        assert main(["validate", "wuhou", "--out", report, *quiet]) == 0
        err = capsys.readouterr().err
        assert ("validating wuhou" in err) is not bool(quiet)
        assert main(["calibrate", "wuhou", *quiet]) == 2
        err = capsys.readouterr().err
        assert ("calibrating: pilot" in err) is not bool(quiet)
        assert err.strip().endswith("govsim: stop here")
