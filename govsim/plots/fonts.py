"""Fonts for Chinese text in figures: find a CJK font, register it lazily, or say how to get one.

Chinese names (places, policies such as 吹哨报到) render with the first CJK font found, in
this order: one matplotlib already knows (Noto Sans CJK, Source Han Sans, WenQuanYi …);
the system's CJK font files, when matplotlib's font cache predates their install; the
Noto Sans CJK collection of the pip package ``noto-cjk-sans-otc`` (SIL Open Font License
1.1; installed with ``govsim[viz]`` or ``govsim[cjk]``), which has the regular weight
only: bold titles use it too, without matplotlib's log line about it. Nothing is
registered until a figure is drawn (:func:`cjk_family` is called by the house style), so
``import govsim`` stays fast. Without any CJK font, :func:`safe_text` drops the Chinese
characters so that no figure shows empty boxes, and warns once, naming how to install one.
"""

from __future__ import annotations

import functools
import logging
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

from matplotlib import font_manager

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
#: What the warning without a CJK font tells the user to do.
INSTALL_HINT = (
    "pip install 'govsim[cjk]' (the Noto Sans CJK font, SIL Open Font License), or a system "
    "CJK font (Debian/Ubuntu: apt install fonts-noto-cjk)"
)


@functools.cache
def cjk_family() -> str | None:
    """Return the font family used for CJK text, or ``None`` when there is none.

    Looks in matplotlib's font list first, then registers the system's CJK font files
    (found through fontconfig), then the packaged Noto Sans CJK (``noto-cjk-sans-otc``,
    when installed), looking again after each. The answer is cached for the process.
    """
    found = _first_known_family()
    for fonts in (_system_fonts, _packaged_fonts):
        if found is not None:
            break
        _register(fonts())
        found = _first_known_family()
    return found


def _packaged_fonts() -> list[Path]:
    """The font files of the pip package ``noto-cjk-sans-otc``, if it is installed (and
    matplotlib's log quietened about the bold weight they lack)."""
    try:
        from noto_cjk_sans_otc import FONT_PATH
    except ImportError:
        return []
    logging.getLogger(font_manager.__name__).addFilter(_regular_for_bold)
    return [Path(str(FONT_PATH))]


def _regular_for_bold(record: logging.LogRecord) -> bool:
    """Drop matplotlib's warning that a CJK family lacks the bold weight (the regular one
    serves); keep every other log record."""
    message = str(record.msg)
    return not (
        message.startswith("findfont: Failed to find font weight")
        and any(family in str(record.args) for family in CJK_FAMILIES)
    )


def _system_fonts() -> list[Path]:
    """The system's font files whose names say they are CJK fonts."""
    paths = font_manager.findSystemFonts()
    return [Path(path) for path in paths if _CJK_FILE.search(Path(path).name.lower())]


def _register(paths: Iterable[Path]) -> None:
    """Add ``paths`` to matplotlib's font manager, skipping unreadable files."""
    for path in paths:
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError):  # an unreadable font file
            continue


def _first_known_family() -> str | None:
    """The first of :data:`CJK_FAMILIES` that matplotlib's font manager knows, if any."""
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in known), None)


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds characters (Han, kana, hangul, full-width) a Latin font lacks."""
    return bool(_CJK_TEXT.search(text))


def safe_text(text: str) -> str:
    """``text`` as it can be drawn: unchanged with a CJK font, else without its CJK runs.

    Without a CJK font, ``"Wuhou 武侯 (成都)"`` becomes ``"Wuhou"``: the runs are dropped
    with brackets left empty by them, and spaces are tidied; a text of Chinese only
    becomes ``"?"``. The first such drop in a process warns (:func:`warn_no_cjk_font`).
    """
    if not has_cjk(text) or cjk_family() is not None:
        return text
    warn_no_cjk_font()
    stripped = _CJK_TEXT.sub("", text)
    stripped = re.sub(r"\(\s*\)|\[\s*\]", "", stripped)
    return re.sub(r"\s{2,}", " ", stripped).strip(" ·,;:—-") or "?"


@functools.cache
def warn_no_cjk_font() -> None:
    """Warn, once per process, that Chinese text is dropped for want of a CJK font."""
    warnings.warn(
        f"no CJK font found: Chinese text is left out of figures. To draw it: {INSTALL_HINT}",
        UserWarning,
        stacklevel=3,
    )
