"""Venue, asset and funding presets (ruin.venues): shipped as package data, dated, valid."""

import dataclasses
import math
from importlib import resources

import pytest

from ruin.errors import ParameterError
from ruin.venues import ASSET_CLASSES, FUNDING_REGIMES, load_assets, load_venues, venue


def test_venues_file_is_package_data_and_dated():
    f = resources.files("ruin").joinpath("data/venues.toml")
    assert f.is_file()
    assert "illustrative calibration" in f.read_text(encoding="utf-8")
    vs = load_venues()
    assert set(vs) == {"hyperliquid", "dydx", "gmx_v2", "binance", "bybit"}
    for v in vs.values():
        assert v.as_of and v.sources and v.calibration == "illustrative calibration"
        assert set(v.tiers) == set(ASSET_CLASSES)
        assert v.liquidation_loss in ("all_margin", "remaining_minus_fee")
        assert v.taker_fee >= v.maker_fee
        with pytest.raises(dataclasses.FrozenInstanceError):
            v.taker_fee = 0.0  # type: ignore[misc]
    assert vs["hyperliquid"].backstop_fraction == pytest.approx(2 / 3)
    assert vs["binance"].liquidation_loss == "all_margin"
    assert vs["dydx"].liquidation_fee == pytest.approx(0.015)
    assert vs["binance"].max_leverage("btc") == 125
    with pytest.raises(ParameterError, match="venue must be one of"):
        venue("ftx")


def test_assets_and_funding_regimes():
    a = load_assets()
    assert list(a) == list(ASSET_CLASSES)
    assert a["btc"].daily_vol == pytest.approx(0.5 / math.sqrt(365))
    assert a["btc"].daily_vol == pytest.approx(0.02617, abs=1e-5)
    for p in a.values():
        assert p.garch_alpha + p.garch_beta < 1
        assert p.t_df > 2 and p.crash_size < 0 < p.pump_size and -1 < p.crash_cap < 0
        # the pumps balance the crashes in mean log size per year (no net drift from jumps)
        assert p.pump_intensity_per_year * p.pump_size == pytest.approx(
            -p.crash_intensity_per_year * p.crash_size
        )
    assert set(FUNDING_REGIMES) == {"neutral", "bull", "bear"}
    assert FUNDING_REGIMES["neutral"].mean_per_8h == pytest.approx(0.0001)
    assert FUNDING_REGIMES["neutral"].per_interval(1) == pytest.approx(0.0000125)
    assert FUNDING_REGIMES["bear"].mean_per_8h < 0 < FUNDING_REGIMES["bull"].mean_per_8h
