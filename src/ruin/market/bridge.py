"""Brownian bridges inside a step: which barrier first, and when (first passage).

Given a step's start and end point, a Brownian bridge of the step's variance ``v`` decides
exactly whether the price left the strip between the lower exit and the take-profit inside
the step, through which barrier first (:func:`exit_first`, the two-barrier image series),
and when (:func:`hit_fraction`, the first-passage time). ``two_over_var`` is ``2 / v``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..engine.rng import (
    _u53,
    step4,
    zig_normal,
)


@njit(cache=True)
def touch_probability(d0, d1, v):
    """Brownian-bridge probability of touching a barrier at distances d0 (start) and d1
    (end) on the same side, step variance v: ``exp(-2 d0 d1 / v)``; 1 if d1 <= 0."""
    if d1 <= 0.0:
        return 1.0
    arg = 2.0 * d0 * d1 / v
    if arg > 40.0:  # probability below 5e-18, far under a uniform's resolution
        return 0.0
    return math.exp(-arg)


@njit(cache=True)
def first_exit_series(d0, d1, width, two_over_var):
    """Probability that a Brownian bridge leaves the strip of ``width`` through one barrier
    before the other, given its start and end distances ``d0 > 0`` and ``d1`` to that
    barrier (``d1 <= 0``: it ends beyond it); ``two_over_var = 2 / v`` with ``v`` the bridge's
    variance. The image series (reflections at both barriers)::

        sum_k>=0  exp(-(d0 + k W)(d1 + k W) two_over_var)
                  - exp(-(k + 1) W ((k + 1) W + d1 - d0) two_over_var)

    The k-th terms shrink like ``exp(-k^2 W^2 two_over_var)``; terms are added until both exponents
    pass 40. Clipped to [0, 1].
    """
    total = 0.0
    k = 0.0
    while True:
        e1 = (d0 + k * width) * (d1 + k * width) * two_over_var
        e2 = (k + 1.0) * width * ((k + 1.0) * width + d1 - d0) * two_over_var
        if e1 <= 40.0:
            total += math.exp(-e1)
        if e2 <= 40.0:
            total -= math.exp(-e2)
        if (e1 > 40.0 and e2 > 40.0 and k > 0.0) or k > 1000.0:
            break
        k += 1.0
    return min(1.0, max(0.0, total))


@njit(cache=True)
def exp_poly(m):
    """``1 + m + m^2/2 + m^3/6 + m^4/24 <= exp(m)`` for ``m >= 0``: ``p < 1 / exp_poly(m)``
    is necessary for ``p < exp(-m)`` (tested as ``p * exp_poly(m) < 1``, no division)."""
    return 1.0 + m * (1.0 + m * (0.5 + m * (1.0 / 6.0 + m * (1.0 / 24.0))))


_LN2_HI = 6.93147180369123816490e-01  # ln 2 in two parts (fdlibm's split): n * _LN2_HI
_LN2_LO = 1.90821492927058770002e-10  # is exact for the n < 2^21 used here
_EXP_TAYLOR = tuple(1.0 / math.factorial(k) for k in range(13, -1, -1))  # 1/13!, ..., 1/0!
# 2^-(2^i), i = 0..5: 2^-n as the product of the factors of n's bits (exact)
_HALVINGS = (0.5, 0.25, 0.0625, 0.00390625, 1.52587890625e-05, 2.3283064365386963e-10)


@njit(cache=True)
def exp_neg(m):
    """``exp(-m)`` for the barrier probabilities: 0 for ``m > 40`` (below 5e-18, under a
    uniform's resolution), 1 for ``m <= 0``. Plain arithmetic, no table lookups, so that the
    lane loops vectorise (the C library's ``exp`` is called lane by lane, and on AVX2 the
    table lookups of an earlier version were gathers that LLVM's cost model refused, leaving
    the whole lane step scalar): ``-m = r - n ln 2`` with ``n = round(m / ln 2)`` and
    ``|r| <= ln 2 / 2``, ``exp(r)`` by its Taylor polynomial to degree 13 (truncation below
    5e-18 relative), times ``2^-n`` as a product of exact powers of two picked by the bits
    of ``n`` (at most 58). Within one unit in the last place of ``math.exp`` (tested); the
    kernels use it alike, so lanes and the scalar kernel agree bit for bit."""
    mc = min(max(m, 0.0), 40.0)
    n = np.int32(mc * 1.4426950408889634 + 0.5)  # floor of a positive number: int32 (AVX2)
    nf = float(n)
    r = (nf * _LN2_HI - mc) + nf * _LN2_LO
    p = 0.0
    for c in _EXP_TAYLOR:  # Horner, unrolled by LLVM
        p = p * r + c
    scale = 1.0
    for i in range(6):  # unrolled by LLVM: selects, no table
        scale *= _HALVINGS[i] if (n >> i) & 1 else 1.0
    return 0.0 if m > 40.0 else scale * p


@njit(cache=True)
def first_through(d0, d1, e0, width, two_over_var, u):
    """Is ``u < P(first exit through this barrier)`` for an interior end (``d1 > 0``), given
    ``u < e0 = exp(-d0 d1 two_over_var)`` (the one-barrier touch probability)? The series is
    ``e0 - C`` with ``0 <= C <= exp(-width (width + d1 - d0) two_over_var)`` (its terms alternate
    and shrink), so it is summed only when ``u`` falls in that thin band."""
    if (e0 - u) * exp_poly(width * (width + d1 - d0) * two_over_var) > 1.0:
        return True
    return u < first_exit_series(d0, d1, width, two_over_var)


@njit(cache=True)
def exit_first(a0, a1, b0, b1, two_over_var, u):
    """Which barrier a Brownian bridge leaves the strip through first: 0 (neither), 1 (the
    lower) or 2 (the upper). ``a0, a1``: start and end distances above the lower barrier,
    ``b0, b1``: below the upper (``a0, b0 > 0``; an end may lie outside); ``two_over_var = 2 / v``;
    ``u``: the step's uniform. Exact (the two-barrier image series of
    :func:`first_exit_series`, not one barrier at a time): ``u < P(lower first)`` ->
    lower, ``1 - u < P(upper first)`` -> upper, so a nearer lower barrier turns "neither"
    into "lower" and "upper" into "neither", path by path (common random numbers).

    Cheap bounds decide almost every step without the series: ``P(first) <= exp(-m) <=
    1 /`` :func:`exp_poly` ``(m)`` with ``m = d0 d1 two_over_var`` (the one-barrier touch
    probability), then :func:`first_through`.
    """
    width = a0 + b0
    if a1 <= 0.0:  # ended at or below the lower barrier: it left; was the upper first?
        if (1.0 - u) * exp_poly(b0 * b1 * two_over_var) >= 1.0:
            return 1
        return 2 if 1.0 - u < first_exit_series(b0, b1, width, two_over_var) else 1
    if b1 <= 0.0:
        if u * exp_poly(a0 * a1 * two_over_var) >= 1.0:
            return 2
        return 1 if u < first_exit_series(a0, a1, width, two_over_var) else 2
    ml = a0 * a1 * two_over_var
    if u * exp_poly(ml) < 1.0:
        el = exp_neg(ml)
        if u < el and first_through(a0, a1, el, width, two_over_var, u):
            return 1
    mu = b0 * b1 * two_over_var
    if (1.0 - u) * exp_poly(mu) < 1.0:
        eu = exp_neg(mu)
        if 1.0 - u < eu and first_through(b0, b1, eu, width, two_over_var, 1.0 - u):
            return 2
    return 0


@njit(cache=True)
def strip_exit(y0, y1, y_liq, y_stop, y_take_profit, two_over_var, u):
    """A step from log price ``y0`` to ``y1`` with both exits continuous: the lower exit is
    the nearer of liquidation ``y_liq`` (code 2) and the stop ``y_stop`` (code 1), the upper
    the take-profit (code 0); :func:`exit_first` decides with the uniform ``u``.
    Returns ``(code, y_exit, d0, width)``: the exit (-1: neither), its log price, the
    start's distance to it and the strip's width."""
    if y_liq >= y_stop:
        lower = y_liq
        lower_code = 2
    else:
        lower = y_stop
        lower_code = 1
    width = y_take_profit - lower
    first = exit_first(
        y0 - lower, y1 - lower, y_take_profit - y0, y_take_profit - y1, two_over_var, u
    )
    if first == 1:
        return lower_code, lower, y0 - lower, width
    if first == 2:
        return 0, y_take_profit, y_take_profit - y0, width
    return -1, 0.0, 0.0, width


@njit(cache=True)
def strip_ratio(d0, width, t):
    """First-passage density to a barrier at time ``t`` (variance units) from distance
    ``d0`` with a second barrier ``width`` beyond the start, divided by the density without
    it: ``sum_k (d0 + 2kW) / d0 exp(-((d0 + 2kW)^2 - d0^2) / 2t)`` over all integers k
    (images; k = 0 gives 1). In [0, 1]: the probability that a path first reaching the
    barrier at ``t`` did not leave through the other one before."""
    r = 1.0
    k = 1.0
    while k < 1000.0:
        dm = d0 - 2.0 * k * width
        dp = d0 + 2.0 * k * width
        em = (dm * dm - d0 * d0) / (2.0 * t)
        ep = (dp * dp - d0 * d0) / (2.0 * t)
        if em <= 40.0:
            r += dm / d0 * math.exp(-em)
        if ep <= 40.0:
            r += dp / d0 * math.exp(-ep)
        if em > 40.0 and ep > 40.0:
            break
        k += 1.0
    return min(1.0, max(0.0, r))


@njit(cache=True)
def hit_fraction(d0, c, v, width, s0, s1, s2, s3):
    """When, as a fraction of the step, a Brownian bridge of variance ``v`` starting ``d0``
    from a barrier and ending ``c = |d1|`` from it first reaches it, given that it leaves
    the strip of ``width`` (``inf``: no second barrier) through this barrier first.

    Without the second barrier the hitting time ``t`` of the bridge has ``x = t / (v - t)``
    inverse Gaussian with mean ``mu = d0 / c`` and shape ``d0^2 / v`` (Levy when ``c = 0``),
    sampled by Michael, Schucany & Haas (1976): with ``r = z^2 v / (2 d0 c)`` and
    ``q = 1 + r + sqrt(r^2 + 2r)`` the root is ``x = mu / q`` (taken when
    ``u (q + 1) <= q``), else ``mu q``; the fraction ``x / (1 + x)`` is then
    ``d0 / (c q + d0)`` or ``d0 q / (c + d0 q)``. The second barrier is honoured by
    rejection: a time is kept with probability :func:`strip_ratio` (the ratio of the two
    first-passage densities; the density of the bridge's end given the time cancels).
    Returns ``(fraction, s0..s3)``.
    """
    frac = 1.0
    for _try in range(1000):
        z, s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        vy = v * z * z
        if c <= 1e-12 * d0:  # Levy: x = d0^2 / (v z^2)
            frac = d0 * d0 / (d0 * d0 + vy)
        else:
            r = vy / (2.0 * d0 * c)
            q = 1.0 + r + math.sqrt(r * (r + 2.0))
            if _u53(w) * (q + 1.0) <= q:
                frac = d0 / (c * q + d0)
            else:
                frac = d0 * q / (c + d0 * q)
        if width == np.inf:
            break
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        u = _u53(w)
        t = v * frac
        # the ratio is 1 - T + (terms < T / 10), T = (2W - d0) / d0 exp(-2 W (W - d0) / t)
        # (the nearest image): keep the time at once when u < 1 - 2T, which is almost always
        dp = d0 * exp_poly(2.0 * width * (width - d0) / t)  # T <= (2W - d0) / dp
        if u * dp < dp - 2.0 * (2.0 * width - d0):
            break
        if u < strip_ratio(d0, width, t):
            break
    return frac, s0, s1, s2, s3
