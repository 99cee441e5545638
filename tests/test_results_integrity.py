"""Results folders one can trust: a lock per writer, verified parts, repairs on --resume,
foreign parts refused, a read-only report, and no half-made folders."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from govsim.cli import main
from govsim.errors import GovsimError
from govsim.experiments import results
from govsim.experiments.experiment import run_experiment
from govsim.experiments.parts import Lock, part_bytes
from govsim.experiments.results import load, manifest_text, read_manifest
from govsim.experiments.spec import load_experiment
from tests.experiments_support import SMALL, assert_same_results, write_spec


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A complete small experiment (8 runs in parts of 3) to copy and damage."""
    folder = tmp_path_factory.mktemp("made")
    spec = write_spec(folder, SMALL)
    run_experiment(load_experiment(spec), folder / "out", batch=3)
    return spec, folder / "out"


@pytest.fixture
def copy(made: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    spec, out = made
    shutil.copytree(out, tmp_path / "out")
    return spec, tmp_path / "out"


def _resume(spec: Path, out: Path) -> int:
    return main(["experiment", str(spec), "--out", str(out), "--resume", "--json"])


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time (ns)."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


# --- the lock ------------------------------------------------------------------------------


def test_a_second_writer_is_refused(copy, tmp_path: Path, capsys) -> None:
    spec, out = copy
    (tmp_path / "new").mkdir()
    holders = [Lock(out), Lock(tmp_path / "new")]  # other writers hold both folders
    try:
        assert _resume(spec, out) == 2
        assert main(["experiment", str(spec), "--out", str(tmp_path / "new")]) == 2
        for err in capsys.readouterr().err.splitlines():
            assert "another govsim process" in err and "is writing this results folder" in err
    finally:
        for holder in holders:
            holder.release()
    assert _resume(spec, out) == 0  # once the writer is gone
    assert [p.name for p in (tmp_path / "new").iterdir()] == [".lock"]  # nothing else written


# --- damaged parts ---------------------------------------------------------------------------


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


DAMAGE: dict[str, tuple[str, Callable[[Path], None]]] = {
    "truncated runs part": ("runs/part-000001.parquet", _truncate),
    "truncated series part": ("series/part-000002.parquet", _truncate),
    "empty series part": ("series/part-000000.parquet", lambda p: p.write_bytes(b"")),
    "garbage runs part": ("runs/part-000000.parquet", lambda p: p.write_bytes(b"\x00junk" * 99)),
    "missing runs part": ("runs/part-000001.parquet", Path.unlink),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_damaged_part_is_named_by_report_and_repaired_by_resume(
    case: str, copy, made, capsys, caplog
) -> None:
    spec, out = copy
    name, damage = DAMAGE[case]
    batch = read_manifest(out)["parts"][int(name[-9:-8])]["run_ids"]
    damage(out / name)
    with pytest.raises(GovsimError, match=name.replace("/", r"/") + r": damaged"):
        load(out)
    assert main(["report", str(out)]) == 2
    err = capsys.readouterr().err
    assert name in err and "--resume" in err and "Traceback" not in err
    with caplog.at_level(logging.WARNING):
        assert _resume(spec, out) == 0
    repairs = [r.getMessage() for r in caplog.records if "dropped a damaged batch" in r.message]
    assert (
        len(repairs) == 1
        and name in repairs[0]
        and f"its {len(batch)} runs run again" in repairs[0]
    )
    if case != "missing runs part":
        assert (out / "damaged" / name.replace("/", "-")).exists()
    assert_same_results(load(out), load(made[1]))  # every run stored once, as before


def test_altered_part_fails_its_checksum(copy, made) -> None:
    spec, out = copy
    part = out / "runs" / "part-000001.parquet"
    frame = pd.read_parquet(part)
    frame.loc[0, "satisfaction"] = 0.5  # a plausible edit, still this experiment's part
    part.write_bytes(part_bytes(frame, read_manifest(out)["experiment_id"]))
    with pytest.raises(GovsimError, match="checksum mismatch"):
        load(out)
    assert _resume(spec, out) == 0
    assert_same_results(load(out), load(made[1]))


def test_resume_of_an_intact_folder_repairs_nothing(copy, caplog) -> None:
    spec, out = copy
    before = read_manifest(out)["parts"]
    with caplog.at_level(logging.WARNING):
        assert _resume(spec, out) == 0
    assert not caplog.records and read_manifest(out)["parts"] == before


# --- foreign parts ---------------------------------------------------------------------------


def _foreign(out: Path, owner: str | None) -> bytes:
    """A runs part another experiment (or plain pandas: ``owner`` None) wrote."""
    frame = pd.read_parquet(out / "runs" / "part-000000.parquet").assign(run_id=[10, 11, 12])
    return part_bytes(frame, owner) if owner else frame.to_parquet(index=False)


@pytest.mark.parametrize(
    "name, owner",
    [
        ("part-000007.parquet", "0" * 32),  # copied in beside the parts
        ("part-000001.parquet", "0" * 32),  # copied over a part
        ("part-000009.parquet", None),  # not written by govsim
    ],
)
def test_foreign_part_is_refused_never_merged(name: str, owner: str | None, copy, capsys) -> None:
    spec, out = copy
    (out / "runs" / name).write_bytes(_foreign(out, owner))
    before = _snapshot(out)
    message = f"runs/{name}: this part was not written by the experiment"
    with pytest.raises(GovsimError, match=message):
        load(out)
    assert _resume(spec, out) == 2
    err = capsys.readouterr().err
    assert message in err and "never merged" in err and "Traceback" not in err
    after = _snapshot(out)
    assert after.pop(".lock") != before.pop(".lock")  # --resume took the lock, ...
    assert after == before  # ... and refused before anything changed
    (out / "runs" / name).unlink()


def test_a_run_listed_twice_is_read_once(copy, made) -> None:
    _, out = copy
    manifest = read_manifest(out)
    manifest["parts"].append(manifest["parts"][0])  # the same batch committed twice
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert_same_results(load(out), load(made[1]))


# --- report reads only ---------------------------------------------------------------------


def test_report_on_a_read_only_folder_writes_nothing_there(copy, tmp_path: Path) -> None:
    _, out = copy
    for path in [out, *out.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = _snapshot(out)
    try:
        assert main(["report", str(out)]) == 0
        assert main(["report", str(out), "--json"]) == 0
        assert main(["report", str(out), "--figures", str(tmp_path / "figs")]) == 0
    finally:
        for path in [out, *out.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert _snapshot(out) == before
    assert (tmp_path / "figs" / "sweep.png").exists()


# --- the manifest ----------------------------------------------------------------------------


def test_an_infinite_spec_value_is_refused_before_any_folder(tmp_path: Path, capsys) -> None:
    spec = write_spec(tmp_path, SMALL.replace("days: 12", "days: .inf"))
    assert main(["experiment", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:" in err and "days:" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_manifest_that_is_not_strict_json_names_the_spec_field() -> None:
    manifest = {"spec_file": "s.yaml", "spec": {"days": float("inf")}}
    with pytest.raises(GovsimError, match=r"s\.yaml: days: inf is not a finite number"):
        manifest_text(manifest)


@pytest.mark.parametrize("existing", [False, True])
def test_an_unwritable_manifest_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, existing: bool
) -> None:
    def disk_full(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(results, "write_atomic", disk_full)
    out = tmp_path / "out"
    if existing:
        out.mkdir()
    spec = write_spec(tmp_path, SMALL)
    assert main(["experiment", str(spec), "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert out.exists() == existing
    assert not existing or [p.name for p in out.iterdir()] in ([], [".lock"])


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda manifest: manifest.__setitem__(key, value)


EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "parts removed": (lambda m: m.pop("parts"), "parts: damaged manifest"),
    "runs_total a word": (_set("runs_total", "many"), "runs_total: damaged manifest"),
    "baseline removed": (lambda m: m.pop("baseline"), "baseline: damaged manifest"),
    "a run id not in the spec": (
        lambda m: m["parts"][0]["run_ids"].append(999),
        r"parts\[0\].run_ids: damaged manifest",
    ),
    "a checksum a number": (
        lambda m: m["parts"][1]["files"]["runs"].__setitem__("sha256", 1),
        r"parts\[1\].files.runs: damaged manifest",
    ),
    "an outcome the runs lack": (
        lambda m: m["outcomes"].append("bogus"),
        "names columns the runs do not have",
    ),
    "another format": (_set("format", "govsim-results/1"), "format: 'govsim-results/1'"),
    "emptied": (lambda m: m.clear(), "format: None"),
}


@pytest.mark.parametrize("case", list(EDITS))
def test_an_edited_manifest_is_a_clean_error(case: str, copy, capsys) -> None:
    _, out = copy
    edit, message = EDITS[case]
    manifest = read_manifest(out)
    edit(manifest)
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main(["report", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    with pytest.raises(GovsimError, match=message):
        load(out)


def test_a_manifest_that_is_not_json_is_a_clean_error(copy, capsys) -> None:
    spec, out = copy
    (out / "manifest.json").write_text('{"format": ')
    for argv in (["report", str(out)], ["experiment", str(spec), "--out", str(out), "--resume"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "cannot read the manifest" in err and "Traceback" not in err
