"""The one YAML loader govsim reads files with: safe, and strict about duplicate keys.

PyYAML's ``safe_load`` keeps the last of two equal keys, so a second ``staffing:`` block
silently replaces the first. :class:`StrictLoader` refuses it, naming the key and both
lines. A document nested too deeply to compose is refused with a message, not a
``RecursionError``.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode


class DuplicateKeyError(yaml.YAMLError):
    """A mapping repeats a key; the message names it and both line numbers."""


class StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a mapping with the same key twice."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """The mapping of ``node``; raises ``DuplicateKeyError`` on a repeated key."""
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":  # `<<:` may be overridden
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: the base class refuses it
                    continue
                if first is not None:
                    raise DuplicateKeyError(
                        f"duplicate key {key!r} at lines {first} and {line} "
                        "(the second would silently replace the first)"
                    )
                seen[key] = line
        return super().construct_mapping(node, deep)


def load_yaml(text: str) -> Any:
    """Parse one YAML document with :class:`StrictLoader`.

    Raises ``yaml.YAMLError`` (``DuplicateKeyError`` for a repeated key) or
    ``ValueError`` for a document nested too deeply.
    """
    try:
        return yaml.load(text, Loader=StrictLoader)  # StrictLoader is a SafeLoader
    except RecursionError:
        raise ValueError("nested too deeply (more levels than a scenario ever needs)") from None
