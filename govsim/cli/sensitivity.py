"""``govsim sensitivity``: run a sensitivity spec and report its indices; and the report of
a sensitivity results folder (``govsim report DIR``)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govsim.child_processes import terminating_signals
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

if TYPE_CHECKING:
    import pandas as pd

HELP = """\
Run a sensitivity spec (experiments/*.yaml with a method: sobol, morris, fast, rbd_fast,
pawn or delta) on its scenario: SALib's design, every sample × replication through the
experiment executors into --out DIR (streamed, resumable with --resume, identical on
every executor), then the indices with their CIs computed on the per-sample mean. Prints
the indices, how much of each output's variance is replication noise, and saves figures
(indices, Morris plane, convergence, heatmap) in DIR/figures and the tables in DIR
(indices.csv, convergence.csv, noise.csv)."""


def add_sensitivity_command(sub: Any) -> None:
    """Add ``sensitivity`` to the ``govsim`` command's subparsers."""
    cmd = spec_command(
        sub,
        "sensitivity",
        "global sensitivity analysis of a scenario (Sobol, Morris, FAST, PAWN, delta)",
        HELP,
    )
    cmd.add_argument("--json", action="store_true", help="print the indices as JSON; no bar")
    quiet_arg(cmd)
    size_args(
        cmd,
        "N, the base sample size (the spec's samples; Sobol: a power of two, the design "
        "has N × (k + 2) samples, N × (2k + 2) with second order)",
    )
    executor_args(cmd)
    cmd.set_defaults(handler=_cmd_sensitivity)


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from govsim.analysis.sensitivity import analyse_all, load_sensitivity, run_study
    from govsim.experiments.executors import open_executor
    from govsim.progress import wanted

    given = overrides(args)
    study = load_sensitivity(args.spec, given)
    runs = study.n_samples * study.spec.replications
    announce(study.spec.name, given, runs, args.json)
    show = wanted(args.json or args.quiet)
    with terminating_signals(), open_executor(args.executor, args.workers, args.address) as ex:
        responses = run_study(study, args.out, ex, args.resume, show)
    analysis = analyse_all(study, responses)
    return _finish(analysis, args.out, args.out / "figures", args.json)


def report(
    folder: Path,
    as_json: bool = False,
    figures: Path | None = None,
    deliver: Callable[[dict[str, pd.DataFrame]], bool] | None = None,
) -> int:
    """``govsim report DIR`` for a sensitivity folder: analyse the stored runs again and
    print what ``govsim sensitivity`` does; the tables and figures go to ``figures`` if
    given (the results folder is only read). ``deliver`` gets the tables (see
    :func:`tables`) first and returns True when it printed them (then nothing else is)."""
    from govsim.analysis.sensitivity import analyse_all, responses, study_from_record
    from govsim.experiments.results import load

    results = load(folder)
    try:
        study = study_from_record(results.manifest["sensitivity"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise GovsimError(
            f"{folder / 'manifest.json'}: sensitivity: damaged study record ({exc!r:.60})"
        ) from None
    analysis = analyse_all(study, responses(study, results.runs))
    delivered = deliver is not None and deliver(tables(analysis))
    if figures is None and not (as_json or delivered):
        print(f"tables and figures: govsim report {folder} --figures OUT")
    return _finish(analysis, figures, figures, as_json, delivered)


def tables(analysis: Any) -> dict[str, pd.DataFrame]:
    """A sensitivity analysis's tables by name: ``indices`` (a row per output, parameter
    and index: value, CI), ``convergence`` and ``noise`` (a row per output)."""
    return {
        "indices": analysis.indices,
        "convergence": analysis.convergence,
        "noise": analysis.noise,
    }


def _finish(
    analysis: Any,
    folder: Path | None,
    figures: Path | None,
    as_json: bool,
    delivered: bool = False,
) -> int:
    """Save the tables in ``folder`` and the figures in ``figures`` (each if given), then
    print the indices (as JSON with ``as_json``; nothing if ``delivered`` already)."""
    from govsim.plots.sensitivity import study_figures

    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in tables(analysis).items():
            table.to_csv(folder / f"{name}.csv", index=False)
    saved = study_figures(analysis, figures) if figures is not None else []
    if delivered:
        return 0
    if as_json:
        record = {
            "indices": analysis.indices,
            "noise": analysis.noise,
            "figures": [str(p) for p in saved],
        }
        print(dumps(record))
        return 0
    print_indices(analysis)
    for path in saved:
        print(f"figure saved to {path}")
    return 0


def print_indices(analysis: Any) -> None:
    """The indices as a table (value ± CI half-width), one row per output and parameter,
    then the replication-noise share of each output."""
    from rich.table import Table

    study, indices = analysis.study, analysis.indices
    spec = study.spec
    keys = list(dict.fromkeys(indices["index"]))
    table = Table(
        title=f"{spec.name}: {spec.method} indices, ± {spec.confidence:.0%} CI half-width "
        f"(N={spec.samples}, {study.n_samples} samples × {spec.replications} "
        f"replication{'s' if spec.replications != 1 else ''})"
    )
    table.add_column("output")
    table.add_column("parameter")
    for key in keys:
        table.add_column(key, justify="right")
    cells = indices.set_index(["output", "parameter", "index"])
    for (out, parameter), _ in indices.groupby(["output", "parameter"], sort=False):
        row = []
        for key in keys:
            if (out, parameter, key) in cells.index:
                value, conf = cells.loc[(out, parameter, key), ["value", "conf"]]
                row.append(_pm(value, conf))
            else:
                row.append("")
        table.add_row(out, parameter, *row)
    stdout_console(110).print(table)
    for item in analysis.noise.itertuples():
        if math.isnan(item.noise_share):
            print(f"{item.output}: replication noise cannot be told from 1 replication")
        else:
            print(
                f"{item.output}: replication noise is {item.noise_share:.1%} of the variance "
                "of the sample means"
            )


def _pm(value: float, conf: float) -> str:
    import pandas as pd

    if pd.isna(value):
        return "–"
    return f"{value:.3f}" if pd.isna(conf) else f"{value:.3f} ± {conf:.3f}"


def is_sensitivity_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a sensitivity study (its manifest says so)."""
    from govsim.experiments.results import read_manifest

    try:
        return "sensitivity" in read_manifest(folder)
    except GovsimError:
        return False
