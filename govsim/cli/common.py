"""What the ``govsim`` subcommands share: scenario, executor and export options, spec
commands, the console tables print on, number formats and the comparison table.

The ``govsim`` modules import only what building the parser needs (argparse and the
option checks); what a command runs with (the scenario schema, pandas, rich, Mesa) is
imported in the command's function, so that ``govsim --help`` stays fast
(tests/test_cli_startup.py).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govsim.cli import options
from govsim.registry import EXECUTORS

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from govsim.experiments.overrides import Overrides
    from govsim.world.scenario import Scenario

#: What a scenario argument takes: a file or a shipped name (the file wins).
SCENARIO_HELP = (
    "a scenario YAML file, or a shipped scenario's name (demo, kongtong, theory/mmc …); "
    "an existing file of that name wins"
)


def scenario_args(
    parser: argparse.ArgumentParser,
    policy_help: str = "a policy file, or a shipped policy's name (an existing file of that "
    "name wins), laid over the scenario",
    many: bool = False,
) -> None:
    """Add FILE, --policy (one, or repeatable with ``many``) and --set to ``parser``."""
    parser.add_argument("file", type=Path, metavar="FILE", help=SCENARIO_HELP)
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


def load_args(args: argparse.Namespace) -> Scenario:
    """The scenario FILE with --policy and --set laid over it, validated."""
    from govsim.policies.files import STATUS_QUO, load_policy
    from govsim.world.scenario import load_scenario, parse_assignments

    policy = load_policy(args.policy) if args.policy else STATUS_QUO
    return load_scenario(args.file, parse_assignments(args.set), policy.sections, policy.source)


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
    parser.add_argument(
        "--out", type=options.output_dir, required=True, metavar="DIR", help="results folder"
    )
    parser.add_argument(
        "--resume", action="store_true", help="finish the runs already in DIR (after a stop)"
    )
    return parser


def size_args(parser: argparse.ArgumentParser, samples_help: str) -> None:
    """Add the quick sizes laid over a spec: --samples (``samples_help`` says which of the
    spec's fields it sets), --reps, --days and --set (see ``overrides``)."""
    parser.add_argument(
        "--samples", type=options.count(1, 1_000_000), metavar="N", help=samples_help
    )
    parser.add_argument(
        "--reps",
        type=options.count(1, 10_000),
        metavar="N",
        help="replications per sample and policy (default: the spec's replications)",
    )
    parser.add_argument(
        "--days",
        type=options.days,
        help="simulated days per run, the warm-up included (default: the spec's days)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a scenario parameter in every run, e.g. --set map.per_parent.grid=4 "
        "(repeatable; laid over the spec's set)",
    )


def overrides(args: argparse.Namespace) -> Overrides:
    """The quick sizes of ``size_args`` as ``Overrides`` (``--set`` parsed as ``run``'s)."""
    from govsim.experiments.overrides import Overrides
    from govsim.world.scenario import parse_assignments

    return Overrides(args.samples, args.reps, args.days, parse_assignments(args.set))


def announce(name: str, given: Overrides, runs: int, as_json: bool) -> None:
    """Print what the command line changed of spec ``name`` and the runs that makes
    (nothing with ``as_json`` or no overrides)."""
    if given and not as_json:
        print(f"{name} with {given.describe()}: {runs:,} runs", flush=True)


def quiet_arg(parser: argparse.ArgumentParser) -> None:
    """Add --quiet: no progress bar (errors and warnings still go to standard error)."""
    parser.add_argument("--quiet", action="store_true", help="no progress bar on standard error")


def days_arg(parser: argparse.ArgumentParser) -> None:
    """Add --days (validated: 1 to 3,650 days) to ``parser``."""
    parser.add_argument(
        "--days",
        type=options.days,
        help="simulated days, the warm-up included (default: the file's run.days)",
    )


def executor_args(parser: argparse.ArgumentParser) -> None:
    """Add --executor, --workers and --address to ``parser``."""
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,  # read when the option is parsed, plugins included
        default="serial",
        help="where runs execute (default serial; processes: local worker processes; "
        "dask: a Dask cluster, needs govsim[dask])",
    )
    parser.add_argument(
        "--workers", type=options.workers, metavar="N", help="worker processes (default: CPUs)"
    )
    parser.add_argument(
        "--address", metavar="tcp://HOST:PORT", help="an existing Dask scheduler (--executor dask)"
    )


