"""The i.i.d. account kernels: one pass per path, per-path results only.

Every trade model is reduced to per-trade outcomes in R before it reaches these kernels.
They walk each path once, applying sizing, the absorbing ruin and goal barriers, and
tracking peak, maximum drawdown, losing streaks and time under water with the shared
bookkeeping of :mod:`ruin.engine.accounting`. They never build a paths x trades matrix,
except for the handful of paths recorded for charts.

* ``KERNELS[(model, fractional)]``: parallel kernels for the i.i.d. models (random numbers
  drawn inside; path i uses stream ``seed4(key0, key1, path_offset + i)``, so results are
  independent of thread count and chunking), compiled with model and sizing rule fixed.
  The two-point (Bernoulli) model walks 16 paths side by side, two trades per 64-bit draw
  and eight trades per load and store of the lane state: :func:`_lane_trade` is
  :func:`~ruin.engine.accounting.acc_update`'s arithmetic written branch-free (a stopped
  lane adds 0.0 and its counters stop growing), so LLVM vectorises the lane loop (AVX2 /
  AVX-512). When a quarter or fewer of a block's lanes are still running, those paths are
  re-walked alone. Results are bit-identical to the one-path walk (tested).
* :func:`run_record`: the same walk, serial, also writing full equity curves (charts).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numba import njit, prange, uint64

from .accounting import (
    TOL,
    acc_equity,
    acc_new,
    acc_store,
    acc_update,
    barrier_cuts,
    c_fixed,
    record_tail,
)
from .rng import seed4, step4

__all__ = [
    "MODEL_TWO_POINT",
    "MODEL_ALIAS",
    "MODEL_BLOCK",
    "KERNELS",
    "IidPlan",
    "alias_table",
    "run_iid",
    "draw_outcome",
    "run_record",
    "run_paths",
    "kernel",
    "record_kernel",
    "LANES_MIN_WORK",
    "use_lanes",
    "lanes_ready",
    "dispatcher_warm",
]

MODEL_TWO_POINT = 0  # Bernoulli: one 32-bit uniform per trade (P(win) quantised to 2**-32)
MODEL_ALIAS = 1  # discrete distribution / i.i.d. bootstrap: Walker alias table
MODEL_BLOCK = 2  # circular block bootstrap over a trade list

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
    i,
    model,
    fractional,
    key0,
    key1,
    path_offset,
    n_trades,
    steps,
    rvals,
    thr32,
    accept,
    alias,
    block_len,
    risk,
    x_floor,
    ruin_cut,
    goal_cut,
    final_eq,
    max_dd,
    ruin_t,
    goal_t,
    max_streak,
    max_uw,
    wins,
    taken,
    rec,
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
            x,
            peak,
            inv,
            tolp,
            mdd,
            streak,
            mstreak,
            uw,
            muw,
            nwin,
            n,
            step,
            win,
            loss,
            fractional,
            c,
            x_floor,
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
        record_tail(rec, i, x, n, fractional, risk)
    acc_store(
        i,
        (x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n),
        t_ruin,
        t_goal,
        fractional,
        risk,
        final_eq,
        max_dd,
        ruin_t,
        goal_t,
        max_streak,
        max_uw,
        wins,
        taken,
    )


_LANES = 16  # two-point paths walked side by side (the lane loops vectorise: AVX2/AVX-512)


@njit(inline="always", cache=True)
def _lane_trade(
    u,
    thr32,
    sw,
    sl,
    fractional,
    c,
    x_floor,
    ruin_cut,
    goal_cut,
    x,
    peak,
    mdd,
    streak,
    mstreak,
    uw,
    muw,
    nwin,
    n,
):
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
def _lane_draw(
    s0,
    s1,
    s2,
    s3,
    two,
    thr32,
    sw,
    sl,
    fractional,
    c,
    x_floor,
    ruin_cut,
    goal_cut,
    x,
    peak,
    mdd,
    streak,
    mstreak,
    uw,
    muw,
    nwin,
    n,
):
    """One 64-bit draw of one lane: its low half decides the first trade and (``two``) its
    high half the second. Returns the stream words and the state."""
    w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
    x, peak, mdd, streak, mstreak, uw, muw, nwin, n = _lane_trade(
        w & _MASK32,
        thr32,
        sw,
        sl,
        fractional,
        c,
        x_floor,
        ruin_cut,
        goal_cut,
        x,
        peak,
        mdd,
        streak,
        mstreak,
        uw,
        muw,
        nwin,
        n,
    )
    if two:
        x, peak, mdd, streak, mstreak, uw, muw, nwin, n = _lane_trade(
            w >> uint64(32),
            thr32,
            sw,
            sl,
            fractional,
            c,
            x_floor,
            ruin_cut,
            goal_cut,
            x,
            peak,
            mdd,
            streak,
            mstreak,
            uw,
            muw,
            nwin,
            n,
        )
    return s0, s1, s2, s3, x, peak, mdd, streak, mstreak, uw, muw, nwin, n


_DRAWS = 4  # draws (8 trades) per load/store of the lane state in the main rounds


@njit(inline="always", cache=True)
def _lanes_round(S, F, IS, draws, two, thr32, sw, sl, fractional, c, x_floor, ruin_cut, goal_cut):
    """One round for all lanes: ``draws`` 64-bit draws per lane (``draws`` is 1 or
    ``_DRAWS``), two trades each except the last one's second half when ``two`` is false.
    Returns the number of lanes still running.

    State layout (lane ln, L = ``_LANES``): ``S[k*L + ln]`` = stream words s0..s3;
    ``F[k*L + ln]`` = x, peak, mdd; ``IS[k*L + ln]`` = streak, mstreak, uw, muw, nwin, n.
    Eight trades per load/store of the state cut the memory traffic of the lane loop. The
    inner loop over draws has a constant trip count, which LLVM unrolls before vectorising
    the loop over lanes (with 8 draws it did not unroll, and the kernel ran several times
    slower; the 4 draws written out as calls were slower than the unrolled loop).
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
                    s0,
                    s1,
                    s2,
                    s3,
                    True,
                    thr32,
                    sw,
                    sl,
                    fractional,
                    c,
                    x_floor,
                    ruin_cut,
                    goal_cut,
                    x,
                    peak,
                    mdd,
                    streak,
                    mstreak,
                    uw,
                    muw,
                    nwin,
                    n,
                )
        s0, s1, s2, s3, x, peak, mdd, streak, mstreak, uw, muw, nwin, n = _lane_draw(
            s0,
            s1,
            s2,
            s3,
            two,
            thr32,
            sw,
            sl,
            fractional,
            c,
            x_floor,
            ruin_cut,
            goal_cut,
            x,
            peak,
            mdd,
            streak,
            mstreak,
            uw,
            muw,
            nwin,
            n,
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
    base,
    fractional,
    key0,
    key1,
    path_offset,
    n_trades,
    steps,
    rvals,
    thr32,
    accept,
    alias,
    block_len,
    risk,
    x_floor,
    ruin_cut,
    goal_cut,
    final_eq,
    max_dd,
    ruin_t,
    goal_t,
    max_streak,
    max_uw,
    wins,
    taken,
    S,
    F,
    IS,
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
            nal = _lanes_round(
                S, F, IS, _DRAWS, True, thr32, sw, sl, fractional, c, x_floor, ruin_cut, goal_cut
            )
            t += 2 * _DRAWS
        elif t + 1 < n_trades:
            nal = _lanes_round(
                S, F, IS, 1, True, thr32, sw, sl, fractional, c, x_floor, ruin_cut, goal_cut
            )
            t += 2
        else:
            nal = _lanes_round(
                S, F, IS, 1, False, thr32, sw, sl, fractional, c, x_floor, ruin_cut, goal_cut
            )
            t += 1
        if nal == 0:
            break
        if 4 * nal <= L and t < n_trades:
            for ln in range(L):
                if F[ln] > ruin_cut and F[ln] < goal_cut:
                    _walk(
                        base + ln,
                        0,
                        fractional,
                        key0,
                        key1,
                        path_offset,
                        n_trades,
                        steps,
                        rvals,
                        thr32,
                        accept,
                        alias,
                        block_len,
                        risk,
                        x_floor,
                        ruin_cut,
                        goal_cut,
                        final_eq,
                        max_dd,
                        ruin_t,
                        goal_t,
                        max_streak,
                        max_uw,
                        wins,
                        taken,
                        no_rec,
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
            (
                x,
                F[L + ln],
                inv,
                0.0,
                F[2 * L + ln],
                0,
                IS[L + ln],
                0,
                IS[3 * L + ln],
                IS[4 * L + ln],
                n,
            ),
            t_ruin,
            t_goal,
            fractional,
            risk,
            final_eq,
            max_dd,
            ruin_t,
            goal_t,
            max_streak,
            max_uw,
            wins,
            taken,
        )


_GRAIN = 64  # paths per parallel work item (a multiple of _LANES)


def _kernel_suffix(model, fractional, lanes=False) -> str:
    # numba's on-disk cache names entries by qualname and line and does not tell closures
    # apart by their captured values: every specialised kernel needs a name of its own.
    return f"model{int(model)}_{'fractional' if fractional else 'fixed'}" + (
        "_lanes" if lanes else ""
    )


def _range_walker(model, fractional, lanes):
    """Serial walk of paths ``lo..hi-1`` with ``model``, ``fractional`` and ``lanes`` fixed
    at compile time (only ints and bools are captured, so the compiled code caches on disk).
    ``lanes`` (two-point model only): walk 16 paths side by side; without it every path is
    walked alone by :func:`_walk` (the same numbers; a few times slower, but it compiles in
    a fraction of the time)."""

    # error_model="numpy": no zero-division checks (1 / (c + peak) has c + peak >= 1), which
    # lets LLVM vectorise the lane loops of fixed stakes too.
    def walk_range(
        lo,
        hi,
        key0,
        key1,
        path_offset,
        n_trades,
        steps,
        rvals,
        thr32,
        accept,
        alias,
        block_len,
        risk,
        x_floor,
        ruin_cut,
        goal_cut,
        final_eq,
        max_dd,
        ruin_t,
        goal_t,
        max_streak,
        max_uw,
        wins,
        taken,
    ):
        no_rec = np.empty((0, 1), np.float64)
        start = lo
        if model == 0 and lanes:
            S = np.empty(4 * _LANES, np.uint64)
            F = np.empty(3 * _LANES, np.float64)
            IS = np.empty(6 * _LANES, np.int64)
            lanes_ok = ruin_cut < 0.0 < goal_cut  # else the start itself is a barrier
            while lanes_ok and start + _LANES <= hi:
                _lanes_two_point(
                    start,
                    fractional,
                    key0,
                    key1,
                    path_offset,
                    n_trades,
                    steps,
                    rvals,
                    thr32,
                    accept,
                    alias,
                    block_len,
                    risk,
                    x_floor,
                    ruin_cut,
                    goal_cut,
                    final_eq,
                    max_dd,
                    ruin_t,
                    goal_t,
                    max_streak,
                    max_uw,
                    wins,
                    taken,
                    S,
                    F,
                    IS,
                )
                start += _LANES
        for i in range(start, hi):
            _walk(
                i,
                model,
                fractional,
                key0,
                key1,
                path_offset,
                n_trades,
                steps,
                rvals,
                thr32,
                accept,
                alias,
                block_len,
                risk,
                x_floor,
                ruin_cut,
                goal_cut,
                final_eq,
                max_dd,
                ruin_t,
                goal_t,
                max_streak,
                max_uw,
                wins,
                taken,
                no_rec,
            )

    # numba's on-disk cache names entries by qualname and line and does not tell closures
    # apart by their captured values: without a distinct name, one walker's cached machine
    # code was loaded for another (block bootstrap ran as the two-point model).
    walk_range.__qualname__ = f"walk_range_{_kernel_suffix(model, fractional, lanes)}"
    walk_range.__name__ = walk_range.__qualname__
    return njit(cache=True, error_model="numpy")(walk_range)


# The serial walkers, one per (model, sizing rule[, lanes]): module globals, so that the
# parallel kernels name them without capturing them (see _parallel_kernel). Creating them
# compiles nothing.
_walk_m0_frac_lanes = _range_walker(MODEL_TWO_POINT, True, True)
_walk_m0_fixed_lanes = _range_walker(MODEL_TWO_POINT, False, True)
_walk_m0_frac = _range_walker(MODEL_TWO_POINT, True, False)
_walk_m0_fixed = _range_walker(MODEL_TWO_POINT, False, False)
_walk_m1_frac = _range_walker(MODEL_ALIAS, True, False)
_walk_m1_fixed = _range_walker(MODEL_ALIAS, False, False)
_walk_m2_frac = _range_walker(MODEL_BLOCK, True, False)
_walk_m2_fixed = _range_walker(MODEL_BLOCK, False, False)


def _parallel_kernel(model, fractional, lanes):
    """The parallel walk of paths ``0..n_paths-1`` (streams ``path_offset + i``) for one
    model and sizing rule: threads take ranges of ``_GRAIN`` paths, each walked by the
    serial walker compiled for ``(model, fractional)``. Only that walker is compiled with
    it (one kernel per model and rule, compiled on first use: a Bernoulli run never
    compiles the bootstrap walkers). Outputs as in :func:`acc_store`.

    The walker is chosen by branches on the captured constants (numba prunes the others
    before typing, so only one walker is compiled with the kernel). It must not be captured
    itself: numba keys its disk cache on the pickled closure variables, and a pickled
    dispatcher differs from process to process (the kernel was compiled again every run)."""

    def run_range_paths(
        key0,
        key1,
        path_offset,
        n_paths,
        n_trades,
        steps,
        rvals,
        thr32,
        accept,
        alias,
        block_len,
        risk,
        x_floor,
        ruin_x,
        goal_x,
        final_eq,
        max_dd,
        ruin_t,
        goal_t,
        max_streak,
        max_uw,
        wins,
        taken,
    ):
        ruin_cut, goal_cut = barrier_cuts(ruin_x, goal_x)
        n_items = (n_paths + _GRAIN - 1) // _GRAIN
        for b in prange(n_items):
            lo = b * _GRAIN
            hi = min(n_paths, lo + _GRAIN)
            args = (
                lo,
                hi,
                key0,
                key1,
                path_offset,
                n_trades,
                steps,
                rvals,
                thr32,
                accept,
                alias,
                block_len,
                risk,
                x_floor,
                ruin_cut,
                goal_cut,
                final_eq,
                max_dd,
                ruin_t,
                goal_t,
                max_streak,
                max_uw,
                wins,
                taken,
            )
            if model == 0:
                if lanes:
                    if fractional:
                        _walk_m0_frac_lanes(*args)
                    else:
                        _walk_m0_fixed_lanes(*args)
                elif fractional:
                    _walk_m0_frac(*args)
                else:
                    _walk_m0_fixed(*args)
            elif model == 1:
                if fractional:
                    _walk_m1_frac(*args)
                else:
                    _walk_m1_fixed(*args)
            elif fractional:
                _walk_m2_frac(*args)
            else:
                _walk_m2_fixed(*args)

    run_range_paths.__qualname__ = f"run_paths_{_kernel_suffix(model, fractional, lanes)}"
    run_range_paths.__name__ = run_range_paths.__qualname__
    return njit(parallel=True, cache=True)(run_range_paths)


def _record_kernel(model, fractional):
    """The serial walk of paths ``0..n_paths-1`` that also records equity curves, for one
    model and sizing rule (see :func:`run_record`)."""

    def run_record_paths(
        key0,
        key1,
        path_offset,
        n_paths,
        n_trades,
        steps,
        rvals,
        thr32,
        accept,
        alias,
        block_len,
        risk,
        x_floor,
        ruin_x,
        goal_x,
        final_eq,
        max_dd,
        ruin_t,
        goal_t,
        max_streak,
        max_uw,
        wins,
        taken,
        rec,
    ):
        ruin_cut, goal_cut = barrier_cuts(ruin_x, goal_x)
        for i in range(n_paths):
            _walk(
                i,
                model,
                fractional,
                key0,
                key1,
                path_offset,
                n_trades,
                steps,
                rvals,
                thr32,
                accept,
                alias,
                block_len,
                risk,
                x_floor,
                ruin_cut,
                goal_cut,
                final_eq,
                max_dd,
                ruin_t,
                goal_t,
                max_streak,
                max_uw,
                wins,
                taken,
                rec,
            )

    run_record_paths.__qualname__ = f"run_record_{_kernel_suffix(model, fractional)}"
    run_record_paths.__name__ = run_record_paths.__qualname__
    return njit(cache=True)(run_record_paths)


@functools.cache
def kernel(model: int, fractional: bool, lanes: bool = False):
    """The parallel kernel for ``(model, fractional)`` (``lanes``: the two-point model's
    16-lane walk), built on first use: ``kernel(model, fractional)(key0, key1, path_offset,
    n_paths, n_trades, steps, rvals, thr32, accept, alias, block_len, risk, x_floor, ruin_x,
    goal_x, *outputs)``."""
    lanes = bool(lanes) and int(model) == MODEL_TWO_POINT
    return _parallel_kernel(int(model), bool(fractional), lanes)


#: Two-point kernel calls of at least this many path-trades use the 16-lane kernel even
#: when it is not compiled yet. Below it, the lanes run once they are compiled (in this
#: process or in numba's disk cache); until then the one-path walk answers (the same
#: numbers). The lanes walk is several times faster per path-trade but takes most of the
#: engine's compile time (about four times the one-path walk's), which a first small run
#: should not wait for. ``ruin.warmup.steps(scenario, fast=True)`` compiles them ahead.
LANES_MIN_WORK = 200_000_000

_LANES_READY: dict[bool, bool] = {}


def lanes_ready(fractional: bool) -> bool:
    """Whether the two-point lanes kernel is compiled or in the disk cache (checked on
    disk once per process and sizing rule; once loaded, always true)."""
    fractional = bool(fractional)
    if _LANES_READY.get(fractional):
        return True
    ready = dispatcher_warm(kernel(MODEL_TWO_POINT, fractional, True))
    _LANES_READY[fractional] = ready
    return ready


def use_lanes(model: int, fractional: bool, work: int) -> bool:
    """Whether a kernel call of ``work`` path-trades runs the two-point lanes."""
    if int(model) != MODEL_TWO_POINT:
        return False
    if work >= LANES_MIN_WORK:
        _LANES_READY[bool(fractional)] = True  # compiled by this call
        return True
    return lanes_ready(fractional)


def dispatcher_warm(dispatcher) -> bool:
    """Whether a numba dispatcher has machine code for this CPU without compiling: loaded
    in memory, or in its on-disk cache index (for this CPU name and feature string)."""
    if dispatcher.overloads:
        return True
    cache = getattr(dispatcher, "_cache", None)
    cache_file = getattr(cache, "_cache_file", None)
    if cache_file is None:  # no disk cache for this function
        return False
    try:
        index = cache_file._load_index()  # {} when missing or stale (source changed)
        codegen = dispatcher.targetctx.codegen()
        # the whole key: signature, CPU name and features, code and closure variables
        return any(key == cache._index_key(key[0], codegen) for key in index)
    except Exception:  # noqa: BLE001 - numba internals moved: say "not warm" (compile)
        return False


@functools.cache
def record_kernel(model: int, fractional: bool):
    """The serial recording kernel for ``(model, fractional)``, built on first use (the
    arguments of :func:`kernel`, then ``rec``)."""
    return _record_kernel(int(model), bool(fractional))


def run_paths(model, fractional, *args) -> None:
    """Parallel walk of paths ``0..n_paths-1`` (streams ``path_offset + i``) with the kernel
    compiled for ``(model, fractional)``; ``args`` as in :func:`kernel`."""
    kernel(model, fractional, use_lanes(model, fractional, int(args[3]) * int(args[4])))(*args)


def run_record(model, fractional, *args) -> None:
    """Serial walk of paths ``0..n_paths-1`` that also records equity curves.

    The last argument ``rec`` (n_paths x (n_trades + 1)) receives each path's equity multiple
    after each trade (column 0 = start = 1.0; after ruin or goal the equity stays where it
    stopped). Per-path results are identical to those of :func:`run_paths`.
    """
    record_kernel(model, fractional)(*args)


class _Kernels(Mapping):
    """``KERNELS[(model, fractional)]``: the parallel kernels, each built on first use."""

    _KEYS = tuple(
        (m, f) for m in (MODEL_TWO_POINT, MODEL_ALIAS, MODEL_BLOCK) for f in (True, False)
    )

    def __getitem__(self, key):
        if key not in self._KEYS:
            raise KeyError(key)
        return functools.partial(run_paths, *key)

    def __iter__(self):
        return iter(self._KEYS)

    def __len__(self) -> int:
        return len(self._KEYS)


#: ``KERNELS[(model, fractional)](key0, key1, path_offset, n_paths, n_trades, ...)``.
KERNELS = _Kernels()


@dataclass(frozen=True, slots=True)
class IidPlan:
    """What the i.i.d. kernels need for one run (built by :func:`ruin.outcomes.iid_plan`).

    ``model`` is one of the ``MODEL_*`` codes; ``steps`` and ``rvals`` are each outcome's
    state increment and value in R; ``thr32`` the two-point model's win threshold (a win
    when a 32-bit uniform is below it); ``accept`` / ``alias`` the alias table; the rest the
    trades per path, the sizing rule and the thresholds of
    :func:`ruin.engine.accounting.thresholds`.
    """

    model: int
    n_trades: int
    steps: np.ndarray
    rvals: np.ndarray
    thr32: np.uint64
    accept: np.ndarray
    alias: np.ndarray
    block_len: int
    fractional: bool
    risk: float
    x_floor: float
    ruin_x: float
    goal_x: float


def run_iid(
    plan: IidPlan,
    keys: tuple,
    offset: int,
    count: int,
    outputs: Mapping[str, np.ndarray],
    rec: np.ndarray,
    lanes: bool | None = None,
) -> None:
    """Run paths ``offset .. offset + count - 1`` of ``plan`` (a driver chunk; see
    :class:`ruin.engine.driver.PathRun`). With recorded rows the serial recording kernel
    runs; otherwise the parallel kernel specialised for the model and sizing rule (the
    two-point lanes when ``lanes``, or by :func:`use_lanes` when ``None``). All give
    identical per-path results."""
    ((key0, key1),) = keys
    args = (
        key0,
        key1,
        np.int64(offset),
        np.int64(count),
        np.int64(plan.n_trades),
        plan.steps,
        plan.rvals,
        plan.thr32,
        plan.accept,
        plan.alias,
        np.int64(plan.block_len),
        plan.risk,
        plan.x_floor,
        plan.ruin_x,
        plan.goal_x,
        outputs["final_equity"],
        outputs["max_drawdown"],
        outputs["ruin_trade"],
        outputs["goal_trade"],
        outputs["longest_losing_streak"],
        outputs["longest_underwater"],
        outputs["wins"],
        outputs["trades_taken"],
    )
    if rec.shape[0]:
        record_kernel(plan.model, plan.fractional)(*args, rec)
    else:
        if lanes is None:
            lanes = use_lanes(plan.model, plan.fractional, count * plan.n_trades)
        kernel(plan.model, plan.fractional, lanes)(*args)
