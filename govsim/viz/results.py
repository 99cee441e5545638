"""The app's *Results* tab: a results folder's report, as ``govsim report DIR --figures``
prints and draws it.

The report is ``govsim report``'s own (the command as ``govsim.cli.experiments`` defines
it, run in this process): its text tables captured and its figures drawn into a scratch
folder and read back, so the app shows exactly what the command gives for a folder from
``govsim experiment --out DIR`` (or ``govsim sensitivity``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import solara

from govsim.errors import GovsimError

#: Lines of the command's output that name its scratch figure files, left out of the text.
SAVED = "figure saved to "
#: ``cmd_report`` prints to the process's stdout: one capture at a time.
_CAPTURE = threading.Lock()


@dataclass(frozen=True)
class Report:
    """``govsim report``'s output for one folder.

    Attributes:
        folder: the results folder.
        text: the printed tables (empty when ``error`` is set).
        figures: each figure's file name and PNG bytes, in name order.
        error: why there is no report (not a results folder, no finished runs …), or "".
    """

    folder: Path
    text: str = ""
    figures: list[tuple[str, bytes]] = field(default_factory=list)
    error: str = ""


def read_report(folder: str | Path) -> Report:
    """Run ``govsim report FOLDER --figures SCRATCH`` in this process (its options as the
    command defines them, so that options added later keep their defaults) and collect
    its text and figures (the scratch folder is removed). A folder the command refuses gives a
    :class:`Report` with the command's message as ``error``."""
    from govsim.cli.experiments import add_experiment_commands

    folder = Path(folder).expanduser()
    out = io.StringIO()
    parser = argparse.ArgumentParser(prog="govsim")
    add_experiment_commands(parser.add_subparsers())  # report's own options and defaults
    with tempfile.TemporaryDirectory(prefix="govsim-report-") as scratch:
        args = parser.parse_args(["report", str(folder), "--figures", scratch])
        try:
            with _CAPTURE, contextlib.redirect_stdout(out):
                args.handler(args)
        except (GovsimError, OSError) as exc:
            return Report(folder, error=str(exc))
        figures = [(p.name, p.read_bytes()) for p in sorted(Path(scratch).glob("*.png"))]
    lines = [line for line in out.getvalue().splitlines() if not line.startswith(SAVED)]
    return Report(folder, "\n".join(lines).strip(), figures)


@solara.component
def ResultsPanel(initial: str | None = None) -> Any:
    """A folder box and, for the folder typed there (``initial`` to start with), its
    report: the tables, then each figure under its file name. The report is made in a
    thread (a large folder takes a while): a progress bar shows meanwhile."""
    folder, set_folder = solara.use_state(initial or "")
    task = solara.lab.use_task(
        lambda: read_report(folder) if folder else None, dependencies=[folder]
    )
    report = task.value if task.finished else None
    with solara.Column(classes=["govsim-report"]) as column:
        solara.InputText(
            "results folder (from govsim experiment --out DIR), then Enter",
            value=folder,
            on_value=set_folder,
            continuous_update=False,
        )
        if task.pending:
            solara.ProgressLinear(True)
            solara.Text(f"Reading {folder} …")
        elif report is None:
            solara.Info("Type a results folder's path to see its comparison.")
        elif report.error:
            solara.Error(report.error, classes=["govsim-report-error"])
        else:
            solara.Preformatted(report.text, class_="govsim-report-text")
            for name, png in report.figures:
                solara.Text(name, classes=["govsim-report-figure"])
                solara.Image(png)
    return column
