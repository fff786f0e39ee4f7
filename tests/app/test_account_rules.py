"""The main page with the account rules (a prop-firm challenge preset: trailing drawdown,
daily loss limit that ends the account, profit target): the headline equals the library's
value and the rules' row says what stopped the accounts."""

import pytest
from app_helpers import make_app, metric, no_exception

from ruin import build_scenario, simulate
from ruin.insights import pct
from ruin.studies.scenarios import find_scenario


def test_challenge_preset_headline_matches_the_library():
    at = make_app(preset="challenge_two_step_phase1")
    at.run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    params = {**find_scenario("challenge_two_step_phase1").params, "paths": 2000}
    res = simulate(build_scenario(params), record=0)
    assert metric(at, "Probability of ruin") == pct(res.ruin.estimate)
    shares = res.extra["account_rules"]["stop_shares"]
    assert metric(at, "Reached the goal (pass)") == pct(shares["goal"]["estimate"])
    assert metric(at, "Daily loss limit hit") == pct(shares["daily_loss_limit"]["estimate"])
    assert metric(at, "Trailing drawdown hit") == pct(shares["trailing_drawdown"]["estimate"])


def test_challenge_preset_fills_the_rule_inputs():
    """The preset's rules land in the sidebar's account-rule inputs (not as extras)."""
    at = make_app(preset="challenge_two_step_phase1")
    at.run()
    params = find_scenario("challenge_two_step_phase1").params
    td = at.number_input(key="w_trailing_drawdown")
    assert td.value == pytest.approx(params["trailing_drawdown"] * 100)
    assert at.number_input(key="w_daily_loss_limit").value == pytest.approx(
        params["daily_loss_limit"] * 100
    )
    assert "trailing_drawdown" not in " ".join(i.value for i in at.info)


def test_own_trailing_drawdown_from_the_inputs_matches_the_library():
    """A student's own trailing drawdown and daily limit (sidebar inputs) give the library's
    numbers for the same flat keys, and the link carries them."""
    at = make_app()
    at.run()
    at.number_input(key="w_trailing_drawdown").set_value(10.0)
    at.number_input(key="w_daily_loss_limit").set_value(4.0)
    at.number_input(key="w_trades_per_day").set_value(3)
    at.run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    flat = {
        "win_rate": 0.45,
        "payoff": 1.5,
        "risk": 0.03,
        "trades": 500,
        "paths": 2000,
        "seed": 12345,
        "ruin_level": 0.5,
        "trailing_drawdown": 0.1,
        "daily_loss_limit": 0.04,
        "daily_loss_action": "pause",
        "trades_per_day": 3,
    }
    res = simulate(build_scenario(flat), record=0)
    assert metric(at, "Probability of ruin") == pct(res.ruin.estimate)
    shares = res.extra["account_rules"]["stop_shares"]
    assert metric(at, "Trailing drawdown hit") == pct(shares["trailing_drawdown"]["estimate"])
    assert at.query_params["trailing_drawdown"] == "0.1"
    assert at.query_params["trades_per_day"] == "3"


def test_a_rule_input_out_of_the_keys_range_is_refused_with_its_name():
    """The share link's rule values pass the key table's check: a trailing drawdown of 100%
    (allowed: below 100%) shows an error naming the field, and nothing is simulated."""
    at = make_app(trailing_drawdown="1.5")
    at.run()
    no_exception(at)
    text = " ".join(str(w.value) for w in at.warning) + " ".join(str(e.value) for e in at.error)
    assert "trailing_drawdown" in text
