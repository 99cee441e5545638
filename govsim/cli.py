"""The ``govsim`` command line.

Each subcommand is a thin layer over the library: parse, call, print. User mistakes
(a bad file, an unknown parameter path) print one clear message and exit with status 2;
they never show a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from govsim.errors import GovsimError
from govsim.policies.files import STATUS_QUO, load_policy
from govsim.preset_cli import add_preset_commands
from govsim.scenario import Scenario, iter_parameters, load_scenario, parse_assignments
from govsim.sensitivity_cli import add_sensitivity_command

EPILOG = """examples:
  govsim run scenarios/demo.yaml
  govsim run scenarios/demo.yaml --set staffing.grid_workers_per_grid=3 --days 90 --json
  govsim run scenarios/demo.yaml --policy overdue_alerts
  govsim compare scenarios/demo.yaml --policy status_quo --policy fast_handoffs --reps 10
  govsim params scenarios/demo.yaml
  govsim check scenarios/demo.yaml
  govsim check --theory
  govsim experiment experiments/routing_demo.yaml --out out/routing --executor processes
  govsim report out/routing
  govsim sensitivity experiments/sensitivity/sobol_demo.yaml --out out/sobol --executor processes
  govsim plan scenarios/demo.yaml --target "resolution_time_h.p90<=48" \\
      --vary staffing.grid_workers_per_grid=1..6
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``govsim`` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="govsim",
        description="Simulate community grid governance and compare policies.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run one scenario and print its outcomes",
        description="Run one scenario once and print its outcomes (a table, or JSON).",
    )
    _scenario_args(run)
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument("--days", type=float, help="simulated days (default: the file's run.days)")
    run.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    run.add_argument("--ledger", type=Path, metavar="OUT.parquet", help="also save every event")
    run.add_argument("--plot", type=Path, metavar="OUT.png", help="also save the run's figure")
    run.set_defaults(handler=_cmd_run)

    compare = sub.add_parser(
        "compare",
        help="compare policies on one scenario, with 95%% CIs and paired differences",
        description="Run a scenario under each policy for --reps replications. Replication k "
        "of every policy uses the same seed (common random numbers), so the difference to "
        "the first policy is paired seed by seed.",
    )
    _scenario_args(
        compare,
        policy_help="a policy name or file (repeatable; the first is "
        "the baseline; default: status_quo)",
        many=True,
    )
    compare.add_argument("--reps", type=int, default=10, help="replications per policy")
    compare.add_argument("--seed", type=int, default=0, help="seed of the first replication")
    compare.add_argument("--days", type=float, help="simulated days (default: the file's)")
    compare.add_argument("--json", action="store_true", help="print the table as JSON records")
    compare.add_argument("--plot", type=Path, metavar="OUT.png", help="save the comparison figure")
    _executor_args(compare)
    compare.set_defaults(handler=_cmd_compare)

    check = sub.add_parser(
        "check",
        help="validate a scenario file, or the engine against queueing theory",
        description="Validate scenario files without running them; with --theory, run the "
        "engine with behaviour off and compare it with Erlang C and Jackson networks.",
    )
    check.add_argument("files", nargs="*", type=Path, metavar="FILE", help="scenario files")
    check.add_argument("--theory", action="store_true", help="run the queueing-theory checks")
    check.add_argument("--reps", type=int, default=10, help="replications per theory check")
    check.set_defaults(handler=_cmd_check)

    params = sub.add_parser(
        "params",
        help="list every parameter path with its value, type and allowed range",
        description="List every parameter of a scenario: its dotted path (for --set), "
        "value, type, allowed range and meaning.",
    )
    _scenario_args(params)
    params.set_defaults(handler=_cmd_params)
    _add_viz_command(sub)
    add_preset_commands(sub)
    _experiment_commands(sub)
    add_sensitivity_command(sub)
    return parser


