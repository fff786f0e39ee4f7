"""Account rules with the leveraged model: every kernel route (the engine's two-point walk,
exact exits, the one-position kernel in place of the lanes, the one-position kernel, the
portfolio) checks the rules after each trade with the i.i.d. walk's helper
(ruin.engine.rules.after_trade). Rules that never bind give the plain leveraged run path by
path; a trailing drawdown d without lock or goal stops exactly the paths whose maximum
drawdown reaches d; the daily loss limit pauses days or ends accounts."""

from __future__ import annotations

import numpy as np
import pytest

from ruin import build_scenario, simulate
from ruin.market.plan import plan_market
from ruin.market.run import lanes_apply

BASE = {
    "leverage": 10,
    "stop": 0.02,
    "take_profit": 0.03,
    "drift": 0.0,
    "risk": 0.03,
    "trades": 120,
    "paths": 600,
    "seed": 3,
    "ruin_level": 0.0,
}
#: route -> the keys that send a leveraged run there (checked by ``_route``)
ROUTES = {
    "two_point": {},
    "exact": {"fee_bps": 5},
    "lanes": {"garch": True},  # with rules: the one-position kernel
    "single": {"monitoring": "discrete", "sizing": "fixed"},
    "portfolio": {"positions": 2},
}
OUTPUTS = (
    "final_equity",
    "max_drawdown",
    "ruin_trade",
    "goal_trade",
    "longest_losing_streak",
    "longest_underwater",
    "wins",
    "trades_taken",
    "exits",
    "aux",
    "sample_paths",
)


def _route(params: dict) -> str:
    sc = build_scenario(params)
    s, a = sc.sizing, sc.account
    plan = plan_market(
        sc.market, rule=s.rule, risk=s.risk, ruin_level=a.ruin_level, goal=a.goal, trades=a.trades
    )
    if plan.two_point is not None:
        return "two_point"
    if plan.exact:
        return "exact"
    if lanes_apply(plan):
        return "lanes"
    return "single" if plan.kernel.positions == 1 else "portfolio"


def _run(params: dict, record: int = 4):
    return simulate(build_scenario(params), record=record)


@pytest.mark.parametrize("route", ROUTES)
def test_rules_that_never_bind_give_the_plain_run_path_by_path(route):
    params = {**BASE, **ROUTES[route]}
    assert _route(params) == route
    plain = _run(params)
    ruled = _run(
        {
            **params,
            "trailing_drawdown": 0.9999,
            "trades_per_day": 4,
            "daily_loss_limit": 0.9999,
            "goal": 1e6,
        }
    )
    for name in OUTPUTS:
        np.testing.assert_array_equal(getattr(ruled, name), getattr(plain, name), err_msg=name)
    shares = ruled.extra["account_rules"]["stop_shares"]
    for name in ("trailing_drawdown", "daily_loss_limit", "goal"):
        assert shares[name]["estimate"] == 0.0, name
    assert ruled.extra["account_rules"]["paused_days_mean"] == 0.0


@pytest.mark.parametrize("route", ROUTES)
def test_trailing_drawdown_is_max_drawdown_reaching_d_path_by_path(route):
    params = {**BASE, **ROUTES[route]}
    plain = _run(params, record=0)
    d = float(np.quantile(plain.max_drawdown, 0.5))  # about half the paths reach it
    ruled = _run({**params, "trailing_drawdown": d}, record=0)
    reached = plain.max_drawdown >= d - 1e-12
    assert 0 < reached.sum() < reached.size
    np.testing.assert_array_equal(ruled.ruin_trade > 0, reached)
    # up to its stop the path is the plain one: same trades taken
    stopped = ruled.ruin_trade > 0
    np.testing.assert_array_equal(ruled.trades_taken[stopped], ruled.ruin_trade[stopped])
    shares = ruled.extra["account_rules"]["stop_shares"]
    assert shares["trailing_drawdown"]["estimate"] == pytest.approx(reached.mean())


@pytest.mark.parametrize("route", ["two_point", "exact", "single", "portfolio"])
def test_daily_loss_limit_pauses_days_or_ends_the_account(route):
    params = {**BASE, **ROUTES[route], "trades_per_day": 5, "daily_loss_limit": 0.05}
    paused = _run(params, record=2)
    rules = paused.extra["account_rules"]
    assert rules["paused_days_mean"] > 0
    assert (paused.trades_taken <= BASE["trades"]).all()
    assert (paused.trades_taken < BASE["trades"]).any()  # paused slots place no trade
    assert paused.sample_paths.shape[1] == BASE["trades"] + 1
    ended = _run({**params, "daily_loss_action": "end"}, record=0)
    share = ended.extra["account_rules"]["stop_shares"]["daily_loss_limit"]["estimate"]
    assert share > 0
    assert ended.ruin.estimate == pytest.approx(share)
