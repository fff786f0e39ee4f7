"""Exact answers (ruin.exact) against hand-worked values and brute-force path enumeration."""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
import pytest

from ruin import Account, Bernoulli, Bootstrap, Discrete, ParameterError, Scenario, Sizing
from ruin import exact as E

TOL = 1e-9  # the engine's barrier tolerance, restated independently here


def enumerate_paths(p, b, f, fractional, N, rl, goal):
    """All 2**N win/loss sequences walked with the engine's rules, one trade at a time.

    Returns per-path weights, ruin trade, goal trade, max drawdown and final equity.
    """
    n = 2**N
    wins = ((np.arange(n)[:, None] >> np.arange(N)) & 1).astype(bool)
    nw = wins.sum(axis=1)
    weight = p**nw * (1 - p) ** (N - nw)
    if fractional:
        win_s = math.log(1 + f * b)
        loss_s = math.log(1 - f) if f < 1 else -math.inf
        floor = -math.inf
        rx = math.log(rl) if rl > 0 else -math.inf
        gx = math.log(goal) if goal else math.inf
    else:
        win_s, loss_s = b, -1.0
        floor = -1.0 / f
        rx = (rl - 1) / f
        gx = (goal - 1) / f if goal else math.inf
    rcut = rx + TOL * max(1, abs(rx)) if rx > -math.inf else -math.inf
    gcut = gx - TOL * max(1, abs(gx)) if gx < math.inf else math.inf
    x = np.zeros(n)
    peak = np.zeros(n)
    mdd = np.zeros(n)
    alive = np.ones(n, bool)
    rt = np.full(n, -1)
    gt = np.full(n, -1)
    for t in range(N):
        step = np.where(wins[:, t], win_s, loss_s)
        xn = np.maximum(x + step, floor)
        x = np.where(alive, xn, x)
        peak = np.where(alive, np.maximum(peak, x), peak)
        if fractional:
            with np.errstate(invalid="ignore"):
                dd = np.where(np.isinf(x), np.inf, peak - x)
        else:
            dd = (peak - x) / (1 / f + peak)
        mdd = np.where(alive, np.maximum(mdd, dd), mdd)
        ruin_now = alive & (x <= rcut)
        rt[ruin_now] = t + 1
        alive &= ~ruin_now
        goal_now = alive & (x >= gcut)
        gt[goal_now] = t + 1
        alive &= ~goal_now
    if fractional:
        final = np.exp(x)
        mdd = 1 - np.exp(-mdd)
    else:
        final = np.maximum(0, 1 + f * x)
        mdd = np.minimum(mdd, 1)
    return weight, rt, gt, mdd, final


CASES = [
    # p, b, f, sizing, N, ruin_level, goal
    (0.5, 1.0, 0.1, "fixed", 12, 0.0, None),  # ten net losses of 10% ruin exactly
    (0.45, 1.5, 0.2, "fixed", 12, 0.5, None),
    (0.55, 2.0, 0.25, "fixed", 12, 0.4, 1.6),
    (0.6, 0.8, 0.3, "fixed", 11, 0.0, 2.0),  # 1/f not an integer: floor at zero equity
    (0.5, 1.0, 0.5, "fractional", 12, 0.25, None),  # two 50% losses land on 0.25 exactly
    (0.4, 2.5, 0.2, "fractional", 12, 0.5, None),
    (0.55, 1.0, 0.3, "fractional", 12, 0.3, 1.8),
    (0.5, 1.5, 0.15, "fractional", 12, 0.0, None),
    (0.6, 1.0, 1.0, "fractional", 10, 0.0, None),  # risk 100%: a loss is the end
]


