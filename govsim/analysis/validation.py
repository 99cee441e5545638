"""The five seed presets: run them against their source figures and report the result.

Each preset is a scenario in ``scenarios/`` with its policy in ``policies/`` and its
figures in ``scenarios/register.yaml``. ``achieve`` runs a preset's targets (fit, holdout
and structure figures) over replications on shared seeds (a target's ``versus`` policy on
the same seeds); ``write_report`` writes ``docs/validation.md`` (what ``govsim validate
--all`` does): per preset its fit (in-sample), holdout (out-of-sample) and structure
(restated inputs, never evidence) figures, its inputs and the figures it cannot
represent, and a summary line with the degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from govsim.analysis.presets import MAX_VALIDATION_REPS, PRESETS  # noqa: F401 - re-exported
from govsim.analysis.targets import (
    Achieved,
    Input,
    NotRepresentable,
    PresetTargets,
    load_targets,
    measure,
)
from govsim.engine.model import simulate
from govsim.frames import readable
from govsim.plots import style
from govsim.plots.figures import save_figure
from govsim.policies.files import STATUS_QUO, load_policy
from govsim.record.ledger import Ledger
from govsim.world.scenario import SCENARIO_DIR, Scenario, load_scenario


def validation_seeds(reps: int) -> range:
    """The seeds validation runs for ``reps`` replications: 0 … reps − 1; raises
    ``ValueError`` beyond ``MAX_VALIDATION_REPS``."""
    if not 1 <= reps <= MAX_VALIDATION_REPS:
        raise ValueError(f"validation: reps must be 1 to {MAX_VALIDATION_REPS:,}, got {reps}")
    return range(reps)


def preset_scenario(
    name: str,
    policy: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    folder: Path = SCENARIO_DIR,
) -> Scenario:
    """The preset ``name`` (``folder/NAME.yaml``) under ``policy`` (default: as written)."""
    found = load_policy(policy or STATUS_QUO.name)
    return load_scenario(folder / f"{name}.yaml", overrides, found.sections, found.source)


def target_policies(spec: PresetTargets) -> set[str]:
    """The policies ``spec``'s targets run the preset under (each replication runs each)."""
    policies = {t.policy or spec.policy for t in spec.targets}
    return policies | {t.versus for t in spec.targets if t.versus}


def achieve(
    name: str,
    reps: int,
    overrides: Mapping[str, Any] | None = None,
    targets: PresetTargets | None = None,
    base_seed: int = 0,
    folder: Path = SCENARIO_DIR,
    on_run: Callable[[], None] | None = None,
) -> list[Achieved]:
    """Every target of preset ``name``, measured over ``reps`` replications.

    Replication k of every policy runs on seed ``base_seed + k`` (common random numbers);
    a target with ``versus`` is the ratio, seed by seed, of its metric under its policy
    to its metric under ``versus``. ``overrides`` are laid over the preset (calibration).
    ``on_run()`` is called after each run (``reps`` × ``len(target_policies(targets))``
    runs in all: progress).
    """
    spec = targets or load_targets()[name]
    values: dict[str, list[float]] = {t.name: [] for t in spec.targets}
    scenarios = {p: preset_scenario(name, p, overrides, folder) for p in target_policies(spec)}
    for k in range(reps):
        ledgers: dict[str, Ledger] = {}
        for policy, scenario in scenarios.items():
            ledgers[policy] = simulate(scenario, seed=base_seed + k)
            if on_run is not None:
                on_run()
        for target in spec.targets:
            value = measure(target, ledgers[target.policy or spec.policy])
            if target.versus:
                value /= measure(target, ledgers[target.versus])
            values[target.name].append(value)
    return [Achieved(t, np.array(values[t.name])) for t in spec.targets]


#: The x axis of the target figures.
_DISTANCE = "(model − figure) / tolerance  (band: within tolerance)"
#: Where the band of a one-sided target ends: beyond any axis.
_FAR = 1e6


