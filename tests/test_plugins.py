"""Plugins through entry points: an installed package's routing rule and discipline run.

The example package ``tests/plugin_example`` is pip-installed into a temporary folder
(``pip install --target``), not into the test environment: nothing is left behind if a
test fails, and the registries of this test process, already filled, stay as they are.
Each check runs in a fresh interpreter that has the folder on ``PYTHONPATH``, where
``importlib.metadata`` finds the package's ``.dist-info`` and so its entry points, the
way it finds an installed plugin.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.support import DEMO

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "plugin_example"
DAYS = 40

#: Runs the demo under the plugin's rule and discipline, and under fifo for contrast, and
#: prints what the ledgers show as JSON.
RUN = """
import json, sys
import numpy as np
from govsim import load_scenario, simulate
from govsim.engine.incidents import Channel, State
from govsim.record.metrics import visits
from govsim.registry import DISCIPLINES, ROUTING
from govsim.viz.levers import routings

def first_tiers(ledger):
    ev = ledger.events
    reported = ev[ev["state"] == State.REPORTED]
    petitioned = reported["incident"][reported["actor"] == Channel.PETITION]
    queued = ev[(ev["state"] == State.QUEUED) & ~np.isin(ev["incident"], petitioned)]
    _, first = np.unique(queued["incident"], return_index=True)
    return sorted({ledger.offices[o].tier for o in queued["office"][first]})

def served_out_of_order(ledger):
    stays = visits(ledger)
    stays = stays[~stays["part"] & stays["started_at"].notna()]
    stays = stays.sort_values(["office", "queued_at", "incident"], kind="stable")
    later = stays.groupby("office")["started_at"].diff()
    return int((later < 0).sum())

demo, days = sys.argv[1], float(sys.argv[2])
plugin = load_scenario(
    demo, {"routing.policy": "straight_to_street", "routing.discipline": "newest_first"}
)
fifo = load_scenario(demo, {"routing.policy": "straight_to_street"})
led, led_fifo = simulate(plugin, days=days), simulate(fifo, days=days)
print(json.dumps({
    "routing": ROUTING.names(),
    "disciplines": DISCIPLINES.names(),
    "app": routings(),
    "origin": next(e.origin for e in ROUTING.entries() if e.name == "straight_to_street"),
    "first_tiers": first_tiers(led),
    "out_of_order": served_out_of_order(led),
    "out_of_order_fifo": served_out_of_order(led_fifo),
}))
"""


def _builds_without_isolation() -> bool:
    """Whether this environment's setuptools can build a wheel itself (no index needed):
    setuptools 70.1 has ``bdist_wheel`` built in, older ones need the ``wheel`` package."""
    if importlib.util.find_spec("setuptools") is None:
        return False
    major, minor = (int(part) for part in version("setuptools").split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed example plugin and its ``.dist-info``.

    Built offline with this environment's setuptools when it can build wheels; otherwise
    pip builds it in an isolated environment, which needs setuptools from the index.
    """
    target = tmp_path_factory.mktemp("plugins")
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    if _builds_without_isolation():
        command.append("--no-build-isolation")
    done = subprocess.run(
        [*command, "--target", str(target), str(EXAMPLE)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"pip cannot build the example plugin here: {done.stderr[-600:]}")
    assert list(target.glob("govsim_plugin_example-*.dist-info"))
    return target


def _python(plugin_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` in a fresh interpreter that sees the installed plugin."""
    env = {**os.environ, "PYTHONPATH": str(plugin_path)}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600
    )


def test_an_installed_plugin_routes_and_queues_a_run(plugin_path: Path) -> None:
    done = _python(plugin_path, "-c", RUN, str(DEMO), str(DAYS))
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    # the plugin's names come after govsim's own, from its entry point
    assert seen["routing"][-1] == "straight_to_street" and "tiered" in seen["routing"]
    assert seen["disciplines"][-1] == "newest_first"
    assert seen["app"][-1] == "straight_to_street"  # the live app offers it
    assert "govsim.routing" in seen["origin"] and "govsim-plugin-example" in seen["origin"]
    # every incident not petitioned to the city reached a street desk first, as the rule says
    assert seen["first_tiers"] == ["street"]
    # newest first: desks served some incidents before earlier arrivals; fifo never does
    assert seen["out_of_order"] > 0 and seen["out_of_order_fifo"] == 0


def test_an_unknown_name_lists_the_plugins_names(plugin_path: Path) -> None:
    done = _python(
        plugin_path, "-m", "govsim", "run", str(DEMO), "--days", "1",
        "--set", "routing.policy=straight_to_town",
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "routing.policy: unknown routing rule; allowed: tiered" in done.stderr
    assert "straight_to_street" in done.stderr and "'straight_to_town'" in done.stderr


def test_params_lists_the_plugins_names(plugin_path: Path) -> None:
    done = _python(plugin_path, "-m", "govsim", "params", str(DEMO))
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines() if line.strip()}
    assert "| straight_to_street" in rows["routing.policy"]
    assert "| newest_first" in rows["routing.discipline"]


def test_without_the_plugin_its_name_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "govsim", "run", str(DEMO), "--days", "1",
         "--set", "routing.policy=straight_to_street"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 2 and "unknown routing rule" in done.stderr
