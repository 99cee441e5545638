"""The live app page: a ``LiveModel`` run with Mesa's model controller, its map and charts,
the levers with their values, and a results folder's report.

In Jupyter, display ``GovsimViz()`` (or ``GovsimViz(scenario_file=..., policy=...)``);
``solara run govsim.viz.app`` serves ``Page``, configured by the ``GOVSIM_VIZ_*``
environment variables that ``govsim viz`` sets. Changing a lever takes effect the Mesa
way: press *Reset* and the model is rebuilt with the levers as set (same seed, so the
same incidents occur).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from govsim.plots import style
from govsim.policies.files import STATUS_QUO
from govsim.viz.charts import charts_figure
from govsim.viz.levers import Levers, controls, shown
from govsim.viz.live import DEMO, LiveModel, build_scenario
from govsim.viz.mapview import map_figure
from govsim.viz.results import ResultsPanel

#: Environment variables through which ``govsim viz`` configures ``Page``.
ENV_SCENARIO, ENV_POLICY, ENV_SEED = "GOVSIM_VIZ_SCENARIO", "GOVSIM_VIZ_POLICY", "GOVSIM_VIZ_SEED"
#: ... and the results folder the *Results* tab opens with (``govsim viz --results DIR``).
ENV_RESULTS = "GOVSIM_VIZ_RESULTS"
#: Highest seed the seed slider offers.
SEED_SLIDER_MAX = 99
#: Milliseconds between days while playing.
PLAY_MS = 150
#: Resolution of the map and charts (pixels per inch): the figures are sized in inches to
#: be shown at their natural size beside each other in a 1280-pixel-wide window.
DPI = 100
#: The map and charts fill their columns (a narrower window shrinks them, a wider grows).
CSS = ".govsim-map img, .govsim-charts img {width: 100%; height: auto}"


def model_params(scenario_file: str | Path, policy: str, seed: int) -> dict[str, Any]:
    """The model's keyword arguments: the scenario and policy fixed, the seed and levers as
    inputs (see :func:`govsim.viz.levers.controls`).

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
    """The charts' title: the scenario, the policy and the seed of the running model, under
    ``Live run, so far`` (two lines, to fit the charts' width)."""
    return style.figure_title(
        "Live run, so far",
        scenario=model.spec.name,
        policy=model.policy_name,
        detail=f"seed {model.seed}",
        sep="\n",
    )


def page_title(model: LiveModel) -> str:
    """The browser tab's title: ``govsim — demo · status_quo``."""
    return f"govsim — {model.spec.name} · {model.policy_name}"


def status_lines(model: LiveModel) -> tuple[str, str]:
    """The simulated day with the counts now, and the levers in force (two lines of text)."""
    now = model.history[-1]
    levers = model.levers
    routing = "whistle and report" if levers.whistle else levers.routing
    weights = " : ".join(f"{w:.2f}" for w in levers.normalised_weights())
    return (
        f"Simulated day {now.day} of {model.days:g} · open {now.open:,} · "
        f"hidden {now.hidden:,} · resolved {now.resolved:,}",
        f"In force: routing {routing}, {levers.grid_workers} grid workers per grid, "
        f"overdue alerts {'on' if levers.overdue_alerts else 'off'}, evaluation "
        f"government : community : residents = {weights}.",
    )


@solara.component
def LeverInputs(inputs: dict[str, Any], values: solara.Reactive[dict[str, Any]]) -> Any:
    """An input per lever of ``inputs`` (:func:`model_params`), each under a line with its
    current value and unit; setting one changes ``values``, which *Reset* builds from."""

    def setter(key: str) -> Any:
        return lambda value: values.set({**values.value, key: value})

    with solara.Column(gap="2px", classes=["govsim-levers"]) as column:
        for key, control in inputs.items():
            if not isinstance(control, dict):  # a fixed argument (the scenario, the policy)
                continue
            value = values.value[key]
            if control["type"] == "Select":
                solara.Select(
                    control["label"], values=control["values"], value=value, on_value=setter(key)
                )
                continue
            if control["type"] == "Checkbox":  # ticked or not shows its value
                solara.Checkbox(label=control["label"], value=value, on_value=setter(key))
            else:
                solara.Text(shown(control, value), classes=["govsim-lever"])
                solara.SliderInt(
                    "",
                    value=value,
                    min=control["min"],
                    max=control["max"],
                    step=control["step"],
                    thumb_label=True,
                    on_value=setter(key),
                )
    return column


@solara.component
def LiveView(model: LiveModel) -> Any:
    """The day's counts over the map and the charts, redrawn after every step."""
    update_counter.get()  # Mesa's controller bumps it after each step: redraw then
    day_line, _ = status_lines(model)
    with solara.Column(gap="4px") as column:
        solara.Text(day_line, classes=["govsim-day"], style={"font-weight": "bold"})
        with solara.Columns([5, 7], gutters_dense=True):
            with solara.Div(classes=["govsim-map"]):
                solara.FigureMatplotlib(map_figure(model), format="png", dpi=DPI)
            with solara.Div(classes=["govsim-charts"]):
                figure = charts_figure(model.history, run_title(model))
                solara.FigureMatplotlib(figure, format="png", dpi=DPI)
    return column


@solara.component
def GovsimViz(
    scenario_file: str = str(DEMO),
    policy: str = STATUS_QUO.name,
    seed: int = 0,
    results: str | None = None,
) -> None:
    """The whole app for one scenario and policy; display it in Jupyter or serve it.

    ``results`` is a results folder the *Results* tab opens with (and starts on). Each
    browser session (or notebook cell) gets its own model.
    """
    key = [scenario_file, policy, seed]
    first = solara.use_memo(
        lambda: LiveModel(scenario_file=scenario_file, policy=policy, seed=seed), key
    )
    model = solara.use_reactive(first)
    inputs = solara.use_memo(lambda: model_params(scenario_file, policy, seed), key)
    start = {k: v["value"] if isinstance(v, dict) else v for k, v in inputs.items()}
    values = solara.use_reactive(start)
    # Mesa's controller reads these as reactive values: a day a step, drawn in this thread
    play_ms = solara.use_reactive(PLAY_MS)
    steps_per_draw = solara.use_reactive(1)
    threaded = solara.use_reactive(False)
    tab = solara.use_reactive(1 if results else 0)
    solara.Title(page_title(model.value))
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(f"govsim live — {model.value.spec.name}, policy {policy}")
    with solara.Sidebar():
        with solara.Card("Run"):
            ModelController(
                model,
                model_parameters=values,
                play_interval=play_ms,
                render_interval=steps_per_draw,
                use_threads=threaded,
            )
            solara.Text(
                status_lines(model.value)[1], classes=["govsim-run"], style={"font-size": "0.85em"}
            )
        with solara.Card("Levers", subtitle="Set a lever, then press Reset to rebuild with it"):
            LeverInputs(inputs, values)
    with solara.lab.Tabs(value=tab, lazy=True):
        with solara.lab.Tab("Live run"):
            LiveView(model.value)
        with solara.lab.Tab("Results"):
            ResultsPanel(results)


@solara.component
def Page() -> Any:
    """The page ``solara run`` serves, set by the ``GOVSIM_VIZ_*`` environment variables."""
    return GovsimViz(
        scenario_file=os.environ.get(ENV_SCENARIO, str(DEMO)),
        policy=os.environ.get(ENV_POLICY, STATUS_QUO.name),
        seed=int(os.environ.get(ENV_SEED, "0")),
        results=os.environ.get(ENV_RESULTS) or None,
    )
