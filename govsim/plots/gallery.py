"""The figure gallery: every kind of govsim figure drawn from small, quick runs of the demo
city (and the studies of :mod:`govsim.plots.gallery_studies`), saved under
``docs/gallery/`` and listed in ``docs/gallery.md``.

    python -m govsim.plots.gallery            # docs/gallery.md and docs/gallery/*.png
    python -m govsim.plots.gallery --out DIR  # DIR/gallery.md and DIR/gallery/*.png

Every figure is sized for a 1280×720 slide: ``tests/test_gallery.py`` draws them all and
checks each one's size, aspect ratio, smallest text and any text cut off at its edges
(:func:`legibility`). The runs are small (:data:`DAYS` days, :data:`REPS` replications):
the gallery shows what a figure looks like, not a result.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from govsim.analysis import claims, sensitivity
from govsim.analysis.comparison import compare
from govsim.analysis.targets import Achieved
from govsim.analysis.validation import target_figure
from govsim.engine.model import simulate
from govsim.experiments.planner import Plan, parse_target, plan
from govsim.experiments.run import perform, policy_runs
from govsim.logs.fit import LogFit
from govsim.plots import gallery_studies, logs, robustness, style
from govsim.plots import sensitivity as sensitivity_plots
from govsim.plots.by_time import by_time_figure
from govsim.plots.comparison import differences_figure, means_figure
from govsim.plots.figures import run_figure, save_figure, tier_flow_figure
from govsim.plots.frontier import frontier_figure
from govsim.plots.hours import hours_figure
from govsim.plots.series import series_figure
from govsim.plots.sweep import sweep_figure
from govsim.policies.files import load_policy
from govsim.record.ledger import Ledger
from govsim.world.scenario import load_scenario, scenario_path
from govsim.world.window import Window

#: The city, its run length (days, warm-up included) and the replications per policy.
SCENARIO, DAYS, REPS = "demo", 60, 2
#: The policies compared; whistle-and-report is Beijing's 吹哨报到, named so to show the
#: Chinese in a figure.
POLICIES = ("status_quo", "whistle_and_report", "fast_handoffs")
CHINESE = {"whistle_and_report": "吹哨报到 whistle_and_report"}
#: The staffing swept and planned over, and its values.
STAFFING = "staffing.grid_workers_per_grid"
LEVELS = (1, 2, 3)
#: The slide a figure must be legible on (pixels), and the smallest text on it (pixels).
SLIDE_PX, MIN_TEXT_PX = (1280, 720), 12.0
#: Widths over heights a slide or a paper's column takes.
ASPECTS = (1.0, 2.0)


@dataclass(frozen=True)
class Entry:
    """One gallery figure: its file name, heading, caption and how it is drawn."""

    name: str
    heading: str
    caption: str
    draw: Callable[[Material], Figure]
    #: Whether its runs take more than a few seconds (its test is marked slow).
    slow: bool = False


class Material:
    """The runs the gallery draws from, each made once when first needed."""

    @cached_property
    def ledgers(self) -> dict[str, Ledger]:
        """One run of the first two policies (seed 1), by their display names."""
        ledgers = {}
        for name in POLICIES[:2]:
            policy = load_policy(name)
            scenario = load_scenario(scenario_path(SCENARIO), {}, policy.sections, policy.source)
            ledgers[CHINESE.get(name, name)] = simulate(scenario, seed=1, days=DAYS)
        return ledgers

    @cached_property
    def runs(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Every policy × replication on shared seeds: one row each, and the daily series."""
        policies = [load_policy(name) for name in POLICIES]
        results = [
            perform(dataclasses.replace(run, series_every_days=1))
            for run in policy_runs(scenario_path(SCENARIO), policies, REPS, 0, DAYS)
        ]
        rows = pd.DataFrame([result.row for result in results])
        series = pd.concat([result.series for result in results], ignore_index=True)
        return rows.replace({"policy": CHINESE}), series

    @cached_property
    def table(self) -> pd.DataFrame:
        """The comparison table of :attr:`runs` (paired differences to the status quo)."""
        return compare(self.runs[0], POLICIES[0])

    @cached_property
    def plan(self) -> Plan:
        """The least-cost grid workers per grid for a p90 and an on-time target."""
        targets = [parse_target("resolution_time_h.p90<=150"), parse_target("on_time_rate>=0.8")]
        return plan(
            SCENARIO, targets, {STAFFING: list(LEVELS)}, days=DAYS, min_reps=REPS, max_reps=REPS
        )

    @cached_property
    def sweep(self) -> pd.DataFrame:
        """The first two policies over :data:`LEVELS` of :data:`STAFFING`, as a report's
        summary (a column of the swept values)."""
        policies = [load_policy(name) for name in POLICIES[:2]]
        rows = []
        for level in LEVELS:
            for run in policy_runs(
                scenario_path(SCENARIO), policies, REPS, 0, DAYS, {STAFFING: level}
            ):
                rows.append({**perform(run).row, STAFFING: level})
        frame = pd.DataFrame(rows)
        return compare(frame, POLICIES[0], within=[STAFFING])

    @cached_property
    def sobol(self) -> sensitivity.Analysis:
        """A Sobol study of the demo (:func:`gallery_studies.sensitivity_study`)."""
        return gallery_studies.sensitivity_study("sobol", 8)

    @cached_property
    def morris(self) -> sensitivity.Analysis:
        """A Morris study of the demo, 8 trajectories (so its convergence has two sizes)."""
        return gallery_studies.sensitivity_study("morris", 8)

    @cached_property
    def claims(self) -> claims.Analysis:
        """A robustness study of two claims on the demo."""
        return gallery_studies.robustness_study()

    @cached_property
    def validation(self) -> tuple[str, list[Achieved]]:
        """A preset's policy and its targets achieved (:func:`gallery_studies.validation`)."""
        return gallery_studies.validation()

    @cached_property
    def log_fit(self) -> LogFit:
        """The fit of the shipped synthetic platform log."""
        return gallery_studies.log_fit()


