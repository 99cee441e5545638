"""Generated tests: shipped scenarios, policies and specs, mutated, must load or be refused.

Every case either loads (and, for the cases that run, runs to finite outcomes within
its time budget) or is refused with one ``GovsimError`` naming the file, the field path
and what is allowed; any other exception, a NaN or infinity where an outcome has data,
or a run past its budget fails. ``make test`` runs the derandomized default profile;
``make fuzz`` (``HYPOTHESIS_PROFILE=fuzz``) many more, random cases. docs/reliability.md
gives the counts.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

from govsim.analysis.robustness import parse_robustness
from govsim.analysis.sensitivity import load_sensitivity, parse_spec
from govsim.cli import main
from govsim.engine.incidents import handling_quantile
from govsim.engine.model import GovernanceModel, simulate
from govsim.errors import GovsimError
from govsim.experiments.spec import load_experiment
from govsim.policies.files import load_policy
from govsim.record.metrics import summarize, window_incidents
from govsim.world.scenario import (
    deep_merge,
    load_scenario,
    read_with_base,
    read_yaml,
    validate_scenario,
)
from tests.mutations import (
    ROOT,
    Hang,
    assert_refusal,
    examples,
    mutated,
    numeric_paths,
    set_at,
    time_budget,
)

SCENARIOS = sorted(
    p
    for p in (ROOT / "scenarios").rglob("*.yaml")
    if "common" not in p.parts and p.name != "register.yaml"
)
POLICIES = sorted((ROOT / "policies").glob("*.yaml"))
EXPERIMENTS = sorted((ROOT / "experiments").glob("*.yaml"))
SENSITIVITY = sorted((ROOT / "experiments" / "sensitivity").glob("*.yaml"))
ROBUSTNESS = sorted((ROOT / "experiments" / "robustness").glob("*.yaml"))
SOURCE = "mutant.yaml"
#: A shrunken demo: two cells, four days, so that a case that runs takes a fraction of a
#: second.
SMALL = {
    "map": {"per_parent": {"street": 1, "community": 1, "grid": 2}},
    "run": {"days": 4, "warmup_days": 1, "drain_days": 2},
}
#: Fields whose size scales a run's work: a run case gives them small values only (the
#: caps on them are checked by validation, not by running them).
WORK_FIELDS = {
    "per_parent", "grid_workers_per_grid", "office_staff", "volunteers_per_cell",
    "per_grid", "extra", "staff", "households_per_cell", "shops_per_cell", "tourist_load",
    "rate", "patrols_per_day", "visits_per_week", "days", "warmup_days", "drain_days",
    "start_day",
}  # fmt: skip
#: What a run case sets a number to: zero, tiny, bounds and large values (NaN, infinity
#: and negatives are refused: the validation tests above cover them).
RUN_VALUES = (0, 1e-300, 1e-3, 0.05, 0.5, 0.9, 1, 2, 10, 24, 100, 1e6)
WORK_VALUES = (0, 1e-300, 0.5, 1, 2, 3)
#: ``--set`` values as a command line gives them (YAML scalar text).
SET_VALUES = (
    "0", "-1", "1e-300", "1.0e-300", "1.0e+300", "1e12", "1.0e+12", ".nan", ".inf", "-.inf",
    "abc", "[1, 2]", "null", "true", "{a: 1}", "1000000000000",
)  # fmt: skip
#: A run case's time budget (s): the shrunken demo runs in well under one on this machine.
RUN_BUDGET_S = 30.0
#: Outcomes that have no value without data (NaN, or None in JSON-ready data).
NO_DATA = {
    "resolution_time_h": "resolved",
    "resolution_time_from_report_h": "resolved",
    "escalation_rate": "reported",
    "reached": "reported",
    "on_time_rate": "reported",
}


@functools.cache
def _raw(path: Path) -> dict[str, Any]:
    """A file's data (cached: every mutation copies it first)."""
    return read_with_base(path)


def _refused_or_valid(action: Any, source: str) -> Any:
    """``action()``'s value, or None when it raised a user error naming ``source``; within
    the time budget either way."""
    try:
        with time_budget(RUN_BUDGET_S):
            result = action()
    except GovsimError as exc:
        assert_refusal(exc, source)
        event("refused")
        return None
    event("valid")
    return result


