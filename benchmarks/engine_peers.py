"""Peer benchmark: the 4-tier escalation network in govsim, Ciw, SimPy and a bare heapq loop.

Each tool runs in its own fresh process (``python -m benchmarks.peers.<tool>_net``), one
after the other, for one simulated year after a 30-day warm-up; the script also times the
demo city for one year and records its peak memory. Results are written to
``benchmarks/RESULTS.md`` (machine, date, command, figures).

Run: ``make bench`` (installs the ``bench`` extra: ciw, simpy), or
``python -m benchmarks.engine_peers [--repeats N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

from benchmarks.behaviour_cost import VARIANTS
from govsim.analysis.theory import jackson_theory
from govsim.world.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
TOOLS = ("govsim", "ciw", "simpy", "heapq")
TIERS = ("grid", "community", "street", "city")


def json_report(*command: str) -> dict:
    """Run ``command`` from the repository root and parse the JSON on its last line."""
    out = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_tool(tool: str, seed: int) -> dict:
    """Run one tool's network in a fresh interpreter and return its report."""
    return json_report(sys.executable, "-m", f"benchmarks.peers.{tool}_net", "--seed", str(seed))


def demo_year() -> dict:
    """Wall time and peak memory of one simulated year of the demo city (fresh process)."""
    return json_report(sys.executable, "-m", "benchmarks.one_year")


def event_loop(python: str) -> dict:
    """Trivial events/s of heapq vs Mesa's scheduler under the interpreter ``python``."""
    return json_report(python, "-m", "benchmarks.event_loop")


def behaviour_cost() -> dict:
    """Demo-city seconds per simulated year with each behaviour switched off in turn."""
    return json_report(sys.executable, "-m", "benchmarks.behaviour_cost")


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> None:
    """Run every tool ``--repeats`` times, print and record the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per tool (median kept)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--ceiling-python",
        help="another interpreter (e.g. .venv-ceiling/bin/python with the newest Mesa) for "
        "the event-loop comparison",
    )
    args = parser.parse_args(argv)
    reports: dict[str, list[dict]] = {tool: [] for tool in TOOLS}
    for rep in range(args.repeats):
        for tool in TOOLS:
            report = run_tool(tool, seed=rep + 1)
            reports[tool].append(report)
            print(f"{tool:7s} rep {rep + 1}: {report['customers_per_s']:>10,.0f} customers/s")
    demo = demo_year()
    print(f"demo city, one year: {demo['seconds']:.2f} s, peak RSS {demo['peak_rss_mb']:.0f} MB")
    loops = [event_loop(sys.executable)]
    if args.ceiling_python:
        loops.append(event_loop(args.ceiling_python))
    behaviour = behaviour_cost()
    section = render(reports, demo, args.repeats, loops, behaviour)
    print(section)
    if not args.no_write:
        write_section(RESULTS, section)


BASELINE = next(iter(VARIANTS))  # the behaviour-cost variant the others are compared with
BEGIN, END = "<!-- begin: benchmarks.engine_peers -->", "<!-- end: benchmarks.engine_peers -->"


def write_section(path: Path, section: str) -> None:
    """Put ``section`` between this benchmark's markers in ``path``, keeping the sections
    other benchmarks write there (appended at the end when the markers are missing)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    block = f"{BEGIN}\n{section.strip()}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def render(
    reports: dict[str, list[dict]],
    demo: dict,
    repeats: int,
    loops: list[dict],
    behaviour: dict[str, float],
) -> str:
    """The RESULTS.md text for these reports."""
    speed = {tool: median(r["customers_per_s"] for r in reps) for tool, reps in reports.items()}
    lines = [
        "## Engine vs peers: the 4-tier escalation network",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {machine()}",
        f"- command: `python -m benchmarks.engine_peers {' '.join(sys.argv[1:])}` (`make bench`)",
        "- network: 20 grids (3 servers, λ = 1/h, Exp mean 2 h) → 15% to 5 communities "
        "(4 servers, 4 h) → 10% to 1 street (6 servers, 8 h) → 5% to 1 city (10 servers, "
        "24 h); 30 days warm-up + 365 days; each tool in a fresh process; "
        f"median of {repeats} runs; wall time includes building the model and, for govsim, "
        "freezing the ledger (every state change recorded).",
        "",
        "| tool | customers/s | govsim ÷ tool | mean sojourn h: grid | community | street | city |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for tool in TOOLS:
        soj = reports[tool][0]["mean_sojourn_h"]
        ratio = speed["govsim"] / speed[tool]
        cells = " | ".join(f"{soj.get(t, float('nan')):.3f}" for t in TIERS)
        lines.append(f"| {tool} | {speed[tool]:,.0f} | {ratio:.2f}× | {cells} |")
    exact = jackson_theory(load_scenario(ROOT / "scenarios" / "theory" / "jackson.yaml"))
    cells = " | ".join(f"{exact.loc[t, 'mean_sojourn_h']:.3f}" for t in TIERS)
    lines.append(f"| theory (Jackson, M/M/c per node) | | | {cells} |")
    lines += [
        "",
        "## Demo city: one simulated year",
        "",
        f"- `scenarios/demo.yaml`, 365 days + drain, seed 0: {demo['incidents']:,} incidents, "
        f"{demo['events']:,} ledger rows",
        f"- wall time {demo['seconds']:.2f} s (build + run + ledger), metrics "
        f"{demo['metrics_seconds']:.2f} s; peak RSS {demo['peak_rss_mb']:.0f} MB",
        "",
        "## Event loop: why the model owns a heap",
        "",
        "`python -m benchmarks.event_loop`: 200,000 self-rescheduling trivial events.",
        "",
        "| Mesa | Mesa API | Mesa events/s | heapq events/s | heapq ÷ Mesa |",
        "|---|---|---:|---:|---:|",
        *(
            f"| {r['mesa']} | `{r['mesa_api']}` | {r['mesa_events_per_s']:,.0f} | "
            f"{r['heapq_events_per_s']:,.0f} | {r['ratio']:.1f}× |"
            for r in loops
        ),
        "",
        "## What each behaviour costs",
        "",
        "`python -m benchmarks.behaviour_cost`: the demo city, one simulated year, best of 3;",
        "each row switches one behaviour off, or one lever on, against the demo as shipped.",
        "",
        "| variant | seconds | vs the demo as shipped |",
        "|---|---:|---:|",
        *(
            f"| {name} | {sec:.2f} | {sec / behaviour[BASELINE] - 1:+.0%} |"
            for name, sec in behaviour.items()
        ),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
