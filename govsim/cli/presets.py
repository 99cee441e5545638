"""The seed presets on the command line: ``govsim validate`` and ``govsim calibrate``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govsim.analysis.noise import MIN_REPS, NOISE_SHARE, PILOT_REPS
from govsim.analysis.presets import MAX_VALIDATION_REPS, PRESETS
from govsim.cli import options
from govsim.cli.common import quiet_arg, stdout_console
from govsim.cli.jsonout import dumps
from govsim.engine.streams import MAX_SEED
from govsim.errors import GovsimError

if TYPE_CHECKING:
    from rich.table import Table

    from govsim.analysis.calibration import Calibration
    from govsim.analysis.targets import Achieved

#: ``calibrate --reps``: a number, or ``auto`` (a pilot measures what the noise needs).
AUTO = "auto"


def _calibration_reps(text: str) -> int | None:
    """``auto`` (None: measured by a pilot) or a number of replications (at least 2)."""
    return None if text == AUTO else options.reps(text)


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
    validate.add_argument(
        "--reps",
        type=options.count(2, MAX_VALIDATION_REPS, "a 95% CI needs at least 2 replications"),
        default=10,
        help="replications, on seeds 0 … reps − 1 (default 10)",
    )
    validate.add_argument(
        "--out",
        type=options.output_file(*options.REPORT_SUFFIXES),
        default=str(REPORT),  # a string, so that argparse checks it like a given path
        help=f"report file (default ./{REPORT})",
    )
    quiet_arg(validate)
    validate.set_defaults(handler=_cmd_validate)

    fit = sub.add_parser(
        "calibrate",
        help="fit a preset's uncertain parameters to its source figures",
        description=(
            "Fit the parameters a preset lists under 'uncertain' to its targets: a Latin "
            "hypercube over their ranges, Nelder–Mead from the best point, then a profile "
            "of each parameter telling whether the targets identify it. Every setting "
            "runs the same seeds (common random numbers), from a block disjoint from "
            "validation's. Prints the fit, the figures it achieves with 95% CIs, the "
            "degrees of freedom, the label (calibrated or under-determined) and YAML to "
            "paste into the preset."
        ),
    )
    fit.add_argument("preset", choices=PRESETS)
    fit.add_argument(
        "--samples",
        type=options.count(1, 10_000, "each point is --reps runs"),
        default=12,
        help="Latin hypercube points (12)",
    )
    fit.add_argument(
        "--reps",
        type=_calibration_reps,
        default=None,
        metavar=f"N|{AUTO}",
        help=f"replications per setting (default {AUTO}: the fewest that bring each fit "
        f"target's standard error to 1/{NOISE_SHARE:g} of its tolerance, measured by a pilot; "
        f"a number: at least {MIN_REPS})",
    )
    fit.add_argument(
        "--pilot",
        type=options.count(MIN_REPS, 10_000, "a standard deviation needs 2 replications"),
        default=PILOT_REPS,
        help=f"replications of the pilot that measures the noise (with --reps {AUTO}; "
        f"default {PILOT_REPS})",
    )
    fit.add_argument(
        "--refine",
        type=options.count(0, 10_000),
        default=20,
        help="Nelder–Mead evaluations (20)",
    )
    fit.add_argument(
        "--seed",
        type=options.count(0, MAX_SEED // 2),
        default=0,
        help="design seed and offset of the replication seeds (0: the calibration block's "
        "first seed)",
    )
    fit.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a preset parameter first (e.g. a smaller map for a quick fit)",
    )
    fit.add_argument("--json", action="store_true", help="print the result as JSON; no bar")
    quiet_arg(fit)
    fit.set_defaults(handler=_cmd_calibrate)


def _cmd_validate(args: argparse.Namespace) -> int:
    from govsim.analysis.targets import load_targets
    from govsim.analysis.validation import target_policies, write_report
    from govsim.progress import progress_bar, wanted

    presets = list(PRESETS) if args.all or not args.presets else args.presets
    unknown = [p for p in presets if p not in PRESETS]
    if unknown:
        raise GovsimError(f"validate: unknown preset {unknown[0]!r}; known: {', '.join(PRESETS)}")
    console = stdout_console()
    targets = load_targets()
    runs = sum(args.reps * len(target_policies(targets[p])) for p in presets)
    with progress_bar(runs, f"validating {presets[0]}", wanted(args.quiet)) as bar:
        following = iter(presets[1:])

        def next_preset(_: str) -> None:
            bar.label(f"validating {next(following, '')}")

        results = write_report(presets, args.reps, args.out, next_preset, bar.advance)
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
    from govsim.analysis.calibration import calibrate
    from govsim.progress import progress_bar, wanted
    from govsim.world.scenario import parse_assignments

    overrides = parse_assignments(args.overrides)
    console = stdout_console()
    # the runs a calibration makes depend on its pilot and on the profiles: no total
    with progress_bar(None, "calibrating: pilot", wanted(args.json or args.quiet)) as bar:
        result = calibrate(
            args.preset,
            args.samples,
            args.reps,
            args.refine,
            args.seed,
            overrides,
            lambda n: bar.label(f"calibrating: {n} settings evaluated"),
            pilot_reps=args.pilot,
            on_run=bar.advance,
        )
    if args.json:
        print(dumps(_as_json(result)))
        return 0
    console.print(_fit_table(result))
    seeds = f"seeds {result.seeds.start:,} – {result.seeds[-1]:,}"
    console.print(
        _targets_table(f"{args.preset} at the fit ({result.reps} reps, {seeds})", result.achieved)
    )
    for line in _summary(result):
        console.print(line, markup=False)
    console.print("paste into the preset:")
    for path, value in result.fitted.items():
        console.print(f"  {path}: {value:.4g}", markup=False)
    return 0


def _summary(result: Calibration) -> list[str]:
    """The replications and why, the degrees of freedom and the label."""
    from govsim.analysis.calibration import CALIBRATED

    lines = []
    if result.pilot is not None:
        worst = max(result.pilot.noise, key=lambda n: n.needed)
        capped = " (capped: that target stays noisier)" if result.pilot.capped else ""
        lines.append(
            f"replications: {result.reps}, measured by a pilot of {result.pilot.reps} "
            f"(standard error ≤ tolerance/{NOISE_SHARE:g} for every fit target; the "
            f"noisiest, {worst.target}, needs {worst.needed}){capped}"
        )
    else:
        lines.append(f"replications: {result.reps}, as given")
    informative = sum(result.informative.values())
    lines.append(
        f"degrees of freedom k = {informative} informative fit targets − "
        f"{len(result.fitted)} parameters = {result.degrees_of_freedom}"
    )
    if result.status == CALIBRATED:
        lines.append(f"{result.preset}: calibrated")
    else:
        why = ["k < 0"] if result.degrees_of_freedom < 0 else []
        why += [f"{p} not identified" for p in result.unidentified]
        lines.append(f"{result.preset}: UNDER-DETERMINED ({'; '.join(why)})")
    return lines


def _targets_table(title: str, achieved: list[Achieved]) -> Table:
    from rich.table import Table

    from govsim.frames import readable

    table = Table(title=title)
    for col in ("target", "role", "figure", "model mean", "95% CI", "met"):
        table.add_column(col, justify="left" if col in ("target", "role") else "right")
    for a in achieved:
        i = a.interval
        table.add_row(
            a.target.name,
            a.target.role,
            f"{a.target.value:g} ± {a.target.tolerance:g}",
            readable(i.mean),
            f"{readable(i.low)} – {readable(i.high)}",
            "yes" if a.passed else ("no (known gap)" if a.target.gap else "[red]no[/red]"),
        )
    return table


def _fit_table(result: Calibration) -> Table:
    from rich.table import Table

    title = f"{result.preset} ({result.status}): fitted parameters (loss {result.loss:.3g})"
    table = Table(title=title)
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
        "status": result.status,
        "degrees_of_freedom": result.degrees_of_freedom,
        "informative": result.informative,
        "reps": result.reps,
        "seeds": [result.seeds.start, result.seeds[-1]],
        "pilot_reps": None if result.pilot is None else result.pilot.reps,
        "noise": {
            n.target: {
                "sd": n.sd,
                "standard_error": n.standard_error(result.reps),
                "bound": n.tolerance / NOISE_SHARE,
            }
            for n in result.noise
        },
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
