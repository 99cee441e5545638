"""The result store: an experiment's output folder, written as runs finish, read back tidy.

Layout of a results folder::

    manifest.json           spec, input-file SHA-256 hashes, seeds, versions, git commit,
                            start and end times, status
    runs/part-000000.parquet     one row per run: run_id, scenario, policy, sample, rep,
                                 seed, parameter values, outcomes
    series/part-000000.parquet   the runs' time series (one row per run and day)
    ledgers/part-000000.parquet  every event of every run (only if the spec asks)

Each batch of finished runs becomes one part per kind, written under a hidden temporary
name and renamed into place (atomic), series and ledgers first and the runs part last:
a ``runs`` part is the commit point. A killed experiment therefore leaves only complete
rows, and ``ResultStore.reopen`` drops anything written after the last commit. Memory
holds one batch, whatever the number of runs. Everything is Parquet and JSON: loading
results never unpickles anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from govsim.errors import GovsimError
from govsim.experiments.run import RunResult

KINDS = ("series", "ledgers", "runs")  # write order; "runs" commits a batch
FORMAT = "govsim-results/1"
#: Manifest entries that must match for --resume to continue an experiment.
_SAME_FOR_RESUME = ("spec", "files", "seeds", "runs_total")


class ResultStore:
    """Appends finished runs to a results folder in atomic Parquet parts.

    Open it with ``create`` (a new or empty folder) or ``reopen`` (``--resume``); feed it
    ``add(result, labels)`` as runs finish; ``finish()`` flushes and stamps the manifest.
    ``finished`` holds the ids of the runs already stored.
    """

    def __init__(self, folder: Path, manifest: dict[str, Any], batch: int, every_s: float) -> None:
        self.folder, self.manifest = folder, manifest
        self.batch, self.every_s = max(1, batch), every_s
        self.finished: set[int] = set()
        self._buffer: list[tuple[RunResult, dict[str, Any]]] = []
        self._next_part = 0
        self._last_flush = time.monotonic()

    @classmethod
    def create(
        cls, folder: str | Path, manifest: dict[str, Any], batch: int = 25, every_s: float = 10.0
    ) -> ResultStore:
        """Start a new results folder; refuse one that exists and is not empty."""
        folder = Path(folder)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise GovsimError(
                f"{folder}: the folder is not empty; pass --resume to finish the experiment "
                "stored there, or choose a new folder with --out"
            )
        for kind in KINDS:
            (folder / kind).mkdir(parents=True, exist_ok=True)
        store = cls(folder, manifest, batch, every_s)
        store._write_manifest()
        return store

    @classmethod
    def reopen(
        cls, folder: str | Path, manifest: dict[str, Any], batch: int = 25, every_s: float = 10.0
    ) -> ResultStore:
        """Reopen a results folder to finish its experiment (``--resume``).

        The stored manifest must describe the same spec, input files and seeds. Parts
        written after the last committed ``runs`` part, and temporary files, are removed.
        """
        folder = Path(folder)
        stored = read_manifest(folder)
        changed = [key for key in _SAME_FOR_RESUME if _same(stored, key) != _same(manifest, key)]
        if changed:
            raise GovsimError(
                f"{folder}: holds results of a different experiment (changed: "
                f"{', '.join(changed)}); resume with the same spec and inputs, or use a new folder"
            )
        committed = _part_numbers(folder / "runs")
        for kind in KINDS:
            (folder / kind).mkdir(exist_ok=True)
            for path in (folder / kind).iterdir():
                if path.name.startswith(".") or _part_number(path) not in committed:
                    path.unlink()  # temporary, or written after the last commit
        store = cls(folder, {**stored, "status": "running"}, batch, every_s)
        store.manifest.setdefault("resumed", []).append(now())
        store.finished = set(_read_kind(folder, "runs", ["run_id"])["run_id"].tolist())
        store._next_part = max(committed, default=-1) + 1
        store._write_manifest()
        return store

    def add(self, result: RunResult, labels: dict[str, Any] | None = None) -> None:
        """Buffer one finished run (``labels``, e.g. parameter values, join its row);
        write a batch when it is full or ``every_s`` seconds have passed."""
        self._buffer.append((result, labels or {}))
        due = time.monotonic() - self._last_flush >= self.every_s
        if len(self._buffer) >= self.batch or due:
            self.flush()

    def flush(self) -> None:
        """Write the buffered runs as one part per kind (runs last) and empty the buffer."""
        self._last_flush = time.monotonic()
        if not self._buffer:
            return
        buffer, self._buffer = self._buffer, []
        frames = {
            "series": [r.series for r, _ in buffer if r.series is not None],
            "ledgers": [r.ledger for r, _ in buffer if r.ledger is not None],
            "runs": [pd.DataFrame([_row(r.row, labels) for r, labels in buffer])],
        }
        name = f"part-{self._next_part:06d}.parquet"
        for kind in KINDS:
            if frames[kind]:
                _write_atomic(pd.concat(frames[kind], ignore_index=True), self.folder / kind / name)
        self._next_part += 1
        self.finished.update(r.run_id for r, _ in buffer)

    def finish(self, complete: bool = True) -> None:
        """Flush and record the end time (status ``complete`` or ``stopped``)."""
        self.flush()
        self.manifest.update(
            finished=now(),
            status="complete" if complete else "stopped",
            runs_done=len(self.finished),
        )
        self._write_manifest()

    def _write_manifest(self) -> None:
        text = json.dumps(self.manifest, indent=2, allow_nan=False, default=str)
        tmp = self.folder / ".manifest.json.tmp"
        tmp.write_text(text + "\n", encoding="utf-8")
        os.replace(tmp, self.folder / "manifest.json")


def _same(manifest: dict[str, Any], key: str) -> Any:
    """What must not change between a run and its resumption (input files by content)."""
    value = manifest.get(key)
    return sorted(value.values()) if key == "files" and isinstance(value, dict) else value


def _row(row: dict[str, Any], labels: dict[str, Any]) -> dict[str, Any]:
    """A run's row with its labels (parameter values) after the identifying columns."""
    ids = ("run_id", "scenario", "policy", "sample", "rep", "seed")
    head = {key: row[key] for key in ids if key in row}
    return {**head, **labels, **{k: v for k, v in row.items() if k not in head}}


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` via a hidden temporary file, synced, then renamed."""
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _part_number(path: Path) -> int:
    stem = path.name.removesuffix(".parquet")
    return int(stem[5:]) if stem.startswith("part-") and stem[5:].isdigit() else -1


def _part_numbers(folder: Path) -> set[int]:
    if not folder.is_dir():
        return set()
    return {n for n in map(_part_number, folder.glob("part-*.parquet")) if n >= 0}


def _read_kind(folder: Path, kind: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Every committed part of one kind, concatenated (Parquet only, no pickles)."""
    parts = sorted((folder / kind).glob("part-*.parquet"))
    frames = [pq.read_table(p, columns=columns).to_pandas(ignore_metadata=True) for p in parts]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The manifest of a results folder; ``GovsimError`` if there is none."""
    path = Path(folder) / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GovsimError(f"{folder}: not a govsim results folder (no manifest.json)") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise GovsimError(f"{path}: cannot read the manifest ({exc})") from None


@dataclass
class Results:
    """An experiment's stored results as pandas DataFrames.

    ``runs``: one row per run (sorted by ``run_id``): ``run_id``, ``scenario``,
    ``policy``, ``sample``, ``rep``, ``seed``, the parameter columns (``parameters``) and
    the outcome columns (``outcomes``). ``series``: one row per run and recorded day.
    ``manifest``: the provenance record.
    """

    folder: Path
    runs: pd.DataFrame
    series: pd.DataFrame
    manifest: dict[str, Any]

    @property
    def parameters(self) -> list[str]:
        """The varied parameter paths (columns of ``runs``)."""
        return list(self.manifest.get("parameters", []))

    @property
    def outcomes(self) -> list[str]:
        """The outcome columns of ``runs``."""
        return list(self.manifest.get("outcomes", []))

    @property
    def baseline(self) -> str:
        """The policy differences are taken to."""
        return str(self.manifest["baseline"])

    def tidy(self) -> pd.DataFrame:
        """``runs`` in long form: one row per (run, outcome) with its ``value``."""
        ids = [c for c in self.runs.columns if c not in self.outcomes]
        return self.runs.melt(id_vars=ids, value_vars=self.outcomes, var_name="outcome")

    def ledgers(self) -> pd.DataFrame:
        """Every stored event of every run (empty unless the spec kept ledgers)."""
        return _read_kind(self.folder, "ledgers")


def load(folder: str | Path) -> Results:
    """Read a results folder: runs and series sorted by run id, and the manifest."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    runs = _read_kind(folder, "runs")
    if runs.empty:  # stopped before its first batch
        runs = pd.DataFrame(columns=["run_id", "scenario", "policy", "sample", "rep", "seed"])
    runs = runs.sort_values("run_id", kind="stable", ignore_index=True)
    if runs["run_id"].duplicated().any():
        raise GovsimError(
            f"{folder}: runs stored twice — the folder was written by two experiments"
        )
    series = _read_kind(folder, "series")
    if not series.empty:
        series = series.sort_values(["run_id", "day"], kind="stable", ignore_index=True)
    return Results(folder, runs, series, manifest)


def summary(results: Results, level: float = 0.95) -> pd.DataFrame:
    """Mean and CI per (scenario, sample, policy, outcome) and paired differences to the
    baseline policy (replication by replication: common random numbers); see
    ``govsim.analysis.comparison.compare``. Parameter values join each sample's rows."""
    from govsim.analysis.comparison import compare

    table = compare(results.runs, results.baseline, level, ("scenario", "sample"), results.outcomes)
    if results.parameters:
        values = results.runs.drop_duplicates("sample").set_index("sample")[results.parameters]
        table = table.join(values, on="sample")
    return table


# --- provenance ------------------------------------------------------------------------


def sha256(path: Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def versions() -> dict[str, str]:
    """Versions of Python and of the packages results depend on."""
    found = {"python": platform.python_version()}
    for name in ("govsim", "mesa", "numpy", "pandas", "pyarrow", "scipy", "SALib"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def git_commit() -> str | None:
    """The git commit of the govsim source tree (``+dirty`` if modified), or None."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def now() -> str:
    """The current UTC time, ISO 8601 to the second (manifest time stamps)."""
    return datetime.now(UTC).isoformat(timespec="seconds")
