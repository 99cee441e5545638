"""Scenario discovery on the demo city with the EMA Workbench: where p90 resolution
time exceeds 72 hours (see discovery_p90.yaml). Run from the repository root:

    python experiments/sensitivity/discovery_p90.py [--samples 200] [--days 60] [--above 72]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from govsim.analysis.ema import prim_box, run_design
from govsim.analysis.sensitivity import load_sensitivity

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Run the spec's Latin hypercube as EMA experiments and print PRIM's box."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int)
    parser.add_argument("--days", type=float)
    parser.add_argument("--above", type=float, default=72.0, help="p90 hours (72)")
    args = parser.parse_args()
    study = load_sensitivity(HERE / "discovery_p90.yaml")
    changes = {k: v for k, v in (("samples", args.samples), ("days", args.days)) if v}
    study = study.with_changes(**changes)
    experiments, outcomes = run_design(study)
    found = prim_box(experiments, outcomes, "resolution_p90_h", args.above)
    print(f"{found.condition}: {found.base_rate:.0%} of {len(experiments)} experiments")
    print(f"PRIM box: coverage {found.coverage:.0%}, density {found.density:.0%}, "
          f"mass {found.mass:.0%}")
    print(found.limits.to_string())


if __name__ == "__main__":
    main()
