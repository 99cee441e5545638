"""Experiment specs, the streaming result store, kill-and-resume, and the CLI commands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govsim.analysis.comparison import OUTCOMES
from govsim.cli import main
from govsim.errors import GovsimError, ScenarioError
from govsim.experiments.experiment import run_experiment
from govsim.experiments.parts import part_bytes
from govsim.experiments.results import ResultStore, load, read_manifest, summary
from govsim.experiments.run import RunResult
from govsim.experiments.spec import load_experiment
from govsim.stats import mean_ci
from tests.experiments_support import ROOT, SMALL, assert_same_results, write_spec


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("small")
    spec = write_spec(folder, SMALL)
    run_experiment(load_experiment(spec), folder / "out", batch=3)
    return spec, load(folder / "out")


# --- specs -------------------------------------------------------------------------------


def test_runs_cross_samples_replications_and_policies_on_shared_seeds(small) -> None:
    _, results = small
    runs = results.runs
    assert len(runs) == 2 * 2 * 2
    assert runs["seed"].tolist() == [0, 0, 1, 1] * 2  # replication k: seed k, every policy
    assert runs["policy"].tolist() == ["status_quo", "fast_handoffs"] * 4
    assert runs["staffing.grid_workers_per_grid"].tolist() == [2] * 4 + [3] * 4
    assert results.outcomes == [*OUTCOMES, "resolution_time_h.p90"]
    # the kept summary outcome is the same number as the compared one it mirrors
    assert np.array_equal(runs["resolution_time_h.p90"], runs["resolution_p90_h"])
    # more grid workers cost more: the parameter really reached the runs
    cost = runs.groupby("staffing.grid_workers_per_grid")["staff_cost"].mean()
    assert cost[3] > cost[2]


def test_manifest_records_provenance(small) -> None:
    spec, results = small
    m = results.manifest
    assert m["files"][str(spec)] == __import__("hashlib").sha256(spec.read_bytes()).hexdigest()
    assert any(path.endswith("demo.yaml") for path in m["files"])
    assert any(path.endswith("fast_handoffs.yaml") for path in m["files"])
    assert m["seeds"]["seeds"] == [0, 1] and "common random numbers" in m["seeds"]["scheme"]
    assert {"python", "mesa", "numpy", "govsim"} <= set(m["versions"])
    assert m["started"] <= m["finished"] and m["status"] == "complete"
    assert m["samples"] == [
        {"sample": 0, "staffing.grid_workers_per_grid": 2},
        {"sample": 1, "staffing.grid_workers_per_grid": 3},
    ]


def test_series_every_two_days(small) -> None:
    _, results = small
    one = results.series[results.series["run_id"] == 0]
    assert one["day"].tolist() == list(range(2, 2 * len(one) + 1, 2))
    assert {"trust", "backlog", "hidden", "resolved"} <= set(one.columns)
    assert (one["resolved"].diff().dropna() >= 0).all()


def test_summary_pairs_policies_within_each_sample(small) -> None:
    _, results = small
    table = summary(results).set_index(["sample", "policy", "outcome"])
    runs = results.runs
    for sample in (0, 1):
        mine = runs[runs["sample"] == sample].pivot(index="seed", columns="policy")
        diffs = mine["resolution_mean_h"]["fast_handoffs"] - mine["resolution_mean_h"]["status_quo"]
        row = table.loc[(sample, "fast_handoffs", "resolution_mean_h")]
        expected = mean_ci(diffs.to_numpy())
        assert (row["diff"], row["diff_low"], row["diff_high"]) == pytest.approx(
            (expected.mean, expected.low, expected.high)
        )
        assert row["staffing.grid_workers_per_grid"] == [2, 3][sample]


def test_latin_hypercube_is_reproducible_and_rounds_integers(tmp_path: Path) -> None:
    body = """\
parameters:
  design: lhs
  samples: 8
  seed: 3
  ranges:
    staffing.grid_workers_per_grid: [2, 5]
    incidents.neighbour_dispute.rate: [0.1, 0.3]
