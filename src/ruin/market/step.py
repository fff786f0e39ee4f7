"""One step of one position's price path on the path clock.

The path clock runs across trades (a trade starts when the previous one ends). Each day of
the clock has its own variance (:func:`new_day`: GARCH, Student-t mixing) and its steps
(adapted to the day's volatility, or fixed); :func:`step` moves one position by one step:
a normal shock, the exits inside the step decided exactly (:mod:`ruin.market.bridge`) at
their first-passage times, then a crash jump at the step's end, the discrete checks,
funding and the time stop.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from ..engine.rng import (
    _u53,
    seed4,
    step4,
    zig_exponential,
    zig_normal,
)
from .bridge import hit_fraction, strip_exit, touch_probability
from .liquidation import liquidation_level

__all__ = [
    "DayTerms",
    "StepTerms",
    "Day",
    "PathTime",
    "Position",
    "STEP_WIDTHS",
    "day_variance",
    "new_day",
    "path_start",
    "step",
    "step_end",
]

STEP_WIDTHS = 2.0  # one-position adaptive steps: step sd = exit width / STEP_WIDTHS


class DayTerms(NamedTuple):
    """Constants of :func:`new_day`."""

    garch: bool
    garch_omega: float
    garch_alpha: float
    garch_beta: float
    tails: bool
    tails_df: float
    tails_int_df: int  # integer degrees of freedom <= 30 (chi-square from uniforms), else 0
    adaptive: bool  # steps follow the day's volatility (one position, continuous)
    exit_width: float  # log distance between the lower exit and the take-profit
    funding_per_day: int  # funding times per day when whole intervals fit in a day, else 0
    drift: float  # per day, in the trade's favour


class StepTerms(NamedTuple):
    """Constants of :func:`step`."""

    side: float
    y_take_profit: float
    y_stop: float
    drift: float
    on_grid: bool  # steps end on the clock's grid of multiples of the step
    discrete: bool  # stop and take-profit checked at grid points only
    max_hold: float  # days (0: no time stop)
    jump_mean: float
    jump_sd: float
    jump_floor: float  # log(1 + crash_cap): the largest crash
    jumps_per_day: float
    funding_rate: float
    funding_interval: float  # days
    maintenance: float
    mmr: float
    max_steps: int  # steps after which a trade is closed at market (a time exit)
    pump_share: float  # share of the jumps that are pumps (up); 0: crashes only
    pump_mean: float  # pump: mean log size
    pump_sd: float


class Day(NamedTuple):
    """The current day of the path clock and the steps it is cut into."""

    end: float  # midnight
    next_start: float  # the next day starts at clock >= next_start (round-off)
    variance: float  # GARCH's conditional variance per day (sigma^2 without GARCH)
    day_var: float  # this day's variance per day (Student-t mixing included)
    dt: float  # step length, days
    step_var: float  # variance of a full step
    step_sd: float
    two_over_var: float  # 2 / step_var
    step_drift: float  # drift over a full step


class PathTime(NamedTuple):
    """Where the path's clock stands."""

    clock: float  # days since the path started
    next_jump: float  # clock time of the next crash jump (a Poisson process)
    day_return: float  # the day's diffusive log return so far (drives GARCH)


class Position(NamedTuple):
    """An open position."""

    y: float  # log price in the trade's favour, side * log(P / entry)
    elapsed: float  # days since it opened
    steps: int
    paid: float  # paid out of the margin (entry costs, funding) per unit notional
    funding: float  # the funding part of ``paid``
    y_liq: float  # liquidation barrier (-inf: none)


@njit(cache=True)
def step_end(clock, dt, on_grid, day_end, next_jump, maxhold, elapsed):
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
def day_variance(h, tails, tdf, t_int, s0, s1, s2, s3):
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
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        z, s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
        v = 1.0 + c * z
        if v <= 0.0:
            continue
        v = v * v * v
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        u = _u53(w)
        if u < 1.0 - 0.0331 * z**4 or math.log(max(u, 1e-300)) < 0.5 * z * z + d * (
            1.0 - v + math.log(v)
        ):
            return h * 0.5 * (tdf - 2.0) / (d * v), s0, s1, s2, s3


@njit(cache=True)
def new_day(time, day, s0, s1, s2, s3, terms):
    """A new day on the path clock (``time.clock >= day.next_start``): GARCH's update on the
    last day's return, the day's variance (Student-t mixing) and the steps that follow it
    (adaptive: step sd = exit width / :data:`STEP_WIDTHS` at this day's volatility, on the
    funding grid). Returns ``(time, day, s0..s3)``."""
    h = day.variance
    if terms.garch and day.next_start > 0.0:
        h = (
            terms.garch_omega
            + terms.garch_alpha * time.day_return * time.day_return
            + terms.garch_beta * h
        )
    day_end = math.floor(time.clock + 1e-9) + 1.0
    vday, s0, s1, s2, s3 = day_variance(
        h, terms.tails, terms.tails_df, terms.tails_int_df, s0, s1, s2, s3
    )
    dtd = day.dt
    if terms.adaptive:
        nd = math.ceil(min(1e6, vday * (STEP_WIDTHS / terms.exit_width) ** 2) - 1e-9)
        nd = max(1.0, nd)
        fpd = terms.funding_per_day
        if fpd > 0:  # funding times on the step grid
            nd = fpd * math.ceil(nd / fpd)
        dtd = 1.0 / nd
    v_f = vday * dtd
    day = Day(
        day_end, day_end - 1e-9, h, vday, dtd, v_f, math.sqrt(v_f), 2.0 / v_f, terms.drift * dtd
    )
    return PathTime(time.clock, time.next_jump, 0.0), day, s0, s1, s2, s3


