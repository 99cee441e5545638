"""The documentation: generated pages are current, links resolve, the README's example runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from govsim.reference import PAGES, PARTS, main, schema_sections, stale

ROOT = Path(__file__).resolve().parents[1]
PAGES_WITH_LINKS = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted(ROOT.glob("docs/*.md"))]
#: Top-level folders another branch is adding; links into them are checked once they exist.
PENDING = ("notebooks",)

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def test_generated_pages_are_current() -> None:
    old = stale()
    assert not old, f"docs/{', docs/'.join(old)} out of date with the code: run `make docs`"


def test_reference_command_writes_and_checks(tmp_path: Path) -> None:
    assert main(["--check", "--out", str(tmp_path)]) == 1  # nothing written yet
    assert main(["--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*PAGES, *PARTS])
    assert main(["--check", "--out", str(tmp_path)]) == 0


def test_every_scenario_field_is_described() -> None:
    bare = [
        f"{model.__name__}.{name}"
        for model, _ in schema_sections()
        for name, field in model.model_fields.items()
        if not field.description
    ]
    assert not bare, f"add Field(description=...) in govsim/world/scenario.py: {bare}"


def test_the_scenario_reference_covers_every_section() -> None:
    page = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    for model, prefixes in schema_sections():
        assert f"### {model.__name__}\n" in page
        for name in model.model_fields:
            assert f"`{prefixes[0]}{name}" in page


def anchors_of(page: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown page."""
    headings = re.findall(r"^#+ (.+)$", FENCE.sub("", page.read_text("utf-8")), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def relative_links(page: Path) -> list[str]:
    """Every link target on ``page`` outside code blocks that is not a web address."""
    text = FENCE.sub("", page.read_text("utf-8"))
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t)]


@pytest.mark.parametrize("page", PAGES_WITH_LINKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for target in relative_links(page):
        path_part, _, anchor = target.partition("#")
        path = (page.parent / path_part).resolve() if path_part else page
        top = path.relative_to(ROOT).parts[0] if path.is_relative_to(ROOT) else ""
        if top in PENDING and not (ROOT / top).exists():
            continue
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in anchors_of(path):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, f"{page.name}: {broken}"


def python_blocks(page: Path) -> list[str]:
    """The ```python code blocks of a Markdown page."""
    return re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"), re.S | re.M)


def test_readme_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = python_blocks(ROOT / "README.md")
    assert blocks, "the README has no Python example"
    monkeypatch.chdir(tmp_path)  # it saves its figures under out/
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert (tmp_path / "out" / "whistle.png").stat().st_size > 10_000
    assert (tmp_path / "out" / "comparison.png").stat().st_size > 10_000
    table = namespace["comparison"].table()  # type: ignore[attr-defined]
    assert set(table["policy"]) == {"status_quo", "whistle_and_report"}


def test_extending_example_runs_as_written() -> None:
    """docs/extending.md's example registers a routing rule: run in a fresh interpreter so
    the registry of this test process keeps govsim's own entries only."""
    blocks = python_blocks(ROOT / "docs" / "extending.md")
    assert blocks, "docs/extending.md has no Python example"
    done = subprocess.run(
        [sys.executable, "-c", "\n".join(blocks)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "hand-offs: 0"  # the rule sends each incident to its desk
