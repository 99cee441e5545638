"""The live app page: Mesa's SolaraViz over a ``LiveModel``, with the map, the charts, a
status line and the levers.

In Jupyter, display ``GovsimViz()`` (or ``GovsimViz(scenario_file=..., policy=...)``);
``solara run govsim.viz.app`` serves ``Page``, configured by the ``GOVSIM_VIZ_*``
environment variables that ``govsim viz`` sets. Changing a lever takes effect the
SolaraViz way: press *Reset* and the model is rebuilt with the levers as set (same
seed, so the same incidents occur).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import solara
from mesa.visualization import SolaraViz

from govsim.plots import style
from govsim.policies.files import STATUS_QUO
from govsim.viz.charts import charts_figure
from govsim.viz.levers import Levers, controls
from govsim.viz.live import DEMO, LiveModel, build_scenario
from govsim.viz.mapview import map_figure

#: Environment variables through which ``govsim viz`` configures ``Page``.
ENV_SCENARIO, ENV_POLICY, ENV_SEED = "GOVSIM_VIZ_SCENARIO", "GOVSIM_VIZ_POLICY", "GOVSIM_VIZ_SEED"
#: Highest seed the seed slider offers.
SEED_SLIDER_MAX = 99


def model_params(scenario_file: str | Path, policy: str, seed: int) -> dict[str, Any]:
    """SolaraViz ``model_params``: the scenario and policy fixed, the seed and levers adjustable.

    The levers start where the scenario with its policy sets them.
    """
    levers = Levers.of(build_scenario(scenario_file, policy, None))
    return {
        "scenario_file": str(scenario_file),
        "policy": policy,
        "seed": {
            "type": "SliderInt",
            "label": "seed",
            "value": seed,
            "min": 0,
            "max": max(SEED_SLIDER_MAX, seed),
            "step": 1,
        },
        **controls(levers),
    }


def run_title(model: LiveModel) -> str:
    """The charts' title: the scenario, the policy and the seed of the running model."""
    return style.figure_title(
        "Live run", scenario=model.spec.name, policy=model.policy_name, detail=f"seed {model.seed}"
    )


def status_lines(model: LiveModel) -> tuple[str, str]:
    """The simulated day with the counts now, and the levers in force (two lines of text)."""
    now = model.history[-1]
    levers = model.levers
    routing = "whistle and report" if levers.whistle else levers.routing
    weights = " : ".join(f"{w:.2f}" for w in levers.normalised_weights())
    return (
        f"Simulated day {now.day} of {model.days:g} · open {now.open:,} · "
        f"hidden {now.hidden:,} · resolved {now.resolved:,}",
        f"Running with routing {routing}, {levers.grid_workers} grid workers per grid, "
        f"overdue alerts {'on' if levers.overdue_alerts else 'off'}, evaluation "
        f"government : community : residents = {weights}. "
        "Change a lever, then press Reset to rebuild the model with it.",
    )


def MapPanel(model: LiveModel) -> Any:
    """The status lines over the map of open incidents, offices and grid workers.

    SolaraViz redraws it after every step.
    """
    day_line, levers_line = status_lines(model)
    return solara.Div(
        [
            solara.Text(day_line, classes=["govsim-day"], style={"font-weight": "bold"}),
            solara.Div([solara.Text(levers_line, style={"font-size": "0.85em"})]),
            solara.FigureMatplotlib(map_figure(model), format="png"),
        ],
        classes=["govsim-map"],
        style={"padding": "6px"},
    )


def ChartsPanel(model: LiveModel) -> Any:
    """The charts over simulated days (redrawn after every step)."""
    figure = charts_figure(model.history, run_title(model))
    return solara.Div([solara.FigureMatplotlib(figure, format="png")], classes=["govsim-charts"])


@solara.component
def GovsimViz(scenario_file: str = str(DEMO), policy: str = STATUS_QUO.name, seed: int = 0) -> Any:
    """The whole app for one scenario and policy; display it in Jupyter or serve it.

    Each browser session (or notebook cell) gets its own model.
    """
    model = solara.use_memo(
        lambda: LiveModel(scenario_file=scenario_file, policy=policy, seed=seed),
        [scenario_file, policy, seed],
    )
    params = solara.use_memo(
        lambda: model_params(scenario_file, policy, seed), [scenario_file, policy, seed]
    )
    return SolaraViz(
        model,
        components=[(MapPanel, 0), (ChartsPanel, 0)],
        model_params=params,
        name=f"govsim live — {model.spec.name}, policy {model.policy_name}",
        play_interval=150,
    )


@solara.component
def Page() -> Any:
    """The page ``solara run`` serves, set by ``GOVSIM_VIZ_SCENARIO``/``_POLICY``/``_SEED``."""
    return GovsimViz(
        scenario_file=os.environ.get(ENV_SCENARIO, str(DEMO)),
        policy=os.environ.get(ENV_POLICY, STATUS_QUO.name),
        seed=int(os.environ.get(ENV_SEED, "0")),
    )
