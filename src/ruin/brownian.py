"""Brownian motion with drift between two barriers: which is hit first, and the drift.

The one home of the two-barrier formula (the leveraged model's exact exits, its reports,
``ruin odds``' long-run value) and of the drift solver (a win rate -> the drift that gives
it). For ``X_t = drift t + volatility W_t`` started at 0, with a barrier ``down > 0`` below
and ``up > 0`` above, and ``k = 2 drift / volatility**2``::

    P(up before down) = (1 - exp(k down)) / (exp(-k up) - exp(k down))

(``down / (down + up)`` without drift), the scale-function formula.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .errors import ParameterError

__all__ = ["p_up_first", "two_barrier_probability", "solve_drift"]  # noqa: F822 - p_up_first: __getattr__


def _p_up_first(k, down, up):
    """P(Brownian motion with ``2 drift / variance = k`` hits ``+up`` before ``-down``).

    ``down`` may be ``inf`` (no lower barrier). Evaluated with ``expm1`` in the form that
    is stable for the sign of ``k``; ``down / (down + up)`` when ``|k| (down + up) < 1e-12``.
    """
    if down == np.inf:
        return 1.0 if k >= 0.0 else math.exp(k * up)
    width = down + up
    if abs(k * width) < 1e-12:
        return down / width
    if k > 0.0:
        return math.expm1(-k * down) / math.expm1(-k * width)
    return math.exp(k * up) * math.expm1(k * down) / math.expm1(k * width)


@functools.cache
def _compiled():
    from numba import njit

    return njit(cache=True)(_p_up_first)


def __getattr__(name: str):
    # ``p_up_first`` is compiled on first use, so importing this module (the calculators of
    # the command line do, through the trade parameters) never imports numba.
    if name == "p_up_first":
        return _compiled()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    return float(_compiled()(k, float(down), float(up)))


def solve_drift(win_rate: float, volatility: float, down: float, up: float) -> float:
    """The drift per day that makes P(up barrier first) equal ``win_rate`` (scipy brentq)."""
    from scipy.optimize import brentq

    width = down + up
    alpha = down / width

    def gap(kw: float) -> float:
        if abs(kw) < 1e-12:
            return alpha - win_rate
        return float(_compiled()(kw / width, down, up)) - win_rate

    lo, hi = -700.0, 700.0
    if gap(lo) > 0 or gap(hi) < 0:
        raise ParameterError(
            "win_rate",
            "reachable with these barriers",
            win_rate,
            "The drift needed is too extreme for this stop and take-profit.",
        )
    kw = brentq(gap, lo, hi, xtol=1e-14, rtol=1e-15, maxiter=500)
    return float(kw / width * volatility**2 / 2.0)
