"""Read a user's trade list (CSV or Parquet) with polars, all or nothing.

Format: one row per trade, with a header and one of these columns:

* ``r`` -- the trade's outcome in R (multiples of the amount risked; -1 = a full stop-loss);
* ``return`` -- the trade's return on account equity as a fraction (0.012 = +1.2%).

Other columns are ignored. Empty cells, text in the column, an empty file, a missing column
or a file over the size limit raise :class:`~ruin.errors.ParameterError` naming the file,
the column and (for a bad cell) the row; nothing is half-loaded.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from .errors import ParameterError

__all__ = ["load_trades", "read_trades_bytes", "TEMPLATE_CSV", "MAX_FILE_BYTES", "MAX_ROWS"]

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 1_000_000
COLUMNS = {"r": "r", "return": "returns"}
TEMPLATE_CSV = "r\n2.0\n-1.0\n-1.0\n1.5\n-1.0\n3.0\n-0.5\n-1.0\n2.0\n-1.0\n"


def load_trades(path: str | Path) -> tuple[tuple[float, ...], str]:
    """Read trades from a ``.csv`` or ``.parquet`` file; returns ``(values, kind)``.

    ``kind`` is ``"r"`` or ``"returns"`` depending on the column found.
    """
    p = Path(path)
    if not p.is_file():
        raise ParameterError("trades_file", "an existing CSV or Parquet file", str(path))
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ParameterError(
            "trades_file", f"at most {MAX_FILE_BYTES // 2**20} MiB", f"{size / 2**20:.1f} MiB"
        )
    return read_trades_bytes(p.read_bytes(), name=p.name)


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
    try:
        if name.lower().endswith(".parquet"):
            df = pl.read_parquet(io.BytesIO(data))
        else:
            df = pl.read_csv(io.BytesIO(data), infer_schema=False, n_rows=MAX_ROWS + 1)
    except Exception as exc:  # polars raises several error types for malformed input
        raise ParameterError(
            label,
            "a readable CSV or Parquet file",
            f"unreadable ({type(exc).__name__}: {str(exc).splitlines()[0]})",
        ) from None
    cols = {c.strip().lower(): c for c in df.columns}
    found = [c for c in COLUMNS if c in cols]
    if not found:
        raise ParameterError(
            f"{label} columns", "to include 'r' (R multiples) or 'return'", list(df.columns)
        )
    col = cols[found[0]]
    kind = COLUMNS[found[0]]
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
            raise ParameterError(f"{label} column '{col}' row {i + 2}", "a finite number", s[i])
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
