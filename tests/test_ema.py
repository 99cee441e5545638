"""Scenario discovery: a govsim run as an EMA Workbench model, and PRIM on real runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govsim.analysis.sensitivity import load_sensitivity
from govsim.errors import GovsimError
from tests.experiments_support import ROOT

ema_workbench = pytest.importorskip(
    "ema_workbench", reason="the EMA Workbench is the govsim[ema] extra (make test installs it)"
)

from govsim.analysis.ema import ema_model, ema_name, is_lever, prim_box, run_design  # noqa: E402

SPEC = ROOT / "experiments" / "sensitivity" / "discovery_p90.yaml"


@pytest.fixture(scope="module")
def discovery():
    study = load_sensitivity(SPEC).with_changes(samples=30, days=8)
    experiments, outcomes = run_design(study)
    return study, experiments, outcomes


def test_model_has_uncertainties_levers_and_outcomes_from_the_spec() -> None:
    study = load_sensitivity(SPEC)
    model = ema_model(study)
    assert [u.name for u in model.uncertainties] == [
        "incidents__neighbour_dispute__rate",
        "incidents__home_repair__rate",
    ]
    assert [lever.name for lever in model.levers] == [
        "staffing__grid_workers_per_grid",
        "routing__handoff_h__street",
        "routing__verify_h",
    ]
    assert isinstance(model.levers[0], ema_workbench.IntegerParameter)
    assert [o.name for o in model.outcomes] == list(study.spec.outputs)
    assert is_lever("incentives.bonus") and not is_lever("incidents.x.rate")
    assert is_lever("departments.police.staff")  # a policy may set it: a lever, as in files.py


def test_ema_experiments_are_govsim_runs_of_the_design(discovery) -> None:
    study, experiments, outcomes = discovery
    assert len(experiments) == 30
    values = study.values()
    for name in study.names:  # EMA ran exactly the study's (seeded) design
        assert np.allclose(experiments[ema_name(name)].to_numpy(dtype=float), values[name])
    # the same run through govsim directly gives the same outcome (seed 3: the spec's)
    first = study.values().rename(columns=ema_name).iloc[0].to_dict()
    direct = ema_model(study).function(**first)
    assert direct["resolution_p90_h"] == outcomes["resolution_p90_h"][0]


def test_prim_finds_where_p90_exceeds_72_hours(discovery) -> None:
    _, experiments, outcomes = discovery
    found = prim_box(experiments, outcomes, "resolution_p90_h", 72.0)
    assert 0 < found.base_rate < 1
    assert found.density > found.base_rate + 0.2  # the box concentrates the slow cases
    assert found.coverage > 0.3 and found.mass < found.coverage  # a third of the cases at least
    # the box is about too few grid workers: its upper limit is below the range's top (4)
    assert "staffing.grid_workers_per_grid" in found.limits.index
    assert found.limits.loc["staffing.grid_workers_per_grid", "max"] < 4
    slow = np.asarray(outcomes["resolution_p90_h"]) > 72
    one_worker = experiments["staffing__grid_workers_per_grid"].to_numpy() == 1
    assert slow[one_worker].mean() > slow[~one_worker].mean()


def test_prim_needs_cases_and_non_cases(discovery) -> None:
    _, experiments, outcomes = discovery
    with pytest.raises(GovsimError, match="needs both cases and non-cases"):
        prim_box(experiments, outcomes, "resolution_p90_h", 1e9)
    assert isinstance(experiments, pd.DataFrame)
