"""The files of a results folder: its lock, atomic writes, and parts that prove their origin.

- **Lock**: one writer at a time. A writer holds ``fcntl.flock`` on ``DIR/.lock`` for as
  long as it writes; the kernel releases it when the process ends however it ends, so a
  killed experiment never leaves a stale lock. Readers (``govsim report``) take no lock:
  they read only the parts the manifest lists, which are complete before it lists them.
- **Atomic files**: written under a hidden temporary name in the same folder, fsynced,
  renamed into place, and the folder fsynced: a file is either absent or whole.
- **Parts** carry the experiment's id in their Parquet metadata, and the manifest records
  each part's SHA-256 and row count: ``inspect`` tells an intact part from a missing,
  truncated, garbage or altered one, and from one another experiment wrote.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from govsim.errors import GovsimError

LOCK = ".lock"
#: Parquet metadata key holding the id of the experiment that wrote a part.
OWNER_KEY = b"govsim.experiment_id"


class Lock:
    """An exclusive, non-blocking ``flock`` on ``folder/.lock`` (Linux and other POSIX)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            self._fd: int | None = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise GovsimError(f"{folder}: cannot write to the results folder ({exc})") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(self._fd, 32).decode("ascii", "replace").strip()
            self.release()
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise GovsimError(
                f"{folder}: another govsim process{who} is writing this results folder; "
                "wait for it to finish (then --resume if needed) or choose another --out"
            ) from None
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"{os.getpid()}\n".encode())

    def release(self) -> None:
        """Release the lock (closing the file); idempotent."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: temporary name, fsync, rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def part_bytes(frame: pd.DataFrame, owner: str) -> bytes:
    """``frame`` as Parquet bytes stamped with the writing experiment's id ``owner``."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), OWNER_KEY: owner})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def part_record(data: bytes, rows: int) -> dict[str, Any]:
    """What the manifest keeps of a part: its SHA-256 and row count."""
    return {"sha256": hashlib.sha256(data).hexdigest(), "rows": rows}


def owner(data: bytes) -> str | None:
    """The experiment id in a part's Parquet metadata; None if there is none; raises
    ``ValueError`` if the bytes are not a readable Parquet file (empty, truncated, garbage)."""
    try:
        meta = pq.read_metadata(pa.BufferReader(data)).metadata or {}
    except (pa.ArrowException, OSError) as exc:
        raise ValueError(str(exc)) from None
    value = meta.get(OWNER_KEY)
    return value.decode("utf-8", "replace") if value is not None else None


@dataclass(frozen=True)
class Inspected:
    """A listed part as found on disk: its bytes and what is wrong with it (None: intact)."""

    path: Path
    data: bytes
    problem: str | None


def foreign(path: Path) -> GovsimError:
    """The error for a part another experiment (or not govsim) wrote."""
    return GovsimError(
        f"{path}: this part was not written by the experiment stored in "
        f"{path.parent.parent} (another experiment's file, or not govsim's); it is never "
        "merged: move it out of the folder and run again"
    )


def inspect(path: Path, record: dict[str, Any], experiment_id: str) -> Inspected:
    """Check the part at ``path`` against its manifest ``record`` (SHA-256). A part whose
    metadata names another experiment raises ``foreign``; other damage is reported in
    ``problem``: missing, empty, truncated or not Parquet, or changed since written."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Inspected(path, b"", "missing")
    if hashlib.sha256(data).hexdigest() == record["sha256"]:
        return Inspected(path, data, None)
    if not data:
        return Inspected(path, data, "empty")
    try:
        written_by = owner(data)
    except ValueError:
        return Inspected(path, data, "truncated or not a Parquet file")
    if written_by != experiment_id:
        raise foreign(path)
    return Inspected(path, data, "checksum mismatch: changed since it was written")


def read_frame(data: bytes, columns: list[str] | None = None) -> pd.DataFrame:
    """A part's table from its bytes (Parquet only: nothing is unpickled)."""
    table = pq.read_table(pa.BufferReader(data), columns=columns)
    return table.to_pandas(ignore_metadata=True)
