"""Property management per compound (govsim.world.property): trust-based management lowers
property problems and disputes by the factors its function gives, measured on paired
replications (common random numbers); with every compound conventional nothing changes."""

from __future__ import annotations

import numpy as np
import pytest

from govsim.engine.model import GovernanceModel, simulate
from govsim.engine.property import property_factors, trust_based_compounds
from govsim.errors import ScenarioError
from govsim.record.ledger import Ledger
from govsim.stats import mean_ci
from govsim.world.property import ManagementModel, PropertySpec
from govsim.world.scenario import load_scenario

REPS, DAYS = 10, 45.0
#: Wuhou with trust held fixed: the rates then move with property management alone.
FIXED_TRUST = {"behaviour.enabled": False}


def occurrences(ledger: Ledger, kind: str) -> int:
    inc = ledger.incidents
    return int((inc["in_window"] & (inc["kind"] == ledger.kinds.index(kind))).sum())


def spec(**levels: float) -> PropertySpec:
    return PropertySpec(problems=["property_service"], disputes=["property_dispute"], **levels)


def test_the_function_is_quality_shortfall_times_distrust_relative_to_conventional() -> None:
    prop = spec()
    model = ManagementModel(quality=0.8, trust=0.85)
    assert prop.problem_factor(model) == pytest.approx(0.2 / 0.5)
    assert prop.dispute_factor(model) == pytest.approx(0.2 / 0.5 * 0.15 / 0.6)
    assert prop.dispute_factor(prop.conventional) == 1.0
    assert prop.problem_factor(prop.conventional) == 1.0


def test_trust_based_compounds_are_spread_evenly_and_cells_average_them() -> None:
    prop = spec(compounds_per_cell=4, trust_based_share=0.5)
    assert trust_based_compounds(prop, 3).reshape(3, 4).sum(axis=1).tolist() == [2, 2, 2]
    factors = property_factors(prop, 3, ["home_repair", "property_service", "property_dispute"])
    under = prop.dispute_factor(prop.trust_based)
    assert np.allclose(factors[:, 0], 1.0)
    assert np.allclose(factors[:, 1], 0.5 + 0.5 * prop.problem_factor(prop.trust_based))
    assert np.allclose(factors[:, 2], 0.5 + 0.5 * under)
    assert trust_based_compounds(spec(compounds_per_cell=4, trust_based_share=0.25), 10).sum() == 10


def test_all_conventional_leaves_every_rate_as_written() -> None:
    plain = load_scenario("wuhou", FIXED_TRUST)
    off = load_scenario("wuhou", {**FIXED_TRUST, "property.compounds_per_cell": 7})
    assert np.array_equal(
        GovernanceModel(off).sampler.pair_cdf, GovernanceModel(plain).sampler.pair_cdf
    )
    for seed in range(3):
        a, b = simulate(plain, seed, DAYS), simulate(off, seed, DAYS)
        assert occurrences(a, "property_dispute") == occurrences(b, "property_dispute")


def test_trust_based_management_cuts_disputes_and_problems_by_the_function() -> None:
    status_quo = load_scenario("wuhou", FIXED_TRUST)
    trust_based = load_scenario("wuhou", {**FIXED_TRUST, "property.trust_based_share": 1.0})
    prop = trust_based.property
    expected = {
        "property_dispute": prop.dispute_factor(prop.trust_based),
        "property_service": prop.problem_factor(prop.trust_based),
        "home_repair": 1.0,
    }
    ratios = {kind: [] for kind in expected}
    for seed in range(REPS):
        before, after = simulate(status_quo, seed, DAYS), simulate(trust_based, seed, DAYS)
        for kind, found in ratios.items():
            found.append(occurrences(after, kind) / occurrences(before, kind))
    for kind, factor in expected.items():
        ci = mean_ci(np.array(ratios[kind]))
        assert ci.contains(factor), (kind, factor, ci)
    assert mean_ci(np.array(ratios["property_dispute"])).high < 0.2  # −80% and more


def test_property_types_must_be_incident_types() -> None:
    with pytest.raises(ScenarioError, match=r"property\.disputes: 'rent_dispute' is not"):
        load_scenario("wuhou", {"property.disputes": ["rent_dispute"]})
    with pytest.raises(ScenarioError, match=r"property\.disputes: \['property_service'\] also"):
        load_scenario("wuhou", {"property.disputes": ["property_service"]})
    with pytest.raises(ScenarioError, match=r"property\.trust_based\.quality"):
        load_scenario("wuhou", {"property.trust_based.quality": 1.0})