@pytest.mark.parametrize("case", CASES)
def test_lattice_dp_matches_enumeration(case):
    p, b, f, sizing, N, rl, goal = case
    w, rt, gt, _mdd, final = enumerate_paths(p, b, f, sizing == "fractional", N, rl, goal)
    res = E.lattice_dp(p, b, f, sizing=sizing, trades=N, ruin_level=rl, goal=goal)
    for t in range(N + 1):
        assert res.ruin_by_trade[t] == pytest.approx(w[(rt > 0) & (rt <= t)].sum(), abs=1e-13)
        assert res.goal_by_trade[t] == pytest.approx(w[(gt > 0) & (gt <= t)].sum(), abs=1e-13)
    assert res.final_probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert res.final_equity_mean == pytest.approx(np.dot(w, final), rel=1e-12)
    assert res.p_final_below_start == pytest.approx(w[final < 1 - 1e-12].sum(), abs=1e-13)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("level", [0.1, 0.25, 0.5, 0.75])
def test_drawdown_dp_matches_enumeration(case, level):
    p, b, f, sizing, N, rl, goal = case
    w, _rt, _gt, mdd, _final = enumerate_paths(p, b, f, sizing == "fractional", N, rl, goal)
    r = E.drawdown_exceedance_exact(
        p, b, f, sizing=sizing, trades=N, level=level, ruin_level=rl, goal=goal
    )
    brute = w[mdd >= level - 1e-12].sum()
    if sizing == "fixed":  # the joint lattice is exact for every level and barrier
        assert r["probability"] is not None, r["note"]
    if r["probability"] is None:
        assert r["note"]
        # only the documented cases may be missing
        assert (goal is not None) or (rl > 0 and level > 1 - rl)
        return
    assert r["probability"] == pytest.approx(brute, abs=1e-12)
    assert r["by_trade"][-1] == r["probability"]
    assert np.all(np.diff(r["by_trade"]) >= -1e-15)


def test_fractional_drawdown_covers_default_case():
    # fractional, ruin 50%, no goal: every default level up to 0.5 is exact
    for lv in (0.1, 0.2, 0.3, 0.5):
        r = E.drawdown_exceedance_exact(0.45, 1.5, 0.2, trades=12, level=lv, ruin_level=0.5)
        assert r["probability"] is not None


def test_hand_worked_drawdown_two_trades():
    # fixed 10% stake, payoff 1, two trades: MDD >= 10% iff the first trade is a loss
    p = 0.6
    r = E.drawdown_exceedance_exact(p, 1.0, 0.1, sizing="fixed", trades=2, level=0.1)
    # paths: LL, LW, WL (peak 1.1 -> 1.0: dd 1/11 < 10%), WW
    assert r["probability"] == pytest.approx(0.4 * 0.4 + 0.4 * 0.6)
    # fractional 10%: the first loss always comes at a peak and costs exactly 10%, so
    # MDD >= 10% iff any loss (+10%, -10%, +10% has MDD exactly 10%)
    r = E.drawdown_exceedance_exact(0.5, 1.0, 0.1, trades=3, level=0.1)
    assert r["probability"] == pytest.approx(1 - 0.5**3)
    r = E.drawdown_exceedance_exact(0.5, 1.0, 0.1, trades=3, level=0.1 + 1e-9)
    # just above 10% needs two losses: WLL (19%), LWL (1 -> 0.891), LLW, LLL; not LWW/WLW
    assert r["probability"] == pytest.approx(4 / 8)


