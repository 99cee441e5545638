"""A griffe extension for the API reference: govsim's docstrings follow two Sphinx
conventions griffe does not read by itself.

- Constants and attributes are documented by ``#:`` comment lines just above the
  assignment: they become the attribute's docstring.
- Cross-references are Sphinx roles (``:class:`GridMap```, ``:mod:`~govsim.world.x```):
  they become code spans (```GridMap```, ```x```), as Sphinx would print them.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|class|mod|meth|attr|data|exc|obj):`(~?)([^`]+)`")


def comment_above(lines: list[str], lineno: int) -> str:
    """The text of the ``#:`` comment lines just above line ``lineno`` (counted from 1) of
    ``lines``, one per line, or an empty string."""
    found: list[str] = []
    index = lineno - 2
    while index >= 0 and lines[index].lstrip().startswith("#:"):
        found.insert(0, lines[index].lstrip()[2:].strip())
        index -= 1
    return "\n".join(found)


def without_roles(text: str) -> str:
    """``text`` with each Sphinx role written as a code span of its target (only the last
    part of the target's dotted path when it starts with ``~``)."""
    return ROLE.sub(
        lambda m: f"`{m.group(2).rsplit('.', 1)[-1] if m.group(1) else m.group(2)}`", text
    )


class SphinxConventions(griffe.Extension):
    """Read ``#:`` comments as attributes' docstrings and Sphinx roles as code spans."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Give ``obj`` its ``#:`` comment as docstring if it is an attribute without one,
        then turn the roles of its docstring into code spans."""
        if obj.docstring is None and obj.is_attribute and obj.lineno is not None:
            text = comment_above(obj.lines_collection[obj.filepath], obj.lineno)
            if text:
                obj.docstring = griffe.Docstring(text, lineno=obj.lineno - 1, parent=obj)
        if obj.docstring is not None:
            obj.docstring.value = without_roles(obj.docstring.value)