def _scenario_args(
    parser: argparse.ArgumentParser,
    policy_help: str = "a policy name (policies/NAME.yaml) or file laid over the scenario",
    many: bool = False,
) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="scenario YAML file")
    parser.add_argument(
        "--policy",
        action="append" if many else "store",
        default=[] if many else None,
        metavar="NAME_OR_FILE",
        help=policy_help,
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a parameter, e.g. --set incidents.dispute.rate=0.4 (repeatable)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``govsim`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except GovsimError as exc:
        print(f"govsim: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("govsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0


def _load(args: argparse.Namespace) -> Scenario:
    policy = load_policy(args.policy) if args.policy else STATUS_QUO
    return load_scenario(args.file, parse_assignments(args.set), policy.sections, policy.source)


def _cmd_run(args: argparse.Namespace) -> int:
    from govsim.metrics import summarize
    from govsim.model import simulate

    scenario = _load(args)
    ledger = simulate(scenario, seed=args.seed, days=args.days)
    summary = summarize(ledger)
    if args.ledger:
        ledger.to_parquet(args.ledger)
    if args.plot:
        from govsim.plots import plot_run

        plot_run(ledger, args.plot, policy=Path(args.policy or STATUS_QUO.name).stem)
    if args.json:
        print(json.dumps(summary, indent=2, allow_nan=False, default=_json_default))
    else:
        _print_summary(summary)
        for label, path in (("ledger", args.ledger), ("figure", args.plot)):
            if path:
                print(f"{label} saved to {path}")
    return 0


def _json_default(value: Any) -> Any:
    raise TypeError(f"not JSON serialisable: {value!r}")


def _print_summary(summary: dict[str, Any]) -> None:
    console = Console()
    res = summary["resolution_time_h"]
    head = Table(title=f"{summary['scenario']} — seed {summary['seed']}, {summary['days']:g} days")
    head.add_column("outcome")
    head.add_column("value", justify="right")
    rows = [
        ("incidents (in window)", f"{summary['incidents']:,}"),
        ("reported / resolved", f"{summary['reported']:,} / {summary['resolved']:,}"),
        ("resolution time mean / median / p90 (h)", _triple(res)),
        ("escalation rate (left the grid)", _pct(summary["escalation_rate"])),
        *((f"  reached {tier}", _pct(share)) for tier, share in summary["reached"].items()),
        ("on-time rate", _pct(summary["on_time_rate"])),
        (
            "satisfaction (1–5) / share satisfied",
            f"{_num(summary['satisfaction'])} / {_pct(summary['share_satisfied'])}",
        ),
        (
            "hidden / backlog at horizon",
            f"{summary['hidden_at_horizon']} / {summary['backlog_at_horizon']}",
        ),
    ]
    for name, value in rows:
        head.add_row(name, value)
    console.print(head)
    tiers = Table(title="by tier")
    for col in ("tier", "servers", "arrivals", "mean wait h", "mean sojourn h", "utilisation"):
        tiers.add_column(col, justify="left" if col == "tier" else "right", no_wrap=True)
    for name, row in summary["tiers"].items():
        tiers.add_row(
            name,
            f"{row['servers']:.3g}",
            f"{row['arrivals']:,}",
            _num(row["mean_wait_h"]),
            _num(row["mean_sojourn_h"]),
            _pct(row["utilisation"]),
        )
    console.print(tiers)


def _triple(stats: dict[str, float]) -> str:
    return " / ".join(_num(stats[k]) for k in ("mean", "median", "p90"))


def _num(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.2f}".replace("-0.00", "0.00")


def _thousands(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.0f}"


def _pct(value: float | None) -> str:
    return (
        "–" if value is None or math.isnan(value) else f"{100 * value:.1f}%".replace("-0.0", "0.0")
    )


def _cmd_compare(args: argparse.Namespace) -> int:
    from govsim.analysis import OUTCOMES, compare
    from govsim.experiment import policy_runs, run_all

    policies = [load_policy(p) for p in args.policy] or [STATUS_QUO]
    overrides = parse_assignments(args.set)
    for policy in policies:  # refuse a bad policy before anything runs
        load_scenario(args.file, overrides, policy.sections, policy.source)
    runs = policy_runs(args.file, policies, args.reps, args.seed, args.days, overrides)
    from govsim.executors import open_executor

    with open_executor(args.executor, args.workers, args.address) as executor:
        frame = run_all(runs, sys.stderr.isatty() and not args.json, executor)
    table = compare(frame, baseline=policies[0].name)
    if args.json:
        print(table.to_json(orient="records", indent=2))
    else:
        _print_comparison(table, policies[0].name, args.reps, OUTCOMES)
    if args.plot:
        from govsim.plots import comparison_figure, save_figure

        save_figure(comparison_figure(table, scenario=args.file.stem), args.plot)
        if not args.json:
            print(f"figure saved to {args.plot}")
    return 0


def _print_comparison(table, baseline: str, reps: int, outcomes: dict) -> None:
    policies = list(dict.fromkeys(table["policy"]))
    out = Table(
        title=f"mean ± 95% CI half-width over {reps} replications; Δ: paired difference to "
        f"{baseline} (same seeds)"
    )
    out.add_column("outcome")
    for policy in policies:
        out.add_column(policy, justify="right")
    cells = table.set_index(["outcome", "policy"])
    for name, (label, higher_better) in outcomes.items():
        fmt = _pct if name.endswith(("rate", "share_satisfied", "utilisation")) else _num
        if name == "staff_cost":
            fmt = _thousands
        row = []
        for policy in policies:
            r = cells.loc[(name, policy)]
            text = f"{fmt(r['mean'])} ± {fmt((r['high'] - r['low']) / 2)}"
            if policy != baseline:
                diff_half = fmt((r["diff_high"] - r["diff_low"]) / 2)
                text += f"\nΔ {_signed(fmt, r['diff'])} ± {diff_half}"
            row.append(text)
        out.add_row(label + _direction(higher_better, "\n"), *row)
    Console(width=max(100, Console().width)).print(out)


def _direction(higher_better: bool | None, sep: str) -> str:
    if higher_better is None:
        return ""
    return f"{sep}({'higher' if higher_better else 'lower'} is better)"


def _signed(fmt, value: float) -> str:
    text = fmt(value)
    return text if text.startswith("-") or text == "–" else f"+{text}"


def _cmd_check(args: argparse.Namespace) -> int:
    if not args.files and not args.theory:
        raise GovsimError("check: name scenario files to validate, or pass --theory")
    for path in args.files:
        scenario = load_scenario(path)
        print(
            f"{path}: ok ({scenario.name}: {len(scenario.incidents)} incident types, "
            f"tiers {' → '.join(scenario.tiers)})"
        )
    if args.theory:
        from govsim.validation import theory_report

        table = theory_report(reps=args.reps)
        _print_theory(table)
        return 0 if bool(table["within_ci"].all()) else 1
    return 0


def _print_theory(table) -> None:
    out = Table(title="engine vs queueing theory (behaviour off; 95% family-wise CIs)")
    for col in ("check", "quantity", "theory", "simulated", "95% CI", "ok"):
        out.add_column(col, justify="left" if col in ("check", "quantity") else "right")
    for row in table.itertuples():
        out.add_row(
            row.check,
            row.quantity,
            f"{row.theory:.4f}",
            f"{row.mean:.4f}",
            f"[{row.low:.4f}, {row.high:.4f}]",
            "yes" if row.within_ci else "NO",
        )
    Console().print(out)


def _cmd_params(args: argparse.Namespace) -> int:
    scenario = _load(args)
    rows = [("path", "value", "type", "allowed", "meaning")]
    rows += [(p, str(v), t, a, d) for p, v, t, a, d in iter_parameters(scenario)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:  # plain aligned text, one parameter a line, so it greps well
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[4]]).rstrip())
    return 0


def _add_viz_command(sub: Any) -> None:
    """The ``viz`` subcommand: the live app as a standalone web page."""
    viz = sub.add_parser(
        "viz",
        help="serve the live app (map, charts, levers) as a web page",
        description="Serve the live SolaraViz app for a scenario on http://HOST:PORT: the map "
        "of open incidents, live charts, and levers to change and Reset. Needs the viz extra "
        "(pip install 'govsim[viz]'). Stop it with Ctrl-C.",
    )
    viz.add_argument(
        "file", type=Path, nargs="?", metavar="SCENARIO", help="scenario YAML (default: the demo)"
    )
    viz.add_argument("--policy", default="status_quo", metavar="NAME_OR_FILE", help="policy")
    viz.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    viz.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    viz.add_argument("--host", default="127.0.0.1", help="address to listen on (default loopback)")
    viz.add_argument("--open", action="store_true", help="open the page in a web browser")
    viz.set_defaults(handler=_cmd_viz)


def _cmd_viz(args: argparse.Namespace) -> int:
    try:
        from govsim.viz.live import DEMO, build_scenario
        from govsim.viz.server import serve
    except ImportError as exc:  # solara or Mesa's viz parts missing
        raise GovsimError(
            f"viz: the live app needs the viz extra ({exc.name} is missing)"
        ) from None
    scenario_file = args.file or DEMO
    build_scenario(scenario_file, args.policy, None)  # refuse a bad file or policy up front
    return serve(scenario_file, args.policy, args.seed, args.port, args.host, args.open)


# --- experiments at scale: experiment, report, plan ----------------------------------------

EXPERIMENT_HELP = """\
Run every run of an experiment spec (scenarios × parameter samples × policies ×
replications; see experiments/*.yaml) and stream the results into --out DIR: one Parquet
table per kind (runs, series, ledgers) and manifest.json (spec, input hashes, seeds,
versions, git commit). Replication k of every policy and sample runs on seed
spec.seed + k (common random numbers). An interrupted experiment keeps every finished
batch; run the same command with --resume to finish it. The numbers are identical on
every executor."""

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


def _experiment_commands(sub: Any) -> None:
    """Add the ``experiment``, ``report`` and ``plan`` subcommands."""
    experiment = spec_command(
        sub,
        "experiment",
        "run an experiment spec into a results folder (resumable, on any executor)",
        EXPERIMENT_HELP,
    )
    experiment.add_argument(
        "--batch", type=int, default=25, metavar="N", help="runs per Parquet part (default 25)"
    )
    experiment.add_argument("--json", action="store_true", help="print a JSON summary; no bar")
    _executor_args(experiment)
    experiment.set_defaults(handler=_cmd_experiment)

    report = sub.add_parser(
        "report",
        help="summarise a results folder: means, 95%% CIs, paired differences; figures",
        description="Load a results folder and print, per scenario and parameter sample, "
        "each policy's mean and 95%% CI per outcome and its paired (same-seed) difference to "
        "the baseline policy; save figures in DIR/figures.",
    )
    report.add_argument("folder", type=Path, metavar="DIR", help="results folder")
    report.add_argument("--json", action="store_true", help="print the summary as JSON records")
    report.add_argument("--figures", type=Path, metavar="DIR", help="figures folder")
    report.set_defaults(handler=_cmd_report)

    plan = sub.add_parser(
        "plan",
        help="least-cost staffing meeting outcome targets with confidence",
        description=PLAN_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _scenario_args(plan)
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
    plan.add_argument("--confidence", type=float, default=0.95, help="one-sided (default 0.95)")
    plan.add_argument("--min-reps", type=int, default=5, help="first replications (default 5)")
    plan.add_argument("--step", type=int, default=5, help="replications added at a time")
    plan.add_argument("--max-reps", type=int, default=40, help="most replications per candidate")
    plan.add_argument("--seed", type=int, default=0, help="seed of the first replication")
    plan.add_argument("--days", type=float, help="simulated days (default: the file's)")
    plan.add_argument(
        "--plot",
        type=Path,
        default=Path("out/plan.png"),
        metavar="OUT.png",
        help="frontier figure (default out/plan.png)",
    )
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    _executor_args(plan)
    plan.set_defaults(handler=_cmd_plan)


def spec_command(sub: Any, name: str, help_text: str, description: str) -> Any:
    """A subcommand that runs a spec file into a results folder: ``SPEC --out DIR
    [--resume]`` (the caller adds the rest); returns its parser."""
    parser = sub.add_parser(
        name,
        help=help_text,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", type=Path, metavar="SPEC", help=f"{name} spec (YAML file)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="results folder")
    parser.add_argument(
        "--resume", action="store_true", help="finish the runs already in DIR (after a stop)"
    )
    return parser


def _executor_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--executor",
        choices=("serial", "processes", "dask"),
        default="serial",
        help="where runs execute (default serial; processes: local worker processes; "
        "dask: a Dask cluster, needs govsim[dask])",
    )
    parser.add_argument("--workers", type=int, metavar="N", help="worker processes (default: CPUs)")
    parser.add_argument(
        "--address", metavar="tcp://HOST:PORT", help="an existing Dask scheduler (--executor dask)"
    )


def _cmd_experiment(args: argparse.Namespace) -> int:
    from govsim.executors import open_executor
    from govsim.progress import wanted
    from govsim.runner import run_experiment
    from govsim.spec import load_experiment

    experiment = load_experiment(args.spec)
    if args.batch < 1:
        raise GovsimError(f"--batch {args.batch}: allowed: 1 or more")
    with open_executor(args.executor, args.workers, args.address) as executor:
        store = run_experiment(
            experiment, args.out, executor, args.resume, args.batch, wanted(args.json)
        )
    done = {"out": str(args.out), "runs_total": experiment.n_runs, "runs_done": len(store.finished)}
    if args.json:
        print(json.dumps(done, indent=2))
    else:
        print(
            f"{done['runs_done']} of {done['runs_total']} runs stored in {args.out}; "
            f"summary: govsim report {args.out}"
        )
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from govsim.analysis import OUTCOMES
    from govsim.results import load, summary
    from govsim.sensitivity_cli import is_sensitivity_folder, report

    if is_sensitivity_folder(args.folder):
        return report(args.folder, args.json, args.figures)
    results = load(args.folder)
    if results.runs.empty:
        raise GovsimError(f"{args.folder}: no finished runs yet")
    table = summary(results)
    figures = _report_figures(results, table, args.figures or args.folder / "figures")
    if args.json:
        print(table.to_json(orient="records", indent=2))
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
        _print_comparison(part, results.baseline, int(part["reps"].max()), labels)
    if len(strata) > 6:
        print(f"\n… {len(strata) - 6} more samples: see `govsim report {args.folder} --json`")
    for path in figures:
        print(f"figure saved to {path}")
    return 0


def _report_figures(results: Any, table: Any, folder: Path) -> list[Path]:
    from govsim.plots import comparison_figure, save_figure, series_figure, sweep_figure

    saved = []
    strata = list(table.groupby(["scenario", "sample"], sort=True))
    for (scenario, sample), part in strata[:6]:
        title = f"{scenario}, sample {sample}: means with 95% CIs"
        path = folder / f"compare-{scenario}-{sample}.png"
        saved.append(save_figure(comparison_figure(part, title), path))
    if not results.series.empty:
        first = results.runs[["scenario", "sample"]].iloc[0]
        mine = (results.runs["scenario"] == first["scenario"]) & (
            results.runs["sample"] == first["sample"]
        )
        title = f"{first['scenario']}, sample {first['sample']}: means with 95% bands"
        fig = series_figure(results.series, results.runs[mine], title)
        saved.append(save_figure(fig, folder / "series.png"))
    if len(results.parameters) == 1:
        parameter = results.parameters[0]
        fig = sweep_figure(table, parameter, f"{results.manifest['experiment']}: sweep")
        saved.append(save_figure(fig, folder / "sweep.png"))
    return saved


def _cmd_plan(args: argparse.Namespace) -> int:
    from govsim.executors import open_executor
    from govsim.planner import parse_target, parse_vary, plan
    from govsim.plots import frontier_figure, save_figure
    from govsim.progress import wanted

    targets = [parse_target(t) for t in args.target]
    vary = dict(parse_vary(v) for v in args.vary)
    policy = load_policy(args.policy) if args.policy else STATUS_QUO
    with open_executor(args.executor, args.workers, args.address) as executor:
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
            executor,
            wanted(args.json),
        )
    save_figure(frontier_figure(result), args.plot)
    if args.json:
        record = {
            "best": result.best,
            "targets": [str(t) for t in targets],
            "confidence": result.confidence,
            "candidates": json.loads(result.table.to_json(orient="records")),
        }
        print(json.dumps(record, indent=2))
    else:
        _print_plan(result)
        print(f"figure saved to {args.plot}")
    return 0 if result.best is not None else 1


def _print_plan(result: Any) -> None:
    out = Table(
        title=f"candidates by cost; bound: one-sided {result.confidence:.0%} confidence bound "
        "of the mean"
    )
    for col in result.table.columns:
        header = str(col).replace(" ", "\n").replace(".", ".\n")  # fold long paths
        out.add_column(header, justify="left" if col == "verdict" else "right", overflow="fold")
    for row in result.table.itertuples(index=False):
        out.add_row(*(_cell(v) for v in row))
    Console(width=max(100, Console().width)).print(out)
    if result.best is None:
        print(f"no candidate meets every target ({', '.join(map(str, result.targets))})")
    else:
        chosen = ", ".join(f"{k}={v}" for k, v in result.best.items())
        print(f"least-cost staffing meeting every target: {chosen}")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return _thousands(value) if abs(value) >= 1000 else _num(value)
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