@njit(cache=True)
def step(pos, time, day, s0, s1, s2, s3, margin, terms):
    """One step of one position (the day already started): the price moves by a normal
    shock over the step (cut at midnight, the next jump and the time stop, see
    :func:`step_end`), exits inside the step are decided exactly
    (:func:`~ruin.market.bridge.exit_first`) and happen at their first-passage times
    (:func:`~ruin.market.bridge.hit_fraction`), then a jump at the step's end, discrete
    checks, funding and the time stop. ``margin`` backs the position (per unit notional).
    Returns ``(code, y_exit, pos, time, s0..s3)``: ``code`` -1 (still open) or the exit
    (``y_exit``: the log price it closed at).
    """
    y = pos.y
    clock = time.clock
    day_return = time.day_return
    elapsed = pos.elapsed
    next_jump = time.next_jump
    y_liq = pos.y_liq
    steps = pos.steps + 1
    code = -1
    yf = 0.0
    end, ln, jump_now, grid = step_end(
        clock, day.dt, terms.on_grid, day.end, next_jump, terms.max_hold, elapsed
    )
    if abs(ln - day.dt) <= 1e-9 * day.dt:
        v = day.step_var
        sd = day.step_sd
        two_over_var = day.two_over_var
        step_drift = day.step_drift
    else:
        ln = max(ln, 1e-12)
        v = day.day_var * ln
        sd = math.sqrt(v)
        two_over_var = 2.0 / v
        step_drift = terms.drift * ln
    z, s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
    e = sd * z
    y0 = y
    y1 = y0 + step_drift + e
    # one uniform per step decides the exits inside it (always drawn, so runs that differ
    # only in a barrier keep common random numbers)
    w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
    u_exit = _u53(w)
    d0 = 0.0
    width = np.inf  # the strip's width when both exits are continuous
    if not terms.discrete:
        code, yf, d0, width = strip_exit(
            y0, y1, y_liq, terms.y_stop, terms.y_take_profit, two_over_var, u_exit
        )
    elif y_liq > -np.inf and u_exit < touch_probability(y0 - y_liq, y1 - y_liq, v):
        code = 2
        yf = y_liq
        d0 = y0 - y_liq
    if code >= 0:  # left inside the step: at the bridge's first-passage time
        frac, s0, s1, s2, s3 = hit_fraction(d0, abs(yf - y1), v, width, s0, s1, s2, s3)
        day_return += (yf - y0) - step_drift * frac
        elapsed += ln * frac
        clock += ln * frac
        return (
            code,
            yf,
            Position(y, elapsed, steps, pos.paid, pos.funding, y_liq),
            PathTime(clock, next_jump, day_return),
            s0,
            s1,
            s2,
            s3,
        )
    day_return += e
    if jump_now:  # a jump at the step's end (crash or pump); gaps fill at the new price
        zj, s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
        jump = max(terms.jump_mean + terms.jump_sd * zj, terms.jump_floor)
        if terms.pump_share > 0.0:  # (no draw without pumps: crash-only streams unchanged)
            w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
            if _u53(w) < terms.pump_share:
                jump = terms.pump_mean + terms.pump_sd * zj
        y1 += terms.side * jump
        ej, s0, s1, s2, s3 = zig_exponential(s0, s1, s2, s3)
        next_jump = end + ej / terms.jumps_per_day
        if y1 <= y_liq:
            code = 2
            yf = y1
        elif not terms.discrete and y1 <= terms.y_stop:
            code = 1
            yf = y1
        elif not terms.discrete and y1 >= terms.y_take_profit:
            code = 0
            yf = y1
    if code < 0 and terms.discrete and grid:
        if y1 <= terms.y_stop:  # a check (a grid point, not a jump or a day's end)
            code = 1
            yf = y1
        elif y1 >= terms.y_take_profit:
            code = 0
            yf = y1
    y = y1
    elapsed += ln
    c_old = clock
    clock = end
    paid = pos.paid
    funding = pos.funding
    if code < 0 and terms.funding_rate != 0.0:  # funding at every funding time in the step
        fint = terms.funding_interval
        nf = math.floor(clock / fint + 1e-9) - math.floor(c_old / fint + 1e-9)
        if nf > 0:
            pay = terms.side * terms.funding_rate * nf * math.exp(terms.side * y)
            paid += pay
            funding += pay
            y_liq = liquidation_level(terms.side, margin, paid, terms.maintenance, terms.mmr)
            if y <= y_liq:
                code = 2
                yf = y
    if code < 0 and (
        terms.max_hold > 0.0 and elapsed >= terms.max_hold - 1e-9 or steps >= terms.max_steps
    ):
        code = 3
        yf = y
    return (
        code,
        yf,
        Position(y, elapsed, steps, paid, funding, y_liq),
        PathTime(clock, next_jump, day_return),
        s0,
        s1,
        s2,
        s3,
    )


@njit(cache=True)
def path_start(key0, key1, index, jumps, jumps_per_day):
    """A path's stream and the clock time of its first crash jump (a Poisson process)."""
    s0, s1, s2, s3 = seed4(key0, key1, index)
    next_jump = np.inf
    if jumps:
        ej, s0, s1, s2, s3 = zig_exponential(s0, s1, s2, s3)
        next_jump = ej / jumps_per_day
    return next_jump, s0, s1, s2, s3
