"""Chinese in figures: the packaged Noto Sans CJK draws it on a machine without a system CJK
font, and without any CJK font the Chinese is dropped with one warning saying how to fix it."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

import pandas as pd
import pytest
from matplotlib import font_manager

from govsim.analysis.comparison import OUTCOMES
from govsim.plots import fonts, style
from govsim.plots.comparison import means_figure

WHISTLE = "吹哨报到"


def _table() -> pd.DataFrame:
    """A comparison table of the status quo and a policy named in Chinese."""
    rows = [
        {"policy": p, "outcome": o, "mean": 1.0, "low": 0.5, "high": 1.5, "reps": 2}
        for p in ("status_quo", WHISTLE)
        for o in OUTCOMES
    ]
    return pd.DataFrame(rows).assign(diff=float("nan"), diff_low=float("nan"))


def _render_warnings() -> tuple[list[str], list[str], list[str]]:
    """Draw the comparison with the Chinese policy name on its axis; return the
    missing-glyph warnings and the no-CJK-font warnings it raised, and the policy labels."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = means_figure(_table(), scenario="demo")
        fig.savefig(io.BytesIO(), format="png")
    messages = [str(w.message) for w in caught]
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    missing = [m for m in messages if "missing from font" in m]
    return missing, [m for m in messages if "no CJK font" in m], ticks


@pytest.fixture
def only_the_packaged_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine whose matplotlib knows no CJK font and whose system has none."""
    manager = font_manager.fontManager
    latin = [entry for entry in manager.ttflist if not fonts._CJK_FILE.search(entry.fname.lower())]
    monkeypatch.setattr(manager, "ttflist", latin)
    monkeypatch.setattr(fonts, "_system_fonts", list)
    manager._findfont_cached.cache_clear()
    fonts.cjk_family.cache_clear()
    yield
    monkeypatch.undo()
    manager._findfont_cached.cache_clear()
    fonts.cjk_family.cache_clear()
    style.apply_style()


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine without any CJK font, before any figure warned about it."""
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    fonts.warn_no_cjk_font.cache_clear()
    yield
    monkeypatch.undo()
    fonts.warn_no_cjk_font.cache_clear()
    style.apply_style()


def test_the_packaged_font_draws_chinese_names(only_the_packaged_font: None) -> None:
    (packaged,) = fonts._packaged_fonts()  # govsim[viz] and govsim[cjk] install it
    assert fonts.cjk_family() == "Noto Sans CJK SC"
    used = font_manager.findfont(font_manager.FontProperties(family="Noto Sans CJK SC"))
    assert used == str(packaged)
    missing, told, ticks = _render_warnings()
    assert ticks == ["status_quo", WHISTLE]
    assert missing == [] and told == []


def test_without_the_packaged_font_nothing_is_found(only_the_packaged_font: None, monkeypatch):
    """The fixture's machine really lacks CJK fonts: the package is what finds one."""
    monkeypatch.setattr(fonts, "_packaged_fonts", list)
    assert fonts.cjk_family() is None


def test_without_a_cjk_font_chinese_is_dropped_with_one_warning(no_cjk_font: None) -> None:
    missing, told, ticks = _render_warnings()
    assert ticks == ["status_quo", "?"]
    assert missing == []
    assert len(told) == 1 and "pip install 'govsim[cjk]'" in told[0]
    missing, told, _ = _render_warnings()  # a second figure: no second warning
    assert missing == [] and told == []


def test_latin_text_never_warns(no_cjk_font: None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fonts.safe_text("status_quo · seed 1") == "status_quo · seed 1"
