"""Scenario files: loading, overrides, parameter listing, and every kind of bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from govsim.engine.model import GovernanceModel
from govsim.errors import ScenarioError
from govsim.world.scenario import iter_parameters, load_scenario, parse_assignments

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo.yaml"


def write(tmp_path: Path, data: object, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def demo_raw() -> dict:
    return yaml.safe_load(DEMO.read_text())


def refused(path: Path, overrides: dict | None = None) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return str(info.value)


NOT_SCENARIOS = ("register.yaml",)
SCENARIO_FILES = sorted(  # mappings/: platform logs' column mappings (govsim.logs)
    p
    for p in (ROOT / "scenarios").rglob("*.yaml")
    if p.name not in NOT_SCENARIOS and "mappings" not in p.parts
)


@pytest.mark.parametrize("path", SCENARIO_FILES)
def test_every_shipped_scenario_is_valid(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.incidents


def test_demo_holds_what_the_file_says() -> None:
    scenario = load_scenario(DEMO)
    assert scenario.tiers == ("city", "street", "community", "grid")
    assert scenario.map.per_parent == {"street": 1, "community": 4, "grid": 6}
    assert scenario.incidents["neighbour_dispute"].severity == {1: 0.6, 2: 0.3, 3: 0.1}
    assert scenario.departments["utilities"].staff == 3


def test_override_by_dotted_path() -> None:
    scenario = load_scenario(
        DEMO,
        parse_assignments(
            [
                "staffing.grid_workers_per_grid=5",
                "incidents.neighbour_dispute.severity.3=0.1",
                "incidents.home_repair.handling.default.mean_h=2.5",
                "routing.discipline=deadline",
                "incidents.home_repair.worsen_h=100",
            ]
        ),
    )
    assert scenario.staffing.grid_workers_per_grid == 5
    assert scenario.incidents["home_repair"].handling["default"].mean_h == 2.5
    assert scenario.routing.discipline == "deadline"
    assert scenario.incidents["home_repair"].worsen_h == 100


def test_unknown_override_path_suggests_the_closest() -> None:
    message = refused(DEMO, {"staffing.grid_worker_per_grid": 4})
    assert "demo.yaml" in message
    assert "staffing.grid_worker_per_grid: unknown parameter path" in message
    assert "staffing.grid_workers_per_grid" in message


def test_override_cannot_invent_an_incident_type() -> None:
    message = refused(DEMO, {"incidents.neighbor_dispute.rate": 0.4})
    assert "unknown parameter path" in message
    assert "incidents.neighbour_dispute.rate" in message


def test_malformed_assignment() -> None:
    with pytest.raises(ScenarioError, match="expected PATH=VALUE"):
        parse_assignments(["staffing.grid_workers_per_grid"])


def test_params_lists_paths_types_and_ranges() -> None:
    rows = {
        path: (value, kind, allowed)
        for path, value, kind, allowed, _ in iter_parameters(load_scenario(DEMO))
    }
    assert rows["staffing.grid_workers_per_grid"] == (2, "int", ">= 1, <= 1000")
    assert rows["incidents.neighbour_dispute.rate"] == (0.5, "float", ">= 0, <= 1000")
    assert rows["incidents.neighbour_dispute.reporting.prob"][2] == ">= 0, <= 1"
    assert rows["routing.discipline"][2] == "fifo | deadline | severity | vulnerable"
    assert rows["map.per_parent.grid"][0] == 6
    assert rows["incidents.neighbour_dispute.severity.2"] == (0.3, "float", ">= 0, <= 1")


# --- bad input: each kind named in the engine issue ---------------------------------------


def test_unknown_key_names_path_and_allowed_keys(tmp_path: Path) -> None:
    raw = demo_raw()
    raw["staffing"]["grid_worker_count"] = 3
    message = refused(write(tmp_path, raw))
    assert "bad.yaml" in message
    assert "staffing.grid_worker_count: unknown key" in message
    assert "grid_workers_per_grid" in message


def test_wrong_type(tmp_path: Path) -> None:
    raw = demo_raw()
    raw["staffing"]["grid_workers_per_grid"] = "many"
    message = refused(write(tmp_path, raw))
    assert "staffing.grid_workers_per_grid" in message
    assert "integer" in message


def test_negative_rate(tmp_path: Path) -> None:
    raw = demo_raw()
    raw["incidents"]["shop_noise"]["rate"] = -0.1
    message = refused(write(tmp_path, raw))
    assert "incidents.shop_noise.rate" in message
    assert "greater than or equal to 0" in message


def test_probability_above_one(tmp_path: Path) -> None:
    raw = demo_raw()
    raw["incidents"]["shop_noise"]["reporting"]["prob"] = 1.5
    message = refused(write(tmp_path, raw))
    assert "incidents.shop_noise.reporting.prob" in message
    assert "less than or equal to 1" in message


def test_tier_that_does_not_exist(tmp_path: Path) -> None:
    raw = demo_raw()
    raw["incidents"]["neighbour_dispute"]["resolvable_at"] = {"grid": 0.5, "province": 0.5}
    message = refused(write(tmp_path, raw))
    assert "incidents.neighbour_dispute.resolvable_at.province: not a tier" in message


def test_department_that_does_not_exist(tmp_path: Path) -> None:
    raw = demo_raw()
    raw["incidents"]["shop_noise"]["departments"] = ["police"]
    message = refused(write(tmp_path, raw))
    assert "incidents.shop_noise.departments" in message
    assert "'police' does not exist" in message
    assert "market_regulation" in message


def test_department_at_unknown_tier(tmp_path: Path) -> None:
    raw = demo_raw()
    raw["departments"]["environment"]["tier"] = "province"
    assert "departments.environment.tier" in refused(write(tmp_path, raw))


def test_shares_must_sum_to_one(tmp_path: Path) -> None:
    raw = demo_raw()
    raw["incidents"]["home_repair"]["severity"] = {1: 0.5, 2: 0.2}
    assert "incidents.home_repair.severity: shares must sum to 1" in refused(write(tmp_path, raw))


def test_unreadable_file(tmp_path: Path) -> None:
    message = refused(tmp_path / "missing.yaml")
    assert "missing.yaml: cannot read the file" in message


def test_not_yaml(tmp_path: Path) -> None:
    message = refused(write(tmp_path, "map: [unclosed\n  tiers: {", "broken.yaml"))
    assert "broken.yaml: not valid YAML" in message


def test_not_a_mapping(tmp_path: Path) -> None:
    message = refused(write(tmp_path, "- just\n- a list\n", "list.yaml"))
    assert "expected a YAML mapping" in message


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "blob.yaml"
    path.write_bytes(b"\xff\xfe\x00\x01binary")
    assert "blob.yaml: not a text file" in refused(path)


def test_several_problems_listed_together(tmp_path: Path) -> None:
    raw = demo_raw()
    raw["incidents"]["shop_noise"]["rate"] = -1
    raw["staffing"]["grid_workers_per_grid"] = 0
    message = refused(write(tmp_path, raw))
    assert "2 problems" in message


def test_an_uneven_map_tree_is_checked_against_the_tier_above() -> None:
    with pytest.raises(
        ScenarioError, match=r"map\.per_parent\.grid: needs one count per region above \(4\), got 3"
    ):
        load_scenario(DEMO, {"map.per_parent.grid": [6, 6, 6]})
    scenario = load_scenario(DEMO, {"map.per_parent.grid": [6, 5, 6, 7]})
    assert GovernanceModel(scenario, seed=0, days=1).grid_map.n_cells == 24


def test_a_scenario_can_build_on_a_base_file(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "city.yaml").write_text(DEMO.read_text(encoding="utf-8"), "utf-8")
    (tmp_path / "town.yaml").write_text(
        "base: common/city.yaml\nname: town\nstaffing: {grid_workers_per_grid: 5}\n", "utf-8"
    )
    town = load_scenario(tmp_path / "town.yaml")
    demo = load_scenario(DEMO)
    assert town.name == "town" and town.staffing.grid_workers_per_grid == 5
    assert (
        town.incidents == demo.incidents
        and town.staffing.office_staff == demo.staffing.office_staff
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("base: nowhere.yaml\n", "base: no such file 'nowhere.yaml'"),
        ("base: loop.yaml\n", "base: 'loop.yaml' includes itself"),
        ("base: [1]\n", "base: expected a file name"),
    ],
)
def test_a_bad_base_is_refused(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "loop.yaml").write_text(text, "utf-8")
    with pytest.raises(ScenarioError, match=message):
        load_scenario(tmp_path / "loop.yaml")


def test_a_name_outside_its_registry_is_refused_with_the_names_allowed() -> None:
    assert (
        "routing.policy: unknown routing rule; allowed: tiered, platform, triage, whistle, "
        "claim (got 'bogus')" in refused(DEMO, {"routing.policy": "bogus"})
    )
    assert (
        "incentives.points.scheme: unknown evaluation scheme; allowed: monthly_points "
        "(got 'stars')" in refused(DEMO, {"incentives.points.scheme": "stars"})
    )


@pytest.mark.parametrize(
    ("assumed", "message"),
    [
        (
            {"routing.verify_h": [5.0, 6.0]},
            r"assumed\.routing\.verify_h: the value 4\.97 is outside",
        ),
        ({"routing.verify_hours": [0.25, 6.0]}, r"did you mean routing\.verify_h"),
        ({"routing.verify_h": [6.0, 0.25]}, "the range needs low < high"),
        (
            {"incidents.neighbour_dispute.handling.default.mean_h": [1.0, 12.0]},
            "also under uncertain: a parameter is fitted or assumed",
        ),
    ],
)
def test_a_bad_assumed_range_is_refused(assumed: dict, message: str) -> None:
    """An assumption's range names a number of the scenario, holds its value, and the
    parameter is not fitted as well."""
    assert re.search(message, refused(ROOT / "scenarios" / "kongtong.yaml", {"assumed": assumed}))
