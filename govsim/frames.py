"""Tables that print whole: pandas objects whose printout shows every column with
readable numbers.

``print(frame)`` of a plain DataFrame hides middle columns behind ``...`` once the table
is wider than the screen, and a column mixing rates with costs turns into scientific
notation (``1.958400e+06``). ``ReadableFrame`` and ``ReadableSeries`` print every column
on one line per row, numbers by :func:`readable`, in a terminal and in Jupyter alike; the
display options are set only while they print (pandas' global options stay untouched),
and the data stay full-precision floats.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from numbers import Number
from typing import Any

import pandas as pd


def readable(value: Any) -> str:
    """A number as a person reads it: 1,000 or more whole with thousands separators
    (``1,958,400``), smaller ones to 4 significant digits (``32.07``, ``0.3166``),
    integers whole; a missing value as an empty string; anything else as ``str``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or not isinstance(value, Number):
        return str(value)
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 1000):
        return f"{int(value):,}"
    value = float(value)
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _float(value: float) -> str:
    """``readable`` for pandas' float formatter, which has NaN printed as ``NaN``."""
    return "NaN" if math.isnan(value) else readable(value)


@contextmanager
def _whole() -> Iterator[None]:
    """pandas display options, for the duration of one printout: every column, rows on
    one line however wide, floats by ``readable``."""
    with pd.option_context(
        "display.max_columns",
        None,
        "display.expand_frame_repr",
        False,
        "display.max_colwidth",
        None,
        "display.float_format",
        _float,
    ):
        yield


class ReadableSeries(pd.Series):
    """A ``pandas.Series`` that prints its numbers readably (``1,958,400``, not
    ``1.958400e+06``); otherwise a Series in every way."""

    @property
    def _constructor(self) -> type[ReadableSeries]:
        return ReadableSeries

    @property
    def _constructor_expanddim(self) -> type[ReadableFrame]:
        return ReadableFrame

    def __repr__(self) -> str:
        """The Series as text, numbers by :func:`readable`."""
        with _whole():
            return super().__repr__()


class ReadableFrame(pd.DataFrame):
    """A ``pandas.DataFrame`` that prints every column (no ``...``), one line per row,
    numbers by :func:`readable`, as text and as Jupyter's HTML; otherwise a DataFrame in
    every way (selections and operations stay ``ReadableFrame``)."""

    @property
    def _constructor(self) -> type[ReadableFrame]:
        return ReadableFrame

    @property
    def _constructor_sliced(self) -> type[ReadableSeries]:
        return ReadableSeries

    def __repr__(self) -> str:
        """The table as text: every column, numbers by :func:`readable`."""
        with _whole():
            return super().__repr__()

    def _repr_html_(self) -> str | None:
        """The table as Jupyter's HTML: every column, numbers by :func:`readable`."""
        with _whole():
            return super()._repr_html_()
