"""The walk of one i.i.d. path, and of sixteen Bernoulli paths side by side.

:func:`draw_outcome` draws one trade's outcome in R for the i.i.d. models (two-point,
alias table, circular block); :func:`_walk` walks one path with the shared bookkeeping of
:mod:`ruin.engine.accounting`; :func:`_lanes_two_point` walks sixteen two-point paths side
by side, two trades per 64-bit draw and eight trades per load and store of the lane state:
:func:`_lane_trade` is :func:`~ruin.engine.accounting.acc_update`'s arithmetic written
branch-free (a stopped lane adds 0.0 and its counters stop growing), so LLVM vectorises the
lane loop (AVX2 / AVX-512). When a quarter or fewer of a block's lanes are still running,
those paths are re-walked alone by :func:`_walk`. Results are bit-identical to the one-path
walk (tested). The parallel kernels that run these walks are built in
:mod:`ruin.engine.kernels`.

These functions are plain ``njit`` functions, not ``inline="always"``: numba's IR-level
inlining of the nested lane helpers took about 40 of the 55 s it took to compile each lanes
kernel (``inline_inlinables`` in numba's pass timings, 2 CPUs). LLVM inlines them anyway, so
the compiled lanes and walk run as fast as before (same-session A/B, 10⁵ × 500 on one
thread) and give the same numbers bit for bit; a lanes kernel now compiles in about 10 s.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from .accounting import (
    TOL,
    acc_equity,
    acc_new,
    acc_store,
    acc_update,
    c_fixed,
    record_tail,
)
from .rng import seed4, step4

__all__ = ["MODEL_TWO_POINT", "MODEL_ALIAS", "MODEL_BLOCK", "draw_outcome"]

MODEL_TWO_POINT = 0  # Bernoulli: one 32-bit uniform per trade (P(win) quantised to 2**-32)
MODEL_ALIAS = 1  # discrete distribution / i.i.d. bootstrap: Walker alias table
MODEL_BLOCK = 2  # circular block bootstrap over a trade list

_MASK32 = uint64(0xFFFFFFFF)
_TO_DOUBLE = 1.0 / 9007199254740992.0  # 2**-53


# ---------------------------------------------------------------------------------------
# Random outcomes of the i.i.d. models.
# ---------------------------------------------------------------------------------------


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
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
