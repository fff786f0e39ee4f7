"""Chart builders: the aggregated frames are right (worked by hand) and the specs say so."""

import json
from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest

from ruin import charts as ch
from ruin.metrics import percentile_bands


def _spec(chart) -> dict:
    return chart.to_dict()


def _datasets(spec) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


def _fake_result(curves: np.ndarray):
    return SimpleNamespace(sample_paths=curves, bands=percentile_bands(curves))


def test_thin_index_keeps_ends_and_caps_size():
    idx = ch.thin_index(10_001, 600)
    assert idx[0] == 0 and idx[-1] == 10_000 and idx.size <= 600
    assert np.all(np.diff(idx) > 0)
    assert ch.thin_index(5, 600).tolist() == [0, 1, 2, 3, 4]


def test_fan_frames_bands_match_numpy_and_samples_are_long():
    rng = np.random.default_rng(0)
    curves = np.cumprod(1 + rng.normal(0, 0.05, size=(50, 31)), axis=1)
    bands, paths = ch.fan_frames(_fake_result(curves), samples=3)
    assert bands.columns == ["trade", "q05", "q25", "q50", "q75", "q95"]
    assert np.allclose(
        bands["q50"].to_numpy(), np.quantile(curves, 0.5, axis=0, method="inverted_cdf")
    )
    assert paths.height == 3 * 31 and sorted(set(paths["path"])) == [0, 1, 2]
    assert np.array_equal(paths.filter(pl.col("path") == 1)["equity"].to_numpy(), curves[1])


@pytest.mark.parametrize("n", [1, 7, 20, 50, 101, 1000])
def test_fan_bands_equal_numpy_inverted_cdf(n):
    rng = np.random.default_rng(n)
    curves = rng.lognormal(size=(n, 13))
    bands, _ = ch.fan_frames(_fake_result(curves))
    for col, q in (("q05", 0.05), ("q25", 0.25), ("q50", 0.5), ("q75", 0.75), ("q95", 0.95)):
        want = np.quantile(curves, q, axis=0, method="inverted_cdf")
        assert np.array_equal(bands[col].to_numpy(), want), (col, n)


def test_fan_frames_floor_for_log_axis():
    curves = np.array([[1.0, 0.5, 0.0], [1.0, 1.5, 2.0]])
    bands, paths = ch.fan_frames(_fake_result(curves), floor=1e-3)
    assert paths["equity"].min() == pytest.approx(1e-3)
    assert bands["q05"].min() == pytest.approx(1e-3)


