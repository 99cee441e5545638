"""The register of the source texts' figures (scenarios/register.yaml) and the report it
drives (docs/validation.md): roles valid, metrics measurable on each preset, holdouts
present, structure never counted as evidence, the report in step with the register."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from govsim.analysis.targets import REGISTER_FILE, ROLES, Achieved, load_targets
from govsim.analysis.validation import (
    LISTS,
    PRESETS,
    SECTIONS,
    preset_scenario,
    presets_figure,
    summary_line,
    tally,
)
from govsim.errors import ScenarioError
from govsim.record.measures import METRICS
from tests.support import a_target

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "validation.md"
#: Metrics whose argument names an incident type (first, before any ``:TIER``) or a tier.
BY_KIND = {
    "reported_per_month",
    "resolved_share",
    "hours_from_report",
    "resolved_at_share",
    "occurrences",
    "satisfied_share",
    "settled_by_volunteers",
    "hours_to_start",
}
BY_TIER = {"reaching_per_month", "share_reaching", "resolved_below_per_month"}


def _seeds() -> Path | None:
    """The source texts (../shared/seeds of the main checkout), if on this machine."""
    for base in (ROOT.parent, ROOT.parents[1]):
        if (base / "shared" / "seeds").is_dir():
            return base / "shared" / "seeds"
    return None


def test_the_register_covers_the_five_presets_with_valid_roles() -> None:
    register = load_targets()
    assert set(register) == set(PRESETS)
    for spec in register.values():
        roles = [t.role for t in spec.targets] + [f.role for f in spec.others]
        assert set(roles) <= set(ROLES)
        assert all(f.committed.isoformat() == "2026-11-30" for f in [*spec.targets, *spec.others])


@pytest.mark.parametrize("preset", PRESETS)
def test_every_target_metric_is_measurable_on_its_preset(preset: str) -> None:
    """Each target names a known metric, and its argument a type and tier of the preset
    (a metric that would fail only hours into `govsim validate` fails here)."""
    spec = load_targets()[preset]
    scenario = preset_scenario(preset, spec.policy)
    kinds, tiers = set(scenario.incidents), set(scenario.map.tiers)
    for target in spec.targets:
        name, _, argument = target.metric.partition(":")
        assert name in METRICS, target.id
        if name in BY_KIND:
            kind, _, tier = argument.partition(":")
            assert kind in kinds, (target.id, kind)
            assert not tier or tier in tiers, (target.id, tier)
        elif name in BY_TIER:
            assert argument in tiers, (target.id, argument)


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_has_two_holdouts_or_says_why_not(preset: str) -> None:
    """At least two holdout figures the model computes; a preset whose text leaves fewer
    says why in the register (and the claim is checked: a shortfall with two holdouts is
    stale)."""
    spec = load_targets()[preset]
    holdouts = [t for t in spec.targets if t.role == "holdout"]
    if spec.holdout_shortfall:
        assert len(holdouts) < 2
    else:
        assert len(holdouts) >= 2


@pytest.mark.parametrize("preset", PRESETS)
def test_unidentified_parameters_are_fitted_ones(preset: str) -> None:
    """A parameter the register calls unidentified is one the preset fits (a path no
    longer in `uncertain` would leave a stale label)."""
    spec = load_targets()[preset]
    assert set(spec.unidentified) <= set(preset_scenario(preset, spec.policy).uncertain)


def test_an_unidentified_parameter_marks_the_preset_under_determined() -> None:
    met = Achieved(a_target("f", "occurrences:x", 1.0, 0.5), np.array([1.0, 1.0]))
    assert summary_line([met], 1) == "fit 1 of 1, holdout 0 of 0, degrees of freedom 0"
    assert summary_line([met], 1, n_unidentified=1) == (
        "fit 1 of 1, holdout 0 of 0, degrees of freedom 0 (under-determined)"
    )


def test_structure_is_never_counted_as_evidence() -> None:
    fit_met = Achieved(a_target("f", "occurrences:x", 1.0, 0.5), np.array([1.0, 1.0]))
    holdout_missed = Achieved(
        a_target("h", "occurrences:x", 1.0, 0.5, role="holdout"), np.array([3.0, 3.0])
    )
    for value in (1.0, 9.0):  # a structure check met, then missed: nothing changes
        structure = Achieved(
            a_target("s", "occurrences:x", 1.0, 0.5, role="structure"), np.array([value] * 2)
        )
        achieved = [fit_met, holdout_missed, structure]
        assert tally(achieved, "fit") == (1, 1) and tally(achieved, "holdout") == (0, 1)
        assert summary_line(achieved, 2) == (
            "fit 1 of 1, holdout 0 of 1, degrees of freedom -1 (under-determined)"
        )
        fig = presets_figure({"p": ("q", achieved)}, reps=2)
        assert fig.axes[0].get_title(loc="left") == "p (policy q): fit 1 of 1, holdout 0 of 1"
        assert structure.loss == 0.0 and holdout_missed.loss == 0.0


def test_bad_entries_are_refused_naming_file_and_field(tmp_path: Path) -> None:
    raw = yaml.safe_load(REGISTER_FILE.read_text("utf-8"))
    path = tmp_path / "register.yaml"

    def refused(change: dict, match: str) -> None:
        bad = {"wuhou": {**raw["wuhou"], "figures": [{**raw["wuhou"]["figures"][0], **change}]}}
        path.write_text(yaml.safe_dump(bad, allow_unicode=True), "utf-8")
        with pytest.raises(ScenarioError, match=match):
            load_targets(path)

    refused({"role": "evidence"}, rf"{re.escape(str(path))}: wuhou\.figures\.0: role must be")
    refused({"notes": ["changed my mind"]}, r"wuhou\.figures\.0\.input\.notes\.0")
    refused({"sets": None}, r"wuhou\.figures\.0\.input\.sets")
    dup = {"wuhou": {**raw["wuhou"], "figures": raw["wuhou"]["figures"][:1] * 2}}
    path.write_text(yaml.safe_dump(dup, allow_unicode=True), "utf-8")
    with pytest.raises(ScenarioError, match=r"wuhou\.figures\.1\.id: 'certificates' twice"):
        load_targets(path)


def test_every_quote_is_in_its_source_text() -> None:
    seeds = _seeds()
    if seeds is None:
        pytest.skip("the source texts (../shared/seeds) are not on this machine")
    raw = yaml.safe_load(REGISTER_FILE.read_text("utf-8"))
    for preset, spec in raw.items():
        text = (seeds / Path(spec["source"]).name).read_text("utf-8")
        for figure in spec["figures"]:
            for part in figure["quote"].split("……"):  # an ellipsis skips words
                assert part in text, (preset, figure["id"], part)


def _sections(report: str, preset: str) -> dict[str, str]:
    """The report's text for ``preset``, split by its ### headings."""
    body = report.split(f"\n## {preset} ")[1].split("\n## ")[0]
    parts = body.split("\n### ")[1:]
    return {part.split("\n", 1)[0]: part for part in parts}


