"""Exact invariants of the account engine, with hypothesis drawing seeds and parameters."""

import numpy as np
from given_outcomes import simulate_given
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruin import Account, Bernoulli, Bootstrap, Discrete, Scenario, Sizing
from ruin.engine import TOL
from ruin.simulate import simulate

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIELDS = (
    "final_equity",
    "max_drawdown",
    "ruin_trade",
    "goal_trade",
    "longest_losing_streak",
    "longest_underwater",
    "wins",
    "trades_taken",
)

seeds = st.integers(0, 2**63 - 1)
rules = st.sampled_from(["fractional", "fixed"])
risks = st.sampled_from([0.01, 0.05, 0.1, 0.25, 0.5, 1.0])
ruin_levels = st.sampled_from([0.0, 0.3, 0.5, 0.9])
goals = st.sampled_from([None, 1.2, 2.0, 5.0])


@st.composite
def models(draw):
    kind = draw(st.sampled_from(["bernoulli", "discrete", "iid", "block"]))
    if kind == "bernoulli":
        return Bernoulli(win_rate=draw(st.floats(0.05, 0.95)), payoff=draw(st.floats(0.2, 4)))
    vals = draw(st.lists(st.floats(-3, 5, allow_nan=False), min_size=1, max_size=6))
    if kind == "discrete":
        w = np.array(draw(st.lists(st.floats(0.01, 1), min_size=len(vals), max_size=len(vals))))
        return Discrete(values=tuple(vals), probs=tuple(w / w.sum()))
    if kind == "iid":
        return Bootstrap(trades=tuple(vals))
    return Bootstrap(
        trades=tuple(vals), method="block", block_length=draw(st.integers(1, len(vals)))
    )


@st.composite
def scenarios(draw, paths=300):
    return Scenario(
        model=draw(models()),
        sizing=Sizing(risk=draw(risks), rule=draw(rules)),
        account=Account(
            trades=draw(st.integers(1, 120)), ruin_level=draw(ruin_levels), goal=draw(goals)
        ),
        paths=paths,
        seed=draw(seeds),
    )


@SETTINGS
@given(scenarios())
def test_drawdown_in_unit_interval_and_barriers_absorbing(sc):
    res = simulate(sc, record=20)
    assert np.all(res.max_drawdown >= 0.0) and np.all(res.max_drawdown <= 1.0)
    ruined = res.ruin_trade > 0
    reached = res.goal_trade > 0
    assert not np.any(ruined & reached)  # never both
    # absorbing: a stopped path took exactly the trades up to its stop
    np.testing.assert_array_equal(res.trades_taken[ruined], res.ruin_trade[ruined])
    np.testing.assert_array_equal(res.trades_taken[reached], res.goal_trade[reached])
    live = ~(ruined | reached)
    assert np.all(res.trades_taken[live] == sc.account.trades)
    lvl = sc.account.ruin_level
    assert np.all(res.final_equity[ruined] <= lvl + TOL * max(1.0, lvl) + 1e-12)
    if lvl > 0:  # (at level 0, a live fractional path can underflow to 0.0 without bust)
        assert np.all(res.final_equity[live] > lvl)
    if sc.account.goal is not None:
        assert np.all(res.final_equity[reached] >= sc.account.goal * (1 - 1e-8))
    # recorded curves stay flat after the stop
    for i in range(res.sample_paths.shape[0]):
        n = res.trades_taken[i]
        assert np.all(res.sample_paths[i, n:] == res.final_equity[i])
    assert np.all(res.wins <= res.trades_taken)
    assert np.all(res.longest_losing_streak <= res.trades_taken)
    assert np.all(res.longest_underwater <= res.trades_taken)


@SETTINGS
@given(scenarios(paths=700), st.integers(1, 400))
def test_same_seed_identical_on_any_threads_and_chunks(sc, chunk):
    a = simulate(sc, record=0, threads=1)
    b = simulate(sc, record=0, threads=2, chunk=chunk)
    c = simulate(sc, record=5, threads=2, chunk=max(1, chunk // 3))
    for f in FIELDS:
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
        np.testing.assert_array_equal(getattr(a, f), getattr(c, f), err_msg=f)


@SETTINGS
@given(
    seeds,
    st.floats(0.1, 0.9),
    st.floats(0.0, 0.3),
    st.floats(0.3, 3.0),
    st.floats(0.0, 1.0),
    risks,
    rules,
    ruin_levels,
    goals,
)
def test_worse_outcomes_never_ruin_fewer_paths(seed, p, dp, b, db_frac, risk, rule, lvl, goal):
    # Common random numbers: a win is u32 < thr(p), so lowering p (or the payoff) turns
    # some wins into losses (or shrinks them) and never the reverse: equity is pointwise
    # lower, so every path ruined before is ruined now.
    def res(win_rate, payoff):
        sc = Scenario(
            model=Bernoulli(win_rate=win_rate, payoff=payoff),
            sizing=Sizing(risk=risk, rule=rule),
            account=Account(trades=150, ruin_level=lvl, goal=goal),
            paths=400,
            seed=seed,
        )
        return simulate(sc, record=0)

    base = res(p, b)
    worse = res(max(0.05, p - dp), max(0.1, b * (1 - db_frac)))
    ruined, ruined_worse = base.ruin_trade > 0, worse.ruin_trade > 0
    assert np.all(ruined_worse[ruined])
    # and ruined no later
    assert np.all(worse.ruin_trade[ruined] <= base.ruin_trade[ruined])
    # nor reach the goal sooner
    reached_worse = worse.goal_trade > 0
    assert np.all(base.goal_trade[reached_worse] > 0)
    assert np.all(base.goal_trade[reached_worse] <= worse.goal_trade[reached_worse])


@SETTINGS
@given(st.integers(1, 8), st.integers(1, 25), st.data(), rules, risks, ruin_levels, goals)
def test_given_mode_invariants(n, N, data, rule, risk, lvl, goal):
    r = np.array(
        data.draw(st.lists(st.floats(-2, 3, allow_nan=False), min_size=n * N, max_size=n * N))
    ).reshape(n, N)
    out = simulate_given(r, risk=risk, rule=rule, ruin_level=lvl, goal=goal)
    ruined, reached = out["ruin_trade"] > 0, out["goal_trade"] > 0
    assert not np.any(ruined & reached)
    assert np.all((out["max_drawdown"] >= 0) & (out["max_drawdown"] <= 1))
    np.testing.assert_array_equal(out["trades_taken"][ruined], out["ruin_trade"][ruined])
    assert out["exit_counts"].sum(axis=1).tolist() == out["trades_taken"].tolist()
    # truncating the matrix after each path's stop changes nothing
    k = int(out["trades_taken"].max())
    out2 = simulate_given(r[:, :k], risk=risk, rule=rule, ruin_level=lvl, goal=goal)
    for f in FIELDS:
        np.testing.assert_array_equal(out[f], out2[f], err_msg=f)
