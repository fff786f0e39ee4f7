"""Kelly fraction and expected log growth, for the two-point bet and discrete outcomes."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..errors import ParameterError, check_number
from .closed_form import _check_p

__all__ = ["kelly_fraction", "log_growth", "kelly_fraction_discrete", "log_growth_discrete"]


def kelly_fraction(p: float, b: float) -> float:
    """Kelly fraction ``f* = p - q/b`` for a bet winning ``b`` R w.p. ``p``, losing 1 R.

    Maximises the expected log growth per trade :func:`log_growth` (Kelly 1956). A negative
    value means the bet has no edge: the growth-optimal stake is zero.

    Examples
    --------
    >>> round(kelly_fraction(0.55, 1.0), 12)
    0.1
    """
    p = _check_p(p)
    b = check_number("payoff", b, 0.0, None, lo_incl=False)
    return p - (1.0 - p) / b


def log_growth(f: float, p: float, b: float) -> float:
    """Expected log growth per trade ``g(f) = p log(1 + b f) + q log(1 - f)`` (nats).

    This is the growth rate of equity under fractional sizing at risk ``f``:
    ``E[log(E_N / E_0)] = N g(f)``. ``-inf`` at ``f = 1`` (a loss wipes the account out).
    """
    p = _check_p(p)
    b = check_number("payoff", b, 0.0, None, lo_incl=False)
    f = check_number("risk", f, 0.0, 1.0)
    if f >= 1.0:
        return -math.inf
    return p * math.log1p(b * f) + (1.0 - p) * math.log1p(-f)


def _outcomes(values: Sequence[float] | np.ndarray, probs: Sequence[float] | np.ndarray):
    v = np.asarray(values, dtype=np.float64).ravel()
    w = np.asarray(probs, dtype=np.float64).ravel()
    if v.size == 0 or v.size != w.size:
        raise ParameterError("probs", "a list as long as values (non-empty)", f"{w.size} items")
    if not (np.all(np.isfinite(v)) and np.all(np.isfinite(w)) and np.all(w >= 0.0)):
        raise ParameterError("values/probs", "finite numbers, probabilities >= 0", "non-finite")
    s = float(w.sum())
    if abs(s - 1.0) > 1e-9:
        raise ParameterError("probs", "probabilities summing to 1", f"sum {s:.12g}")
    keep = w > 0.0
    return v[keep], w[keep] / s


def log_growth_discrete(
    f: float, values: Sequence[float] | np.ndarray, probs: Sequence[float] | np.ndarray
) -> float:
    """Expected log growth ``E[log(1 + f r)]`` per trade for outcomes ``r`` (in R).

    Returns ``-inf`` when some outcome of positive probability has ``1 + f r <= 0``.
    """
    f = check_number("risk", f, 0.0, 1.0)
    v, w = _outcomes(values, probs)
    g = 1.0 + f * v
    if np.any(g <= 0.0):
        return -math.inf
    return float(np.dot(w, np.log(g)))


def kelly_fraction_discrete(
    values: Sequence[float] | np.ndarray, probs: Sequence[float] | np.ndarray
) -> float:
    """Growth-optimal risk ``argmax_f E[log(1 + f r)]`` over ``0 <= f <= 1`` (numeric).

    The derivative ``E[r / (1 + f r)]`` is decreasing in f, so its root (scipy ``brentq``)
    is the maximiser. Returns 0 when the mean outcome is not positive (no edge) and the
    upper end when the growth still increases there (upper end = 1, or just below
    ``1 / max loss`` when a loss larger than 1 R is possible).
    """
    v, w = _outcomes(values, probs)
    mean = float(np.dot(w, v))
    if mean <= 0.0:
        return 0.0
    worst = float(v.min())
    hi = 1.0 if worst > -1.0 else (1.0 / -worst) * (1.0 - 1e-12)

    def d(f: float) -> float:
        return float(np.dot(w, v / (1.0 + f * v)))

    if worst >= 0.0 or d(hi) >= 0.0:
        return hi
    from scipy.optimize import brentq

    return float(brentq(d, 0.0, hi, xtol=1e-14, maxiter=500))