def _draw_targets(ax: Axes, achieved: list[Achieved]) -> tuple[float, float]:
    """Each target's model mean and 95% CI on ``ax``, in units of its tolerance from its
    figure, over the band where it counts as met (one-sided targets: to the axis' edge);
    green when met, red when not. Returns the span of the means and CIs drawn."""
    y = np.arange(len(achieved))[::-1]
    drawn = []
    for row, item in zip(y, achieved, strict=True):
        t, interval = item.target, item.interval
        low, high = (-1.0, 1.0)
        if t.relation == "at_most":
            low = -_FAR
        elif t.relation == "at_least":
            high = _FAR
        ax.fill_betweenx([row - 0.3, row + 0.3], low, high, color="0.9")
        ends = (interval.mean, interval.low, interval.high)
        mean, below, above = ((v - t.value) / t.tolerance for v in ends)
        colour = "tab:green" if item.passed else "tab:red"
        xerr = [[mean - below], [above - mean]]
        ax.errorbar([mean], [row], xerr=xerr, fmt="o", color=colour, capsize=4)
        drawn += [mean, below, above]
    ax.axvline(0.0, color="grey", lw=0.8)
    ax.set_yticks(y, [f"{a.target.name} ({a.target.role})" for a in achieved])
    finite = [v for v in drawn if np.isfinite(v)]
    return (min(finite, default=0.0), max(finite, default=0.0))


def _fit(ax: Axes, spans: list[tuple[float, float]]) -> None:
    """Show the figure's band (±1 tolerance) and a little beyond, and everything drawn."""
    low = min([-1.5, *(s[0] for s in spans)])
    high = max([1.5, *(s[1] for s in spans)])
    pad = 0.05 * (high - low)
    ax.set_xlim(low - pad, high + pad)


#: Width of a preset's target figure (inches); its height grows with the targets, from
#: half the width (aspect 2) to a slide's height (``style.SLIDE``).
_WIDTH = 8.0


def target_figure(preset: str, policy: str, achieved: list[Achieved], reps: int) -> Figure:
    """Each target's model mean and 95% CI against its figure, in units of its tolerance:
    the shaded band is where a target counts as met."""
    height = min(max(0.6 * len(achieved) + 1.8, _WIDTH / 2), style.SLIDE[1])
    fig, ax = style.new_figure(size=(_WIDTH, height))
    _fit(ax, [_draw_targets(ax, achieved)])
    ax.set_xlabel(_DISTANCE)
    style.set_title(
        fig,
        style.figure_title(f"{preset} against its source", policy=policy, reps=reps, level=0.95),
    )
    return fig


def presets_figure(results: Mapping[str, tuple[str, list[Achieved]]], reps: int) -> Figure:
    """The presets side by side against their sources: a panel per preset (``results`` maps
    it to its policy and achieved targets, as :func:`write_report` returns them), each
    target as in :func:`target_figure`, on a shared scale; titled with ``reps``."""
    counts = [len(achieved) for _, achieved in results.values()]
    fig, axes = style.new_figure(
        len(results),
        1,
        size=(8.0, 0.45 * sum(counts) + 0.7 * len(results) + 1.2),
        sharex=True,
        squeeze=False,
        gridspec_kw={"height_ratios": counts},
    )
    spans = []
    for ax, (preset, (policy, achieved)) in zip(axes[:, 0], results.items(), strict=True):
        spans.append(_draw_targets(ax, achieved))
        title = f"{preset} (policy {policy}): {tally_text(achieved)}"
        ax.set_title(style.safe_text(title), loc="left")
    _fit(axes[-1, 0], spans)
    axes[-1, 0].set_xlabel(_DISTANCE)
    title = style.figure_title("The seed presets against their sources", reps=reps, level=0.95)
    style.set_title(fig, title)
    return fig


def results_table(results: Mapping[str, tuple[str, list[Achieved]]]) -> pd.DataFrame:
    """The presets' targets as a table, one row per target: ``preset``, ``policy``,
    ``target``, ``role`` (fit, holdout, structure), ``source`` (what the text says),
    ``figure`` (its value; a ratio to the ``versus`` policy where one is named),
    ``tolerance``, ``relation``, ``versus``, the model's ``mean`` with its 95% CI
    (``low``, ``high``), ``met`` and ``gap`` (the known gap a target not met is reported
    with, if any)."""
    return pd.DataFrame(
        [
            {
                "preset": preset,
                "policy": policy,
                "target": a.target.name,
                "role": a.target.role,
                "source": a.target.text,
                "figure": a.target.value,
                "tolerance": a.target.tolerance,
                "relation": a.target.relation,
                "versus": a.target.versus,
                "mean": a.interval.mean,
                "low": a.interval.low,
                "high": a.interval.high,
                "met": a.passed,
                "gap": a.target.gap,
            }
            for preset, (policy, achieved) in results.items()
            for a in achieved
        ]
    )


