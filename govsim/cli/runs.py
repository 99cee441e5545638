"""``govsim run``, ``compare``, ``check``, ``theory`` and ``params``: one scenario at a time."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govsim.cli import options
from govsim.cli.common import (
    SCENARIO_HELP,
    days_arg,
    executor_args,
    export,
    export_args,
    load_args,
    num,
    pct,
    print_comparison,
    scenario_args,
    stdout_console,
    triple,
)
from govsim.cli.jsonout import dumps
from govsim.errors import GovsimError
from govsim.world.window import describe

if TYPE_CHECKING:
    from rich.table import Table

#: The figures ``govsim run`` can save besides its tables: option → what it draws.
FIGURES = {
    "--plot": "the run's figure (.png, .svg or .pdf)",
    "--plot-by-time": "the by-time figure: incidents by hour, weekday and month, waits and "
    "resolution times by hour and weekday of report (1280×720, for a slide)",
    "--plot-hours": "the working-time figure: handlers on duty through the week, and hours "
    "on duty, paid and in overtime by role (1280×720, for a slide)",
}


def add_run_commands(sub: Any) -> None:
    """Add ``run``, ``compare``, ``check`` and ``params`` to the ``govsim`` subparsers."""
    run = sub.add_parser(
        "run",
        help="run one scenario and print its outcomes",
        description="Run one scenario once and print its outcomes (a table, or JSON).",
    )
    scenario_args(run)
    run.add_argument("--seed", type=options.seed, default=0, help="random seed (default 0)")
    days_arg(run)
    run.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    run.add_argument(
        "--ledger",
        type=options.output_file(*options.LEDGER_SUFFIXES),
        metavar="OUT.parquet",
        help="also save every event",
    )
    for flag, what in FIGURES.items():
        run.add_argument(
            flag,
            type=options.output_file(*options.FIGURE_SUFFIXES),
            metavar="OUT.png",
            help=f"also save {what}",
        )
    export_args(run)
    run.set_defaults(handler=cmd_run)

    compare = sub.add_parser(
        "compare",
        help="compare policies on one scenario, with 95%% CIs and paired differences",
        description="Run a scenario under each policy for --reps replications. Replication k "
        "of every policy uses the same seed (common random numbers), so the difference to "
        "the first policy is paired seed by seed.",
    )
    scenario_args(
        compare,
        policy_help="a policy file or shipped name, a file winning (repeatable; the first is "
        "the baseline; default: status_quo)",
        many=True,
    )
    compare.add_argument(
        "--reps", type=options.reps, default=10, help="replications per policy (2 or more)"
    )
    compare.add_argument(
        "--seed", type=options.seed, default=0, help="seed of the first replication"
    )
    days_arg(compare)
    compare.add_argument("--json", action="store_true", help="print the table as JSON records")
    compare.add_argument(
        "--plot",
        type=options.output_file(*options.FIGURE_SUFFIXES),
        metavar="OUT.png",
        help="save the comparison figures: each policy's means with CIs to OUT.png, the "
        "paired differences to the first policy (a forest plot) to OUT_differences.png "
        "(1280×720, for a slide)",
    )
    export_args(compare)
    executor_args(compare)
    compare.set_defaults(handler=cmd_compare)

    check = sub.add_parser(
        "check",
        help="validate scenario files and their map files without running them",
        description="Validate scenario files without running them: the schema, the "
        "cross-checks and the map each one draws (a GraphML or GeoJSON map file is read "
        "and built). The engine against queueing theory is `govsim theory`.",
    )
    check.add_argument("files", nargs="*", type=Path, metavar="FILE", help=SCENARIO_HELP)
    # the options of the former `check --theory`, kept to point to `govsim theory`
    check.add_argument("--theory", action="store_true", help=argparse.SUPPRESS)
    check.add_argument("--reps", help=argparse.SUPPRESS)
    check.set_defaults(handler=cmd_check)

    theory = sub.add_parser(
        "theory",
        help="check the engine against queueing theory (Erlang C, Jackson networks) and, "
        "on a day/night desk, against Ciw",
        description="Run the engine with behaviour off on M/M/c and Jackson-network "
        "scenarios and compare waits, queue lengths and utilisations with the formulas, "
        "at 95% family-wise confidence; then run the day/night desk of "
        "scenarios/theory/daily.yaml in govsim and in Ciw and compare the mean wait by "
        "hour of arrival (and with the PSA and MOL approximations where they are expected "
        "to hold). Exits with 1 when a check fails.",
    )
    theory.add_argument(
        "--reps", type=options.reps, default=10, help="replications per check (default 10)"
    )
    theory.add_argument(
        "--days",
        type=options.days,
        default=365.0,
        help="simulated days per replication, the warm-up included (default 365)",
    )
    theory.add_argument(
        "--daily-reps",
        type=options.reps,
        default=30,
        help="replications of the day/night desk, in govsim and in Ciw each (default 30)",
    )
    theory.add_argument("--json", action="store_true", help="print the checks as JSON")
    theory.set_defaults(handler=cmd_theory)

    params = sub.add_parser(
        "params",
        help="list every parameter path with its value, type and allowed range",
        description="List every parameter of a scenario: its dotted path (for --set), "
        "value, type, allowed range and meaning.",
    )
    scenario_args(params)
    export_args(params)
    params.set_defaults(handler=cmd_params)


def cmd_run(args: argparse.Namespace) -> int:
    """`govsim run`: run one scenario and print its outcomes; returns the exit status."""
    from govsim.analysis.export import run_tables
    from govsim.engine.model import simulate
    from govsim.policies.files import STATUS_QUO
    from govsim.record.metrics import summarize

    scenario = load_args(args)
    ledger = simulate(scenario, seed=args.seed, days=args.days)
    summary = summarize(ledger)
    if args.ledger:
        ledger.to_parquet(args.ledger)
    policy = Path(args.policy or STATUS_QUO.name).stem
    if args.plot:
        from govsim.plots.figures import plot_run

        plot_run(ledger, args.plot, policy=policy)
    if args.plot_by_time:
        from govsim.plots.by_time import plot_by_time

        plot_by_time(ledger, args.plot_by_time, policy)
    if args.plot_hours:
        from govsim.plots.hours import plot_hours

        plot_hours(ledger, args.plot_hours, policy)
    if args.json:
        print(dumps(summary))
    else:
        _print_summary(summary, describe(ledger.window_h))
        figures = (args.plot, args.plot_by_time, args.plot_hours)
        saved = (("ledger", args.ledger), *(("figure", path) for path in figures))
        for label, path in saved:
            if path:
                print(f"{label} saved to {path}")
    export(args, run_tables(summary, policy), quiet=args.json)
    return 0


def _print_summary(summary: dict[str, Any], window: str) -> None:
    from rich.table import Table

    console = stdout_console()
    res = summary["resolution_time_h"]
    head = Table(title=f"{summary['scenario']} — seed {summary['seed']}, {window}")
    head.add_column("outcome")
    head.add_column("value", justify="right")
    rows = [
        ("incidents (in window)", f"{summary['incidents']:,}"),
        ("reported / resolved", f"{summary['reported']:,} / {summary['resolved']:,}"),
        ("resolution time mean / median / p90 (h)", triple(res)),
        ("escalation rate (left the grid)", pct(summary["escalation_rate"])),
        *((f"  reached {tier}", pct(share)) for tier, share in summary["reached"].items()),
        ("on-time rate", pct(summary["on_time_rate"])),
        (
            "satisfaction (1–5) / share satisfied",
            f"{num(summary['satisfaction'])} / {pct(summary['share_satisfied'])}",
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
            num(row["mean_wait_h"]),
            num(row["mean_sojourn_h"]),
            pct(row["utilisation"]),
        )
    console.print(tiers)
    console.print(_working_time(summary["hours"]))


def _working_time(hours: dict[str, Any]) -> Table:
    """The run's working time by role: hours on duty, paid and overtime, and what became
    of incidents that met a desk with nobody on shift (its caption)."""
    from rich.table import Table

    table = Table(title="working time (h in the window)")
    for col in ("role", "on duty", "paid", "overtime"):
        table.add_column(col, justify="left" if col == "role" else "right", no_wrap=True)
    for role, on_duty in hours["on_duty_h"].items():
        if on_duty or hours["paid_h"][role]:
            table.add_row(
                role.replace("_", " "),
                f"{on_duty:,.0f}",
                f"{hours['paid_h'][role]:,.0f}",
                f"{hours['overtime_h'][role]:,.0f}",
            )
    late = hours["out_of_hours"]
    table.caption = (
        f"{pct(late['share'])} of incidents met a closed desk, waiting {num(late['wait_h'])} h "
        f"(the others {num(late['wait_in_hours_h'])} h); {hours['call_outs']:,} call-outs"
    )
    return table


def cmd_compare(args: argparse.Namespace) -> int:
    """`govsim compare`: policies on one scenario over replications, with 95% CIs and
    paired differences; returns the exit status."""
    from govsim.analysis.comparison import OUTCOMES, compare
    from govsim.experiments.executors import open_executor
    from govsim.experiments.run import policy_runs, run_all
    from govsim.policies.files import STATUS_QUO, check_distinct, load_policy
    from govsim.world.scenario import load_scenario, parse_assignments, scenario_path

    policies = [load_policy(p) for p in args.policy] or [STATUS_QUO]
    check_distinct(policies)
    overrides = parse_assignments(args.set)
    for policy in policies:  # refuse a bad policy before anything runs
        load_scenario(args.file, overrides, policy.sections, policy.source)
    scenario = scenario_path(args.file)
    runs = policy_runs(scenario, policies, args.reps, args.seed, args.days, overrides)
    with open_executor(args.executor, args.workers, args.address) as executor:
        frame = run_all(runs, sys.stderr.isatty() and not args.json, executor)
    table = compare(frame, baseline=policies[0].name)
    if args.json:
        print(dumps(table))
    else:
        print_comparison(table, policies[0].name, args.reps, OUTCOMES)
    export(args, {"comparison": table}, quiet=args.json)
    if args.plot:
        from govsim.plots.comparison import plot_comparison

        saved = plot_comparison(table, args.plot, scenario=args.file.stem)
        if not args.json:
            print("figures saved to " + ", ".join(map(str, saved)))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """`govsim check`: validate scenario files and their map files without running them;
    returns the exit status."""
    from govsim.world.geography import GeographyError, scenario_map
    from govsim.world.scenario import load_scenario

    if args.theory:
        raise GovsimError("check --theory is now `govsim theory [--reps N] [--days D] [--json]`")
    if not args.files:
        raise GovsimError("check: name the scenario files to validate")
    for path in args.files:
        scenario = load_scenario(path)
        try:
            grid_map = scenario_map(scenario.map)
        except GeographyError as exc:
            raise GovsimError(f"{path}: map: {exc}") from None
        print(
            f"{path}: ok ({scenario.name}: {len(scenario.incidents)} incident types, "
            f"tiers {' → '.join(scenario.tiers)}, {grid_map.n_cells:,} cells)"
        )
    return 0


def cmd_theory(args: argparse.Namespace) -> int:
    """`govsim theory`: the engine against queueing theory; returns the exit status."""
    from govsim.analysis.daily import daily_passed, daily_table, run_daily
    from govsim.analysis.theory import theory_report

    table = theory_report(reps=args.reps, days=args.days)
    runs = run_daily(args.daily_reps)
    daily = daily_table(runs)
    peer = runs.ciw is not None
    if args.json:
        hours = {"reps": args.daily_reps, "ciw": peer, "hours": daily}
        print(dumps({"reps": args.reps, "days": args.days, "checks": table, "daily": hours}))
    else:
        _print_theory(table)
        _print_daily(daily, args.daily_reps, peer)
    return 0 if bool(table["within_ci"].all()) and daily_passed(daily) else 1


def _print_theory(table) -> None:
    from rich.table import Table

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
    stdout_console().print(out)


def _print_daily(table, reps: int, peer: bool) -> None:
    from rich.table import Table

    out = Table(
        title=f"day/night desk: mean wait (h) by hour of arrival, {reps} replications each "
        "(95% family-wise CIs; PSA/MOL checked where marked *)"
    )
    columns = ["hour", "λ/h", "c", "govsim"] + (["Ciw", "difference", "ok"] if peer else [])
    for col in [*columns, "PSA", "MOL"]:
        out.add_column(col, justify="right")
    for row in table.itertuples():
        cells = [f"{row.hour:02d}", f"{row.arrival_rate:g}", str(row.servers)]
        cells.append(f"{row.govsim:.4f} ± {(row.govsim_high - row.govsim_low) / 2:.4f}")
        if peer:
            cells.append(f"{row.ciw:.4f} ± {(row.ciw_high - row.ciw_low) / 2:.4f}")
            diff, half = (row.diff_high + row.diff_low) / 2, (row.diff_high - row.diff_low) / 2
            cells.append(f"{diff:+.4f} ± {half:.4f}")
            cells.append("yes" if row.agree else "NO")
        for value, ok in ((row.psa, row.psa_ok), (row.mol, row.mol_ok)):
            mark = ("*" if ok else "* NO") if row.checked else ""
            shown = f"{value:.4f}" if math.isfinite(value) else "—"  # no stationary answer
            cells.append(f"{shown}{mark}")
        out.add_row(*cells)
    console = stdout_console()
    console.print(out)
    if not peer:
        console.print(
            "Ciw is not installed (pip install 'govsim[bench]'): govsim alone shown",
            markup=False,
        )


def cmd_params(args: argparse.Namespace) -> int:
    """`govsim params`: every parameter path with its value, type, allowed range and
    meaning; returns the exit status."""
    from govsim.analysis.export import parameter_table
    from govsim.world.scenario import iter_parameters

    scenario = load_args(args)
    rows = [("path", "value", "type", "allowed", "meaning")]
    rows += [(p, str(v), t, a, d) for p, v, t, a, d in iter_parameters(scenario)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:  # plain aligned text, one parameter a line, so it greps well
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[4]]).rstrip())
    export(args, {"parameters": parameter_table(scenario)})
    return 0
