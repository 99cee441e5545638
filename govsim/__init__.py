"""govsim: agent-based simulation and policy analysis of community grid governance.

The public names load on first use (PEP 562), so that ``import govsim`` and the
``govsim`` command's help stay fast: Mesa, pandas and SciPy are imported only by what
runs a model or analyses runs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govsim.engine.model import GovernanceModel, simulate
    from govsim.record.metrics import summarize
    from govsim.sim import Comparison, Sim
    from govsim.world.scenario import Scenario, load_scenario

#: Each public name → the module that defines it.
_HOMES = {
    "Comparison": "govsim.sim",
    "GovernanceModel": "govsim.engine.model",
    "Scenario": "govsim.world.scenario",
    "Sim": "govsim.sim",
    "load_scenario": "govsim.world.scenario",
    "simulate": "govsim.engine.model",
    "summarize": "govsim.record.metrics",
}

__all__ = [
    "Comparison",
    "GovernanceModel",
    "Scenario",
    "Sim",
    "load_scenario",
    "simulate",
    "summarize",
]
__version__ = "0.2.0"


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use of the name (``govsim.Sim``)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'govsim' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # later uses skip this function
    return value


def __dir__() -> list[str]:
    """The module's names, the lazily loaded public ones included."""
    return sorted({*globals(), *_HOMES})