#: The target roles in the order the report gives them, with their section titles.
SECTIONS = {
    "fit": "Fit (in-sample)",
    "holdout": "Holdout (out-of-sample)",
    "structure": "Structure (restated inputs, not evidence)",
}
#: The sections listing the figures that are not run, by role.
LISTS = {"input": "Inputs", "not_representable": "Not representable"}


def tally(achieved: list[Achieved], role: str) -> tuple[int, int]:
    """Met and total of the targets of ``role``: what the summary counts. Structure
    checks restate inputs and are never counted as evidence."""
    chosen = [a for a in achieved if a.target.role == role]
    return sum(a.passed for a in chosen), len(chosen)


def tally_text(achieved: list[Achieved]) -> str:
    """``fit a of b, holdout c of d``: the evidence a preset's run gives."""
    return ", ".join(
        f"{role} {{}} of {{}}".format(*tally(achieved, role)) for role in ("fit", "holdout")
    )


def degrees_of_freedom(achieved: list[Achieved], fitted_parameters: int) -> int:
    """Informative fit targets less the parameters the calibration fits (the preset's
    ``uncertain`` section); below 0 the fit is under-determined."""
    return tally(achieved, "fit")[1] - fitted_parameters


def summary_line(
    achieved: list[Achieved], fitted_parameters: int, n_unidentified: int = 0
) -> str:
    """``fit a of b, holdout c of d, degrees of freedom k``, marked under-determined when
    k < 0 or when ``n_unidentified`` of the fitted parameters the fit does not identify."""
    k = degrees_of_freedom(achieved, fitted_parameters)
    verdict = " (under-determined)" if k < 0 or n_unidentified else ""
    return f"{tally_text(achieved)}, degrees of freedom {k}{verdict}"


def _target_rows(achieved: list[Achieved]) -> list[str]:
    rows = ["| figure | source says | target | model (95% CI) | met |", "|---|---|---:|---:|:---:|"]
    for a in achieved:
        t, i = a.target, a.interval
        sign = {"equal": "±", "at_most": "≤ +", "at_least": "≥ −"}[t.relation]
        figure = f"{t.value:g} {sign}{t.tolerance:g}"
        if t.versus:
            figure += f" (ratio to {t.versus})"
        if t.policy:
            figure += f" (policy {t.policy})"
        rows.append(
            f"| {t.name} | {_flat(t.text)} | {figure} | {readable(i.mean)} "
            f"({readable(i.low)} – {readable(i.high)}) "
            f"| {_verdict(a)} |"
        )
    return rows


def _listed(figure: Input | NotRepresentable) -> str:
    number = "—" if figure.number is None else _number(figure.number)
    why = f"sets {figure.sets}" if isinstance(figure, Input) else figure.reason
    return (
        f"- `{figure.id}`: {number} {figure.unit} — {figure.quote} ({figure.gloss}); {_flat(why)}"
    )


def _number(value: float) -> str:
    """A figure as a text would write it: 5,000,000; 0.6473."""
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


def _flat(text: str) -> str:
    """One line of table cell: no newlines, no column bars."""
    return " ".join(text.split()).replace("|", "/")