def test_gamblers_ruin_hand_worked():
    assert E.gamblers_ruin(0.5, 10, 20) == pytest.approx(0.5)
    assert E.gamblers_ruin(0.5, 3, 12) == pytest.approx(0.75)
    assert E.gamblers_ruin(0.5, 10) == 1.0
    assert E.gamblers_ruin(0.4, 10) == 1.0
    assert E.gamblers_ruin(0.6, 1) == pytest.approx(2 / 3)
    assert E.gamblers_ruin(0.6, 3) == pytest.approx((2 / 3) ** 3)
    r = 0.4 / 0.6
    assert E.gamblers_ruin(0.6, 3, 10) == pytest.approx((r**3 - r**10) / (1 - r**10))
    assert E.gamblers_ruin(0.3, 5, 8) == pytest.approx(
        ((0.7 / 0.3) ** 5 - (0.7 / 0.3) ** 8) / (1 - (0.7 / 0.3) ** 8)
    )
    assert E.gamblers_ruin(0.7, 0, 5) == 1.0
    assert E.gamblers_ruin(0.3, 5, 5) == 0.0
    # no overflow for long games
    assert 0.0 <= E.gamblers_ruin(0.3, 500, 5000) <= 1.0
    assert E.gamblers_ruin(0.3, 500, 5000) == pytest.approx(1.0)
    assert E.gamblers_ruin(0.7, 500, 5000) == pytest.approx((3 / 7) ** 500, rel=1e-9)
    assert E.gamblers_ruin_duration(0.5, 10, 20) == 100
    assert E.gamblers_ruin_duration(0.4, 10) == pytest.approx(10 / 0.2)
    assert E.gamblers_ruin_duration(0.6, 10) == math.inf


def _markov_solve(p, i, n):
    """Ruin probability and duration by solving the linear equations directly."""
    q = 1 - p
    a = np.zeros((n + 1, n + 1))
    rhs_r = np.zeros(n + 1)
    rhs_d = np.zeros(n + 1)
    a[0, 0] = a[n, n] = 1.0
    rhs_r[0] = 1.0
    for k in range(1, n):
        a[k, k] = 1.0
        a[k, k + 1] = -p
        a[k, k - 1] = -q
        rhs_d[k] = 1.0
    return np.linalg.solve(a, rhs_r)[i], np.linalg.solve(a, rhs_d)[i]


@pytest.mark.parametrize(("p", "i", "n"), [(0.6, 3, 10), (0.45, 7, 15), (0.5, 4, 9)])
def test_gamblers_ruin_matches_linear_solve(p, i, n):
    ruin, dur = _markov_solve(p, i, n)
    assert E.gamblers_ruin(p, i, n) == pytest.approx(ruin, rel=1e-10)
    assert E.gamblers_ruin_duration(p, i, n) == pytest.approx(dur, rel=1e-9)


def test_gamblers_ruin_is_the_lattice_limit():
    # fixed 10% stake, payoff 1, ruin at 0: 10 units; goal 2x: target 20 units
    res = E.lattice_dp(0.5, 1.0, 0.1, sizing="fixed", trades=4000, ruin_level=0.0, goal=2.0)
    assert res.ruin_probability == pytest.approx(0.5, abs=1e-9)
    res = E.lattice_dp(0.55, 1.0, 0.1, sizing="fixed", trades=4000, ruin_level=0.0, goal=2.0)
    assert res.ruin_probability == pytest.approx(E.gamblers_ruin(0.55, 10, 20), abs=1e-9)


def test_fixed_stake_root():
    assert E.fixed_stake_root(0.6, 1.0) == pytest.approx(2 / 3, rel=1e-12)
    # b = 2: p x^3 - x + q = (x - 1)(p x^2 + p x - q)
    p = 0.45
    x = E.fixed_stake_root(p, 2.0)
    assert x == pytest.approx((-p + math.sqrt(p * p + 4 * p * (1 - p))) / (2 * p), rel=1e-12)
    x = E.fixed_stake_root(0.4, 1.7)
    assert 0.4 * x**2.7 - x + 0.6 == pytest.approx(0.0, abs=1e-14)
    assert 0 < x < 1
    assert E.fixed_stake_root(0.4, 1.5) == 1.0  # edge 0
    assert E.fixed_stake_root(0.3, 1.0) == 1.0


