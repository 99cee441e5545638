"""The ``govsim`` command starts fast: its help and ``import govsim`` load no heavy library.

Not a timing test (the machine's load would decide it): each case runs in a fresh
interpreter and lists the heavy modules it imported. benchmarks/cli_startup.py measures
the times.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import govsim

#: What building a help text must not import (each takes 0.1–1 s and tens of MB).
HEAVY = ("mesa", "pandas", "scipy", "matplotlib", "SALib", "numpy", "pydantic", "yaml", "rich")
COMMANDS = [
    "run",
    "compare",
    "check",
    "theory",
    "params",
    "viz",
    "validate",
    "calibrate",
    "experiment",
    "report",
    "plan",
    "sensitivity",
    "robustness",
]


def heavy_imports(code: str) -> list[str]:
    """The top-level packages of ``HEAVY`` loaded by running ``code`` in a fresh
    interpreter."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.splitlines()[-1])


def help_of(*argv: str) -> str:
    """Code that prints ``govsim ARGV --help`` and carries on."""
    return (
        "from govsim.cli import main\n"
        "try:\n"
        f"    main({[*argv, '--help']!r})\n"
        "except SystemExit:\n"
        "    pass"
    )


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_imports_no_heavy_library(command: str | None) -> None:
    argv = [command] if command else []
    assert heavy_imports(help_of(*argv)) == []


def test_import_govsim_is_light_and_its_names_load_on_use() -> None:
    assert heavy_imports("import govsim") == []
    assert "mesa" in heavy_imports("from govsim import Sim")
    assert set(govsim.__all__) <= set(dir(govsim))
    for name in govsim.__all__:
        assert getattr(govsim, name).__name__ == name
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        govsim.nothing  # noqa: B018 - the attribute access is the test


def test_mesa_keeps_no_finished_model_after_a_lazy_import() -> None:
    """``import govsim`` no longer loads Mesa, so the weak agent-id counters must be
    installed by whatever builds a model. (Mesa 3.5 has no class-level registry
    ``Agent._ids`` any more: there is nothing to replace, and nothing must be added.)"""
    code = (
        "import govsim.engine.model\nimport mesa\n"
        "from govsim.engine.mesa_ids import WeakCounters\n"
        "ids = getattr(mesa.Agent, '_ids', None)\n"
        "assert ids is None or isinstance(ids, WeakCounters), type(ids)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
