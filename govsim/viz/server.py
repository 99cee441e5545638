"""Serving the live app as a standalone web page with ``solara run``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from govsim.viz.app import ENV_POLICY, ENV_SCENARIO, ENV_SEED

#: What ``solara run`` serves: the app module's ``Page`` component.
APP = "govsim.viz.app:Page"


def solara_command(port: int, host: str = "127.0.0.1", open_browser: bool = False) -> list[str]:
    """The ``solara run`` command line serving the app on ``host:port`` (production mode)."""
    return [
        sys.executable,
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


def app_environment(scenario_file: str | Path, policy: str, seed: int = 0) -> dict[str, str]:
    """This process's environment plus the variables that tell ``Page`` what to show."""
    return {
        **os.environ,
        ENV_SCENARIO: str(Path(scenario_file).resolve()),
        ENV_POLICY: policy,
        ENV_SEED: str(seed),
    }


def serve(
    scenario_file: str | Path,
    policy: str,
    seed: int = 0,
    port: int = 8765,
    host: str = "127.0.0.1",
    open_browser: bool = False,
) -> int:
    """Run the app's web server in the foreground until interrupted; returns its exit status."""
    command = solara_command(port, host, open_browser)
    return subprocess.call(command, env=app_environment(scenario_file, policy, seed))
