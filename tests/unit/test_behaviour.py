"""Behaviour rules, worked by hand: martingale, anti-martingale, drawdown cut, risk cap,
win-rate doubt on the same random numbers, and the exact exit-rule outcome models."""

import json
import math

import numpy as np
import pytest

from ruin import Bernoulli, ParameterError, build_scenario, simulate
from ruin.behaviour import (
    Behaviour,
    beta_draws,
    exit_rule_model,
    implied_drift,
    p_up,
)
from ruin.cli import main


def run(record=0, **params):
    base = {"trades": 6, "paths": 40, "seed": 11, "ruin_level": 0.0}
    return simulate(build_scenario({**base, **params}), record=record)


# ------------------------------------------------------------------ sizing rules by hand


def test_martingale_doubles_after_losses_and_resets_after_a_win(tmp_path):
    # Trade list L, L, W replayed as a circular block: every path is one of three rotations.
    b = 1.5
    res = run(
        record=40, trades=3, martingale=2.0, risk=0.01, **_block_of(tmp_path, [-1.0, -1.0, b])
    )
    expected = {
        "LLW": [1.0, 0.99, 0.99 * 0.98, 0.99 * 0.98 * (1 + 0.04 * b)],
        "LWL": [1.0, 0.99, 0.99 * (1 + 0.02 * b), 0.99 * (1 + 0.02 * b) * 0.99],
        "WLL": [1.0, 1 + 0.01 * b, (1 + 0.01 * b) * 0.99, (1 + 0.01 * b) * 0.99 * 0.98],
    }
    seen = set()
    for curve in res.sample_paths:
        match = [k for k, v in expected.items() if np.allclose(curve, v, rtol=1e-12)]
        assert len(match) == 1, curve
        seen.add(match[0])
    assert seen == set(expected)


def _block_of(folder, trades):
    """A block bootstrap over ``trades`` in one block: a rotation of the list per path."""
    f = folder / "trades.csv"
    f.write_text("r\n" + "\n".join(str(t) for t in trades) + "\n")
    return {"trades_file": str(f), "bootstrap": "block", "block_length": len(trades)}


def test_martingale_is_capped():
    # all losses: risks 1%, 2%, 3% (cap), 3%, ...
    res = run(outcomes="-1:1", martingale=2.0, risk_cap=0.03, risk=0.01, trades=5)
    want = 0.99 * 0.98 * 0.97**3
    assert np.allclose(res.final_equity, want, rtol=1e-12)
    assert res.summary()["behaviour"]["max_risk_used"]["0.99"] == pytest.approx(0.03)


def test_anti_martingale_compounds_wins_up_to_the_cap():
    b = 2.0
    res = run(outcomes=f"{b}:1", anti_martingale=2.0, risk_cap=0.1, risk=0.01, trades=6)
    want = (1 + 0.01 * b) * (1 + 0.02 * b) * (1 + 0.04 * b) * (1 + 0.08 * b) * (1 + 0.1 * b) ** 2
    assert np.allclose(res.final_equity, want, rtol=1e-12)


def test_drawdown_cut_halves_risk_while_in_drawdown():
    # 2% losses: 0.98, 0.9604 (dd 3.96% < 5%), 0.941192 (dd 5.88% >= 5%): then 1% risk
    res = run(outcomes="-1:1", drawdown_cut=0.05, drawdown_factor=0.5, risk=0.02, trades=5)
    want = 0.98 * 0.98 * 0.98 * 0.99 * 0.99
    assert np.allclose(res.final_equity, want, rtol=1e-12)
    assert np.allclose(res.max_drawdown, 1 - want, rtol=1e-12)