def _series(material: Material) -> Figure:
    rows, series = material.runs
    window = Window.of(load_scenario(scenario_path(SCENARIO)), DAYS)
    title = f"{SCENARIO}: means with 95% bands, {REPS} replications"
    return series_figure(series, rows, title, window)


ENTRIES = (
    Entry(
        "run",
        "One run",
        "Backlog and hidden incidents over time; resolution time by the "
        "tier that closed each incident. `govsim run FILE --plot OUT.png`, `Sim.plot`.",
        lambda m: run_figure(next(iter(m.ledgers.values())), POLICIES[0]),
    ),
    Entry(
        "by_time",
        "By time",
        "Incidents by hour, weekday and month; waits and resolution "
        "by hour and weekday of report. `govsim run FILE --plot-by-time OUT.png`.",
        lambda m: by_time_figure(next(iter(m.ledgers.values())), POLICIES[0]),
    ),
    Entry(
        "hours",
        "Working time",
        "Handlers on duty through the week; hours on duty, paid "
        "and in overtime by role. `govsim run FILE --plot-hours OUT.png`.",
        lambda m: hours_figure(next(iter(m.ledgers.values())), POLICIES[0]),
    ),
    Entry(
        "tier_flow",
        "Routes through the tiers",
        "Where incidents went, desk by desk, "
        "and who closed them (an alluvial diagram per policy). "
        "`govsim.plots.figures.tier_flow_figure`.",
        lambda m: tier_flow_figure(m.ledgers),
    ),
    Entry(
        "compare",
        "Policies compared",
        "Each policy's mean with its 95% CI, one panel "
        "per outcome, at most three columns. `govsim compare FILE --plot OUT.png` (this "
        "figure) and `Comparison.plot`; `govsim report DIR --figures OUT`.",
        lambda m: means_figure(m.table, scenario=SCENARIO),
    ),
    Entry(
        "compare_differences",
        "Paired differences (forest plot)",
        "Each policy's paired "
        "difference to the baseline with its 95% CI, one row per policy × outcome, as a "
        "percentage of the baseline's mean; the right-hand column gives it in the "
        "outcome's unit. Green: better with confidence; vermilion: worse; grey: neither. "
        "Saved by `govsim compare FILE --plot OUT.png` as `OUT_differences.png`.",
        lambda m: differences_figure(m.table, scenario=SCENARIO),
    ),
    Entry(
        "series",
        "An experiment's series",
        "Open and hidden incidents and trust by day: "
        "each policy's mean with a 95% band over its replications, over the days every "
        "run reached, clipped at 0 (and trust at 1); warm-up and drain shaded. "
        "`govsim report DIR --figures OUT` (`series.png`).",
        _series,
    ),
    Entry(
        "sweep",
        "A sweep over one parameter",
        "Each policy's mean and 95% CI against the "
        "swept parameter's values, one panel per outcome. `govsim report DIR --figures OUT` "
        "(`sweep.png`).",
        lambda m: sweep_figure(m.sweep, STAFFING, f"{SCENARIO}: sweep of {STAFFING}"),
    ),
    Entry(
        "frontier",
        "Staffing frontier",
        "Each target outcome against the staff cost, one "
        "point per staffing tried, labelled with it; bars reach the one-sided bound that "
        "decided it; the target dashed, its side shaded; the star the least-cost staffing "
        "meeting every target. `govsim plan FILE --target … --vary … --plot OUT.png`.",
        lambda m: frontier_figure(m.plan),
    ),
    Entry(
        "sensitivity_indices",
        "Sensitivity indices",
        "Each parameter's first-order (S1) and total (ST) Sobol index with its bootstrap "
        "CI, one panel per output (here a Sobol design of N = 8 on the demo, "
        f"{gallery_studies.DAYS} days: far too small for a result). "
        "`govsim report DIR --figures OUT` on a sensitivity study (`indices.png`).",
        lambda m: sensitivity_plots.index_bars(m.sobol.study, m.sobol.indices),
        slow=True,
    ),
    Entry(
        "sensitivity_heatmap",
        "Sensitivity heatmap",
        "The method's main index (here ST) over parameters × outputs. "
        "`govsim report DIR --figures OUT` (`heatmap.png`).",
        lambda m: sensitivity_plots.heatmap(m.sobol.study, m.sobol.indices),
        slow=True,
    ),
    Entry(
        "sensitivity_morris",
        "Morris screening",
        "Each parameter at its μ* (mean absolute elementary effect) and σ with CIs, one "
        "panel per output; right: influential, high: non-linear or interacting; dashed: "
        "σ = μ*. `govsim report DIR --figures OUT` on a Morris study (`morris.png`).",
        lambda m: sensitivity_plots.morris_plane(m.morris.study, m.morris.indices),
        slow=True,
    ),
    Entry(
        "sensitivity_convergence",
        "Convergence of the indices",
        "The main index of each parameter against N (nested sub-designs) with its CI "
        "band: where the lines flatten and the bands narrow, N suffices. "
        "`govsim report DIR --figures OUT` (`convergence.png`).",
        lambda m: sensitivity_plots.convergence_figure(m.morris.study, m.morris.convergence),
        slow=True,
    ),
    Entry(
        "robustness",
        "Claims across the uncertainty",
        "One panel per claim and policy: each sample's paired effect with its CI against "
        "the parameter it follows most closely (ρ: rank correlation); green where the "
        "claim holds, vermilion where it fails. `govsim report DIR --figures OUT` on a "
        "robustness study (`effects.png`).",
        lambda m: robustness.effects_figure(m.claims),
        slow=True,
    ),
    Entry(
        "validation",
        "A preset against its sources",
        f"Each target of the {gallery_studies.PRESET} preset: the model's mean and 95% CI "
        "in units of the target's tolerance from its figure; shaded: where it counts as "
        f"met (green: met; red: not). Here {gallery_studies.PRESET_REPS} replications; "
        "`govsim validate` writes one per preset into `validation/`.",
        lambda m: target_figure(
            gallery_studies.PRESET, m.validation[0], m.validation[1], gallery_studies.PRESET_REPS
        ),
        slow=True,
    ),
    Entry(
        "log_rates",
        "A log's rates per cell",
        "Per incident type: each grid cell's raw rate and its estimate shrunk toward the "
        "district mean with its interval, from the shipped synthetic log "
        "(`scenarios/logs/synthetic_demo.csv`). `govsim import-log … --report DIR` "
        "(`rates.png`).",
        lambda m: logs.rates_figure(m.log_fit),
    ),
    Entry(
        "log_profiles",
        "A log's hour-of-day profiles",
        "Per incident type: its own hour-of-day multipliers with their CIs, those of all "
        "types dashed; the title says which the fit chose. `import-log --report` "
        "(`profiles.png`).",
        lambda m: logs.profiles_figure(m.log_fit),
    ),
    Entry(
        "log_durations",
        "A log's resolution times",
        "Per incident type: the Kaplan–Meier estimate of the time to closure (open "
        "incidents censored) with its 95% band against the chosen fit; inset, where the "
        "bottom tier closes it, a QQ plot of its handling time against its fit. "
        "`import-log --report` (`durations.png`).",
        lambda m: logs.durations_figure(m.log_fit),
    ),
)


