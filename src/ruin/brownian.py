"""Brownian motion with drift between two barriers: hit probabilities and the drift solver.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .errors import ParameterError


@njit(cache=True)
def _p_up_first(k, a, b):
    """P(Brownian motion with 2*drift/variance = k hits +b before -a), a, b > 0."""
    if a == np.inf:
        return 1.0 if k >= 0.0 else math.exp(k * b)
    w = a + b
    if abs(k * w) < 1e-12:
        return a / w
    if k > 0.0:
        return math.expm1(-k * a) / math.expm1(-k * w)
    return math.exp(k * b) * math.expm1(k * a) / math.expm1(k * w)


def two_barrier_probability(drift: float, volatility: float, down: float, up: float) -> float:
    """P(take-profit before stop) for Brownian motion with drift, continuous monitoring.

    Parameters
    ----------
    drift : float
        Drift of the position's log price per day (in the trade's favour).
    volatility : float
        Standard deviation of log price per square-root day, > 0.
    down, up : float
        Log distances from entry to the lower barrier (``a > 0``, may be ``inf``) and the
        upper barrier (``b > 0``).

    Returns
    -------
    float
        ``(1 - exp(k a)) / (exp(-k b) - exp(k a))`` with ``k = 2 drift / volatility**2``;
        ``a / (a + b)`` when the drift is 0.
    """
    k = 2.0 * drift / volatility**2
    return float(_p_up_first(k, float(down), float(up)))


def solve_drift(win_rate: float, volatility: float, down: float, up: float) -> float:
    """The drift per day that makes P(up barrier first) equal ``win_rate`` (scipy brentq)."""
    from scipy.optimize import brentq

    w = down + up
    alpha = down / w

    def f(kw: float) -> float:
        if abs(kw) < 1e-12:
            return alpha - win_rate
        return float(_p_up_first(kw / w, down, up)) - win_rate

    lo, hi = -700.0, 700.0
    if f(lo) > 0 or f(hi) < 0:
        raise ParameterError(
            "win_rate", "reachable with these barriers", win_rate,
            "The drift needed is too extreme for this stop and take-profit.",
        )
    kw = brentq(f, lo, hi, xtol=1e-14, rtol=1e-15, maxiter=500)
    return float(kw / w * volatility**2 / 2.0)