# --- scenarios, validation only ----------------------------------------------------------


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
@settings(max_examples=examples(60))
@given(data=st.data())
def test_mutated_scenario_is_valid_or_refused(path: Path, data: st.DataObject) -> None:
    raw = data.draw(mutated(_raw(path)))
    _refused_or_valid(lambda: validate_scenario(raw, SOURCE), SOURCE)


@settings(max_examples=examples(150))
@given(
    path=st.sampled_from(SCENARIOS),
    dotted=st.sampled_from(
        [
            "staffing.grid_workers_per_grid",
            "staffing.patrols_per_day",
            "residents.households_per_agent",
            "map.households_cv",
            "map.households_per_cell",
            "map.per_parent.grid",
            "followup.prob",
            "routing.verify_h",
            "incidents.home_repair.deadline_h.1",
            "incidents.home_repair.handling.default.cv",
            "incidents.home_repair.rate",
            "run.days",
            "behaviour.trust.learning_rate",
            "no.such.path",
        ]
    ),
    value=st.sampled_from(SET_VALUES),
)
def test_set_override_is_valid_or_refused(path: Path, dotted: str, value: str) -> None:
    """``--set PATH=VALUE`` as the command line gives it (YAML scalar text)."""
    _refused_or_valid(lambda: load_scenario(path, {dotted: value}), str(path))


def test_measured_crashes_are_refused_with_the_limit() -> None:
    """The inputs issue 14 measured crashing, hanging or giving NaN are refused up front,
    each naming the field and its limit."""
    demo = ROOT / "scenarios" / "demo.yaml"
    cases = {
        "staffing.patrols_per_day": ("1e9", "less than or equal to 48 "),
        "staffing.grid_workers_per_grid": ("1000000000000", "less than or equal to 1000 "),
        "residents.households_per_agent": ("1000000000", "less than or equal to 1000000 "),
        "map.households_cv": ("1e6", "less than or equal to 3 "),
        "routing.verify_h": (".inf", "finite"),
        "incidents.home_repair.deadline_h.1": ("1.0e-300", "greater than or equal to 0.001 "),
        "incidents.home_repair.handling.default.cv": (".inf", "finite"),
    }
    for dotted, (value, allowed) in cases.items():
        with pytest.raises(GovsimError) as caught:
            load_scenario(demo, {dotted: value})
        assert dotted in str(caught.value) and allowed in str(caught.value), caught.value


def test_work_caps_name_the_product_and_the_limit() -> None:
    demo = ROOT / "scenarios" / "demo.yaml"
    with pytest.raises(GovsimError, match=r"grid workers 2,400,000.*limit is 1,000,000"):
        load_scenario(demo, {"staffing.grid_workers_per_grid": 1000, "map.per_parent.grid": 600})
    with pytest.raises(GovsimError, match=r"patrols_per_day: .*visits.*limit is 20,000,000"):
        load_scenario(demo, {"staffing.patrols_per_day": 48, "map.per_parent.grid": 600})
    with pytest.raises(GovsimError, match=r"incidents: .*limit is 1,000,000"):
        load_scenario(demo, {"incidents.home_repair.rate": 500})
    with pytest.raises(GovsimError, match=r"50,000 map cells.*limit is 5,000"):
        load_scenario(demo, {"map.per_parent.community": 50, "map.per_parent.grid": 1000})
    specialists = {  # a desk per incident category in each of 3,600 cells
        "map.per_parent.community": 600,
        "map.households_per_cell": 10,
        "staffing.specialised": ["grid"],
        "staffing.grid_workers_per_grid": 6,
    }
    with pytest.raises(GovsimError, match=r"22,\d{3} office desks for 3,600 cells"):
        load_scenario(demo, specialists)
    load_scenario(demo, {**specialists, "map.per_parent.community": 300})  # 1,800 cells: fine
    with pytest.raises(GovsimError, match=r"fail_prob: .*limit is 0.9"):
        load_scenario(demo, {"incidents.home_repair.fail_prob": 0.8, "incentives.bonus": 1})


# --- policies -------------------------------------------------------------------------


