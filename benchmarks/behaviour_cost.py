"""What each behaviour adds to the run time: the demo city for one year, with all of it on,
then with one behaviour switched off at a time. Prints one JSON line (best of 3 runs).
Run: ``python -m benchmarks.behaviour_cost``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from govsim.model import simulate
from govsim.scenario import load_scenario

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo.yaml"
VARIANTS: dict[str, dict] = {
    "everything on": {},
    "without trust feedback and petitions": {"behaviour.enabled": False},
    "without patrols": {"staffing.patrols_per_day": 0},
    "without volunteers": {"staffing.volunteers_per_cell": 0},
    "without follow-up visits": {"followup.prob": 0},
    "all of these off": {
        "behaviour.enabled": False,
        "staffing.patrols_per_day": 0,
        "staffing.volunteers_per_cell": 0,
        "followup.prob": 0,
    },
}


def best_seconds(overrides: dict, repeats: int = 3) -> float:
    """Best wall time (s) of one simulated year of the demo city with ``overrides``."""
    scenario = load_scenario(DEMO, overrides)
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        simulate(scenario, seed=seed, days=365)
        times.append(time.perf_counter() - start)
    return min(times)


if __name__ == "__main__":
    print(json.dumps({name: best_seconds(over) for name, over in VARIANTS.items()}))
