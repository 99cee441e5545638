"""The studies the figure gallery (:mod:`govsim.plots.gallery`) draws its study figures
from: a tiny sensitivity study and a tiny robustness study of the demo city, one quick
validation of a preset, and the fit of the shipped synthetic platform log. Each is small
enough to run in seconds: it shows what a figure looks like, not a result."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

from govsim.analysis import claims, sensitivity
from govsim.analysis.robustness import load_robustness, run_robustness
from govsim.analysis.targets import Achieved, load_targets
from govsim.analysis.validation import achieve
from govsim.logs.fit import LogFit, fit_log
from govsim.logs.reader import read_log
from govsim.world.scenario import SCENARIO_DIR, load_scenario, scenario_path

#: Simulated days of every study run (30 of them warm-up).
DAYS = 45
#: What the sensitivity studies vary (uncertain demand, a lever) and explain.
PARAMETERS = {
    "incidents.neighbour_dispute.rate": [0.2, 0.8],
    "incidents.home_repair.rate": [0.8, 1.8],
    "staffing.grid_workers_per_grid": [1, 4],
}
OUTPUTS = ["resolution_p90_h", "escalation_rate", "satisfaction"]
#: The preset validated (the most targets: fit, holdout and structure) and its runs.
PRESET, PRESET_REPS = "yuyao", 2
#: The shipped synthetic platform log and the scenario it was exported from.
LOG = SCENARIO_DIR / "logs" / "synthetic_demo.csv"
LOG_SCENARIO = "logs/synthetic_demo"


def _spec_file(folder: Path, name: str, spec: dict) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def sensitivity_study(method: str, samples: int) -> sensitivity.Analysis:
    """A ``method`` study (sobol, morris …) of :data:`PARAMETERS` on the demo city with
    ``samples`` base samples or trajectories, one replication of :data:`DAYS` days each."""
    spec = {
        "name": f"gallery_{method}",
        "scenario": str(scenario_path("demo")),
        "method": method,
        "samples": samples,
        "days": DAYS,
        "bootstrap": 100,
        "outputs": OUTPUTS,
        "parameters": PARAMETERS,
    }
    with tempfile.TemporaryDirectory() as folder:
        study = sensitivity.load_sensitivity(_spec_file(Path(folder), method, spec))
        responses = sensitivity.run_study(study, Path(folder) / "runs")
    return sensitivity.analyse_all(study, responses)


def robustness_study() -> claims.Analysis:
    """Two claims on the demo city (more grid workers cut the grid's wait and raise
    satisfaction) over 4 Latin-hypercube samples of demand, 2 replications of
    :data:`DAYS` days each."""
    spec = {
        "name": "gallery_claims",
        "scenario": str(scenario_path("demo")),
        "policies": ["status_quo", "more_grid_workers"],
        "parameters": {k: PARAMETERS[k] for k in list(PARAMETERS)[:2]},
        "samples": 4,
        "replications": 2,
        "seed": 3,
        "days": DAYS,
        "claims": [
            {"outcome": "tiers.grid.mean_wait_h", "better": "lower",
             "policy": "more_grid_workers", "label": "more staff cut the grid's wait"},
            {"outcome": "satisfaction", "better": "higher",
             "policy": "more_grid_workers", "label": "more staff please residents"},
        ],
    }
    with tempfile.TemporaryDirectory() as folder:
        robustness = load_robustness(_spec_file(Path(folder), "claims", spec))
        runs = run_robustness(robustness, Path(folder) / "runs")
    return claims.analyse(robustness, runs)


def validation() -> tuple[str, list[Achieved]]:
    """:data:`PRESET`'s policy and its targets over :data:`PRESET_REPS` replications."""
    targets = load_targets()[PRESET]
    return targets.policy, achieve(PRESET, PRESET_REPS, targets=targets)


def log_fit() -> LogFit:
    """The fit of the shipped synthetic log on its scenario's map."""
    base = load_scenario(scenario_path(LOG_SCENARIO))
    return fit_log(read_log(LOG, "govsim", scenario=base).incidents, base)
