"""Gaps both ways against the jump law, and volatility clustering against GARCH(1,1) theory.

Each test fails when the feature it checks is switched off: a short is never liquidated by a
gap without upward jumps, and the autocorrelation of squared daily returns is zero without
GARCH.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit
from scipy.stats import norm

from ruin.market import LeveragedTrade, liquidation_ratio
from ruin.market.kernels.single import one_position_terms
from ruin.market.plan import plan_market
from ruin.market.step import Day, PathTime, Position, new_day, path_start, step
from ruin.params import Account, Bernoulli, Scenario, Sizing
from ruin.simulate import simulate


def _scenario(*, paths, trades, seed, **kw):
    return Scenario(
        model=Bernoulli(win_rate=0.5, payoff=1.0),
        sizing=Sizing(risk=0.01, rule="fixed"),
        account=Account(trades=trades, ruin_level=0.0),
        paths=paths,
        seed=seed,
        market=LeveragedTrade(**kw),
    )


# ------------------------------------------------------------------ gaps


@pytest.mark.parametrize("side", ["short", "long"])
def test_gap_losses_follow_the_jump_law(side):
    """A position that only a gap can close (tiny diffusion, one-day time stop): the share of
    trades liquidated is P(a jump in the day) x P(the jump passes liquidation), and the bad
    debt of a liquidation is the lognormal call ``E[max(0, e^J - (1 + margin))]`` (short,
    pumps) or ``E[max(0, (1 - margin) - e^J)]`` (long, crashes), over the stop distance."""
    lev, stop, mmr, rate, mu, sd = 10.0, 0.05, 0.005, 0.5, 0.2, 0.05
    jumps = (
        dict(jump_rate=0.0, pump_rate=rate, pump_mean=mu, pump_sd=sd)
        if side == "short"
        else dict(jump_rate=rate, jump_mean=-mu, jump_sd=sd)
    )
    sc = _scenario(
        paths=4000, trades=50, seed=15, leverage=lev, stop=stop, take_profit=0.05,
        drift=0.0, volatility=0.001, side=side, mmr=mmr, max_hold_days=1.0, **jumps,
    )  # fmt: skip
    res = simulate(sc, record=0)
    n_trades = res.exits.sum()
    # the gap must pass the liquidation level: |J| > |log u_liq|
    y_liq = abs(math.log(liquidation_ratio(lev, mmr, side=side)))
    p_jump = -math.expm1(-rate)  # one day
    p_liq = p_jump * norm.sf((y_liq - mu) / sd)
    share = res.exits[:, 2].sum() / n_trades
    se = math.sqrt(p_liq * (1 - p_liq) / n_trades)
    assert abs(share - p_liq) < 4 * se + 0.002, (share, p_liq)
    # bad debt: equity 1/L + s (u - 1) below zero, u = e^{s |J|} with |J| ~ N(mu, sd)
    if side == "short":  # E[max(0, e^J - (1 + 1/L))], J ~ N(mu, sd)
        k = 1.0 + 1.0 / lev
        d2 = (mu - math.log(k)) / sd
        call = math.exp(mu + sd * sd / 2) * norm.cdf(d2 + sd) - k * norm.cdf(d2)
    else:  # E[max(0, (1 - 1/L) - e^-J)], J ~ N(mu, sd): a put on e^{-J}
        k = 1.0 - 1.0 / lev
        d2 = (math.log(k) + mu) / sd
        call = k * norm.cdf(d2) - math.exp(-mu + sd * sd / 2) * norm.cdf(d2 - sd)
    per_path = res.aux[:, 3]  # bad debt, fraction of starting equity (fixed stakes of 1%)
    theory = 50 * p_jump * call / stop * 0.01
    se_bad = per_path.std() / math.sqrt(per_path.size)
    assert abs(per_path.mean() - theory) < 4 * se_bad + 0.01 * theory, (per_path.mean(), theory)


def test_a_short_is_liquidated_by_an_upward_gap_on_the_memecoin_preset():
    from ruin.config import build_scenario

    kw = {"asset": "memecoin", "jumps": True, "leverage": 5, "mmr": 0.05, "stop": 0.05,
          "drift": 0.0, "risk": 0.01, "trades": 200, "paths": 2000, "seed": 3,
          "max_hold_days": 30}  # fmt: skip
    short = simulate(build_scenario({**kw, "side": "short"}), record=0)
    # without pumps a short's every jump helps it: no gap liquidations, no bad debt
    assert short.exits[:, 2].sum() > 0
    assert short.aux[:, 3].sum() > 0


# ------------------------------------------------------------------ GARCH


@njit(cache=True)
def _daily_returns(terms, n_days, key0, key1):
    """The path clock's diffusive daily returns of one long-lived path (positions reopened
    when one exits), walked with the kernels' own ``new_day`` and ``step``."""
    step_terms = terms.step
    next_jump, s0, s1, s2, s3 = path_start(key0, key1, 0, terms.jumps, terms.jumps_per_day)
    time = PathTime(0.0, next_jump, 0.0)
    day = Day(0.0, 0.0, terms.start_variance, terms.start_variance, terms.dt, 0.0, 0.0, 0.0, 0.0)
    out = np.empty(n_days)
    k = 0
    pos = Position(0.0, 0.0, 0, terms.paid, 0.0, terms.y_liq)
    while k < n_days:
        if time.clock >= day.next_start:
            if day.next_start > 0.0:
                out[k] = time.day_return
                k += 1
                if k == n_days:
                    break
            time, day, s0, s1, s2, s3 = new_day(time, day, s0, s1, s2, s3, terms.day)
        code, _y, pos, time, s0, s1, s2, s3 = step(
            pos, time, day, s0, s1, s2, s3, terms.margin, step_terms
        )
        if code >= 0:
            pos = Position(0.0, 0.0, 0, terms.paid, 0.0, terms.y_liq)
    return out


def _acf_squared(garch, n_days=200_000, lags=5):
    mk = LeveragedTrade(
        leverage=1.0, stop=0.9, take_profit=5.0, drift=0.0, volatility=0.02, mmr=0.0,
        garch=garch,
    )  # fmt: skip
    plan = plan_market(mk, rule="fixed", risk=0.01, ruin_level=0.0, goal=None, trades=1)
    r = _daily_returns(one_position_terms(plan.kernel), n_days, np.uint64(12345), np.uint64(7))
    x = r * r - (r * r).mean()
    return np.array([np.dot(x[:-k], x[k:]) / np.dot(x, x) for k in range(1, lags + 1)]), r


def test_garch_clusters_volatility_as_garch_theory_says():
    """ACF of squared daily returns of GARCH(1,1) with normal shocks (Bollerslev 1988):
    rho_1 = a (1 - a b - b^2) / (1 - 2 a b - b^2), rho_k = rho_1 (a + b)^(k-1)."""
    a, b = 0.1, 0.8
    acf, r = _acf_squared((a, b))
    rho1 = a * (1 - a * b - b * b) / (1 - 2 * a * b - b * b)
    theory = rho1 * (a + b) ** np.arange(5)
    assert np.abs(acf - theory).max() < 0.03, (acf, theory)
    # the unconditional variance is the preset's
    assert r.var() == pytest.approx(0.02**2, rel=0.05)
    # and without GARCH there is nothing to find: this test fails with GARCH off
    off, _ = _acf_squared(None)
    assert np.abs(off).max() < 0.015
    assert acf[0] > 0.1 > np.abs(off).max()