def test_fixed_stake_martingale_is_ruined_on_the_third_loss():
    # stakes 10%, 20%, 40% of start: 0.9, 0.7, 0.3 <= 0.5 -> ruined at trade 3
    res = run(outcomes="-1:1", martingale=2.0, risk=0.1, sizing="fixed", ruin_level=0.5, trades=10)
    assert np.all(res.ruin_trade == 3)
    assert np.allclose(res.final_equity, 0.3, rtol=1e-12)
    # ruin level 0: the fourth stake (capped by the floor) takes the rest
    res0 = run(outcomes="-1:1", martingale=2.0, risk=0.1, sizing="fixed", trades=10)
    assert np.all(res0.ruin_trade == 4) and np.all(res0.final_equity == 0.0)


NEUTRAL = [  # rules that run the behaviour kernel but never change the risk
    {"drawdown_cut": 0.3, "drawdown_factor": 1.0},
    {"martingale": 2.0, "risk_cap": "RISK"},
]


@pytest.mark.parametrize("rules", NEUTRAL)
@pytest.mark.parametrize(
    "params",
    [
        {"win_rate": 0.45, "payoff": 1.5, "risk": 0.05},
        {"outcomes": "-1:0.5,0.5:0.2,3:0.3", "risk": 0.1, "ruin_level": 0.3, "goal": 3.0},
        {"win_rate": 0.5, "payoff": 1.0, "risk": 0.1, "sizing": "fixed", "ruin_level": 0.2},
    ],
)
def test_neutral_rules_reproduce_the_plain_engine(params, rules):
    base = {"trades": 200, "paths": 1000, "seed": 5, **params}
    plain = simulate(build_scenario(base), record=20)
    rules = {k: (params["risk"] if v == "RISK" else v) for k, v in rules.items()}
    same = simulate(build_scenario({**base, **rules}), record=20)
    assert "max_risk_used" in same.summary()["behaviour"]
    np.testing.assert_allclose(same.final_equity, plain.final_equity, rtol=1e-12)
    np.testing.assert_array_equal(same.ruin_trade, plain.ruin_trade)
    np.testing.assert_array_equal(same.goal_trade, plain.goal_trade)
    np.testing.assert_array_equal(same.wins, plain.wins)
    np.testing.assert_array_equal(same.longest_losing_streak, plain.longest_losing_streak)
    np.testing.assert_allclose(same.max_drawdown, plain.max_drawdown, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(same.sample_paths, plain.sample_paths, rtol=1e-12)


def test_martingale_uses_the_same_trades_as_the_plain_run():
    base = {
        "win_rate": 0.45,
        "payoff": 1.5,
        "risk": 0.01,
        "trades": 100,
        "paths": 2000,
        "seed": 9,
        "ruin_level": 0.0,
    }
    plain = simulate(build_scenario(base))
    mart = simulate(build_scenario({**base, "martingale": 2.0, "risk_cap": 0.05}))
    full = (plain.trades_taken == 100) & (mart.trades_taken == 100)
    assert full.sum() > 1500
    np.testing.assert_array_equal(plain.wins[full], mart.wins[full])
    np.testing.assert_array_equal(
        plain.longest_losing_streak[full], mart.longest_losing_streak[full]
    )
    assert not np.allclose(plain.final_equity[full], mart.final_equity[full])


# ------------------------------------------------------------------ win-rate uncertainty


def test_beta_draws_match_the_posterior_moments():
    a, b = 23.0, 19.0  # 22 wins in 40 trades, uniform prior
    x = beta_draws(3, 40_000, a, b)
    mean, var = a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))
    assert abs(x.mean() - mean) < 4 * math.sqrt(var / x.size)
    assert x.var() == pytest.approx(var, rel=0.05)
    # counter-keyed: a path's draw does not depend on how many paths are drawn
    np.testing.assert_array_equal(beta_draws(3, 10, a, b), x[:10])
    np.testing.assert_array_equal(beta_draws(3, 5, a, b, offset=5), x[5:10])