def export_args(parser: argparse.ArgumentParser) -> None:
    """Add --csv and --xlsx (the command's tables, tidy, as files) to ``parser``."""
    parser.add_argument(
        "--csv",
        type=options.output_file(".csv"),
        metavar="OUT.csv",
        help="also save the tables as CSV (several: OUT-NAME.csv beside OUT.csv)",
    )
    parser.add_argument(
        "--xlsx",
        type=options.output_file(".xlsx"),
        metavar="OUT.xlsx",
        help="also save the tables as an Excel workbook, a sheet per table",
    )


def export(args: argparse.Namespace, tables: Any, quiet: bool = False) -> None:
    """Save ``tables`` (``govsim.analysis.export.Tables``) where --csv and --xlsx say and
    name each file written, unless ``quiet`` (when the output is data: --json …)."""
    from govsim.analysis.export import save

    for path in save(tables, args.csv, args.xlsx):
        if not quiet:
            print(f"table saved to {path}")


#: Columns a table may take when standard output is not a terminal: enough for any
#: table, so that piped or redirected tables are never cut, folded or truncated with …
PIPED_WIDTH = 10_000


def stdout_console(min_width: int = 80) -> Console:
    """The console tables print on: on a terminal, its width but at least ``min_width``
    columns; piped or redirected, plain text (no colour) at each table's own width,
    every column and every digit shown."""
    from rich.console import Console  # here: `govsim --help` needs no rich

    terminal = Console()
    if not terminal.is_terminal:
        return Console(width=PIPED_WIDTH)
    return terminal if terminal.width >= min_width else Console(width=min_width)


def print_comparison(
    table: pd.DataFrame, baseline: str, reps: int, outcomes: dict[str, tuple[str, bool | None]]
) -> None:
    """Print ``analysis.compare``'s table: per outcome and policy, the mean ± CI half-width
    and the paired difference to ``baseline``."""
    from rich.table import Table

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
        fmt = pct if name.endswith(("rate", "share_satisfied", "utilisation")) else num
        if name == "staff_cost":
            fmt = thousands
        row = []
        for policy in policies:
            r = cells.loc[(name, policy)]
            text = f"{fmt(r['mean'])} ± {fmt((r['high'] - r['low']) / 2)}"
            if policy != baseline:
                diff_half = fmt((r["diff_high"] - r["diff_low"]) / 2)
                text += f"\nΔ {signed(fmt, r['diff'])} ± {diff_half}"
            row.append(text)
        out.add_row(label + direction(higher_better, "\n"), *row)
    stdout_console(100).print(out)


def direction(higher_better: bool | None, sep: str) -> str:
    """``(higher is better)`` or ``(lower is better)`` after ``sep``; empty for neither."""
    if higher_better is None:
        return ""
    return f"{sep}({'higher' if higher_better else 'lower'} is better)"


def signed(fmt: Callable[[float], str], value: float) -> str:
    """``value`` formatted by ``fmt`` with an explicit sign."""
    text = fmt(value)
    return text if text.startswith("-") or text == "–" else f"+{text}"


def triple(stats: dict[str, float]) -> str:
    """``mean / median / p90`` of ``stats``."""
    return " / ".join(num(stats[k]) for k in ("mean", "median", "p90"))


def num(value: float | None) -> str:
    """Two decimals with thousands separators; a dash for a missing value."""
    return "–" if value is None or math.isnan(value) else f"{value:,.2f}".replace("-0.00", "0.00")


def thousands(value: float | None) -> str:
    """A whole number with thousands separators; a dash for a missing value."""
    return "–" if value is None or math.isnan(value) else f"{value:,.0f}"


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal; a dash for a missing value."""
    return (
        "–" if value is None or math.isnan(value) else f"{100 * value:.1f}%".replace("-0.0", "0.0")
    )


def cell(value: Any) -> str:
    """A table cell: large numbers whole, others with two decimals, text as it is."""
    if isinstance(value, float):
        return thousands(value) if abs(value) >= 1000 else num(value)
    return str(value)
