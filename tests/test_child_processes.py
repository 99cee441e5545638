"""Child processes end with their parent: the worker pool of ``govsim experiment --executor
processes`` and the server of ``govsim viz``, whether the parent gets SIGTERM or SIGKILL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govsim.cli import main
from govsim.errors import GovsimError
from govsim.experiments.results import load, read_manifest
from tests.experiments_support import ROOT, SMALL, write_spec

psutil = pytest.importorskip("psutil")

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
GONE_S = 5.0  # nothing may survive the parent longer than this


def _until(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _survivors(children: list) -> list:
    """The processes of ``children`` still alive ``GONE_S`` seconds from now (at most)."""
    _, alive = psutil.wait_procs(children, timeout=GONE_S)
    return alive


def _committed(out: Path) -> int:
    try:
        return len(read_manifest(out)["parts"])
    except GovsimError:  # not written yet
        return 0


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_worker_pool_ends_with_its_parent_and_the_run_resumes(
    signum: int, tmp_path: Path, capsys
) -> None:
    body = SMALL.replace("replications: 2", "replications: 6").replace("days: 12", "days: 20")
    spec = write_spec(tmp_path, body)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "govsim.cli", "experiment", str(spec), "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--executor", "processes", "--workers", "2", "--batch", "1"],
        env=ENV,
        stderr=subprocess.DEVNULL,
    )
    try:
        _until(lambda: _committed(out) >= 1, 120, "the first committed batch")
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 2  # two workers (and multiprocessing's resource tracker)
        # while it runs, a second writer is refused, naming the first
        assert main(["experiment", str(spec), "--out", str(out), "--resume"]) == 2
        assert f"another govsim process (pid {proc.pid}) is writing" in capsys.readouterr().err
        proc.send_signal(signum)
        code = proc.wait(timeout=30)
    finally:
        proc.kill()
    assert code == (128 + signum if signum == signal.SIGTERM else -signum)
    assert _survivors(children) == []
    assert read_manifest(out)["status"] == ("stopped" if signum == signal.SIGTERM else "running")
    assert main(["experiment", str(spec), "--out", str(out), "--resume", "--json"]) == 0
    total = 2 * 2 * 6
    assert load(out).runs["run_id"].tolist() == list(range(total))
    stored = [i for part in read_manifest(out)["parts"] for i in part["run_ids"]]
    assert sorted(stored) == list(range(total))  # each run stored exactly once


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_viz_server_ends_with_its_parent(signum: int) -> None:
    pytest.importorskip("solara")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "govsim.cli", "viz", "--port", str(port)],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _until(lambda: _listening(port), 120, f"the server on port {port}")
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children  # solara serves from a child process
        proc.send_signal(signum)
        code = proc.wait(timeout=30)
    finally:
        proc.kill()
    assert code == (128 + signum if signum == signal.SIGTERM else -signum)
    assert _survivors(children) == []
    assert not _listening(port)
