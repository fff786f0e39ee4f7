import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from ruin.errors import ParameterError
from ruin.margin import adverse_move_to_liquidation
from ruin.odds import (
    discrete_passage_probabilities,
    first_passage_probability,
    liquidation_grid,
    liquidation_probability,
    two_barrier_infinite_horizon,
    two_barrier_probabilities,
)

SIG60 = 0.6 / math.sqrt(365)  # 60% a year, daily


def _fp_density_integral(b, nu, sigma, T):
    """P(min <= b by T) by integrating the inverse-Gaussian first-passage density."""
    y = -b  # distance below the start; drift towards the barrier is -nu

    def dens(t):
        return (
            y
            / (sigma * math.sqrt(2 * math.pi * t**3))
            * math.exp(-((y + nu * t) ** 2) / (2 * sigma**2 * t))
        )

    val, _ = integrate.quad(dens, 0, T, epsabs=1e-13, epsrel=1e-11, limit=200)
    return val


# ---------------------------------------------------------------- one barrier


def test_perps_reflection_example_and_which_mmr_reproduces_it():
    # perps.md 4.5: 10x BTC at 60% vol over 30 days gives 0.5897 (zero drift).
    p = liquidation_probability(10, 0.0125, SIG60, 30)
    assert p == pytest.approx(0.58962, abs=1e-5)
    # 0.5897 is what the rounded table distance 8.86% gives; MMR 1.25% (Hyperliquid BTC)
    assert round(first_passage_probability(math.log(1 - 0.0886), 0.0, SIG60, 30), 4) == 0.5897
    # MMR 0 (guides' "1/L") or 2% would be far off
    assert abs(liquidation_probability(10, 0.0, SIG60, 30) - 0.5897) > 0.005
    assert abs(liquidation_probability(10, 0.02, SIG60, 30) - 0.5897) > 0.005


@pytest.mark.parametrize("nu", [-0.004, -0.001, 0.0, 0.001, 0.004])
@pytest.mark.parametrize("b", [-0.02, -0.09, -0.3])
def test_one_barrier_matches_density_integral(nu, b):
    p = first_passage_probability(b, nu, 0.03, 30.0)
    assert p == pytest.approx(_fp_density_integral(b, nu, 0.03, 30.0), abs=1e-9)


def test_one_barrier_edge_cases_and_broadcast():
    assert first_passage_probability(-math.inf, 0.0, 0.03, 30) == 0.0
    assert first_passage_probability(0.0, 0.0, 0.03, 30) == 1.0
    arr = first_passage_probability(np.array([-0.1, -0.05]), 0.0, 0.03, np.array([[1.0], [30]]))
    assert arr.shape == (2, 2)
    # large drift away from the barrier: no overflow, tiny probability
    assert 0.0 <= first_passage_probability(-0.5, 1.0, 0.01, 100) < 1e-12


def test_short_matches_independent_up_barrier_formula():
    from scipy.special import ndtr

    for nu in (-0.003, 0.0, 0.002):
        d = adverse_move_to_liquidation(10, 0.0125, "short")
        u, T, s = math.log1p(d), 20.0, 0.03
        sd = s * math.sqrt(T)
        ref = ndtr((-u + nu * T) / sd) + math.exp(2 * nu * u / s**2) * ndtr((-u - nu * T) / sd)
        got = liquidation_probability(10, 0.0125, s, T, drift=nu, side="short")
        assert got == pytest.approx(ref, rel=1e-12)
    # a positive drift hurts a short and helps a long
    assert liquidation_probability(
        10, 0.01, 0.03, 20, drift=0.002, side="short"
    ) > liquidation_probability(10, 0.01, 0.03, 20, drift=0.002, side="long")


