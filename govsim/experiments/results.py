"""The result store: an experiment's output folder, written as runs finish, read back tidy.

Layout of a results folder::

    manifest.json           spec, input-file SHA-256 hashes, seeds, versions, git commit,
                            start and end times, status, and the committed parts
    runs/part-000000.parquet     one row per run: run_id, scenario, policy, sample, rep,
                                 seed, parameter values, outcomes
    series/part-000000.parquet   the runs' time series (one row per run and day)
    ledgers/part-000000.parquet  every event of every run (only if the spec asks)
    .lock                   held (``flock``) by the one process writing the folder
    damaged/                parts ``--resume`` found damaged, moved aside

Each batch of finished runs becomes one part per kind, each written atomically (see
``govsim.experiments.parts``), then the manifest is rewritten atomically to list the
batch — its run ids and each file's SHA-256 and row count. The manifest is the commit
point: a killed experiment leaves parts the manifest does not list, which ``reopen``
deletes. Reading verifies every listed part's checksum and stores each run id once.
Memory holds one batch, whatever the number of runs. Everything is Parquet and JSON:
loading results never unpickles anything.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import platform
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from govsim.errors import GovsimError
from govsim.experiments.overrides import Overrides
from govsim.experiments.parts import (
    LOCK,
    Lock,
    foreign,
    inspect,
    owner,
    part_bytes,
    part_record,
    read_frame,
    write_atomic,
)
from govsim.experiments.run import RunResult

KINDS = ("series", "ledgers", "runs")  # write order
FORMAT = "govsim-results/2"
#: Manifest entries that must match for --resume to continue an experiment.
_SAME_FOR_RESUME = ("spec", "files", "seeds", "runs_total")
DAMAGED = "damaged"
_log = logging.getLogger(__name__)


class ResultStore:
    """Appends finished runs to a results folder in atomic Parquet parts.

    Open it with ``create`` (a new or empty folder) or ``reopen`` (``--resume``); either
    takes the folder's lock, so a second writer is refused. Feed it ``add(result,
    labels)`` as runs finish; ``finish()`` flushes, stamps the manifest and releases the
    lock. ``finished`` holds the ids of the runs already stored; ``repairs`` says what
    ``reopen`` dropped.
    """

    def __init__(
        self, folder: Path, manifest: dict[str, Any], lock: Lock, batch: int, every_s: float
    ) -> None:
        self.folder, self.manifest, self._lock = folder, manifest, lock
        self.batch, self.every_s = max(1, batch), every_s
        self.finished: set[int] = {i for e in manifest["parts"] for i in e["run_ids"]}
        self.repairs: list[str] = []
        self._buffer: dict[int, tuple[RunResult, dict[str, Any]]] = {}
        self._next_part = 1 + max((e["part"] for e in manifest["parts"]), default=-1)
        self._last_flush = time.monotonic()

    @classmethod
    def create(
        cls, folder: str | Path, manifest: dict[str, Any], batch: int = 25, every_s: float = 10.0
    ) -> ResultStore:
        """Start a new results folder; refuse one that exists and is not empty, or that
        another process is writing. If the manifest cannot be written (not strict JSON,
        a read-only place), nothing is left behind."""
        folder = Path(folder)
        manifest = {
            **manifest,
            "format": FORMAT,
            "experiment_id": uuid.uuid4().hex,
            "parts": [],
        }
        text = manifest_text(manifest)  # before anything exists on disk
        if folder.exists() and not _blank(folder):
            raise _not_empty(folder)
        try:
            folder.mkdir(parents=True)
            made = True
        except FileExistsError:
            made = False  # empty, or being made by another process: the lock decides
        except OSError as exc:
            raise GovsimError(f"{folder}: cannot create the results folder ({exc})") from None
        lock = Lock(folder)  # never undo a mkdir here: the lock's holder may own the folder
        if not _blank(folder):  # another process filled it meanwhile: not ours to undo
            lock.release()
            raise _not_empty(folder)
        try:
            write_atomic(folder / "manifest.json", text)
            for kind in KINDS:
                (folder / kind).mkdir(exist_ok=True)
        except BaseException as exc:
            _remove_created(folder, made)  # while still holding the lock
            lock.release()
            if isinstance(exc, OSError):
                raise GovsimError(f"{folder}: cannot write the results folder ({exc})") from None
            raise
        return cls(folder, manifest, lock, batch, every_s)

    @classmethod
    def reopen(
        cls, folder: str | Path, manifest: dict[str, Any], batch: int = 25, every_s: float = 10.0
    ) -> ResultStore:
        """Reopen a results folder to finish its experiment (``--resume``).

        Takes the lock; the stored manifest must describe the same spec, input files and
        seeds. Every listed part is verified: a batch with a missing, truncated, garbage
        or altered part is moved to ``damaged/`` and its runs will run again (``repairs``
        says so, and it is logged). A part another experiment wrote is refused
        (``GovsimError``) before anything changes. Unlisted parts of this experiment
        (written after its last commit) and temporary files are deleted.
        """
        folder = Path(folder)
        if not (folder / "manifest.json").exists():
            read_manifest(folder)  # the plain "not a results folder" error, before locking
        lock = Lock(folder)
        try:
            store = cls._repaired(folder, manifest, lock, batch, every_s)
        except BaseException:
            lock.release()
            raise
        if store.repairs:
            _log.warning("govsim: %s", "; ".join(store.repairs))
        return store

    @classmethod
    def _repaired(
        cls, folder: Path, manifest: dict[str, Any], lock: Lock, batch: int, every_s: float
    ) -> ResultStore:
        stored = read_manifest(folder)
        changed = [key for key in _SAME_FOR_RESUME if _same(stored, key) != _same(manifest, key)]
        if changed:
            options = Overrides.from_record(stored.get("overrides") or {}).describe()
            raise GovsimError(
                f"{folder}: holds results of a different experiment (changed: "
                f"{', '.join(changed)}); resume with the same spec, inputs and options"
                f" ({f'it ran with {options}' if options else 'it ran with none'}), "
                "or use a new folder"
            )
        experiment_id = stored["experiment_id"]
        kept, dropped = [], []
        for entry in stored["parts"]:
            found = [
                inspect(folder / kind / part_name(entry["part"]), record, experiment_id)
                for kind, record in entry["files"].items()
            ]
            bad = [f for f in found if f.problem]
            (dropped if bad else kept).append((entry, bad))
        leftovers = _unlisted(folder, stored)  # raises on a foreign part
        for path in leftovers:
            path.unlink()
        repairs = []
        for entry, bad in dropped:
            for kind in entry["files"]:
                _move_aside(folder, kind, part_name(entry["part"]))
            what = ", ".join(f"{f.path.relative_to(folder)} ({f.problem})" for f in bad)
            repairs.append(
                f"{folder}: dropped a damaged batch ({what}); moved to {DAMAGED}/, its "
                f"{len(entry['run_ids'])} runs run again"
            )
        store = cls(
            folder,
            {**stored, "parts": [e for e, _ in kept], "status": "running"},
            lock,
            batch,
            every_s,
        )
        numbers = [e["part"] for e, _ in dropped] + [_part_number(p) for p in leftovers]
        store._next_part = max(store._next_part, 1 + max(numbers, default=-1))
        store.repairs = repairs
        store.manifest.setdefault("resumed", []).append(now())
        store._write_manifest()
        return store

    def add(self, result: RunResult, labels: dict[str, Any] | None = None) -> None:
        """Buffer one finished run (``labels``, e.g. parameter values, join its row);
        write a batch when it is full or ``every_s`` seconds have passed. A run already
        stored or buffered is ignored: a run id is stored once."""
        if result.run_id not in self.finished:
            self._buffer[result.run_id] = (result, labels or {})
        due = time.monotonic() - self._last_flush >= self.every_s
        if len(self._buffer) >= self.batch or due:
            self.flush()

    def flush(self) -> None:
        """Write the buffered runs as one part per kind, then commit them to the manifest."""
        self._last_flush = time.monotonic()
        if not self._buffer:
            return
        buffer, self._buffer = list(self._buffer.values()), {}
        frames = {
            "series": [r.series for r, _ in buffer if r.series is not None],
            "ledgers": [r.ledger for r, _ in buffer if r.ledger is not None],
            "runs": [pd.DataFrame([_row(r.row, labels) for r, labels in buffer])],
        }
        name = part_name(self._next_part)
        files = {}
        for kind in KINDS:
            if frames[kind]:
                frame = pd.concat(frames[kind], ignore_index=True)
                data = part_bytes(frame, self.manifest["experiment_id"])
                write_atomic(self.folder / kind / name, data)
                files[kind] = part_record(data, len(frame))
        run_ids = sorted(r.run_id for r, _ in buffer)
        self.manifest["parts"].append({"part": self._next_part, "run_ids": run_ids, "files": files})
        self._write_manifest()  # the commit point
        self._next_part += 1
        self.finished.update(run_ids)

    def finish(self, complete: bool = True) -> None:
        """Flush, record the end time (status ``complete`` or ``stopped``), release the lock."""
        try:
            self.flush()
            self.manifest.update(
                finished=now(),
                status="complete" if complete else "stopped",
                runs_done=len(self.finished),
            )
            self._write_manifest()
        finally:
            self._lock.release()

    def _write_manifest(self) -> None:
        write_atomic(self.folder / "manifest.json", manifest_text(self.manifest))


def manifest_text(manifest: dict[str, Any]) -> bytes:
    """The manifest as strict JSON bytes; ``GovsimError`` naming the first value that is not
    a finite number (JSON has no NaN or infinity) — by its spec file and field when the
    value comes from the spec."""
    for path, value in _leaves(manifest, ""):
        if isinstance(value, float) and not math.isfinite(value):
            where = f"manifest.json: {path.lstrip('.')}"
            if path.startswith(".spec.") and manifest.get("spec_file"):
                where = f"{manifest['spec_file']}: {path.removeprefix('.spec.')}"
            raise GovsimError(
                f"{where}: {value} is not a finite number; a results folder records its "
                "spec as strict JSON (allowed: finite numbers)"
            )
    return (json.dumps(manifest, indent=2, allow_nan=False, default=str) + "\n").encode("utf-8")


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}[{i}]")
    else:
        yield path, value


def _blank(folder: Path) -> bool:
    """Whether ``folder`` holds nothing but what an interrupted ``create`` leaves (its lock,
    a temporary manifest, empty kind folders)."""
    if not folder.is_dir():
        return False
    for path in folder.iterdir():
        if path.name in (LOCK, ".manifest.json.tmp"):
            continue
        if not (path.name in KINDS and path.is_dir() and not any(path.iterdir())):
            return False
    return True


def _not_empty(folder: Path) -> GovsimError:
    return GovsimError(
        f"{folder}: the folder is not empty; pass --resume to finish the experiment "
        "stored there, or choose a new folder with --out"
    )


def _remove_created(folder: Path, made: bool) -> None:
    """Undo a failed ``create``: the folder if it made it, else what it put inside."""
    if made:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for name in (LOCK, ".manifest.json.tmp", "manifest.json", *KINDS):
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _unlisted(folder: Path, manifest: dict[str, Any]) -> list[Path]:
    """Files in the kind folders the manifest does not list that this experiment wrote
    (parts after its last commit, temporary files); raises ``foreign`` for a part written
    by anyone else. Files not named like parts are left alone."""
    listed = {(k, part_name(e["part"])) for e in manifest["parts"] for k in e["files"]}
    found = []
    for kind in KINDS:
        if not (folder / kind).is_dir():
            continue
        for path in sorted((folder / kind).iterdir()):
            if path.name.startswith(".part-") and path.name.endswith(".tmp"):
                found.append(path)
            elif _part_number(path) >= 0 and (kind, path.name) not in listed:
                try:
                    written_by = owner(path.read_bytes())
                except ValueError:
                    written_by = None
                if written_by != manifest["experiment_id"]:
                    raise foreign(path)
                found.append(path)
    return found


def _move_aside(folder: Path, kind: str, name: str) -> None:
    path = folder / kind / name
    if path.exists():
        (folder / DAMAGED).mkdir(exist_ok=True)
        path.replace(folder / DAMAGED / f"{kind}-{name}")


def _same(manifest: dict[str, Any], key: str) -> Any:
    """What must not change between a run and its resumption (input files by content)."""
    value = manifest.get(key)
    return sorted(value.values()) if key == "files" and isinstance(value, dict) else value


def _row(row: dict[str, Any], labels: dict[str, Any]) -> dict[str, Any]:
    """A run's row with its labels (parameter values) after the identifying columns."""
    ids = ("run_id", "scenario", "policy", "sample", "rep", "seed")
    head = {key: row[key] for key in ids if key in row}
    return {**head, **labels, **{k: v for k, v in row.items() if k not in head}}