def preset_markdown(
    preset: str, register: PresetTargets, achieved: list[Achieved], fitted_parameters: int
) -> list[str]:
    """One preset's part of the report: the summary line, a table per target role (misses
    with their measured values), then its inputs and the figures it cannot represent."""
    lines = [
        f"## {preset} (policy `{register.policy}`)",
        "",
        f"**{summary_line(achieved, fitted_parameters, len(register.unidentified))}** "
        f"(informative fit targets: {tally(achieved, 'fit')[1]}; fitted parameters: "
        f"{fitted_parameters})",
        "",
    ]
    if register.unidentified:
        named = ", ".join(f"`{path}`" for path in register.unidentified)
        lines += [
            f"Not identified by the fit figures (the last calibration's profile reaches the "
            f"range's edge; the preset file says why): {named}.",
            "",
        ]
    for role, title in SECTIONS.items():
        chosen = [a for a in achieved if a.target.role == role]
        lines += [f"### {title}", ""]
        if chosen:
            lines += [*_target_rows(chosen), ""]
        else:
            lines += ["None.", ""]
        if role == "holdout" and register.holdout_shortfall:
            lines += [f"Fewer than two holdouts: {_flat(register.holdout_shortfall)}", ""]
    for role, title in LISTS.items():
        listed = [f for f in register.others if f.role == role]
        lines += [f"### {title}", "", *(_listed(f) for f in listed), ""]
    lines += [f"![{preset}](validation/{preset}.png)", ""]
    return lines


def report_markdown(
    results: Mapping[str, tuple[str, list[Achieved]]],
    reps: int,
    registers: Mapping[str, PresetTargets],
    fitted_parameters: Mapping[str, int],
) -> str:
    """``docs/validation.md``: the protocol, then per preset its summary line and its
    fit, holdout and structure tables, inputs and not-representable figures."""
    lines = [
        "# The seed presets against their sources",
        "",
        "Generated by `govsim validate --all` — do not edit by hand. Every quantitative "
        "figure of the five source texts is in `scenarios/register.yaml` with a role "
        "committed before any result: **fit** figures are the calibration's targets (the "
        "model was tuned to them: in-sample, not evidence of prediction); **holdout** "
        "figures are compared with the model and never fitted (out-of-sample); "
        "**structure** figures are outputs that restate an input (shown, never counted); "
        "inputs set scenario values; the rest the model cannot represent, each with its "
        f"reason. Each preset runs {reps} replications on shared seeds; a target is met "
        "when the model mean is within its tolerance of the figure. Degrees of freedom: "
        "informative fit targets less the parameters the calibration fits (`uncertain` in "
        "the preset); below 0, or with a fitted parameter the fit figures leave open (its "
        "profile reaches its range's edge), the preset is under-determined.",
        "",
        "| preset | summary |",
        "|---|---|",
    ]
    for preset, (_, achieved) in results.items():
        n_unidentified = len(registers[preset].unidentified)
        line = summary_line(achieved, fitted_parameters[preset], n_unidentified)
        lines.append(f"| {preset} | {line} |")
    lines.append("")
    for preset, (_, achieved) in results.items():
        lines += preset_markdown(preset, registers[preset], achieved, fitted_parameters[preset])
    return "\n".join(lines)


def write_report(
    presets: list[str],
    reps: int,
    out: Path,
    on_preset: Callable[[str], None] | None = None,
    on_run: Callable[[], None] | None = None,
) -> dict[str, tuple[str, list[Achieved]]]:
    """Run every preset's targets and write ``out`` (markdown) with one figure per preset
    in ``out``'s folder under ``validation/``; returns the results by preset.
    ``on_preset(name)`` is called after each preset, ``on_run()`` after each run
    (progress)."""
    targets = load_targets()
    results: dict[str, tuple[str, list[Achieved]]] = {}
    fitted = {p: len(preset_scenario(p).uncertain) for p in presets}
    for preset in presets:
        seeds = validation_seeds(reps)
        achieved = achieve(
            preset, len(seeds), targets=targets[preset], base_seed=seeds.start, on_run=on_run
        )
        results[preset] = (targets[preset].policy, achieved)
        fig = target_figure(preset, targets[preset].policy, achieved, reps)
        save_figure(fig, out.parent / "validation" / f"{preset}.png")
        if on_preset is not None:
            on_preset(preset)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report_markdown(results, reps, targets, fitted) + "\n", encoding="utf-8")
    return results


def _verdict(achieved: Achieved) -> str:
    if achieved.passed:
        return "yes"
    gap = achieved.target.gap
    return f"**no** — known gap: {gap}" if gap else "**no**"