def test_fixed_stake_ruin_integer_payoff_is_the_dp_limit():
    # payoff 2, p = 0.45, 5% stake, ruin at 50%: 10 units; the DP converges to x^10
    fs = E.fixed_stake_ruin(0.45, 2.0, 10.0)
    assert fs["exact"]
    prev = 0.0
    for n in (200, 1000, 4000):
        r = E.lattice_dp(0.45, 2.0, 0.05, sizing="fixed", trades=n, ruin_level=0.5)
        assert prev <= r.ruin_probability <= fs["ruin_probability"] + 1e-12
        prev = r.ruin_probability
    assert prev == pytest.approx(fs["ruin_probability"], abs=1e-9)
    # non-integer units with integer payoff: ceil(units) net losses
    fs = E.fixed_stake_ruin(0.45, 2.0, 9.5)
    assert fs["ruin_probability"] == pytest.approx(fs["root"] ** 10)


def test_fixed_stake_ruin_bounds_for_non_integer_payoff():
    fs = E.fixed_stake_ruin(0.45, 1.5, 10.0)
    assert not fs["exact"]
    assert fs["lower_bound"] < fs["upper_bound"]
    r = E.lattice_dp(0.45, 1.5, 0.05, sizing="fixed", trades=6000, ruin_level=0.5)
    assert fs["lower_bound"] < r.ruin_probability <= fs["upper_bound"]


def test_kelly_and_growth():
    assert E.kelly_fraction(0.55, 1.0) == pytest.approx(0.10)
    assert E.kelly_fraction(0.4, 2.0) == pytest.approx(0.1)
    assert E.kelly_fraction(0.3, 1.0) < 0
    g = E.log_growth(0.1, 0.55, 1.0)
    assert g == pytest.approx(0.55 * math.log(1.1) + 0.45 * math.log(0.9))
    kf = E.kelly_fraction(0.45, 1.5)
    for d in (-0.02, 0.02):
        assert E.log_growth(kf + d, 0.45, 1.5) < E.log_growth(kf, 0.45, 1.5)
    assert E.log_growth(1.0, 0.45, 1.5) == -math.inf
    # numeric Kelly of the same two-point distribution equals the formula
    assert E.kelly_fraction_discrete([-1, 1.5], [0.55, 0.45]) == pytest.approx(kf, abs=1e-10)
    assert E.log_growth_discrete(0.05, [-1, 1.5], [0.55, 0.45]) == pytest.approx(
        E.log_growth(0.05, 0.45, 1.5)
    )
    assert E.kelly_fraction_discrete([-1, 0.5], [0.7, 0.3]) == 0.0  # negative edge
    # three outcomes: the derivative vanishes at the optimum
    v, w = np.array([-1.0, 0.5, 3.0]), np.array([0.5, 0.3, 0.2])
    k3 = E.kelly_fraction_discrete(v, w)
    assert np.dot(w, v / (1 + k3 * v)) == pytest.approx(0.0, abs=1e-10)
    # a loss of 2 R: stakes above 1/2 would go bust
    k4 = E.kelly_fraction_discrete([-2.0, 5.0], [0.2, 0.8])
    assert 0 < k4 < 0.5
    assert E.log_growth_discrete(0.6, [-2.0, 5.0], [0.2, 0.8]) == -math.inf