def test_uncertain_win_rate_moves_only_the_threshold():
    # Same uniforms: a path whose drawn P(win) is above the plain one wins at least as often.
    base = {
        "win_rate": 0.55,
        "payoff": 1.0,
        "risk": 0.001,
        "trades": 200,
        "paths": 3000,
        "seed": 21,
        "ruin_level": 0.0,
    }
    plain = simulate(build_scenario(base))
    unc = simulate(build_scenario({**base, "win_rate_sample": 40}))
    p = beta_draws(21, 3000, 23.0, 19.0)
    hi, lo = p > 0.55 + 1e-9, p < 0.55 - 1e-9
    assert np.all(unc.wins[hi] >= plain.wins[hi])
    assert np.all(unc.wins[lo] <= plain.wins[lo])
    assert hi.sum() > 500 and lo.sum() > 500
    s = unc.summary()["behaviour"]
    assert s["path_win_rate"]["mean"] == pytest.approx(p.mean())
    # realised win rate per path tracks its own drawn rate
    assert np.corrcoef(unc.wins, p)[0, 1] > 0.8


# ------------------------------------------------------------------ exit rules


def test_partial_take_profit_at_zero_drift_by_hand():
    # p = 1/3 at 2 R is zero drift: P(+1 before -1) = 1/2, then P(+2 before entry) = 1/2
    m = exit_rule_model(Bernoulli(win_rate=1 / 3, payoff=2.0), Behaviour(partial_tp=1.0))
    assert m.values == pytest.approx((-1.0, 1.5, 0.5))
    assert m.probs == pytest.approx((0.5, 0.25, 0.25))
    assert m.edge == pytest.approx(0.0, abs=1e-12)
    # without the break-even stop the rest can still be stopped at -1 R:
    # from +1, P(+2 before -1) = 2/3; outcomes -1, 1.5 (1/3), 0.5*1 - 0.5 = 0 (1/6)
    m2 = exit_rule_model(
        Bernoulli(win_rate=1 / 3, payoff=2.0), Behaviour(partial_tp=1.0, breakeven=False)
    )
    assert m2.values == pytest.approx((-1.0, 1.5, 0.0))
    assert m2.probs == pytest.approx((0.5, 1 / 3, 1 / 6))


def test_scale_in_at_zero_drift_by_hand():
    # b = 2, add at -0.5: full loss = 0.75 stop distances = 1 R
    m = exit_rule_model(Bernoulli(win_rate=1 / 3, payoff=2.0), Behaviour(scale_in_at=0.5))
    assert m.values == pytest.approx((1.0 / 0.75, 2.25 / 0.75, -1.0))
    assert m.probs == pytest.approx((0.2, 0.8 / 6, 0.8 * 5 / 6))
    assert m.edge == pytest.approx(0.0, abs=1e-12)


def test_no_stop_by_hand():
    # zero drift: P(+1.5 before -4.5) = 4.5 / 6; liquidation costs 5 R
    m = exit_rule_model(
        Bernoulli(win_rate=0.4, payoff=1.5), Behaviour(no_stop=4.5, liquidation_loss=5.0)
    )
    assert m.values == (-5.0, 1.5)
    assert m.probs == pytest.approx((0.25, 0.75))


@pytest.mark.parametrize("p, b", [(0.45, 1.5), (0.3, 2.0), (0.6, 1.0), (0.2, 5.0)])
def test_implied_drift_round_trip_and_agrees_with_the_market_model(p, b):
    th = implied_drift(p, b)
    assert p_up(1.0, b, th) == pytest.approx(p, abs=1e-12)
    from ruin.market import two_barrier_probability

    # theta = 2 mu / sigma^2 with sigma = 1: drift = theta / 2
    assert two_barrier_probability(th / 2, 1.0, 1.0, b) == pytest.approx(p, abs=1e-9)
    assert (th > 0) == (p > 1 / (1 + b))


def test_exit_rule_runs_through_simulate_and_reports_its_model():
    res = run(win_rate=0.4, payoff=2.0, partial_tp=1.0, trades=50, paths=500, risk=0.01)
    s = res.summary()["behaviour"]["exit_rule_outcomes"]
    assert s["values"] == pytest.approx([-1.0, 1.5, 0.5])
    assert sum(s["probs"]) == pytest.approx(1.0)
    # the realised share of winners is the derived P(outcome > 0)
    p_win = s["probs"][1] + s["probs"][2]
    assert abs(res.win_rate_realized - p_win) < 4 * math.sqrt(p_win * (1 - p_win) / 25_000)


