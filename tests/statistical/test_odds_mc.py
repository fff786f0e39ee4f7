"""Monte Carlo liquidation odds against closed forms and the exact discrete recursion.

Fixed seeds; tolerance 4 binomial standard errors of the Monte Carlo estimate.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruin.odds import (
    first_passage_probability,
    liquidation_odds,
    liquidation_probability,
    simulate_passage,
    two_barrier_probabilities,
)

SIG60 = 0.6 / math.sqrt(365)


def _within(prop, exact, k=4.0):
    se = math.sqrt(max(exact * (1 - exact), 1e-12) / prop.trials)
    assert abs(prop.estimate - exact) <= k * se, (prop.estimate, exact, se)


@pytest.mark.parametrize("n_steps", [1, 30])
def test_bridge_mc_matches_reflection_closed_form(n_steps):
    # the bridge test is exact for one barrier, whatever the step size
    b = math.log(1 - 0.0886)
    s = simulate_passage(b, math.inf, 0.0, SIG60, 30.0, n_steps=n_steps, paths=40_000, seed=11)
    _within(s.proportion(1), first_passage_probability(b, 0.0, SIG60, 30.0))


@pytest.mark.parametrize(("side", "drift"), [("long", -0.002), ("short", 0.003), ("long", 0.004)])
def test_liquidation_odds_mc_with_drift(side, drift):
    r = liquidation_odds(10, 0.0125, SIG60, 30, drift=drift, side=side, paths=30_000, seed=5)
    _within(r.monte_carlo, r.closed_form["continuous"])
    assert r.seed == 5 and r.steps == 30


def test_closes_only_undercounts_and_bridge_does_not():
    # perps.md 4.5: checking only step ends misses liquidations inside the step
    b = math.log(1 - 0.038)
    exact = first_passage_probability(b, 0.0, 0.5 / math.sqrt(365), 1.0)
    kw = {"n_steps": 24, "paths": 40_000, "seed": 3}
    closes = simulate_passage(b, math.inf, 0.0, 0.5 / math.sqrt(365), 1.0, bridge=False, **kw)
    bridge = simulate_passage(b, math.inf, 0.0, 0.5 / math.sqrt(365), 1.0, bridge=True, **kw)
    _within(bridge.proportion(1), exact)
    assert closes.proportion(1).ci_high < exact * 0.9  # at least a 10% under-count


@pytest.mark.parametrize(
    ("side", "drift", "tp"), [("long", 0.0, 0.1), ("short", 0.002, 0.05), ("long", 0.003, 0.2)]
)
def test_two_barrier_mc_matches_image_series(side, drift, tp):
    r = liquidation_odds(
        10, 0.0125, SIG60, 30, drift=drift, side=side, take_profit=tp, paths=30_000, seed=17
    )
    d = r.as_dict()
    _within(r.monte_carlo, d["closed_form"]["continuous"])
    for key in ("take_profit_first", "neither"):
        mc = d[key]["monte_carlo"]
        exact = d[key]["closed_form"]
        se = math.sqrt(max(exact * (1 - exact), 1e-12) / r.paths)
        assert abs(mc["estimate"] - exact) <= 4 * se, (key, mc, exact)
    assert d.get("ambiguous_steps", 0) <= 3


def test_two_barrier_zero_drift_long_run_mc():
    # with no time limit P(take-profit first) = a / (a + b) in log distances
    lo, hi = math.log(1 - 0.0886), math.log(1.1)
    s = simulate_passage(lo, hi, 0.0, 0.03, 3000.0, n_steps=3000, paths=20_000, seed=23)
    assert s.proportion(0).successes == 0
    _within(s.proportion(2), -lo / (hi - lo))


@pytest.mark.parametrize("tp", [None, 0.1])
def test_discrete_mc_matches_exact_discrete(tp):
    r = liquidation_odds(
        10, 0.0125, SIG60, 30, drift=0.001, take_profit=tp, monitoring=1.0, paths=30_000, seed=29
    )
    d = r.as_dict()
    cf = d["closed_form"]
    assert cf["checks"] == 30 and cf["discrete_abs_error"] < 1e-4
    _within(r.monte_carlo, cf["discrete_exact"])
    # and discrete monitoring is clearly below the continuous value
    assert r.monte_carlo.ci_high < cf["continuous"]
    if tp is not None:
        exact = d["take_profit_first"]["discrete_exact"]
        se = math.sqrt(exact * (1 - exact) / r.paths)
        assert abs(d["take_profit_first"]["monte_carlo"]["estimate"] - exact) <= 4 * se


def test_discrete_uneven_horizon_uses_floor_checks():
    # checks at 0.4, 0.8, ..., 2.8 days (7 checks) for a 3-day horizon
    r = liquidation_odds(20, 0.0125, 0.04, 3, monitoring=0.4, paths=30_000, seed=31)
    assert r.closed_form["checks"] == 7
    _within(r.monte_carlo, r.closed_form["discrete_exact"])


def test_same_seed_same_numbers_and_seed_is_reported():
    a = simulate_passage(-0.05, 0.07, 0.0, 0.03, 10, n_steps=40, paths=5_000, seed=99)
    b = simulate_passage(-0.05, 0.07, 0.0, 0.03, 10, n_steps=40, paths=5_000, seed=99)
    assert np.array_equal(a.kind, b.kind) and np.array_equal(a.step, b.step)
    c = simulate_passage(-0.05, 0.07, 0.0, 0.03, 10, n_steps=40, paths=5_000, seed=100)
    assert not np.array_equal(a.kind, c.kind)
    # path i's stream does not depend on the number of paths
    d = simulate_passage(-0.05, 0.07, 0.0, 0.03, 10, n_steps=40, paths=2_000, seed=99)
    assert np.array_equal(a.kind[:2_000], d.kind)
    r = liquidation_odds(5, 0.01, 0.03, 10, paths=1_000)
    assert isinstance(r.seed, int) and r.seed >= 0


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**63 - 1),
    lev=st.floats(2.0, 30.0),
    bump=st.floats(0.5, 40.0),
    bridge=st.booleans(),
)
def test_higher_leverage_liquidates_every_path_lower_leverage_does(seed, lev, bump, bridge):
    from ruin.margin import adverse_move_to_liquidation

    mmr = 0.0125
    b1 = math.log1p(-adverse_move_to_liquidation(lev, mmr))
    b2 = math.log1p(-adverse_move_to_liquidation(min(lev + bump, 79.0), mmr))
    kw = {"n_steps": 20, "paths": 2_000, "seed": seed, "bridge": bridge}
    lo = simulate_passage(b1, math.inf, 0.0, 0.03, 20.0, **kw)
    hi = simulate_passage(b2, math.inf, 0.0, 0.03, 20.0, **kw)
    hit = lo.kind == 1
    assert np.all(hi.kind[hit] == 1)
    assert np.all(hi.step[hit] <= lo.step[hit])
    assert hi.proportion(1).successes >= lo.proportion(1).successes


def test_liquidation_odds_monotone_in_leverage_on_common_random_numbers():
    est = [
        liquidation_odds(lev, 0.0125, SIG60, 30, paths=5_000, seed=7).monte_carlo.estimate
        for lev in (2, 3, 5, 10, 20, 40)
    ]
    assert est == sorted(est)
    assert est[0] < 0.01
    p40 = liquidation_probability(40, 0.0125, SIG60, 30)
    assert abs(est[-1] - p40) <= 4 * math.sqrt(p40 * (1 - p40) / 5_000)


def test_two_barrier_closed_form_consistency_for_the_mc_setup():
    # the continuous closed form used above sums to one and exceeds the discrete values
    p = two_barrier_probabilities(math.log(1 - 0.0886), math.log(1.1), 0.0, SIG60, 30)
    assert sum(p) == pytest.approx(1.0)
