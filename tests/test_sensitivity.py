"""Sensitivity analysis: the wiring on functions with known indices, bad specs refused,
and a Sobol study of the demo city end to end (CLI, report, resume, executors)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from govsim.analysis.sensitivity import (
    Study,
    analyse,
    check_saltelli,
    convergence,
    evaluate_function,
    load_sensitivity,
    parse_spec,
    replication_noise,
    responses,
    run_study,
)
from govsim.cli import main
from govsim.errors import GovsimError, ScenarioError
from govsim.experiments.executors import ProcessExecutor, SerialExecutor
from govsim.experiments.results import load
from tests.experiments_support import DEMO, ROOT

PI = math.pi
#: Ishigami (a = 7, b = 0.1): analytic first-order and total indices.
V1, V2 = 0.5 * (1 + 0.1 * PI**4 / 5) ** 2, 7**2 / 8
V13 = 0.1**2 * PI**8 * (1 / 18 - 1 / 50)
VAR = V1 + V2 + V13
ISHIGAMI_S1 = {"x1": V1 / VAR, "x2": V2 / VAR, "x3": 0.0}
ISHIGAMI_ST = {"x1": (V1 + V13) / VAR, "x2": V2 / VAR, "x3": V13 / VAR}
NOISE_SD = 2.0


def ishigami(values: dict[str, float], seed: int) -> dict[str, float]:
    """The Ishigami function, and the same plus replication noise N(0, NOISE_SD²)."""
    x1, x2, x3 = values["x1"], values["x2"], values["x3"]
    y = math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)
    noise = np.random.default_rng([seed, int(1e6 * (x1 + 10))]).normal(0, NOISE_SD)
    return {"y": y, "noisy": y + noise, "seed": float(seed)}


def linear(values: dict[str, float], seed: int) -> dict[str, float]:
    """2·a + b (c has no effect): Morris μ* = (2, 1, 0) on [0, 1], σ = 0."""
    return {"y": 2 * values["a"] + values["b"] + 0 * values["c"]}


def _spec(**fields) -> Study:
    raw = {
        "name": "ishigami",
        "method": "sobol",
        "samples": 1024,
        "outputs": ["y"],
        "parameters": {name: [-PI, PI] for name in ("x1", "x2", "x3")},
        **fields,
    }
    return Study(parse_spec(raw, "ishigami.yaml"))


@pytest.fixture(scope="module")
def sobol_ishigami():
    study = _spec(second_order=True, replications=4, outputs=["y", "noisy", "seed"])
    return study, evaluate_function(study, ishigami)


# --- the wiring, on functions whose indices are known -------------------------------------


def test_sobol_recovers_ishigami_within_its_bootstrap_ci(sobol_ishigami) -> None:
    study, values = sobol_ishigami
    assert study.n_samples == 1024 * (2 * 3 + 2)
    problem = study.problem  # the SALib ProblemSpec, holding the design
    assert problem["names"] == ["x1", "x2", "x3"] and problem["bounds"][0] == [-PI, PI]
    assert problem.samples is study.design
    table = analyse(study, values).set_index(["output", "index", "parameter"])
    for name in ("x1", "x2", "x3"):
        for key, truth in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
            row = table.loc[("y", key, name)]
            assert row["low"] <= truth[name] <= row["high"], (key, name, row.to_dict())
            assert row["conf"] < 0.12  # an informative interval, not a vacuous one
    s2 = table.loc[("y", "S2", "x1 × x3")]  # the only interaction
    assert s2["low"] <= V13 / VAR <= s2["high"] and s2["low"] > 0


def test_replications_share_seeds_and_noise_share_is_measured(sobol_ishigami) -> None:
    study, values = sobol_ishigami
    # replication k of every sample ran on seed 0 + k (common random numbers)
    assert np.array_equal(values["seed"], np.tile(np.arange(4.0), (study.n_samples, 1)))
    noise = replication_noise({k: values[k] for k in ("y", "noisy")}).set_index("output")
    assert noise.loc["y", "noise_share"] == 0.0  # a deterministic function has no noise
    # NOISE_SD² / R of a variance VAR + NOISE_SD² / R
    expected = (NOISE_SD**2 / 4) / (VAR + NOISE_SD**2 / 4)
    assert noise.loc["noisy", "noise_share"] == pytest.approx(expected, rel=0.1)
    # indices are computed on the per-sample mean: noise lowers but keeps the ranking
    table = analyse(study, values).set_index(["output", "index", "parameter"])
    assert table.loc[("noisy", "ST", "x1"), "value"] > table.loc[("noisy", "ST", "x3"), "value"]


def test_convergence_narrows_the_ci_on_nested_designs(sobol_ishigami) -> None:
    study, values = sobol_ishigami
    table = convergence(study, {"y": values["y"]})
    assert sorted(set(table["n"])) == [8, 16, 32, 64, 128, 256, 512, 1024]
    st = table[table["index"] == "ST"].pivot(index="n", columns="parameter", values="width")
    assert (st.loc[1024] < st.loc[64] / 2).all()  # width ∝ 1/√N: 4× the base samples, ½
    full = analyse(study, {"y": values["y"]})
    last = table[table["n"] == 1024].drop(columns=["n", "width"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(last, full)


def test_morris_recovers_linear_effects() -> None:
    raw = {
        "name": "linear",
        "method": "morris",
        "samples": 20,
        "outputs": ["y"],
        "parameters": {"a": [0, 1], "b": [0, 1], "c": [0, 1]},
    }
    study = Study(parse_spec(raw))
    assert study.n_samples == 20 * 4
    table = analyse(study, evaluate_function(study, linear)).set_index(["index", "parameter"])
    for name, effect in (("a", 2.0), ("b", 1.0), ("c", 0.0)):
        assert table.loc[("mu_star", name), "value"] == pytest.approx(effect)
        assert table.loc[("sigma", name), "value"] == pytest.approx(0.0, abs=1e-9)
        assert table.loc[("sigma", name), "conf"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("method", "samples", "key"),
    [("fast", 1000, "S1"), ("rbd_fast", 1000, "S1"), ("delta", 500, "S1")],
)
def test_other_methods_recover_ishigami_first_order(method: str, samples: int, key: str) -> None:
    study = _spec(method=method, samples=samples, bootstrap=20)  # SALib's delta is slow
    table = analyse(study, evaluate_function(study, ishigami)).set_index(["index", "parameter"])
    for name in ("x1", "x2", "x3"):
        row = table.loc[(key, name)]
        assert abs(row["value"] - ISHIGAMI_S1[name]) <= max(3 * row["conf"], 0.05), row


def test_pawn_ranks_ishigami_on_a_latin_design() -> None:
    study = _spec(method="pawn", samples=1000, design="latin")
    table = analyse(study, evaluate_function(study, ishigami)).set_index(["index", "parameter"])
    median = table.loc["median", "value"]
    assert median["x2"] > median["x1"] > median["x3"] > 0


# --- settings that would give wrong indices are refused -----------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"samples": 1000}, "samples: Sobol needs a power of two"),
        ({"design": "latin"}, "design: sobol cannot analyse a latin design"),
        ({"method": "morris", "samples": 10, "levels": 5}, "levels: Morris needs an even"),
        ({"method": "morris", "samples": 10, "optimal_trajectories": 10}, "2 ≤ k < samples"),
        ({"method": "morris", "second_order": True}, "second_order: only Sobol"),
        ({"parameters": {"x1": [1, 1], "x2": [0, 1]}}, "parameters.x1.high: needs low < high"),
        ({"parameters": {"x1": {"dist": "norm", "low": 0}, "x2": [0, 1]}}, "x1.mean: required"),
        ({"method": "fast", "samples": 64}, "FAST needs N > 4·M² = 64"),
        ({"metod": "sobol"}, "metod: unknown key; allowed:"),
    ],
)
def test_bad_specs_are_refused(fields: dict, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        _spec(**fields)
    assert "ishigami.yaml: invalid sensitivity spec" in str(err.value)
    assert message in str(err.value)


def test_a_non_saltelli_design_or_a_mismatched_flag_is_refused_by_the_analysis() -> None:
    study = _spec(samples=64)
    check_saltelli(study.design, 3, second_order=False)  # its own design passes
    with pytest.raises(GovsimError, match="second-order flag"):
        check_saltelli(study.design, 3, second_order=True)
    latin = _spec(method="pawn", samples=64 * 5, design="latin").design
    with pytest.raises(GovsimError, match="not a Saltelli design"):
        check_saltelli(latin, 3, second_order=False)


def test_shipped_sensitivity_specs_load() -> None:
    folder = ROOT / "experiments" / "sensitivity"
    studies = {p.stem: load_sensitivity(p) for p in folder.glob("*.yaml")}
    sobol = studies["sobol_demo"]
    assert sobol.n_samples == 256 * (2 * 8 + 2) == 4608 and len(sobol.names) == 8
    assert sobol.integers == {"staffing.grid_workers_per_grid"}
    assert studies["discovery_p90"].spec.the_design == "latin"


def test_spec_file_errors_name_file_field_and_suggestion(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "typo.yaml"
    raw = yaml.safe_load((ROOT / "experiments" / "sensitivity" / "sobol_demo.yaml").read_text())
    raw["scenario"] = str(DEMO)
    raw["parameters"]["staffing.grid_worker_per_grid"] = [1, 3]
    spec.write_text(yaml.safe_dump(raw))
    assert main(["sensitivity", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(spec) in err and "staffing.grid_workers_per_grid" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()
    del raw["parameters"]["staffing.grid_worker_per_grid"]
    raw["outputs"] = ["resolution_p09_h"]
    spec.write_text(yaml.safe_dump(raw))
    assert main(["sensitivity", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{spec}: outputs" in err and "did you mean resolution_p90_h" in err


# --- a Sobol study of the demo city, end to end --------------------------------------------

DEMO_STUDY = {
    "name": "demo_sobol",
    "scenario": str(DEMO),
    "method": "sobol",
    "samples": 32,  # 16 left the hand-off penalty's ST CI overlapping the weak levers'
    "replications": 1,
    "days": 8,
    "outputs": ["resolution_p90_h", "escalation_rate", "satisfaction"],
    "parameters": {
        "staffing.grid_workers_per_grid": [1, 4],
        "routing.handoff_h.street": [2, 48],
        "incentives.bonus": [0, 1],
        "incidents.neighbour_dispute.rate": [0.2, 0.8],
        "routing.verify_h": [0.5, 8],
        "followup.per_handoff": [0, 1],
    },
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("demo")
    spec = folder / "demo_sobol.yaml"
    spec.write_text(yaml.safe_dump(DEMO_STUDY, sort_keys=False))
    assert main(["sensitivity", str(spec), "--out", str(folder / "out")]) == 0
    return spec, folder / "out"


@pytest.mark.slow
def test_demo_study_runs_every_sample_and_reports(demo, tmp_path: Path, capsys) -> None:
    spec, out = demo
    study = load_sensitivity(spec)
    results = load(out)
    assert len(results.runs) == study.n_samples == 32 * (6 + 2)
    # each run carries its sample id and that sample's values (integers rounded)
    values = study.values()
    stored = results.runs.set_index("sample")[list(values.columns)].sort_index()
    pd.testing.assert_frame_equal(stored, values, check_dtype=False)
    assert set(values["staffing.grid_workers_per_grid"]) <= {1, 2, 3, 4}
    indices = pd.read_csv(out / "indices.csv")
    assert len(indices) == 3 * 6 * 2 and indices["value"].notna().all()
    for name in ("indices.png", "heatmap.png", "convergence.png"):
        assert (out / "figures" / name).stat().st_size > 10_000
    # the report of the folder gives the same indices, written only where asked
    capsys.readouterr()
    before = sorted(p.name for p in out.rglob("*"))
    assert main(["report", str(out)]) == 0
    text = capsys.readouterr().out
    assert "sobol indices" in text and "replication noise" in text and "--figures OUT" in text
    assert sorted(p.name for p in out.rglob("*")) == before
    assert main(["report", str(out), "--figures", str(tmp_path / "again")]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "again" / "indices.csv"), indices)
    assert (tmp_path / "again" / "heatmap.png").exists()


@pytest.mark.slow
def test_demo_indices_make_sense_within_their_ci(demo) -> None:
    _, out = demo
    table = pd.read_csv(out / "indices.csv").set_index(["output", "index", "parameter"])
    names = list(DEMO_STUDY["parameters"])

    def dominates(output: str, name: str) -> None:
        """``name``'s total index is above every other's, CI against CI."""
        mine = table.loc[(output, "ST", name), "low"]
        for other in names:
            if other != name:
                assert mine > table.loc[(output, "ST", other), "high"], (output, name, other)

    dominates("escalation_rate", "incidents.neighbour_dispute.rate")  # disputes leave grids
    st = table.xs("ST", level="index")
    weak = ("incentives.bonus", "routing.verify_h", "followup.per_handoff")
    for name in weak:  # grid workers set resolution time far more than the weak levers
        assert st.loc[("resolution_p90_h", "staffing.grid_workers_per_grid"), "low"] > st.loc[
            ("resolution_p90_h", name), "high"
        ], name
    # the rating penalty per hand-off moves satisfaction, and never whether a case escalates
    handoff = st.loc[("satisfaction", "followup.per_handoff")]
    assert handoff["low"] > max(st.loc[("satisfaction", n), "high"] for n in weak[:2])
    assert st.loc[("escalation_rate", "followup.per_handoff"), "value"] < 1e-3


class _Crash(SerialExecutor):
    """Runs ``limit`` items, then fails as a killed worker would."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def map_unordered(self, fn, items):
        for done, item in enumerate(items):
            if done == self.limit:
                raise RuntimeError("worker lost")
            yield fn(item)


