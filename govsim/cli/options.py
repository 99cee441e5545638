"""The CLI's contract for option values: numbers in range, output paths usable.

Each function here is an argparse ``type=``: it turns the option's text into a value or
raises ``argparse.ArgumentTypeError`` with what is allowed, which the parser prints as
one line and exit status 2, before any work starts.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from govsim.engine.streams import MAX_SEED
from govsim.errors import GovsimError
from govsim.world.window import check_days

#: Worker processes: more than this is a typo on any machine govsim runs on.
MAX_WORKERS = 1024
#: Suffixes each kind of output file may have.
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
LEDGER_SUFFIXES = (".parquet",)
REPORT_SUFFIXES = (".md",)


def days(text: str) -> float:
    """Simulated days: a finite number in [1, 3,650] (see ``govsim.world.window``)."""
    try:
        return check_days(float(text), "days")
    except (ValueError, GovsimError) as exc:
        raise argparse.ArgumentTypeError(_reason(exc, text, "a number of days")) from None


def count(low: int, high: int, why: str = "") -> Callable[[str], int]:
    """An integer option in [low, high]; ``why`` says what the lower bound is for."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number") from None
        if not low <= value <= high:
            because = f" ({why})" if why else ""
            raise argparse.ArgumentTypeError(f"{value}: allowed: {low} to {high:,}{because}")
        return value

    return parse


#: Replications wherever a confidence interval is printed: one replication has none.
reps = count(2, 100_000, "a 95% CI needs at least 2 replications")
#: A random seed.
seed = count(0, MAX_SEED, "replication k runs on seed + k, stored in 64 bits")
#: Worker processes.
workers = count(1, MAX_WORKERS)


def fraction(text: str) -> float:
    """A level strictly between 0 and 1 (a confidence)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{text}: allowed: strictly between 0 and 1")
    return value


def output_file(*suffixes: str) -> Callable[[str], Path]:
    """An output file path with one of ``suffixes`` that can be written (see
    :func:`check_writable`)."""

    def parse(text: str) -> Path:
        path = Path(text)
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"{text}: is a folder; expected a file name")
        if path.suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(
                f"{text}: unknown file type {path.suffix or '(none)'!r}; "
                f"allowed: {', '.join(suffixes)}"
            )
        return _writable(path)

    return parse


def output_dir(text: str) -> Path:
    """An output folder that exists or can be created, and can be written."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: is a file; expected a folder")
    return _writable(path)


def _writable(path: Path) -> Path:
    try:
        check_writable(path)
    except GovsimError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return path


def check_writable(path: Path) -> None:
    """Raise ``GovsimError`` unless ``path`` can be written: if it exists, it must be
    writable; otherwise its nearest existing ancestor must be a writable folder (the
    folders between are created when the file is written)."""
    if path.exists():
        if not os.access(path, os.W_OK):
            raise GovsimError(f"{path}: not writable")
        return
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise GovsimError(f"{path}: cannot be created: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise GovsimError(f"{path}: cannot be created: {ancestor} is not writable")


def _reason(exc: Exception, text: str, expected: str) -> str:
    if isinstance(exc, GovsimError):
        return str(exc).removeprefix("days: ")
    return f"{text!r}: expected {expected}"
