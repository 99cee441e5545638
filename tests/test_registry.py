"""Registries: registration, lookup errors, plugins loaded once, broken plugins named."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from govsim import registry as registry_module
from govsim.errors import GovsimError
from govsim.experiments.executors import ProcessExecutor, describe, open_executor
from govsim.policies.routing import TieredEscalation
from govsim.registry import BUILT_IN, EXECUTORS, ROUTING, Registry

ROOT = Path(__file__).resolve().parents[1]


class Stack:
    """Last in, first out."""

    def push(self, item: object) -> None:
        """Add an item."""

    def pop(self) -> None:
        """Take the newest item."""


def fresh(monkeypatch: pytest.MonkeyPatch, *points: EntryPoint) -> Registry:
    """A registry of queues whose entry-point group holds ``points``."""
    group = "tests.queues"
    found = {group: list(points)}
    monkeypatch.setattr(registry_module, "entry_points", lambda group: found.get(group, []))
    return Registry("queue", group, methods=("push", "pop"))


def test_register_as_decorator_and_look_up(monkeypatch: pytest.MonkeyPatch) -> None:
    queues = fresh(monkeypatch)
    assert queues.register("stack")(Stack) is Stack
    assert queues["stack"] is Stack and "stack" in queues and queues.names() == ["stack"]
    assert queues.entries()[0].description == "Last in, first out."
    assert queues.entries()[0].origin == "in-process" and queues.names(plugins=False) == []
    with pytest.raises(GovsimError, match=r"'heap': unknown queue; allowed: stack$"):
        queues["heap"]


def test_a_name_is_taken_once_and_a_class_must_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    queues = fresh(monkeypatch)
    queues.register("stack", Stack)
    queues.register("stack", Stack)  # the same class again (a plugin reloaded): fine
    with pytest.raises(GovsimError, match=r"'stack' .*taken by tests\.test_registry\.Stack"):
        queues.register("stack", type("Other", (Stack,), {}))
    with pytest.raises(GovsimError, match="lacks pop; a queue needs push, pop"):
        queues.register("bag", type("Bag", (), {"push": lambda self, item: None}))


def test_plugins_load_once_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    point = EntryPoint("stack", "tests.test_registry:Stack", "tests.queues")
    queues = fresh(monkeypatch, point)
    calls = []
    monkeypatch.setattr(registry_module, "entry_points", lambda group: calls.append(1) or [point])
    assert queues.names() == ["stack"] and queues["stack"] is Stack
    assert len(calls) == 1
    assert queues.entries()[0].origin == (
        "entry point tests.queues: stack = tests.test_registry:Stack"
    )


def test_a_broken_plugin_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = EntryPoint("heap", "no_such_package.queues:Heap", "tests.queues")
    queues = fresh(monkeypatch, broken)
    message = (
        r"queue plugin 'heap' \(entry point tests.queues: heap = no_such_package.queues:Heap\) "
        r"failed to load: ModuleNotFoundError"
    )
    with pytest.raises(GovsimError, match=message):
        queues.names()
    with pytest.raises(GovsimError, match=message):  # every use says so, not only the first
        queues["heap"]
    not_a_class = EntryPoint("heap", "tests.test_registry:fresh", "tests.queues")
    with pytest.raises(GovsimError, match=r"names <function fresh .*>, not a class"):
        fresh(monkeypatch, not_a_class).names()


def test_built_ins_are_govsims_own() -> None:
    assert ROUTING["tiered"] is TieredEscalation
    assert all(entry.origin == BUILT_IN for entry in ROUTING.entries(plugins=False))
    assert ROUTING.names(plugins=False)[:2] == ["tiered", "platform"]


def test_executors_come_from_their_registry() -> None:
    assert EXECUTORS["processes"] is ProcessExecutor
    with open_executor("serial") as executor:
        assert describe(executor) == {"kind": "serial", "workers": 1}
    with pytest.raises(GovsimError, match="--executor threads: unknown executor; allowed: serial"):
        open_executor("threads")


#: Registers an evaluation scheme in code and builds a model that names it.
SCHEME = """
from govsim import GovernanceModel, load_scenario
from govsim.policies.evaluation import MonthlyEvaluation
from govsim.registry import EVALUATION

@EVALUATION.register("points_again")
class PointsAgain(MonthlyEvaluation):
    \"\"\"monthly_points, under another name.\"\"\"

scenario = load_scenario(
    "scenarios/demo.yaml",
    {"incentives.points.enabled": True, "incentives.points.scheme": "points_again"},
)
print(type(GovernanceModel(scenario, seed=0).evaluation).__name__)
"""


def test_the_evaluation_scheme_the_scenario_names_is_the_one_built() -> None:
    # a fresh interpreter, so this process's registry keeps govsim's own schemes only
    done = subprocess.run([sys.executable, "-c", SCHEME], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "PointsAgain"
