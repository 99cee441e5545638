"""The house style of every govsim figure: fonts, colours, layout and titles.

Every figure function (``govsim.plots.figures``, the live app's map and charts) makes its figure
with :func:`new_figure` and titles it with :func:`set_title`, so all figures look alike.
Chinese place names render with a CJK font when one is installed (Noto Sans CJK from
Debian's ``fonts-noto-cjk``, Source Han Sans, WenQuanYi …); Latin text keeps DejaVu Sans
and falls back glyph by glyph to the CJK font. Without any CJK font, :func:`safe_text`
drops the Chinese characters so that no figure shows empty boxes or warns about
missing glyphs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

#: Font families with CJK glyphs, most wanted first (simplified Chinese faces first).
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Noto Sans CJK JP",
    "Source Han Sans",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
)
#: File names of CJK fonts, looked for when matplotlib's font cache predates their install.
_CJK_FILE = re.compile(r"cjk|sourcehan|notosanssc|wqy|wenquanyi|droidsansfallback|simhei|yahei")
#: Han ideographs, CJK punctuation and full-width forms: the characters a Latin font lacks.
_CJK_TEXT = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+")
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
#: Sequential colour map for counts on the map (white → dark red).
COUNT_CMAP = "OrRd"


def tier_colours(tiers: Sequence[str]) -> dict[str, str]:
    """One colour per tier, the same in every figure: ``tiers`` bottom up (the cell tier
    first) get the colours of :data:`PALETTE` in order."""
    return {tier: PALETTE[rank % len(PALETTE)] for rank, tier in enumerate(tiers)}


@functools.cache
def cjk_family() -> str | None:
    """Return the installed font family used for CJK text, or ``None`` when there is none.

    Looks in matplotlib's font list first; when that cache was built before the font was
    installed, registers the system's CJK font files (found through fontconfig) and
    looks again. The answer is cached for the process.
    """
    found = _first_known_family()
    if found is None:
        for path in font_manager.findSystemFonts():
            if _CJK_FILE.search(Path(path).name.lower()):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # an unreadable font file
                    continue
        found = _first_known_family()
    return found


def _first_known_family() -> str | None:
    """The first of :data:`CJK_FAMILIES` that matplotlib's font manager knows, if any."""
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in known), None)


def rc_params() -> dict[str, Any]:
    """The matplotlib settings of the house style (a dict for ``rcParams.update``)."""
    families = [LATIN_FAMILY]
    cjk = cjk_family()
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


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds characters (Han, kana, hangul, full-width) a Latin font lacks."""
    return bool(_CJK_TEXT.search(text))


def safe_text(text: str) -> str:
    """``text`` as it can be drawn: unchanged with a CJK font, else without its CJK runs.

    Without a CJK font, ``"Wuhou 武侯 (成都)"`` becomes ``"Wuhou"``: the runs are dropped
    with brackets left empty by them, and spaces are tidied.
    """
    if cjk_family() is not None or not has_cjk(text):
        return text
    stripped = _CJK_TEXT.sub("", text)
    stripped = re.sub(r"\(\s*\)|\[\s*\]", "", stripped)
    return re.sub(r"\s{2,}", " ", stripped).strip(" ·,;:—-") or "?"


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
