"""What each behaviour adds to the run time: the demo city for one year as shipped, then
with one behaviour switched off, or one lever switched on, at a time. Prints one JSON
line (best of 3 runs). Run: ``python -m benchmarks.behaviour_cost``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from govsim.engine.model import simulate
from govsim.world.scenario import load_scenario

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo.yaml"
CHANNELS = {
    "app": {"share": 0.5, "verify_h": 1, "trust_elasticity": 1, "vulnerable_factor": 0.2},
    "hotline": {"share": 0.2, "verify_h": 8, "trust_elasticity": -1},
    "grid_worker": {"share": 0.3, "verify_h": 0, "vulnerable_factor": 2},
}
VARIANTS: dict[str, dict] = {
    "demo as shipped": {},
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
    "with points, lists and effort": {"incentives.points.enabled": True},
    "with a time bank and volunteer fixes": {
        "incentives.time_bank.enabled": True,
        "staffing.volunteer_participation": 0.5,
        "staffing.volunteer_fix_prob": 0.3,
    },
    "with reporting channels": {"residents.channels": CHANNELS},
    "with part-time shifts": {"staffing.part_time.per_grid": 2},
    "with specialised community desks": {
        "staffing.specialised": ["community"],
        "staffing.office_staff.community": 6,
    },
    "with 6+X sent-down staff": {
        "staffing.sent_down": {"market_regulation": {"tier": "community", "staff": 1}}
    },
    "with whistle-and-report": {"routing.policy": "whistle"},
    "with whistle and a jointly owned type (fork-join)": {
        "routing.policy": "whistle",
        "incidents.illegal_boiler.departments": ["environment", "market_regulation"],
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