def test_long_short_mirror_at_equal_log_distance_zero_drift():
    b = -0.08
    long_p = first_passage_probability(b, 0.0, 0.03, 25)
    # a short whose log distance is also 0.08: the same probability by symmetry
    d_short = math.expm1(0.08)
    p_short = first_passage_probability(-math.log1p(d_short), 0.0, 0.03, 25)
    assert p_short == pytest.approx(long_p, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    lev=st.floats(1.0, 40.0),
    bump=st.floats(0.0, 30.0),
    vol=st.floats(0.005, 0.1),
    T=st.floats(0.1, 365.0),
    nu=st.floats(-0.01, 0.01),
    side=st.sampled_from(["long", "short"]),
)
def test_higher_leverage_never_lowers_probability(lev, bump, vol, T, nu, side):
    mmr = 0.0125
    lev2 = min(lev + bump, 79.0)
    p1 = liquidation_probability(lev, mmr, vol, T, drift=nu, side=side)
    p2 = liquidation_probability(lev2, mmr, vol, T, drift=nu, side=side)
    assert p2 >= p1 - 1e-12
    assert 0.0 <= p1 <= 1.0


# ---------------------------------------------------------------- two barriers


def _stay_in_strip_driftless(a, c, sigma, T):
    """Sine-series survival probability in (-a, c), zero drift (independent of images)."""
    w = a + c
    n = np.arange(1, 4001, dtype=float)
    terms = (
        (2 / (n * np.pi))
        * (1 - (-1) ** n)
        * np.sin(n * np.pi * a / w)
        * np.exp(-(n**2) * np.pi**2 * sigma**2 * T / (2 * w**2))
    )
    return float(terms.sum())


@pytest.mark.parametrize("T", [0.5, 5.0, 30.0, 400.0])
def test_two_barrier_total_matches_sine_series(T):
    lo, hi = math.log(1 - 0.0886), math.log(1.1)
    p_lo, p_up, p_no = two_barrier_probabilities(lo, hi, 0.0, 0.03, T)
    assert p_lo + p_up + p_no == pytest.approx(1.0, abs=1e-14)
    assert p_no == pytest.approx(_stay_in_strip_driftless(-lo, hi, 0.03, T), abs=1e-9)


@pytest.mark.parametrize(("a", "b"), [(0.05, 0.05), (0.0886, 0.1), (0.02, 0.3)])
def test_two_barrier_zero_drift_long_run_is_a_over_a_plus_b(a, b):
    # P(take-profit first, T -> infinity) = a / (a + b) with zero drift
    p_lo, p_up, p_no = two_barrier_probabilities(-a, b, 0.0, 0.03, 1e5)
    assert p_no < 1e-12
    assert p_up == pytest.approx(a / (a + b), abs=1e-9)
    assert two_barrier_infinite_horizon(-a, b, 0.0, 0.03) == pytest.approx(a / (a + b))


@pytest.mark.parametrize("nu", [-0.003, 0.002])
def test_two_barrier_long_run_with_drift_matches_scale_function(nu):
    a, b = 0.08, 0.12
    _, p_up, p_no = two_barrier_probabilities(-a, b, nu, 0.03, 1e5)
    assert p_no < 1e-12
    assert p_up == pytest.approx(two_barrier_infinite_horizon(-a, b, nu, 0.03), abs=1e-9)


def test_two_barrier_far_take_profit_reduces_to_one_barrier():
    for nu in (-0.002, 0.0, 0.002):
        p_lo, _, _ = two_barrier_probabilities(-0.09, 5.0, nu, 0.03, 30)
        assert p_lo == pytest.approx(first_passage_probability(-0.09, nu, 0.03, 30), abs=1e-12)


def test_two_barrier_validation():
    with pytest.raises(ParameterError, match="lower < 0 < upper"):
        two_barrier_probabilities(0.1, 0.2, 0.0, 0.03, 10)


# ---------------------------------------------------------------- discrete monitoring


def test_discrete_one_and_two_checks_against_normal_cdfs():
    b, nu, s, dt = -0.05, 0.001, 0.03, 1.0
    r1 = discrete_passage_probabilities(b, math.inf, nu, s, dt, 1)
    assert r1["lower"] == pytest.approx(stats.norm.cdf((b - nu) / s), abs=1e-12)
    # two checks: 1 - P(X1 > b, X2 > b) with Cov(X1, X2) = s^2
    cov = s**2 * np.array([[1.0, 1.0], [1.0, 2.0]])
    mvn = stats.multivariate_normal(mean=[nu, 2 * nu], cov=cov)
    p_survive = (
        mvn.cdf([np.inf, np.inf]) - mvn.cdf([b, np.inf]) - mvn.cdf([np.inf, b]) + mvn.cdf([b, b])
    )
    r2 = discrete_passage_probabilities(b, math.inf, nu, s, dt, 2)
    assert r2["lower"] == pytest.approx(1 - p_survive, abs=2e-6)
    assert r2["abs_error"] < 1e-5


