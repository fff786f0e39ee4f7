"""Account engine: tiny cases worked by hand, the given-outcome mode, the memory guard."""

import math

import numpy as np
import pytest
from given_outcomes import EXIT_NAMES, simulate_given

from ruin import Account, Bernoulli, Bootstrap, Discrete, ParameterError, Scenario, Sizing
from ruin import simulate as simulate_fn
from ruin.simulate import simulate


def run(
    model, risk, rule="fractional", trades=10, ruin_level=0.0, goal=None, paths=50, seed=1, record=0
):
    sc = Scenario(
        model=model,
        sizing=Sizing(risk=risk, rule=rule),
        account=Account(trades=trades, ruin_level=ruin_level, goal=goal),
        paths=paths,
        seed=seed,
    )
    return simulate(sc, record=record)


def const(r):
    """A model whose every trade is ``r`` R (probability 1)."""
    return Discrete(values=(r,), probs=(1.0,))


def test_public_simulate_is_the_same_function():
    assert simulate_fn is simulate


# --- Hand-worked sequences through the direct model --------------------------------------


def test_up_down_up_gives_mdd_10pct_every_rotation():
    # Circular block bootstrap with block = whole list: each path is a rotation of
    # (+10%, -10%, +10%); every rotation has a 10% maximum drawdown.
    m = Bootstrap(trades=(1.0, -1.0, 1.0), method="block", block_length=3)
    res = run(m, 0.1, trades=3, paths=60, record=60)
    np.testing.assert_allclose(res.max_drawdown, 0.1, rtol=1e-12)
    np.testing.assert_allclose(res.final_equity, 1.1 * 0.9 * 1.1, rtol=1e-12)
    assert (res.longest_losing_streak == 1).all()
    assert (res.wins == 2).all() and (res.trades_taken == 3).all()
    # the three rotations all occur among 60 paths
    firsts = set(np.round(res.sample_paths[:, 1], 12))
    assert firsts == {1.1, 0.9}


def test_fixed_stake_ruined_after_exactly_ten_losses():
    res = run(const(-1.0), 0.1, rule="fixed", trades=30, ruin_level=0.0)
    assert (res.ruin_trade == 10).all()
    assert (res.trades_taken == 10).all()
    assert (res.final_equity == 0.0).all()
    assert (res.max_drawdown == 1.0).all()
    assert (res.longest_losing_streak == 10).all()


def test_fixed_stake_half_ruin_after_exactly_five_losses():
    res = run(const(-1.0), 0.1, rule="fixed", trades=30, ruin_level=0.5)
    assert (res.ruin_trade == 5).all()
    np.testing.assert_allclose(res.final_equity, 0.5, rtol=1e-12)


def test_ten_fixed_ten_percent_steps_reach_goal_two_exactly():
    res = run(const(1.0), 0.1, rule="fixed", trades=30, goal=2.0)
    assert (res.goal_trade == 10).all()
    assert (res.ruin_trade == -1).all()
    assert (res.trades_taken == 10).all()
    np.testing.assert_allclose(res.final_equity, 2.0, rtol=1e-12)
    assert (res.max_drawdown == 0.0).all() and (res.longest_underwater == 0).all()


def test_fractional_goal_reached_at_the_first_trade_at_or_above():
    # 1.1**7 = 1.949 < 2 <= 1.1**8 = 2.144
    res = run(const(1.0), 0.1, trades=20, goal=2.0)
    assert (res.goal_trade == 8).all()
    np.testing.assert_allclose(res.final_equity, 1.1**8, rtol=1e-12)


def test_ruined_path_stays_ruined_and_keeps_its_equity():
    res = run(const(-1.0), 0.2, trades=40, ruin_level=0.5, record=5)
    # 0.8**3 = 0.512 > 0.5 >= 0.8**4 = 0.4096
    assert (res.ruin_trade == 4).all() and (res.trades_taken == 4).all()
    np.testing.assert_allclose(res.final_equity, 0.8**4, rtol=1e-12)
    curves = res.sample_paths
    assert curves.shape == (5, 41)
    np.testing.assert_allclose(curves[:, 4:], 0.8**4, rtol=1e-12)
    np.testing.assert_allclose(curves[0, :5], 0.8 ** np.arange(5), rtol=1e-12)


def test_survival_curve_steps_down_at_the_ruin_trade():
    res = run(const(-1.0), 0.1, rule="fixed", trades=15, ruin_level=0.0)
    s = res.survival
    assert s.shape == (16,)
    np.testing.assert_array_equal(s[:10], 1.0)
    np.testing.assert_array_equal(s[10:], 0.0)


