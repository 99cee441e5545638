"""``govsim robustness``: run a robustness spec and report how far its claims hold."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from govsim.child_processes import terminating_signals
from govsim.cli import options
from govsim.cli.common import (
    announce,
    executor_args,
    overrides,
    quiet_arg,
    size_args,
    spec_command,
    stdout_console,
)
from govsim.cli.jsonout import dumps
from govsim.errors import GovsimError

HELP = """\
Run a robustness spec (experiments/robustness/*.yaml): a Latin hypercube over the
assumed parameters' plausible ranges (the scenario's uncertain and assumed sections
and the spec's parameters), every policy on every sample on the same seeds (replication k on seed
spec.seed + k: common random numbers), through the experiment executors into --out DIR
(streamed, resumable with --resume, identical on every executor). Then, per claim: the
share of samples where the policy's paired effect against the baseline has the claimed
sign (95% Wilson CI), the shares where the per-sample paired CI clearly holds or clearly
fails, the effect's median and 5-95% range, each policy's regret against the best policy
of each sample, and where the claim fails (PRIM boxes, needs govsim[ema]). Saves
claims.csv, effects.csv, regret.csv and failures.csv in DIR and the figure in
DIR/figures/effects.png; --markdown FILE writes the study's tables into FILE."""

#: Marks of a study's section in a markdown file (``--markdown``).
_START, _END = "<!-- robustness:{name} -->", "<!-- /robustness:{name} -->"


def add_robustness_command(sub: Any) -> None:
    """Add ``robustness`` to the ``govsim`` command's subparsers."""
    cmd = spec_command(
        sub,
        "robustness",
        "how far a policy claim holds across the assumed parameters' plausible ranges",
        HELP,
    )
    cmd.add_argument("--json", action="store_true", help="print the tables as JSON; no bar")
    cmd.add_argument(
        "--markdown",
        type=options.output_file(*options.REPORT_SUFFIXES),
        metavar="FILE.md",
        help="write the study's tables into FILE.md (its section replaced, or appended)",
    )
    quiet_arg(cmd)
    size_args(cmd, "Latin hypercube samples (the spec's samples; at least 2)")
    executor_args(cmd)
    cmd.set_defaults(handler=_cmd_robustness)


def _cmd_robustness(args: argparse.Namespace) -> int:
    from govsim.analysis.claims import analyse
    from govsim.analysis.robustness import load_robustness, run_robustness
    from govsim.experiments.executors import open_executor
    from govsim.progress import wanted

    given = overrides(args)
    robustness = load_robustness(args.spec, given)
    announce(robustness.spec.name, given, robustness.experiment.n_runs, args.json)
    show = wanted(args.json or args.quiet)
    with terminating_signals(), open_executor(args.executor, args.workers, args.address) as ex:
        runs = run_robustness(robustness, args.out, ex, args.resume, show)
    analysis = analyse(robustness, runs)
    found = tables(analysis)
    for name, table in found.items():
        table.to_csv(args.out / f"{name}.csv", index=False)
    if args.markdown:
        write_section(args.markdown, robustness.spec.name, markdown(analysis))
    _print(analysis, found["failures"], args.out / "figures", args.json)
    if args.markdown and not args.json:
        print(f"tables written to {args.markdown}")
    return 0


def _print(
    analysis: Any, failures: Any, figures: Path | None, as_json: bool, delivered: bool = False
) -> None:
    """Print a study's tables (or their JSON; nothing if ``delivered`` already), saving its
    figure in ``figures`` if given."""
    from govsim.plots.figures import save_figure
    from govsim.plots.robustness import effects_figure

    saved = [save_figure(effects_figure(analysis), figures / "effects.png")] if figures else []
    if delivered:
        return
    if as_json:
        record = {
            "claims": analysis.claims,
            "regret": analysis.regret,
            "failures": failures,
            "effects": analysis.effects,
            "figures": [str(path) for path in saved],
        }
        print(dumps(record))
        return
    print_analysis(analysis, failures)
    for path in saved:
        print(f"figure saved to {path}")


def is_robustness_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a robustness study (its manifest says so)."""
    from govsim.experiments.results import read_manifest

    try:
        return "robustness" in read_manifest(folder)
    except GovsimError:
        return False


def report(
    folder: Path,
    as_json: bool,
    figures: Path | None,
    deliver: Callable[[dict[str, Any]], bool] | None = None,
) -> int:
    """``govsim report`` on a robustness study's folder: its tables again, from the stored
    runs and the spec file the study ran (which must still say what it said then).
    ``deliver`` gets the tables (see :func:`tables`) first and returns True when it
    printed them (then nothing else is)."""
    from govsim.analysis.claims import analyse
    from govsim.analysis.robustness import load_robustness
    from govsim.experiments.overrides import Overrides
    from govsim.experiments.results import load, read_manifest

    manifest = read_manifest(folder)
    record = manifest["robustness"]
    spec_file = Path(record["spec_file"])
    if not spec_file.is_file():
        raise GovsimError(f"{folder}: the study's spec file {spec_file} is gone")
    given = Overrides.from_record(manifest.get("overrides") or {})
    robustness = load_robustness(spec_file, given)
    if robustness.spec.model_dump(mode="json") != record["spec"]:
        raise GovsimError(f"{folder}: {spec_file} has changed since the study ran")
    runs = load(folder).runs
    expected = robustness.experiment.n_runs
    if len(runs) != expected:
        raise GovsimError(
            f"{folder}: {len(runs)} of {expected} runs stored; finish the study with "
            f"govsim robustness {spec_file} --out {folder} --resume"
        )
    analysis = analyse(robustness, runs)
    found = tables(analysis)
    delivered = deliver is not None and deliver(found)
    _print(analysis, found["failures"], figures, as_json, delivered)
    return 0


def tables(analysis: Any) -> dict[str, Any]:
    """A robustness study's tables by name: ``claims`` (a row per claim), ``regret`` (per
    outcome and policy), ``failures`` (:func:`failure_table`) and ``effects`` (per claim
    and sample)."""
    return {
        "claims": analysis.claims,
        "regret": analysis.regret,
        "failures": failure_table(analysis),
        "effects": analysis.effects,
    }


def failure_table(analysis: Any) -> Any:
    """One row per claim, policy and restricted parameter of its PRIM box (``min``,
    ``max``, the box's ``coverage``, ``density``, ``mass`` and the failure ``base_rate``);
    a claim without a box has one row with the ``reason`` and no parameter."""
    import pandas as pd

    rows = []
    for failure in analysis.failures:
        head = {
            "claim": failure.claim,
            "policy": failure.policy,
            "base_rate": failure.base_rate,
            "coverage": failure.coverage,
            "density": failure.density,
            "mass": failure.mass,
            "reason": failure.reason,
        }
        if failure.limits.empty:
            rows.append({**head, "parameter": None, "min": math.nan, "max": math.nan})
        for name, limit in failure.limits.iterrows():
            rows.append({**head, "parameter": str(name), "min": limit["min"], "max": limit["max"]})
    return pd.DataFrame(rows)


def _share(row: Any) -> str:
    return f"{row.share:.0%} [{row.share_low:.0%}, {row.share_high:.0%}]"


def _g(value: float) -> str:
    """Three significant digits; whole numbers with separators from 1,000 on."""
    if value is None or not math.isfinite(value):
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    return "0" if text == "-0" else text


def _pct(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:.0%}"


def _effect(row: Any) -> str:
    return f"{_g(row.effect_median)} [{_g(row.effect_p05)}, {_g(row.effect_p95)}]"


def _box(failures: Any, claim: int, policy: str) -> str:
    """PRIM's box of one claim as text: ``a ∈ [lo, hi], …`` (coverage, density)."""
    part = failures[(failures["claim"] == claim) & (failures["policy"] == policy)]
    first = part.iloc[0]
    if first["reason"]:
        return str(first["reason"])
    limits = ", ".join(
        f"{r.parameter} ∈ [{_g(r.min)}, {_g(r.max)}]" for r in part.itertuples(index=False)
    )
    return (
        f"{limits} (coverage {first['coverage']:.0%}, density {first['density']:.0%}; "
        f"fails in {first['base_rate']:.0%} overall)"
    )


def print_analysis(analysis: Any, failures: Any) -> None:
    """The claim table (sign share, paired-CI shares, effect), the regret table and
    where each claim fails."""
    from rich.table import Table

    spec = analysis.robustness.spec
    table = Table(
        title=f"{spec.name}: claims over {spec.samples} LHS samples × {spec.replications} "
        f"replication{'s' if spec.replications != 1 else ''} (same seeds for every policy); "
        f"share with its {spec.confidence:.0%} Wilson CI; effect: policy − baseline, "
        "median [5%, 95%] over samples"
    )
    columns = (
        "claim",
        "policy vs baseline",
        "holds in",
        "clearly holds / fails",
        "no effect",
        "effect",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "claim" else "right")
    table.add_column("most influential (ρ)")
    for row in analysis.claims.itertuples():
        table.add_row(
            f"{row.label}\n({row.outcome}, {row.better} is better)",
            f"{row.policy}\nvs {row.baseline}",
            _share(row),
            f"{_pct(row.clearly_holds)} / {_pct(row.clearly_fails)}",
            _pct(row.no_effect),
            _effect(row),
            f"{row.influential} ({_g(row.rho)})",
        )
    console = stdout_console(120)
    console.print(table)
    regret = Table(title="regret against the best policy of each sample (outcome units)")
    for column in ("outcome", "policy", "median", "max", "best in"):
        regret.add_column(column, justify="left" if column in ("outcome", "policy") else "right")
    for row in analysis.regret.itertuples():
        regret.add_row(
            row.outcome, row.policy, _g(row.regret_median), _g(row.regret_max), _pct(row.best_share)
        )
    console.print(regret)
    for row in analysis.claims.itertuples():
        print(f"where '{row.label}' ({row.policy}) fails: {_box(failures, row.claim, row.policy)}")


def markdown(analysis: Any) -> str:
    """The study's section of docs/robustness.md: its sizes, the claim table, the
    regret table and where each claim fails."""
    robustness = analysis.robustness
    spec = robustness.spec
    failures = failure_table(analysis)
    runs = robustness.experiment.n_runs
    ranges = ", ".join(f"`{k}` [{_g(lo)}, {_g(hi)}]" for k, (lo, hi) in robustness.ranges.items())
    fixed = ", ".join(f"`{k}` = {v}" for k, v in spec.set.items()) or "none"
    days = f"{spec.days:g}" if spec.days else "the scenario's"
    lines = [
        f"### {spec.name}",
        "",
        *([spec.description.strip(), ""] if spec.description.strip() else []),
        f"Scenario `{spec.scenario}`; fixed: {fixed}; days: {days}. "
        f"{spec.samples} LHS samples × {len(robustness.policies)} policies × "
        f"{spec.replications} replications = {runs} runs (seed {spec.seed}). "
        f"Varied: {ranges}.",
        "",
        "| claim | policy vs baseline | holds in (95% Wilson CI) | clearly holds / fails "
        "| no effect | effect, median [5%, 95%] | most influential (ρ) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in analysis.claims.itertuples():
        lines.append(
            f"| {row.label} (`{row.outcome}`, {row.better} is better) | {row.policy} vs "
            f"{row.baseline} | {_share(row)} of {row.samples} | {_pct(row.clearly_holds)} / "
            f"{_pct(row.clearly_fails)} | {_pct(row.no_effect)} | {_effect(row)} | "
            f"`{row.influential}` ({_g(row.rho)}) |"
        )
    lines += [
        "",
        "| outcome | policy | median regret | max regret | best in |",
        "|---|---|---|---|---|",
    ]
    for row in analysis.regret.itertuples():
        lines.append(
            f"| `{row.outcome}` | {row.policy} | {_g(row.regret_median)} | "
            f"{_g(row.regret_max)} | {_pct(row.best_share)} |"
        )
    lines.append("")
    for row in analysis.claims.itertuples():
        where = _box(failures, row.claim, row.policy)
        lines.append(f"- Where *{row.label}* fails ({row.policy}): {where}")
    return "\n".join(lines) + "\n"


def write_section(path: Path, name: str, text: str) -> None:
    """Put ``text`` between the study's marks in ``path``: replace its section if there
    is one, else append it (a new file is created)."""
    start, end = _START.format(name=name), _END.format(name=name)
    block = f"{start}\n{text}{end}\n"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    new = pattern.sub(lambda _: block, old) if pattern.search(old) else old + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")
