"""govsim: agent-based simulation and policy analysis of community grid governance."""

from govsim.engine import mesa_ids
from govsim.engine.model import GovernanceModel, simulate
from govsim.record.metrics import summarize
from govsim.sim import Comparison, Sim
from govsim.world.scenario import Scenario, load_scenario

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

mesa_ids.install()  # finished models must be freed (Mesa holds them otherwise)
