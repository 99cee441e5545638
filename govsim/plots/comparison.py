"""Policy comparisons: each policy's means as small multiples, and the paired differences to
the baseline as a forest plot.

Both figures take a comparison table (``govsim.analysis.comparison.compare``: one row per
policy and outcome with ``mean``, ``low``, ``high`` and the paired ``diff``, ``diff_low``,
``diff_high`` to the baseline) and are sized for a 1280×720 slide (``style.SLIDE``).
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from govsim.analysis.comparison import OUTCOMES
from govsim.errors import GovsimError
from govsim.plots import style
from govsim.plots.figures import save_figure
from govsim.plots.labels import outcome_label, panel_title, thousands

#: Characters in a line of a figure's title, a slide wide at 12 points bold.
_TITLE_CHARS = 95
#: Height of one row of the forest plot (inches): 9-point labels with a little air.
_FOREST_ROW = 0.2
#: Height of all rows of the forest plot at most (inches): the figure 804 px high, so
#: its 8.5-point ticks are 12.7 px on a 1280×720 slide.
_FOREST_ROWS_HEIGHT = 5.4
#: Rows of a forest plot in one column at most: 27 (two policies against a baseline on
#: nine outcomes) fill a slide's height; more are split over two columns.
_FOREST_LINES = 27
#: Colours of a paired difference whose CI excludes zero: better, worse; else neutral.
_BETTER, _WORSE, _NEUTRAL = style.PALETTE[2], style.PALETTE[3], "0.35"


def compared_outcomes(table: pd.DataFrame) -> list[str]:
    """The compared outcomes (``OUTCOMES``) present in ``table``, in ``OUTCOMES`` order."""
    present = set(table["outcome"])
    return [name for name in OUTCOMES if name in present]


def baseline_of(table: pd.DataFrame) -> str:
    """The policy without paired differences in ``table``: the baseline. Raises
    ``GovsimError`` when every policy has them or none has (nothing to differ from)."""
    no_diff = table.groupby("policy", sort=False)["diff"].apply(lambda d: d.isna().all())
    if no_diff.all() or not no_diff.any():
        raise GovsimError("paired differences need a baseline and at least one other policy")
    return str(no_diff[no_diff].index[0])


def means_figure(
    table: pd.DataFrame,
    title: str | None = None,
    *,
    scenario: str | None = None,
    level: float = 0.95,
) -> Figure:
    """Small multiples: one panel per compared outcome (at most three columns), each
    policy's mean with its CI, the baseline first.

    Panel titles are the outcomes' labels with their units; the x label says which way is
    better. ``level`` is the confidence level the table was computed at. Without
    ``title`` the figure is titled with ``scenario``, the policies, the replications per
    policy and ``level``; a given ``title`` is used as written.
    """
    names = list(dict.fromkeys(table["policy"]))
    outcomes = compared_outcomes(table)
    fig, axes = style.small_multiples(len(outcomes), sharey=True)
    positions = np.arange(len(names))
    colours = [style.PALETTE[k % len(style.PALETTE)] for k in range(len(names))]
    for ax, outcome in zip(axes, outcomes, strict=True):
        rows = table[table["outcome"] == outcome].set_index("policy").loc[names]
        mean, low, high = (rows[c].to_numpy(dtype=float) for c in ("mean", "low", "high"))
        for k in positions:
            ax.errorbar(
                mean[k],
                k,
                xerr=[[mean[k] - low[k]], [high[k] - mean[k]]],
                fmt="o",
                color=colours[k],
                capsize=3,
            )
        ax.set_title(panel_title(outcome), fontsize=10)
        ax.set_xlabel(_better_hint(outcome), fontsize=9, color="0.35")
        ax.locator_params(axis="x", nbins=4)
        if "cost" in outcome:
            thousands(ax.xaxis)
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(positions, [style.safe_text(name) for name in names])
    axes[0].invert_yaxis()
    subject = "Policies compared: means"
    style.set_title(fig, title or _title(table, subject, scenario, level))
    return fig


def differences_figure(
    table: pd.DataFrame,
    title: str | None = None,
    *,
    scenario: str | None = None,
    level: float = 0.95,
) -> Figure:
    """A forest plot of the paired differences to the baseline, one row per policy ×
    outcome, grouped under each outcome's label (with its unit).

    The x axis is the difference as a percentage of the baseline's mean (the CI of the
    paired difference divided by that mean's size; no point where it is zero), so
    outcomes in different units share one axis; the right-hand column gives each
    difference and its CI in the outcome's own unit. A dashed line marks zero; a
    difference whose CI excludes zero is green when it is in the better direction,
    vermilion when in the worse, grey otherwise (or when neither direction is better).
    Beyond :data:`_FOREST_LINES` rows the outcomes are split over two columns, so that
    four or five policies against a baseline still read on a slide. Titled as
    :func:`means_figure`.
    """
    baseline = baseline_of(table)
    names = [p for p in dict.fromkeys(table["policy"]) if p != baseline]
    outcomes = compared_outcomes(table)
    columns = 1 if len(outcomes) * (len(names) + 1) <= _FOREST_LINES else 2
    per_column = -(-len(outcomes) // columns)
    lines = per_column * (len(names) + 1)
    size = (style.SLIDE[0], 1.3 + min(_FOREST_ROW * lines, _FOREST_ROWS_HEIGHT))
    fig, axes = style.new_figure(1, columns, size=size, squeeze=False, sharex=True)
    for k, ax in enumerate(axes[0]):
        part = outcomes[k * per_column : (k + 1) * per_column]
        _forest(ax, table.set_index(["policy", "outcome"]), part, names, baseline, lines)
        ax.set_xlabel(f"difference to {style.safe_text(baseline)}, % of its mean")
    subject = f"Paired differences to {baseline}"
    style.set_title(fig, title or _title(table, subject, scenario, level))
    return fig


def _forest(
    ax: Axes,
    by_key: pd.DataFrame,
    outcomes: list[str],
    names: list[str],
    baseline: str,
    lines: int,
) -> None:
    """Draw the forest rows of ``outcomes`` on ``ax`` (``lines`` rows tall): a header row
    with each outcome's label, then one row per policy in ``names`` (see
    :func:`differences_figure`)."""
    labels, notes = [], []
    for outcome in outcomes:
        header = len(labels)
        # Clear of the spine, and boxed so the zero line does not run through the words.
        ax.text(
            0.02,
            header,
            outcome_label(outcome),
            transform=ax.get_yaxis_transform(),
            va="center",
            fontweight="bold",
            fontsize=9.5,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
            zorder=5,
        )
        labels.append("")
        notes.append("")
        base = float(by_key.loc[(baseline, outcome), "mean"])
        scale = 100.0 / abs(base) if base else np.nan
        for name in names:
            row = by_key.loc[(name, outcome)]
            diff, low, high = (float(row[c]) for c in ("diff", "diff_low", "diff_high"))
            ax.errorbar(
                diff * scale,
                len(labels),
                xerr=[[(diff - low) * scale], [(high - diff) * scale]],
                fmt="o",
                color=_verdict_colour(outcome, low, high),
                capsize=3,
            )
            labels.append(style.safe_text(name))
            notes.append(_in_units(outcome, diff, low, high))
    ax.axvline(0.0, color="grey", lw=1, ls="--")
    positions = np.arange(len(labels))
    ax.set_yticks(positions, labels)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(lines - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    _notes_column(ax, positions, notes)


def differences_path(path: str | Path) -> Path:
    """Where :func:`plot_comparison` saves the differences next to ``path``:
    ``OUT.png`` → ``OUT_differences.png``."""
    path = Path(path)
    return path.with_name(f"{path.stem}_differences{path.suffix}")


def plot_comparison(
    table: pd.DataFrame,
    path: str | Path,
    title: str | None = None,
    *,
    scenario: str | None = None,
    level: float = 0.95,
) -> list[Path]:
    """Save :func:`means_figure` to ``path`` and, when the table has a baseline to differ
    from, :func:`differences_figure` to :func:`differences_path` (format by extension).
    Returns the saved paths. A given ``title`` heads both (the differences' with
    ``: paired differences`` appended)."""
    saved = [save_figure(means_figure(table, title, scenario=scenario, level=level), path)]
    if table["diff"].notna().any():
        titled = f"{title}: paired differences" if title else None
        fig = differences_figure(table, titled, scenario=scenario, level=level)
        saved.append(save_figure(fig, differences_path(path)))
    return saved


def _title(table: pd.DataFrame, subject: str, scenario: str | None, level: float) -> str:
    """The standard title: ``subject``, the scenario, policies, replications and level."""
    reps = sorted(set(table["reps"].astype(int)))
    title = style.figure_title(
        subject,
        scenario=scenario,
        policy=list(dict.fromkeys(table["policy"])),
        reps=reps[0] if len(reps) == 1 else None,
        level=level,
        sep="\n",
    )
    return "\n".join(textwrap.fill(line, _TITLE_CHARS) for line in title.splitlines())


def _better_hint(outcome: str) -> str:
    """Which way is better along an outcome's axis, for its x label."""
    higher = OUTCOMES[outcome][1]
    return "" if higher is None else ("higher is better →" if higher else "← lower is better")


