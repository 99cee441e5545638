"""Relative staffing levers: a headcount given as a change to the scenario's own.

A policy file or ``--set`` may give a staffing headcount (a whole-number field under
``staffing`` or ``departments``: ``staffing.grid_workers_per_grid``,
``staffing.office_staff.<tier>``, ``staffing.part_time.per_grid``,
``staffing.volunteers_per_cell``, ``staffing.sent_down.<department>.staff``,
``departments.<department>.staff``) relative to the value the scenario has:

- ``{add: N}`` — N more (N < 0: fewer); on the command line also ``+N`` or ``-N``;
- ``{times: K}`` — K times as many (K > 0), rounded to the nearest whole number, halves
  up (3 × 1.5 = 4.5 → 5); on the command line also ``xK``, ``*K`` or ``×K``.

In a YAML file write the mapping, or quote the text (``"+1"``): unquoted, ``+1`` is the
number 1. A result below the field's minimum is an error, never clipped: a policy meant
to add staff must not cut them on a preset that has more.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The forms a headcount may take, for error messages.
ALLOWED_FORMS = (
    "a whole number, {add: N} (N a whole number, may be negative), {times: K} (K > 0), "
    "or the text '+N', '-N', 'xK' ('*K', '×K')"
)
_ADD = re.compile(r"\s*([+-])\s*(\d+)\s*")
_TIMES = re.compile(r"\s*[x*×]\s*(\d+(?:\.\d*)?|\.\d+)\s*")


@dataclass(frozen=True)
class Relative:
    """A headcount relative to the scenario's: ``value × times + add``."""

    add: int = 0
    times: float = 1.0

    def apply(self, value: int) -> int:
        """The headcount this change makes of ``value``: rounded to the nearest whole
        number, halves up."""
        return math.floor(value * self.times + 0.5) + self.add

    def __str__(self) -> str:
        return f"{{times: {self.times:g}}}" if self.add == 0 else f"{{add: {self.add}}}"


def looks_relative(value: Any) -> bool:
    """Whether ``value`` is meant as a relative headcount: a mapping, or text in the
    shorthand (``+1``, ``x1.5``); such text stays unparsed on the command line."""
    if isinstance(value, Mapping):
        return True
    return isinstance(value, str) and bool(_ADD.fullmatch(value) or _TIMES.fullmatch(value))


def parse_relative(value: Any, where: str) -> Relative | None:
    """The relative change ``value`` gives, or None for an absolute value (a number).

    Raises ``ValueError`` naming ``where`` (the field path) and the allowed forms for a
    mapping or text that is neither."""
    if isinstance(value, str):
        if match := _ADD.fullmatch(value):
            sign = -1 if match[1] == "-" else 1
            return Relative(add=sign * int(match[2]))
        if match := _TIMES.fullmatch(value):
            return _times(float(match[1]), value, where)
        raise ValueError(f"{where}: {value!r} is not a headcount; allowed: {ALLOWED_FORMS}")
    if not isinstance(value, Mapping):
        return None
    if len(value) == 1 and "add" in value:
        add = value["add"]
        if isinstance(add, int) and not isinstance(add, bool):
            return Relative(add=add)
    elif len(value) == 1 and "times" in value:
        times = value["times"]
        if isinstance(times, int | float) and not isinstance(times, bool):
            return _times(float(times), dict(value), where)
    raise ValueError(f"{where}: {dict(value)!r} is not a headcount; allowed: {ALLOWED_FORMS}")


def _times(factor: float, written: Any, where: str) -> Relative:
    if not (0.0 < factor < math.inf):
        raise ValueError(
            f"{where}: {written!r}: the factor must be above 0; allowed: {ALLOWED_FORMS}"
        )
    return Relative(times=factor)


def apply_relative(change: Relative, value: Any, minimum: int, where: str) -> int:
    """The headcount ``change`` makes of the scenario's ``value``.

    Raises ``ValueError`` naming ``where`` when the scenario has no whole-number value
    there or when the result would fall below ``minimum``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(
            f"{where}: {change} needs a whole number in the scenario to change, found "
            f"{value!r}; give the headcount itself"
        )
    result = change.apply(value)
    if result < minimum:
        raise ValueError(
            f"{where}: {change} makes {result} of the scenario's {value}; the field's "
            f"minimum is {minimum}; allowed: {ALLOWED_FORMS}"
        )
    return result
