"""docs/odd.md, the model in the ODD protocol: its generated parameter tables cover the
whole schema and are current, and its hand-written part names every pluggable submodel
and every random stream."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic.fields import FieldInfo

from govsim.engine.streams import STREAMS
from govsim.policies.files import LEVER_SECTIONS, POLICY_KEYS
from govsim.reference import (
    END_PART,
    field_cells,
    odd_parameters,
    provenance,
    schema_fields,
    splice,
    stale,
    with_parts,
    write,
)
from govsim.registry import DISCIPLINES, DISPATCH, EVALUATION, ROUTING
from govsim.world.property import PropertySpec

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "odd.md"
START = "<!-- generated: parameters -->"


def page() -> str:
    return ODD.read_text(encoding="utf-8")


def prose() -> str:
    """The hand-written part of the page: everything but the generated tables."""
    text = page()
    return text[: text.index(START)] + text[text.index(END_PART) :]


def scenario_paths() -> list[str]:
    """Every scenario field's dotted path, as the tables write it (in backticks)."""
    return [
        field_cells(prefixes[0], name, field)["path"]
        for _, prefixes, name, field in schema_fields()
    ]


def test_every_scenario_parameter_appears_in_the_tables() -> None:
    tables = page()[page().index(START) : page().index(END_PART)]
    paths = scenario_paths()
    assert len(paths) > 200  # the walk found the schema, sections included
    missing = [path for path in paths if f"| {path} |" not in tables]
    assert not missing, f"docs/odd.md lacks {missing}: run `make docs`"


def test_every_policy_key_and_lever_section_appears() -> None:
    tables = page()[page().index(START) : page().index(END_PART)]
    for key in [*POLICY_KEYS, *LEVER_SECTIONS]:
        assert f"| `{key}` |" in tables.split("#### Policy files", 1)[1], key


def test_levers_are_marked_and_only_levers() -> None:
    rows = [r for r in page().splitlines() if r.startswith("| `")]
    marked = {r.split("`")[1] for r in rows if r.rstrip().endswith("| yes |")}
    assert "routing.policy" in marked and "property.trust_based_share" in marked
    assert not {p for p in marked if p.split(".")[0] not in LEVER_SECTIONS}
    assert "behaviour.trust.learning_rate" not in marked  # residents' trust is no lever


def test_the_generated_part_is_current() -> None:
    assert "odd.md" not in stale(), "docs/odd.md's parameter tables are stale: run `make docs`"
    assert page() == with_parts("odd.md")
    assert odd_parameters() in page()


def test_a_hand_edit_inside_the_tables_is_stale_and_rewritten(tmp_path: Path) -> None:
    edited = page().replace("| **assumed** |", "| source |", 1)
    assert edited != page()
    (tmp_path / "odd.md").write_text(edited, encoding="utf-8")
    assert "odd.md" in stale(tmp_path)
    write(tmp_path)
    assert (tmp_path / "odd.md").read_text(encoding="utf-8") == page()


def test_the_prose_outside_the_markers_is_kept() -> None:
    text = "# title\n\nprose before\n\n" + START + "\nold tables\n" + END_PART + "\n\nafter\n"
    out = splice(text, "parameters", "NEW")
    assert out.startswith("# title\n\nprose before\n\n" + START)
    assert "NEW" in out and "old tables" not in out and out.endswith(END_PART + "\n\nafter\n")
    with pytest.raises(ValueError, match="markers"):
        splice("no markers here", "parameters", "NEW")


@pytest.mark.parametrize(
    ("description", "status"),
    [
        ("mean delay (h); assumption", "**assumed**"),
        ("weight of residents' ratings (Zhenyuan 4:3:3, seed 000)", "source"),
        (
            "share lapsing; Yuyao (seed 003): '...'; assumption: no text gives a number",
            "source + **assumed**",
        ),
        ("grid workers in each cell", "input"),
    ],
)
def test_status_is_read_off_the_description(description: str, status: str) -> None:
    assert provenance(FieldInfo(annotation=float, default=0.0, description=description)) == status


def test_a_field_holding_sections_is_a_section() -> None:
    field = FieldInfo(annotation=PropertySpec, description="property management")
    assert provenance(field) == "section"
    field = FieldInfo(annotation=dict[str, PropertySpec], description="by name")
    assert provenance(field) == "section"


def test_every_assumed_default_is_flagged_in_its_row() -> None:
    rows = {r.split("`")[1]: r for r in page().splitlines() if r.startswith("| `")}
    for _, prefixes, name, field in schema_fields():
        path = field_cells(prefixes[0], name, field)["path"].strip("`")
        if "assumption" in (field.description or ""):
            assert "**assumed**" in rows[path], path


@pytest.mark.parametrize(
    "registry", [ROUTING, DISPATCH, DISCIPLINES, EVALUATION], ids=lambda r: r.kind
)
def test_every_registered_submodel_is_described(registry) -> None:
    text = prose()
    missing = [e.name for e in registry.entries(plugins=False) if f"`{e.name}`" not in text]
    assert not missing, f"docs/odd.md's submodels do not mention the {registry.kind}s {missing}"


def test_every_random_stream_is_listed() -> None:
    table = re.findall(r"^\| `(\w+)` \|", prose(), re.M)
    assert table == list(STREAMS)


def test_the_odd_sections_are_all_there() -> None:
    headings = re.findall(r"^#{2,4} (.+)$", prose(), re.M)
    for section in (
        "1. Purpose and patterns",
        "2. Entities, state variables and scales",
        "3. Process overview and scheduling",
        "Design concepts",
        "Initialization",
        "Input data",
        "Submodels",
    ):
        assert section in headings, section
    design = prose().split("## Design concepts", 1)[1].split("## Details", 1)[0]
    assert re.findall(r"^\*\*([^*]+)\.\*\*", design, re.M) == [
        "Basic principles",
        "Emergence",
        "Adaptation",
        "Objectives",
        "Learning",
        "Prediction",
        "Sensing",
        "Interaction",
        "Stochasticity",
        "Collectives",
        "Observation",
    ]
