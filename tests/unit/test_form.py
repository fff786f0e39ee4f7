"""The teaching page's form rules (ruin.form): units, presets, links, key precedence."""

import pytest

from ruin import ParameterError, form
from ruin.params import Bootstrap

D = form.APP_DEFAULTS


def test_percent_on_screen_fraction_in_core():
    assert form.to_ui("risk", 0.03) == 3.0
    assert form.from_ui("risk", 4.1) == 0.041  # not 0.040999999999999995
    assert form.to_ui("payoff", 1.5) == 1.5 and form.from_ui("payoff", 1.5) == 1.5
    assert form.to_ui("goal", None) == 0.0 and form.from_ui("goal", 0.0) is None
    assert form.to_ui("goal", 2.0) == 2.0 and form.from_ui("goal", 2.0) == 2.0
    assert form.to_ui("fee_bps", None) is None and form.from_ui("mmr", None) is None
    for key in form.PERCENT:
        assert form.from_ui(key, form.to_ui(key, 0.0123)) == 0.0123


def test_take_profit_is_payoff_times_stop_with_page_defaults():
    assert form.default_take_profit({"payoff": 2.0, "stop": 0.01}) == 0.02
    assert form.default_take_profit({"stop": 0.04}) == pytest.approx(1.5 * 0.04)
    assert form.default_take_profit({"payoff": 3.0}) == pytest.approx(3.0 * 0.02)
    assert form.payoff_of(0.03, 0.02) == pytest.approx(1.5)
    assert form.payoff_of(0.03, 0.0) == pytest.approx(0.03 / 1e-9)  # no division by zero


def test_preset_form_splits_widgets_from_extras():
    widgets, extras = form.preset_form({"win_rate": 0.55, "risk": 0.02, "martingale": 2.0})
    assert widgets == {"win_rate": 0.55, "risk": 0.02}
    assert extras == {"martingale": 2.0}
    assert form.preset_form({}) == ({}, {})


def test_preset_with_a_leverage_key_turns_the_section_on():
    widgets, extras = form.preset_form(
        {
            "leverage": 20.0,
            "stop": 0.01,
            "payoff": 2.0,
            "tails": "t",
            "garch": "off",
            "jumps": "1",
            "asset": "btc",
        }
    )
    assert widgets["leveraged"] is True
    assert widgets["tails"] is True and widgets["garch"] is False and widgets["jumps"] is True
    assert widgets["take_profit"] == pytest.approx(0.02)  # payoff x stop
    assert widgets["volatility"] == round(form.asset_volatility("btc"), 6)
    assert extras == {}


def test_preset_values_a_widget_cannot_show_stay_extras():
    widgets, extras = form.preset_form(
        {"leverage": 5.0, "tails": "t:4", "drift": 0.001, "take_profit": 0.05}
    )
    assert "tails" not in widgets and extras["tails"] == "t:4"
    assert extras["drift"] == 0.001
    assert widgets["take_profit"] == 0.05  # given: not overwritten
    assert "volatility" not in widgets  # no asset: the page default stays


def test_asset_volatility_and_fresh_seed():
    assert form.asset_volatility(None) is None and form.asset_volatility("none") is None
    assert 0.0 < form.asset_volatility("btc") < 0.1
    for _ in range(20):
        assert 0 <= form.fresh_seed() < form.SEED_MAX


def test_catalogue_lists_the_default_then_every_scenario_file():
    from ruin.studies.scenarios import list_scenarios

    cat = form.preset_catalogue()
    names = list(cat)
    assert names[0] == form.DEFAULT_PRESET and cat[form.DEFAULT_PRESET][1] == {}
    files = list_scenarios()
    assert set(names[1:]) == {sf.name for sf in files}
    for sf in files:
        assert cat[sf.name][0].startswith("Lesson: ") == (sf.kind == "lesson")