def test_approximations_are_labelled_and_classic_equals_gamblers_ruin():
    a = E.approximations(0.55, 1.0, 0.1, ruin_level=0.0, sizing="fixed")
    assert set(a) <= set(E.APPROXIMATION_NOTES)
    assert a["classic_(1-edge)/(1+edge)^units"] == pytest.approx(E.gamblers_ruin(0.55, 10))
    assert a["(q/(p*payoff))^units"] == pytest.approx((0.45 / 0.55) ** 10)
    a = E.approximations(0.45, 1.5, 0.02, ruin_level=0.5, sizing="fixed")
    assert a["classic_(1-edge)/(1+edge)^units"] == 1.0  # ignores the payoff: "no edge"
    assert a["payoff_adjusted_(1-edge)/(1+edge)^units"] == pytest.approx((0.875 / 1.125) ** 25)
    mu, var = 0.125, 0.45 * 2.25 + 0.55 - 0.125**2
    assert a["diffusion_exp(-2*mu*units/sigma^2)"] == pytest.approx(math.exp(-2 * mu * 25 / var))
    a = E.approximations(0.45, 1.5, 0.02, ruin_level=0.5, sizing="fractional")
    lb = a["lundberg_bound_fractional"]
    assert 0 < lb < 1
    # theta solves p(1+bf)^-theta + q(1-f)^-theta = 1
    th = math.log(lb) / math.log(0.5)
    assert 0.45 * 1.03**-th + 0.55 * 0.98**-th == pytest.approx(1.0, abs=1e-10)
    # the Lundberg bound really bounds the exact finite-horizon ruin
    r = E.lattice_dp(0.45, 1.5, 0.02, trades=3000, ruin_level=0.5)
    assert r.ruin_probability <= lb
    for v in a.values():
        assert 0.0 <= v <= 1.0


def _scn(model=None, risk=0.02, rule="fractional", trades=300, rl=0.5, goal=None):
    model = model or Bernoulli(win_rate=0.45, payoff=1.5)
    return Scenario(
        model=model,
        sizing=Sizing(risk=risk, rule=rule),
        account=Account(trades=trades, ruin_level=rl, goal=goal),
        paths=100,
        seed=1,
    )


def test_theory_bernoulli_fractional():
    t = E.theory(_scn())
    assert t["kelly_fraction"] == pytest.approx(0.45 - 0.55 / 1.5)
    assert t["growth_rate_per_trade_log"] == pytest.approx(E.log_growth(0.02, 0.45, 1.5))
    assert t["growth_rate_at_kelly"] >= t["growth_rate_per_trade_log"]
    r = E.lattice_dp(0.45, 1.5, 0.02, trades=300, ruin_level=0.5)
    assert t["ruin_probability_exact"] == r.ruin_probability
    assert set(t["drawdown_exceedance_exact"]) == {"0.1", "0.2", "0.3", "0.5"}
    assert all(v is not None for v in t["drawdown_exceedance_exact"].values())
    assert t["drawdown_exceedance_exact"]["0.5"] >= t["ruin_probability_exact"]
    assert set(t["approximations"]) == set(t["approximation_notes"])
    assert isinstance(t["notes"], list)
    assert "goal_probability_exact" not in t


def test_drawdown_levels_without_an_exact_answer_share_one_note():
    # a goal reachable within N trades: no level has an exact drawdown answer, for the same
    # reason, so one note names every level instead of one repeated sentence per level
    t = E.theory(_scn(goal=2.0), drawdown_levels=(0.1, 0.2, 0.3, 0.5))
    assert all(v is None for v in t["drawdown_exceedance_exact"].values())
    dd = [n for n in t["notes"] if n.startswith("P(MDD >= x)")]
    assert len(dd) == 1, t["notes"]
    assert "x = 0.1, 0.2, 0.3, 0.5 not exact here: " in dd[0]


def test_theory_fixed_payoff_one_is_gamblers_ruin():
    t = E.theory(
        _scn(Bernoulli(win_rate=0.55, payoff=1.0), risk=0.1, rule="fixed", rl=0.0, goal=2.0)
    )
    assert t["ruin_probability_infinite_horizon"] == pytest.approx(E.gamblers_ruin(0.55, 10, 20))
    assert t["expected_trades_gamblers_ruin"] == pytest.approx(
        E.gamblers_ruin_duration(0.55, 10, 20)
    )
    assert t["ruin_probability_exact"] <= t["ruin_probability_infinite_horizon"]
    assert "goal_probability_exact" in t