def test_survival_curve_mixed_paths():
    # Known outcome matrix through the given-outcome mode: ruined at trades 4, never, 6.
    r = np.array([[-1.0] * 6, [1.0] * 6, [-1.0, -1.0, 1.0, -1.0, -1.0, -1.0]])
    out = simulate_given(r, risk=0.25, rule="fixed", ruin_level=0.0)
    assert out["ruin_trade"].tolist() == [4, -1, 6]
    from ruin.metrics import survival_curve

    s = survival_curve(out["ruin_trade"], 6)
    np.testing.assert_allclose(s, [1, 1, 1, 1, 2 / 3, 2 / 3, 1 / 3])


def test_fractional_full_risk_loss_is_bust():
    res = run(const(-1.0), 1.0, trades=5, ruin_level=0.0)
    assert (res.ruin_trade == 1).all()
    assert (res.final_equity == 0.0).all()
    assert (res.max_drawdown == 1.0).all()


def test_fixed_stake_floored_at_zero_on_a_gap():
    res = run(const(-3.0), 0.5, rule="fixed", trades=5, ruin_level=0.0, record=3)
    assert (res.ruin_trade == 1).all()
    assert (res.final_equity == 0.0).all()
    assert (res.max_drawdown == 1.0).all()
    assert (res.sample_paths[:, 1:] == 0.0).all()


def test_bernoulli_extremes_and_realised_win_rate():
    res = run(Bernoulli(win_rate=0.5, payoff=1.0), 0.01, trades=400, paths=2000, seed=3)
    # every path survives (1% fractional risk, 400 trades cannot reach 0)
    assert (res.ruin_trade == -1).all() and (res.trades_taken == 400).all()
    assert abs(res.win_rate_realized - 0.5) < 4 * math.sqrt(0.25 / (400 * 2000))


# --- Given-outcome mode ------------------------------------------------------------------


def test_given_known_sequence_streak_underwater_wins():
    r = np.array([[1.0, -1.0, -1.0, 1.0, -1.0, -1.0, -1.0, 3.0, 3.0]])
    out = simulate_given(r, risk=0.1, record=1)
    eq = np.cumprod(1.0 + 0.1 * r[0])
    assert out["longest_losing_streak"][0] == 3
    assert out["longest_underwater"][0] == 7  # trades 2..8 end below the 1.1 peak
    assert out["wins"][0] == 4 and out["trades_taken"][0] == 9
    np.testing.assert_allclose(out["final_equity"][0], eq[-1], rtol=1e-12)
    np.testing.assert_allclose(out["max_drawdown"][0], 1 - eq.min() / 1.1, rtol=1e-12)
    np.testing.assert_allclose(out["sample_paths"][0], np.r_[1.0, eq], rtol=1e-12)


def test_given_up_down_up_mdd():
    out = simulate_given(np.array([[1.0, -1.0, 1.0]]), risk=0.1)
    np.testing.assert_allclose(out["max_drawdown"], [0.1], rtol=1e-12)
    out = simulate_given(np.array([[1.0, -1.0, 1.0]]), risk=0.1, rule="fixed")
    # fixed: 1.1 -> 1.0 -> 1.1, drawdown 0.1 / 1.1 of the peak
    np.testing.assert_allclose(out["max_drawdown"], [0.1 / 1.1], rtol=1e-12)


def test_given_exit_counts_and_aux_only_for_taken_trades():
    r = np.array([[-1.0, -1.0, -1.0, 2.0], [2.0, -1.0, 2.0, -1.0]])
    codes = np.array([[1, 2, 1, 0], [0, 1, 0, 3]], np.int8)
    aux = np.zeros((2, 4, 2))
    aux[:, :, 0] = 0.1  # e.g. a fee of 0.1 R per trade
    aux[:, :, 1] = [[1, 2, 3, 4], [1, 1, 1, 1]]
    out = simulate_given(r, codes, aux, risk=0.5, rule="fractional", ruin_level=0.2)
    # path 0: 0.5, 0.25, 0.125 <= 0.2 -> ruined at trade 3; trade 4 never taken
    assert out["ruin_trade"].tolist() == [3, -1]
    assert out["trades_taken"].tolist() == [3, 4]
    assert out["exit_counts"].tolist() == [[0, 2, 1, 0], [2, 1, 0, 1]]
    assert len(EXIT_NAMES) == 4
    # R before each trade as a fraction of start: 0.5 x equity before the trade
    stake0 = 0.5 * np.array([1.0, 0.5, 0.25])
    np.testing.assert_allclose(
        out["aux_sums"][0], [0.1 * stake0.sum(), (stake0 * [1, 2, 3]).sum()], rtol=1e-12
    )
    eq1 = np.cumprod(1 + 0.5 * r[1])
    stake1 = 0.5 * np.r_[1.0, eq1[:-1]]
    np.testing.assert_allclose(out["aux_sums"][1], [0.1 * stake1.sum(), stake1.sum()], rtol=1e-12)


