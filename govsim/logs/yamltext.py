"""YAML text with a comment on any line: a fitted scenario says where each number came from.

``dump(data, comments)`` writes nested mappings (block style), lists of scalars (flow
style) and scalars; ``comments`` maps a dotted path (``incidents.noise.rate``) to the
comment its line ends with.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

import numpy as np


def scalar(value: Any) -> str:
    """One scalar as YAML: numbers to 6 significant digits (never in exponent form,
    which YAML 1.1 reads as text), strings quoted, dates ISO, None as null."""
    if value is None:
        return "null"
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        text = np.format_float_positional(float(value), precision=6, unique=True,
                                          fractional=False, trim="-")
        return text if "." in text or "e" in text else f"{text}.0"
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


def dump(data: Mapping[str, Any], comments: Mapping[str, str], prefix: str = "",
         indent: int = 0) -> str:
    """``data`` as YAML text, each line ending with its path's comment, if any."""
    lines = []
    pad = "  " * indent
    for key, value in data.items():
        path = f"{prefix}{key}"
        note = f"  # {comments[path]}" if path in comments else ""
        plain = isinstance(key, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key)
        head = f"{pad}{key if plain else scalar(key)}:"
        if isinstance(value, Mapping) and value:
            lines.append(f"{head}{note}")
            lines.append(dump(value, comments, f"{path}.", indent + 1))
        elif isinstance(value, Mapping):
            lines.append(f"{head} {{}}{note}")
        elif isinstance(value, list | tuple):
            lines.append(f"{head} [{', '.join(scalar(item) for item in value)}]{note}")
        else:
            lines.append(f"{head} {scalar(value)}{note}")
    return "\n".join(lines)
