"""Monte Carlo (``simulate``) against the exact answers of ``ruin.exact``.

Every comparison allows 4 binomial standard errors computed from the exact value (or 4
sample standard errors for means), with a fixed seed per scenario. Probabilities are chosen
away from 0 and 1 so that the normal approximation behind "4 SE" holds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ruin import Account, Bernoulli, Scenario, Sizing, simulate
from ruin import exact as E

K = 4.0


def _sc(p, b, f, rule, n, rl, goal, paths, seed):
    return Scenario(
        model=Bernoulli(win_rate=p, payoff=b),
        sizing=Sizing(risk=f, rule=rule),
        account=Account(trades=n, ruin_level=rl, goal=goal),
        paths=paths,
        seed=seed,
    )


def assert_prob(successes: int, trials: int, exact: float, what: str = "") -> None:
    est = successes / trials
    se = math.sqrt(exact * (1.0 - exact) / trials)
    assert abs(est - exact) <= K * se, (
        f"{what}: MC {est:.5f} vs exact {exact:.5f} ({(est - exact) / se:+.1f} SE)"
    )


def assert_mean(values: np.ndarray, exact: float, sd: float, what: str = "") -> None:
    """Sample mean within 4 standard errors, the SE from the exact standard deviation."""
    se = sd / math.sqrt(values.size)
    assert abs(values.mean() - exact) <= K * se, (
        f"{what}: MC mean {values.mean():.5f} vs exact {exact:.5f} "
        f"({(values.mean() - exact) / se:+.1f} SE)"
    )


RUIN_CASES = [
    # p, b, f, sizing, N, ruin_level, goal, seed
    (0.45, 1.5, 0.05, "fractional", 300, 0.5, None, 11),
    (0.50, 1.2, 0.10, "fractional", 200, 0.3, 2.0, 12),
    (0.50, 1.0, 0.50, "fractional", 40, 0.25, None, 13),  # lattice points on the barrier
    (0.40, 2.0, 0.15, "fractional", 150, 0.6, 1.5, 14),
    (0.50, 1.0, 0.10, "fixed", 200, 0.0, 2.0, 15),  # ten net losses ruin exactly
    (0.40, 1.5, 0.02, "fixed", 300, 0.5, None, 16),  # zero edge
    (0.40, 2.0, 0.05, "fixed", 250, 0.3, 1.5, 17),
    (0.60, 0.8, 0.03, "fixed", 300, 0.6, None, 18),  # 1/f and units not integers
]


@pytest.mark.parametrize("case", RUIN_CASES)
def test_ruin_goal_survival_and_final_equity(case):
    p, b, f, rule, n, rl, goal, seed = case
    res = simulate(_sc(p, b, f, rule, n, rl, goal, 40_000, seed), record=0)
    ex = E.lattice_dp(p, b, f, sizing=rule, trades=n, ruin_level=rl, goal=goal)
    assert 0.01 < ex.ruin_probability < 0.99, "choose a case with a moderate ruin probability"
    assert_prob(res.ruin.successes, res.paths, ex.ruin_probability, "P(ruin)")
    if goal is not None:
        assert_prob(res.goal.successes, res.paths, ex.goal_probability, "P(goal)")
    rt = res.ruin_trade
    for t in (n // 4, n // 2, 3 * n // 4):
        exact_t = float(ex.ruin_by_trade[t])
        assert_prob(
            int(np.count_nonzero((rt > 0) & (rt <= t))), res.paths, exact_t, f"P(ruin by {t})"
        )
    sd = math.sqrt(np.dot(ex.final_probs, (ex.final_values - ex.final_equity_mean) ** 2))
    assert_mean(res.final_equity, ex.final_equity_mean, sd, "final equity")
    assert_prob(
        int(np.count_nonzero(res.final_equity < 1 - 1e-12)),
        res.paths,
        ex.p_final_below_start,
        "P(final < start)",
    )


def test_fractional_with_ruin_level_zero_is_never_ruined():
    res = simulate(_sc(0.3, 1.0, 0.2, "fractional", 200, 0.0, None, 5_000, 19), record=0)
    ex = E.lattice_dp(0.3, 1.0, 0.2, sizing="fractional", trades=200, ruin_level=0.0)
    assert ex.ruin_probability == 0.0
    assert res.ruin.successes == 0


DD_CASES = [
    # p, b, f, sizing, N, ruin_level, goal, levels, seed
    (0.45, 1.5, 0.02, "fractional", 300, 0.5, None, (0.2, 0.3, 0.4, 0.5), 21),
    (0.55, 1.0, 0.05, "fractional", 200, 0.0, None, (0.4, 0.6, 0.7), 22),
    (0.45, 1.5, 0.05, "fixed", 200, 0.6, 1.5, (0.1, 0.25, 0.35, 0.45), 23),  # 0.45 > 1 - rl
    (0.55, 1.0, 0.10, "fixed", 150, 0.0, 2.0, (0.2, 0.3, 0.5), 24),
]


@pytest.mark.parametrize("case", DD_CASES)
def test_drawdown_exceedance(case):
    p, b, f, rule, n, rl, goal, levels, seed = case
    res = simulate(_sc(p, b, f, rule, n, rl, goal, 40_000, seed), record=0, drawdown_levels=levels)
    for lv in levels:
        r = E.drawdown_exceedance_exact(
            p, b, f, sizing=rule, trades=n, level=lv, ruin_level=rl, goal=goal
        )
        assert r["probability"] is not None, r["note"]
        assert 0.005 < r["probability"] < 0.995
        mc = res.drawdown_exceedance(lv)
        assert_prob(mc.successes, mc.trials, r["probability"], f"P(MDD >= {lv})")


@pytest.mark.parametrize(
    ("p", "start", "target", "seed"), [(0.5, 10, 20, 31), (0.55, 10, 20, 32), (0.47, 8, 12, 33)]
)
def test_gamblers_ruin_finite_target(p, start, target, seed):
    # fixed stake of 1/start of equity, payoff 1, bust at 0, goal target/start x start.
    # N = 3000 trades: the chance of still playing is below 1e-12 for these games.
    f = 1.0 / start
    goal = target / start
    sc = _sc(p, 1.0, f, "fixed", 3000, 0.0, goal, 20_000, seed)
    res = simulate(sc, record=0)
    assert np.all((res.ruin_trade > 0) | (res.goal_trade > 0))
    exact = E.gamblers_ruin(p, start, target)
    assert_prob(res.ruin.successes, res.paths, exact, "gambler's ruin")
    # duration: SE from the sample (the duration's distribution has a light, geometric tail)
    d = res.trades_taken.astype(np.float64)
    assert_mean(d, E.gamblers_ruin_duration(p, start, target), float(d.std(ddof=1)), "duration")
    # and the finite-horizon DP has converged to the closed form
    ex = E.lattice_dp(p, 1.0, f, sizing="fixed", trades=3000, goal=goal)
    assert ex.ruin_probability == pytest.approx(exact, abs=1e-10)


@pytest.mark.parametrize(("p", "b", "f", "seed"), [(0.4, 2.0, 0.1, 41), (0.35, 3.0, 0.125, 42)])
def test_infinite_horizon_root_integer_payoff(p, b, f, seed):
    """Fixed stake, integer payoff: ruin = x^units. The DP at N converges up to the root
    (the finite-N truncation); MC at N = 1500 matches the DP at N."""
    units = 1.0 / f
    fs = E.fixed_stake_ruin(p, b, units)
    assert fs["exact"]
    n = 1500
    dp = [
        E.lattice_dp(p, b, f, sizing="fixed", trades=k).ruin_probability for k in (50, 200, 800, n)
    ]
    assert all(a <= c for a, c in zip(dp, dp[1:], strict=False))
    assert dp[-1] <= fs["ruin_probability"] + 1e-12
    assert fs["ruin_probability"] - dp[-1] < 1e-4  # truncation at N is tiny here
    res = simulate(_sc(p, b, f, "fixed", n, 0.0, None, 40_000, seed), record=0)
    assert_prob(res.ruin.successes, res.paths, dp[-1], "ruin at N")
    assert_prob(res.ruin.successes, res.paths, fs["ruin_probability"], "root")


def test_infinite_horizon_root_non_integer_payoff_is_bracketed():
    p, b, f = 0.42, 1.7, 0.1
    fs = E.fixed_stake_ruin(p, b, 1.0 / f)
    assert not fs["exact"]
    dp = E.lattice_dp(p, b, f, sizing="fixed", trades=2000).ruin_probability
    assert fs["lower_bound"] < dp <= fs["upper_bound"]
    res = simulate(_sc(p, b, f, "fixed", 2000, 0.0, None, 40_000, 43), record=0)
    assert_prob(res.ruin.successes, res.paths, dp, "ruin at N")
    # the MC estimate itself lies inside the bracket (with 4 SE of room)
    se = math.sqrt(dp * (1 - dp) / res.paths)
    assert fs["lower_bound"] - K * se <= res.ruin.estimate <= fs["upper_bound"] + K * se


def test_approximations_are_wrong_where_documented():
    """Payoff 1.5, 2% fixed stake: the classic formula (ignores the payoff) says certain ruin,
    the web formula and its payoff-adjusted cousin disagree with the exact value by a lot;
    the MC agrees with the exact DP, not with them."""
    p, b, f, rl, n = 0.42, 1.5, 0.05, 0.5, 2000
    res = simulate(_sc(p, b, f, "fixed", n, rl, None, 40_000, 44), record=0)
    dp = E.lattice_dp(p, b, f, sizing="fixed", trades=n, ruin_level=rl).ruin_probability
    assert_prob(res.ruin.successes, res.paths, dp, "ruin")
    a = E.approximations(p, b, f, ruin_level=rl, sizing="fixed")
    se = math.sqrt(dp * (1 - dp) / res.paths)
    assert a["classic_(1-edge)/(1+edge)^units"] == 1.0
    assert abs(a["classic_(1-edge)/(1+edge)^units"] - res.ruin.estimate) > 10 * se
    assert abs(a["(q/(p*payoff))^units"] - res.ruin.estimate) > 10 * se
    assert abs(a["payoff_adjusted_(1-edge)/(1+edge)^units"] - res.ruin.estimate) > 10 * se


@pytest.mark.slow
def test_default_scenario_large():
    """The app's default-like scenario at 400k paths: ruin, survival and MDD levels."""
    p, b, f, rl, n = 0.45, 1.5, 0.05, 0.5, 500
    levels = (0.2, 0.3, 0.5)
    res = simulate(
        _sc(p, b, f, "fractional", n, rl, None, 400_000, 51), record=0, drawdown_levels=levels
    )
    ex = E.lattice_dp(p, b, f, trades=n, ruin_level=rl)
    assert_prob(res.ruin.successes, res.paths, ex.ruin_probability, "P(ruin)")
    curve = E.exact_ruin_curve(res.scenario)
    np.testing.assert_array_equal(curve, ex.ruin_by_trade)
    for t in (50, 100, 200, 300, 400):
        assert_prob(
            int(round((1 - res.survival[t]) * res.paths)),
            res.paths,
            float(curve[t]),
            f"survival at {t}",
        )
    for lv in levels:
        r = E.drawdown_exceedance_exact(p, b, f, trades=n, level=lv, ruin_level=rl)
        mc = res.drawdown_exceedance(lv)
        assert_prob(mc.successes, mc.trials, r["probability"], f"P(MDD >= {lv})")


