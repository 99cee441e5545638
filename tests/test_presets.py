"""The five seed presets: built as their sources say, and meeting their figures.

The structure checks read the figures straight from the source texts; the target checks
run each preset reduced (``quick`` in scenarios/targets.yaml: fewer replications, and
for Helong one of its three first-level grids) and require every target met, as
``govsim validate --all`` does at full size.
"""

from __future__ import annotations

import numpy as np
import pytest

from govsim.model import GovernanceModel
from govsim.presets import PRESETS, achieve, preset_scenario
from govsim.targets import load_targets

QUICK_REPS = 3


def built(name: str) -> GovernanceModel:
    return GovernanceModel(preset_scenario(name, load_targets()[name].policy), seed=0, days=1)


def test_kongtong_has_its_streets_communities_grids_and_households() -> None:
    model = built("kongtong")
    gm = model.grid_map
    assert gm.region_counts == (1, 3, 20, 83)
    communities_per_street = np.bincount(
        gm.ancestors[1][np.unique(gm.ancestors[2], return_index=True)[1]]
    )
    assert communities_per_street.tolist() == [8, 6, 6]
    assert abs(gm.households.sum() - 106_000) / 106_000 < 0.03  # households drawn with cv 0.25
    assert abs(gm.population.sum() - 292_000) / 292_000 < 0.03


def test_helong_has_three_levels_of_grids_and_its_staff() -> None:
    model = built("helong")
    assert model.grid_map.region_counts == (1, 3, 10, 69)
    grid_desks = [o for o in model.offices if o.rank == 0]
    assert sum(len(o.staff) for o in grid_desks) == 276  # 269 in the text, whole per grid
    community = [o for o in model.offices if o.info.tier == "community"]
    assert sum(len(o.staff) for o in community) == 50  # 49 generalists


def test_zhenyuan_has_its_steward_areas_and_stewards() -> None:
    model = built("zhenyuan")
    assert model.grid_map.region_counts == (1, 1, 12, 61)
    assert sum(len(o.staff) for o in model.offices if o.rank == 0) == 1220  # 1,198
    assert model.grid_map.cell_values("tourist_load").sum() * 365 == pytest.approx(5e6, rel=0.01)


def test_wuhou_and_yuyao_slices() -> None:
    wuhou = GovernanceModel(preset_scenario("wuhou"), seed=0, days=1)  # before the reform
    assert wuhou.grid_map.n_cells == 24
    assert sum(len(o.staff) for o in wuhou.offices if o.rank == 0) == 24  # 703 / 6,179 × 216
    yuyao = built("yuyao")
    assert yuyao.grid_map.region_counts == (1, 1, 10, 50)


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_meets_its_source_figures(name: str) -> None:
    """Every target is met, except the known gaps, which must still be unmet (a gap that
    closes is a gap to delete from scenarios/targets.yaml)."""
    spec = load_targets()[name]
    achieved = achieve(name, QUICK_REPS, spec.quick, spec)
    wrong = [
        f"{a.target.name}: {a.interval.mean:.4g} vs {a.target.value:g} ± {a.target.tolerance:g}"
        + (" (listed as a gap, but met)" if a.target.gap else "")
        for a in achieved
        if a.passed == bool(a.target.gap)
    ]
    assert not wrong, wrong
