"""Trade-list files (CSV / Parquet): all or nothing, errors name the file, column and row."""

import io

import polars as pl
import pytest

from ruin import ParameterError
from ruin.tradefile import (
    MAX_FILE_BYTES,
    TEMPLATE_CSV,
    load_trades,
    read_trades_bytes,
)


def test_template_round_trip():
    vals, kind = read_trades_bytes(TEMPLATE_CSV.encode())
    assert kind == "r"
    assert vals[:3] == (2.0, -1.0, -1.0) and len(vals) == 10


def test_return_column_gives_returns_kind_and_ignores_other_columns():
    data = b"date,Return,note\n2024-01-01,0.012,a\n2024-01-02,-0.01,b\n"
    vals, kind = read_trades_bytes(data)
    assert kind == "returns" and vals == (0.012, -0.01)


def test_missing_column():
    with pytest.raises(ParameterError, match="columns must be to include 'r'"):
        read_trades_bytes(b"pnl\n1.0\n")


def test_non_numeric_cell_names_the_row():
    # header is line 1, so the third data row is line 4
    with pytest.raises(
        ParameterError,
        match=r"column 'r' row 4 must be a finite number; "
        r"got 'abc'",
    ):
        read_trades_bytes(b"r\n1.0\n-1.0\nabc\n2.0\n", name="mine.csv")


def test_empty_cell_is_an_error():
    with pytest.raises(ParameterError, match="row 3 must be a finite number"):
        read_trades_bytes(b"r,x\n1.0,1\n,2\n")


def test_empty_file_and_header_only():
    with pytest.raises(ParameterError, match="got 'an empty file'"):
        read_trades_bytes(b"")
    with pytest.raises(ParameterError, match="got 'an empty file'"):
        read_trades_bytes(b"  \n\n")
    with pytest.raises(ParameterError, match="at least one trade row"):
        read_trades_bytes(b"r\n")


def test_huge_file_refused_before_parsing(tmp_path):
    big = b"r\n" + b"1.0\n" * (MAX_FILE_BYTES // 4 + 10)
    with pytest.raises(ParameterError, match="at most 20 MiB"):
        read_trades_bytes(big)
    p = tmp_path / "big.csv"
    p.write_bytes(big)
    with pytest.raises(ParameterError, match="trades_file must be at most 20 MiB"):
        load_trades(p)


def test_missing_file(tmp_path):
    with pytest.raises(ParameterError, match="trades_file must be an existing CSV"):
        load_trades(tmp_path / "nope.csv")


def test_parquet_round_trip(tmp_path):
    df = pl.DataFrame({"r": [1.5, -1.0, 0.25], "other": ["a", "b", "c"]})
    p = tmp_path / "trades.parquet"
    df.write_parquet(p)
    vals, kind = load_trades(p)
    assert kind == "r" and vals == (1.5, -1.0, 0.25)
    buf = io.BytesIO()
    pl.DataFrame({"return": [0.01, None]}).write_parquet(buf)
    with pytest.raises(ParameterError, match="row 2 must be a finite number"):
        read_trades_bytes(buf.getvalue(), name="x.parquet")


def test_unreadable_parquet():
    with pytest.raises(ParameterError, match="must be a readable CSV or Parquet file"):
        read_trades_bytes(b"not parquet at all", name="x.parquet")


def test_csv_file_from_disk(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("r\n 1.0 \n-2\n")
    assert load_trades(p) == ((1.0, -2.0), "r")