def test_every_preset_fills_a_form_that_builds():
    for name, (_, params) in form.preset_catalogue().items():
        widgets, extras = form.preset_form(params)
        sc = form.build_run({**D, **widgets}, extras)
        assert sc.paths * sc.account.trades <= form.MAX_WORK, name
        assert (sc.market is not None) == bool(widgets.get("leveraged")), name


def test_link_round_trip_writes_only_changes():
    flat = {**D, "risk": 0.05, "seed": 7, "leveraged": True, "leverage": 20.0}
    query = form.write_link(flat, None, {})
    assert query == {"risk": "0.05", "seed": "7", "leveraged": "1", "leverage": "20.0"}
    state = form.read_link(query, form.preset_catalogue())
    assert state.preset is None and state.notices == [] and state.extras == {}
    assert state.params == flat
    assert form.write_link(D, None, {}) == {}


def test_link_with_a_preset_is_written_against_the_preset():
    cat = {"hot": ("Hot", {"risk": 0.2, "martingale": 2.0})}
    widgets, _ = form.preset_form(cat["hot"][1])
    flat = {**D, **widgets}
    assert form.write_link(flat, "hot", widgets) == {"preset": "hot"}
    assert form.write_link({**flat, "risk": 0.03}, "hot", widgets) == {
        "preset": "hot",
        "risk": "0.03",
    }
    state = form.read_link({"preset": ["hot"], "seed": ["9"]}, cat)
    assert state.preset == "hot" and state.extras == {"martingale": 2.0}
    assert state.params["risk"] == 0.2 and state.params["seed"] == 9


def test_bad_link_parts_fall_back_with_notices():
    state = form.read_link(
        {"preset": "nope", "risk": "lots", "bogus": "1", "embed": "true"},
        {"default": ("Default", {})},
    )
    assert state.preset is None
    text = " ".join(state.notices)
    assert "preset=nope" in text and "'risk=lots'" in text and "'bogus'" in text
    assert "embed" not in text
    assert state.params["risk"] == D["risk"]


def test_market_keys_when_off_and_on():
    assert form.market_keys({**D, "leveraged": False}) == {}
    on = {**D, "leveraged": True}
    assert form.market_keys(on) == {
        "leverage": 10.0,
        "stop": 0.02,
        "take_profit": 0.03,
        "side": "long",
        "margin_mode": "isolated",
        "volatility": 0.03,
    }
    more = form.market_keys(
        {
            **on,
            "tails": True,
            "garch": True,
            "venue": "hyperliquid",
            "fee_bps": 0.0,
            "max_hold_days": 0.0,
            "funding_regime": "bull",
        }
    )
    assert more["tails"] == "t:4" and more["garch"] is True and "jumps" not in more
    assert more["venue"] == "hyperliquid" and more["funding_regime"] == "bull"
    assert more["fee_bps"] == 0.0  # 0 bps is a value, blank (None) is "the venue's"
    assert "max_hold_days" not in more  # 0 days = no time stop
    assert form.market_keys({**on, "tails": True, "asset": "eth"})["tails"] == "t"


def test_scenario_keys_precedence():
    # widgets beat a preset's extras; keys without a build_scenario meaning are dropped
    core = form.scenario_keys({**D, "risk": 0.02}, {"risk": 0.5, "martingale": 2.0})
    assert core["risk"] == 0.02 and core["martingale"] == 2.0
    assert "log" not in core and "leveraged" not in core
    assert "bootstrap" not in core and "block_length" not in core  # no trade file
    # leverage off: a preset's leverage keys are dropped too
    core = form.scenario_keys(D, {"leverage": 50.0, "drift": 0.0})
    assert "leverage" not in core and "drift" not in core and core["payoff"] == 1.5
    # leverage on: the section's keys win and the take-profit sets the payoff
    core = form.scenario_keys({**D, "leveraged": True}, {"leverage": 50.0})
    assert core["leverage"] == 10.0 and "payoff" not in core
    # a preset's drift sets the edge instead of the win rate
    core = form.scenario_keys({**D, "leveraged": True}, {"drift": 0.001})
    assert core["drift"] == 0.001 and "win_rate" not in core
    # a trade file keeps the resampling keys; block length only for block resampling
    core = form.scenario_keys(D, {"trades_file": "x.csv"})
    assert core["bootstrap"] == "iid" and "block_length" not in core
    core = form.scenario_keys({**D, "bootstrap": "block"}, {"trades_file": "x.csv"})
    assert core["block_length"] == 5
    # an upload replaces the preset's file
    core = form.scenario_keys(D, {"trades_file": "x.csv"}, uploaded=True)
    assert "trades_file" not in core and "bootstrap" not in core