def test_given_fixed_aux_in_fractions_of_start():
    r = np.array([[1.0, 1.0, -1.0]])
    aux = np.full((1, 3, 1), 0.2)
    out = simulate_given(r, None, aux, risk=0.05, rule="fixed")
    np.testing.assert_allclose(out["aux_sums"], [[3 * 0.2 * 0.05]], rtol=1e-12)
    assert out["exit_counts"].tolist() == [[0, 0, 0, 3]]  # default code: time


def test_given_goal_and_ruin_exactness():
    out = simulate_given(np.full((1, 20), 1.0), risk=0.1, rule="fixed", goal=2.0)
    assert out["goal_trade"].tolist() == [10]
    out = simulate_given(np.full((1, 20), -1.0), risk=0.1, rule="fixed")
    assert out["ruin_trade"].tolist() == [10]
    out = simulate_given(np.array([[-1.0, 5.0]]), risk=1.0)
    assert out["ruin_trade"].tolist() == [1] and out["final_equity"].tolist() == [0.0]


def _outcomes_from_curves(curves, risk, rule, payoff):
    """Recover each trade's outcome in R from recorded equity curves (Bernoulli model)."""
    if rule == "fractional":
        ratio = curves[:, 1:] / curves[:, :-1]
        won = ratio > 1.0
    else:
        won = np.diff(curves, axis=1) > 0.0
    return np.where(won, payoff, -1.0)


@pytest.mark.parametrize("rule", ["fractional", "fixed"])
@pytest.mark.parametrize("goal", [None, 1.6])
def test_given_mode_reproduces_the_direct_model(rule, goal):
    # Feed the direct model's own outcomes back as a matrix: same per-path results.
    payoff, risk, n, N = 1.5, 0.1, 300, 60
    sc = Scenario(
        model=Bernoulli(win_rate=0.45, payoff=payoff),
        sizing=Sizing(risk=risk, rule=rule),
        account=Account(trades=N, ruin_level=0.5, goal=goal),
        paths=n,
        seed=42,
    )
    res = simulate(sc, record=n)
    r = _outcomes_from_curves(res.sample_paths, risk, rule, payoff)
    out = simulate_given(r, risk=risk, rule=rule, ruin_level=0.5, goal=goal)
    assert (res.ruin_trade > 0).any()
    for key in (
        "ruin_trade",
        "goal_trade",
        "longest_losing_streak",
        "longest_underwater",
        "wins",
        "trades_taken",
    ):
        np.testing.assert_array_equal(out[key], getattr(res, key), err_msg=key)
    np.testing.assert_allclose(out["final_equity"], res.final_equity, rtol=1e-12)
    np.testing.assert_allclose(out["max_drawdown"], res.max_drawdown, rtol=1e-9, atol=1e-13)


def test_given_validation():
    r = np.zeros((2, 3))
    with pytest.raises(ParameterError, match="risk must be"):
        simulate_given(r, risk=0.0)
    with pytest.raises(ParameterError, match="sizing must be one of"):
        simulate_given(r, risk=0.1, rule="kelly")
    with pytest.raises(ParameterError, match="codes must be an array of shape"):
        simulate_given(r, np.zeros((2, 2)), risk=0.1)
    with pytest.raises(ParameterError, match="exit codes 0..3"):
        simulate_given(r, np.full((2, 3), 4), risk=0.1)
    with pytest.raises(ParameterError, match="aux must be"):
        simulate_given(r, None, np.zeros((2, 3)), risk=0.1)
    with pytest.raises(ParameterError, match="finite outcomes"):
        simulate_given(np.array([[np.nan]]), risk=0.1)
    with pytest.raises(ParameterError, match="r must be a 2-D array"):
        simulate_given(np.zeros(3), risk=0.1)


# --- Memory guard, recording, chunking ---------------------------------------------------


def test_memory_guard_refuses_huge_runs():
    sc = Scenario(
        model=Bernoulli(win_rate=0.5, payoff=1.0),
        sizing=Sizing(risk=0.01),
        account=Account(trades=1_000_000),
        paths=50_000_000,
        seed=1,
    )
    with pytest.raises(ParameterError, match="paths x trades must be a run that fits"):
        simulate(sc, record=50_000_000)