def test_theory_fixed_general_payoff_and_other_models():
    t = E.theory(_scn(rule="fixed"))
    assert t["ruin_probability_infinite_horizon_is_bound"] is True
    assert (
        t["ruin_probability_infinite_horizon_lower_bound"] < t["ruin_probability_infinite_horizon"]
    )
    t = E.theory(_scn(Discrete(values=(-1.0, 0.5, 3.0), probs=(0.5, 0.3, 0.2))))
    assert t["kelly_fraction"] > 0
    assert "ruin_probability_exact" not in t
    assert any("no exact ruin" in n.lower() for n in t["notes"])
    t = E.theory(_scn(Bootstrap(trades=(-1.0, 2.0, -1.0, 0.5))))
    assert t["edge_r_per_trade"] == pytest.approx(0.125)
    assert "kelly_fraction" in t


def test_theory_with_market_or_behaviour_returns_notes_only():
    class Fake:  # stands in for extension fields: anything non-None
        def __hash__(self):
            return 1

    from ruin import LeveragedTrade

    sc = _scn()
    for changed in (
        replace(sc, behaviour=Fake()),
        replace(sc, market=LeveragedTrade(win_rate=0.45, leverage=5)),
    ):
        t = E.theory(changed)
        assert "ruin_probability_exact" not in t and "kelly_fraction" not in t
        assert t["notes"]
        assert E.exact_ruin_curve(changed) is None
    assert (
        "price-path"
        in E.theory(replace(sc, market=LeveragedTrade(win_rate=0.45, leverage=5)))["notes"][0]
    )


def test_closed_forms_are_theorys_quick_part():
    """The page shows edge and Kelly from closed_forms before theory's lattice is done: the
    same keys, the same values, for every outcome model; nothing where theory has none."""
    from ruin import LeveragedTrade

    keys = {"edge_r_per_trade", "kelly_fraction", "growth_rate_per_trade_log"}
    keys.add("growth_rate_at_kelly")
    for sc in (
        _scn(),
        _scn(rule="fixed"),
        _scn(Bernoulli(win_rate=0.3, payoff=1.5)),  # no edge: Kelly <= 0
        _scn(Discrete(values=(-1.0, 0.5, 3.0), probs=(0.5, 0.3, 0.2))),
        _scn(Bootstrap(trades=(-1.0, 2.0, -1.0, 0.5))),
    ):
        quick, full = E.closed_forms(sc), E.theory(sc)
        assert set(quick) == keys
        assert quick == {k: full[k] for k in keys}
    assert E.closed_forms(replace(_scn(), market=LeveragedTrade(win_rate=0.45, leverage=5))) == {}


def test_theory_is_cached_and_fast():
    sc = _scn(trades=1000, risk=0.01)
    E.theory(sc)  # warm (numba compile on a cold cache)
    sc2 = _scn(trades=1000, risk=0.011)
    t0 = time.process_time()  # CPU time: robust to other jobs sharing the machine
    E.theory(sc2)
    assert time.process_time() - t0 < 0.5
    a = E.theory(sc2)
    a["kelly_fraction"] = "mutated"
    assert E.theory(sc2)["kelly_fraction"] != "mutated"


def test_exact_ruin_curve():
    sc = _scn(trades=200, risk=0.05)
    c = E.exact_ruin_curve(sc)
    assert c.shape == (201,)
    assert c[0] == 0.0
    assert np.all(np.diff(c) >= 0)
    assert c[-1] == pytest.approx(E.theory(sc)["ruin_probability_exact"])
    assert E.exact_ruin_curve(_scn(Discrete(values=(-1.0, 2.0), probs=(0.6, 0.4)))) is None


