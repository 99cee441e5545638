"""An experiment's sweep over one parameter: each policy's mean and CI against the
parameter's values, one panel per compared outcome."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from govsim.plots import style
from govsim.plots.comparison import compared_outcomes
from govsim.plots.labels import panel_title, thousands


def sweep_figure(table: pd.DataFrame, parameter: str, title: str) -> Figure:
    """Small multiples, one panel per compared outcome (at most three columns): each
    policy's mean and 95% CI against ``parameter``.

    ``table`` is an experiment summary (``govsim.experiments.results.summary``) with a column of the
    parameter's values.
    """
    outcomes = compared_outcomes(table)
    fig, axes = style.small_multiples(len(outcomes), sharex=True)
    for ax, outcome in zip(axes, outcomes, strict=True):
        rows = table[table["outcome"] == outcome]
        for policy, line in rows.groupby("policy", sort=False):
            line = line.sort_values(parameter)
            x = line[parameter].to_numpy(dtype=float)
            ax.plot(x, line["mean"], marker="o", ms=3, label=style.safe_text(str(policy)))
            ax.fill_between(x, line["low"], line["high"], alpha=0.2)
        ax.set_title(panel_title(outcome), fontsize=10)
        if "cost" in outcome:
            thousands(ax.yaxis)
    for ax in axes[-style.MAX_COLUMNS:]:
        ax.set_xlabel(parameter)
    axes[0].legend()
    style.set_title(fig, title)
    return fig
