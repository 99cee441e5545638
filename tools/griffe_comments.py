"""A griffe extension for the API reference: an attribute's ``#:`` comment is its docstring.

govsim documents its constants and attributes with ``#:`` comment lines just above the
assignment (Sphinx's convention), which griffe does not read by itself.
"""

from __future__ import annotations

from typing import Any

import griffe


def comment_above(lines: list[str], lineno: int) -> str:
    """The text of the ``#:`` comment lines just above line ``lineno`` (counted from 1) of
    ``lines``, one per line, or an empty string."""
    found: list[str] = []
    index = lineno - 2
    while index >= 0 and lines[index].lstrip().startswith("#:"):
        found.insert(0, lines[index].lstrip()[2:].strip())
        index -= 1
    return "\n".join(found)


class CommentDocstrings(griffe.Extension):
    """Give each attribute without a docstring the ``#:`` comment above it."""

    def on_attribute_instance(self, *, attr: griffe.Attribute, **kwargs: Any) -> None:
        """Set ``attr``'s docstring from its ``#:`` comment, if it has one and no docstring."""
        if attr.docstring is None and attr.lineno is not None:
            text = comment_above(attr.lines_collection[attr.filepath], attr.lineno)
            if text:
                attr.docstring = griffe.Docstring(text, lineno=attr.lineno - 1, parent=attr)
