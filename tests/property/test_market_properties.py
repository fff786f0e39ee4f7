"""Exact invariants of the leveraged price-path model on common random numbers."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruin.market import LeveragedTrade
from ruin.params import Account, Bernoulli, Scenario, Sizing
from ruin.simulate import simulate

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
seeds = st.integers(0, 2**63 - 1)


def _run(*, paths=300, trades=1, risk=0.01, rule="fixed", seed=0, ruin_level=0.0, **kw):
    sc = Scenario(
        model=Bernoulli(win_rate=0.5, payoff=1.5),
        sizing=Sizing(risk=risk, rule=rule),
        account=Account(trades=trades, ruin_level=ruin_level),
        paths=paths,
        seed=seed,
        market=LeveragedTrade(**kw),
    )
    return simulate(sc, record=0)


@st.composite
def realism(draw):
    """Switches that force the stepped kernel; a fixed step keeps random numbers common."""
    kw = {
        "step_hours": draw(st.sampled_from([1.0, 4.0])),
        "max_hold_days": draw(st.sampled_from([2.0, 30.0])),
    }
    if draw(st.booleans()):
        kw["tails_df"] = draw(st.sampled_from([3.0, 5.0]))
    if draw(st.booleans()):
        kw["jump_rate"] = 0.2
        kw["jump_mean"] = -0.08
    if draw(st.booleans()):
        kw["garch"] = (0.1, 0.85)
    return kw


@SETTINGS
@given(
    seed=seeds,
    lev=st.floats(1.0, 40.0),
    factor=st.floats(1.0, 3.0),
    stop=st.sampled_from([0.01, 0.03, 0.08]),
    stepped=st.booleans(),
    extra=realism(),
    side=st.sampled_from(["long", "short"]),
)
def test_higher_leverage_never_lowers_liquidations(seed, lev, factor, stop, stepped, extra, side):
    hi = min(lev * factor, 150.0)
    kw = dict(
        seed=seed,
        stop=stop,
        take_profit=1.5 * stop,
        drift=0.0,
        volatility=0.03,
        mmr=0.005,
        side=side,
        **(extra if stepped else {}),
    )
    low = _run(leverage=lev, **kw)
    high = _run(leverage=hi, **kw)
    # per path (one trade each, same random numbers): liquidated at low leverage =>
    # liquidated at high leverage
    assert np.all(high.exits[:, 2] >= low.exits[:, 2])
    assert high.exits[:, 2].sum() >= low.exits[:, 2].sum()


@SETTINGS
@given(seed=seeds, s1=st.floats(0.005, 0.05), widen=st.floats(1.0, 3.0), extra=realism())
def test_wider_stop_never_lowers_the_loss_of_a_stopped_trade(seed, s1, widen, extra):
    # same notional (risk proportional to the stop), same price paths
    s2 = s1 * widen
    kw = dict(seed=seed, leverage=2.0, take_profit=0.2, drift=0.0, volatility=0.03, **extra)
    narrow = _run(stop=s1, risk=0.1 * s1, **kw)
    wide = _run(stop=s2, risk=0.1 * s2, **kw)
    both = (narrow.exits[:, 1] == 1) & (wide.exits[:, 1] == 1)
    loss_n = 1.0 - narrow.final_equity[both]
    loss_w = 1.0 - wide.final_equity[both]
    assert np.all(loss_w >= loss_n - 1e-12)
    # the planned loss at the stop is the stop distance times the notional (0.1 x equity)
    assert np.all(loss_w >= 0.1 * s2 * (1 - 1e-9))


@SETTINGS
@given(
    seed=seeds,
    lev=st.floats(1.0, 50.0),
    rule=st.sampled_from(["fractional", "fixed"]),
    risk=st.sampled_from([0.005, 0.02, 0.05]),
    mode=st.sampled_from(["isolated", "cross"]),
    positions=st.integers(1, 3),
    rho=st.sampled_from([0.0, 0.5, 1.0]),
    extra=realism(),
    ruin_level=st.sampled_from([0.0, 0.5]),
    fee=st.sampled_from([0.0, 5.0]),
)
def test_account_invariants(seed, lev, rule, risk, mode, positions, rho, extra, ruin_level, fee):
    stop = 0.02
    if mode == "isolated" and positions * risk / (lev * stop) > 1:
        lev = positions * risk / stop
    res = _run(
        seed=seed,
        paths=60,
        trades=30,
        risk=risk,
        rule=rule,
        ruin_level=ruin_level,
        leverage=lev,
        stop=stop,
        take_profit=0.03,
        drift=0.0,
        volatility=0.03,
        margin_mode=mode,
        positions=positions,
        correlation=rho,
        fee_bps=fee,
        mmr=min(0.005, 0.5 / lev),
        **extra,
    )
    assert np.all((res.max_drawdown >= 0) & (res.max_drawdown <= 1))
    assert np.all(res.final_equity >= 0)
    # every position ends in exactly one way; a ruined path stops trading
    np.testing.assert_array_equal(res.exits.sum(axis=1), positions * res.trades_taken)
    ruined = res.ruin_trade > 0
    np.testing.assert_array_equal(res.trades_taken[ruined], res.ruin_trade[ruined])
    assert np.all(res.trades_taken[~ruined] == 30)
    assert np.all(res.aux[:, 3] >= 0)  # bad debt is never negative
    if fee > 0:
        assert np.all(res.aux[:, 0] > 0)


@st.composite
def lane_scenarios(draw):
    """One position, continuous monitoring, no funding, no time stop: the lane kernel's
    plans, with the rare branches in reach (gaps, liquidation before the stop, heavy tails,
    wide or narrow strips, early ruin and goals)."""
    stop = draw(st.sampled_from([0.002, 0.01, 0.04]))
    kw = {
        "leverage": draw(st.sampled_from([1.0, 10.0, 50.0])),
        "stop": stop,
        "take_profit": stop * draw(st.sampled_from([0.5, 1.5, 3.0])),
        "volatility": draw(st.sampled_from([0.01, 0.05])),
        "side": draw(st.sampled_from(["long", "short"])),
        "drift": draw(st.sampled_from([0.0, 0.003])),
        "liquidation_rule": draw(st.sampled_from(["margin", "fill"])),
        "fee_bps": draw(st.sampled_from([0.0, 4.5])),
    }
    if draw(st.booleans()):
        kw["tails_df"] = draw(st.sampled_from([2.5, 4.0, 7.5]))
    if draw(st.booleans()):
        kw["garch"] = (0.15, 0.8)
    if draw(st.booleans()):
        kw.update(jump_rate=draw(st.sampled_from([0.05, 2.0])), jump_mean=-0.2, jump_sd=0.05)
    if draw(st.booleans()):
        kw["step_hours"] = 6.0
    rule = draw(st.sampled_from(["fractional", "fixed"]))
    if rule == "fractional" and draw(st.booleans()):
        kw["margin_mode"] = "cross"
    return kw, rule, draw(st.sampled_from([0.005, 0.05])), draw(seeds)


@SETTINGS
@given(lane_scenarios())
def test_lanes_equal_the_one_position_kernel_bit_for_bit(case):
    from hypothesis import assume

    from ruin.engine.rules import NO_RULES
    from ruin.engine.streams import MARKET, stream_keys
    from ruin.errors import ParameterError
    from ruin.market.kernels.single import single_kernel
    from ruin.market.plan import plan_market
    from ruin.market.run import lanes_apply

    kw, rule, risk, seed = case
    n, trades = 40, 25
    try:
        sc = Scenario(
            model=Bernoulli(win_rate=0.5, payoff=1.5),
            sizing=Sizing(risk=risk, rule=rule),
            account=Account(trades=trades, ruin_level=0.5, goal=1.5),
            paths=n,
            seed=seed,
            market=LeveragedTrade(**kw),
        )
        res = simulate(sc, record=2)
    except ParameterError:  # e.g. the margin does not fit in the account
        assume(False)
    plan = plan_market(
        sc.market,
        rule=sc.sizing.rule,
        risk=risk,
        ruin_level=sc.account.ruin_level,
        goal=sc.account.goal,
        trades=trades,
    )
    assume(not plan.exact)
    assert lanes_apply(plan)
    outs = (np.empty(n), np.empty(n)) + tuple(np.empty(n, np.int32) for _ in range(6))
    exits, aux = np.empty((n, 4), np.int64), np.empty((n, 4))
    k0, k1 = stream_keys(seed, MARKET)
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
    got = (
        res.final_equity,
        res.max_drawdown,
        res.ruin_trade,
        res.goal_trade,
        res.longest_losing_streak,
        res.longest_underwater,
        res.wins,
        res.trades_taken,
    )
    for a, b in zip(got, outs, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(res.exits, exits)
    np.testing.assert_array_equal(res.aux, aux)
