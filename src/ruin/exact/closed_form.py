"""Closed forms of ruin with a fixed stake: gambler's ruin and the fixed-stake root.

* Unit stakes (payoff 1, fixed stake): :func:`gamblers_ruin`, :func:`gamblers_ruin_duration`
  (finite and infinite target, fair and unfair game).
* Fixed stake, payoff ``b``, infinite horizon: :func:`fixed_stake_root` (root of
  ``p x^(b+1) - x + q = 0``) and :func:`fixed_stake_ruin` (``x^units``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine import TOL
from ..errors import ParameterError, check_int, check_number

__all__ = [
    "gamblers_ruin",
    "gamblers_ruin_duration",
    "fixed_stake_root",
    "fixed_stake_ruin",
    "ruin_units",
]


def _check_p(p: float) -> float:
    return check_number("win_rate", p, 0.0, 1.0, lo_incl=False, hi_incl=False)


def _check_start_target(start: int, target: int | None) -> tuple[int, int | None]:
    i = check_int("start", start, 0)
    if target is None:
        return i, None
    n = check_int("target", target, 1)
    if n < i:
        raise ParameterError("target", f"at least start ({i})", target)
    return i, n


def gamblers_ruin(p: float, start: int, target: int | None = None) -> float:
    """Probability that a unit-stake gambler is ruined (reaches 0 before ``target``).

    Each bet wins +1 with probability ``p`` and loses 1 with ``q = 1 - p``; capital starts at
    ``start`` units. With ``r = q/p`` (Feller, *An Introduction to Probability Theory*, vol. 1,
    ch. XIV.2):

    * finite target N: ``(r^i - r^N) / (1 - r^N)``, and ``1 - i/N`` when ``p = q``;
    * no target (``target=None``): ``r^i`` when ``p > q``, else 1.

    Parameters
    ----------
    p : float
        Win probability per bet, 0 < p < 1.
    start : int
        Starting capital i in units (>= 0).
    target : int, optional
        Absorbing upper barrier N >= start; ``None`` for an infinite target.

    Returns
    -------
    float
        P(ruin) in [0, 1].

    Examples
    --------
    >>> gamblers_ruin(0.5, 10, 20)
    0.5
    """
    p = _check_p(p)
    i, n = _check_start_target(start, target)
    q = 1.0 - p
    if i == 0:
        return 1.0
    if n is not None and i == n:
        return 0.0
    if n is None:
        return 1.0 if p <= q else (q / p) ** i
    if p == q:
        return 1.0 - i / n
    if q < p:  # r < 1: L = log r < 0, stable with expm1
        lr = math.log(q / p)
        return (math.expm1(i * lr) - math.expm1(n * lr)) / (-math.expm1(n * lr))
    ls = math.log(p / q)  # r > 1: divide through by r^N, s = p/q < 1
    return math.expm1((n - i) * ls) / math.expm1(n * ls)


def gamblers_ruin_duration(p: float, start: int, target: int | None = None) -> float:
    """Expected number of unit bets until ruin or ``target`` (Feller XIV.3).

    Finite target N, ``p != q``: ``i/(q-p) - N/(q-p) * (1 - r^i)/(1 - r^N)`` with
    ``r = q/p``; ``p = q``: ``i (N - i)``. No target: ``i/(q-p)`` when ``p < q``, else
    ``inf`` (the game may last forever).

    Parameters
    ----------
    p, start, target
        As in :func:`gamblers_ruin`.

    Returns
    -------
    float
        Expected duration in bets (``inf`` when it is not finite).
    """
    p = _check_p(p)
    i, n = _check_start_target(start, target)
    q = 1.0 - p
    if n is None:
        return i / (q - p) if p < q else (0.0 if i == 0 else math.inf)
    if p == q:
        return float(i * (n - i))
    ruin = gamblers_ruin(p, i, n)
    # E[duration] = E[X_tau - i] / (p - q); X_tau = N with P(1 - ruin), 0 with P(ruin).
    return (n * (1.0 - ruin) - i) / (p - q)


def fixed_stake_root(p: float, b: float) -> float:
    """Root ``x`` in (0, 1) of ``p x^(b+1) - x + q = 0`` (1.0 when the edge ``p b - q <= 0``).

    ``x^c`` is a martingale of the net position c (in R) for a fixed stake that wins ``b`` R
    with probability ``p`` and loses 1 R, so by optional stopping the ruin probability from
    ``c`` R above the barrier is ``x^c / E[x^(undershoot)]``: exactly ``x^c`` when the walk
    lands on the barrier (integer payoff and integer c), and in ``(x^(c+1), x^c]`` otherwise.
    Solved with :func:`scipy.optimize.brentq`.

    Parameters
    ----------
    p : float
        Win probability, 0 < p < 1.
    b : float
        Payoff in R of a win, > 0.

    Returns
    -------
    float
        The root, in (0, 1], equal to 1 when the edge is not positive.

    Examples
    --------
    >>> round(fixed_stake_root(0.6, 1.0), 12)  # b = 1: x = q/p
    0.666666666667
    """
    p = _check_p(p)
    b = check_number("payoff", b, 0.0, None, lo_incl=False)
    q = 1.0 - p
    if p * b - q <= 0.0:
        return 1.0
    from scipy.optimize import brentq

    def h(x: float) -> float:
        return p * x ** (b + 1.0) - x + q

    # h(0) = q > 0, h(1) = 0 with h'(1) = p(b+1) - 1 > 0, so h < 0 just below 1.
    hi = 1.0 - 1e-15
    while h(hi) >= 0.0 and hi > 0.5:  # pragma: no cover - only for edges ~1e-15
        hi = 1.0 - (1.0 - hi) * 10.0
    if h(hi) >= 0.0:  # pragma: no cover
        return 1.0
    return float(brentq(h, 0.0, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500))


def ruin_units(risk: float, ruin_level: float) -> float:
    """Distance to the ruin barrier in R for a fixed stake: ``(1 - ruin_level) / risk``."""
    risk = check_number("risk", risk, 0.0, 1.0, lo_incl=False)
    ruin_level = check_number("ruin_level", ruin_level, 0.0, 1.0, hi_incl=False)
    return (1.0 - ruin_level) / risk


def _lattice_units(units: float) -> int:
    """Net losses (payoff 1 lattice) that reach a barrier ``units`` R away, as the engine."""
    return max(1, math.ceil(units - TOL * max(1.0, units)))


def fixed_stake_ruin(p: float, b: float, units: float) -> dict[str, Any]:
    """Infinite-horizon ruin probability for a fixed stake ``units`` R above the barrier.

    Returns the root value ``x^n`` where ``n`` is the distance the engine's barrier test
    implies: for an integer payoff the walk moves down 1 R at a time, so ruin happens at
    exactly ``n = ceil(units)`` net losses (within the 1e-9 tolerance) and ``x^n`` is exact.
    For other payoffs the barrier can be overshot and the exact value lies in
    ``(x^(units+1), x^units]``; both bounds are returned.

    Parameters
    ----------
    p : float
        Win probability, 0 < p < 1.
    b : float
        Payoff in R, > 0.
    units : float
        Distance to the ruin barrier in R, > 0 (``(1 - ruin_level) / risk``).

    Returns
    -------
    dict
        ``root``, ``ruin_probability`` (``x^n`` when ``exact`` else the upper bound
        ``x^units``), ``lower_bound``, ``upper_bound`` and ``exact`` (bool).
    """
    units = check_number("units", units, 0.0, None, lo_incl=False)
    x = fixed_stake_root(p, b)
    integer_b = abs(b - round(b)) <= 1e-12 and round(b) >= 1
    if x >= 1.0:
        return {
            "root": 1.0,
            "ruin_probability": 1.0,
            "lower_bound": 1.0,
            "upper_bound": 1.0,
            "exact": True,
        }
    if integer_b:
        v = x ** _lattice_units(units)
        return {"root": x, "ruin_probability": v, "lower_bound": v, "upper_bound": v, "exact": True}
    return {
        "root": x,
        "ruin_probability": x**units,
        "lower_bound": x ** (units + 1.0),
        "upper_bound": x**units,
        "exact": False,
    }