@functools.cache
def _policy_raw(path: Path) -> dict[str, Any]:
    return read_yaml(path)


@settings(max_examples=examples(100))
@given(data=st.data())
def test_mutated_policy_is_valid_or_refused(tmp_path_factory: Any, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(POLICIES))
    raw = data.draw(mutated(_policy_raw(path)))
    file = tmp_path_factory.mktemp("policy") / "mutant.yaml"
    file.write_text(yaml.safe_dump(raw), encoding="utf-8")

    def load() -> Any:
        policy = load_policy(file)
        return load_scenario(ROOT / "scenarios" / "demo.yaml", None, policy.sections, str(file))

    _refused_or_valid(load, str(file))


# --- experiment and sensitivity specs -----------------------------------------------------


@functools.cache
def _spec_raw(path: Path) -> dict[str, Any]:
    """A spec's data with its file names made absolute, so that a mutant can live anywhere
    (cached: every mutation copies it first)."""
    raw = read_yaml(path)
    if "scenarios" in raw:
        raw["scenarios"] = [str((path.parent / s).resolve()) for s in raw["scenarios"]]
    if "scenario" in raw:
        raw["scenario"] = str((path.parent / raw["scenario"]).resolve())
    return raw


@settings(max_examples=examples(60))
@given(data=st.data())
def test_mutated_experiment_spec_is_valid_or_refused(
    tmp_path_factory: Any, data: st.DataObject
) -> None:
    raw = data.draw(mutated(_spec_raw(data.draw(st.sampled_from(EXPERIMENTS)))))
    file = tmp_path_factory.mktemp("experiment") / "mutant.yaml"
    file.write_text(yaml.safe_dump(raw), encoding="utf-8")
    _refused_or_valid(lambda: load_experiment(file), str(file))


@settings(max_examples=examples(200))
@given(data=st.data())
def test_mutated_sensitivity_spec_is_valid_or_refused(data: st.DataObject) -> None:
    raw = data.draw(mutated(_spec_raw(data.draw(st.sampled_from(SENSITIVITY)))))
    _refused_or_valid(lambda: parse_spec(raw, SOURCE), SOURCE)


@settings(max_examples=examples(6))
@given(data=st.data())
def test_mutated_sensitivity_file_is_valid_or_refused(
    tmp_path_factory: Any, data: st.DataObject
) -> None:
    """The whole load (paths, outputs, the design's corners), on a small design."""
    small = {"samples": 40, "method": "delta", "design": "latin"}
    raw = {**copy.deepcopy(_spec_raw(SENSITIVITY[0])), **small}
    raw.pop("second_order", None)
    raw = data.draw(mutated(raw, most=1))
    file = tmp_path_factory.mktemp("sensitivity") / "mutant.yaml"
    file.write_text(yaml.safe_dump(raw), encoding="utf-8")
    _refused_or_valid(lambda: load_sensitivity(file), str(file))


@settings(max_examples=examples(100))
@given(data=st.data())
def test_mutated_robustness_spec_is_valid_or_refused(data: st.DataObject) -> None:
    raw = data.draw(mutated(_spec_raw(data.draw(st.sampled_from(ROBUSTNESS)))))
    _refused_or_valid(lambda: parse_robustness(raw, SOURCE), SOURCE)


def test_spec_limits_refuse_runaway_sizes() -> None:
    raw = _spec_raw(SENSITIVITY[-1])
    with pytest.raises(GovsimError, match="samples"):
        parse_spec({**raw, "samples": 10**12}, SOURCE)
    with pytest.raises(GovsimError, match=r"days: .*finite"):
        parse_spec({**raw, "days": math.inf}, SOURCE)


# --- runs: whatever validates runs to finite outcomes in bounded time ---------------------


def _small_raw() -> dict[str, Any]:
    return deep_merge(copy.deepcopy(_raw(ROOT / "scenarios" / "demo.yaml")), SMALL)


def _run_value(path: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    pool = WORK_VALUES if set(map(str, path)) & WORK_FIELDS else RUN_VALUES
    return st.sampled_from(pool)


@st.composite
def small_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """The shrunken demo under a shipped policy (or none), with 1 or 2 numbers changed."""
    raw = _small_raw()
    policy = draw(st.sampled_from([None, *POLICIES]))
    if policy is not None:
        raw = deep_merge(raw, load_policy(policy).sections)
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from(numeric_paths(raw)))
        raw = set_at(raw, path, draw(_run_value(path)))
    return raw


