"""The leveraged perpetual-futures section of the page (ruin.market, ruin.odds)."""

import json

from app_helpers import charts, make_app, metric, no_exception

BASE = {
    "leveraged": "1",
    "leverage": "10.0",
    "stop": "0.02",
    "take_profit": "0.03",
    "volatility": "0.03",
    "trades": "100",
    "paths": "1000",
}


def test_leverage_mode_shows_liquidation_numbers_and_charts():
    at = make_app(**BASE).run()
    no_exception(at)
    assert not at.error
    assert metric(at, "P(at least one liquidation)").endswith("%")
    assert metric(at, "Liquidation distance").endswith("%")
    kinds = [json.loads(c.proto.spec).get("title", "") for c in charts(at)]
    text = json.dumps(kinds)
    assert "How trades ended" in text and "Liquidation odds by leverage and volatility" in text
    assert "touches liquidation" in text


def test_more_leverage_moves_liquidation_closer():
    at = make_app(**BASE).run()
    before = float(metric(at, "Liquidation distance").rstrip("%"))
    at.number_input(key="w_leverage").set_value(40.0).run()
    no_exception(at)
    after = float(metric(at, "Liquidation distance").rstrip("%"))
    assert after < before / 3
    qp = at.query_params["leverage"]
    assert float(qp[-1] if isinstance(qp, list) else qp) == 40.0


def test_stop_beyond_liquidation_is_warned_in_plain_words():
    at = make_app(**{**BASE, "leverage": "100.0", "stop": "0.02", "take_profit": "0.03"}).run()
    no_exception(at)
    words = " ".join(w.value for w in at.warning)
    assert "beyond your liquidation price" in words
    assert "one ordinary day's move" in words


def test_venue_limit_is_an_error_naming_leverage():
    at = make_app(**{**BASE, "venue": "hyperliquid", "asset": "btc", "leverage": "500.0"}).run()
    no_exception(at)
    assert at.error and "**leverage**" in at.error[0].value
    assert "hyperliquid" in at.error[0].value


def test_asset_preset_sets_volatility_and_annualised_caption():
    at = make_app(**BASE).run()
    at.selectbox(key="w_asset").set_value("btc").run()
    no_exception(at)
    daily = at.slider(key="w_volatility").value
    assert 1.0 < daily < 5.0 and daily != 3.0
    assert any("annualised" in c.value for c in at.sidebar.caption)
