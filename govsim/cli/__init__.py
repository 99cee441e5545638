"""The ``govsim`` command line.

Each subcommand is a thin layer over the library: parse, call, print. User mistakes
(a bad file, an option out of range, an unknown parameter path) print one clear message
and exit with status 2; they never show a traceback. Exit statuses: see ``EXIT_CODES``.
The subcommands live in this package by theme: ``runs`` (run, compare, check, theory,
params), ``viz``, ``presets`` (validate, calibrate), ``experiments`` (experiment, report,
plan), ``sensitivity`` and ``robustness``; ``common`` holds their shared options and number formats,
``options`` the checks of option values and ``jsonout`` the writer of every ``--json``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from govsim import __version__
from govsim.cli.experiments import add_experiment_commands
from govsim.cli.logs import add_log_commands
from govsim.cli.presets import add_preset_commands
from govsim.cli.robustness import add_robustness_command
from govsim.cli.runs import add_run_commands
from govsim.cli.sensitivity import add_sensitivity_command
from govsim.cli.viz import add_viz_command
from govsim.errors import GovsimError

EPILOG = """examples:
  govsim run scenarios/demo.yaml
  govsim run scenarios/demo.yaml --set staffing.grid_workers_per_grid=3 --days 90 --json
  govsim run scenarios/demo.yaml --policy overdue_alerts
  govsim compare scenarios/demo.yaml --policy status_quo --policy fast_handoffs --reps 10
  govsim params scenarios/demo.yaml
  govsim check scenarios/demo.yaml
  govsim theory --reps 10
  govsim experiment experiments/routing_demo.yaml --out out/routing --executor processes
  govsim report out/routing
  govsim sensitivity experiments/sensitivity/sobol_demo.yaml --out out/sobol --executor processes
  govsim robustness robustness/yuyao_whistle --out out/yuyao --executor processes
  govsim plan scenarios/demo.yaml --target "resolution_time_h.p90<=64" \\
      --vary staffing.grid_workers_per_grid=1..6
  govsim import-log log.csv --mapping govsim --scenario demo --out my_city.yaml

exit status:
  0    success
  1    the work ran but failed: a theory check, a validation target, a back-test or
       every plan candidate missed; or the system refused to read or write a file
       (disk full, permission), named on the one line printed
  2    bad input: an option out of range, an unusable output path, or an invalid
       scenario, policy, spec or map file; nothing ran
  130  interrupted (Ctrl-C)
"""


class Parser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` that reports a bad command line in one line (exit 2)."""

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE (see PROG --help)`` and exit with status 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``govsim`` and its subcommands."""
    parser = Parser(
        prog="govsim",
        description="Simulate community grid governance and compare policies.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"govsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    add_run_commands(sub)
    add_viz_command(sub)
    add_preset_commands(sub)
    add_experiment_commands(sub)
    add_sensitivity_command(sub)
    add_robustness_command(sub)
    add_log_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``govsim`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except GovsimError as exc:
        print(f"govsim: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except OSError as exc:  # the system refused a read or write the input allowed
        # without a filename (pyarrow's errors), the message itself names the path
        text = f"{exc.filename}: {exc.strerror or exc}" if exc.filename else str(exc)
        print(f"govsim: {text}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("govsim: interrupted", file=sys.stderr)
        return 130