replications: 1
"""
    a = load_experiment(write_spec(tmp_path, body)).samples
    b = load_experiment(write_spec(tmp_path, body, "again.yaml")).samples
    assert a.equals(b)
    workers = a["staffing.grid_workers_per_grid"]
    assert workers.dtype.kind == "i" and workers.between(2, 5).all()
    # the 4 whole numbers 2 … 5 are equally likely: 2 samples each of 8, ends included
    assert workers.value_counts().sort_index().to_dict() == {2: 2, 3: 2, 4: 2, 5: 2}
    rate = a["incidents.neighbour_dispute.rate"]
    # Latin hypercube: exactly one sample in each of the 8 equal strata of the range
    strata = np.floor((rate - 0.1) / 0.2 * 8).astype(int)
    assert sorted(strata) == list(range(8))


def test_design_table_from_csv(tmp_path: Path) -> None:
    (tmp_path / "design.csv").write_text(
        "staffing.grid_workers_per_grid,routing.verify_h\n2,1\n4,3\n"
    )
    body = "parameters:\n  design: table\n  file: design.csv\nreplications: 3\n"
    experiment = load_experiment(write_spec(tmp_path, body))
    assert experiment.samples.to_dict("records") == [
        {"staffing.grid_workers_per_grid": 2, "routing.verify_h": 1},
        {"staffing.grid_workers_per_grid": 4, "routing.verify_h": 3},
    ]
    assert experiment.n_runs == 2 * 3
    run = next(experiment.runs(skip={0}))
    assert run.run_id == 1 and run.seed == 1 and run.scenario.routing.verify_h == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("replicatons: 3\n", r"replicatons: unknown key; allowed: name, description, scenarios"),
        ("replications: 0\n", r"replications: Input should be greater than or equal to 1"),
        (
            "parameters:\n  design: grid\n",
            r"parameters.design: Input should be 'list', 'factorial', 'lhs' or 'table'",
        ),
        (
            "parameters:\n  design: lhs\n  values: {routing.verify_h: [1]}\n",
            r"parameters.ranges: required for design lhs",
        ),
        (
            "parameters:\n  values: {staffing.grid_worker_per_grid: [1, 2]}\n",
            r"parameters.values \(for .*demo.yaml\): staffing.grid_worker_per_grid: unknown "
            r"parameter path; did you mean staffing.grid_workers_per_grid",
        ),
        (
            "parameters:\n  values: {staffing.grid_workers_per_grid: [2, 0]}\n",
            r"sample 1 \{'staffing.grid_workers_per_grid': 0\}: .*demo.yaml: invalid scenario"
            r"[\s\S]*staffing.grid_workers_per_grid: Input should be greater than or equal to 1",
        ),
        ("policies: [status_quo, fast_handofs]\n", r"policies.1: policy 'fast_handofs': no such"),
        ("baseline: other\n", r"baseline: 'other' is not one of \['status_quo'\]"),
    ],
)
def test_bad_specs_name_file_field_and_what_is_allowed(
    tmp_path: Path, body: str, expected: str
) -> None:
    spec = write_spec(tmp_path, body)
    with pytest.raises(ScenarioError, match=expected) as info:
        load_experiment(spec)
    assert str(info.value).startswith(str(spec))


def test_unknown_outcome_gets_suggestions(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "outcomes: [resolution_time_h.p09]\nreplications: 1\ndays: 5\n")
    with pytest.raises(
        GovsimError,
        match=r"outcomes: 'resolution_time_h.p09': unknown outcome; "
        r"did you mean resolution_time_h.p90",
    ):
        run_experiment(load_experiment(spec), tmp_path / "out")
    assert not (tmp_path / "out").exists()  # refused before anything was written


# --- the store ---------------------------------------------------------------------------


def test_existing_folder_is_refused_without_resume(small, tmp_path: Path, capsys) -> None:
    spec, _ = small
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    assert main(["experiment", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "not empty; pass --resume" in err and "Traceback" not in err


def test_resume_refuses_another_spec(small, tmp_path: Path) -> None:
    _, results = small
    other = write_spec(tmp_path, SMALL.replace("replications: 2", "replications: 3"))
    with pytest.raises(GovsimError, match=r"different experiment \(changed: spec"):
        run_experiment(load_experiment(other), results.folder, resume=True)


def test_reopen_drops_uncommitted_parts(tmp_path: Path) -> None:
    record = {"spec": 1, "files": {}, "seeds": 1}
    store = ResultStore.create(tmp_path / "out", record, batch=1)
    series = pd.DataFrame({"run_id": [0], "day": [1], "backlog": [3]})
    store.add(RunResult(0, {"run_id": 0, "x": 1.0}, series))
    store.finish(complete=False)
    # a crash after writing part 1 but before the manifest listed it, and a half-written file
    mine = part_bytes(series.assign(run_id=1), store.manifest["experiment_id"])
    (tmp_path / "out" / "series" / "part-000001.parquet").write_bytes(mine)
    (tmp_path / "out" / "runs" / ".part-000001.parquet.tmp").write_bytes(b"PAR1 half")
    again = ResultStore.reopen(tmp_path / "out", record)
    assert again.finished == {0}
    assert sorted(p.name for p in (tmp_path / "out").rglob("part-*")) == ["part-000000.parquet"] * 2
    assert not list((tmp_path / "out").rglob(".*.tmp"))
    again.finish()
    assert [e["run_ids"] for e in read_manifest(tmp_path / "out")["parts"]] == [[0]]


def _committed(out: Path) -> int:
    """Batches the manifest lists (its commit point); 0 before it exists."""
    try:
        return len(read_manifest(out)["parts"])
    except GovsimError:
        return 0


def test_kill_and_resume_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    """SIGKILL mid-experiment keeps complete rows only; --resume finishes the same tables."""
    body = SMALL.replace("replications: 2", "replications: 8").replace("days: 12", "days: 10")
    spec = write_spec(tmp_path, body)
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "govsim.cli", "experiment", str(spec), "--out", str(out)]
    proc = subprocess.Popen([*cmd, "--batch", "1"], env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _committed(out) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = load(out)
    total = 2 * 8 * 2
    assert partial.manifest["status"] == "running"  # it never got to finish
    assert 4 <= len(partial.runs) < total
    assert not partial.runs.isna().any().any()  # only complete rows
    assert main(["experiment", str(spec), "--out", str(out), "--resume", "--json"]) == 0
    resumed = load(out)
    assert resumed.manifest["status"] == "complete" and len(resumed.manifest["resumed"]) == 1
    assert resumed.runs["run_id"].tolist() == list(range(total))  # nothing lost, no duplicates
    run_experiment(load_experiment(spec), tmp_path / "whole", batch=7)
    assert_same_results(load(tmp_path / "whole"), resumed)
    # the rows stored before the kill are the very rows an uninterrupted run makes
    whole = load(tmp_path / "whole").runs.set_index("run_id")
    pd.testing.assert_frame_equal(
        partial.runs.set_index("run_id"), whole.loc[partial.runs["run_id"]], check_exact=True
    )


# --- commands ----------------------------------------------------------------------------


def test_report_prints_tables_and_saves_figures(small, tmp_path: Path, capsys) -> None:
    _, results = small
    assert main(["report", str(results.folder)]) == 0
    out = capsys.readouterr().out
    assert "sample 1 (staffing.grid_workers_per_grid=3)" in out
    assert "Δ" in out and "resolution_time_h.p90" in out
    assert "--figures OUT" in out and not (results.folder / "figures").exists()
    figures = tmp_path / "figures"
    assert main(["report", str(results.folder), "--figures", str(figures)]) == 0
    assert f"figure saved to {figures / 'sweep.png'}" in capsys.readouterr().out
    assert (figures / "sweep.png").stat().st_size > 10_000
    assert (figures / "compare-demo-0.png").stat().st_size > 10_000
    assert (figures / "compare-demo-0_differences.png").stat().st_size > 10_000
    assert (figures / "series.png").stat().st_size > 10_000
    assert main(["report", str(results.folder), "--json"]) == 0
    records = pd.DataFrame(json.loads(capsys.readouterr().out))
    assert len(records) == 2 * 2 * len(results.outcomes)


def test_report_on_a_folder_without_results(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "not a govsim results folder" in capsys.readouterr().err
    record = {
        "experiment": "x",
        "runs_total": 4,
        "status": "running",
        "baseline": "status_quo",
        "parameters": [],
        "outcomes": ["satisfaction"],
    }
    ResultStore.create(tmp_path / "out", record).finish(False)  # stopped before a batch
    assert load(tmp_path / "out").runs.empty
    assert main(["report", str(tmp_path / "out")]) == 2
    assert "no finished runs yet" in capsys.readouterr().err


def test_experiment_help_reads_like_docs(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["experiment", "--help"])
    text = capsys.readouterr().out
    assert "--resume" in text and "common random numbers" in text and "--address" in text


def test_shipped_specs_load() -> None:
    sizes = {p.stem: load_experiment(p).n_runs for p in (ROOT / "experiments").glob("*.yaml")}
    assert sizes["five_policies"] == 5 * 20 and sizes["staffing_sweep"] == 6 * 2 * 5


def test_finished_models_are_freed() -> None:
    """Mesa's agent-id registry must not keep every model alive (memory grew per run)."""
    import gc
    import weakref

    from govsim.engine.model import GovernanceModel
    from govsim.world.scenario import load_scenario
    from tests.experiments_support import DEMO

    model = GovernanceModel(load_scenario(DEMO), seed=0, days=2)
    model.run()
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None
