"""Mutated input files for the generated tests: shipped files with values broken.

A mutation picks a node anywhere in a file's data (a section, a field, a mapping's key,
a list item) and replaces it with a hostile value, deletes it, or adds an unknown key
beside it. Hostile values are the ones the issue names: 0, negatives, 1e-300, 1e300,
NaN, infinities, strings, lists, nulls, booleans, huge integers, deep nesting.
"""

from __future__ import annotations

import copy
import math
import os
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from govsim.errors import GovsimError

ROOT = Path(__file__).resolve().parents[1]
#: How many times more cases each generated test tries under the ``fuzz`` profile.
FUZZ_SCALE = 20


def examples(count: int) -> int:
    """Cases a generated test tries: ``count``, or ``FUZZ_SCALE`` × as many when fuzzing."""
    return count * FUZZ_SCALE if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else count


def _deep(levels: int = 60) -> dict[str, Any]:
    nested: dict[str, Any] = {"x": 1}
    for _ in range(levels):
        nested = {"x": nested}
    return nested


HOSTILE = (
    0, -1, 1e-300, -1e-300, 1e300, -1e300, math.nan, math.inf, -math.inf, 2**70, -(2**70),
    0.5, 1, 3, 1e6, "text", "", "1e12", ".inf", [], [1, 2], [[1]], None, True, False, {},
    {"x": 1}, _deep(),
)  # fmt: skip
#: Any hostile value: the list above, or any float, integer, short text or boolean.
hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.text(max_size=6),
)


def node_paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The key path of every node under ``data`` (mappings and lists, depth first)."""
    if isinstance(data, dict):
        items: Iterator[tuple[Any, Any]] = iter(data.items())
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return []
    paths = []
    for key, value in items:
        paths.append((*prefix, key))
        paths.extend(node_paths(value, (*prefix, key)))
    return paths


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


@st.composite
def mutated(
    draw: st.DrawFn,
    raw: dict[str, Any],
    values: st.SearchStrategy[Any] = hostile,
    most: int = 3,
) -> dict[str, Any]:
    """``raw`` with 1 to ``most`` mutations: a node replaced by a value, deleted, or given
    an unknown key beside its own."""
    data = copy.deepcopy(raw)
    for _ in range(draw(st.integers(1, most))):
        paths = node_paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(data, path), path[-1]
        action = draw(st.sampled_from(("replace", "replace", "replace", "delete", "unknown")))
        value = copy.deepcopy(draw(values))  # the listed values are shared objects
        if action == "replace":
            parent[key] = value
        elif action == "delete":
            del parent[key]
        elif isinstance(parent, dict):
            parent["zz_unknown"] = value
    return data


def numeric_paths(data: Any) -> list[tuple[Any, ...]]:
    """The paths of the numbers and booleans under ``data``."""
    return [
        path for path in node_paths(data) if isinstance(_parent(data, path)[path[-1]], int | float)
    ]


def set_at(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A copy of ``data`` with the node at ``path`` set to ``value``."""
    data = copy.deepcopy(data)
    _parent(data, path)[path[-1]] = value
    return data


_PROBLEM = re.compile(r"^  \S+: \S")


def assert_refusal(exc: BaseException, source: str) -> None:
    """``exc`` is a user error naming ``source``, then the field path and what is wrong:
    one line ``SOURCE: PATH: problem``, or ``SOURCE: invalid … (N problems)`` and one
    ``  PATH: problem`` line each."""
    assert isinstance(exc, GovsimError), f"not a user error: {exc!r}"
    head, *lines = str(exc).split("\n")
    assert source in head, f"the message does not name the file: {exc}"
    assert "Traceback" not in str(exc)
    if lines:
        assert all(_PROBLEM.match(line) for line in lines), f"a problem without a path: {exc}"
    else:
        assert re.search(r": \S+: \S", head), f"no field path in: {exc}"


class Hang(Exception):
    """A case ran past its time budget."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ``Hang`` in this (main) thread if the block runs longer than ``seconds``."""

    def expire(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
