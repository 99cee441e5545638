"""Child processes that never outlive their parent, and signals that end a command cleanly.

Two mechanisms, because each alone has a gap:

- on Linux the child asks the kernel (``prctl(PR_SET_PDEATHSIG)``) for SIGKILL the moment
  its parent dies — even by SIGKILL, which runs no clean-up code in the parent;
- everywhere, a daemon thread in the child polls ``os.getppid()`` twice a second and
  exits when the parent has changed: it covers systems without ``prctl`` and the race in
  which the parent dies before the child has set the signal up.

``terminating_signals`` turns SIGTERM (and SIGHUP) in the parent into ``Terminated``, an
exception, so ``finally`` blocks run: results buffered so far are written and worker
pools are stopped before the process exits with 128 + the signal number.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_POLL_S = 0.5


class Terminated(SystemExit):
    """Raised in the main thread when the process receives SIGTERM or SIGHUP; its
    ``code`` is the shell's exit status for death by that signal (128 + number)."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


def _kill_on_parent_death(parent: int) -> None:
    """Ask the Linux kernel to SIGKILL this process when its parent dies (elsewhere, or if
    ``prctl`` is unavailable, nothing); exit at once if ``parent`` already died."""
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):  # then only die_with_parent's thread covers it
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def die_with_parent(parent: int | None = None) -> None:
    """Make this (child) process end when ``parent`` (default: its current parent) dies.

    Call it first thing in a worker (a pool initializer). Uses ``prctl`` on Linux and a
    polling daemon thread everywhere (see the module docstring)."""
    parent = os.getppid() if parent is None else parent
    _kill_on_parent_death(parent)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="govsim-parent-watch", daemon=True).start()


def dies_with_me() -> Callable[[], None]:
    """A ``subprocess.Popen(preexec_fn=...)`` that has the exec'd child killed when this
    process dies (Linux; the setting survives ``exec``; elsewhere it does nothing)."""
    parent = os.getpid()
    return lambda: _kill_on_parent_death(parent)


def worker_setup(parent: int | None, module: str) -> None:
    """Initializer of pool workers: die with ``parent`` (None: the worker's parent), leave
    Ctrl-C to the parent (which stops the pool), and import ``module`` once so the first
    task pays no import."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    __import__(module)


@contextmanager
def terminating_signals() -> Iterator[None]:
    """While active (main thread only), SIGTERM and SIGHUP raise ``Terminated`` so clean-up
    code runs; elsewhere (another thread) it does nothing. Restores the old handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    wanted = [signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    previous = {signum: signal.signal(signum, handler) for signum in wanted}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
