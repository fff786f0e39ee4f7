"""sweep_heatmap: polars sweep tables (or their Parquet files) in, Altair specs out."""

import polars as pl
import pytest

from ruin.errors import ParameterError
from ruin.sweep.charts import MAX_CELLS, sweep_heatmap


@pytest.fixture
def table():
    rows = []
    cell = 0
    for wr in (0.4, 0.5):
        for risk in (0.05, 0.1, 0.2):
            for payoff in (1.0, 2.0):
                p = min(1.0, risk * 4 * (1.5 - wr) / payoff)
                rows.append(
                    {
                        "win_rate": wr,
                        "risk": risk,
                        "payoff": payoff,
                        "cell": cell,
                        "method": "simulate",
                        "ruin_probability": p,
                        "ruin_probability_ci_low": p * 0.9,
                        "ruin_probability_ci_high": min(1.0, p * 1.1),
                        "p_drawdown_ge_0.2": p,
                        "final_equity_median": 1 + p,
                    }
                )
                cell += 1
    return pl.DataFrame(rows)


def test_faceted_heatmap_spec(table):
    spec = sweep_heatmap(table, "risk", "win_rate", "ruin_probability", facet="payoff").to_dict()
    assert spec["facet"]["field"] == "facet" and spec["columns"] == 3
    assert spec["facet"]["title"] == "Payoff (R won per win)"
    rect, text = spec["spec"]["layer"]
    enc = rect["encoding"]
    assert enc["x"]["title"] == "Risk per trade (% of equity)" and enc["x"]["axis"]["format"]
    assert enc["y"]["title"] == "Win rate (P(win) per trade)"
    assert enc["color"]["scale"] == {"domain": [0, 1], "scheme": "viridis"}
    assert enc["color"]["legend"]["title"] == "P(ruin)"
    titles = [t["title"] for t in enc["tooltip"]]
    assert "95% CI low" in titles and "method" in titles
    assert text["mark"]["type"] == "text"
    data = next(iter(spec["datasets"].values()))
    assert len(data) == 12
    got = {(r["x"], r["y"], r["facet"]): r["value"] for r in data}
    assert got[(0.1, 0.4, 2.0)] == pytest.approx(0.1 * 4 * 1.1 / 2)


def test_unfaceted_from_parquet_with_dotted_column(table, tmp_path):
    path = tmp_path / "s.parquet"
    table.filter(pl.col("payoff") == 1.0).write_parquet(path)
    spec = sweep_heatmap(path, "risk", "win_rate", "p_drawdown_ge_0.2").to_dict()
    assert "facet" not in spec
    assert spec["layer"][0]["encoding"]["color"]["legend"]["title"] == "P(max drawdown ≥ 20%)"
    assert len(next(iter(spec["datasets"].values()))) == 6


def test_non_probability_value_uses_data_range(table):
    spec = sweep_heatmap(
        table.filter(pl.col("payoff") == 2.0),
        "risk",
        "win_rate",
        "final_equity_median",
        labels=False,
    ).to_dict()
    assert len(spec["layer"]) == 1
    assert "domain" not in spec["layer"][0]["encoding"]["color"]["scale"]
    assert spec["layer"][0]["encoding"]["color"]["legend"]["title"].startswith("Median final")


def test_other_varying_axis_must_be_filtered_or_faceted(table):
    with pytest.raises(ParameterError, match=r"Filter the other axes first \(payoff\)"):
        sweep_heatmap(table, "risk", "win_rate", "ruin_probability")


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("risk", "winrate", "ruin_probability"), "y must be a column of the sweep table"),
        (("risk", "risk", "ruin_probability"), "four different columns"),
        (("risk", "win_rate", "ruin"), "value must be a column"),
    ],
)
def test_bad_columns(table, args, match):
    with pytest.raises(ParameterError, match=match):
        sweep_heatmap(table, *args, facet="payoff")


def test_too_many_cells():
    n = MAX_CELLS + 1
    df = pl.DataFrame(
        {"risk": list(range(n)), "win_rate": [0.5] * n, "ruin_probability": [0.1] * n}
    )
    with pytest.raises(ParameterError, match="at most 5,000 cells"):
        sweep_heatmap(df, "risk", "win_rate", "ruin_probability")


def test_unreadable_file(tmp_path):
    bad = tmp_path / "x.parquet"
    bad.write_text("not parquet")
    with pytest.raises(ParameterError, match="sweep file must be a readable Parquet file"):
        sweep_heatmap(bad, "risk", "win_rate", "ruin_probability")