def test_validation_errors_name_the_parameter():
    with pytest.raises(ParameterError, match="win_rate must be"):
        E.gamblers_ruin(1.5, 3, 10)
    with pytest.raises(ParameterError, match="target must be at least start"):
        E.gamblers_ruin(0.5, 10, 5)
    with pytest.raises(ParameterError, match="payoff"):
        E.fixed_stake_root(0.5, -1.0)
    with pytest.raises(ParameterError, match="trades must be a whole number"):
        E.lattice_dp(0.5, 1.0, 0.1, trades=E.MAX_DP_TRADES + 1)
    with pytest.raises(ParameterError, match="sizing"):
        E.lattice_dp(0.5, 1.0, 0.1, sizing="kelly", trades=10)
    with pytest.raises(ParameterError, match="level"):
        E.drawdown_exceedance_exact(0.5, 1.0, 0.1, trades=10, level=1.5)
    with pytest.raises(ParameterError, match="probs"):
        E.kelly_fraction_discrete([-1.0, 1.0], [0.5, 0.6])
    with pytest.raises(ParameterError, match="drawdown_levels"):
        E.theory(_scn(), drawdown_levels=(0.0,))


def test_cli_simulate_json_has_theory(capsys):
    import json

    from ruin.cli import main

    rc = main(
        [
            "simulate",
            "--win-rate",
            "0.55",
            "--payoff",
            "1",
            "--risk",
            "0.1",
            "--sizing",
            "fixed",
            "--ruin-level",
            "0",
            "--goal",
            "2",
            "--trades",
            "100",
            "--paths",
            "200",
            "--seed",
            "3",
            "--drawdown-levels",
            "0.2,0.4",
            "--json",
        ]
    )
    assert rc in (0, None)
    d = json.loads(capsys.readouterr().out)
    th = d["theory"]
    assert th["kelly_fraction"] == pytest.approx(0.1)
    assert th["ruin_probability_infinite_horizon"] == pytest.approx(E.gamblers_ruin(0.55, 10, 20))
    assert set(th["drawdown_exceedance_exact"]) == {"0.2", "0.4"}
    assert "classic_(1-edge)/(1+edge)^units" in th["approximations"]
    # text output shows theory lines too
    main(["simulate", "--trades", "50", "--paths", "100", "--seed", "1"])
    assert "theory: ruin_probability_exact" in capsys.readouterr().out


def enumerate_discrete(values, probs, f, N, rl, goal):
    """All len(values)**N outcome sequences of a fixed stake, walked with the engine's rules."""
    K = len(values)
    idx = (np.arange(K**N)[:, None] // K ** np.arange(N)) % K
    v = np.asarray(values)[idx]
    weight = np.prod(np.asarray(probs)[idx], axis=1)
    rx = (rl - 1) / f
    rcut = rx + TOL * max(1, abs(rx))
    gx = (goal - 1) / f if goal else math.inf
    gcut = gx - TOL * max(1, abs(gx)) if goal else math.inf
    n = K**N
    x, peak, mdd = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, bool)
    rt, gt = np.full(n, -1), np.full(n, -1)
    for t in range(N):
        x = np.where(alive, np.maximum(x + v[:, t], -1 / f), x)
        peak = np.where(alive, np.maximum(peak, x), peak)
        mdd = np.where(alive, np.maximum(mdd, (peak - x) / (1 / f + peak)), mdd)
        r = alive & (x <= rcut)
        rt[r] = t + 1
        alive &= ~r
        g = alive & (x >= gcut)
        gt[g] = t + 1
        alive &= ~g
    return weight, rt, gt, np.minimum(mdd, 1), np.maximum(0, 1 + f * x)


DISCRETE_CASES = [
    # values, probs, f, N, ruin_level, goal
    ((-1.0, 0.5, 3.0), (0.5, 0.3, 0.2), 0.2, 8, 0.4, None),
    ((-1.0, 0.5, 3.0), (0.5, 0.3, 0.2), 0.25, 8, 0.0, 1.7),
    ((-2.0, -1.0, 0.0, 1.5), (0.1, 0.4, 0.1, 0.4), 0.15, 6, 0.5, 1.5),  # gap losses, 0 R
    ((-1.0, 2.0), (0.6, 0.4), 0.3, 10, 0.0, None),  # 1/f not integer: floor at 0
]


