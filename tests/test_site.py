"""The website (mkdocs.yml, tools/docs_site.py): the nav lists every page and notebook, the
API reference covers every public module with a docstring on every public object, links
written for GitHub land on the site's pages, and (slow) the strict build passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.utils.yaml import yaml_load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import docs_site
from griffe_docstrings import comment_above, without_roles

ROOT = docs_site.ROOT
DOCS = ROOT / "docs"


def nav_pages(nav: list[object]) -> list[str]:
    """Every page path the nav names, in order."""
    pages: list[str] = []
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        pages += nav_pages(value) if isinstance(value, list) else [str(value)]
    return pages


@pytest.fixture(scope="module")
def nav() -> list[str]:
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as file:
        return nav_pages(yaml_load(file)["nav"])


def test_nav_lists_every_page_and_notebook(nav: list[str]) -> None:
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    mounted = set(docs_site.mounted().values())
    assert {f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")} <= mounted
    assert not pages & mounted, "a mounted page would hide a page of docs/"
    assert sorted((pages | mounted) - set(nav)) == [], "pages missing from mkdocs.yml's nav"
    unknown = set(nav) - pages - mounted
    assert sorted(unknown) == [], "nav entries with no page"
    assert len(nav) == len(set(nav)), "a page listed twice"


def test_api_reference_covers_govsim() -> None:
    assert docs_site.api_problems(DOCS / "api") == []


def test_api_check_finds_a_missing_module_and_docstrings(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text('"""A package."""\n')
    (package / "done.py").write_text(
        '"""Documented."""\n\ndef f():\n    """F."""\n\ndef _private():\n    pass\n'
    )
    (package / "bare.py").write_text(
        "class C:\n    def m(self):\n        pass\n\n"
        "    @property\n    def p(self):\n        return 1\n\n"
        "    def _hidden(self):\n        pass\n"
    )
    (package / "_internal.py").write_text("def g():\n    pass\n")
    api = tmp_path / "api"
    api.mkdir()
    (api / "index.md").write_text("# API\n\n::: pkg\n\n::: pkg.done\n")
    problems = docs_site.api_problems(api, package="pkg", search_path=tmp_path)
    assert problems == [
        "module pkg.bare is missing from the API reference: add `::: pkg.bare` to a page of api/",
        "pkg.bare has no docstring",
        "pkg.bare.C has no docstring",
        "pkg.bare.C.m has no docstring",
        "pkg.bare.C.p has no docstring",
    ]
    (api / "index.md").write_text("::: pkg\n::: pkg.done\n::: pkg.bare\n")
    assert len(docs_site.api_problems(api, package="pkg", search_path=tmp_path)) == 4


def test_links_written_for_github_land_on_the_sites_pages() -> None:
    site_of = {
        str(ROOT / "README.md"): "readme.md",
        str(DOCS / "python.md"): "python.md",
        str(DOCS / "viz.png"): "viz.png",
        str(ROOT / "notebooks" / "sensitivity.ipynb"): "notebooks/sensitivity.ipynb",
    }
    readme = (
        "See [the API](docs/python.md#sim), ![app](docs/viz.png), "
        "[a notebook](notebooks/sensitivity.ipynb), [web](https://example.org/x.md), "
        "[here](#top) and [a spec](experiments/demo.yaml).\n"
        "```\n[in code](docs/python.md)\n```\n"
    )
    assert docs_site.relink(readme, ROOT / "README.md", "readme.md", site_of) == (
        "See [the API](python.md#sim), ![app](viz.png), "
        "[a notebook](notebooks/sensitivity.ipynb), [web](https://example.org/x.md), "
        "[here](#top) and [a spec](experiments/demo.yaml).\n"
        "```\n[in code](docs/python.md)\n```\n"
    )
    page = "Start with the [README](../README.md) or [the API](python.md)."
    assert docs_site.relink(page, DOCS / "index.md", "index.md", site_of) == (
        "Start with the [README](readme.md) or [the API](python.md)."
    )
    notebook_index = "[back](../docs/python.md)"
    assert docs_site.relink(
        notebook_index, ROOT / "notebooks" / "README.md", "notebooks/README.md", site_of
    ) == "[back](../python.md)"


def test_comment_above_an_assignment_is_its_docstring() -> None:
    lines = ["x = 1", "#: Distance (km)", "#: between cells.", "SPACING = 0.5", "", "Y = 2"]
    assert comment_above(lines, 4) == "Distance (km)\nbetween cells."
    assert comment_above(lines, 6) == ""
    assert comment_above(lines, 1) == ""


def test_sphinx_roles_become_code_spans() -> None:
    text = "Modules: :mod:`~govsim.world.geography.gridmap` (the :class:`GridMap`), :func:`f`."
    assert without_roles(text) == "Modules: `gridmap` (the `GridMap`), `f`."
    assert without_roles(":meth:`govsim.sim.Sim.run`") == "`govsim.sim.Sim.run`"


@pytest.mark.slow
def test_site_builds_in_strict_mode(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr
    for page in ("readme", "api/world", "notebooks/seed_models", "changelog"):
        assert (tmp_path / page / "index.html").stat().st_size > 10_000, page
    assert "build_lattice" in (tmp_path / "api" / "world" / "index.html").read_text("utf-8")
