"""Where runs execute: in this process, on local worker processes, or on a Dask cluster.

Every executor offers ``map_unordered(fn, items)``: it yields ``fn(item)`` for every item
as each finishes, keeping only a bounded number of items in flight so memory does not
grow with the number of runs. ``fn`` must be a module-level function (workers import it by
name, e.g. ``govsim.experiments.run.perform``); items are plain dataclasses. Runs are pure
functions of their inputs, so all three executors give bit-identical results. Each is
registered in ``govsim.registry.EXECUTORS`` (plugins add theirs in the entry-point group
``govsim.executors``) and opened by ``open(workers, address)``.

- ``serial``: one after another in this process;
- ``processes``: ``concurrent.futures.ProcessPoolExecutor`` with the ``spawn`` start
  method (no fork of a threaded process: safe in notebooks, the same on every OS). The
  workers start without re-running the caller's ``__main__`` script, so a script needs no
  ``if __name__ == "__main__"`` guard. Workers die with their parent, even when it is
  killed with SIGKILL (``govsim.child_processes.die_with_parent``), ignore Ctrl-C (the parent
  stops them), and are terminated, not waited for, when the pool is left by an exception
  (Ctrl-C, SIGTERM under ``govsim.child_processes.terminating_signals``, an error);
- ``dask``: ``distributed.Client`` on an existing scheduler (``address``), or on a
  ``LocalCluster`` started here. Install with ``pip install 'govsim[dask]'``.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any, TypeVar

from govsim.child_processes import worker_setup
from govsim.errors import GovsimError
from govsim.registry import EXECUTORS

T = TypeVar("T")
R = TypeVar("R")


@EXECUTORS.register("serial")
class SerialExecutor:
    """Runs items one after another in this process."""

    workers = 1

    @classmethod
    def open(cls, workers: int | None = None, address: str | None = None) -> SerialExecutor:
        """The executor for the CLI's ``--workers`` and ``--address`` (neither used here)."""
        return cls()

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Yield ``fn(item)`` for each item, in order."""
        for item in items:
            yield fn(item)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@EXECUTORS.register("processes")
class ProcessExecutor(SerialExecutor):
    """Runs items on ``workers`` local processes (``spawn`` start method by default)."""

    @classmethod
    def open(cls, workers: int | None = None, address: str | None = None) -> ProcessExecutor:
        """``workers`` processes (default: one per CPU)."""
        return cls(workers)

    def __init__(self, workers: int | None = None, start_method: str = "spawn") -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._context = get_context(start_method)
        self._pool: ProcessPoolExecutor | None = None

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver workers are the server's children, not ours: watch their own parent
            parent = None if self._context.get_start_method() == "forkserver" else os.getpid()
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=self._context,
                initializer=worker_setup,
                initargs=(parent, "govsim.experiments.run"),  # import the simulator once
            )
            with main_script_hidden():  # each submit spawns a worker until all are up
                warmups = [self._pool.submit(os.getpid) for _ in range(self.workers)]
                for future in warmups:
                    future.result()
        return self._pool

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Yield ``fn(item)`` as workers finish them; at most 2 × workers items in flight."""
        pool = self._started()
        source = iter(items)
        pending: set[Future[R]] = set()
        while True:
            for item in source:
                pending.add(pool.submit(fn, item))
                if len(pending) >= 2 * self.workers:
                    break
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()

    def close(self) -> None:
        """Stop the worker processes once their current items finish (unstarted items are
        cancelled)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def terminate(self) -> None:
        """Stop the worker processes now, abandoning their current items (SIGTERM, then
        SIGKILL for any still alive after 2 s)."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        workers = list((getattr(pool, "_processes", None) or {}).values())
        for process in workers:
            process.terminate()
        for process in workers:
            process.join(2.0)
            if process.is_alive():
                process.kill()
                process.join()
        pool.shutdown(wait=True, cancel_futures=True)

    def __exit__(self, exc_type: object, *exc: object) -> None:
        """Leaving normally waits for the workers; leaving by an exception terminates them."""
        if exc_type is None:
            self.close()
        else:
            self.terminate()


@EXECUTORS.register("dask")
class DaskExecutor(SerialExecutor):
    """Runs items on a Dask cluster: the scheduler at ``address``, or a LocalCluster.

    Without ``address`` a ``distributed.LocalCluster`` of ``workers`` single-threaded
    worker processes is started (and stopped by ``close``). ``in_flight`` bounds the
    runs submitted at once (default: twice the cluster's threads, at least 8);
    ``timeout_s`` is how long to try to reach the scheduler.
    """

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        in_flight: int | None = None,
        timeout_s: float = 20.0,
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise GovsimError(
                "--executor dask needs Dask distributed: pip install 'govsim[dask]'"
            ) from None
        self._cluster = None
        try:
            if address:
                self._client = Client(address, timeout=timeout_s)
            else:
                with main_script_hidden():
                    self._cluster = LocalCluster(
                        n_workers=max(1, workers or os.cpu_count() or 1),
                        threads_per_worker=1,
                        dashboard_address=None,
                    )
                self._client = Client(self._cluster)
        except OSError as exc:
            raise GovsimError(
                f"--address {address}: cannot reach a Dask scheduler ({exc})"
            ) from None
        self.workers = max(1, sum(self._client.nthreads().values()))
        self._in_flight = in_flight or max(8, 2 * self.workers)

    @classmethod
    def open(cls, workers: int | None = None, address: str | None = None) -> DaskExecutor:
        """The scheduler at ``address``, or a LocalCluster of ``workers`` processes."""
        return cls(address, workers)

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Yield ``fn(item)`` as the cluster finishes them; a bounded number in flight."""
        from distributed import as_completed

        source = iter(items)
        running = as_completed()
        for item in source:
            running.add(self._client.submit(fn, item, pure=False))
            if running.count() >= self._in_flight:
                break
        for future in running:
            result = future.result()
            future.release()
            for item in source:  # top up by one
                running.add(self._client.submit(fn, item, pure=False))
                break
            yield result

    def close(self) -> None:
        """Disconnect; stop the LocalCluster if this executor started it."""
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def open_executor(
    kind: str = "serial", workers: int | None = None, address: str | None = None
) -> SerialExecutor:
    """The executor registered as ``kind`` (``serial``, ``processes``, ``dask`` or a
    plugin's); use it as a context manager so workers are stopped. ``address``
    (``tcp://HOST:PORT``) selects an existing Dask scheduler."""
    if kind not in EXECUTORS:
        raise GovsimError(f"--executor {kind}: {EXECUTORS.unknown_message()}")
    if address and kind != "dask":
        raise GovsimError(f"--address needs --executor dask (got --executor {kind})")
    return EXECUTORS[kind].open(workers, address)


@contextmanager
def main_script_hidden() -> Iterator[None]:
    """While starting spawned workers, show them no ``__main__`` script to re-run.

    A spawned child normally re-imports the parent's main script, so a script without an
    ``if __name__ == "__main__"`` guard would start experiments recursively. Workers only
    import govsim by module name, so they do not need the script.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def describe(executor: Any) -> dict[str, Any]:
    """The executor's kind and worker count, for the results manifest."""
    kind = EXECUTORS.name_of(type(executor)) or type(executor).__name__
    return {"kind": kind, "workers": executor.workers}
