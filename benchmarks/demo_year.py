"""One simulated year of the demo city: wall time and peak memory, printed as JSON."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path

from govsim import load_scenario, simulate, summarize

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    scenario = load_scenario(ROOT / "scenarios" / "demo.yaml")
    start = time.perf_counter()
    ledger = simulate(scenario, seed=0, days=365)
    seconds = time.perf_counter() - start
    summarize(ledger)
    metrics_seconds = time.perf_counter() - start - seconds
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "metrics_seconds": metrics_seconds,
                "incidents": len(ledger.incidents),
                "events": len(ledger.events),
                "peak_rss_mb": peak_kb / 1024,
            }
        )
    )