def test_build_run_upload_seed_and_size_limit():
    csv = b"r\n2.0\n-1.0\n-1.0\n1.5\n"
    sc = form.build_run(
        {**D, "bootstrap": "block", "block_length": 2}, {}, upload=("mine.csv", csv), seed=99
    )
    assert isinstance(sc.model, Bootstrap)
    assert sc.model.trades == (2.0, -1.0, -1.0, 1.5) and sc.model.source == "mine.csv"
    assert sc.model.method == "block" and sc.model.block_length == 2
    assert sc.seed == 99
    iid = form.build_run(D, {}, upload=("mine.csv", csv))
    assert iid.model.block_length == 1 and iid.seed == D["seed"]
    with pytest.raises(ParameterError, match="paths × trades"):
        form.build_run({**D, "paths": 2_000_000, "trades": 100_000}, {})
    with pytest.raises(ParameterError, match="goal"):
        form.build_run({**D, "goal": 0.5}, {})


def test_changed_inputs_skip_seed_and_log():
    a = {**D, "risk": 0.03, "seed": 1, "log": True}
    b = {**D, "risk": 0.1, "seed": 2, "log": False}
    assert form.changed_inputs(a, b) == {"risk": (0.03, 0.1)}
    assert form.changed_inputs(a, a) == {}


def test_lesson_rules():
    defaults = {
        "martingale": 1.0,
        "risk_cap": 100.0,
        "drawdown_cut": 0.0,
        "win_rate_sample": 0.0,
        "partial_tp": 0.0,
    }
    assert form.lesson_rules({k: v for k, v in defaults.items()}, defaults) == {}
    got = form.lesson_rules(
        {
            "martingale": 2.0,
            "risk_cap": 50.0,
            "drawdown_cut": 10.0,
            "win_rate_sample": 200.0,
            "partial_tp": None,
        },
        defaults,
    )
    assert got == {"martingale": 2.0, "risk_cap": 0.5, "drawdown_cut": 0.1, "win_rate_sample": 200}
    assert isinstance(got["win_rate_sample"], int)


def test_rule_keys_hand_in_only_the_rules_that_are_on():
    off = {k: form.APP_DEFAULTS[k] for k in form.RULES_FIELDS}
    assert form.rule_keys(off) == {}
    on = {**off, "trailing_drawdown": 0.08, "trailing_lock": 1.05, "trades_per_day": 2}
    assert form.rule_keys(on) == {
        "trailing_drawdown": 0.08,
        "trailing_lock": 1.05,
        "trades_per_day": 2,
    }
    # the lock alone (no trailing drawdown) and the action alone are not handed in
    assert form.rule_keys({**off, "trailing_lock": 1.1, "daily_loss_action": "end"}) == {}
    day = {**off, "daily_loss_limit": 0.05, "daily_loss_action": "end"}
    assert form.rule_keys(day) == {
        "daily_loss_limit": 0.05,
        "daily_loss_action": "end",
        "trades_per_day": 1,
    }
    # the page's idle rule inputs never reach the scenario
    keys = form.scenario_keys({**form.APP_DEFAULTS}, {})
    assert not set(keys) & set(form.RULES_FIELDS)
