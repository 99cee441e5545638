"""The house style of every govsim figure: fonts, colours, layout and titles.

Every figure function (``govsim.plots.figures``, the live app's map and charts) makes its figure
with :func:`new_figure` and titles it with :func:`set_title`, so all figures look alike.
Latin text is set in DejaVu Sans and falls back glyph by glyph to the CJK font that
:mod:`govsim.plots.fonts` finds (registered when the first figure is made); without one,
:func:`safe_text` drops the Chinese characters and warns once, naming how to install one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from govsim.plots import fonts
from govsim.plots.fonts import safe_text

LATIN_FAMILY = "DejaVu Sans"
#: Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
#: Figure size (inches) of a 1280×720 slide at the house style's 120 dpi: text of 8.5
#: points or more is then at least 12 pixels high on the slide.
SLIDE = (1280 / 120, 720 / 120)
#: Most columns of panels a slide-sized figure has (:func:`small_multiples`): three
#: panels side by side still read on a slide.
MAX_COLUMNS = 3
#: Sequential colour map for counts on the map (white → dark red).
COUNT_CMAP = "OrRd"


def tier_colours(tiers: Sequence[str]) -> dict[str, str]:
    """One colour per tier, the same in every figure: ``tiers`` bottom up (the cell tier
    first) get the colours of :data:`PALETTE` in order."""
    return {tier: PALETTE[rank % len(PALETTE)] for rank, tier in enumerate(tiers)}


def rc_params() -> dict[str, Any]:
    """The matplotlib settings of the house style (a dict for ``rcParams.update``)."""
    families = [LATIN_FAMILY]
    cjk = fonts.cjk_family()
    if cjk is not None:
        families.append(cjk)
    return {
        "font.family": families,
        "font.size": 10,
        "axes.titlesize": 10.5,
        "axes.titleweight": "bold",
        "axes.labelsize": 9.5,
        "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE)),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "legend.fontsize": 8.5,
        "xtick.labelsize": 8.5,
        "ytick.labelsize": 8.5,
        "figure.facecolor": "white",
        "figure.titlesize": 12,
        "figure.titleweight": "bold",
        "savefig.dpi": 120,
        "savefig.facecolor": "white",
    }


def apply_style() -> None:
    """Set the house style in matplotlib's global ``rcParams`` (idempotent)."""
    matplotlib.rcParams.update(rc_params())


def new_figure(
    nrows: int = 1, ncols: int = 1, *, size: tuple[float, float] = (8.0, 4.5), **subplots: Any
) -> tuple[Figure, Any]:
    """A new figure in the house style, with ``nrows × ncols`` axes.

    ``size`` is (width, height) in inches; ``subplots`` go to ``Figure.subplots``
    (``sharey=True`` …). The figure is not registered with pyplot, so it needs no
    closing. Returns ``(figure, axes)`` with ``axes`` as ``Figure.subplots`` gives it.
    """
    apply_style()
    figure = Figure(figsize=size, layout="constrained")
    return figure, figure.subplots(nrows, ncols, **subplots)


def small_multiples(
    count: int, *, columns: int = MAX_COLUMNS, **subplots: Any
) -> tuple[Figure, list[Axes]]:
    """A slide-sized figure (:data:`SLIDE`) of ``count`` panels in at most ``columns``
    columns (default :data:`MAX_COLUMNS`), the places left over hidden; ``subplots`` go
    to ``Figure.subplots`` (``sharey=True`` …). Returns the figure and its ``count`` axes
    in reading order."""
    ncols = max(1, min(columns, count))
    nrows = -(-max(count, 1) // ncols)
    fig, axes = new_figure(nrows, ncols, size=SLIDE, squeeze=False, **subplots)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:count])


def figure_legend(figure: Figure, axes: Sequence[Axes], columns: int = 4) -> None:
    """One legend for the whole ``figure``, below its panels (out of the data): every
    label drawn in ``axes``, once each, in up to ``columns`` columns."""
    found: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            found.setdefault(label, handle)
    if found:
        figure.legend(
            list(found.values()),
            list(found),
            loc="outside lower center",
            ncols=min(columns, len(found)),
        )


def figure_title(
    subject: str,
    *,
    scenario: str | None = None,
    policy: str | Sequence[str] | None = None,
    reps: int | None = None,
    level: float | None = None,
    detail: str | None = None,
    sep: str = " — ",
) -> str:
    """The standard title: what the figure shows, then the run's identity.

    ``"Backlog — scenario demo · policy status_quo · 5 replications · 95% CIs"``: parts
    left ``None`` are omitted; ``policy`` may list several policies; ``level`` is the
    confidence level as a fraction (0.95); ``detail`` is appended as written; ``sep``
    goes between the subject and the identity (``"\n"`` for a narrow figure).
    """
    parts = []
    if scenario:
        parts.append(f"scenario {scenario}")
    if policy:
        names = [policy] if isinstance(policy, str) else list(policy)
        parts.append(("policy " if len(names) == 1 else "policies ") + ", ".join(names))
    if reps is not None:
        parts.append(f"{reps} replication{'s' if reps != 1 else ''}")
    if level is not None:
        parts.append(f"{level:.0%} CIs")
    if detail:
        parts.append(detail)
    return f"{subject}{sep}{' · '.join(parts)}" if parts else subject


def set_title(figure: Figure, title: str) -> None:
    """Give ``figure`` its overall title in the house style (CJK-safe, see :func:`safe_text`)."""
    figure.suptitle(safe_text(title))
