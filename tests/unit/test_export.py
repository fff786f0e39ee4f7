"""Export serialisation: what the download buttons hand out, read back and checked."""

import io
import json

import numpy as np
import polars as pl
import pytest

from ruin import build_scenario, export, simulate
from ruin import charts as ch


@pytest.fixture(scope="module")
def result():
    return simulate(
        build_scenario(
            {"win_rate": 0.45, "payoff": 1.5, "risk": 0.05, "trades": 60, "paths": 400, "seed": 3}
        ),
        record=20,
    )


def test_flatten_nested_and_lists():
    assert export.flatten({"a": {"b": 1, "c": [5, 6]}, "d": "x"}) == {
        "a.b": 1,
        "a.c.0": 5,
        "a.c.1": 6,
        "d": "x",
    }


def test_summary_frame_keeps_numbers_and_text(result):
    s = {**result.summary(), "venue": "demo"}
    df = export.summary_frame(s)
    assert df.columns == ["metric", "value", "text"]
    row = dict(zip(df["metric"], df["value"], strict=True))
    assert row["ruin_probability.estimate"] == pytest.approx(result.ruin.estimate)
    assert row["paths"] == 400
    assert df.filter(pl.col("metric") == "venue")["text"][0] == "demo"


def test_paths_frame_csv_and_parquet_round_trip(result):
    df = export.paths_frame(result)
    assert df.height == 400 and df["path"].to_list() == list(range(400))
    assert np.array_equal(df["max_drawdown"].to_numpy(), result.max_drawdown)
    back = pl.read_parquet(io.BytesIO(export.to_parquet_bytes(df)))
    assert back.equals(df)
    csv = pl.read_csv(io.BytesIO(export.to_csv_bytes(df)))
    assert csv.columns == df.columns
    assert np.allclose(csv["final_equity"].to_numpy(), result.final_equity, rtol=1e-12)


def test_json_is_strict_and_nan_becomes_null(result):
    s = result.summary()
    assert np.isnan(s["trades_to_ruin"]["0.5"]) or s["trades_to_ruin"]["0.5"] > 0
    data = export.to_json_bytes(
        {**s, "bad": float("nan"), "arr": np.arange(3), "inf": float("inf")}
    )
    parsed = json.loads(data, parse_constant=lambda c: pytest.fail(f"non-strict {c}"))
    assert parsed["bad"] is None and parsed["inf"] is None and parsed["arr"] == [0, 1, 2]
    assert parsed["ruin_probability"]["estimate"] == pytest.approx(result.ruin.estimate)
    rows = json.loads(export.to_json_bytes(pl.DataFrame({"a": [1.0, float("nan")]})))
    assert rows == [{"a": 1.0}, {"a": None}]


def test_chart_png_and_svg_render():
    frame = ch.survival_frame(np.array([1.0, 0.9, 0.8]))
    chart = ch.survival_chart(frame)
    png = export.chart_png(chart, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = export.chart_svg(chart)
    assert svg.lstrip().startswith("<svg") and "Share of accounts not ruined" in svg
