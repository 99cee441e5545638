"""The same spec gives bit-identical tables on every executor (serial, processes, Dask)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govsim.errors import GovsimError
from govsim.experiments.executors import (
    DaskExecutor,
    ProcessExecutor,
    SerialExecutor,
    open_executor,
)
from govsim.experiments.experiment import run_experiment
from govsim.experiments.results import load
from govsim.experiments.spec import load_experiment
from tests.experiments_support import SMALL, assert_same_results, write_spec

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_spec(tmp_path_factory.mktemp("spec"), SMALL + "ledgers: true\n")


@pytest.fixture(scope="module")
def serial(spec: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("serial") / "out"
    run_experiment(load_experiment(spec), out, SerialExecutor(), batch=3)
    return load(out)


def test_serial_results_are_complete(serial) -> None:
    assert serial.runs["run_id"].tolist() == list(range(8))
    assert serial.manifest["status"] == "complete" and serial.manifest["runs_done"] == 8
    assert set(serial.series["run_id"]) == set(range(8))
    assert set(serial.ledgers()["run_id"]) == set(range(8))


def test_processes_match_serial(spec: Path, serial, tmp_path: Path) -> None:
    with ProcessExecutor(2) as executor:
        run_experiment(load_experiment(spec), tmp_path / "out", executor, batch=2)
    result = load(tmp_path / "out")
    assert_same_results(serial, result)
    events = result.ledgers().sort_values(["run_id", "time"], kind="stable", ignore_index=True)
    expected = serial.ledgers().sort_values(["run_id", "time"], kind="stable", ignore_index=True)
    assert events.equals(expected)


def test_dask_local_cluster_matches_serial(spec: Path, serial, tmp_path: Path) -> None:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        DaskExecutor(cluster.scheduler_address) as executor,
    ):
        assert executor.workers == 2
        run_experiment(load_experiment(spec), tmp_path / "out", executor, batch=3)
    assert_same_results(serial, load(tmp_path / "out"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_dask_scheduler_and_worker_processes(spec: Path, serial, tmp_path: Path) -> None:
    """A scheduler and a worker started as separate programs, as on a real cluster."""
    dask = shutil.which("dask", path=str(Path(sys.executable).parent))
    assert dask, "the dask command comes with govsim[dask]"
    address = f"tcp://127.0.0.1:{_free_port()}"
    logs = open(tmp_path / "dask.log", "w")  # noqa: SIM115 - closed below
    common = {"stdout": logs, "stderr": subprocess.STDOUT}
    scheduler = subprocess.Popen(
        [
            dask,
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            address.rsplit(":", 1)[1],
            "--no-dashboard",
        ],
        **common,
    )
    worker = subprocess.Popen(
        [
            dask,
            "worker",
            address,
            "--nthreads",
            "1",
            "--nworkers",
            "1",
            "--no-dashboard",
            "--local-directory",
            str(tmp_path / "dask"),
        ],
        **common,
    )
    try:
        client = None
        for _ in range(60):  # the worker takes a few seconds to register
            try:
                client = distributed.Client(address, timeout=2)
                if client.nthreads():
                    break
                client.close()
            except OSError:
                pass
            time.sleep(0.5)
        assert client is not None and client.nthreads()
        client.close()
        with open_executor("dask", address=address) as executor:
            run_experiment(load_experiment(spec), tmp_path / "out", executor, batch=4)
        assert_same_results(serial, load(tmp_path / "out"))
    finally:
        for proc in (worker, scheduler):
            proc.terminate()
            proc.wait(timeout=30)
        logs.close()


def test_address_needs_the_dask_executor() -> None:
    with pytest.raises(GovsimError, match="--address needs --executor dask"):
        open_executor("processes", address="tcp://127.0.0.1:8786")


def test_unreachable_scheduler_is_a_clear_error() -> None:
    with pytest.raises(GovsimError, match="cannot reach a Dask scheduler"):
        DaskExecutor(f"tcp://127.0.0.1:{_free_port()}", timeout_s=1)


def test_a_script_without_main_guard_runs_on_processes(tmp_path: Path) -> None:
    """Spawned workers do not re-run the caller's script (no __main__ guard needed)."""
    script = tmp_path / "noguard.py"
    script.write_text(
        "from govsim.experiments.executors import ProcessExecutor\n"
        "from govsim.experiments.run import policy_runs, run_all\n"
        "from tests.experiments_support import DEMO\n"
        "from govsim.policies.files import STATUS_QUO\n"
        "runs = policy_runs(DEMO, [STATUS_QUO], reps=2, days=5)\n"
        "with ProcessExecutor(2) as ex:\n"
        "    print('rows', len(run_all(runs, False, ex)))\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("rows 2") == 1  # printed once: the workers did not run it
