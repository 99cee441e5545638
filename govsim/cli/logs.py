"""``govsim import-log``, ``govsim backtest`` and ``govsim export-log``: from a platform's
incident log to a fitted scenario and its back-test, and a run as such a log
(docs/your-city.md). Heavy imports happen inside the commands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

IMPORT_HELP = """\
Read an incident log (CSV or Parquet) through a mapping file, fit rates (per type and
cell, shrunk), hour/weekday/month profiles, handling and resolution times (open
incidents censored) and routing shares, and write a scenario whose every number says
whether it came from the data (records, CI) or is an assumption to confirm. --scenario
BASE gives the map, staffing and departments; --report DIR writes the fits' tables, the
log's problems and figures."""

BACKTEST_HELP = """\
Fit the log's training period, simulate its test period --reps times, and compare daily
volumes, resolution-time p50/p90 and escalated shares per type with the log's. Passes
when every actual value lies in its prediction interval (Bonferroni, family-wise 95%);
exit status 1 when it does not. Writes DIR/fitted.yaml, DIR/backtest.csv and
DIR/backtest.png."""


def add_log_commands(sub: Any) -> None:
    """Add ``import-log``, ``backtest`` and ``export-log`` to ``govsim``'s subparsers."""
    cmd = sub.add_parser("import-log", help="fit a scenario to a platform's incident log",
                         description=IMPORT_HELP)
    _log_args(cmd)
    cmd.add_argument("--out", required=True, type=Path, metavar="SCENARIO.yaml",
                     help="the fitted scenario to write")
    cmd.add_argument("--scenario", metavar="BASE", help="base scenario (map, staffing)")
    cmd.add_argument("--report", type=Path, metavar="DIR", help="write fit tables and figures")
    cmd.set_defaults(handler=_cmd_import)
    cmd = sub.add_parser("backtest", help="fit a log's training period, test on the rest",
                         description=BACKTEST_HELP)
    _log_args(cmd)
    cmd.add_argument("--scenario", metavar="BASE", help="base scenario (map, staffing)")
    cmd.add_argument("--train", required=True, metavar="START..END", help="ISO dates, inclusive")
    cmd.add_argument("--test", required=True, metavar="START..END", help="ISO dates, inclusive")
    cmd.add_argument("--reps", type=int, default=10, help="replications (≥ 2; default 10)")
    cmd.add_argument("--seed", type=int, default=0, help="first replication's seed")
    cmd.add_argument("--out", type=Path, default=Path("backtest"), metavar="DIR",
                     help="folder of the report (default: backtest)")
    cmd.set_defaults(handler=_cmd_backtest)
    cmd = sub.add_parser("export-log", help="simulate a scenario and write it as a platform log")
    cmd.add_argument("scenario", help="scenario file or shipped name")
    cmd.add_argument("--out", required=True, type=Path, metavar="LOG.csv")
    cmd.add_argument("--seed", type=int, default=0, help="the run's seed")
    cmd.set_defaults(handler=_cmd_export)


def _log_args(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("log", type=Path, help="the incident log (CSV or Parquet)")
    cmd.add_argument("--mapping", required=True,
                     help="mapping file, or a shipped mapping's name (govsim, nyc311 …)")


def _read(args: argparse.Namespace) -> Any:
    from govsim.logs.reader import read_log
    from govsim.world.scenario import load_scenario

    base = load_scenario(args.scenario) if args.scenario else None
    imported = read_log(args.log, args.mapping, scenario=base)
    print(imported.report())
    return imported


def _cmd_import(args: argparse.Namespace) -> int:
    import pandas as pd

    from govsim.logs.fit import fit_scenario

    imported = _read(args)
    fit = fit_scenario(imported.incidents, args.out, base=args.scenario)
    last = (fit.end - pd.Timedelta(days=1)).date()
    print(_fit_table(fit).to_string(index=False))
    print(f"wrote {args.out} ({len(fit.rates.by_type)} incident types, "
          f"{fit.start.date()} – {last}); every number marked 'from data' or 'assumed'")
    if args.report:
        from govsim.plots.logs import write_report

        for path in write_report(fit, imported.problems, args.report):
            print(f"wrote {path}")
    return 0


def _fit_table(fit: Any) -> Any:
    """One row per type: records, rate and its CI, the scenario's handling mean and its
    CI with the family chosen, the escalated and reopened shares."""
    import pandas as pd

    routing = fit.routing.set_index("type")
    rows = []
    for rate in fit.rates.by_type.itertuples():
        kind = rate.type
        row = {"type": kind, "records": rate.count,
               "rate /hh-yr (95% CI)": f"{rate.rate:.3g} ({rate.low:.3g}–{rate.high:.3g})"}
        if kind in fit.handling:
            low, mean, high = fit.handling_mean(kind)
            row["handling h (95% CI)"] = (
                f"{mean:.3g} ({low:.3g}–{high:.3g}) {fit.handling[kind].family}")
        if kind in routing.index:
            row["escalated"] = f"{routing.loc[kind, 'escalated']:.1%}"
            row["reopened"] = f"{routing.loc[kind, 'reopened']:.1%}"
        rows.append(row)
    return pd.DataFrame(rows).replace("nan%", "?").fillna("assumed")


def _cmd_backtest(args: argparse.Namespace) -> int:
    from govsim.errors import GovsimError
    from govsim.logs.backtest import backtest, parse_period
    from govsim.plots.figures import save_figure
    from govsim.plots.logs import backtest_figure

    try:
        train, test = parse_period(args.train), parse_period(args.test)
    except ValueError as exc:
        raise GovsimError(f"--train/--test {exc}") from None
    if args.reps < 2:
        raise GovsimError(f"--reps {args.reps}: at least 2 (the interval needs a spread)")
    imported = _read(args)
    result = backtest(imported.incidents, args.scenario, train, test, args.out,
                      reps=args.reps, seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    result.table.to_csv(args.out / "backtest.csv", index=False)
    save_figure(backtest_figure(result), args.out / "backtest.png")
    shown = result.table.round(3).to_string(index=False)
    print(shown)
    inside = int(result.table["inside"].sum())
    verdict = "passed" if result.passed else "FAILED"
    print(f"back-test {verdict}: {inside} of {len(result.table)} inside their "
          f"{result.level:.2%} intervals ({args.reps} reps); wrote {args.out}")
    return 0 if result.passed else 1


def _cmd_export(args: argparse.Namespace) -> int:
    from govsim.engine.model import simulate
    from govsim.logs.export import ledger_to_log, write_log
    from govsim.world.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    log = ledger_to_log(simulate(scenario, seed=args.seed), scenario)
    write_log(log, args.out)
    print(f"wrote {args.out} ({len(log):,} incidents, {int(log['closed'].isna().sum())} open)")
    return 0