def test_discrete_recursion_converges_and_error_estimate_is_conservative():
    from ruin.odds import _discrete_once

    b, s = math.log(1 - 0.0886), SIG60
    r = discrete_passage_probabilities(b, math.inf, 0.0, s, 1.0, 30)
    fine, _ = _discrete_once(b, math.inf, 0.0, s, 30, 128.0, 10**6)
    assert abs(r["lower"] - fine) < 1e-6
    assert abs(r["lower"] - fine) <= r["abs_error"]


def test_discrete_is_below_continuous_and_matches_bgk_shift():
    b, s, T, m = math.log(1 - 0.0886), SIG60, 30.0, 30
    disc = discrete_passage_probabilities(b, math.inf, 0.0, s, T / m, m)
    cont = first_passage_probability(b, 0.0, s, T)
    assert disc["lower"] < cont
    # Broadie-Glasserman-Kou: discrete ~ continuous with the barrier moved out 0.5826 s sqrt(dt)
    bgk = first_passage_probability(b - 0.5826 * s * math.sqrt(T / m), 0.0, s, T)
    assert disc["lower"] == pytest.approx(bgk, abs=3e-3)
    assert disc["abs_error"] < 1e-4


def test_discrete_two_barriers_sum_and_fine_limit():
    lo, hi = -0.06, 0.08
    r = discrete_passage_probabilities(lo, hi, 0.0005, 0.02, 0.5, 40)
    assert r["lower"] + r["upper"] + r["neither"] == pytest.approx(1.0, abs=1e-9)
    c_lo, c_up, _ = two_barrier_probabilities(lo, hi, 0.0005, 0.02, 20.0)
    assert r["lower"] < c_lo and r["upper"] < c_up


# ---------------------------------------------------------------- grid


def test_grid_columns_values_and_monotonicity():
    levs, vols, hors = [2, 5, 10, 20], [0.02, 0.03, 0.05], [1, 7, 30]
    g = liquidation_grid(levs, vols, hors, mmr=0.0125)
    assert g.columns == [
        "leverage",
        "volatility",
        "horizon_days",
        "liquidation_probability",
        "adverse_move",
    ]
    assert g.height == 36
    for row in list(g.iter_rows(named=True))[::5]:
        assert row["liquidation_probability"] == pytest.approx(
            liquidation_probability(
                row["leverage"], 0.0125, row["volatility"], row["horizon_days"]
            ),
            rel=1e-12,
        )
        assert row["adverse_move"] == pytest.approx(
            adverse_move_to_liquidation(row["leverage"], 0.0125)
        )
    p = g["liquidation_probability"].to_numpy().reshape(4, 3, 3)
    assert np.all(np.diff(p, axis=0) >= 0)  # leverage
    assert np.all(np.diff(p, axis=1) >= 0)  # volatility
    assert np.all(np.diff(p, axis=2) >= 0)  # horizon
    gs = liquidation_grid([1, 3], [0.03], [30], mmr=0.01, side="short", drift=0.001)
    assert gs["liquidation_probability"][1] == pytest.approx(
        liquidation_probability(3, 0.01, 0.03, 30, drift=0.001, side="short")
    )
    # a 1x long cannot be liquidated
    assert liquidation_grid([1], [0.05], [365], mmr=0.0)["liquidation_probability"][0] == 0.0


def test_grid_and_probability_validation():
    with pytest.raises(ParameterError, match="instant liquidation"):
        liquidation_grid([100], [0.03], [30], mmr=0.0125)
    with pytest.raises(ParameterError, match="volatility"):
        liquidation_probability(10, 0.01, 0.0, 30)
    with pytest.raises(ParameterError, match="horizon_days"):
        liquidation_probability(10, 0.01, 0.03, -1)
    with pytest.raises(ParameterError, match="leverages must be a non-empty list"):
        liquidation_grid([], [0.03], [30], mmr=0.01)
