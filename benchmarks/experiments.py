"""Experiments at scale: flat memory as runs grow, and executor speed-ups.

``python -m benchmarks.experiments memory [--runs 2000]``: runs ``govsim experiment`` on
the demo city (10-day runs) as a subprocess and samples its resident memory while the
results stream to disk: RSS after each quarter of the runs and the peak.

``python -m benchmarks.experiments speedup [--runs 200] [--days 60] [--repeats 3]``: the
same experiment on the demo city serially, on 2 worker processes and on a Dask
LocalCluster of 2 worker processes; wall time of ``run_experiment`` (including starting
the workers; best of the repeats, taken in turns) and a check that all three stored
identical tables. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo.yaml"


def _spec(folder: Path, runs: int, days: float) -> Path:
    path = folder / "bench.yaml"
    path.write_text(
        f"name: bench\nscenarios: [{DEMO}]\nreplications: {runs}\ndays: {days}\n"
        "series_every_days: 1\n",
        encoding="utf-8",
    )
    return path


def _rss_mb(pid: int) -> tuple[float, float]:
    """Current and peak resident memory of a process (MB), from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def memory(runs: int, days: float, batch: int) -> dict:
    """RSS of a streaming experiment of ``runs`` runs, sampled as parts are written."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec, out = _spec(folder, runs, days), folder / "out"
        cmd = [sys.executable, "-m", "govsim.cli", "experiment", str(spec), "--out", str(out)]
        start = time.perf_counter()
        proc = subprocess.Popen([*cmd, "--batch", str(batch)], stdout=subprocess.DEVNULL)
        samples, peak = [], 0.0
        while proc.poll() is None:
            try:
                rss, peak = _rss_mb(proc.pid)
            except (FileNotFoundError, KeyError, ProcessLookupError):
                break
            done = len(list((out / "runs").glob("part-*.parquet"))) * batch
            samples.append((done, rss))
            time.sleep(0.25)
        seconds = time.perf_counter() - start
        assert proc.returncode == 0, proc.returncode
        stored = len(pd.read_parquet(out / "runs"))
    quarters = {}
    for q in (0.25, 0.5, 0.75, 1.0):
        at = [rss for done, rss in samples if done <= q * runs]
        quarters[f"rss_mb_at_{int(q * 100)}pct"] = round(at[-1], 1) if at else None
    return {
        "runs": runs,
        "stored": stored,
        "days_per_run": days,
        "batch": batch,
        "seconds": round(seconds, 1),
        **quarters,
        "peak_rss_mb": round(peak, 1),
    }


def _cpu_seconds() -> float:
    """CPU seconds used by this process and its finished child processes (workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def speedup(runs: int, days: float, workers: int, repeats: int) -> dict:
    """Wall time of one experiment on each executor (best of ``repeats``, taken in turns so
    that load from other programs hits all three alike), and whether the tables agree."""
    from govsim.experiments.executors import DaskExecutor, ProcessExecutor, SerialExecutor
    from govsim.experiments.experiment import run_experiment
    from govsim.experiments.results import load
    from govsim.experiments.spec import load_experiment

    makers = {
        "serial": SerialExecutor,
        "processes": lambda: ProcessExecutor(workers),
        "dask": lambda: DaskExecutor(workers=workers),
    }
    times: dict[str, list[float]] = {name: [] for name in makers}
    cpu: dict[str, list[float]] = {name: [] for name in makers}
    tables = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        spec = _spec(Path(tmp), runs, days)
        for repeat in range(repeats):
            for name, make in makers.items():
                out = Path(tmp) / f"{name}-{repeat}"
                cpu_before = _cpu_seconds()
                start = time.perf_counter()
                with make() as executor:
                    run_experiment(load_experiment(spec), out, executor)
                times[name].append(round(time.perf_counter() - start, 2))
                cpu[name].append(round(_cpu_seconds() - cpu_before, 1))
                tables[name] = load(out).runs
    best = {name: min(values) for name, values in times.items()}
    return {
        "runs": runs,
        "days_per_run": days,
        "workers": workers,
        "seconds_each": times,
        "best_seconds": best,
        "cpu_seconds_each": cpu,
        "processes_speedup": round(best["serial"] / best["processes"], 2),
        "dask_vs_processes": round(best["dask"] / best["processes"], 3),
        "identical_tables": all(tables[n].equals(tables["serial"]) for n in tables),
        "cpus": os.cpu_count(),
        "load_average_before_after": [load_before, os.getloadavg()[0]],
    }


def main() -> None:
    """Parse the command line and print the chosen benchmark's figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="which", required=True)
    mem = sub.add_parser("memory")
    mem.add_argument("--runs", type=int, default=2000)
    mem.add_argument("--days", type=float, default=10)
    mem.add_argument("--batch", type=int, default=25)
    speed = sub.add_parser("speedup")
    speed.add_argument("--runs", type=int, default=200)
    speed.add_argument("--days", type=float, default=60)
    speed.add_argument("--workers", type=int, default=2)
    speed.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.which == "memory":
        figures = memory(args.runs, args.days, args.batch)
    else:
        figures = speedup(args.runs, args.days, args.workers, args.repeats)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