def assert_outcomes_have_values(summary: dict[str, Any], ledger: Any) -> None:
    """No outcome is infinite; NaN (None) only where the outcome has no data."""
    rated = int(window_incidents(ledger)["rating"].notna().sum())
    counts = {"resolved": summary["resolved"], "reported": summary["reported"]}
    for name, value in _leaves(summary):
        if not isinstance(value, float | int) or isinstance(value, bool):
            continue
        assert not math.isinf(value), f"{name} is {value}"
        top = name.split(".")[0]
        if top in NO_DATA and counts[NO_DATA[top]]:
            assert not math.isnan(value), f"{name} is NaN with {counts} in the window"
        if top in ("satisfaction", "share_satisfied") and rated:
            assert not math.isnan(value), f"{name} is NaN with {rated} ratings"


def _leaves(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [item for k, v in data.items() for item in _leaves(v, f"{prefix}{k}.")]
    return [(prefix.rstrip("."), data)]


@settings(max_examples=examples(60))
@given(raw=small_scenarios(), seed=st.integers(0, 2**32))
def test_valid_scenario_runs_to_finite_outcomes(raw: dict[str, Any], seed: int) -> None:
    scenario = _refused_or_valid(lambda: validate_scenario(raw, SOURCE), SOURCE)
    if scenario is None:
        return
    with time_budget(RUN_BUDGET_S):
        ledger = simulate(scenario, seed=seed)
        summary = summarize(ledger)
    assert_outcomes_have_values(summary, ledger)
    assert np.isfinite(ledger.incidents["occurred_at"]).all()


# --- the command line ---------------------------------------------------------------------


@settings(max_examples=examples(12))
@given(
    dotted=st.sampled_from(
        ["staffing.patrols_per_day", "routing.verify_h", "map.households_cv", "followup.prob"]
    ),
    value=st.sampled_from(["0", "-1", "1e-300", ".nan", ".inf", "abc", "null", "[1]", "0.5"]),
    days=st.sampled_from(["2", "1", "0", "-1", "nan", "inf", "1e-300", "1e300", "abc"]),
)
def test_cli_run_exits_cleanly(tmp_path_factory: Any, dotted: str, value: str, days: str) -> None:
    """``govsim run`` on any of these options ends with status 0, or 2 and one message."""
    file = tmp_path_factory.mktemp("cli") / "small.yaml"
    file.write_text(yaml.safe_dump(_small_raw()), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    argv = ["run", str(file), "--set", f"{dotted}={value}", "--days", days]
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        time_budget(RUN_BUDGET_S),
    ):
        try:
            status = main(argv)
        except SystemExit as exit_:  # argparse refusing an option's type
            status = exit_.code
    assert status in (0, 2), (argv, status, err.getvalue())
    assert "Traceback" not in err.getvalue()
    if status == 2:
        assert err.getvalue().startswith(("govsim: ", "govsim run: error: ")), err.getvalue()


# --- regressions: crashes the generated tests found ---------------------------------------


def test_a_run_in_which_nothing_occurs_has_no_data_not_a_crash() -> None:
    """Found by test_valid_scenario_runs_to_finite_outcomes: with no incident in the run
    the incidents table had float columns and ``summarize`` raised IndexError."""
    raw = _small_raw()
    for kind in raw["incidents"].values():
        kind["rate"] = 0
    ledger = simulate(validate_scenario(raw, SOURCE))
    summary = summarize(ledger)
    assert summary["incidents"] == 0
    assert math.isnan(summary["resolution_time_h"]["mean"])  # no data: NaN, not 0
    assert summary["tiers"]["grid"]["mean_wait_h"] is None
    assert_outcomes_have_values(summary, ledger)


def test_a_union_field_gets_one_line_without_type_names() -> None:
    """Found by test_mutated_sensitivity_spec_is_valid_or_refused: a value neither member
    of a union accepts gave a line per member, its path ending in pydantic's type name."""
    with pytest.raises(GovsimError) as caught:
        load_scenario(ROOT / "scenarios" / "demo.yaml", {"map.per_parent.grid": "x"})
    (line,) = str(caught.value).split("\n")[1:]
    assert line.startswith("  map.per_parent.grid: Input should be a valid integer")
    assert "or Input should be a valid list" in line and "constrained" not in line


def test_a_tiny_spread_is_a_fixed_value_not_a_division_by_zero() -> None:
    """Issue 14 measured ZeroDivisionError at cv 1e-300: 1 / cv² underflowed to 1 / 0 in
    the gamma's shape (handling times) and in the households drawn per cell."""
    raw = _small_raw()
    raw["map"]["households_cv"] = 1e-300
    raw["incidents"]["public_facility"]["handling"]["default"]["cv"] = 1e-300  # gamma
    scenario = validate_scenario(raw, SOURCE)
    spec = scenario.incidents["public_facility"].handling["default"]
    assert (handling_quantile(spec, np.array([0.1, 0.9])) == spec.mean_h).all()
    ledger = simulate(scenario)
    assert ledger.incidents["occurred_at"].notna().all()


def test_a_resident_with_no_trust_left_reports_without_dividing_by_zero() -> None:
    """With ``learning_rate: 1`` one bad experience sets a resident's trust to exactly 0,
    and the report delay divided the reference trust by it."""
    raw = _small_raw()
    raw["behaviour"] = {"trust": {"learning_rate": 1.0}}
    model = GovernanceModel(validate_scenario(raw, SOURCE))
    model.population.experience(0, 0.0)
    assert model.population.trust[0] == 0.0
    assert math.isfinite(model.population.delay_factor(0))
    kind = model.kinds[0]
    assert model.population.report_probability(0, kind) < 1e-6  # the distrustful keep quiet


def test_days_given_outside_the_file_are_checked_like_run_days() -> None:
    """``days: .inf`` crashed an experiment; ``simulate(days=…)`` and ``--days`` are now
    refused outside 1 to 3,650 days or over the caps."""
    scenario = validate_scenario(_small_raw(), SOURCE)
    for days in (math.inf, math.nan, 0.5, 4000):
        with pytest.raises(GovsimError, match="allowed: 1 to 3,650"):
            simulate(scenario, days=days)
    big = validate_scenario(set_at(_small_raw(), ("map", "per_parent", "grid"), 400), SOURCE)
    with pytest.raises(GovsimError, match=r"3650 days of demo[\s\S]*incidents: [\s\S]*1,000,000"):
        simulate(big, days=3650)


def test_the_incident_cap_counts_the_rates_trust_can_raise() -> None:
    """A rate that answers trust can grow e^(elasticity × reference)-fold as trust falls
    to 0, so the cap counts it at that end, not at the starting trust."""
    demo = ROOT / "scenarios" / "demo.yaml"
    calm = {"incidents.home_repair.rate": 10.0, "run.days": 1000}
    load_scenario(demo, calm)  # about 700,000 incidents in ~3 years: under the cap
    with pytest.raises(GovsimError, match="incidents: "):
        load_scenario(demo, {**calm, "incidents.home_repair.trust_elasticity": 5.0})


def test_the_time_budget_stops_a_hang() -> None:
    """The per-case budget the generated tests rely on fires, and is off afterwards."""
    with pytest.raises(Hang), time_budget(0.05):
        time.sleep(2)
    time.sleep(0.1)  # no alarm left behind


def test_a_policy_name_or_section_of_the_wrong_kind_is_refused(tmp_path: Path) -> None:
    """Found reading the policy loader for the generated policy test: a list as a name was
    taken as the text "[1, 2]", and a lever section given as a number replaced the
    scenario's whole section, refused as the scenario's problem, not the policy file's."""
    for text, message in (
        ("name: [1, 2]\n", "name: expected text"),
        ("name: p\nrouting: 5\n", "routing: expected a mapping of levers, got int"),
    ):
        file = tmp_path / "bad.yaml"
        file.write_text(text, encoding="utf-8")
        with pytest.raises(GovsimError, match=message) as caught:
            load_policy(file)
        assert_refusal(caught.value, str(file))
