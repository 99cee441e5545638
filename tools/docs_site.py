"""The govsim site's MkDocs hooks (``hooks:`` in mkdocs.yml) and the checks its tests share.

- Pages from outside docs/ join the site without copies: the README, the CHANGELOG, the
  benchmarks' results and the notebooks (mkdocs-jupyter renders them, unexecuted).
- Links stay written for GitHub, relative to the file in the repository; each one that
  lands on a file of the site is rewritten to that file's place in the site, and any other
  is left for MkDocs to report (so a broken link fails ``mkdocs build --strict``).
- A nav entry for a page another branch is adding is dropped while the page is missing.
- The API reference (docs/api/*.md) must name every public module of govsim
  (``::: govsim.x``), and every public module, class, function and property must have a
  docstring: each miss is a warning, which fails the strict build.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import griffe
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
#: Files outside docs/ shown in the site, each with its path in the site.
MOUNTS = {
    "README.md": "readme.md",
    "CHANGELOG.md": "changelog.md",
    "benchmarks/RESULTS.md": "benchmarks.md",
}
#: Folders outside docs/ whose pages (Markdown and notebooks) the site shows at the same path.
FOLDERS = ("notebooks",)

log = logging.getLogger(f"mkdocs.hooks.{Path(__file__).stem}")
LINK = re.compile(r"(\]\()([^)\s]+)")
FENCE = re.compile(r"^([ \t]*)(```|~~~).*?^\1\2", re.S | re.M)
SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.I)
DIRECTIVE = re.compile(r"^::: ([\w.]+)", re.M)


def mounted() -> dict[str, str]:
    """Every file outside docs/ the site shows: its path in the repository → in the site."""
    pages = dict(MOUNTS)
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).iterdir()):
            if path.suffix in (".md", ".ipynb"):
                name = path.relative_to(ROOT).as_posix()
                pages[name] = name
    return pages


def relink(markdown: str, source: Path, site_path: str, site_of: dict[str, str]) -> str:
    """``markdown`` (from the file ``source``, at ``site_path`` in the site) with each
    relative link to a file of the site rewritten to that file's path in the site; links in
    fenced code, web addresses and other links are left as they are."""
    here = posixpath.dirname(site_path)

    def one(match: re.Match[str]) -> str:
        target = match.group(2)
        if SCHEME.match(target) or target.startswith(("#", "/")):
            return match.group(0)
        path, hash_, anchor = target.partition("#")
        uri = site_of.get(os.path.normpath(source.parent / unquote(path)))
        if uri is None:
            return match.group(0)
        return match.group(1) + posixpath.relpath(uri, here or ".") + hash_ + anchor

    parts, end = [], 0
    for fence in FENCE.finditer(markdown):
        parts += [LINK.sub(one, markdown[end : fence.start()]), fence.group(0)]
        end = fence.end()
    return "".join([*parts, LINK.sub(one, markdown[end:])])


def public_modules(package: griffe.Module) -> list[griffe.Module]:
    """``package`` and every module under it whose name has no leading underscore."""
    found = [package]
    for name, member in package.members.items():
        if not member.is_alias and member.is_module and not name.startswith("_"):
            found += public_modules(member)  # type: ignore[arg-type]
    return found


def undocumented(obj: griffe.Object) -> list[str]:
    """The public classes, functions and properties defined in ``obj`` (and in its
    classes), ``obj`` itself included, that have no docstring."""
    bare = [] if obj.docstring else [obj.path]
    for name, member in obj.members.items():
        if member.is_alias or member.is_module or name.startswith("_"):
            continue
        if member.is_class or member.is_function or "property" in member.labels:
            bare += undocumented(member)  # type: ignore[arg-type]
    return bare


def listed_modules(api: Path) -> set[str]:
    """The modules the API reference pages in the folder ``api`` render (their
    ``::: name`` lines)."""
    return {m for page in api.glob("*.md") for m in DIRECTIVE.findall(page.read_text("utf-8"))}


def api_problems(api: Path, package: str = "govsim", search_path: Path = ROOT) -> list[str]:
    """What keeps the API reference pages in the folder ``api`` from covering ``package``
    (found in ``search_path``): its public modules they leave out, and its public objects
    without a docstring."""
    loaded = griffe.load(package, search_paths=[str(search_path)], resolve_aliases=False)
    modules = public_modules(loaded)  # type: ignore[arg-type]
    listed = listed_modules(api)
    problems = [
        f"module {m.path} is missing from the API reference: add `::: {m.path}` to a page "
        f"of {api.name}/"
        for m in modules
        if m.path not in listed
    ]
    return problems + [f"{path} has no docstring" for m in modules for path in undocumented(m)]


def on_pre_build(config: Any) -> None:
    """Report each gap in the API reference as a warning (failing the strict build)."""
    for problem in api_problems(Path(config.docs_dir) / "api"):
        log.warning(problem)


@event_priority(100)  # before mkdocs-jupyter turns the notebooks into pages
def on_files(files: Files, config: Any) -> Files:
    """The site's files with the pages from outside docs/ added."""
    for name, site_path in mounted().items():
        if name == site_path:  # a real source folder, which mkdocs-jupyter's wrapper needs
            files.append(File(name, str(ROOT), config.site_dir, config.use_directory_urls))
        else:
            files.append(File.generated(config, site_path, abs_src_path=str(ROOT / name)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """The page's links rewritten from the repository's layout to the site's."""
    site_of = {
        os.path.normpath(f.abs_src_path): f.src_uri for f in files if f.abs_src_path
    }
    return relink(markdown, Path(page.file.abs_src_path), page.file.src_uri, site_of)
