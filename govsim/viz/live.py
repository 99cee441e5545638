"""The model the live app drives: a ``GovernanceModel`` built from a scenario file and the
app's levers, which keeps a day-by-day history of its live state for the charts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from govsim import shipped
from govsim.engine.model import GovernanceModel
from govsim.policies.files import STATUS_QUO, load_policy
from govsim.viz.levers import Levers
from govsim.viz.state import Snapshot, snapshot
from govsim.world.scenario import Scenario, load_scenario

#: The demo city, the app's default scenario.
DEMO = shipped.folder("scenarios") / "demo.yaml"


def build_scenario(scenario_file: str | Path, policy: str, levers: Levers | None) -> Scenario:
    """Load ``scenario_file`` with ``policy`` (a name or file) laid over it, then ``levers``.

    ``levers=None`` keeps the levers as the scenario and policy set them. Raises
    ``ScenarioError`` for a bad file, policy or lever value.
    """
    chosen = load_policy(policy) if policy else STATUS_QUO
    overrides = levers.overrides() if levers is not None else None
    return load_scenario(scenario_file, overrides, chosen.sections, chosen.source)


class LiveModel(GovernanceModel):
    """A ``GovernanceModel`` for the live app, built from keyword arguments alone.

    SolaraViz rebuilds the model by calling the class with the controls' values, so every
    argument is a plain keyword (see ``govsim.viz.levers.controls``). A lever left
    ``None`` stays as the scenario and ``policy`` set it; the evaluation weights are
    points, normalised to sum to 1. ``history`` holds one
    :class:`~govsim.viz.state.Snapshot` per simulated day, day 0 first.
    """

    def __init__(
        self,
        scenario_file: str = str(DEMO),
        policy: str = STATUS_QUO.name,
        routing: str | None = None,
        whistle: bool | None = None,
        grid_workers: int | None = None,
        overdue_alerts: bool | None = None,
        weight_government: float | None = None,
        weight_community: float | None = None,
        weight_residents: float | None = None,
        seed: int = 0,
        days: float | None = None,
    ) -> None:
        given = Levers.of(build_scenario(scenario_file, policy, None))
        weights = (weight_government, weight_community, weight_residents)
        changes = {
            "routing": routing,
            "whistle": None if whistle is None else bool(whistle),
            "grid_workers": None if grid_workers is None else int(grid_workers),
            "overdue_alerts": None if overdue_alerts is None else bool(overdue_alerts),
            "weights": tuple(
                float(mine if mine is not None else default)
                for mine, default in zip(weights, given.weights, strict=True)
            ),
        }
        self.levers = replace(given, **{k: v for k, v in changes.items() if v is not None})
        self.policy_name = Path(policy).stem if policy else STATUS_QUO.name
        super().__init__(build_scenario(scenario_file, policy, self.levers), int(seed), days)
        self.history: list[Snapshot] = [snapshot(self)]

    def step(self) -> None:
        """Simulate one more day, then record its snapshot in ``history``."""
        super().step()
        self.history.append(snapshot(self))
