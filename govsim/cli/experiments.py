"""``govsim experiment``, ``report`` and ``plan``: experiments at scale."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from govsim.child_processes import terminating_signals
from govsim.cli import options
from govsim.cli.common import (
    announce,
    cell,
    days_arg,
    executor_args,
    export,
    export_args,
    overrides,
    print_comparison,
    quiet_arg,
    scenario_args,
    size_args,
    spec_command,
    stdout_console,
)
from govsim.cli.jsonout import dumps
from govsim.cli.options import check_writable
from govsim.errors import GovsimError

EXPERIMENT_HELP = """\
Run every run of an experiment spec (scenarios × parameter samples × policies ×
replications; see experiments/*.yaml) and stream the results into --out DIR: one Parquet
table per kind (runs, series, ledgers) and manifest.json (spec, input hashes, seeds,
versions, git commit). Replication k of every policy and sample runs on seed
spec.seed + k (common random numbers). An interrupted experiment keeps every finished
batch; run the same command with --resume to finish it (it verifies every stored part's
checksum first and runs a damaged batch again). One process writes a folder at a time.
The numbers are identical on every executor."""

PLAN_HELP = """\
Find the least-cost staffing that meets every --target with one-sided --confidence
(e.g. the upper 95%% bound of the mean p90 resolution time is at most 48 h). Candidates
are every combination of the --vary values; the search assumes more staff never hurts:
it bisects one varied parameter (or walks up in cost order over several), adding
replications to a candidate only until its confidence bounds decide it. Cost is the
run's staff cost (summary staff_cost). Targets name outcomes: the compared ones
(resolution_mean_h, resolution_p90_h, escalation_rate, on_time_rate, satisfaction,
share_satisfied, grid_utilisation, trust_end, staff_cost) or any number in
`govsim run FILE --json` by its dotted path (resolution_time_h.p90,
tiers.grid.mean_wait_h, reached.city …)."""


def add_experiment_commands(sub: Any) -> None:
    """Add the ``experiment``, ``report`` and ``plan`` subcommands."""
    experiment = spec_command(
        sub,
        "experiment",
        "run an experiment spec into a results folder (resumable, on any executor)",
        EXPERIMENT_HELP,
    )
    experiment.add_argument(
        "--batch",
        type=options.count(1, 100_000),
        default=25,
        metavar="N",
        help="runs per Parquet part (default 25)",
    )
    experiment.add_argument("--json", action="store_true", help="print a JSON summary; no bar")
    quiet_arg(experiment)
    size_args(
        experiment,
        "Latin hypercube samples (the spec's parameters.samples; only for design lhs)",
    )
    executor_args(experiment)
    experiment.set_defaults(handler=cmd_experiment)

    report = sub.add_parser(
        "report",
        help="summarise a results folder: means, 95%% CIs, paired differences; figures",
        description="Load a results folder and print, per scenario and parameter sample, "
        "each policy's mean and 95%% CI per outcome and its paired (same-seed) difference to "
        "the baseline policy; with --figures OUT, save figures there. A sensitivity study's "
        "folder gets its indices, a robustness study's its claim tables (from the spec file "
        "it ran, which must be unchanged). The results folder is only read (every part's "
        "checksum verified), never written.",
    )
    report.add_argument("folder", type=Path, metavar="DIR", help="results folder")
    shown = report.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print the summary as JSON records")
    shown.add_argument(
        "--format",
        choices=REPORT_FORMATS,
        default="table",
        help="print the tables as text tables (default), CSV, Markdown (to paste into a "
        "document) or an Excel workbook (binary: redirect it to a file)",
    )
    report.add_argument(
        "--figures",
        type=options.output_dir,
        metavar="DIR",
        help="save figures (and a sensitivity study's index tables) in DIR (default: none)",
    )
    export_args(report)
    report.set_defaults(handler=cmd_report)

    plan = sub.add_parser(
        "plan",
        help="least-cost staffing meeting outcome targets with confidence",
        description=PLAN_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scenario_args(plan)
    plan.add_argument(
        "--target",
        action="append",
        required=True,
        metavar="OUTCOME<=VALUE",
        help="a target, e.g. 'resolution_time_h.p90<=48' or 'on_time_rate>=0.9' (repeatable)",
    )
    plan.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="PATH=LOW..HIGH",
        help="a staffing parameter and its candidate values, e.g. "
        "staffing.grid_workers_per_grid=1..6 or staffing.office_staff.street=4,6,8 (repeatable)",
    )
    plan.add_argument(
        "--confidence", type=options.fraction, default=0.95, help="one-sided (default 0.95)"
    )
    plan.add_argument(
        "--min-reps", type=options.reps, default=5, help="first replications (default 5)"
    )
    plan.add_argument(
        "--step", type=options.count(1, 100_000), default=5, help="replications added at a time"
    )
    plan.add_argument(
        "--max-reps", type=options.reps, default=40, help="most replications per candidate"
    )
    plan.add_argument("--seed", type=options.seed, default=0, help="seed of the first replication")
    days_arg(plan)
    plan.add_argument(
        "--plot",
        type=options.output_file(*options.FIGURE_SUFFIXES),
        default="out/plan.png",  # a string, so that argparse checks it like a given path
        metavar="OUT.png",
        help="frontier figure (default out/plan.png)",
    )
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    executor_args(plan)
    plan.set_defaults(handler=cmd_plan)


def cmd_experiment(args: argparse.Namespace) -> int:
    """`govsim experiment`: run an experiment spec into a results folder; returns the exit
    status."""
    from govsim.experiments.executors import open_executor
    from govsim.experiments.experiment import run_experiment
    from govsim.experiments.spec import load_experiment
    from govsim.progress import wanted

    given = overrides(args)
    experiment = load_experiment(args.spec, given)
    announce(experiment.spec.name, given, experiment.n_runs, args.json)
    show = wanted(args.json or args.quiet)
    with terminating_signals(), open_executor(args.executor, args.workers, args.address) as ex:
        store = run_experiment(experiment, args.out, ex, args.resume, args.batch, show)
    done = {"out": str(args.out), "runs_total": experiment.n_runs, "runs_done": len(store.finished)}
    if args.json:
        print(dumps(done))
    else:
        print(
            f"{done['runs_done']} of {done['runs_total']} runs stored in {args.out}; "
            f"summary: govsim report {args.out}"
        )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """`govsim report`: summarise a results folder (means, 95% CIs, paired differences,
    figures); returns the exit status."""
    from govsim.analysis.comparison import OUTCOMES
    from govsim.cli.robustness import is_robustness_folder
    from govsim.cli.robustness import report as robustness_report
    from govsim.cli.sensitivity import is_sensitivity_folder, report
    from govsim.experiments.results import load, summary

    if args.format == "xlsx" and sys.stdout.isatty():
        raise GovsimError(
            "report --format xlsx: a workbook is binary; redirect it (> report.xlsx) "
            "or save it with --xlsx OUT.xlsx"
        )
    if is_sensitivity_folder(args.folder):
        return report(args.folder, args.json, args.figures, lambda t: _deliver(args, t))
    if is_robustness_folder(args.folder):
        return robustness_report(args.folder, args.json, args.figures, lambda t: _deliver(args, t))
    check_writable(args.figures or args.folder / "figures")
    results = load(args.folder)
    if results.runs.empty:
        raise GovsimError(f"{args.folder}: no finished runs yet")
    table = summary(results)
    figures = _report_figures(results, table, args.figures) if args.figures else []
    if _deliver(args, {"summary": table}):
        return 0
    if args.json:
        print(dumps(table))
        return 0
    labels = {name: OUTCOMES.get(name, (name, None)) for name in results.outcomes}
    m = results.manifest
    print(
        f"{m['experiment']}: {len(results.runs)} of {m['runs_total']} runs "
        f"({m['status']}), baseline {results.baseline}"
    )
    strata = list(table.groupby(["scenario", "sample"], sort=True))
    for (scenario, sample), part in strata[:6]:
        values = {p: part[p].iloc[0] for p in results.parameters}
        where = ", ".join(f"{k}={v}" for k, v in values.items())
        print(f"\n{scenario}, sample {sample}" + (f" ({where})" if where else ""))
        print_comparison(part, results.baseline, int(part["reps"].max()), labels)
    if len(strata) > 6:
        print(f"\n… {len(strata) - 6} more samples: see `govsim report {args.folder} --json`")
    for path in figures:
        print(f"figure saved to {path}")
    if not args.figures:
        print(f"figures: govsim report {args.folder} --figures OUT")
    return 0


#: What ``govsim report --format`` prints.
REPORT_FORMATS = ("table", "csv", "md", "xlsx")


def _deliver(args: argparse.Namespace, tables: Any) -> bool:
    """Save the report's tables where --csv and --xlsx say; with --format csv, md or xlsx
    print them in that format (and nothing else); True when they were printed so."""
    from govsim.analysis.export import csv_text, markdown, xlsx_bytes

    export(args, tables, quiet=args.json or args.format != "table")
    if args.format == "table":
        return False
    if args.format == "xlsx":
        sys.stdout.flush()
        sys.stdout.buffer.write(xlsx_bytes(tables))
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(csv_text(tables) if args.format == "csv" else markdown(tables))
    return True


def _report_figures(results: Any, table: Any, folder: Path) -> list[Path]:
    from govsim.plots.comparison import plot_comparison
    from govsim.plots.figures import save_figure
    from govsim.plots.series import series_figure
    from govsim.plots.sweep import sweep_figure

    saved = []
    strata = list(table.groupby(["scenario", "sample"], sort=True))
    for (scenario, sample), part in strata[:6]:
        title = f"{scenario}, sample {sample}: means with 95% CIs"
        saved += plot_comparison(part, folder / f"compare-{scenario}-{sample}.png", title)
    if not results.series.empty:
        first = results.runs[["scenario", "sample"]].iloc[0]
        mine = (results.runs["scenario"] == first["scenario"]) & (
            results.runs["sample"] == first["sample"]
        )
        title = f"{first['scenario']}, sample {first['sample']}: means with 95% bands"
        window = _window(results.manifest, first["scenario"])
        fig = series_figure(results.series, results.runs[mine], title, window)
        saved.append(save_figure(fig, folder / "series.png"))
    if len(results.parameters) == 1:
        parameter = results.parameters[0]
        fig = sweep_figure(table, parameter, f"{results.manifest['experiment']}: sweep")
        saved.append(save_figure(fig, folder / "sweep.png"))
    return saved


def _window(manifest: dict[str, Any], scenario: str) -> Any:
    """The run window of ``scenario`` (its label) in an experiment, for the series' shading:
    from its file recorded in the manifest and the spec's days; ``None`` when the file is
    no longer where it was."""
    from govsim.world.scenario import load_scenario
    from govsim.world.window import Window

    paths = [Path(p) for p in manifest["files"] if Path(p).stem == scenario]
    if not paths or not paths[-1].is_file():
        return None
    return Window.of(load_scenario(paths[-1]), manifest["spec"].get("days"))


def cmd_plan(args: argparse.Namespace) -> int:
    """`govsim plan`: the least-cost staffing meeting outcome targets; returns the exit
    status."""
    from govsim.experiments.executors import open_executor
    from govsim.experiments.planner import parse_target, parse_vary, plan
    from govsim.plots.figures import save_figure
    from govsim.plots.frontier import frontier_figure
    from govsim.policies.files import STATUS_QUO, load_policy
    from govsim.progress import wanted
    from govsim.world.scenario import parse_assignments

    if args.max_reps < args.min_reps:
        raise GovsimError(
            f"--max-reps {args.max_reps}: allowed: --min-reps ({args.min_reps}) or more"
        )
    targets = [parse_target(t) for t in args.target]
    vary: dict[str, Any] = {}
    for text in args.vary:
        path, values = parse_vary(text)
        if path in vary:
            raise GovsimError(f"--vary {path}: given twice; give each parameter once")
        vary[path] = values
    policy = load_policy(args.policy) if args.policy else STATUS_QUO
    with terminating_signals(), open_executor(args.executor, args.workers, args.address) as ex:
        result = plan(
            args.file,
            targets,
            vary,
            policy,
            parse_assignments(args.set),
            args.days,
            args.seed,
            args.confidence,
            args.min_reps,
            args.step,
            args.max_reps,
            ex,
            wanted(args.json),
        )
    save_figure(frontier_figure(result), args.plot)
    if args.json:
        record = {
            "best": result.best,
            "targets": [str(t) for t in targets],
            "confidence": result.confidence,
            "candidates": result.table,
        }
        print(dumps(record))
    else:
        _print_plan(result)
        print(f"figure saved to {args.plot}")
    return 0 if result.best is not None else 1


def _print_plan(result: Any) -> None:
    from rich.table import Table

    out = Table(
        title=f"candidates by cost; bound: one-sided {result.confidence:.0%} confidence bound "
        "of the mean"
    )
    for col in result.table.columns:
        header = str(col).replace(" ", "\n").replace(".", ".\n")  # fold long paths
        out.add_column(header, justify="left" if col == "verdict" else "right", overflow="fold")
    for row in result.table.itertuples(index=False):
        out.add_row(*(cell(v) for v in row))
    stdout_console(100).print(out)
    if result.best is None:
        print(f"no candidate meets every target ({', '.join(map(str, result.targets))})")
    else:
        chosen = ", ".join(f"{k}={v}" for k, v in result.best.items())
        print(f"least-cost staffing meeting every target: {chosen}")
