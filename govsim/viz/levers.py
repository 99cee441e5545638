"""The levers a trainer pulls in the live app, as scenario overrides and SolaraViz controls.

The levers are the routing policy, the whistle (the street summons the owning desk
instead of the incident climbing the tiers), grid workers per grid, overdue alerts (an
incident still waiting when its deadline passes is pushed up a tier) and the evaluation
weights that grid workers' pay follows (government : community : residents, in points
normalised to sum to 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govsim.registry import ROUTING
from govsim.world.scenario import Scenario

#: The routing rule that has its own switch in the app instead of a place in the list.
WHISTLE = "whistle"
#: Largest number of grid workers per grid the slider offers.
MAX_GRID_WORKERS = 8
#: Points each evaluation weight slider runs over (0 … this).
WEIGHT_POINTS = 10


@dataclass(frozen=True)
class Levers:
    """One setting of the app's levers.

    Attributes:
        routing: routing policy when the whistle is off, one of :func:`routings`.
        whistle: whistle-and-report routing (replaces ``routing`` when on).
        grid_workers: grid workers in each grid (≥ 1).
        overdue_alerts: hand a waiting incident up a tier when its deadline passes.
        weights: evaluation weights (government, community, residents) in points ≥ 0;
            all zero means equal weights.
    """

    routing: str = "tiered"
    whistle: bool = False
    grid_workers: int = 2
    overdue_alerts: bool = False
    weights: tuple[float, float, float] = (4.0, 3.0, 3.0)

    @classmethod
    def of(cls, scenario: Scenario) -> Levers:
        """The levers as ``scenario`` (with its policy laid over) sets them."""
        routing = scenario.routing.policy
        weights = scenario.incentives.evaluation
        offered = routings()
        return cls(
            routing=routing if routing in offered else offered[0],
            whistle=routing == WHISTLE,
            grid_workers=scenario.staffing.grid_workers_per_grid,
            overdue_alerts=scenario.routing.overdue_escalation,
            weights=tuple(
                round(w * WEIGHT_POINTS, 6)
                for w in (weights.government, weights.community, weights.residents)
            ),
        )

    def normalised_weights(self) -> tuple[float, float, float]:
        """The evaluation weights as fractions summing to 1 (equal thirds if all are 0)."""
        total = sum(self.weights)
        if total <= 0:
            return (1 / 3, 1 / 3, 1 / 3)
        government, community, _ = (w / total for w in self.weights)
        return (government, community, 1.0 - government - community)

    def overrides(self) -> dict[str, Any]:
        """The levers as dotted parameter paths for ``load_scenario(..., overrides)``."""
        government, community, residents = self.normalised_weights()
        return {
            "routing.policy": WHISTLE if self.whistle else self.routing,
            "routing.overdue_escalation": self.overdue_alerts,
            "staffing.grid_workers_per_grid": self.grid_workers,
            "incentives.evaluation.government": government,
            "incentives.evaluation.community": community,
            "incentives.evaluation.residents": residents,
        }


def routings() -> list[str]:
    """Routing rules the app's list offers: every registered one (plugins too) but the
    whistle, which has its own switch."""
    return [name for name in ROUTING.names() if name != WHISTLE]


def controls(levers: Levers) -> dict[str, dict[str, Any]]:
    """SolaraViz ``model_params`` entries for the levers, starting at ``levers``.

    Keys are ``LiveModel`` keyword arguments; each value describes one input: its
    ``type`` (``SliderInt``, ``Select`` or ``Checkbox``), ``label``, starting ``value``,
    a slider's range (``min``, ``max``, ``step``) and ``unit``, a list's ``values``.
    """
    weight_labels = ("government", "community", "residents")
    weights = {
        f"weight_{name}": {
            "type": "SliderInt",
            "label": f"weight: {name}",
            "value": round(points),
            "min": 0,
            "max": WEIGHT_POINTS,
            "step": 1,
            "unit": "points",
        }
        for name, points in zip(weight_labels, levers.weights, strict=True)
    }
    return {
        "routing": {
            "type": "Select",
            "label": "routing policy",
            "value": levers.routing,
            "values": routings(),
        },
        "whistle": {
            "type": "Checkbox",
            "label": "whistle and report",
            "value": levers.whistle,
        },
        "grid_workers": {
            "type": "SliderInt",
            "label": "grid workers",
            "value": levers.grid_workers,
            "min": 1,
            "max": max(MAX_GRID_WORKERS, levers.grid_workers),
            "step": 1,
            "unit": "per grid",
        },
        "overdue_alerts": {
            "type": "Checkbox",
            "label": "overdue alerts",
            "value": levers.overdue_alerts,
        },
        **weights,
    }


def shown(control: dict[str, Any], value: Any) -> str:
    """What the app writes by an input of :func:`controls` set to ``value``: its label and
    the value with its unit (``grid workers: 2 per grid``), or ``on``/``off``."""
    if control["type"] == "Checkbox":
        value = "on" if value else "off"
    unit = control.get("unit")
    return f"{control['label']}: {value}" + (f" {unit}" if unit else "")