def texts(figure: Figure) -> list[Text]:
    """Every non-empty text ``figure`` draws (titles, labels, ticks, legends, notes), as
    the renderer is asked to draw them: a tick label outside its axis' limits or on a
    hidden panel is not drawn, so not listed."""
    canvas = FigureCanvasAgg(figure)
    figure.draw_without_rendering()  # lays the figure out: the next draw is as saved
    renderer = canvas.get_renderer()
    drawn: dict[int, Text] = {}
    draw_text = renderer.draw_text

    def record(gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
               ismath: Any = False, mtext: Text | None = None) -> None:
        if mtext is not None and s.strip():
            drawn[id(mtext)] = mtext
        draw_text(gc, x, y, s, prop, angle, ismath, mtext)

    renderer.draw_text = record
    try:
        figure.draw(renderer)
    finally:
        del renderer.draw_text
    return list(drawn.values())


def legibility(figure: Figure, dpi: float | None = None) -> dict[str, float]:
    """How ``figure`` reads on a 1280×720 slide: its size in pixels (``width``, ``height``)
    at ``dpi`` (default: the house style's), its aspect ratio, the height in slide pixels
    of its smallest text (``min_text_px``: points × dpi / 72, scaled down by as much as
    the figure is shrunk to fit the slide) and how many texts reach past its edges
    (``clipped``: cut off in the saved image)."""
    dpi = dpi or float(style.rc_params()["savefig.dpi"])
    width, height = figure.get_size_inches() * dpi
    shrink = min(1.0, SLIDE_PX[0] / width, SLIDE_PX[1] / height)
    shown = texts(figure)
    sizes = [text.get_fontsize() for text in shown]
    inside = figure.bbox.padded(1.0)
    clipped = [
        text for text in shown if not inside.contains(*text.get_window_extent().min)
        or not inside.contains(*text.get_window_extent().max)
    ]
    return {
        "width": float(width),
        "height": float(height),
        "aspect": float(width / height),
        "min_text_px": float(min(sizes) * dpi / 72 * shrink) if sizes else np.inf,
        "clipped": float(len(clipped)),
    }