@pytest.mark.parametrize("case", DISCRETE_CASES)
def test_discrete_lattice_matches_enumeration(case):
    values, probs, f, N, rl, goal = case
    w, rt, gt, mdd, final = enumerate_discrete(values, probs, f, N, rl, goal)
    res = E.discrete_lattice_dp(values, probs, f, trades=N, ruin_level=rl, goal=goal)
    for t in range(N + 1):
        assert res.ruin_by_trade[t] == pytest.approx(w[(rt > 0) & (rt <= t)].sum(), abs=1e-13)
        assert res.goal_by_trade[t] == pytest.approx(w[(gt > 0) & (gt <= t)].sum(), abs=1e-13)
    assert res.final_equity_mean == pytest.approx(np.dot(w, final), rel=1e-12)
    assert res.p_final_below_start == pytest.approx(w[final < 1 - 1e-12].sum(), abs=1e-13)
    for lv in (0.1, 0.3, 0.55, 0.8, 1.0):
        r = E.discrete_drawdown_exceedance_exact(
            values, probs, f, trades=N, level=lv, ruin_level=rl, goal=goal
        )
        assert r["probability"] == pytest.approx(w[mdd >= lv - 1e-12].sum(), abs=1e-12)


def test_discrete_lattice_equals_bernoulli_lattice():
    a = E.discrete_lattice_dp([-1.0, 1.5], [0.55, 0.45], 0.05, trades=200, ruin_level=0.3, goal=1.8)
    b = E.lattice_dp(0.45, 1.5, 0.05, sizing="fixed", trades=200, ruin_level=0.3, goal=1.8)
    np.testing.assert_allclose(a.ruin_by_trade, b.ruin_by_trade, atol=1e-14)
    np.testing.assert_allclose(a.goal_by_trade, b.goal_by_trade, atol=1e-14)


def test_theory_discrete_fixed_and_bootstrap_lattice():
    sc = _scn(
        Discrete(values=(-1.0, 0.5, 3.0), probs=(0.5, 0.3, 0.2)),
        risk=0.05,
        rule="fixed",
        trades=200,
        rl=0.5,
        goal=2.0,
    )
    t = E.theory(sc)
    r = E.discrete_lattice_dp(
        (-1.0, 0.5, 3.0), (0.5, 0.3, 0.2), 0.05, trades=200, ruin_level=0.5, goal=2.0
    )
    assert t["ruin_probability_exact"] == r.ruin_probability
    assert t["goal_probability_exact"] == r.goal_probability
    assert all(v is not None for v in t["drawdown_exceedance_exact"].values())
    # an i.i.d. bootstrap of R multiples is the same discrete model (repeats merged)
    bs = _scn(
        Bootstrap(trades=(-1.0, 3.0, -1.0, 0.5, -1.0, 0.5, 3.0, -1.0, -1.0, 0.5)),
        risk=0.05,
        rule="fixed",
        trades=200,
        rl=0.5,
        goal=2.0,
    )
    assert E.theory(bs)["ruin_probability_exact"] == pytest.approx(r.ruin_probability, abs=1e-14)
    # block bootstrap and off-lattice values: no exact DP, with the reason
    blk = replace(bs, model=Bootstrap(trades=bs.model.trades, method="block", block_length=2))
    assert "ruin_probability_exact" not in E.theory(blk)
    off = _scn(Discrete(values=(-1.0, math.pi), probs=(0.7, 0.3)), rule="fixed")
    t = E.theory(off)
    assert "ruin_probability_exact" not in t
    assert any("common 1/k" in n for n in t["notes"])
    with pytest.raises(ParameterError, match="values must be multiples"):
        E.discrete_lattice_dp([-1.0, math.pi], [0.7, 0.3], 0.05, trades=10)
