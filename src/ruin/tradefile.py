"""Read a user's trade list (CSV or Parquet) with polars, all or nothing.

Format: one row per trade, with a header and one of these columns:

* ``r`` -- the trade's outcome in R (multiples of the amount risked; -1 = a full stop-loss);
* ``return`` -- the trade's return on account equity as a fraction (0.012 = +1.2%).

Other columns are ignored. Empty cells, text in the column, an empty file, a missing column
or a file over the size limit raise :class:`~ruin.errors.ParameterError` naming the file,
the column and (for a bad cell) the row; nothing is half-loaded.

What is refused before anything is loaded: anything but a regular file (a device, a pipe,
``/proc/self/mem``, a folder, a link to one of these), a file over :data:`MAX_FILE_BYTES`,
a Parquet file whose metadata counts more than :data:`MAX_ROWS` rows (a small compressed
file can hold hundreds of millions), and a Parquet column that is not numeric or text
(booleans, dates, times, structs and lists are not trade outcomes). Error messages name the
file, column and row but never repeat the file's text beyond one short bad cell.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import polars as pl

from .errors import ParameterError

__all__ = [
    "load_trades",
    "read_trades_bytes",
    "parquet_rows",
    "read_regular_file",
    "TEMPLATE_CSV",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
]

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 1_000_000
#: Longest bad cell an error message repeats (longer text is described, not shown).
_MAX_SHOWN_CELL = 12
COLUMNS = {"r": "r", "return": "returns"}
TEMPLATE_CSV = "r\n2.0\n-1.0\n-1.0\n1.5\n-1.0\n3.0\n-0.5\n-1.0\n2.0\n-1.0\n"


def load_trades(path: str | Path) -> tuple[tuple[float, ...], str]:
    """Read trades from a ``.csv`` or ``.parquet`` file; returns ``(values, kind)``.

    ``kind`` is ``"r"`` or ``"returns"`` depending on the column found.
    """
    p = Path(path)
    return read_trades_bytes(read_regular_file(p, "trades_file", MAX_FILE_BYTES), name=p.name)


def read_regular_file(path: Path, name: str, max_bytes: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (links followed) of at most
    ``max_bytes``; a device, pipe, folder, ``/proc`` file or unreadable file is refused
    with a :class:`~ruin.errors.ParameterError` naming ``name`` and the path, never its text.
    """
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        raise ParameterError(name, "an existing CSV or Parquet file", str(path)) from None
    if not stat.S_ISREG(st.st_mode) or str(Path(path).resolve()).startswith("/proc/"):
        raise ParameterError(
            name, "a regular file (not a folder, device, pipe or /proc file)", str(path)
        )
    if st.st_size > max_bytes:
        raise ParameterError(
            name, f"at most {max_bytes // 2**20} MiB", f"{st.st_size / 2**20:.1f} MiB"
        )
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise ParameterError(
            name, "a readable file", f"{path} ({exc.strerror or type(exc).__name__})"
        ) from None
    if len(data) > max_bytes:  # grew while read
        raise ParameterError(name, f"at most {max_bytes // 2**20} MiB", "a larger file")
    return data


def parquet_rows(data: bytes, label: str) -> int:
    """Row count of Parquet ``data`` from its metadata (nothing is decoded)."""
    try:
        return int(pl.scan_parquet(io.BytesIO(data)).select(pl.len()).collect().item())
    except Exception as exc:  # polars raises several error types for malformed input
        raise ParameterError(
            label, "a readable CSV or Parquet file", f"unreadable ({type(exc).__name__})"
        ) from None


def _numeric_or_text(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() or dtype == pl.String


def read_trades_bytes(data: bytes, *, name: str = "upload.csv") -> tuple[tuple[float, ...], str]:
    """Parse trade-list bytes (CSV, or Parquet when ``name`` ends in .parquet)."""
    label = f"trades file {name}"
    if len(data) > MAX_FILE_BYTES:
        raise ParameterError(
            label, f"at most {MAX_FILE_BYTES // 2**20} MiB", f"{len(data) / 2**20:.1f} MiB"
        )
    if not data.strip():
        raise ParameterError(
            label, "a non-empty file with a header row ('r' or 'return')", "an empty file"
        )
    parquet = name.lower().endswith(".parquet")
    try:
        if parquet:
            rows = parquet_rows(data, label)
            if rows > MAX_ROWS:
                raise ParameterError(label, f"at most {MAX_ROWS:,} trades", f"{rows:,} rows")
            schema = pl.read_parquet_schema(io.BytesIO(data))
            columns = list(schema)
        else:
            df = pl.read_csv(io.BytesIO(data), infer_schema=False, n_rows=MAX_ROWS + 1)
            columns = df.columns
    except ParameterError:
        raise
    except Exception as exc:  # polars raises several error types for malformed input
        raise ParameterError(
            label, "a readable CSV or Parquet file", f"unreadable ({type(exc).__name__})"
        ) from None
    cols = {str(c).strip().lower(): c for c in columns}
    found = [c for c in COLUMNS if c in cols]
    if not found:
        raise ParameterError(
            f"{label} columns",
            "to include 'r' (R multiples) or 'return'",
            f"{len(columns)} column(s), none named so",
        )
    col = cols[found[0]]
    kind = COLUMNS[found[0]]
    if parquet:
        dtype = schema[col]
        if not _numeric_or_text(dtype):
            raise ParameterError(
                f"{label} column '{col}'",
                "numbers (R multiples or returns)",
                f"a {dtype} column",
                "Booleans, dates, times and nested values are not trade outcomes.",
            )
        try:
            df = pl.read_parquet(io.BytesIO(data), columns=[col])
        except Exception as exc:  # pragma: no cover - the schema was readable
            raise ParameterError(
                label, "a readable CSV or Parquet file", f"unreadable ({type(exc).__name__})"
            ) from None
    if df.height == 0:
        raise ParameterError(label, "at least one trade row", "a header with no rows")
    if df.height > MAX_ROWS:
        raise ParameterError(label, f"at most {MAX_ROWS:,} trades", f"more than {MAX_ROWS:,}")
    s = df.get_column(col)
    if s.dtype == pl.String:
        s = s.str.strip_chars()
        num = s.cast(pl.Float64, strict=False)
        bad = (num.is_null() | num.is_nan() | num.is_infinite()).arg_true()
        if bad.len():
            i = int(bad[0])
            raise ParameterError(
                f"{label} column '{col}' row {i + (1 if parquet else 2)}",
                "a finite number",
                _cell(s[i]),
            )
    else:
        try:
            num = s.cast(pl.Float64)
        except Exception:
            raise ParameterError(f"{label} column '{col}'", "numeric", str(s.dtype)) from None
        bad = (num.is_null() | num.is_nan() | num.is_infinite()).arg_true()
        if bad.len():
            i = int(bad[0])
            raise ParameterError(f"{label} column '{col}' row {i + 1}", "a finite number", s[i])
    return tuple(float(v) for v in num.to_list()), kind


def _cell(value: object) -> object:
    """A bad cell as an error may repeat it: short text as is, longer text described."""
    if value is None or value == "":
        return "an empty cell"
    text = str(value)
    if len(text) <= _MAX_SHOWN_CELL and text.isprintable():
        return text
    return f"text of {len(text):,} characters"
