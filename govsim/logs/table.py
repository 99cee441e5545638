"""Reading a log file's mapped columns into a DataFrame: CSV (pyarrow's multithreaded
reader, any text encoding) or Parquet, chosen by the file's suffix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from govsim.errors import LogError
from govsim.logs import columns
from govsim.logs.mapping import LogMapping

#: The names the state-change columns take in the raw frame (not canonical columns).
STATE_TIME, STATE = "_time", "_state"
#: Suffixes read as Parquet; any other file is read as CSV.
PARQUET = (".parquet", ".pq")
#: Columns a Parquet log may give as numbers.
NUMBERS = (columns.LATITUDE, columns.LONGITUDE, columns.REOPENED)


def wanted(mapping: LogMapping) -> dict[str, str]:
    """Raw frame column → the log's column, for every column the mapping reads."""
    found = mapping.columns.given()
    if mapping.state_change is not None:
        found.update({STATE_TIME: mapping.state_change.time, STATE: mapping.state_change.state})
    return found


def read_table(path: str | Path, mapping: LogMapping) -> pd.DataFrame:
    """The mapped columns of the log at ``path``, named as in :func:`wanted`: text as
    strings (nulls where empty), Parquet's timestamps and numbers as they are.

    Raises :class:`LogError` naming the file, the mapping's field and the log's columns
    when a mapped column is not in the file, or when the file cannot be read.
    """
    path = Path(path)
    if not path.is_file():
        raise LogError(f"{path}: no such log file")
    names = wanted(mapping)
    try:
        if path.suffix.lower() in PARQUET:
            _check_present(path, mapping, names, pq.read_schema(path).names)
            table = pq.read_table(path, columns=sorted(set(names.values())))
        else:
            table = _read_csv(path, mapping, names)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise LogError(f"{path}: cannot read the log ({exc})") from None
    return pd.DataFrame(
        {name: _column(table.column(source), name) for name, source in names.items()}
    )


def _read_csv(path: Path, mapping: LogMapping, names: dict[str, str]) -> pa.Table:
    read = pacsv.ReadOptions(encoding=mapping.encoding, block_size=1 << 24)
    parse = pacsv.ParseOptions(delimiter=mapping.delimiter)
    with pacsv.open_csv(path, read_options=read, parse_options=parse) as reader:
        header = reader.schema.names
    _check_present(path, mapping, names, header)
    sources = sorted(set(names.values()))
    convert = pacsv.ConvertOptions(
        include_columns=sources,
        column_types={source: pa.string() for source in sources},
        null_values=[""],  # not pyarrow's "NA", "NULL" …: those may be a platform's text
        strings_can_be_null=True,
    )
    return pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)


def _check_present(
    path: Path, mapping: LogMapping, names: dict[str, str], header: list[str]
) -> None:
    missing = [(name, source) for name, source in names.items() if source not in header]
    if missing:
        field = {STATE_TIME: "state_change.time", STATE: "state_change.state"}
        lines = [
            f"{field.get(name, f'columns.{name}')}: column {source!r} is not in the log"
            for name, source in missing
        ]
        raise LogError(
            f"{path} (mapping {mapping.source}): "
            + "; ".join(lines)
            + f"; the log's columns: {', '.join(header)}"
        )


def _column(values: pa.ChunkedArray, name: str) -> pd.Series:
    """One column as pandas: timestamps and (for coordinates and counts) numbers kept,
    anything else as text, blanks missing."""
    kind = values.type
    numeric = pa.types.is_integer(kind) or pa.types.is_floating(kind)
    if pa.types.is_timestamp(kind) or (numeric and name in NUMBERS):
        return values.to_pandas()
    if not pa.types.is_string(kind) and not pa.types.is_large_string(kind):
        values = values.cast(pa.string())
    text = values.to_pandas().astype("str")
    return text.mask(text.str.strip() == "")  # blank is missing, as an empty CSV field


def kept(frame: pd.DataFrame, keep: pd.Series) -> pd.DataFrame:
    """The rows of ``frame`` where ``keep`` is true (``frame`` itself when all are)."""
    return frame if keep.all() else frame[keep]
