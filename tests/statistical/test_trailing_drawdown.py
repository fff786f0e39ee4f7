"""Trailing drawdown: the Monte Carlo against the exact lattice DP (ruin.exact.trailing), both
sizings, at 4 standard errors with fixed seeds; and the identity it rests on (without a lock
or a goal, ruined by the trailing drawdown <=> maximum drawdown >= d, path by path)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ruin import Account, Bernoulli, Scenario, Sizing, simulate
from ruin import exact as E
from ruin.rules import STOP_NAMES, AccountRules

K = 4.0

CASES = [
    # p, b, risk, sizing, trades, d, goal, seed
    # (probabilities between about 0.1 and 0.8 at the checked trades, where 4 SE is a test)
    (0.50, 1.5, 0.02, "fractional", 300, 0.20, None, 11),
    (0.55, 1.0, 0.05, "fractional", 100, 0.25, None, 12),
    (0.50, 1.5, 0.02, "fixed", 300, 0.15, None, 13),
    (0.50, 2.0, 0.01, "fixed", 80, 0.04, 1.10, 14),
]


def _scenario(p, b, f, rule, n, d, goal, seed, paths=40_000, **rules):
    return Scenario(
        model=Bernoulli(win_rate=p, payoff=b),
        sizing=Sizing(risk=f, rule=rule),
        account=Account(trades=n, ruin_level=0.0, goal=goal),
        paths=paths,
        seed=seed,
        rules=AccountRules(trailing_drawdown=d, **rules),
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[3]}-d{c[5]}-goal{c[6]}")
def test_trailing_drawdown_ruin_matches_the_lattice_dp(case):
    p, b, f, rule, n, d, goal, seed = case
    ex = E.trailing_drawdown_exact(p, b, f, sizing=rule, trades=n, drawdown=d, goal=goal)
    assert ex["probability"] is not None, ex["note"]
    res = simulate(_scenario(p, b, f, rule, n, d, goal, seed), record=0)
    for t in (n // 4, n // 2, n):
        exact = float(ex["by_trade"][t])
        hits = int(np.count_nonzero((res.ruin_trade > 0) & (res.ruin_trade <= t)))
        est = hits / res.paths
        se = math.sqrt(exact * (1.0 - exact) / res.paths)
        z = (est - exact) / se
        print(f"{rule} d={d} goal={goal} t={t}: MC {est:.5f} exact {exact:.5f} z={z:+.2f}")
        assert abs(z) <= K, f"MC {est:.5f} vs exact {exact:.5f} ({z:+.1f} SE)"
    if goal is not None:
        codes = res.extra["account_rules"]["stop_shares"]
        assert codes["goal"]["estimate"] == pytest.approx(res.goal.estimate)


@pytest.mark.parametrize("rule", ["fractional", "fixed"])
def test_trailing_ruin_is_max_drawdown_reaching_d_path_by_path(rule):
    plain = Scenario(
        model=Bernoulli(win_rate=0.45, payoff=1.5),
        sizing=Sizing(risk=0.03, rule=rule),
        account=Account(trades=250, ruin_level=0.0),
        paths=5000,
        seed=5,
    )
    a = simulate(plain, record=0)
    b = simulate(_scenario(0.45, 1.5, 0.03, rule, 250, 0.15, None, 5, paths=5000), record=0)
    assert np.array_equal(a.max_drawdown >= 0.15 - 1e-12, b.ruin_trade > 0)
    shares = b.extra["account_rules"]["stop_shares"]
    assert STOP_NAMES[2] == "trailing_drawdown"
    assert shares["trailing_drawdown"]["estimate"] == pytest.approx(b.ruin.estimate)


def test_lock_stops_the_floor_at_the_start():
    # locked at 1/(1-d): once the peak reaches it, the floor is the starting balance, so a
    # locked account is never ruined above the start; an unlocked one can be
    d = 0.1
    base = _scenario(0.6, 1.5, 0.02, "fractional", 400, d, None, 21, paths=4000)
    locked = simulate(
        _scenario(0.6, 1.5, 0.02, "fractional", 400, d, None, 21, paths=4000,
                  trailing_lock=1 / (1 - d)),
        record=0,
    )  # fmt: skip
    free = simulate(base, record=0)
    ruined = locked.ruin_trade > 0
    assert np.all(locked.final_equity[ruined] <= 1.0 + 1e-9)
    assert np.any(free.final_equity[free.ruin_trade > 0] > 1.0)
    assert ruined.mean() < (free.ruin_trade > 0).mean()


@pytest.mark.parametrize("rule", ["fractional", "fixed"])
def test_leveraged_exact_exits_match_the_lattice_dp(rule):
    """A leveraged trade with exact exits and no costs is a two-point trade (take-profit
    with P(take-profit first), else the stop): its trailing-drawdown ruin is the DP's."""
    from ruin import build_scenario
    from ruin.market.plan import plan_market

    n, d, f = 200, 0.25, 0.02  # P(ruined) about 0.1 / 0.3 / 0.5-0.6 at n/4, n/2, n
    params = {
        "leverage": 10,
        "stop": 0.02,
        "take_profit": 0.03,
        "drift": 0.001,
        "risk": f,
        "sizing": rule,
        "trades": n,
        "ruin_level": 0.0,
        "paths": 40_000,
        "seed": 21,
        "trailing_drawdown": d,
    }
    sc = build_scenario(params)
    plan = plan_market(sc.market, rule=rule, risk=f, ruin_level=0.0, goal=None, trades=n)
    assert plan.two_point is not None
    np.testing.assert_allclose(plan.two_point.iid.rvals, [-1.0, 1.5], rtol=1e-12)
    ex = E.trailing_drawdown_exact(
        plan.kernel.p_take_profit, 1.5, f, sizing=rule, trades=n, drawdown=d
    )
    res = simulate(sc, record=0)
    for t in (n // 4, n // 2, n):
        exact = float(ex["by_trade"][t])
        est = np.count_nonzero((res.ruin_trade > 0) & (res.ruin_trade <= t)) / res.paths
        z = (est - exact) / math.sqrt(exact * (1.0 - exact) / res.paths)
        print(f"leveraged {rule} d={d} t={t}: MC {est:.5f} exact {exact:.5f} z={z:+.2f}")
        assert abs(z) <= K, f"MC {est:.5f} vs exact {exact:.5f} ({z:+.1f} SE)"