def _verdict_colour(outcome: str, low: float, high: float) -> str:
    """Colour of a difference with CI [low, high]: better, worse or neither (see above)."""
    higher = OUTCOMES[outcome][1]
    if higher is None or not (low > 0 or high < 0):
        return _NEUTRAL
    return _BETTER if (low > 0) == higher else _WORSE


def _in_units(outcome: str, diff: float, low: float, high: float) -> str:
    """A difference and its CI in the outcome's unit, to two significant digits of the
    CI's width: ``-4.2 h [-5.0, -3.4]``, ``-4,631 [-13,994, +4,732]`` for a cost."""
    width = abs(high - low)
    plain = "cost" in outcome or not (math.isfinite(width) and width > 0)
    digits = 0 if plain else max(0, 1 - math.floor(math.log10(width)))
    unit = " h" if outcome.endswith("_h") else ""
    return f"{diff:+,.{digits}f}{unit} [{low:+,.{digits}f}, {high:+,.{digits}f}]"


def _notes_column(ax: Axes, positions: np.ndarray, notes: list[str]) -> None:
    """The differences in their units as a column of labels right of ``ax``."""
    right = ax.twinx()
    right.set_ylim(ax.get_ylim())
    right.set_yticks(positions, notes)
    right.tick_params(axis="y", length=0)
    right.grid(False)
    right.spines["right"].set_visible(False)
    right.set_ylabel("in the outcome's unit [CI]", color="0.35")