def part_name(number: int) -> str:
    """The file name of part ``number`` (the same in every kind folder)."""
    return f"part-{number:06d}.parquet"


def _part_number(path: Path) -> int:
    stem = path.name.removesuffix(".parquet")
    return int(stem[5:]) if stem.startswith("part-") and stem[5:].isdigit() else -1


def _read_kind(
    folder: Path, manifest: dict[str, Any], kind: str, columns: list[str] | None = None
) -> pd.DataFrame:
    """Every listed part of one kind, verified and concatenated, each run id from its first
    part only. ``GovsimError`` naming a damaged or foreign part."""
    seen: set[int] = set()
    frames = []
    for entry in manifest["parts"]:
        record = entry["files"].get(kind)
        if record is None:
            continue
        found = inspect(folder / kind / part_name(entry["part"]), record, manifest["experiment_id"])
        if found.problem:
            raise GovsimError(
                f"{found.path}: damaged ({found.problem}); `govsim experiment SPEC --out "
                f"{folder} --resume` moves it aside and runs its runs again"
            )
        fresh = set(entry["run_ids"]) - seen
        seen |= fresh
        frame = read_frame(found.data, columns)
        if "run_id" in frame.columns:
            frame = frame[frame["run_id"].isin(fresh)]
        if not frame.empty:
            frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


