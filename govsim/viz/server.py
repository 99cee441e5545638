"""Serving the live app as a standalone web page with ``solara run``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from govsim.child_processes import dies_with_me, terminating_signals
from govsim.viz.app import ENV_POLICY, ENV_RESULTS, ENV_SCENARIO, ENV_SEED

#: What ``solara run`` serves: the app module's ``Page`` component.
APP = "govsim.viz.app:Page"
#: Seconds the server gets to stop after SIGTERM before it is killed.
STOP_S = 5.0
#: The address the app listens on by default. ``localhost`` rather than ``127.0.0.1``:
#: browsers treat http://localhost as a secure context, so solara can set its session
#: cookie as it prefers instead of warning that it falls back.
LOOPBACK = "localhost"
#: Shown to a room (``--host 0.0.0.0``) the app is plain http by design, and solara then
#: warns at each new browser session that its cookie falls back to ``samesite=lax``. That
#: matters only when the page is embedded in another site's iframe, which the app never
#: is: this one warning, from solara's server module, is ignored in the server process.
COOKIE_WARNING = (
    "ignore:Cookies with samesite=none require https:UserWarning:solara.server.starlette"
)


def solara_command(port: int, host: str = LOOPBACK, open_browser: bool = False) -> list[str]:
    """The ``solara run`` command line serving the app on ``host:port`` (production mode)."""
    return [
        sys.executable,
        "-W",
        COOKIE_WARNING,
        "-m",
        "solara",
        "run",
        APP,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--open" if open_browser else "--no-open",
        "--log-level",
        "warning",
    ]


def app_environment(
    scenario_file: str | Path, policy: str, seed: int = 0, results: str | Path | None = None
) -> dict[str, str]:
    """This process's environment plus the variables that tell ``Page`` what to show
    (``results``: the results folder the *Results* tab opens)."""
    return {
        **os.environ,
        ENV_SCENARIO: str(Path(scenario_file).resolve()),
        ENV_POLICY: policy,
        ENV_SEED: str(seed),
        ENV_RESULTS: str(Path(results).resolve()) if results else "",
    }


def serve(
    scenario_file: str | Path,
    policy: str,
    seed: int = 0,
    port: int = 8765,
    host: str = LOOPBACK,
    open_browser: bool = False,
    results: str | Path | None = None,
) -> int:
    """Run the app's web server in the foreground until interrupted; returns its exit status.

    The server is a child process that never outlives this one: Ctrl-C, SIGTERM or SIGHUP
    here stop it (SIGTERM, then SIGKILL after ``STOP_S``), and if this process is killed
    outright the kernel kills it too (Linux, ``govsim.child_processes``). ``results`` is a
    results folder the page opens in its *Results* tab."""
    command = solara_command(port, host, open_browser)
    child = subprocess.Popen(
        command,
        env=app_environment(scenario_file, policy, seed, results),
        preexec_fn=dies_with_me(),  # safe: the CLI runs no other threads yet
    )
    try:
        with terminating_signals():
            return child.wait()
    finally:
        stop(child)


def stop(child: subprocess.Popen[bytes], grace_s: float = STOP_S) -> None:
    """End ``child`` if it still runs: SIGTERM, then SIGKILL after ``grace_s`` seconds."""
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(grace_s)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
