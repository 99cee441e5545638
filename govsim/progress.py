"""Progress bars for long commands: runs done / total, throughput and time left (rich).

Bars draw on standard error and only on a terminal, so piped output and ``--json`` stay
clean. In Jupyter, rich draws a bar as an ipywidgets output; without ipywidgets installed
(``pip install 'govsim[notebooks]'`` brings it) no bar is drawn, rather than a warning
in every cell that runs one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Throughput of a task in ``unit`` per second (blank until rich can estimate it)."""

    def __init__(self, unit: str = "runs") -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        """The task's speed as ``12.3 runs/s``."""
        speed = task.finished_speed or task.speed
        text = "" if speed is None else f"{speed:,.1f} {self.unit}/s"
        return Text(text, style="progress.data.speed")


def wanted(quiet: bool = False) -> bool:
    """Whether to draw a bar: standard error is a terminal and the caller is not quiet."""
    return not quiet and sys.stderr.isatty()


@contextmanager
def progress_bar(
    total: int | None, label: str = "simulating", show: bool = True, unit: str = "runs"
) -> Iterator[_Advancer]:
    """A rich bar for ``total`` runs, or other ``unit`` (None: not known in advance).

    Call ``advance(n)`` on the yielded object per finished run.

    Columns: label, bar, done/total, ``unit`` per second, elapsed and remaining time. With
    ``show`` false, or in Jupyter without ipywidgets, nothing is drawn (the object still
    accepts ``advance``).
    """
    console = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(unit),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=not (show and _can_draw(console)),
        transient=True,
    )
    with progress:
        task = progress.add_task(label, total=total)
        yield _Advancer(progress, task)


def _can_draw(console: Console) -> bool:
    """Whether rich can draw a bar on ``console``: in Jupyter only with ipywidgets (rich
    warns without them)."""
    if not console.is_jupyter:
        return True
    try:
        import ipywidgets  # noqa: F401 - only whether it imports
    except ImportError:
        return False
    return True


class _Advancer:
    """What ``progress_bar`` yields: ``advance(n=1)`` moves the bar on ``n`` runs,
    ``label(text)`` replaces its label (e.g. with the stage a long command is at)."""

    def __init__(self, progress: Progress, task: int) -> None:
        self._progress, self._task = progress, task

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more finished runs."""
        self._progress.advance(self._task, n)

    def label(self, text: str) -> None:
        """Show ``text`` as the bar's label."""
        self._progress.update(self._task, description=text)
