"""Leveraged price paths against closed forms and exact discrete-monitoring results.

Fixed seeds; tolerances of 4 binomial standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from ruin.market import LeveragedTrade, liquidation_ratio, two_barrier_probability
from ruin.params import Account, Bernoulli, Scenario, Sizing
from ruin.simulate import simulate


def _run(*, paths, trades, risk=0.01, seed=11, **kw):
    sc = Scenario(
        model=Bernoulli(win_rate=0.5, payoff=1.5),
        sizing=Sizing(risk=risk),
        account=Account(trades=trades, ruin_level=0.0),
        paths=paths,
        seed=seed,
        market=LeveragedTrade(**kw),
    )
    return simulate(sc, record=0)


def _within(count: int, n: int, p: float, k: float = 4.0) -> None:
    se = math.sqrt(p * (1 - p) / n)
    assert abs(count / n - p) <= k * se, (count / n, p, se)


def test_calibrated_win_rate_exact_sampler():
    res = _run(
        paths=4000,
        trades=100,
        leverage=1,
        stop=0.01,
        take_profit=0.015,
        win_rate=0.45,
        volatility=0.026,
    )
    n = int(res.trades_taken.sum())
    assert n == 400_000
    _within(int(res.exits[:, 0].sum()), n, 0.45)
    s = res.summary()
    assert s["win_rate_input"] == 0.45 and s["liquidation"]["count"] == 0


def test_calibrated_win_rate_bridge_stepping():
    # a long time stop forces the stepped kernel; exits still come from the two barriers
    res = _run(
        paths=2000,
        trades=50,
        leverage=2,
        stop=0.012,
        take_profit=0.018,
        win_rate=0.45,
        volatility=0.026,
        max_hold_days=1000.0,
    )
    n = int(res.trades_taken.sum())
    assert res.exits[:, 3].sum() == 0
    _within(int(res.exits[:, 0].sum()), n, 0.45)
    assert res.summary()["win_rate_realized"] == pytest.approx(res.exits[:, 0].sum() / n)


def test_two_barrier_with_drift_continuous_steps():
    # explicit drift; take-profit probability against the closed form
    nu, sig = -0.01, 0.03
    res = _run(
        paths=2000,
        trades=50,
        leverage=1,
        stop=0.02,
        take_profit=0.02,
        drift=nu,
        volatility=sig,
        max_hold_days=1000.0,
        step_hours=2.0,
    )
    a, b = -math.log(0.98), math.log(1.02)
    p = two_barrier_probability(nu, sig, a, b)
    _within(int(res.exits[:, 0].sum()), int(res.trades_taken.sum()), p)


def test_liquidation_first_passage_reflection_principle():
    # perps.md 4.5 check: 10x long, MMR 1.25%, 60% annual vol, 30 days, no stop in reach;
    # P(min log price <= b within T) = 2 Phi(b / (sigma sqrt T)) for zero log drift
    sig = 0.6 / math.sqrt(365.0)
    T = 30.0
    res = _run(
        paths=20000,
        trades=1,
        leverage=10,
        mmr=0.0125,
        stop=0.5,
        take_profit=10.0,
        drift=0.0,
        volatility=sig,
        max_hold_days=T,
    )
    b = math.log(liquidation_ratio(10, 0.0125))
    p = 2 * norm.cdf(b / (sig * math.sqrt(T)))
    _within(int(res.exits[:, 2].sum()), 20000, p)
    assert res.exits[:, 1].sum() == 0  # the stop is beyond the liquidation price


def test_exact_sampler_liquidation_probability_when_stop_beyond_liquidation():
    sig = 0.03
    res = _run(
        paths=2000,
        trades=100,
        leverage=20,
        mmr=0.005,
        stop=0.06,
        take_profit=0.09,
        drift=0.0,
        volatility=sig,
    )
    a = -math.log(liquidation_ratio(20, 0.005))
    b = math.log(1.09)
    # zero drift: P(lower barrier first) = b / (a + b)
    _within(int(res.exits[:, 2].sum()), int(res.trades_taken.sum()), b / (a + b))


def _discrete_exit_probabilities(a, b, nu, sd, n_steps, m=3001):
    """Exact exits of a Gaussian random walk checked only at step ends (quadrature DP).

    Barriers -a (stop) and +b (take-profit) in log price; steps N(nu, sd^2); after n_steps
    the rest is a time exit. Returns (P(take-profit), P(stop), P(time)).
    """
    x = np.linspace(-a, b, m)
    w = np.full(m, (a + b) / (m - 1))
    w[0] = w[-1] = w[0] / 2  # trapezoid weights
    dens = norm.pdf(x, loc=nu, scale=sd)  # density after step 1 inside (-a, b)
    p_up = norm.sf(b, loc=nu, scale=sd)
    p_dn = norm.cdf(-a, loc=nu, scale=sd)
    kern = norm.pdf(x[None, :], loc=x[:, None] + nu, scale=sd)
    up_i = norm.sf(b, loc=x + nu, scale=sd)
    dn_i = norm.cdf(-a, loc=x + nu, scale=sd)
    for _ in range(n_steps - 1):
        mass = dens * w
        p_up += mass @ up_i
        p_dn += mass @ dn_i
        dens = mass @ kern
    return p_up, p_dn, float(dens @ w)


def test_discrete_monitoring_matches_exact_random_walk():
    # a bot checking daily closes: stop / take-profit 5%, 3%/day volatility, 10 days
    sig, nu = 0.03, 0.002
    res = _run(
        paths=4000,
        trades=25,
        leverage=1,
        stop=0.05,
        take_profit=0.05,
        drift=nu,
        volatility=sig,
        monitoring="discrete",
        check_hours=24.0,
        max_hold_days=10.0,
    )
    a, b = -math.log(0.95), math.log(1.05)
    p_up, p_dn, p_time = _discrete_exit_probabilities(a, b, nu, sig, 10)
    assert p_up + p_dn + p_time == pytest.approx(1.0, abs=1e-6)
    n = int(res.trades_taken.sum())
    _within(int(res.exits[:, 0].sum()), n, p_up)
    _within(int(res.exits[:, 1].sum()), n, p_dn)
    _within(int(res.exits[:, 3].sum()), n, p_time)
    # checking only closes misses touches: fewer exits than continuous monitoring
    cont = _run(
        paths=4000,
        trades=25,
        leverage=1,
        stop=0.05,
        take_profit=0.05,
        drift=nu,
        volatility=sig,
        max_hold_days=10.0,
        step_hours=24.0,
    )
    assert cont.exits[:, 3].sum() < res.exits[:, 3].sum()


@pytest.mark.parametrize("rule", ["fractional", "fixed"])
@pytest.mark.parametrize("stepped", [False, True])
def test_account_bookkeeping_matches_lattice_dp(rule, stepped):
    # no costs, liquidation far beyond the stop: the price-path trade is a Bernoulli(0.45)
    # win of 1.5 R, so ruin and goal probabilities equal the exact lattice DP of the account
    from ruin.exact import lattice_dp

    extra = {"max_hold_days": 1000.0} if stepped else {}
    sc = Scenario(
        model=Bernoulli(win_rate=0.5, payoff=1.5),
        sizing=Sizing(risk=0.1, rule=rule),
        account=Account(trades=60, ruin_level=0.5, goal=2.0),
        paths=6000,
        seed=5,
        market=LeveragedTrade(
            leverage=12, stop=0.01, take_profit=0.015, win_rate=0.45, volatility=0.03, **extra
        ),
    )
    res = simulate(sc, record=0)
    exact = lattice_dp(0.45, 1.5, 0.1, sizing=rule, trades=60, ruin_level=0.5, goal=2.0)
    _within(int(np.count_nonzero(res.ruin_trade > 0)), 6000, exact.ruin_probability)
    _within(int(np.count_nonzero(res.goal_trade > 0)), 6000, float(exact.goal_by_trade[-1]))


@pytest.mark.parametrize("df", [None, 6.0, 5.5])
def test_shocks_have_the_stated_variance(df):
    # no barrier in reach, closed at market after 2 days: Var(log price) = sigma^2 T for normal
    # and unit-variance Student-t shocks (integer and non-integer degrees of freedom)
    sig, T, n, risk, stop = 0.03, 2.0, 20000, 0.01, 0.9
    sc = Scenario(
        model=Bernoulli(win_rate=0.5, payoff=1.5),
        sizing=Sizing(risk=risk, rule="fixed"),
        account=Account(trades=1, ruin_level=0.0),
        paths=n,
        seed=21,
        market=LeveragedTrade(
            leverage=1,
            stop=stop,
            take_profit=10.0,
            drift=0.0,
            volatility=sig,
            max_hold_days=T,
            step_hours=2.0,
            tails_df=df,
        ),
    )
    res = simulate(sc, record=0)
    assert np.all(res.exits[:, 3] == 1)
    y = np.log1p(stop * (res.final_equity - 1.0) / risk)
    var = float(np.var(y))
    # sd of the sample variance: sigma^2 T sqrt((kurtosis - 1) / n); each day's return is a
    # scaled t, so the kurtosis of the sum over T days is 3 + 6 / (df - 4) / T
    kurt = 3.0 + (6.0 / (df - 4.0) / T if df else 0.0)
    se = sig**2 * T * math.sqrt((kurt - 1.0) / n)
    assert abs(var - sig**2 * T) <= 4 * se, (var, sig**2 * T, se)
    assert abs(float(np.mean(y))) <= 4 * sig * math.sqrt(T / n)


def test_garch_keeps_the_unconditional_variance():
    # daily GARCH(1,1) with omega set so the unconditional daily variance is sigma^2
    sig, T, n, risk, stop = 0.03, 20.0, 20000, 0.01, 0.9
    sc = Scenario(
        model=Bernoulli(win_rate=0.5, payoff=1.5),
        sizing=Sizing(risk=risk, rule="fixed"),
        account=Account(trades=1, ruin_level=0.0),
        paths=n,
        seed=22,
        market=LeveragedTrade(
            leverage=1,
            stop=stop,
            take_profit=10.0,
            drift=0.0,
            volatility=sig,
            max_hold_days=T,
            step_hours=24.0,
            garch=(0.10, 0.85),
        ),
    )
    res = simulate(sc, record=0)
    assert np.all(res.exits[:, 3] == 1)
    y = np.log1p(stop * (res.final_equity - 1.0) / risk)
    se = sig**2 * T * math.sqrt((6.0 - 1.0) / n)  # conservative kurtosis 6 for the 20-day sum
    assert abs(float(np.var(y)) - sig**2 * T) <= 4 * se


@pytest.mark.parametrize("df", [5.0, 4.5])
def test_daily_returns_are_student_t(df):
    # one day, stepped every 2 hours: the day's log return is a unit-variance Student-t
    # scaled by sigma (the mixing variable is drawn once per day; within the day the path is
    # Brownian), so it is far from normal and matches t(df) * sqrt((df - 2) / df)
    from scipy import stats

    sig, n, risk, stop = 0.03, 20000, 0.01, 0.9
    sc = Scenario(
        model=Bernoulli(win_rate=0.5, payoff=1.5),
        sizing=Sizing(risk=risk, rule="fixed"),
        account=Account(trades=1, ruin_level=0.0),
        paths=n,
        seed=23,
        market=LeveragedTrade(
            leverage=1,
            stop=stop,
            take_profit=10.0,
            drift=0.0,
            volatility=sig,
            max_hold_days=1.0,
            step_hours=2.0,
            tails_df=df,
        ),
    )
    res = simulate(sc, record=0)
    assert np.all(res.exits[:, 3] == 1)
    z = np.log1p(stop * (res.final_equity - 1.0) / risk) / sig
    t_unit = stats.t(df, scale=math.sqrt((df - 2.0) / df))
    assert stats.kstest(z, t_unit.cdf).pvalue > 1e-3
    assert stats.kstest(z, stats.norm.cdf).pvalue < 1e-6


def test_adaptive_steps_keep_the_win_rate_under_fat_tails_and_garch():
    # the step follows each day's volatility (t mixing, GARCH): with no drift the exit is
    # still a time-changed Brownian motion, so P(take-profit first) = a / (a + b) exactly
    res = _run(
        paths=4000,
        trades=50,
        leverage=1,
        stop=0.01,
        take_profit=0.015,
        drift=0.0,
        volatility=0.026,
        tails_df=3.0,
        garch=(0.15, 0.8),
        max_hold_days=1000.0,
    )
    a, b = -math.log(0.99), math.log(1.015)
    assert res.exits[:, 3].sum() == 0
    _within(int(res.exits[:, 0].sum()), int(res.trades_taken.sum()), a / (a + b))


@pytest.mark.parametrize(("step_hours", "positions"), [(None, 1), (6.0, 1), (None, 2)])
def test_exit_times_are_exact_crash_jumps_strike_before_the_exit(step_hours, positions):
    # Crash jumps of -50% (far past liquidation) arrive as a Poisson process of rate lam per
    # day on the path's clock, trades following each other. A trade is liquidated by a jump
    # exactly when the jump comes before the two-barrier exit time tau, with probability
    # 1 - E[exp(-lam tau)] = 1 - cosh(th (a - W/2)) / cosh(th W/2), th = sqrt(2 lam) / sigma
    # (zero drift). This checks the exit *times*, not only the exit sides: a trade that ended
    # at the end of its step instead of at its first-passage time was exposed to jumps for
    # too long, and a jump inside a step where the bridge left was lost (12% too few here).
    # Two perfectly correlated positions (the several-positions kernel) share one path, so
    # each is hit with the same probability.
    lam, sig = 2.0, 0.026
    res = _run(
        paths=4000,
        trades=100,
        leverage=10,
        stop=0.01,
        take_profit=0.015,
        drift=0.0,
        volatility=sig,
        mmr=0.005,
        jump_rate=lam,
        jump_mean=-0.5,
        jump_sd=1e-6,
        step_hours=step_hours,
        risk=0.001,
        positions=positions,
        correlation=1.0,
    )
    a, b = -math.log(0.99), math.log(1.015)
    th = math.sqrt(2.0 * lam) / sig
    p = 1.0 - math.cosh(th * (a - (a + b) / 2)) / math.cosh(th * (a + b) / 2)
    assert res.exits[:, 1].sum() > 0 and res.exits[:, 3].sum() == 0
    if positions > 1:  # one path: both positions leave together
        assert np.all(res.exits % positions == 0)
    _within(int(res.exits[:, 2].sum()) // positions, int(res.trades_taken.sum()), p)