def test_fan_chart_spec_has_bands_median_and_ruin_line():
    curves = np.vstack([np.linspace(1, 2, 11), np.linspace(1, 0.4, 11)])
    bands, paths = ch.fan_frames(_fake_result(curves), samples=2)
    spec = _spec(ch.fan_chart(bands, paths, log=True, ruin_level=0.5))
    marks = [
        lay["mark"]["type"] if isinstance(lay["mark"], dict) else lay["mark"]
        for lay in spec["layer"]
    ]
    assert marks.count("area") == 2 and "rule" in marks and marks.count("line") == 2
    assert spec["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    assert "multiple of start" in spec["layer"][0]["encoding"]["y"]["title"]
    text = json.dumps(spec)
    assert "ruin at 50% of start" in text


def test_drawdown_frames_by_hand():
    mdd = np.array([0.0, 0.1, 0.1, 0.3])
    hist, exceed = ch.drawdown_frames(mdd, bins=3)
    assert hist["share"].sum() == pytest.approx(1.0)
    p = dict(zip(np.round(exceed["dd"].to_numpy(), 9), exceed["p"], strict=True))
    assert p[0.0] == 1.0
    for dd, prob in zip(exceed["dd"], exceed["p"], strict=True):
        assert prob == pytest.approx(np.mean(mdd >= dd / 100 - 1e-12))
    # inclusive: a drawdown of exactly the level counts
    h2, e2 = ch.drawdown_frames(np.array([0.0, 0.5, 1.0]), bins=2)
    assert e2.filter(pl.col("dd") == 50.0)["p"][0] == pytest.approx(2 / 3)
    assert exceed["p"].to_numpy()[-1] == pytest.approx(0.0)
    assert np.all(np.diff(exceed["p"].to_numpy()) <= 0)


def test_drawdown_chart_has_two_axes_and_marks():
    hist, exceed = ch.drawdown_frames(np.linspace(0, 0.5, 100))
    spec = _spec(ch.drawdown_chart(hist, exceed, ch.drawdown_marks({"median": 0.25})))
    assert spec["resolve"]["scale"]["y"] == "independent"
    assert "P(max drawdown ≥ x)" in json.dumps(spec, ensure_ascii=False)
    rows = sum(len(d) for d in _datasets(spec))
    assert rows < 300  # aggregated, not one row per path


def test_final_equity_frame_bust_bin_and_shares():
    fe = np.array([0.0, 0.0, 1.0, 2.0, 4.0])
    f = ch.final_equity_frame(fe, bins=4)
    assert f["share"].sum() == pytest.approx(1.0)
    bust = f.filter(pl.col("label") == "bust")
    assert bust["share"][0] == pytest.approx(0.4)
    assert ch.bust_share(f) == pytest.approx(0.4)
    spec = _spec(ch.final_equity_chart(f, ch.final_equity_marks(1.0), bust=ch.bust_share(f)))
    assert "40.0% of paths went bust" in spec["title"]
    assert "median 1.00×" in json.dumps(spec, ensure_ascii=False)


def test_survival_and_streak_frames():
    surv = ch.survival_frame(np.array([1.0, 1.0, 0.75, 0.5]))
    assert surv["survival"].to_list() == [1.0, 1.0, 0.75, 0.5]
    assert ch.survival_floor(surv["survival"].to_numpy()) == pytest.approx(0.45)
    assert ch.survival_floor(np.array([1.0, 0.995])) == 0.9  # a small dip is not a crash
    spec = _spec(ch.survival_chart(surv, low=0.45, marker=2, marker_label="first month"))
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0.45, 1.0]
    assert "first month" in json.dumps(spec)
    s = ch.streak_frame(np.array([0, 2, 2, 5]))
    assert s["share"].sum() == pytest.approx(1.0)
    assert s.filter(pl.col("streak") == 2)["at_least"][0] == pytest.approx(0.75)
    assert s.filter(pl.col("streak") == 5)["at_least"][0] == pytest.approx(0.25)
    spec = _spec(ch.streak_chart(s))
    assert spec["mark"]["type"] == "bar"
    assert spec["transform"] == [{"filter": {"field": "share", "gt": 0}}]  # no empty bars


def test_liquidation_and_sweep_and_compare_specs():
    lev = pl.DataFrame({"leverage": [1.0, 5.0, 20.0], "p_liquidation": [0.0, 0.1, 0.7]})
    spec = _spec(ch.liquidation_curve_chart(lev, leverage=5))
    assert "your 5×" in json.dumps(spec, ensure_ascii=False)
    grid = pl.DataFrame(
        {
            "leverage": [1.0, 2.0, 1.0, 2.0],
            "volatility": [0.5, 0.5, 1.0, 1.0],
            "p_liquidation": [0.0, 0.1, 0.2, 0.9],
        }
    )
    spec = _spec(ch.liquidation_heatmap(grid))
    assert spec["layer"][0]["encoding"]["color"]["scale"]["scheme"] == "viridis"
    sweep = pl.DataFrame(
        {
            "risk": [0.01, 0.05],
            "median_growth": [1.2, 0.8],
            "p_ruin": [0.0, 0.3],
            "p_ruin_lo": [0.0, 0.25],
            "p_ruin_hi": [0.01, 0.35],
        }
    )
    spec = _spec(ch.risk_sweep_chart(sweep, ch.risk_sweep_marks(kelly=0.08, current=0.05)))
    text = json.dumps(spec)
    assert "full Kelly" in text and "half Kelly" in text
    # half Kelly sits at half the Kelly fraction
    marks = [d for ds in _datasets(spec) for d in ds if "label" in d]
    by = {d["label"]: d["risk"] for d in marks}
    assert by["half Kelly"] == pytest.approx(0.04) and by["yours"] == 0.05
    b = pl.DataFrame(
        {
            "trade": [0, 1],
            "q05": [1.0, 0.9],
            "q25": [1.0, 0.95],
            "q50": [1.0, 1.0],
            "q75": [1.0, 1.05],
            "q95": [1.0, 1.1],
        }
    )
    spec = _spec(ch.compare_fan_chart([("A", b), ("B", b)]))
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["A", "B"]


def test_exit_mix_colours_are_fixed_per_exit():
    em = pl.DataFrame({"exit": ["liquidation", "take_profit"], "share": [0.2, 0.8]})
    spec = _spec(ch.exit_mix_chart(em))
    sc = spec["encoding"]["color"]["scale"]
    assert dict(zip(sc["domain"], sc["range"], strict=True)) == ch.EXIT_COLOURS
