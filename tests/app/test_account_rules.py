"""The main page with the account rules (a prop-firm challenge preset: trailing drawdown,
daily loss limit that ends the account, profit target): the headline equals the library's
value and the rules' row says what stopped the accounts."""

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
