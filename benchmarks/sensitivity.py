"""A Sobol study of the demo city at scale: wall time and per-run cost on local workers.

``python -m benchmarks.sensitivity [--samples 256] [--workers 2] [--out DIR]`` runs
``experiments/sobol_demo.yaml`` (8 parameters, second order: N × 18 runs of 90 days) with
``--samples`` base samples on ``--workers`` worker processes, then analyses it. Prints
JSON: runs, wall time of the runs and of the analysis, seconds per run (wall × workers ÷
runs), the load average before and after (the machine may be shared), and the largest
total index of each output with its CI.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "experiments" / "sensitivity" / "sobol_demo.yaml"


def bench(samples: int, workers: int, out: Path, resume: bool) -> dict:
    """Run the demo Sobol study with ``samples`` base samples; times and top indices."""
    from govsim.analysis.sensitivity import analyse_all, load_sensitivity, run_study
    from govsim.experiments.executors import ProcessExecutor

    raw = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    raw.update(samples=samples, scenario=str(ROOT / "scenarios" / "demo.yaml"))
    out.mkdir(parents=True, exist_ok=True)
    spec = out.parent / f"{out.name}.yaml"
    spec.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    study = load_sensitivity(spec)
    load_before = os.getloadavg()
    start = time.perf_counter()
    with ProcessExecutor(workers) as executor:
        responses = run_study(study, out, executor, resume=resume, show_progress=True)
    runs_s = time.perf_counter() - start
    start = time.perf_counter()
    analysis = analyse_all(study, responses)
    analyse_s = time.perf_counter() - start
    st = analysis.indices[analysis.indices["index"] == "ST"]
    top = st.loc[st.groupby("output")["value"].idxmax()]
    runs = study.n_samples * study.spec.replications
    return {
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "samples_N": samples,
        "parameters": len(study.names),
        "runs": runs,
        "days": study.spec.days,
        "workers": workers,
        "runs_wall_s": round(runs_s, 1),
        "analysis_s": round(analyse_s, 1),
        "s_per_run_per_worker": round(runs_s * workers / runs, 3),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "top_total_index": {
            row.output: f"{row.parameter} ST={row.value:.3f} ± {row.conf:.3f}"
            for row in top.itertuples()
        },
        "noise": json.loads(analysis.noise.to_json(orient="records")),
    }


def main() -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, help="results folder (default: a temporary one)")
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()
    if args.out:
        print(json.dumps(bench(args.samples, args.workers, args.out, args.resume), indent=2))
        return
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(bench(args.samples, args.workers, Path(tmp) / "out", False), indent=2))


if __name__ == "__main__":
    main()