@pytest.mark.parametrize(
    ("values", "probs", "f", "n", "rl", "goal", "seed"),
    [
        ((-1.0, 0.5, 3.0), (0.5, 0.3, 0.2), 0.05, 200, 0.5, 2.0, 61),
        ((-2.0, -1.0, 0.0, 1.5), (0.05, 0.45, 0.1, 0.4), 0.04, 250, 0.6, None, 62),
    ],
)
def test_discrete_fixed_stake_lattice(values, probs, f, n, rl, goal, seed):
    from ruin import Discrete

    sc = Scenario(
        model=Discrete(values=values, probs=probs),
        sizing=Sizing(risk=f, rule="fixed"),
        account=Account(trades=n, ruin_level=rl, goal=goal),
        paths=40_000,
        seed=seed,
    )
    levels = (0.2, 0.35)
    res = simulate(sc, record=0, drawdown_levels=levels)
    ex = E.discrete_lattice_dp(values, probs, f, trades=n, ruin_level=rl, goal=goal)
    assert 0.01 < ex.ruin_probability < 0.99
    assert_prob(res.ruin.successes, res.paths, ex.ruin_probability, "P(ruin)")
    if goal is not None:
        assert_prob(res.goal.successes, res.paths, ex.goal_probability, "P(goal)")
    for lv in levels:
        r = E.discrete_drawdown_exceedance_exact(
            values, probs, f, trades=n, level=lv, ruin_level=rl, goal=goal
        )
        mc = res.drawdown_exceedance(lv)
        assert_prob(mc.successes, mc.trials, r["probability"], f"P(MDD >= {lv})")
