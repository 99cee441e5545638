"""The gallery: every figure in it reads on a 1280×720 slide (size, aspect ratio, smallest
text), and docs/gallery.md shows each of them."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from govsim.analysis.sensitivity import Study, analyse_all, evaluate_function, parse_spec
from govsim.analysis.targets import Achieved, load_targets
from govsim.analysis.validation import target_figure
from govsim.plots import sensitivity, style
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


@pytest.mark.parametrize("count", [1, 2, 7, 12])
def test_a_presets_figure_reads_on_a_slide_whatever_its_targets(count: int) -> None:
    """`govsim validate`'s figure of one to twelve targets (the presets have two to
    seven): it was 8 in wide and 0.6 in a target + 1.8 high, so aspect 3.3 for one target,
    taller than the slide past seven."""
    targets = [t for spec in load_targets().values() for t in spec.targets]
    achieved = [
        Achieved(t, np.array([t.value, t.value + t.tolerance])) for t in targets[:count]
    ]
    shape = legibility(target_figure("p", "q", achieved, reps=2))
    assert shape["height"] <= 720 and ASPECTS[0] <= shape["aspect"] <= ASPECTS[1], shape
    assert shape["min_text_px"] >= MIN_TEXT_PX and shape["clipped"] == 0, shape


def _model(values: dict[str, float], seed: int) -> dict[str, float]:
    """Three outputs of four parameters with long names, as a study's tick labels get."""
    a, b, c, d = values.values()
    return {"resolution_p90_h": 2 * a + b * c, "escalation_rate": a - d, "satisfaction": c}


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_sensitivity_figures_read_on_a_slide(method: str) -> None:
    """A study's figures without the runs (a function as the model): they were 456 to
    480 px high and up to 1,512 wide, with 7-point legends over the data."""
    names = ["staffing.grid_workers_per_grid", "routing.handoff_h.street",
             "incidents.neighbour_dispute.rate", "incidents.home_repair.rate"]
    study = Study(parse_spec({
        "name": "slide", "method": method, "samples": 16, "bootstrap": 20,
        "outputs": ["resolution_p90_h", "escalation_rate", "satisfaction"],
        "parameters": {name: [0, 1] for name in names},
    }))
    analysis = analyse_all(study, evaluate_function(study, _model))
    figures = [
        sensitivity.heatmap(study, analysis.indices),
        sensitivity.convergence_figure(study, analysis.convergence),
        sensitivity.morris_plane(study, analysis.indices)
        if method == "morris" else sensitivity.index_bars(study, analysis.indices),
    ]
    for figure in figures:
        shape = legibility(figure)
        assert (shape["width"], shape["height"]) == pytest.approx((1280, 720)), shape
        assert shape["min_text_px"] >= MIN_TEXT_PX and shape["clipped"] == 0, shape
        assert not any(ax.get_legend() for ax in figure.axes)  # below the panels
        assert figure.legends or figure is figures[0]


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