# ------------------------------------------------------------------ validation and CLI


@pytest.mark.parametrize(
    "params, match",
    [
        ({"martingale": 0.5}, "martingale must be at least 1"),
        ({"martingale": 2, "anti_martingale": 2}, "anti_martingale must be 1"),
        ({"risk_cap": 0}, "risk_cap must be greater than 0"),
        ({"drawdown_cut": 1.5}, "drawdown_cut must be between 0 and 1"),
        ({"win_rate_sample": 0}, "win_rate_sample must be a whole number at least 1"),
        ({"partial_tp": 1.0, "no_stop": 3.0}, "no_stop must be not combined with partial_tp"),
        ({"liquidation_loss": 5.0}, "liquidation_loss must be used only together with no_stop"),
        ({"breakeven": "maybe"}, "breakeven must be true or false"),
        ({"breakeven": 2}, "breakeven must be true or false"),
    ],
)
def test_bad_rules_are_named(params, match):
    with pytest.raises(ParameterError, match=match):
        build_scenario(params)


def test_rules_needing_a_win_rate_refuse_other_models():
    with pytest.raises(ParameterError, match="win_rate_sample must be used with the win rate"):
        run(outcomes="-1:0.5,2:0.5", win_rate_sample=40)
    with pytest.raises(ParameterError, match="partial_tp must be less than payoff"):
        run(win_rate=0.4, payoff=1.5, partial_tp=2.0)


def test_cli_martingale_flags(capsys):
    rc = main(
        [
            "simulate",
            "--win-rate",
            "0.45",
            "--payoff",
            "1.5",
            "--risk",
            "0.01",
            "--martingale",
            "2",
            "--risk-cap",
            "0.2",
            "--trades",
            "100",
            "--paths",
            "500",
            "--seed",
            "3",
            "--json",
        ]
    )
    assert rc == 0
    d = json.loads(capsys.readouterr().out)
    assert d["behaviour"]["max_risk_used"]["0.99"] == pytest.approx(0.2)


def test_cli_bad_rule_is_one_line(capsys):
    assert main(["simulate", "--breakeven", "maybe", "--partial-tp", "1"]) == 2
    assert main(["simulate", "--win-rate-sample", "-3"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "win_rate_sample" in err[1]


def test_results_do_not_depend_on_threads_or_chunks():
    sc = build_scenario(
        {
            "win_rate": 0.5,
            "payoff": 1.2,
            "risk": 0.03,
            "trades": 80,
            "paths": 501,
            "seed": 4,
            "martingale": 1.5,
            "risk_cap": 0.2,
            "drawdown_cut": 0.2,
            "win_rate_sample": 60,
        }
    )
    a = simulate(sc, threads=1, chunk=7, record=3)
    b = simulate(sc, threads=2, record=3)
    for name in (
        "final_equity",
        "max_drawdown",
        "ruin_trade",
        "wins",
        "trades_taken",
        "longest_losing_streak",
        "longest_underwater",
        "sample_paths",
    ):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_uncertain_win_rate_averages_to_the_posterior_mean():
    # w = round(0.55 * 40) = 22: posterior mean (22 + 1) / (40 + 2)
    res = run(win_rate=0.55, payoff=1.0, risk=0.001, trades=100, paths=4000, win_rate_sample=40)
    mean = 23 / 42
    per_path = res.wins / res.trades_taken
    sd = float(np.std(per_path)) / math.sqrt(per_path.size)
    assert abs(per_path.mean() - mean) < 4 * sd
    # the spread across paths is the posterior's, far wider than binomial noise alone
    assert np.std(per_path) > 1.5 * math.sqrt(mean * (1 - mean) / 100)
