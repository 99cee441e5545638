"""The gallery: every figure in it reads on a 1280×720 slide (size, aspect ratio, smallest
text), and docs/gallery.md shows each of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from govsim.plots import style
from govsim.plots.gallery import ASPECTS, ENTRIES, MIN_TEXT_PX, Material, legibility

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def material() -> Material:
    """The gallery's runs, made once for every figure."""
    return Material()


#: Every figure; those whose runs take more than a few seconds (studies, a preset's
#: validation: about a minute of CPU together) run with the slow tests.
CASES = [
    pytest.param(entry, id=entry.name, marks=[pytest.mark.slow] if entry.slow else [])
    for entry in ENTRIES
]


@pytest.mark.parametrize("entry", CASES)
def test_every_gallery_figure_reads_on_a_slide(entry, material: Material) -> None:
    shape = legibility(entry.draw(material))
    assert shape["width"] <= 1.2 * 1280 and shape["height"] <= 1.2 * 720, shape
    assert ASPECTS[0] <= shape["aspect"] <= ASPECTS[1], shape
    assert shape["min_text_px"] >= MIN_TEXT_PX, shape
    assert shape["clipped"] == 0, shape


def test_the_check_refuses_the_old_strip_of_nine_panels() -> None:
    """The comparison as it was (2,808×456 px, 8-point ticks) fails on both counts."""
    fig = Figure(figsize=(2.6 * 9, 3.8))
    for k in range(9):
        ax = fig.add_subplot(1, 9, k + 1)
        ax.tick_params(labelsize=8)
    shape = legibility(fig)
    assert shape["width"] == pytest.approx(2808) and shape["aspect"] > ASPECTS[1]
    assert shape["min_text_px"] < MIN_TEXT_PX


def test_the_check_counts_text_cut_off_at_the_edge_and_not_hidden_ticks() -> None:
    """A title wider than its figure is cut off in the saved image; tick labels beyond the
    axis' limits are not drawn, so they are neither measured nor counted."""
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.set_xticks([-100, 0.5, 100], ["far left", "centre", "far right"])
    ax.set_xlim(0, 1)
    assert legibility(fig)["clipped"] == 0
    ax.set_title("a title far too long for a figure four inches wide, cut at both ends")
    assert legibility(fig)["clipped"] == 1
    ax.tick_params(labelsize=6)  # only the drawn label is measured
    assert legibility(fig)["min_text_px"] == pytest.approx(6 * 120 / 72)


def test_the_gallery_page_shows_every_figure() -> None:
    page = (ROOT / "docs" / "gallery.md").read_text(encoding="utf-8")
    shown = re.findall(r"\]\(gallery/([\w.]+)\)", page)
    assert shown == [f"{entry.name}.png" for entry in ENTRIES]
    for name in shown:
        assert (ROOT / "docs" / "gallery" / name).stat().st_size > 10_000
    assert float(style.rc_params()["savefig.dpi"]) == 120  # the sizes the page states
