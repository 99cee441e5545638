"""How fast the ``govsim`` command starts: its help and ``import govsim``, wall time and
peak memory, against ``python -c pass`` (the interpreter's own start, the floor).

Run: ``python -m benchmarks.cli_startup [--rounds N] [--source DIR ...]``. Each round
runs every case once in a fresh process, the cases interleaved (a busy machine slows
them alike). Each ``--source`` is a folder holding a ``govsim`` package (e.g. an older
commit's, from ``git archive``), imported first with this same interpreter and its
libraries; the installed govsim is always measured too, so old and new are compared
paired, round by round. Prints a markdown table: per source and case, the min / median /
max seconds and the peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

#: What is timed: a label and the interpreter's arguments.
CASES = {
    "python -c pass": ["-c", "pass"],
    "python -c 'import govsim'": ["-c", "import govsim"],
    "govsim --help": ["-m", "govsim", "--help"],
    "govsim run --help": ["-m", "govsim", "run", "--help"],
    "govsim experiment --help": ["-m", "govsim", "experiment", "--help"],
}
INSTALLED = "installed"


def run_once(args: list[str], source: str, cwd: str) -> tuple[float, float]:
    """Wall seconds and peak resident MB of ``python ARGS`` in a fresh process, with
    ``source`` first on the path (or the installed govsim), started in ``cwd`` (an empty
    folder: ``-c`` and ``-m`` put the current folder first on the path)."""
    env = dict(os.environ)
    if source != INSTALLED:
        env["PYTHONPATH"] = source
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"python {' '.join(args)} ({source}) failed")
    return seconds, usage.ru_maxrss / 1024  # Linux reports kB


def measure(sources: list[str], rounds: int) -> dict[tuple[str, str], list[tuple]]:
    """``(source, case) → [(seconds, MB), …]`` over ``rounds`` interleaved rounds."""
    found: dict[tuple[str, str], list[tuple]] = {}
    with tempfile.TemporaryDirectory() as empty:
        for _ in range(rounds):
            for source in sources:
                for label, args in CASES.items():
                    found.setdefault((source, label), []).append(run_once(args, source, empty))
    return found


def table(found: dict[tuple[str, str], list[tuple]]) -> str:
    """The measurements as a markdown table."""
    lines = [
        "| govsim | command | min s | median s | max s | peak MB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for (source, label), values in found.items():
        seconds = [s for s, _ in values]
        peak = max(mb for _, mb in values)
        lines.append(
            f"| {source} | `{label}` | {min(seconds):.3f} | {statistics.median(seconds):.3f} "
            f"| {max(seconds):.3f} | {peak:.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15, help="runs of each case (15)")
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="DIR",
        help="a folder holding another govsim package to time as well (repeatable)",
    )
    args = parser.parse_args()
    print(table(measure([*args.source, INSTALLED], args.rounds)))
