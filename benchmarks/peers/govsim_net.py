"""The benchmark network in govsim: scenarios/theory/jackson.yaml without the drain."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from govsim.engine.model import simulate
from govsim.record.metrics import tier_table
from govsim.world.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "theory" / "jackson.yaml"


def run(seed: int = 1, warmup_h: float = 720.0, horizon_h: float = 9480.0) -> dict:
    """Simulate the network to ``horizon_h`` and report customers/s and sojourn per tier."""
    scenario = load_scenario(SCENARIO, {"run.warmup_days": warmup_h / 24, "run.drain_days": 0})
    start = time.perf_counter()
    ledger = simulate(scenario, seed=seed, days=horizon_h / 24)
    seconds = time.perf_counter() - start
    table = tier_table(ledger)
    return {
        "tool": "govsim",
        "customers": len(ledger.incidents),
        "seconds": seconds,
        "customers_per_s": len(ledger.incidents) / seconds,
        "mean_sojourn_h": table["mean_sojourn_h"].to_dict(),
        "visits": table["visits"].astype(int).to_dict(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    print(json.dumps(run(seed=parser.parse_args().seed)))
