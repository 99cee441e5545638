"""The seed presets on the command line: ``govsim validate`` and ``govsim calibrate``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from govsim.analysis.calibration import Calibration, calibrate
from govsim.analysis.targets import Achieved
from govsim.analysis.validation import PRESETS, write_report
from govsim.cli import options
from govsim.cli.jsonout import dumps
from govsim.errors import GovsimError
from govsim.world.scenario import parse_assignments

#: The report ``govsim validate`` writes by default: in the current folder, never in the
#: installed package (``make validate`` writes the checkout's docs/validation.md).
REPORT = Path("validation.md")


def add_preset_commands(sub: Any) -> None:
    """Add ``validate`` and ``calibrate`` to the ``govsim`` command's subparsers."""
    validate = sub.add_parser(
        "validate",
        help="run the seed presets against their source figures and write a report",
        description=(
            "Run each seed preset (scenarios/NAME.yaml under policies/NAME.yaml) over "
            "replications and compare it with the figures its source gives "
            "(scenarios/register.yaml: fit, holdout and structure figures). Writes a markdown "
            "report (--out, default ./validation.md) with one figure per preset in a "
            "validation/ folder beside it; exits with 1 when a fit target that is not a "
            "known gap is missed (holdouts are reported as measured, whatever they are)."
        ),
    )
    validate.add_argument("presets", nargs="*", metavar="PRESET", help=f"one of {PRESETS}")
    validate.add_argument("--all", action="store_true", help="every preset")
    validate.add_argument("--reps", type=options.reps, default=10, help="replications (default 10)")
    validate.add_argument(
        "--out",
        type=options.output_file(*options.REPORT_SUFFIXES),
        default=str(REPORT),  # a string, so that argparse checks it like a given path
        help=f"report file (default ./{REPORT})",
    )
    validate.set_defaults(handler=_cmd_validate)

    fit = sub.add_parser(
        "calibrate",
        help="fit a preset's uncertain parameters to its source figures",
        description=(
            "Fit the parameters a preset lists under 'uncertain' to its targets: a Latin "
            "hypercube over their ranges, Nelder–Mead from the best point, then a profile "
            "of each parameter telling whether the targets identify it. Every setting "
            "runs the same seeds (common random numbers). Prints the fit, the figures it "
            "achieves with 95% CIs, and YAML to paste into the preset."
        ),
    )
    fit.add_argument("preset", choices=PRESETS)
    fit.add_argument(
        "--samples",
        type=options.count(1, 10_000, "each point is --reps runs"),
        default=12,
        help="Latin hypercube points (12)",
    )
    fit.add_argument("--reps", type=options.reps, default=3, help="replications per setting (3)")
    fit.add_argument(
        "--refine",
        type=options.count(0, 10_000),
        default=20,
        help="Nelder–Mead evaluations (20)",
    )
    fit.add_argument("--seed", type=options.seed, default=0, help="first seed and design seed (0)")
    fit.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a preset parameter first (e.g. a smaller map for a quick fit)",
    )
    fit.add_argument("--json", action="store_true", help="print the result as JSON")
    fit.set_defaults(handler=_cmd_calibrate)


def _progress(label: str, quiet: bool) -> Progress:
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=quiet,
        transient=True,
    )


def _cmd_validate(args: argparse.Namespace) -> int:
    presets = list(PRESETS) if args.all or not args.presets else args.presets
    unknown = [p for p in presets if p not in PRESETS]
    if unknown:
        raise GovsimError(f"validate: unknown preset {unknown[0]!r}; known: {', '.join(PRESETS)}")
    console = Console()
    with _progress("validating", not console.is_terminal) as progress:
        task = progress.add_task("presets", total=len(presets))
        results = write_report(presets, args.reps, args.out, lambda _: progress.advance(task))
    for preset, (policy, achieved) in results.items():
        console.print(_targets_table(f"{preset} (policy {policy})", achieved))
    console.print(f"report: {args.out}")
    missed = sum(
        not a.passed and not a.target.gap and a.target.role == "fit"
        for _, achieved in results.values()
        for a in achieved
    )
    return 1 if missed else 0


def _cmd_calibrate(args: argparse.Namespace) -> int:
    overrides = parse_assignments(args.overrides)
    console = Console()
    with _progress("calibrating", args.json or not console.is_terminal) as progress:
        task = progress.add_task("settings", total=None)
        result = calibrate(
            args.preset,
            args.samples,
            args.reps,
            args.refine,
            args.seed,
            overrides,
            lambda n: progress.update(task, completed=n),
        )
    if args.json:
        print(dumps(_as_json(result)))
        return 0
    console.print(_fit_table(result))
    console.print(_targets_table(f"{args.preset} at the fit ({args.reps} reps)", result.achieved))
    console.print("paste into the preset:")
    for path, value in result.fitted.items():
        console.print(f"  {path}: {value:.4g}", markup=False)
    return 0


def _targets_table(title: str, achieved: list[Achieved]) -> Table:
    table = Table(title=title)
    for col in ("target", "role", "figure", "model mean", "95% CI", "met"):
        table.add_column(col, justify="left" if col in ("target", "role") else "right")
    for a in achieved:
        i = a.interval
        table.add_row(
            a.target.name,
            a.target.role,
            f"{a.target.value:g} ± {a.target.tolerance:g}",
            f"{i.mean:.4g}",
            f"{i.low:.4g} – {i.high:.4g}",
            "yes" if a.passed else ("no (known gap)" if a.target.gap else "[red]no[/red]"),
        )
    return table


def _fit_table(result: Calibration) -> Table:
    table = Table(title=f"{result.preset}: fitted parameters (loss {result.loss:.3g})")
    for col in ("parameter", "range", "fitted", "profile interval (Δloss ≤ 1)", "verdict"):
        table.add_column(col, justify="left" if col in ("parameter", "verdict") else "right")
    for path, value in result.fitted.items():
        low, high = result.ranges[path]
        profile = result.profiles[path]
        table.add_row(
            path,
            f"{low:g} – {high:g}",
            f"{value:.4g}",
            f"{profile.low:.4g} – {profile.high:.4g}",
            profile.verdict,
        )
    return table


def _as_json(result: Calibration) -> dict[str, Any]:
    return {
        "preset": result.preset,
        "fitted": result.fitted,
        "loss": result.loss,
        "profiles": {
            path: {"low": p.low, "high": p.high, "verdict": p.verdict}
            for path, p in result.profiles.items()
        },
        "targets": [
            {
                "name": a.target.name,
                "value": a.target.value,
                "mean": a.interval.mean,
                "low": a.interval.low,
                "high": a.interval.high,
                "met": a.passed,
            }
            for a in result.achieved
        ],
    }