def test_recorded_paths_match_the_unrecorded_run():
    sc = Scenario(
        model=Discrete(values=(-1.0, -0.5, 2.0), probs=(0.5, 0.2, 0.3)),
        sizing=Sizing(risk=0.05),
        account=Account(trades=80, ruin_level=0.6, goal=1.5),
        paths=500,
        seed=9,
    )
    a = simulate(sc, record=0)
    b = simulate(sc, record=100, chunk=64)
    for key in (
        "final_equity",
        "max_drawdown",
        "ruin_trade",
        "goal_trade",
        "wins",
        "trades_taken",
        "longest_losing_streak",
        "longest_underwater",
    ):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key), err_msg=key)
    np.testing.assert_array_equal(b.sample_paths[:, -1], b.final_equity[:100])


@pytest.mark.parametrize("rule", ["fractional", "fixed"])
@pytest.mark.parametrize(
    ("trades", "ruin_level", "goal"),
    [(83, 0.6, 1.5), (200, 0.0, None), (7, 0.9, 1.02), (120, 0.5, None)],
)
def test_bernoulli_lanes_match_the_serial_walk_bit_for_bit(
    rule, trades, ruin_level, goal, monkeypatch
):
    # The parallel kernel walks 16 Bernoulli paths side by side, two trades per 64-bit draw
    # and eight per load of the lane state (83 = 10 x 8 + 2 + 1 trades: every round kind),
    # and hands the last few running paths to the one-path walk; the recording kernel is the
    # one-path walk throughout. Every per-path result must agree exactly (odd trade counts,
    # goals, ruin at bust and paths stopping in every lane phase included).
    sc = Scenario(
        model=Bernoulli(win_rate=0.47, payoff=1.3),
        sizing=Sizing(risk=0.12 if rule == "fixed" else 0.08, rule=rule),
        account=Account(trades=trades, ruin_level=ruin_level, goal=goal),
        paths=1000,
        seed=31,
    )
    from ruin.engine import kernels

    monkeypatch.setattr(kernels, "LANES_MIN_WORK", 0)  # the lanes, whatever the run's size
    a = simulate(sc, record=0)
    b = simulate(sc, record=1000)
    monkeypatch.setattr(kernels, "LANES_MIN_WORK", 10**18)
    monkeypatch.setattr(kernels, "lanes_ready", lambda fractional: False)
    c = simulate(sc, record=0)  # the one-path walk, in parallel
    bust_unreachable = rule == "fractional" and ruin_level == 0.0  # risk < 1: never 0
    assert (a.ruin_trade > 0).any() or bust_unreachable
    for key in (
        "final_equity",
        "max_drawdown",
        "ruin_trade",
        "goal_trade",
        "wins",
        "trades_taken",
        "longest_losing_streak",
        "longest_underwater",
    ):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key), err_msg=key)
        np.testing.assert_array_equal(getattr(a, key), getattr(c, key), err_msg=key)


def test_vector_width_changes_speed_not_results():
    # ruin lets LLVM use 512-bit vectors where the CPU has AVX-512 (ruin._vector_width);
    # without fastmath the width cannot change a result. A process with the default
    # (256-bit preference) must give the same bits for the vectorised Bernoulli lanes.
    import os
    import subprocess
    import sys

    code = (
        "import hashlib, ruin, ruin.engine.kernels as k\n"
        "k.LANES_MIN_WORK = 0  # the vectorised lanes, whatever the run's size\n"
        "from ruin import Account, Bernoulli, Scenario, Sizing, simulate\n"
        "h = hashlib.sha256()\n"
        "for rule in ('fractional', 'fixed'):\n"
        "    sc = Scenario(model=Bernoulli(win_rate=0.47, payoff=1.3),\n"
        "                  sizing=Sizing(risk=0.08, rule=rule),\n"
        "                  account=Account(trades=83, ruin_level=0.6, goal=1.5),\n"
        "                  paths=1000, seed=31)\n"
        "    r = simulate(sc, record=0)\n"
        "    for a in (r.final_equity, r.max_drawdown, r.ruin_trade, r.goal_trade,\n"
        "              r.longest_losing_streak, r.longest_underwater, r.wins):\n"
        "        h.update(a.tobytes())\n"
        "print(ruin._vector_width.PREFER_512, h.hexdigest())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CPU_FEATURES"}
    out = {}
    for flag in ("0", "1"):
        run = subprocess.run(
            [sys.executable, "-c", code],
            env={**env, "RUIN_PREFER_512": flag},
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        prefer, digest = run.stdout.split()
        out[flag] = digest
        assert prefer == ("False" if flag == "0" else str("+avx512f" in _host_features()))
    assert out["0"] == out["1"]


def _host_features() -> list[str]:
    import llvmlite.binding as llvm

    return llvm.get_host_cpu_features().flatten().split(",")
