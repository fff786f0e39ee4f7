"""One step of one position's price path on the path clock.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..engine.rng import (
    _u53,
    seed4,
    step4,
    zig_exponential,
    zig_normal,
)
from .bridge import _cross, _hit_fraction, _strip_exit
from .liquidation import _liq_y
from .plan import _STEP_WIDTHS


@njit(inline="always", cache=True)
def _step_end(clock, dt, on_grid, day_end, next_jump, maxhold, elapsed):
    """Where a step starting at ``clock`` ends: at the next point of the clock's grid of
    multiples of ``dt`` (``on_grid``: funding times and discrete checks lie on it) or
    ``dt`` after the start, cut at midnight (``day_end``), at the next crash jump and at the
    time stop (``maxhold`` days after the trade opened, ``elapsed`` ago). Returns ``(end,
    length, jump_now, grid)``: ``jump_now`` if the step ends at the jump, ``grid`` if it
    ends on a grid point (a check of discrete monitoring)."""
    grid = on_grid
    if on_grid:
        end = (math.floor(clock / dt + 1e-6) + 1.0) * dt
    else:
        end = clock + dt
    if end > day_end - 1e-6 * dt:
        if end > day_end + 1e-6 * dt:  # midnight comes before the grid point
            grid = False
        end = day_end
    jump_now = next_jump < end
    if jump_now:
        end = next_jump
        grid = False
    ln = end - clock
    if maxhold > 0.0 and maxhold - elapsed < ln - 1e-12:
        ln = maxhold - elapsed
        end = clock + ln
        jump_now = False
        grid = False
    return end, ln, jump_now, grid


@njit(cache=True)
def _day_variance(h, tails, tdf, t_int, s0, s1, s2, s3):
    """Variance per day of a new day: ``h`` (GARCH's conditional variance, or sigma^2) times
    the Student-t mixing factor ``(df - 2) / chi2_df`` (a normal variance mixture with unit
    variance, so a day's diffusive return is a scaled Student-t). Returns ``(v, s0..s3)``."""
    if not tails:
        return h, s0, s1, s2, s3
    if t_int > 0:  # integer degrees of freedom: chi-square from uniforms (and a normal)
        prod = 1.0
        for _q in range(t_int // 2):
            w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
            prod *= 1.0 - _u53(w)
        chi = -2.0 * math.log(prod)
        if t_int % 2 == 1:
            z, s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
            chi += z * z
        return h * (tdf - 2.0) / chi, s0, s1, s2, s3
    a = 0.5 * tdf  # Gamma(a, 1), a >= 1 (Marsaglia & Tsang 2000); chi2 = 2 gamma
    d = a - 1.0 / 3.0
    cc = 1.0 / math.sqrt(9.0 * d)
    while True:
        z, s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
        v = 1.0 + cc * z
        if v <= 0.0:
            continue
        v = v * v * v
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        u = _u53(w)
        if u < 1.0 - 0.0331 * z**4 or \
                math.log(max(u, 1e-300)) < 0.5 * z * z + d * (1.0 - v + math.log(v)):
            return h * 0.5 * (tdf - 2.0) / (d * v), s0, s1, s2, s3


@njit(inline="always", cache=True)
def _new_day(clock, next_day, h, eday, dtd, s0, s1, s2, s3, cday):
    """A new day on the path clock (``clock >= next_day``): GARCH's update on the last
    day's return ``eday``, the day's variance (Student-t mixing) and the steps that follow
    it. ``cday = (garch, gw, ga, gb, tails, tdf, t_int, adapt, width, fpd, nu)``. Returns
    ``(h, eday, day_end, next_day, vday, dtd, v_f, sd_f, tov_f, nudt_f, s0..s3)``: the
    step of ``dtd`` days has variance ``v_f`` (sd ``sd_f``, ``tov_f = 2 / v_f``) and drift
    ``nudt_f``."""
    garch, gw, ga, gb, tails, tdf, t_int, adapt, width, fpd, nu = cday
    if garch and next_day > 0.0:
        h = gw + ga * eday * eday + gb * h
    eday = 0.0
    day_end = math.floor(clock + 1e-9) + 1.0
    next_day = day_end - 1e-9  # the next day starts at clock >= next_day (round-off)
    vday, s0, s1, s2, s3 = _day_variance(h, tails, tdf, t_int, s0, s1, s2, s3)
    if adapt:  # step sd = width / _STEP_WIDTHS at this day's volatility
        nd = math.ceil(min(1e6, vday * (_STEP_WIDTHS / width) ** 2) - 1e-9)
        nd = max(1.0, nd)
        if fpd > 0:  # funding times on the step grid
            nd = fpd * math.ceil(nd / fpd)
        dtd = 1.0 / nd
    v_f = vday * dtd
    return (h, eday, day_end, next_day, vday, dtd, v_f, math.sqrt(v_f), 2.0 / v_f, nu * dtd,
            s0, s1, s2, s3)


@njit(inline="always", cache=True)
def _step(y, clock, eday, elapsed, steps, next_jump, phi, fac, lq, s0, s1, s2, s3,
          dtd, day_end, vday, v_f, sd_f, tov_f, nudt_f, m_eff, cstep):
    """One step of one position (the day already started): the price moves by a normal
    shock over the step (cut at midnight, the next jump and the time stop, see
    :func:`_step_end`), exits inside the step are decided exactly (:func:`_exit_first`) and
    happen at their first-passage times (:func:`_hit_fraction`), then a jump at the step's
    end, discrete checks, funding and the time stop. ``cstep = (side, ytp, ysl, nu,
    on_grid, discrete, maxhold, jmu, jsd, jfloor, lam_day, fund, fint, cc, mmr,
    max_steps)``. Returns ``(code, yf, y, clock, eday, elapsed, steps, next_jump, phi, fac,
    lq, s0..s3)``: ``code`` -1 (still open) or the exit (``yf``: the log price it closed at).
    """
    (side, ytp, ysl, nu, on_grid, discrete, maxhold, jmu, jsd, jfloor, lam_day, fund, fint,
     cc, mmr, max_steps) = cstep
    steps += 1
    code = -1
    yf = 0.0
    end, ln, jump_now, grid = _step_end(clock, dtd, on_grid, day_end, next_jump, maxhold,
                                        elapsed)
    if abs(ln - dtd) <= 1e-9 * dtd:
        v = v_f
        sd = sd_f
        tov = tov_f
        nudt = nudt_f
    else:
        ln = max(ln, 1e-12)
        v = vday * ln
        sd = math.sqrt(v)
        tov = 2.0 / v
        nudt = nu * ln
    z, s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
    e = sd * z
    y0 = y
    y1 = y0 + nudt + e
    # one uniform per step decides the exits inside it (always drawn, so runs that differ
    # only in a barrier keep common random numbers)
    w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
    ux = _u53(w)
    d0 = 0.0
    wid = np.inf  # the strip's width when both exits are continuous
    if not discrete:
        code, yf, d0, wid = _strip_exit(y0, y1, lq, ysl, ytp, tov, ux)
    elif lq > -np.inf and ux < _cross(y0 - lq, y1 - lq, v):
        code = 2
        yf = lq
        d0 = y0 - lq
    if code >= 0:  # left inside the step: at the bridge's first-passage time
        frac, s0, s1, s2, s3 = _hit_fraction(d0, abs(yf - y1), v, wid, s0, s1, s2, s3)
        eday += (yf - y0) - nudt * frac
        elapsed += ln * frac
        clock += ln * frac
        return (code, yf, y, clock, eday, elapsed, steps, next_jump, phi, fac, lq,
                s0, s1, s2, s3)
    eday += e
    if jump_now:  # a crash jump at the step's end; gaps fill at the new price
        zj, s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
        y1 += side * max(jmu + jsd * zj, jfloor)
        ej, s0, s1, s2, s3 = zig_exponential(s0, s1, s2, s3)
        next_jump = end + ej / lam_day
        if y1 <= lq:
            code = 2
            yf = y1
        elif not discrete and y1 <= ysl:
            code = 1
            yf = y1
        elif not discrete and y1 >= ytp:
            code = 0
            yf = y1
    if code < 0 and discrete and grid:
        if y1 <= ysl:  # a check (a grid point, not a jump or a day's end)
            code = 1
            yf = y1
        elif y1 >= ytp:
            code = 0
            yf = y1
    y = y1
    elapsed += ln
    c_old = clock
    clock = end
    if code < 0 and fund != 0.0:  # funding at every funding time inside this step
        nf = math.floor(clock / fint + 1e-9) - math.floor(c_old / fint + 1e-9)
        if nf > 0:
            pay = side * fund * nf * math.exp(side * y)
            phi += pay
            fac += pay
            lq = _liq_y(side, m_eff, phi, cc, mmr)
            if y <= lq:
                code = 2
                yf = y
    if code < 0 and (maxhold > 0.0 and elapsed >= maxhold - 1e-9 or steps >= max_steps):
        code = 3
        yf = y
    return code, yf, y, clock, eday, elapsed, steps, next_jump, phi, fac, lq, s0, s1, s2, s3


@njit(inline="always", cache=True)
def _path_start(key0, key1, index, jumps, lam_day):
    """A path's stream and the clock time of its first crash jump (a Poisson process)."""
    s0, s1, s2, s3 = seed4(key0, key1, index)
    next_jump = np.inf
    if jumps:
        ej, s0, s1, s2, s3 = zig_exponential(s0, s1, s2, s3)
        next_jump = ej / lam_day
    return next_jump, s0, s1, s2, s3