def build(out: Path) -> list[Path]:
    """Draw every :data:`ENTRIES` figure into ``out/gallery/`` and write ``out/gallery.md``;
    returns the saved image paths."""
    material = Material()
    folder = out / "gallery"
    saved, sections = [], []
    for entry in ENTRIES:
        figure = entry.draw(material)
        shape = legibility(figure)
        path = save_figure(figure, folder / f"{entry.name}.png")
        saved.append(path)
        sections.append(
            f"## {entry.heading}\n\n{entry.caption}\n\n"
            f"![{entry.heading}](gallery/{path.name})\n\n"
            f"{shape['width']:.0f}×{shape['height']:.0f} px; smallest text "
            f"{shape['min_text_px']:.0f} px on a 1280×720 slide.\n"
        )
    (out / "gallery.md").write_text(_PAGE_HEAD + "\n".join(sections), encoding="utf-8")
    return saved


_PAGE_HEAD = f"""# Figure gallery

Every kind of figure govsim draws, from small runs of the demo city ({DAYS} days, the first
30 warm-up; {REPS} replications per policy on shared seeds), tiny sensitivity and
robustness studies of it ({gallery_studies.DAYS} days a run), a
{gallery_studies.PRESET_REPS}-replication validation of the {gallery_studies.PRESET}
preset and the fit of the shipped synthetic platform log: they show what each figure
looks like, not results. Every figure is sized for a 1280×720 slide, its text at least
{MIN_TEXT_PX:g} pixels high there (`tests/test_gallery.py` checks each one). Chinese names
render with the Noto Sans CJK font the `cjk` (or `viz`) extra installs; here the
whistle-and-report policy is labelled with its Chinese name, 吹哨报到.

Generated by `python -m govsim.plots.gallery` (`make gallery`, about a minute and a half
of CPU); do not edit by hand.

## Chinese text

Names of places and policies in Chinese (吹哨报到) are drawn with the first CJK font
found (`govsim.plots.fonts`): one matplotlib already knows, a system CJK font file, or
the Noto Sans CJK of the pip package `noto-cjk-sans-otc` (SIL Open Font License 1.1),
which `pip install "govsim[cjk]"` (or `[viz]`) installs. It is registered with
matplotlib's font manager only when the first figure is drawn. Without any CJK font the
Chinese characters are left out (a name of Chinese only shows as `?`) and the first
figure warns once: `no CJK font found: Chinese text is left out of figures. To draw it:
pip install 'govsim[cjk]' …`.

"""


def main(argv: list[str] | None = None) -> int:
    """``python -m govsim.plots.gallery [--out DIR]``: regenerate the gallery."""
    parser = argparse.ArgumentParser(prog="python -m govsim.plots.gallery", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs"), help="folder (default docs)")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(f"figure saved to {path}")
    print(f"page written to {args.out / 'gallery.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
