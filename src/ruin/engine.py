"""The compiled account engine: one pass per path, per-path results only.

Every trade model is reduced to per-trade outcomes in R before it reaches this module. The
kernels walk each path once, applying sizing, the absorbing ruin and goal barriers, and
tracking peak, maximum drawdown, losing streaks and time under water. They never build a
paths x trades matrix, except for the handful of paths recorded for charts.

State variable ``x`` per path:

* fractional sizing: ``x = log(E / E0)``; a trade with outcome r R adds ``log(1 + risk*r)``
  (``-inf`` when ``1 + risk*r <= 0``: the account is gone).
* fixed sizing: ``x = (E - E0) / R0`` (net R won, R0 = risk x E0); a trade adds r and
  ``x`` is floored at ``-1/risk`` (equity never below 0).

Thresholds are compared with a relative tolerance of 1e-9 (:data:`TOL`) so that float
round-off can never keep a path alive that the exact arithmetic has ruined (ten 10% fixed
losses ruin exactly; ten +10% fixed steps reach a goal of 2x exactly).

Shared per-trade bookkeeping (for every kernel, including joint path/account kernels)
----------------------------------------------------------------------------------------
The account side of a path is one tuple ``acc`` updated by :func:`acc_update` (or
:func:`acc_trade`) once per trade; every kernel here uses these ``@njit(inline="always")``
helpers, and a kernel elsewhere (e.g. a leveraged model where cross margin, GARCH volatility
or concurrent positions make the price path depend on the account) should use them too::

    ruin_cut, goal_cut = barrier_cuts(ruin_x, goal_x)
    acc = acc_new(fractional, risk)
    t_ruin = t_goal = -1
    for t in range(n_trades):
        r = ...                                  # this trade's outcome in R
        step = r_to_step(r, fractional, risk)    # state increment
        acc = acc_trade(acc, step, r, fractional, c_fixed(fractional, risk), x_floor)
        x = acc[0]
        if x <= ruin_cut:
            t_ruin = t + 1
            break
        if x >= goal_cut:
            t_goal = t + 1
            break
    acc_store(i, acc, t_ruin, t_goal, fractional, risk,
              final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken)

``acc`` = ``(x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n)``: state, running
peak of ``x``, drawdown scale (1 for log equity; ``1 / (1/risk + peak)`` for fixed stakes so
that ``(peak - x) * inv`` is the drawdown as a fraction of peak equity), the peak's
round-off allowance, max drawdown in state units, current and longest losing streak,
current and longest run of trades under water, wins and trades taken. The tuple form above
is the convenient one; in a hot loop prefer the unpacked form
``x, peak, ..., n = acc_update(x, peak, ..., n, step, win, loss, fractional, c, x_floor)``
(what the kernels here do), which keeps every value in a register. Use :func:`acc_equity`
for the equity multiple ``E / E0`` of a state ``x``, and :func:`stake_fraction` for the
amount risked on the next trade as a fraction of starting equity (to convert per-trade
amounts in R, such as fees, into fractions of start).

Kernels
-------
* ``KERNELS[(model, fractional)]``: parallel kernels for the i.i.d. models (random numbers
  drawn inside; path i uses stream ``seed4(key0, key1, path_offset + i)``, so results are
  independent of thread count and chunking), compiled with model and sizing rule fixed.
  The two-point (Bernoulli) model walks 16 paths side by side, two trades per 64-bit draw
  and eight trades per load and store of the lane state: :func:`_lane_trade` is
  :func:`acc_update`'s arithmetic written branch-free (a stopped lane adds 0.0 and its
  counters stop growing), so LLVM vectorises the lane loop (AVX2 / AVX-512). When a quarter
  or fewer of a block's lanes are still running, those paths are re-walked alone. Results
  are bit-identical to the one-path walk (tested).
* Speed (``benchmarks/bench_engine.py``): with ruin, drawdown, streak and under-water
  tracking, about 0.9-1.3 G path-trades per second per core for the Bernoulli model with
  512-bit vectors (:mod:`ruin._vector_width`; 0.65-0.85 G with 256-bit ones), 1.3-2.1 G/s
  on two cores (76-102x the naive numpy full-matrix version), and 0.1-0.2 G per core for
  the table-driven models.
* :func:`run_record`: the same walk, serial, also writing full equity curves (charts).
* :func:`run_given`: consumes per-trade outcomes produced elsewhere (``r``, exit codes,
  per-trade amounts); :func:`simulate_given` is its Python wrapper.
"""

from __future__ import annotations

import functools
import math
import os

import numpy as np
from numba import njit, prange, uint64

from .errors import ParameterError, check_choice, check_number
from .rng import seed4, step4

