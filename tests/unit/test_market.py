"""Leveraged price-path model: hand-worked cases, validation, CLI (ruin.market)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ruin import margin, venues
from ruin.cli import main
from ruin.config import build_scenario
from ruin.errors import ParameterError
from ruin.market import (
    LeveragedTrade,
    adverse_move_to_liquidation,
    describe_position,
    leverage_warnings,
    liquidation_ratio,
    solve_drift,
    two_barrier_probability,
)
from ruin.market.liquidation import liquidation_price_ratio
from ruin.market.settle import EXIT_LIQ
from ruin.params import Account, Bernoulli, Scenario, Sizing
from ruin.simulate import simulate


def _scenario(*, risk=0.01, rule="fractional", trades=50, paths=400, seed=7, ruin_level=0.5, **kw):
    kw.setdefault("drift", 0.0)
    return Scenario(
        model=Bernoulli(win_rate=0.5, payoff=1.5),
        sizing=Sizing(risk=risk, rule=rule),
        account=Account(trades=trades, ruin_level=ruin_level),
        paths=paths,
        seed=seed,
        market=LeveragedTrade(**kw),
    )


# ----------------------------------------------------------------------- liquidation prices
@pytest.mark.parametrize("side", ["long", "short"])
@pytest.mark.parametrize("lev,mmr", [(20, 0.0125), (10, 0.004), (3, 0.05), (50, 0.012)])
@pytest.mark.parametrize("paid,cum", [(0.0, 0.0), (0.0011, 0.0), (0.003, 0.0015)])
def test_liquidation_price_agrees_with_margin_py(side, lev, mmr, paid, cum):
    # position of qty 2 coins at 50,000: notional 100,000 USD; paid/cum as fractions of it
    entry, qty = 50_000.0, 2.0
    notional = entry * qty
    ref = margin.liquidation_price(
        entry,
        lev,
        mmr,
        side=side,
        qty=qty,
        fees_paid=paid * notional,
        maintenance_amount=cum * notional,
    )
    mine = liquidation_ratio(lev, mmr, side=side, paid=paid, maintenance=cum) * entry
    assert mine == pytest.approx(ref.liquidation_price, rel=1e-12)


def test_liquidation_hand_values():
    # perps.md 1.1: HL 20x BTC long at 100,000 -> 96,202.53; short -> 103,703.70
    assert liquidation_ratio(20, 0.0125) * 1e5 == pytest.approx(96202.53, abs=0.01)
    assert liquidation_ratio(20, 0.0125, side="short") * 1e5 == pytest.approx(103703.70, abs=0.01)
    assert adverse_move_to_liquidation(20, 0.004) == pytest.approx(0.04618, abs=1e-5)
    assert adverse_move_to_liquidation(10, 0.0125) == pytest.approx(0.0886, abs=1e-4)


def test_cross_backing_moves_liquidation_away():
    # cross: the account (here 0.4 of notional) backs the position, not the 5% margin
    iso = liquidation_ratio(20, 0.005)
    cross = liquidation_ratio(20, 0.005, backing=0.4)
    assert cross == pytest.approx((1 - 0.4) / (1 - 0.005))
    assert cross < iso


def test_liquidation_inside_trades_matches_margin_py():
    # the kernel's barrier after entry costs and funding equals margin.py's price
    mk = LeveragedTrade(
        leverage=25, stop=0.03, take_profit=0.05, drift=0.0, mmr=0.01, fee_bps=5, slippage_bps=2
    )
    f = mk.entry_cost + 0.0003  # entry costs plus three funding payments of 1 bp
    u = liquidation_price_ratio(1.0, 1 / 25, f, 0.0, 0.01)
    ref = margin.liquidation_price(1000.0, 25, 0.01, qty=1.0, fees_paid=f * 1000.0)
    assert u * 1000.0 == pytest.approx(ref.liquidation_price, rel=1e-12)


# ----------------------------------------------------------------------- closed forms
def test_two_barrier_zero_drift_is_ratio():
    assert two_barrier_probability(0.0, 0.03, 0.01, 0.015) == pytest.approx(0.4, rel=1e-12)


def test_two_barrier_matches_textbook_form():
    nu, sig, a, b = 0.004, 0.03, 0.02, 0.05
    k = 2 * nu / sig**2
    textbook = (1 - math.exp(k * a)) / (math.exp(-k * b) - math.exp(k * a))
    assert two_barrier_probability(nu, sig, a, b) == pytest.approx(textbook, rel=1e-12)
    assert two_barrier_probability(-nu, sig, a, b) < a / (a + b) < textbook


@pytest.mark.parametrize("p", [0.2, 0.45, 0.6, 0.9])
def test_solve_drift_round_trip(p):
    a, b = -math.log(0.99), math.log(1.015)
    nu = solve_drift(p, 0.026, a, b)
    assert two_barrier_probability(nu, 0.026, a, b) == pytest.approx(p, abs=1e-12)
    assert (nu > 0) == (p > a / (a + b))


# ----------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "kw,match",
    [
        ({"leverage": 0.5}, "leverage must be at least 1"),
        ({"leverage": 60, "max_leverage": 50}, "at most 50"),
        ({"stop": 0.0}, "stop must be"),
        ({"stop": -0.01}, "stop must be"),
        ({"leverage": 20, "mmr": 0.05}, "mmr must be less than 1/leverage"),
        ({"volatility": 0.0}, "volatility must be"),
        ({"volatility": -1.0}, "volatility must be"),
        ({"tails_df": 2.0}, "tails"),
        ({"garch": (0.2, 0.85)}, "garch must be ALPHA,BETA with ALPHA \\+ BETA < 1"),
        ({"correlation": 1.5}, "correlation"),
        ({"side": "sideways"}, "side"),
        ({"win_rate": 0.5}, "drift must be left out when win_rate is given"),
    ],
)
def test_bad_parameters(kw, match):
    base = {"leverage": 10, "stop": 0.01, "take_profit": 0.015, "drift": 0.0}
    with pytest.raises(ParameterError, match=match):
        LeveragedTrade(**{**base, **kw})


def test_margin_must_fit_in_the_account():
    with pytest.raises(ParameterError, match="margin must fit"):
        _scenario(risk=0.05, leverage=1, stop=0.01, take_profit=0.015)


def test_build_scenario_keys_and_conflicts():
    sc = build_scenario({"leverage": 5, "stop": 0.02, "win_rate": 0.45, "payoff": 2.0})
    assert sc.market is not None and sc.market.take_profit == pytest.approx(0.04)
    assert sc.market.win_rate == 0.45 and sc.market.fee_bps == 0.0
    assert sc.market.mmr == 0.005 and sc.market.funding_rate == 0.0
    assert build_scenario({"win_rate": 0.45}).market is None
    with pytest.raises(ParameterError, match="take_profit"):
        build_scenario({"leverage": 5, "stop": 0.02, "payoff": 2.0, "take_profit": 0.05})
    with pytest.raises(ParameterError, match="drift must be left out when win_rate is given"):
        build_scenario({"leverage": 5, "win_rate": 0.4, "drift": 0.001})
    with pytest.raises(ParameterError, match="leverage"):
        build_scenario({"leverage": 60, "venue": "hyperliquid", "drift": 0.0})
    with pytest.raises(ParameterError, match="venue"):
        build_scenario({"leverage": 5, "venue": "nowhere", "drift": 0.0})
    with pytest.raises(ParameterError, match="tails"):
        build_scenario({"leverage": 5, "drift": 0.0, "tails": "cauchy"})


def test_venue_preset_switches_costs_on():
    sc = build_scenario(
        {"leverage": 20, "stop": 0.02, "venue": "hyperliquid", "drift": 0.0, "asset": "eth"}
    )
    mk = sc.market
    v = venues.venue("hyperliquid")
    assert mk.fee_bps == pytest.approx(v.taker_fee * 1e4)
    assert mk.mmr == v.mmr("eth") and mk.max_leverage == v.max_leverage("eth")
    assert mk.funding_rate > 0 and mk.funding_interval_hours == v.funding_interval_hours
    assert mk.slippage_bps > 0 and "illustrative" in mk.calibration
    assert mk.volatility == pytest.approx(venues.load_assets()["eth"].daily_vol)


# ----------------------------------------------------------------------- helpers for the app
def test_describe_position_numbers():
    sc = _scenario(risk=0.02, leverage=10, stop=0.02, take_profit=0.03, mmr=0.0125, volatility=0.03)
    d = describe_position(sc)
    assert d["notional_multiple"] == pytest.approx(1.0)
    assert d["margin_fraction"] == pytest.approx(0.1)
    assert d["liquidation_distance"] == pytest.approx((0.1 - 0.0125) / (1 - 0.0125))
    assert d["stop_beyond_liquidation"] is False
    assert d["daily_move_liquidation_leverage"] == pytest.approx(1 / (0.0125 + 0.03 * (1 - 0.0125)))
    json.dumps(d)


def test_warnings_plain_words():
    sc = _scenario(leverage=30, stop=0.05, take_profit=0.075, mmr=0.005, volatility=0.04, risk=0.01)
    w = " | ".join(leverage_warnings(sc))
    assert "your stop is beyond your liquidation price" in w
    assert "one ordinary day's move" in w
    quiet = _scenario(leverage=2, stop=0.02, take_profit=0.03, volatility=0.02)
    assert not any("liquidation price" in x for x in leverage_warnings(quiet))


# ----------------------------------------------------------------------- simulation cases
def test_stop_beyond_liquidation_every_stop_out_is_a_liquidation():
    sc = _scenario(leverage=20, stop=0.06, take_profit=0.09, mmr=0.005, volatility=0.03)
    res = simulate(sc, record=0)
    s = res.summary()
    assert s["exit_mix"]["stop"] == 0.0
    assert s["exit_mix"]["liquidation"] > 0.5
    assert s["exit_mix"]["take_profit"] + s["exit_mix"]["liquidation"] == pytest.approx(1.0)
    assert any("stop is beyond your liquidation price" in w for w in s["warnings"])
    # the loss of a liquidation is the whole isolated margin: 1/(L s) R
    assert s["liquidation"]["path_probability"]["estimate"] == 1.0


def test_no_costs_without_venue_and_exact_outcomes():
    sc = _scenario(
        leverage=5,
        stop=0.02,
        take_profit=0.03,
        risk=0.01,
        rule="fixed",
        ruin_level=0.0,
        trades=20,
        paths=300,
    )
    res = simulate(sc, record=0)
    s = res.summary()
    assert s["costs"] == {"fees": 0.0, "slippage": 0.0, "funding": 0.0}
    assert s["bad_debt"] == 0.0
    # fixed stake: equity = 1 + risk * (wins * 1.5 - losses), exactly
    w = res.exits[:, 0]
    l_ = res.exits[:, 1]
    np.testing.assert_allclose(res.final_equity, 1 + 0.01 * (1.5 * w - l_), rtol=0, atol=1e-12)


def test_fees_by_hand():
    # fixed 1% stake, 2% stop: notional 0.5 x equity; 5 bp per fill on entry and exit
    sc = _scenario(
        leverage=5,
        stop=0.02,
        take_profit=0.03,
        risk=0.01,
        rule="fixed",
        fee_bps=5,
        trades=10,
        paths=200,
        ruin_level=0.0,
    )
    res = simulate(sc, record=0)
    w, l_ = res.exits[:, 0], res.exits[:, 1]
    fee = 0.0005 * 0.5  # per fill, fraction of starting equity at entry notional
    expect = fee * ((1 + 1.03) * w + (1 + 0.98) * l_)
    np.testing.assert_allclose(res.aux[:, 0], expect, rtol=1e-12, atol=1e-15)
    r_win = (0.03 - 0.0005 * (1 + 1.03)) / 0.02
    r_loss = (-0.02 - 0.0005 * (1 + 0.98)) / 0.02
    np.testing.assert_allclose(res.final_equity, 1 + 0.01 * (r_win * w + r_loss * l_), atol=1e-12)


@pytest.mark.parametrize("side,sign", [("long", 1.0), ("short", -1.0)])
def test_funding_arithmetic_by_hand(side, sign):
    # 0.01% per 8 h held exactly 30 days = 90 payments = 0.9% of notional (perps.md 2)
    # fixed 1% stake with a 10% stop: notional 0.1 x start; funding 0.0009 x start per trade
    sc = _scenario(
        leverage=1,
        stop=0.1,
        take_profit=0.1,
        risk=0.01,
        rule="fixed",
        side=side,
        volatility=1e-6,
        funding_rate=0.0001,
        funding_interval_hours=8,
        max_hold_days=30,
        trades=3,
        paths=20,
        ruin_level=0.0,
    )
    res = simulate(sc, record=0)
    assert np.all(res.exits[:, 3] == 3)  # every trade closed by the time stop
    np.testing.assert_allclose(res.aux[:, 2], sign * 3 * 90 * 0.0001 * 0.1, rtol=1e-4)
    s = res.summary()
    assert s["costs"]["funding"] == pytest.approx(sign * 0.0027, rel=1e-4)


def test_cross_margin_loss_can_take_the_whole_account():
    # a -50% crash gaps through stop and the cross liquidation price: the account is gone
    kw = dict(
        leverage=10,
        stop=0.02,
        take_profit=0.03,
        risk=0.05,
        jump_rate=0.5,
        jump_mean=math.log(0.5),
        jump_sd=0.0,
        volatility=0.01,
        trades=30,
        paths=300,
        ruin_level=0.0,
    )
    cross = simulate(_scenario(margin_mode="cross", **kw), record=0)
    iso = simulate(_scenario(margin_mode="isolated", **kw), record=0)
    assert np.any(cross.final_equity == 0.0)
    assert cross.summary()["bad_debt"] > 0
    assert cross.ruin.estimate > 0.5
    # isolated: a liquidation costs at most the margin, risk / (L s) = 25% of equity
    assert iso.ruin.estimate == 0.0 and np.all(iso.final_equity > 0)
    assert iso.summary()["liquidation"]["count"] > 0


ISO_HEAT = dict(leverage=20, stop=0.08, take_profit=0.12, risk=0.01, margin_mode="isolated")
# cross: 3 x 2.5 x equity notional; -20% crashes take the account below maintenance
CROSS_HEAT = dict(
    leverage=20,
    stop=0.02,
    take_profit=0.03,
    risk=0.05,
    margin_mode="cross",
    jump_rate=0.2,
    jump_mean=math.log(0.8),
    jump_sd=0.02,
    ruin_level=0.0,
)


@pytest.mark.parametrize("heat", [ISO_HEAT, CROSS_HEAT], ids=["isolated", "cross"])
def test_portfolio_heat_correlated_positions_liquidate_together(heat):
    kw = dict(positions=3, volatility=0.03, trades=20, paths=200, **heat)
    together = simulate(_scenario(correlation=1.0, **kw), record=0)
    liq = together.exits[:, EXIT_LIQ]
    assert liq.sum() > 0 and np.all(liq % 3 == 0)
    apart = simulate(_scenario(correlation=0.0, **kw), record=0)
    assert np.any(apart.exits[:, EXIT_LIQ] % 3 != 0)
    assert any("act like one big position" in w for w in together.summary()["warnings"])


@pytest.mark.parametrize("funding", [0.0001, 0.0])  # the one-position kernel, its lanes
def test_same_seed_same_result_any_threads_and_chunks(funding):
    import numba

    sc = _scenario(
        leverage=10,
        stop=0.01,
        take_profit=0.015,
        tails_df=4.0,
        garch=(0.1, 0.85),
        jump_rate=0.05,
        funding_rate=funding,
        paths=300,
        trades=30,
    )
    a = simulate(sc, record=3, threads=1)
    b = simulate(sc, record=3, threads=min(2, numba.config.NUMBA_NUM_THREADS), chunk=37)
    for name in ("final_equity", "max_drawdown", "ruin_trade", "wins", "trades_taken"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.exits, b.exits)
    np.testing.assert_array_equal(a.aux, b.aux)
    np.testing.assert_array_equal(a.sample_paths, b.sample_paths)
    np.testing.assert_allclose(a.sample_paths[:, -1], a.final_equity[:3])


# ----------------------------------------------------------------------- CLI
def test_cli_json_keys(capsys):
    rc = main(
        [
            "simulate",
            "--leverage",
            "20",
            "--stop",
            "0.02",
            "--win-rate",
            "0.45",
            "--paths",
            "300",
            "--trades",
            "30",
            "--seed",
            "1",
            "--venue",
            "binance",
            "--json",
        ]
    )
    assert rc == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d["liquidation"]) >= {"per_trade", "path_probability"}
    assert set(d["exit_mix"]) == {"take_profit", "stop", "liquidation", "time"}
    assert {"fees", "funding"} <= set(d["costs"]) and "bad_debt" in d
    assert isinstance(d["warnings"], list) and "win_rate_realized" in d
    assert d["costs"]["fees"] > 0 and d["position"]["venue"] == "binance"


def test_cli_text_output(capsys):
    rc = main(
        [
            "simulate",
            "--leverage",
            "25",
            "--stop",
            "0.05",
            "--drift",
            "0",
            "--paths",
            "200",
            "--trades",
            "20",
            "--seed",
            "2",
        ]
    )
    assert rc == 0
    out = capsys.readouterr().out
    assert "liquidation per trade" in out and "warning: your stop is beyond" in out


@pytest.mark.parametrize(
    "argv,match",
    [
        (["--leverage", "0.5", "--drift", "0"], "leverage"),
        (["--leverage", "10", "--stop", "0", "--drift", "0"], "stop"),
        (["--leverage", "10", "--mmr", "0.2", "--drift", "0"], "mmr"),
        (["--leverage", "10", "--volatility", "-0.1", "--drift", "0"], "volatility"),
        (["--leverage", "10"], "win_rate or drift must be given in the leveraged mode"),
        (
            ["--leverage", "10", "--drift", "0", "--win-rate", "0.4"],
            "drift must be left out when win_rate is given",
        ),
        (["--leverage", "100", "--venue", "hyperliquid", "--drift", "0"], "at most 40"),
        (["--leverage", "10", "--drift", "0", "--tails", "t:1.5"], "tails"),
    ],
)
def test_cli_bad_input_one_line_exit_2(capsys, argv, match):
    rc = main(["simulate", *argv, "--paths", "10", "--trades", "5"])
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and match in err and "Traceback" not in err


def test_trades_that_would_never_end_are_refused():
    with pytest.raises(ParameterError, match="max-hold-days"):
        simulate(
            _scenario(leverage=2, stop=0.1, take_profit=0.1, volatility=1e-6, funding_rate=0.0001),
            record=0,
        )


def test_warm_up_runs():
    from ruin.market import warm_up

    warm_up()


def test_market_benchmark_quick_runs(capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_market.py"
    spec = importlib.util.spec_from_file_location("bench_market", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--quick", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("M path-trades/s") == len(mod.CASES)


def test_liquidation_loss_rules_and_backstop_by_hand():
    from ruin.market.settle import CloseTerms, close_position

    def close(y, *, fill, liquidation_fee=0.0, backstop=0.0):
        terms = CloseTerms(1.0, s, 0.0, 0.0, fill, liquidation_fee, backstop, 0.0)
        return close_position(2, y, 0.2, 0.0, 0.0, terms)

    # 5x long, mmr 5%: a gap fills at 0.825 x entry, equity 0.2 - 0.175 = 0.025 of notional
    s, y = 0.1, math.log(0.825)
    r_margin = close(y, fill=False).r
    assert r_margin == pytest.approx(-0.2 / s)  # whole margin lost
    r_fill = close(y, fill=True).r
    assert r_fill == pytest.approx((-0.2 + 0.025) / s)  # the rest is returned
    r_fee = close(y, fill=True, liquidation_fee=0.01).r
    assert r_fee == pytest.approx((-0.2 + 0.025 - 0.01 * 0.825) / s)
    # Hyperliquid backstop: equity 0.025 < 2/3 x maintenance 0.05 x 0.825 = 0.0275: all lost
    r_bs = close(y, fill=True, backstop=2 / 3 * 0.05).r
    assert r_bs == pytest.approx(-0.2 / s)
    # beyond bankruptcy: the trader loses the margin, the excess is bad debt
    r_bd, _, _, _, bad = close(math.log(0.7), fill=True)
    assert r_bd == pytest.approx(-0.2 / s) and bad == pytest.approx(0.1 / s)
    assert build_scenario(
        {"leverage": 5, "venue": "hyperliquid", "drift": 0.0}
    ).market.backstop_fraction == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("rule", "extra"),
    [
        ("fractional", {}),
        ("fractional", {"margin_mode": "cross"}),
        ("fixed", {"fee_bps": 5.0, "slippage_bps": 2.0}),
        ("fixed", {"leverage": 40, "stop": 0.05, "take_profit": 0.05}),  # liquidation first
        ("fractional", {"side": "short", "drift": 0.002}),
    ],
)
def test_exact_trades_through_the_engine_match_the_exact_kernel(rule, extra):
    # without a time dimension a costless (or fixed-stake) trade is a Bernoulli trade: the
    # account engine's kernel runs it on the same stream; the result equals the exact kernel's
    import dataclasses

    from ruin.engine.streams import MARKET, stream_keys
    from ruin.market import plan_market, run_market

    kw = {"leverage": 10, "stop": 0.01, "take_profit": 0.015, **extra}
    sc = _scenario(rule=rule, risk=0.04, trades=101, paths=700, ruin_level=0.6, **kw)
    res = simulate(sc, record=0)

    plan = plan_market(
        sc.market,
        rule=sc.sizing.rule,
        risk=0.04,
        ruin_level=sc.account.ruin_level,
        goal=sc.account.goal,
        trades=101,
    )
    assert plan.exact and plan.two_point is not None
    kern = dataclasses.replace(plan, two_point=None)
    outs = (np.empty(700), np.empty(700)) + tuple(np.empty(700, np.int32) for _ in range(6))
    exits, aux = np.empty((700, 4), np.int64), np.empty((700, 4))
    k0, k1 = stream_keys(sc.seed, MARKET)
    run_market(kern, k0, k1, 0, 700, outs, exits, aux, np.empty((0, 102)))
    assert (res.ruin_trade > 0).any()
    names = (
        "final_equity",
        "max_drawdown",
        "ruin_trade",
        "goal_trade",
        "longest_losing_streak",
        "longest_underwater",
        "wins",
        "trades_taken",
    )
    for name, want in zip(names, outs, strict=True):
        np.testing.assert_array_equal(getattr(res, name), want, err_msg=name)
    np.testing.assert_array_equal(res.exits, exits)
    np.testing.assert_allclose(res.aux, aux, rtol=1e-12, atol=1e-15)


def test_exact_trades_with_costs_under_fractional_sizing_stay_in_the_exact_kernel():
    from ruin.market.plan import plan_market

    sc = _scenario(leverage=10, stop=0.01, take_profit=0.015, fee_bps=5.0)
    plan = plan_market(
        sc.market,
        rule=sc.sizing.rule,
        risk=0.01,
        ruin_level=sc.account.ruin_level,
        goal=sc.account.goal,
        trades=50,
    )
    assert plan.exact and plan.two_point is None


@pytest.mark.parametrize(
    "extra",
    [
        {
            "tails_df": 4.0,
            "garch": (0.10, 0.85),
            "jump_rate": 0.05,
            "jump_mean": -0.10,
            "jump_sd": 0.05,
        },  # the benchmark's realism
        {
            "tails_df": 3.5,
            "jump_rate": 0.5,
            "jump_mean": -0.5,
            "jump_sd": 0.1,
            "liquidation_rule": "fill",
            "backstop_fraction": 2 / 3,
        },  # gaps, bad debt
        {
            "leverage": 50,
            "stop": 0.03,
            "take_profit": 0.03,
            "fee_bps": 5.0,
            "slippage_bps": 2.0,
            "jump_rate": 1.0,
            "jump_mean": -0.1,
            "jump_sd": 0.05,
        },  # liquidation before the stop
        {"side": "short", "margin_mode": "cross", "garch": (0.05, 0.9), "drift": 0.003},
        {"step_hours": 6.0, "tails_df": 5.0},  # a fixed step
    ],
)
@pytest.mark.parametrize("rule", ["fractional", "fixed"])
def test_lanes_walk_the_single_kernels_paths_bit_for_bit(extra, rule):
    # simulate() runs these plans in the lane kernel (plain steps vectorised, the rest by the
    # scalar step) and the recorded paths in the one-position kernel: every per-path result
    # must equal the one-position kernel's over all paths
    from ruin.engine.rules import NO_RULES
    from ruin.engine.streams import MARKET, stream_keys
    from ruin.market.kernels.single import single_kernel
    from ruin.market.plan import plan_market
    from ruin.market.run import lanes_apply

    if rule == "fixed" and extra.get("margin_mode") == "cross":
        extra = {**extra, "margin_mode": "isolated"}
    n, trades, risk = 333, 120, 0.03
    kw = {"leverage": 10, "stop": 0.01, "take_profit": 0.015, "volatility": 0.03, **extra}
    sc = _scenario(rule=rule, risk=risk, trades=trades, paths=n, ruin_level=0.6, **kw)
    plan = plan_market(
        sc.market,
        rule=sc.sizing.rule,
        risk=risk,
        ruin_level=sc.account.ruin_level,
        goal=sc.account.goal,
        trades=trades,
    )
    assert lanes_apply(plan)
    res = simulate(sc, record=5)
    outs = (np.empty(n), np.empty(n)) + tuple(np.empty(n, np.int32) for _ in range(6))
    exits, aux = np.empty((n, 4), np.int64), np.empty((n, 4))
    k0, k1 = stream_keys(sc.seed, MARKET)
    single_kernel(
        k0,
        k1,
        np.int64(0),
        np.int64(n),
        plan.kernel,
        *outs,
        exits,
        aux,
        np.empty((0, trades + 1)),
        NO_RULES,
        np.empty(n, np.int8),
        np.empty(n, np.int32),
    )
    names = (
        "final_equity",
        "max_drawdown",
        "ruin_trade",
        "goal_trade",
        "longest_losing_streak",
        "longest_underwater",
        "wins",
        "trades_taken",
    )
    for name, want in zip(names, outs, strict=True):
        np.testing.assert_array_equal(getattr(res, name), want, err_msg=name)
    np.testing.assert_array_equal(res.exits, exits)
    np.testing.assert_array_equal(res.aux, aux)
    assert res.exits.sum() > 10 * n  # trades were taken (ruin stops the riskiest early)


def test_exp_neg_is_within_one_ulp_of_math_exp():
    from numba import njit

    from ruin.market.bridge import exp_neg

    f = njit(lambda m: exp_neg(m))
    rng = np.random.default_rng(3)
    ms = np.concatenate(
        [
            np.linspace(0.0, 40.0, 40_001),
            rng.uniform(0.0, 40.0, 20_000),
            [5e-324, 1e-12, math.log(2) / 2, 40.0],
        ]
    )
    got = np.array([f(m) for m in ms])
    want = np.array([math.exp(-m) for m in ms])  # the C library's
    assert np.all(np.abs(got - want) <= np.array([math.ulp(w) for w in want]))
    assert f(-1.0) == 1.0 and f(40.000001) == 0.0 and f(np.inf) == 0.0
