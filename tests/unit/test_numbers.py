"""Held-out cases for the numbers a trader acts on (issue 15): the sizing calculator against
``ruin liquidation`` and the market model, one meaning of drift, funding sides and anchors,
the venue rules the path model follows, and the smaller labels."""

from __future__ import annotations

import json
import math

import pytest

from ruin import margin, venues
from ruin.cli import main
from ruin.config import build_scenario
from ruin.errors import ParameterError
from ruin.market import describe_position
from ruin.market.liquidation import liquidation_ratio
from ruin.odds import liquidation_odds


def _json(capsys, argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


# ------------------------------------------------------------------ ruin size


def test_size_refuses_a_leverage_the_bracket_of_its_notional_does_not_allow(capsys):
    # 2% of 1M with a 1% stop is a 2M notional: Binance's 1M-10M bracket allows 20x
    argv = ["size", "--capital", "1e6", "--risk", "0.02", "--stop", "0.01"]
    assert main([*argv, "--leverage", "50", "--venue", "binance"]) == 2
    err = capsys.readouterr().err
    assert "at most 20x" in err and "2,000,000" in err
    # ... as `ruin liquidation` does for the same position
    assert main(["liquidation", "--entry", "1", "--qty", "2e6", "--leverage", "50"]
                + ["--venue", "binance"]) == 2  # fmt: skip
    capsys.readouterr()


@pytest.mark.parametrize("side", ["long", "short"])
def test_size_with_a_binance_bracket_and_entry_fee_agrees_with_liquidation(capsys, side):
    # 400k notional: the 250k-1M bracket (50x, MMR 1%, cum 1,300); taker fee 5 bp
    d = _json(
        capsys,
        ["size", "--capital", "1e5", "--risk", "0.04", "--stop", "0.01", "--leverage", "20",
         "--side", side, "--venue", "binance"],
    )  # fmt: skip
    assert d["inputs"]["fee_bps"] == pytest.approx(5.0)  # the venue's taker fee
    assert d["inputs"]["mmr"] == 0.01 and d["inputs"]["maintenance_amount"] == 1300.0
    liq = _json(
        capsys,
        ["liquidation", "--entry", "1", "--qty", "400000", "--leverage", "20", "--side", side,
         "--venue", "binance", "--fees-paid", "200"],
    )  # fmt: skip
    assert d["liquidation_distance"] == pytest.approx(liq["adverse_move"], rel=1e-12)
    # by hand: margin 20,000 less the 200 entry fee, cum 1,300, MMR 1%
    s = 1 if side == "long" else -1
    u = (1 - (20_000 - 200 + 1300) / 400_000 * s) / (1 - s * 0.01)
    assert d["liquidation_distance"] == pytest.approx(s * (1 - u), rel=1e-12)
    # and the market model's plain numbers for the same position
    sc = build_scenario(
        {"risk": 0.04, "stop": 0.01, "leverage": 20, "side": side, "venue": "binance",
         "equity_usd": 1e5, "drift": 0.0, "slippage_bps": 0.0}
    )  # fmt: skip
    assert describe_position(sc)["liquidation_distance"] == pytest.approx(
        d["liquidation_distance"], rel=1e-12
    )


def test_size_takes_the_entry_fee_from_the_margin():
    # 20x short, 3.69% stop, 4.5 bp: liquidation 3.659% away (ruin liquidation --fees-paid 45)
    r = margin.position_size(1e5, 0.0369, 0.0369, 20, 0.0125, side="short", fee_bps=4.5)
    liq = margin.liquidation_price(
        100_000, 20, 0.0125, side="short", qty=1, fees_paid=45.0
    ).adverse_move
    assert r.liquidation_distance == pytest.approx(liq, rel=1e-12)
    assert r.liquidation_distance == pytest.approx(0.03659, abs=5e-6)
    assert not r.stop_before_liquidation


def test_size_reports_what_is_lost_when_liquidation_comes_first():
    # 1% of 10k with a 5% stop at 15x, MMR 2%: liquidation 4.76% away comes first
    r = margin.position_size(10_000, 0.01, 0.05, 15, 0.02)
    assert not r.stop_before_liquidation
    assert r.margin == pytest.approx(133.3333, rel=1e-6)
    assert r.loss == pytest.approx(r.margin) and r.loss > r.risk_usd
    assert "whole margin" in r.loss_reason
    # a venue that returns what is left at the liquidation price loses less than the margin
    f = margin.position_size(10_000, 0.01, 0.05, 15, 0.02, liquidation_rule="fill")
    assert f.loss == pytest.approx(f.loss_at_liquidation)
    assert f.loss < f.margin
    assert f.loss == pytest.approx(2000 * r.liquidation_distance)  # the move, nothing returned


def test_size_buffer_and_the_largest_leverage_that_keeps_it():
    r = margin.position_size(10_000, 0.02, 0.02, 10, 0.005, daily_vol=0.03)
    assert r.buffer == pytest.approx(r.liquidation_distance - 0.02)
    assert r.buffer_daily_vols == pytest.approx(r.buffer / 0.03)
    assert r.thin_buffer == (r.buffer < 0.03)
    best = r.max_leverage_for_buffer
    at_best = margin.position_size(10_000, 0.02, 0.02, best, 0.005, daily_vol=0.03)
    assert at_best.buffer == pytest.approx(0.03, abs=1e-9)
    # above it the buffer is thinner
    assert margin.position_size(10_000, 0.02, 0.02, best * 1.01, 0.005).buffer < 0.03


def test_size_text_names_the_buffer_and_the_loss(capsys):
    assert main(["size", "--capital", "1e4", "--risk", "0.01", "--stop", "0.02",
                 "--leverage", "40", "--venue", "hyperliquid"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "buffer" in out and "daily moves" in out and "loss if wrong" in out
    assert "fee 4.5 bp/side" in out


# ------------------------------------------------------------------ liquidation


def test_liquidation_with_a_venue_and_no_qty_says_it_used_the_first_bracket(capsys):
    d = _json(capsys, ["liquidation", "--entry", "100000", "--leverage", "20",
                       "--venue", "binance"])  # fmt: skip
    assert "first bracket" in d["bracket_note"]
    main(["liquidation", "--entry", "100000", "--leverage", "20", "--venue", "binance"])
    assert "first bracket" in capsys.readouterr().out


def test_entry_basis_is_followed_by_the_market_model():
    # GMX / Bybit: maintenance on the entry notional. The market model's liquidation is the
    # calculator's, not the mark-basis formula
    for v in ("gmx_v2", "bybit"):
        sc = build_scenario(
            {"risk": 0.01, "stop": 0.01, "leverage": 20, "venue": v, "drift": 0.0,
             "fee_bps": 0.0, "slippage_bps": 0.0}
        )  # fmt: skip
        mk = sc.market
        assert mk.maintenance_basis == "entry"
        calc = margin.liquidation_price(1.0, 20, mk.mmr, maintenance_basis="entry")
        assert describe_position(sc)["liquidation_distance"] == pytest.approx(
            calc.adverse_move, rel=1e-12
        )
        assert calc.adverse_move == pytest.approx(1 / 20 - mk.mmr)


# ------------------------------------------------------------------ drift


def test_drift_is_the_markets_for_every_command():
    # positive drift: the price rises, a headwind for a short in simulate and odds alike
    sc = build_scenario({"risk": 0.01, "stop": 0.02, "leverage": 5, "side": "short",
                         "drift": 0.001})  # fmt: skip
    assert sc.market.nu == pytest.approx(-0.001)
    d = describe_position(sc)
    assert d["drift_per_day"] == pytest.approx(0.001)
    assert d["drift_in_trade_favour_per_day"] == pytest.approx(-0.001)
    long = build_scenario({"risk": 0.01, "stop": 0.02, "leverage": 5, "drift": 0.001})
    assert long.market.nu == pytest.approx(0.001)
    # the win rate without liquidation falls for the short, rises for the long
    assert (
        d["win_rate_without_liquidation"]
        < 0.4
        < (describe_position(long)["win_rate_without_liquidation"])
    )


def test_odds_with_drift_for_a_short():
    # a rising market brings a short's liquidation nearer: closed form and Monte Carlo
    kw = {"side": "short", "paths": 4000, "seed": 11}
    up = liquidation_odds(10, 0.005, 0.03, 30, drift=0.004, **kw)
    flat = liquidation_odds(10, 0.005, 0.03, 30, drift=0.0, **kw)
    down = liquidation_odds(10, 0.005, 0.03, 30, drift=-0.004, **kw)
    cf = [r.closed_form["continuous"] for r in (up, flat, down)]
    assert cf[0] > cf[1] > cf[2]
    for r, p in zip((up, flat, down), cf, strict=True):
        assert r.monte_carlo.ci_low - 0.01 < p < r.monte_carlo.ci_high + 0.01
    # the mirror of a long in a falling market at the same distance (log barrier)
    from ruin.odds import first_passage_probability

    d = math.log(liquidation_ratio(10, 0.005, side="short"))
    assert cf[0] == pytest.approx(float(first_passage_probability(-d, -0.004, 0.03, 30)))


def test_simulate_help_says_the_drift_convention(capsys):
    with pytest.raises(SystemExit):
        main(["simulate", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "positive = the price rises" in out and "hurts a short" in out


# ------------------------------------------------------------------ funding


def test_funding_says_who_pays_and_does_not_compound(capsys):
    d = _json(capsys, ["funding", "--rate", "-0.0005", "--interval-hours", "1",
                       "--hours", "720"])  # fmt: skip
    assert d["payer"] == "shorts" and d["receiver"] == "longs"
    assert d["fraction_of_notional"] == pytest.approx(-0.36)  # a long receives 36%
    s = _json(capsys, ["funding", "--rate", "-0.0005", "--interval-hours", "1",
                       "--hours", "720", "--side", "short"])  # fmt: skip
    assert s["fraction_of_notional"] == pytest.approx(0.36) and s["side_pays"]
    assert "compounded" not in json.dumps(d)


@pytest.mark.parametrize("name", ["dydx", "gmx_v2"])
def test_zero_anchor_venues_are_not_charged_the_neutral_rate(capsys, name):
    v = venues.venue(name)
    assert v.funding_anchor == 0.0
    sc = build_scenario({"risk": 0.01, "stop": 0.02, "leverage": 5, "venue": name,
                         "drift": 0.0})  # fmt: skip
    assert sc.market.funding_rate == 0.0
    # a bull regime (premium-driven) still charges longs
    bull = build_scenario({"risk": 0.01, "stop": 0.02, "leverage": 5, "venue": name,
                           "drift": 0.0, "funding_regime": "bull"})  # fmt: skip
    assert bull.market.funding_rate > 0.0
    d = _json(capsys, ["funding", "--venue", name, "--hours", "720"])
    assert d["inputs"]["rate"] == 0.0 and d["payer"] == "nobody"
    # Binance / Hyperliquid anchor 0.01% per 8 h
    hl = build_scenario({"risk": 0.01, "stop": 0.02, "leverage": 5, "venue": "hyperliquid",
                         "drift": 0.0})  # fmt: skip
    assert hl.market.funding_rate * 8 == pytest.approx(0.0001)


def test_gmx_funding_note_explains_the_borrow_fee():
    assert "borrow" in venues.venue("gmx_v2").funding_note


# ------------------------------------------------------------------ smaller


def test_daily_move_leverage_uses_the_short_formula():
    kw = {"risk": 0.01, "stop": 0.02, "leverage": 5, "mmr": 0.01, "volatility": 0.04,
          "drift": 0.0}  # fmt: skip
    lo = describe_position(build_scenario(kw))["daily_move_liquidation_leverage"]
    sh = describe_position(build_scenario({**kw, "side": "short"}))
    assert lo == pytest.approx(1 / (0.01 + 0.04 * (1 - 0.01)))
    assert sh["daily_move_liquidation_leverage"] == pytest.approx(1 / (0.01 + 0.04 * 1.01))
    # at that leverage the short's liquidation is exactly one daily move away
    u = liquidation_ratio(sh["daily_move_liquidation_leverage"], 0.01, side="short")
    assert u - 1 == pytest.approx(0.04)


def test_odds_guides_line_is_labelled_one_barrier_continuous(capsys):
    argv = ["odds", "--leverage", "10", "--mmr", "0.0125", "--volatility", "0.0314",
            "--horizon-days", "30", "--seed", "1", "--paths", "2000",
            "--take-profit", "0.05"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "guides'" in x)
    assert "one barrier" in line and "continuous" in line


def test_fill_rule_liquidation_pays_slippage():
    from ruin.market.settle import CloseTerms, close_position

    s, y = 0.1, math.log(0.83)  # 5x long, the fill at 0.83: equity 0.2 - 0.17 = 0.03
    no_slip = close_position(2, y, 0.2, 0.0, 0.0, CloseTerms(1.0, s, 0.0, 0.0, True, 0.0, 0, 0))
    slip = close_position(2, y, 0.2, 0.0, 0.0, CloseTerms(1.0, s, 0.0, 0.001, True, 0.0, 0, 0))
    assert no_slip.r == pytest.approx((-0.2 + 0.03) / s)
    assert slip.r == pytest.approx((-0.2 + 0.03 - 0.001 * 0.83) / s)
    assert slip.slippage == pytest.approx(0.001 * (1 + 0.83) / s)


def test_leverage_validation_in_size_names_the_bracket():
    tiers = venues.venue("binance").tiers_for("btc")
    with pytest.raises(ParameterError, match="bracket"):
        margin.position_size(1e6, 0.02, 0.01, 50, tiers=tiers)


# ------------------------------------------------------------------ lesson 7


def test_lesson_7_charges_what_its_venue_charges():
    import tomllib
    from pathlib import Path

    from ruin.behaviour import exit_rule_model
    from ruin.behaviour.rules import Behaviour
    from ruin.params import Bernoulli

    path = Path(__file__).resolve().parents[2] / "scenarios" / "lesson_07_no_stop.toml"
    lesson = tomllib.loads(path.read_text())
    v = venues.venue("hyperliquid")
    assert "Hyperliquid" in lesson["lesson"]["look_at"]
    # the move to liquidation in stop distances: ruin liquidation's adverse move / stop
    move = margin.liquidation_price(1.0, 10, v.mmr("btc")).adverse_move
    no_stop = next(x for x in lesson["variants"] if x["name"] == "no stop")
    assert no_stop["no_stop"] == pytest.approx(move / 0.02, abs=0.005)
    # Hyperliquid returns what is left (no fee): the loss is the move, the rule's default
    assert v.liquidation_loss == "remaining_minus_fee" and v.liquidation_fee == 0.0
    assert "liquidation_loss" not in no_stop
    model = exit_rule_model(
        Bernoulli(win_rate=0.4, payoff=1.5), Behaviour(no_stop=no_stop["no_stop"])
    )
    assert min(model.values) == pytest.approx(-no_stop["no_stop"])
    assert "4.43 R" in lesson["lesson"]["explanation"]