__all__ = [
    "MODEL_TWO_POINT",
    "MODEL_ALIAS",
    "MODEL_BLOCK",
    "EXIT_NAMES",
    "TOL",
    "KERNELS",
    "alias_table",
    "thresholds",
    "run_record",
    "run_paths",
    "run_given",
    "simulate_given",
    "barrier_cuts",
    "c_fixed",
    "r_to_step",
    "acc_new",
    "acc_update",
    "acc_trade",
    "acc_equity",
    "acc_store",
    "stake_fraction",
    "default_threads",
]

MODEL_TWO_POINT = 0  # Bernoulli: one 32-bit uniform per trade (P(win) quantised to 2**-32)
MODEL_ALIAS = 1  # discrete distribution / i.i.d. bootstrap: Walker alias table
MODEL_BLOCK = 2  # circular block bootstrap over a trade list

#: Exit codes of :func:`run_given` (column order of ``exit_counts``).
EXIT_NAMES = ("take_profit", "stop", "liquidation", "time")

TOL = 1e-9  # relative tolerance on ruin / goal thresholds and on "at the peak"
_MASK32 = uint64(0xFFFFFFFF)
_TO_DOUBLE = 1.0 / 9007199254740992.0  # 2**-53


def alias_table(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker/Vose alias table: ``(accept, alias)`` for O(1) sampling of ``probs``."""
    p = np.asarray(probs, dtype=np.float64)
    k = p.size
    scaled = p * k / p.sum()
    accept = np.ones(k, dtype=np.float64)
    alias = np.arange(k, dtype=np.int64)
    small = [i for i in range(k) if scaled[i] < 1.0]
    large = [i for i in range(k) if scaled[i] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        accept[s] = scaled[s]
        alias[s] = g
        scaled[g] = scaled[g] + scaled[s] - 1.0
        (small if scaled[g] < 1.0 else large).append(g)
    return accept, alias


def thresholds(
    rule: str, risk: float, ruin_level: float, goal: float | None
) -> tuple[float, float, float]:
    """State-space floor, ruin and goal levels ``(x_floor, ruin_x, goal_x)``.

    Parameters
    ----------
    rule : {"fractional", "fixed"}
        Sizing rule (see the module docstring for the state variable of each).
    risk : float
        Fraction of equity (fractional) or of starting equity (fixed) risked per trade.
    ruin_level : float
        Ruin when equity <= ruin_level x start (0 = bust).
    goal : float or None
        Goal multiple of start, or None for no goal.
    """
    if rule == "fractional":
        x_floor = -math.inf
        ruin_x = math.log(ruin_level) if ruin_level > 0 else -math.inf
        goal_x = math.log(goal) if goal is not None else math.inf
    else:
        x_floor = -1.0 / risk
        ruin_x = (ruin_level - 1.0) / risk
        goal_x = (goal - 1.0) / risk if goal is not None else math.inf
    return float(x_floor), float(ruin_x), float(goal_x)


# ---------------------------------------------------------------------------------------
# Shared per-trade bookkeeping (inlined into every kernel; see the module docstring).
# ---------------------------------------------------------------------------------------


@njit(inline="always", cache=True)
def barrier_cuts(ruin_x, goal_x):
    """``(ruin_cut, goal_cut)``: ruin when ``x <= ruin_cut``, goal when ``x >= goal_cut``.

    Each barrier is moved by a relative tolerance ``TOL * max(1, |level|)`` towards the
    start, so a state equal to the level up to round-off counts as having reached it.
    """
    ruin_tol = TOL * max(1.0, abs(ruin_x)) if ruin_x > -np.inf else 0.0
    goal_tol = TOL * max(1.0, abs(goal_x)) if goal_x < np.inf else 0.0
    return ruin_x + ruin_tol, goal_x - goal_tol


@njit(inline="always", cache=True)
def c_fixed(fractional, risk):
    """``1 / risk`` for fixed stakes (equity in units of R0 at x = 0), 0 for fractional."""
    return 0.0 if fractional else 1.0 / risk


@njit(inline="always", cache=True)
def r_to_step(r, fractional, risk):
    """State increment of an outcome of ``r`` R: ``log(1 + risk*r)`` (``-inf`` if <= 0) or r."""
    if fractional:
        g = 1.0 + risk * r
        return math.log(g) if g > 0.0 else -np.inf
    return r


@njit(inline="always", cache=True)
def acc_new(fractional, risk):
    """Account state at the start of a path (x = 0, at the peak, no drawdown)."""
    inv = 1.0 if fractional else 1.0 / (1.0 / risk)  # 1 / (c + peak) at peak 0
    return 0.0, 0.0, inv, TOL, 0.0, 0, 0, 0, 0, 0, 0


@njit(inline="always", cache=True)
def acc_update(
    x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n,
    step, win, loss, fractional, c, x_floor,
):
    """One trade's bookkeeping on the unpacked state; ``win``/``loss``: outcome > 0 / < 0.

    Updates state (floored at ``x_floor`` for fixed stakes), peak, max drawdown, losing
    streak, time under water (trades ending below the peak by more than the round-off
    allowance), wins and trades taken, and returns the 11 state values in the same order.
    Barrier tests are left to the caller. Keep the state in scalar locals in the trade loop
    (``x, peak, ... = acc_update(x, peak, ..., step, win, loss, ...)``): LLVM then keeps it
    in registers.
    """
    if fractional:
        x = x + step
    else:
        x = max(x + step, x_floor)
    n += 1
    nwin += np.int64(win)
    streak = streak + 1 if loss else 0
    mstreak = max(mstreak, streak)
    if x > peak:
        peak = x
        tolp = TOL * max(1.0, abs(peak))
        if not fractional:
            inv = 1.0 / (c + peak)
    mdd = max(mdd, (peak - x) * inv)
    uw = uw + 1 if x < peak - tolp else 0
    muw = max(muw, uw)
    return x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n


@njit(inline="always", cache=True)
def acc_trade(acc, step, r, fractional, c, x_floor):
    """Tuple form of :func:`acc_update` for an outcome of ``r`` R (win r > 0, loss r < 0)."""
    x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n = acc
    return acc_update(
        x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n,
        step, r > 0.0, r < 0.0, fractional, c, x_floor,
    )


@njit(inline="always", cache=True)
def acc_equity(x, fractional, risk):
    """Equity as a multiple of start for state ``x``."""
    return math.exp(x) if fractional else max(0.0, 1.0 + risk * x)


@njit(inline="always", cache=True)
def stake_fraction(x, fractional, risk):
    """Amount risked on the next trade (1 R) as a fraction of starting equity."""
    return risk * math.exp(x) if fractional else risk


@njit(inline="always", cache=True)
def acc_store(
    i, acc, t_ruin, t_goal, fractional, risk,
    final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken,
):
    """Write path ``i``'s results (MDD converted to a fraction of peak equity)."""
    x = acc[0]
    mdd = acc[4]
    final_eq[i] = acc_equity(x, fractional, risk)
    max_dd[i] = (1.0 - math.exp(-mdd)) if fractional else min(mdd, 1.0)
    ruin_t[i] = t_ruin
    goal_t[i] = t_goal
    max_streak[i] = acc[6]
    max_uw[i] = acc[8]
    wins[i] = acc[9]
    taken[i] = acc[10]


# ---------------------------------------------------------------------------------------
# Random outcomes of the i.i.d. models.
# ---------------------------------------------------------------------------------------


@njit(inline="always", cache=True)
def draw_outcome(model, t, s0, s1, s2, s3, w, pos, thr32, n_out, accept, alias, block_len):
    """Index of the outcome of trade ``t`` (0-based) and the advanced stream state.

    Two-point model: the low (t even) or high (t odd) 32 bits of one 64-bit draw ``w``;
    index 1 (the win) when ``u32 < thr32``, else 0. Alias: one draw per trade through
    Walker's table (``accept``, ``alias``). Block bootstrap: one draw per block start
    (t a multiple of ``block_len``), then the trade list walked circularly from ``pos``.
    Returns ``(k, s0, s1, s2, s3, w, pos)``. Every kernel that must reproduce the engine's
    trades (e.g. :mod:`ruin.behaviour`) draws through this function.
    """
    if model == 0:
        if (t & 1) == 0:
            w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
            u = w & _MASK32
        else:
            u = w >> uint64(32)
        k = 1 if u < thr32 else 0
    elif model == 1:
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        v = float(w >> uint64(11)) * _TO_DOUBLE * n_out
        j = min(int(v), n_out - 1)
        k = j if (v - j) < accept[j] else alias[j]
    else:
        if t % block_len == 0:
            w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
            pos = min(int(float(w >> uint64(11)) * _TO_DOUBLE * n_out), n_out - 1)
        k = pos
        pos = pos + 1 if pos + 1 < n_out else 0
    return k, s0, s1, s2, s3, w, pos


@njit(inline="always", cache=True)
def _walk(
    i, model, fractional, key0, key1, path_offset, n_trades,
    steps, rvals, thr32, accept, alias, block_len,
    risk, x_floor, ruin_cut, goal_cut,
    final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken, rec,
):
    """Walk path ``i`` (stream ``path_offset + i``) and store its results.

    Outcome of trade t (0-based), by model: two-point -- the low (t even) or high (t odd)
    32 bits of one 64-bit draw, a win (``steps[1]``) when ``u32 < thr32``, else a loss
    (``steps[0]``); alias -- one draw per trade through Walker's table; block -- one draw per
    block start (t a multiple of ``block_len``), then the trade list walked circularly.
    If ``rec`` has a row for path i, it receives the equity multiple after each trade
    (column 0 = start); after ruin or goal the equity stays where it stopped.
    """
    c = c_fixed(fractional, risk)
    n_out = steps.shape[0]
    recording = i < rec.shape[0]
    s0, s1, s2, s3 = seed4(key0, key1, path_offset + i)
    w = uint64(0)
    pos = 0
    x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n = acc_new(fractional, risk)
    t_ruin = -1
    t_goal = -1
    for t in range(n_trades):
        k, s0, s1, s2, s3, w, pos = draw_outcome(
            model, t, s0, s1, s2, s3, w, pos, thr32, n_out, accept, alias, block_len
        )
        step = steps[k]
        rk = rvals[k]
        win = rk > 0.0
        loss = rk < 0.0
        x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n = acc_update(
            x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n,
            step, win, loss, fractional, c, x_floor,
        )
        if recording:
            rec[i, t + 1] = acc_equity(x, fractional, risk)
        if x <= ruin_cut:
            t_ruin = t + 1
            break
        if x >= goal_cut:
            t_goal = t + 1
            break
    if recording:
        rec[i, 0] = 1.0
        last = acc_equity(x, fractional, risk)
        for t2 in range(n + 1, n_trades + 1):
            rec[i, t2] = last
    acc_store(
        i, (x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n), t_ruin, t_goal,
        fractional, risk, final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken,
    )


_LANES = 16  # two-point paths walked side by side (the lane loops vectorise: AVX2/AVX-512)


@njit(inline="always", cache=True)
def _lane_trade(u, thr32, sw, sl, fractional, c, x_floor, ruin_cut, goal_cut,
                x, peak, mdd, streak, mstreak, uw, muw, nwin, n):
    """One two-point trade of one lane, branch-free; a stopped lane is left as it was.

    A lane runs while ``ruin_cut < x < goal_cut`` (a stopped path's frozen state stays
    outside that interval). The arithmetic is :func:`acc_update`'s, bit for bit: the state
    grows by ``steps[win]`` (by 0.0 once stopped, which changes nothing, fixed-stake floor
    included), the peak is ``max(peak, x)`` (peaks are >= 0, so the round-off allowance is
    ``TOL * max(1, peak)``), drawdown is scaled by ``1 / (c + peak)`` for fixed stakes, and
    streak / under-water counters only grow while running (their current values are not
    results; their maxima are).
    """
    alive = (x > ruin_cut) & (x < goal_cut)
    win = u < thr32
    step = sw if win else sl
    if fractional:
        x = x + (step if alive else 0.0)
    else:
        x = max(x + (step if alive else 0.0), x_floor)
    peak = max(peak, x)
    tolp = TOL * max(1.0, peak)
    if fractional:
        mdd = max(mdd, peak - x)
    else:
        mdd = max(mdd, (peak - x) * (1.0 / (c + peak)))
    streak = streak + 1 if (alive and not win) else 0
    mstreak = max(mstreak, streak)
    uw = uw + 1 if (alive and x < peak - tolp) else 0
    muw = max(muw, uw)
    nwin += np.int64(alive and win)
    n += np.int64(alive)
    return x, peak, mdd, streak, mstreak, uw, muw, nwin, n


@njit(inline="always", cache=True)
def _lane_draw(s0, s1, s2, s3, two, thr32, sw, sl, fractional, c, x_floor, ruin_cut,
               goal_cut, x, peak, mdd, streak, mstreak, uw, muw, nwin, n):
    """One 64-bit draw of one lane: its low half decides the first trade and (``two``) its
    high half the second. Returns the stream words and the state."""
    w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
    x, peak, mdd, streak, mstreak, uw, muw, nwin, n = _lane_trade(
        w & _MASK32, thr32, sw, sl, fractional, c, x_floor, ruin_cut, goal_cut,
        x, peak, mdd, streak, mstreak, uw, muw, nwin, n,
    )
    if two:
        x, peak, mdd, streak, mstreak, uw, muw, nwin, n = _lane_trade(
            w >> uint64(32), thr32, sw, sl, fractional, c, x_floor, ruin_cut, goal_cut,
            x, peak, mdd, streak, mstreak, uw, muw, nwin, n,
        )
    return s0, s1, s2, s3, x, peak, mdd, streak, mstreak, uw, muw, nwin, n


_DRAWS = 4  # draws (8 trades) per load/store of the lane state in the main rounds


@njit(inline="always", cache=True)
def _lanes_round(S, F, IS, draws, two, thr32, sw, sl, fractional, c, x_floor, ruin_cut,
                 goal_cut):
    """One round for all lanes: ``draws`` 64-bit draws per lane (``draws`` is 1 or
    ``_DRAWS``), two trades each except the last one's second half when ``two`` is false.
    Returns the number of lanes still running.

    State layout (lane ln, L = ``_LANES``): ``S[k*L + ln]`` = stream words s0..s3;
    ``F[k*L + ln]`` = x, peak, mdd; ``IS[k*L + ln]`` = streak, mstreak, uw, muw, nwin, n.
    Eight trades per load/store of the state cut the memory traffic of the lane loop (~1.3x
    over two). The inner loop over draws has a constant trip count, which LLVM unrolls before
    vectorising the loop over lanes (with 8 draws it did not unroll, and the kernel ran ~4x
    slower; the 4 draws written out as calls were ~15% slower than the unrolled loop).
    """
    L = _LANES
    nal = 0
    for ln in range(L):
        s0 = S[ln]
        s1 = S[L + ln]
        s2 = S[2 * L + ln]
        s3 = S[3 * L + ln]
        x = F[ln]
        peak = F[L + ln]
        mdd = F[2 * L + ln]
        streak = IS[ln]
        mstreak = IS[L + ln]
        uw = IS[2 * L + ln]
        muw = IS[3 * L + ln]
        nwin = IS[4 * L + ln]
        n = IS[5 * L + ln]
        if draws == _DRAWS:
            for _k in range(_DRAWS - 1):  # unrolled by LLVM (small constant trip count)
                s0, s1, s2, s3, x, peak, mdd, streak, mstreak, uw, muw, nwin, n = _lane_draw(
                    s0, s1, s2, s3, True, thr32, sw, sl, fractional, c, x_floor, ruin_cut,
                    goal_cut, x, peak, mdd, streak, mstreak, uw, muw, nwin, n,
                )
        s0, s1, s2, s3, x, peak, mdd, streak, mstreak, uw, muw, nwin, n = _lane_draw(
            s0, s1, s2, s3, two, thr32, sw, sl, fractional, c, x_floor, ruin_cut,
            goal_cut, x, peak, mdd, streak, mstreak, uw, muw, nwin, n,
        )
        S[ln] = s0
        S[L + ln] = s1
        S[2 * L + ln] = s2
        S[3 * L + ln] = s3
        F[ln] = x
        F[L + ln] = peak
        F[2 * L + ln] = mdd
        IS[ln] = streak
        IS[L + ln] = mstreak
        IS[2 * L + ln] = uw
        IS[3 * L + ln] = muw
        IS[4 * L + ln] = nwin
        IS[5 * L + ln] = n
        nal += np.int64((x > ruin_cut) & (x < goal_cut))
    return nal


@njit(inline="always", cache=True)
def _lanes_two_point(
    base, fractional, key0, key1, path_offset, n_trades,
    steps, rvals, thr32, accept, alias, block_len,
    risk, x_floor, ruin_cut, goal_cut,
    final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken, S, F, IS,
):
    """Walk two-point paths ``base .. base + _LANES - 1`` side by side.

    Results are bit-identical to :func:`_walk` (same draws, same arithmetic). Requires
    ``ruin_cut < 0 < goal_cut`` (the start is strictly between the barriers; the caller
    checks). When a quarter or fewer of the lanes are still running, those paths are walked
    again alone by :func:`_walk`.
    """
    L = _LANES
    c = c_fixed(fractional, risk)
    sl = steps[0]
    sw = steps[steps.shape[0] - 1]
    for ln in range(L):
        s0, s1, s2, s3 = seed4(key0, key1, path_offset + base + ln)
        S[ln] = s0
        S[L + ln] = s1
        S[2 * L + ln] = s2
        S[3 * L + ln] = s3
        for k in range(3):
            F[k * L + ln] = 0.0
        for k in range(6):
            IS[k * L + ln] = 0
    no_rec = np.empty((0, 1), np.float64)
    t = 0
    while t < n_trades:
        if t + 2 * _DRAWS <= n_trades:
            nal = _lanes_round(S, F, IS, _DRAWS, True, thr32, sw, sl, fractional, c,
                               x_floor, ruin_cut, goal_cut)
            t += 2 * _DRAWS
        elif t + 1 < n_trades:
            nal = _lanes_round(S, F, IS, 1, True, thr32, sw, sl, fractional, c, x_floor,
                               ruin_cut, goal_cut)
            t += 2
        else:
            nal = _lanes_round(S, F, IS, 1, False, thr32, sw, sl, fractional, c, x_floor,
                               ruin_cut, goal_cut)
            t += 1
        if nal == 0:
            break
        if 4 * nal <= L and t < n_trades:
            for ln in range(L):
                if F[ln] > ruin_cut and F[ln] < goal_cut:
                    _walk(
                        base + ln, 0, fractional, key0, key1, path_offset, n_trades, steps,
                        rvals, thr32, accept, alias, block_len, risk, x_floor, ruin_cut,
                        goal_cut, final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw,
                        wins, taken, no_rec,
                    )
                    IS[5 * L + ln] = -1  # stored already
            break
    for ln in range(L):
        n = IS[5 * L + ln]
        if n < 0:
            continue
        x = F[ln]
        t_ruin = -1
        t_goal = -1
        if x <= ruin_cut:
            t_ruin = n
        elif x >= goal_cut:
            t_goal = n
        inv = 1.0 if fractional else 1.0 / (c + F[L + ln])
        acc_store(
            base + ln,
            (x, F[L + ln], inv, 0.0, F[2 * L + ln], 0, IS[L + ln], 0, IS[3 * L + ln],
             IS[4 * L + ln], n),
            t_ruin, t_goal, fractional, risk, final_eq, max_dd, ruin_t, goal_t, max_streak,
            max_uw, wins, taken,
        )


_GRAIN = 64  # paths per parallel work item (a multiple of _LANES)


def _range_walker(model, fractional):
    """Serial walk of paths ``lo..hi-1`` with ``model`` and ``fractional`` fixed at compile
    time (only an int and a bool are captured, so the compiled code caches on disk)."""

    # error_model="numpy": no zero-division checks (1 / (c + peak) has c + peak >= 1), which
    # lets LLVM vectorise the lane loops of fixed stakes too.
    def walk_range(
        lo, hi, key0, key1, path_offset, n_trades,
        steps, rvals, thr32, accept, alias, block_len,
        risk, x_floor, ruin_cut, goal_cut,
        final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken,
    ):
        no_rec = np.empty((0, 1), np.float64)
        start = lo
        if model == 0:
            S = np.empty(4 * _LANES, np.uint64)
            F = np.empty(3 * _LANES, np.float64)
            IS = np.empty(6 * _LANES, np.int64)
            lanes_ok = ruin_cut < 0.0 < goal_cut  # else the start itself is a barrier
            while lanes_ok and start + _LANES <= hi:
                _lanes_two_point(
                    start, fractional, key0, key1, path_offset, n_trades, steps, rvals,
                    thr32, accept, alias, block_len, risk, x_floor, ruin_cut, goal_cut,
                    final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken,
                    S, F, IS,
                )
                start += _LANES
        for i in range(start, hi):
            _walk(
                i, model, fractional, key0, key1, path_offset, n_trades, steps, rvals,
                thr32, accept, alias, block_len, risk, x_floor, ruin_cut, goal_cut,
                final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken, no_rec,
            )

    # numba's on-disk cache names entries by qualname and line and does not tell closures
    # apart by their captured values: without a distinct name, one walker's cached machine
    # code was loaded for another (block bootstrap ran as the two-point model).
    walk_range.__qualname__ = f"walk_range_model{model}_{'fractional' if fractional else 'fixed'}"
    walk_range.__name__ = walk_range.__qualname__
    return njit(cache=True, error_model="numpy")(walk_range)


_walk_two_point_frac = _range_walker(MODEL_TWO_POINT, True)
_walk_two_point_fixed = _range_walker(MODEL_TWO_POINT, False)
_walk_alias_frac = _range_walker(MODEL_ALIAS, True)
_walk_alias_fixed = _range_walker(MODEL_ALIAS, False)
_walk_block_frac = _range_walker(MODEL_BLOCK, True)
_walk_block_fixed = _range_walker(MODEL_BLOCK, False)


@njit(parallel=True, cache=True)
def run_paths(
    model, fractional, key0, key1, path_offset, n_paths, n_trades,
    steps, rvals, thr32, accept, alias, block_len,
    risk, x_floor, ruin_x, goal_x,
    final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken,
):
    """Parallel walk of paths ``0..n_paths-1`` (streams ``path_offset + i``).

    Threads take ranges of ``_GRAIN`` paths; each range goes to the serial walker compiled
    for ``(model, fractional)``. Outputs as in :func:`acc_store`.
    """
    ruin_cut, goal_cut = barrier_cuts(ruin_x, goal_x)
    n_items = (n_paths + _GRAIN - 1) // _GRAIN
    for b in prange(n_items):
        lo = b * _GRAIN
        hi = min(n_paths, lo + _GRAIN)
        args = (
            lo, hi, key0, key1, path_offset, n_trades, steps, rvals, thr32, accept, alias,
            block_len, risk, x_floor, ruin_cut, goal_cut, final_eq, max_dd, ruin_t, goal_t,
            max_streak, max_uw, wins, taken,
        )
        if model == MODEL_TWO_POINT:
            if fractional:
                _walk_two_point_frac(*args)
            else:
                _walk_two_point_fixed(*args)
        elif model == MODEL_ALIAS:
            if fractional:
                _walk_alias_frac(*args)
            else:
                _walk_alias_fixed(*args)
        else:
            if fractional:
                _walk_block_frac(*args)
            else:
                _walk_block_fixed(*args)


#: ``KERNELS[(model, fractional)](key0, key1, path_offset, n_paths, n_trades, ...)``.
KERNELS = {
    (m, f): functools.partial(run_paths, m, f)
    for m in (MODEL_TWO_POINT, MODEL_ALIAS, MODEL_BLOCK)
    for f in (True, False)
}


@njit(cache=True)
def run_record(
    model, fractional, key0, key1, path_offset, n_paths, n_trades,
    steps, rvals, thr32, accept, alias, block_len,
    risk, x_floor, ruin_x, goal_x,
    final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken, rec,
):
    """Serial walk of paths ``0..n_paths-1`` that also records equity curves.

    ``rec`` (n_paths x (n_trades + 1)) receives each path's equity multiple after each trade
    (column 0 = start = 1.0; after ruin or goal the equity stays where it stopped). Per-path
    results are identical to those of ``KERNELS[(model, fractional)]``.
    """
    ruin_cut, goal_cut = barrier_cuts(ruin_x, goal_x)
    for i in range(n_paths):
        _walk(
            i, model, fractional, key0, key1, path_offset, n_trades, steps, rvals,
            thr32, accept, alias, block_len, risk, x_floor, ruin_cut, goal_cut,
            final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken, rec,
        )


@njit(parallel=True, cache=True)
def run_given(
    r, codes, aux, fractional, risk, x_floor, ruin_x, goal_x,
    final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken,
    exit_counts, aux_sums, rec,
):
    """Account walk over per-trade outcomes produced elsewhere (one pass per path).

    Parameters
    ----------
    r : float64 array (n, N)
        Outcome of trade t of path i in R.
    codes : int8 array (n, N)
        Exit code of each trade: 0 take-profit, 1 stop, 2 liquidation, 3 time
        (see :data:`EXIT_NAMES`).
    aux : float64 array (n, N, K)
        Per-trade amounts in R (e.g. fees, funding, bad debt); K may be 0.
    fractional : bool
        Sizing rule (True: R = risk x equity before the trade; False: R = risk x start).
    risk, x_floor, ruin_x, goal_x : float
        As returned by :func:`thresholds`.
    final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken : arrays (n,)
        Outputs, as for the other kernels (float64, float64, then int32).
    exit_counts : int32 array (n, 4)
        Output: exits of the trades actually taken, by code.
    aux_sums : float64 array (n, K)
        Output: sum over taken trades of ``aux * R_t / E0`` (amounts as fractions of starting
        equity; ``R_t / E0`` = risk x equity multiple before trade t, or risk for fixed).
    rec : float64 array (m, N + 1)
        Equity curves of the first m paths (m may be 0).

    Paths stop at ruin or goal exactly as in the other kernels; trades after that are ignored.
    """
    n = r.shape[0]
    n_trades = r.shape[1]
    n_aux = aux.shape[2]
    n_rec = rec.shape[0]
    ruin_cut, goal_cut = barrier_cuts(ruin_x, goal_x)
    c = c_fixed(fractional, risk)
    for i in prange(n):
        x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, nt = acc_new(fractional, risk)
        t_ruin = -1
        t_goal = -1
        for k in range(4):
            exit_counts[i, k] = 0
        for k in range(n_aux):
            aux_sums[i, k] = 0.0
        for t in range(n_trades):
            rt = r[i, t]
            stake = stake_fraction(x, fractional, risk)
            x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, nt = acc_update(
                x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, nt,
                r_to_step(rt, fractional, risk), rt > 0.0, rt < 0.0, fractional, c, x_floor,
            )
            exit_counts[i, codes[i, t]] += 1
            for k in range(n_aux):
                aux_sums[i, k] += aux[i, t, k] * stake
            if i < n_rec:
                rec[i, t + 1] = acc_equity(x, fractional, risk)
            if x <= ruin_cut:
                t_ruin = t + 1
                break
            if x >= goal_cut:
                t_goal = t + 1
                break
        if i < n_rec:
            rec[i, 0] = 1.0
            last = acc_equity(x, fractional, risk)
            for t2 in range(nt + 1, n_trades + 1):
                rec[i, t2] = last
        acc_store(
            i, (x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, nt), t_ruin, t_goal,
            fractional, risk, final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins,
            taken,
        )


def simulate_given(
    r: np.ndarray,
    codes: np.ndarray | None = None,
    aux: np.ndarray | None = None,
    *,
    risk: float,
    rule: str = "fractional",
    ruin_level: float = 0.0,
    goal: float | None = None,
    record: int = 0,
) -> dict[str, np.ndarray]:
    """Run the account over given per-trade outcomes (Python wrapper of :func:`run_given`).

    Parameters
    ----------
    r : array_like, shape (n, N)
        Outcome of trade t of path i in R (the amount risked on that trade).
    codes : array_like of int, shape (n, N), optional
        Exit code per trade (0 take-profit, 1 stop, 2 liquidation, 3 time); default all 3.
    aux : array_like, shape (n, N, K), optional
        Per-trade amounts in R (fees, funding, bad debt...); default K = 0.
    risk : float
        Fraction risked per trade, 0 < risk <= 1.
    rule : {"fractional", "fixed"}
        Sizing rule.
    ruin_level : float
        Ruin when equity <= ruin_level x start, 0 <= ruin_level < 1.
    goal : float or None
        Goal multiple of start (> 1), or None.
    record : int
        Number of leading paths whose equity curves are returned (``sample_paths``).

    Returns
    -------
    dict of numpy arrays
        ``final_equity``, ``max_drawdown``, ``ruin_trade``, ``goal_trade``,
        ``longest_losing_streak``, ``longest_underwater``, ``wins``, ``trades_taken``
        (shape (n,), as in :class:`ruin.simulate.SimulationResult`), ``exit_counts``
        (int32 (n, 4), columns :data:`EXIT_NAMES`), ``aux_sums`` (float64 (n, K): amounts as
        fractions of starting equity) and ``sample_paths`` ((record, N + 1)).

    Raises
    ------
    ParameterError
        For an invalid rule, risk, ruin level or goal, mismatched shapes, non-finite
        outcomes or exit codes outside 0..3.
    """
    check_choice("sizing", rule, ("fractional", "fixed"))
    risk = check_number("risk", risk, 0.0, 1.0, lo_incl=False)
    ruin_level = check_number("ruin_level", ruin_level, 0.0, 1.0, hi_incl=False)
    if goal is not None:
        goal = check_number("goal", goal, 1.0, 1e12, lo_incl=False)
    r = np.ascontiguousarray(r, dtype=np.float64)
    if r.ndim != 2 or r.shape[1] < 1:
        raise ParameterError("r", "a 2-D array (paths x trades) with at least one trade",
                             f"shape {r.shape}")
    if not np.all(np.isfinite(r)):
        raise ParameterError("r", "finite outcomes in R", "a NaN or infinite value")
    n, n_trades = r.shape
    if codes is None:
        codes = np.full((n, n_trades), 3, np.int8)
    codes = np.ascontiguousarray(codes, dtype=np.int8)
    if codes.shape != r.shape:
        raise ParameterError("codes", f"an array of shape {r.shape}", f"shape {codes.shape}")
    if codes.size and (codes.min() < 0 or codes.max() > 3):
        raise ParameterError("codes", "exit codes 0..3", f"values {codes.min()}..{codes.max()}")
    if aux is None:
        aux = np.zeros((n, n_trades, 0), np.float64)
    aux = np.ascontiguousarray(aux, dtype=np.float64)
    if aux.ndim != 3 or aux.shape[:2] != r.shape:
        raise ParameterError("aux", f"an array of shape {r.shape} x K", f"shape {aux.shape}")
    n_rec = max(0, min(int(record), n))
    fractional = rule == "fractional"
    x_floor, ruin_x, goal_x = thresholds(rule, risk, ruin_level, goal)
    out = {
        "final_equity": np.empty(n, np.float64),
        "max_drawdown": np.empty(n, np.float64),
        "ruin_trade": np.empty(n, np.int32),
        "goal_trade": np.empty(n, np.int32),
        "longest_losing_streak": np.empty(n, np.int32),
        "longest_underwater": np.empty(n, np.int32),
        "wins": np.empty(n, np.int32),
        "trades_taken": np.empty(n, np.int32),
        "exit_counts": np.empty((n, 4), np.int32),
        "aux_sums": np.empty((n, aux.shape[2]), np.float64),
        "sample_paths": np.empty((n_rec, n_trades + 1), np.float64),
    }
    run_given(r, codes, aux, fractional, risk, x_floor, ruin_x, goal_x, *out.values())
    return out


def default_threads() -> int:
    """Threads the kernel may use (numba's setting, bounded by the CPUs we may run on)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1