#: Manifest entries and their JSON types, checked when a folder is read.
_SHAPE: dict[str, type | tuple[type, ...]] = {"format": str, "experiment_id": str, "parts": list}
_ENTRY_SHAPE: dict[str, type | tuple[type, ...]] = {"part": int, "run_ids": list, "files": dict}


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The manifest of a results folder, its structure checked; ``GovsimError`` if there is
    none, it is not JSON, or it was edited out of shape (naming the field)."""
    path = Path(folder) / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GovsimError(f"{folder}: not a govsim results folder (no manifest.json)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GovsimError(f"{path}: cannot read the manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise GovsimError(f"{path}: damaged manifest: expected a JSON object")
    if manifest.get("format") != FORMAT:
        raise GovsimError(
            f"{path}: format: {manifest.get('format')!r} is not {FORMAT!r} (written by another "
            "govsim version, or edited); run the experiment again into a new folder"
        )
    _check_shape(manifest, _SHAPE, path, "")
    total = manifest.get("runs_total")
    for i, entry in enumerate(manifest["parts"]):
        where = f"parts[{i}]"
        if not isinstance(entry, dict):
            raise GovsimError(f"{path}: {where}: damaged manifest: expected an object")
        _check_shape(entry, _ENTRY_SHAPE, path, f"{where}.")
        ids = entry["run_ids"]
        if not all(
            isinstance(r, int) and (not isinstance(total, int) or 0 <= r < total) for r in ids
        ):
            raise GovsimError(
                f"{path}: {where}.run_ids: damaged manifest: not run ids of this experiment"
            )
        for kind, record in entry["files"].items():
            ok = (
                kind in KINDS and isinstance(record, dict) and isinstance(record.get("sha256"), str)
            )
            if not ok:
                raise GovsimError(f"{path}: {where}.files.{kind}: damaged manifest")
    return manifest


def _check_shape(
    record: dict[str, Any], shape: dict[str, type | tuple[type, ...]], path: Path, where: str
) -> None:
    for key, kind in shape.items():
        if not isinstance(record.get(key), kind) or isinstance(record.get(key), bool):
            name = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise GovsimError(
                f"{path}: {where}{key}: damaged manifest (expected {name}, found "
                f"{record.get(key)!r:.40}); it was edited or is not govsim's"
            )


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
        return _read_kind(self.folder, self.manifest, "ledgers")


#: What reading results needs of the manifest besides the store's own entries.
_RESULTS_SHAPE: dict[str, type | tuple[type, ...]] = {
    "experiment": str,
    "runs_total": int,
    "status": str,
    "baseline": str,
    "parameters": list,
    "outcomes": list,
}


def load(folder: str | Path) -> Results:
    """Read a results folder: runs and series sorted by run id, and the manifest.

    Only the parts the manifest lists are read, each verified against its SHA-256, and a
    run id counts once. ``GovsimError`` names a damaged or foreign part or manifest field.
    Nothing is written (a read-only folder is fine)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    _check_shape(manifest, _RESULTS_SHAPE, folder / "manifest.json", "")
    _unlisted(folder, manifest)  # refuse a foreign part even though it would not be read
    runs = _read_kind(folder, manifest, "runs")
    if runs.empty:  # stopped before its first batch
        runs = pd.DataFrame(columns=["run_id", "scenario", "policy", "sample", "rep", "seed"])
    missing = [c for c in manifest["parameters"] + manifest["outcomes"] if c not in runs]
    if missing and len(runs):
        raise GovsimError(
            f"{folder / 'manifest.json'}: names columns the runs do not have "
            f"({', '.join(map(str, missing[:3]))}); it was edited or is not this folder's"
        )
    runs = runs.sort_values("run_id", kind="stable", ignore_index=True)
    series = _read_kind(folder, manifest, "series")
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
