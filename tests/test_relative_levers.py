"""Relative staffing levers (govsim.world.levers): ``{add: N}``, ``{times: K}`` and their
command-line text, applied to the scenario's own headcount; never below the minimum."""

from __future__ import annotations

from pathlib import Path

import pytest

from govsim import shipped
from govsim.errors import ScenarioError
from govsim.policies.files import load_policy
from govsim.world.levers import ALLOWED_FORMS, Relative, parse_relative
from govsim.world.scenario import (
    dotted_leaves,
    headcount_minimum,
    load_scenario,
    parse_assignments,
)

PRESETS = ("demo", "zhenyuan", "helong", "wuhou", "yuyao", "kongtong")


def headcounts(name: str, policy: dict | None = None) -> dict[str, int]:
    dumped = load_scenario(name, policy=policy).model_dump()
    levers = {"staffing": dumped["staffing"], "departments": dumped["departments"]}
    return {p: v for p, v in dotted_leaves(levers) if headcount_minimum(p) is not None}


@pytest.mark.parametrize(
    ("written", "change"),
    [
        ("+2", Relative(add=2)),
        ("-1", Relative(add=-1)),
        ("x1.5", Relative(times=1.5)),
        ("*2", Relative(times=2.0)),
        ("×0.5", Relative(times=0.5)),
        ({"add": 3}, Relative(add=3)),
        ({"times": 1.5}, Relative(times=1.5)),
        (4, None),
    ],
)
def test_forms_parse(written, change) -> None:
    assert parse_relative(written, "staffing.grid_workers_per_grid") == change


def test_times_rounds_halves_up() -> None:
    assert [Relative(times=1.5).apply(n) for n in (1, 2, 3, 20)] == [2, 3, 5, 30]
    assert Relative(times=0.5).apply(5) == 3


@pytest.mark.parametrize(
    "bad", ["+1.5", "x0", "x-2", {"add": 1.5}, {"plus": 1}, {"add": 1, "times": 2}]
)
def test_bad_forms_name_the_path_and_the_allowed_forms(bad) -> None:
    with pytest.raises(ValueError) as caught:
        parse_relative(bad, "staffing.office_staff.community")
    assert "staffing.office_staff.community" in str(caught.value)
    assert ALLOWED_FORMS in str(caught.value)


def test_headcounts_are_the_whole_number_staffing_fields() -> None:
    assert headcount_minimum("staffing.grid_workers_per_grid") == 1
    assert headcount_minimum("staffing.office_staff.community") == 1
    assert headcount_minimum("staffing.part_time.per_grid") == 0
    assert headcount_minimum("departments.utilities.staff") == 1
    assert headcount_minimum("staffing.patrols_per_day") is None  # a rate, not a headcount
    assert headcount_minimum("incidents.dispute.rate") is None


@pytest.mark.parametrize("preset", PRESETS)
def test_more_grid_workers_adds_one_on_every_preset(preset: str) -> None:
    policy = load_policy("more_grid_workers").sections
    before, after = headcounts(preset), headcounts(preset, policy)
    path = "staffing.grid_workers_per_grid"
    assert after[path] == before[path] + 1
    assert all(after[p] >= before[p] for p in before), preset


@pytest.mark.parametrize("preset", PRESETS)
def test_relative_levers_of_shipped_policies_never_cut_staff(preset: str) -> None:
    """Each shipped policy's relative headcounts, alone, never lower a preset's staff."""
    for name in shipped.names("policies"):
        sections = load_policy(name).sections
        staffing = sections.get("staffing", {})
        relative = {
            k: v for k, v in staffing.items() if isinstance(v, dict) and set(v) <= {"add", "times"}
        }
        if relative:
            before, after = headcounts(preset), headcounts(preset, {"staffing": relative})
            assert all(after[p] >= before[p] for p in before), (name, preset)


def test_set_text_is_relative_to_the_scenario_and_its_policy() -> None:
    policy = load_policy("wuhou").sections  # community offices: 23
    overrides = parse_assignments(
        ["staffing.office_staff.community=-3", "staffing.grid_workers_per_grid=x2"]
    )
    scenario = load_scenario("wuhou", overrides, policy)
    assert scenario.staffing.office_staff["community"] == 20
    assert scenario.staffing.grid_workers_per_grid == 2
    # elsewhere a leading sign is a plain number, as before
    assert parse_assignments(["incidents.dispute.rate=+0.5"]) == {"incidents.dispute.rate": 0.5}


def test_below_the_minimum_is_an_error_never_clipped() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario("demo", {"staffing.office_staff.community": "-3"})
    text = str(caught.value)
    assert "staffing.office_staff.community: {add: -3} makes 0 of the scenario's 3" in text
    assert "minimum is 1" in text and ALLOWED_FORMS in text
    with pytest.raises(ScenarioError, match=r"departments\.utilities\.staff: \{times: 0\.1\}"):
        load_scenario("demo", policy={"departments": {"utilities": {"staff": {"times": 0.1}}}})


def test_a_policy_file_with_a_bad_form_names_the_file_and_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nstaffing:\n  grid_workers_per_grid: {plus: 1}\n")
    with pytest.raises(ScenarioError) as caught:
        load_policy(bad)
    assert str(bad) in str(caught.value)
    assert "staffing.grid_workers_per_grid: {'plus': 1} is not a headcount" in str(caught.value)
