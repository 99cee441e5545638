"""The house style: every figure alike, Chinese place names drawn without missing glyphs,
titles naming the scenario, policy, replications and CI level."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

import pytest

from govsim.engine.model import simulate
from govsim.plots import fonts, style
from govsim.plots.figures import run_figure
from govsim.world.scenario import load_scenario
from tests.support import DEMO

CHINESE_TITLE = "成都市武侯区 — 玉林街道 · policy 吹哨报到"


def _draw(title: str) -> list[str]:
    """Render a house-style figure titled ``title``; return the warnings it raised."""
    fig, ax = style.new_figure()
    ax.plot([0, 1], [0, -1])
    ax.set_xlabel(style.safe_text("玉林街道 (Yulin street)"))
    style.set_title(fig, title)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught]


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Pretend no CJK font is installed."""
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    yield
    style.apply_style()


def test_chinese_title_renders_without_missing_glyphs() -> None:
    assert not [m for m in _draw(CHINESE_TITLE) if "missing from font" in m]


@pytest.mark.filterwarnings("ignore:no CJK font found")
def test_chinese_title_falls_back_cleanly_without_a_cjk_font(no_cjk_font: None) -> None:
    assert style.safe_text("Wuhou 武侯 (成都) · seed 1") == "Wuhou · seed 1"
    assert style.safe_text("plain text") == "plain text"
    assert not [m for m in _draw(CHINESE_TITLE) if "missing from font" in m]


def test_a_cjk_font_is_used_when_installed() -> None:
    family = fonts.cjk_family()
    if family is None:
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")
    assert style.rc_params()["font.family"] == [style.LATIN_FAMILY, family]
    assert style.safe_text(CHINESE_TITLE) == CHINESE_TITLE


def test_titles_name_the_run() -> None:
    title = style.figure_title(
        "Backlog", scenario="demo", policy=["a", "b"], reps=5, level=0.9, detail="180 days"
    )
    assert title == "Backlog — scenario demo · policies a, b · 5 replications · 90% CIs · 180 days"
    assert style.figure_title("Map", policy="status_quo") == "Map — policy status_quo"
    assert style.figure_title("Map") == "Map"
    assert style.figure_title("Map", scenario="demo", sep="\n") == "Map\nscenario demo"


def test_run_figure_is_titled_with_scenario_policy_and_seed() -> None:
    ledger = simulate(load_scenario(DEMO), seed=3, days=20)
    fig = run_figure(ledger, policy="fast_handoffs")
    assert fig.get_suptitle() == (
        "One run — scenario demo · policy fast_handoffs · seed 3, 20 days, the first 10 warm-up"
    )
    assert fig.axes[0].get_lines()[0].get_color() == style.PALETTE[0]
