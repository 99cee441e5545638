"""How fast the ``govsim`` command starts: its help and ``import govsim``, wall time and
peak memory, against ``python -c pass`` (the interpreter's own start, the floor).

Run: ``python -m benchmarks.cli_startup [--rounds N] [--python PATH ...]``. Each round
runs every case once in a fresh process, the cases interleaved (a busy machine slows
them alike); each ``--python`` is an interpreter with its own govsim installed (default:
this one), so that an old checkout's venv and a new one's are compared paired, round by
round. Prints a markdown table: per interpreter and case, the min / median / max seconds
and the peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

#: What is timed: a label and the interpreter's arguments.
CASES = {
    "python -c pass": ["-c", "pass"],
    "python -c 'import govsim'": ["-c", "import govsim"],
    "govsim --help": ["-m", "govsim", "--help"],
    "govsim run --help": ["-m", "govsim", "run", "--help"],
    "govsim experiment --help": ["-m", "govsim", "experiment", "--help"],
}


def run_once(python: str, args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of ``PYTHON ARGS`` in a fresh process."""
    start = time.perf_counter()
    child = subprocess.Popen([python, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"python {' '.join(args)} failed with status {child.returncode}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports kB


def measure(pythons: list[str], rounds: int) -> dict[tuple[str, str], list[tuple]]:
    """``(python, case) → [(seconds, MB), …]`` over ``rounds`` interleaved rounds."""
    found: dict[tuple[str, str], list[tuple]] = {}
    for _ in range(rounds):
        for python in pythons:
            for label, args in CASES.items():
                found.setdefault((python, label), []).append(run_once(python, args))
    return found


def table(found: dict[tuple[str, str], list[tuple]]) -> str:
    """The measurements as a markdown table."""
    lines = [
        "| python | command | min s | median s | max s | peak MB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for (python, label), values in found.items():
        seconds = [s for s, _ in values]
        peak = max(mb for _, mb in values)
        lines.append(
            f"| {python} | `{label}` | {min(seconds):.3f} | {statistics.median(seconds):.3f} "
            f"| {max(seconds):.3f} | {peak:.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15, help="runs of each case (15)")
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="PATH",
        help="an interpreter with govsim installed (repeatable; default: this one)",
    )
    args = parser.parse_args()
    print(table(measure(args.python or [sys.executable], args.rounds)))
