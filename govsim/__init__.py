"""govsim: agent-based simulation and policy analysis of community grid governance."""

from govsim import mesa_ids
from govsim.metrics import summarize
from govsim.model import GovernanceModel, simulate
from govsim.scenario import Scenario, load_scenario
from govsim.sim import Comparison, Sim

__all__ = [
    "Comparison",
    "GovernanceModel",
    "Scenario",
    "Sim",
    "load_scenario",
    "simulate",
    "summarize",
]
__version__ = "0.1.0"

mesa_ids.install()  # finished models must be freed (Mesa holds them otherwise)