@pytest.mark.parametrize("preset", PRESETS)
def test_the_report_is_in_step_with_the_register(preset: str) -> None:
    """docs/validation.md lists every figure of the register under its role's section and
    no other (a report older than the register fails: run `make validate`)."""
    report = REPORT.read_text("utf-8")
    spec = load_targets()[preset]
    sections = _sections(report, preset)
    assert set(sections) == {*SECTIONS.values(), *LISTS.values()}
    for role, title in SECTIONS.items():
        rows = re.findall(r"^\| (\w+) \|", sections[title], flags=re.M)[1:]  # after the header
        assert rows == [t.id for t in spec.targets if t.role == role], title
    for role, title in LISTS.items():
        listed = re.findall(r"^- `(\w+)`", sections[title], flags=re.M)
        assert listed == [f.id for f in spec.others if f.role == role], title
    fit, holdout = (len([t for t in spec.targets if t.role == r]) for r in ("fit", "holdout"))
    line = re.search(rf"^\| {preset} \| (.*) \|$", report, flags=re.M)
    assert line is not None
    assert re.fullmatch(
        rf"fit \d+ of {fit}, holdout \d+ of {holdout}, degrees of freedom -?\d+.*", line[1]
    )
    if spec.unidentified:
        assert line[1].endswith("(under-determined)")
        body = report.split(f"\n## {preset} ")[1].split("\n### ")[0]
        assert all(f"`{path}`" in body for path in spec.unidentified)