@pytest.mark.slow
def test_demo_study_resumes_and_matches_on_processes(demo, tmp_path: Path) -> None:
    spec, out = demo
    study = load_sensitivity(spec)
    with pytest.raises(RuntimeError, match="worker lost"):
        run_study(study, tmp_path / "out", _Crash(60))
    with pytest.raises(GovsimError, match="finish the study with --resume"):
        responses(study, load(tmp_path / "out").runs)
    with ProcessExecutor(2) as executor:
        again = run_study(study, tmp_path / "out", executor, resume=True)
    expected = responses(study, load(out).runs)
    for name, values in expected.items():
        assert np.array_equal(again[name], values), name
    cols = ["run_id", "sample", "rep", "seed", *study.spec.outputs]
    pd.testing.assert_frame_equal(load(tmp_path / "out").runs[cols], load(out).runs[cols])


def test_a_morris_study_is_identical_on_dask(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from govsim.experiments.executors import DaskExecutor

    raw = {
        **DEMO_STUDY,
        "method": "morris",
        "samples": 4,
        "days": 5,
        "outputs": ["resolution_mean_h"],
        "parameters": {k: DEMO_STUDY["parameters"][k] for k in list(DEMO_STUDY["parameters"])[:3]},
    }
    spec = tmp_path / "morris.yaml"
    spec.write_text(yaml.safe_dump(raw, sort_keys=False))
    study = load_sensitivity(spec)
    serial = analyse(study, run_study(study, tmp_path / "serial"))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        DaskExecutor(cluster.scheduler_address) as executor,
    ):
        on_dask = analyse(study, run_study(study, tmp_path / "dask", executor))
    pd.testing.assert_frame_equal(serial, on_dask, check_exact=True)
    assert set(serial["index"]) == {"mu_star", "mu", "sigma"} and len(serial) == 9
