"""One simulated year of a scenario (default: the demo city): wall time and peak memory.

Run: ``python -m benchmarks.one_year [SCENARIO] [--policy NAME]``; prints one JSON line
with the simulation's seconds, the summary's seconds, incidents, events and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from govsim import load_scenario, simulate, summarize
from govsim.policies.files import STATUS_QUO, load_policy

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", nargs="?", type=Path, default=ROOT / "scenarios/demo.yaml")
    parser.add_argument("--policy", default=STATUS_QUO.name)
    args = parser.parse_args()
    policy = load_policy(args.policy)
    scenario = load_scenario(args.scenario, None, policy.sections, policy.source)
    start = time.perf_counter()
    ledger = simulate(scenario, seed=0, days=365)
    seconds = time.perf_counter() - start
    summarize(ledger)
    metrics_seconds = time.perf_counter() - start - seconds
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "scenario": scenario.name,
                "policy": policy.name,
                "seconds": round(seconds, 2),
                "metrics_seconds": round(metrics_seconds, 2),
                "incidents": len(ledger.incidents),
                "events": len(ledger.events),
                "peak_rss_mb": round(peak_kb / 1024),
            }
        )
    )
