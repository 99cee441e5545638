"""The working-time figure: who is on duty through the week, and the hours on duty, paid
and in overtime by role (``govsim.record.hours``), sized for a slide."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from govsim.plots import style
from govsim.plots.by_time import SUPTITLE_PT, TICK_PT, panel_text
from govsim.plots.figures import save_figure
from govsim.record.by_time import LABELS
from govsim.record.hours import extra_hours, on_duty_by_hour_of_week, on_duty_hours, paid_hours
from govsim.record.ledger import ROLES, Ledger
from govsim.world.window import describe


def hours_figure(ledger: Ledger, policy: str | None = None) -> Figure:
    """Two panels: the mean number of each role's handlers on duty in every hour of the
    week (left), and each role's hours on duty, paid (overtime at its rate, call-outs at
    their minimum) and in overtime over the window, in thousands (right). Roles with no
    hours in the window are left out."""
    fig, (week_ax, bar_ax) = style.new_figure(1, 2, size=style.SLIDE, width_ratios=(3, 2))
    on_duty, paid = on_duty_hours(ledger, by="role"), paid_hours(ledger)
    overtime = extra_hours(ledger, "overtime")
    shown = [i for i in range(len(ROLES)) if on_duty[i] > 0 or paid[i] > 0]
    week = on_duty_by_hour_of_week(ledger)
    for i in shown:
        week_ax.step(np.arange(168), week[i], where="post", lw=2, label=_role(i))
    week_ax.set_xticks(np.arange(0, 168, 24) + 12, LABELS["weekday"])
    week_ax.set_xlim(0, 168)
    for day in range(24, 168, 24):
        week_ax.axvline(day, color="0.85", lw=1, zorder=0)
    panel_text(week_ax, "On duty through the week (mean)", "handlers")
    week_ax.set_ylim(0, max(float(week[shown].max()), 1.0) * 1.3 if shown else 1.0)
    if shown:  # above the lines, which fill the panel's height at their peaks
        week_ax.legend(fontsize=TICK_PT, loc="upper center", ncol=len(shown), frameon=False)
    y = np.arange(len(shown))
    bars = (("on duty", on_duty), ("paid", paid), ("overtime", overtime))
    for k, (name, values) in enumerate(bars):
        bar_ax.barh(y + (k - 1) * 0.27, values[shown] / 1000, height=0.27, label=name)
    bar_ax.set_yticks(y, [_role(i) for i in shown])
    bar_ax.invert_yaxis()
    panel_text(bar_ax, "Working time in the window", "")
    bar_ax.set_xlabel("thousand hours", fontsize=TICK_PT + 2)
    detail = f"seed {ledger.meta.get('seed', 0)}, {describe(ledger.window_h)}"
    title = style.figure_title(
        "Working time", scenario=ledger.meta.get("scenario"), policy=policy, detail=detail, sep="\n"
    )
    fig.suptitle(style.safe_text(title), fontsize=SUPTITLE_PT)
    return fig


def _role(index: int) -> str:
    """A role's name as a label ("grid worker")."""
    return ROLES[index].replace("_", " ")


def plot_hours(ledger: Ledger, path: str | Path, policy: str | None = None) -> Path:
    """Save ``hours_figure`` to ``path`` (PNG, SVG or PDF by extension); returns the path."""
    return save_figure(hours_figure(ledger, policy), path)
