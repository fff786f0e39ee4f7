"""Sixteen one-position paths side by side, bit for bit the paths of the one-position kernel.

For one position with continuous monitoring, no funding, no time stop and exits whose
results are fixed for the run (:func:`ruin.market.run.lanes_apply`). Each round:
:func:`_lanes_step` steps every lane where the step is plain (a vectorised loop); the
scalar :func:`~..step.step` takes the steps it flagged; :func:`_lanes_settle` books the
trades that ended at a barrier (vectorised) and :func:`~..settle.settle` the others (gaps);
a lane whose path ended stores it and takes the next path of its block; new days start
(:func:`~..step.new_day`). The lane state is three flat arrays, field ``k`` of lane ``j``
at ``k * _LANES + j``. The per-round scalar code (flagged steps, new days) indexes them
directly; only the per-path code (a gap's settlement, storing a path, starting one) takes
the strided view ``A[j::_LANES]``, whose reference count costs atomics.

Things LLVM needs to vectorise the lane loops (found by reading the assembly): trip counts
read from array sizes (a constant 16 was unrolled instead), selects instead of table
lookups (a gather the cost model refused), flat lane arrays, ``error_model="numpy"`` on
every function that holds a lane loop (:func:`_lanes_step`, :func:`_lanes_settle`; a
zero-division check is an early exit, and a loop with one does not vectorise, even where
the caller has the numpy model), and ``exp`` as a polynomial with no table lookups
(:func:`~..bridge.exp_neg`: the C library's was called lane by lane, and on AVX2 the two
table lookups of an earlier version were gathers that LLVM's cost model priced above the
whole vector loop, which then stayed scalar). LLVM's remarks say whether a loop
vectorised: ``llvmlite.binding.set_option("", "-pass-remarks-missed=loop-vectorize")``
before compiling. On AVX2, :func:`_lanes_step` and :func:`_lanes_settle` vectorise.

Where the wide case's time went (``perf record`` of one thread, samples mapped to the
compiled functions, ``benchmarks/perf_market.py``): :func:`_lanes_step` about half,
:func:`_lanes_settle` (then scalar) and the scalar loops of :func:`_lanes_block` a sixth
each; samples fell after mispredicted branches. A scalar rewrite of :func:`_lanes_settle`
that visited only the booked lanes kept the same share; computing every value
unconditionally let it vectorise. The lane helpers used to take strided views
(``F[j::_LANES]``), whose reference counts cost 7% on their own; they now take the flat
state and a lane index (2% left, in the rare per-path code).
"""

from __future__ import annotations

import math

import numpy as np
from numba import int64, njit, prange, uint64

from ...engine.accounting import TOL, AccountState, acc_store
from ...engine.rng import (
    _TO_DOUBLE,
    _ZN_X,
    _u53,
    step4,
)
from ..bridge import exp_neg, exp_poly
from ..settle import Tally, settle, store_tally
from ..step import Day, PathTime, Position, new_day, path_start, step
from .single import one_position_terms

__all__ = ["lanes_kernel"]


@njit(cache=True)
def _step_call(pos, time, day, s0, s1, s2, s3, margin, terms):
    """:func:`~..step.step` as a called function: the lane kernel's rare steps run one
    compiled copy instead of inlining another (which doubled the kernel's compile time)."""
    return step(pos, time, day, s0, s1, s2, s3, margin, terms)


@njit(cache=True)
def _new_day_call(time, day, s0, s1, s2, s3, terms):
    """:func:`~..step.new_day` as a called function (see :func:`_step_call`)."""
    return new_day(time, day, s0, s1, s2, s3, terms)


@njit(cache=True)
def _settle_call(code, y_exit, margin, paid, funding, terms, acc, tally):
    """:func:`~..settle.settle` as a called function (see :func:`_step_call`)."""
    return settle(code, y_exit, margin, paid, funding, terms, acc, tally)


# --------------------------------------------------------------------------- lanes
_LANES = 16  # one-position paths stepped side by side (the step loop vectorises)
_GRAIN = 64  # paths per parallel work item
# rows of the lane state: floats, stream words and integers
(
    _Y,
    _CLOCK,
    _NEXT_DAY,
    _DAY_END,
    _VARIANCE,
    _DAY_VAR,
    _DAY_RETURN,
    _DT,
    _STEP_VAR,
    _STEP_SD,
    _TWO_OVER_VAR,
    _STEP_DRIFT,
    _NEXT_JUMP,
    _ELAPSED,
    _X,
    _PEAK,
    _INV,
    _TOLP,
    _MDD,
    _EQUITY,
    _FEES,
    _SLIPPAGE,
    _FUNDING,
    _BAD_DEBT,
    _YF,
) = range(25)
_NF = 25
(_PATH, _STEPS, _N, _STREAK, _MSTREAK, _UW, _MUW, _NWIN, _N_TP, _N_STOP, _N_LIQ, _N_TIME, _CODE) = (
    range(13)
)
_NI = 13
_FLAGGED = -2  # the step needs the scalar code (see _lanes_step)
_BOOKED = -3  # the trade ended and is booked (see _lanes_settle)
_DONE = -4  # ... and it was the path's last


@njit(cache=True, error_model="numpy")
def _lanes_step(F, U, IS, lo, lcode, ytp, nu, max_steps):
    """One step of every lane where it is plain, branch-free (the loop over lanes vectorises).

    A plain step is :func:`~..step.step`'s arithmetic, bit for bit, when nothing rare happens: the
    ziggurat normals take their fast path, no jump falls in the step, the exit decision is
    settled by the cheap bounds of :func:`~..bridge.exit_first` (no exit with the end inside the
    strip, or an exit with the end beyond the barrier) and an exit's first-passage time is
    kept by the cheap screen of :func:`~..bridge.hit_fraction` on its first try. Such lanes take the
    step (``IS[_CODE]``: -1 still open, else the exit, at ``F[_YF]``); the others are left
    untouched with ``IS[_CODE] = _FLAGGED`` (the caller runs :func:`~..step.step` on them, from
    the same stream state, so every path draws what :func:`~.single.single_kernel` draws). Needs
    continuous monitoring, no funding, no time stop and a fixed lower exit ``lo``.
    """
    wid = ytp - lo
    L = _LANES
    for j in range(L):
        s0 = U[0 * L + j]
        s1 = U[1 * L + j]
        s2 = U[2 * L + j]
        s3 = U[3 * L + j]
        y = F[_Y * L + j]
        clock = F[_CLOCK * L + j]
        dtd = F[_DT * L + j]
        day_end = F[_DAY_END * L + j]
        day_return = F[_DAY_RETURN * L + j]
        elapsed = F[_ELAPSED * L + j]
        steps = IS[_STEPS * L + j]
        end = clock + dtd
        if end > day_end - 1e-6 * dtd:
            end = day_end
        jump_now = F[_NEXT_JUMP * L + j] < end
        ln = end - clock
        full = abs(ln - dtd) <= 1e-9 * dtd
        lnq = ln if full else max(ln, 1e-12)
        vq = F[_DAY_VAR * L + j] * lnq
        v = F[_STEP_VAR * L + j] if full else vq
        sd = F[_STEP_SD * L + j] if full else math.sqrt(vq)
        two_over_var = F[_TWO_OVER_VAR * L + j] if full else 2.0 / vq
        step_drift = F[_STEP_DRIFT * L + j] if full else nu * lnq
        # the step's normal (the ziggurat's fast path) and exit uniform
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        k = int(w & uint64(0xFF))
        z = float(int64(w) >> int64(11)) * _TO_DOUBLE * 2.0 * _ZN_X[k]
        ok = abs(z) < _ZN_X[k + 1]
        e = sd * z
        y1 = y + step_drift + e
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        ux = _u53(w)
        a0 = y - lo
        a1 = y1 - lo
        b0 = ytp - y
        b1 = ytp - y1
        ml = a0 * a1 * two_over_var
        mu = b0 * b1 * two_over_var
        keep_up = ux * exp_poly(ml) >= 1.0  # the lower exit cannot have been first
        keep_lo = (1.0 - ux) * exp_poly(mu) >= 1.0  # nor the upper
        below = a1 <= 0.0
        above = b1 <= 0.0
        inner = (not below) & (not above)
        # an end inside the strip: the bridge may have touched a barrier on the way; one
        # exp per lane (the touch probability of the barrier that may have been touched;
        # ends near both are left to the scalar step)
        width = a0 + b0
        both = (not keep_up) & (not keep_lo)
        touch = exp_neg(ml if not keep_up else mu)
        lt = inner & (not keep_up) & (ux < touch)
        l_sure = (touch - ux) * exp_poly(width * (width + a1 - a0) * two_over_var) > 1.0
        in_lo = lt & l_sure
        ut = inner & (not lt) & keep_up & (not keep_lo) & (1.0 - ux < touch)
        u_sure = (touch - (1.0 - ux)) * exp_poly(width * (width + b1 - b0) * two_over_var) > 1.0
        in_up = ut & u_sure
        out_lo = (below & keep_lo) | in_lo
        out_up = (above & (not below) & keep_up) | in_up
        stay = inner & (not lt) & (not ut) & (not both)
        # an exit: its first-passage time (inverse Gaussian, the screen of hit_fraction)
        d0 = a0 if out_lo else b0
        yf = lo if out_lo else ytp
        c = abs(yf - y1)
        w, t0, t1, t2, t3 = step4(s0, s1, s2, s3)
        k = int(w & uint64(0xFF))
        z2 = float(int64(w) >> int64(11)) * _TO_DOUBLE * 2.0 * _ZN_X[k]
        ok2 = abs(z2) < _ZN_X[k + 1]
        w, t0, t1, t2, t3 = step4(t0, t1, t2, t3)
        uq = _u53(w)
        vy = v * z2 * z2
        r = vy / (2.0 * d0 * c)
        q = 1.0 + r + math.sqrt(r * (r + 2.0))
        frac = d0 / (c * q + d0) if uq * (q + 1.0) <= q else d0 * q / (c + d0 * q)
        w, t0, t1, t2, t3 = step4(t0, t1, t2, t3)
        ur = _u53(w)
        dp = d0 * exp_poly(2.0 * wid * (wid - d0) / (v * frac))
        kept = ur * dp < dp - 2.0 * (2.0 * wid - d0)
        out = (out_lo | out_up) & ok2 & (c > 1e-12 * d0) & kept
        plain = (
            (IS[_PATH * L + j] >= 0) & ok & (not jump_now) & (steps + 1 < max_steps) & (out | stay)
        )
        go = plain & stay
        F[_Y * L + j] = y1 if go else y
        F[_DAY_RETURN * L + j] = (
            (day_return + e if stay else day_return + ((yf - y) - step_drift * frac))
            if plain
            else day_return
        )
        F[_ELAPSED * L + j] = (
            (elapsed + lnq if stay else elapsed + lnq * frac) if plain else elapsed
        )
        F[_CLOCK * L + j] = (end if stay else clock + lnq * frac) if plain else clock
        F[_YF * L + j] = yf
        IS[_CODE * L + j] = (-1 if stay else (lcode if out_lo else 0)) if plain else _FLAGGED
        IS[_STEPS * L + j] = steps + 1 if plain else steps
        U[0 * L + j] = (s0 if stay else t0) if plain else U[0 * L + j]
        U[1 * L + j] = (s1 if stay else t1) if plain else U[1 * L + j]
        U[2 * L + j] = (s2 if stay else t2) if plain else U[2 * L + j]
        U[3 * L + j] = (s3 if stay else t3) if plain else U[3 * L + j]


@njit(parallel=True, cache=True)
def lanes_kernel(
    key0,
    key1,
    offset,
    n_paths,
    plan,
    final_eq,
    max_dd,
    ruin_t,
    goal_t,
    max_streak,
    max_uw,
    wins,
    taken,
    exits,
    aux,
):
    """Paths ``offset .. offset + n_paths - 1`` of a one-position plan, sixteen at a time
    (see the module docstring); no recorded paths."""
    for b in prange((n_paths + _GRAIN - 1) // _GRAIN):
        _lanes_block(
            b,
            key0,
            key1,
            offset,
            n_paths,
            plan,
            final_eq,
            max_dd,
            ruin_t,
            goal_t,
            max_streak,
            max_uw,
            wins,
            taken,
            exits,
            aux,
        )


@njit(cache=True)
def _lane_day(F, j):
    """Lane ``j``'s :class:`~..step.PathTime` and :class:`~..step.Day` (by index, not a
    view: see the module docstring)."""
    L = _LANES
    return (
        PathTime(F[_CLOCK * L + j], F[_NEXT_JUMP * L + j], F[_DAY_RETURN * L + j]),
        Day(
            F[_DAY_END * L + j],
            F[_NEXT_DAY * L + j],
            F[_VARIANCE * L + j],
            F[_DAY_VAR * L + j],
            F[_DT * L + j],
            F[_STEP_VAR * L + j],
            F[_STEP_SD * L + j],
            F[_TWO_OVER_VAR * L + j],
            F[_STEP_DRIFT * L + j],
        ),
    )


@njit(cache=True)
def _put_lane_day(F, j, time, day):
    L = _LANES
    F[_CLOCK * L + j] = time.clock
    F[_NEXT_JUMP * L + j] = time.next_jump
    F[_DAY_RETURN * L + j] = time.day_return
    F[_DAY_END * L + j] = day.end
    F[_NEXT_DAY * L + j] = day.next_start
    F[_VARIANCE * L + j] = day.variance
    F[_DAY_VAR * L + j] = day.day_var
    F[_DT * L + j] = day.dt
    F[_STEP_VAR * L + j] = day.step_var
    F[_STEP_SD * L + j] = day.step_sd
    F[_TWO_OVER_VAR * L + j] = day.two_over_var
    F[_STEP_DRIFT * L + j] = day.step_drift


@njit(cache=True)
def _lane_settle(Fj, Ij, code, terms):
    """Book the lane's trade that ended off a barrier (a gap, the step cap) with
    :func:`~..settle.settle`, and start its next trade."""
    acc = AccountState(
        Fj[_X],
        Fj[_PEAK],
        Fj[_INV],
        Fj[_TOLP],
        Fj[_MDD],
        Ij[_STREAK],
        Ij[_MSTREAK],
        Ij[_UW],
        Ij[_MUW],
        Ij[_NWIN],
        Ij[_N],
    )
    tally = Tally(
        Ij[_N_TP],
        Ij[_N_STOP],
        Ij[_N_LIQ],
        Ij[_N_TIME],
        Fj[_FEES],
        Fj[_SLIPPAGE],
        Fj[_FUNDING],
        Fj[_BAD_DEBT],
        Fj[_EQUITY],
    )
    acc, tally = _settle_call(
        code, Fj[_YF], terms.margin, terms.paid, 0.0, terms.settle, acc, tally
    )
    Fj[_X], Fj[_PEAK], Fj[_INV], Fj[_TOLP], Fj[_MDD] = acc.x, acc.peak, acc.inv, acc.tolp, acc.mdd
    Ij[_STREAK], Ij[_MSTREAK], Ij[_UW], Ij[_MUW] = acc.streak, acc.mstreak, acc.uw, acc.muw
    Ij[_NWIN], Ij[_N] = acc.nwin, acc.n
    Ij[_N_TP], Ij[_N_STOP], Ij[_N_LIQ], Ij[_N_TIME] = (
        tally.take_profit,
        tally.stop,
        tally.liquidation,
        tally.time,
    )
    Fj[_FEES], Fj[_SLIPPAGE], Fj[_FUNDING], Fj[_BAD_DEBT] = (
        tally.fees,
        tally.slippage,
        tally.funding,
        tally.bad_debt,
    )
    Fj[_EQUITY] = tally.equity
    Fj[_Y] = 0.0  # the next trade
    Fj[_ELAPSED] = 0.0
    Ij[_STEPS] = 0


@njit(cache=True)
def _lane_store(
    Fj, Ij, terms, final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken, exits, aux
):
    """Store the lane's ended path."""
    x = Fj[_X]
    n = Ij[_N]
    t_ruin = n if x <= terms.ruin_cut else -1
    t_goal = n if (t_ruin < 0 and x >= terms.goal_cut) else -1
    i = Ij[_PATH]
    acc_store(
        i,
        (x, Fj[_PEAK], Fj[_INV], Fj[_TOLP], Fj[_MDD], 0, Ij[_MSTREAK], 0, Ij[_MUW], Ij[_NWIN], n),
        t_ruin,
        t_goal,
        terms.settle.fractional,
        terms.settle.risk,
        final_eq,
        max_dd,
        ruin_t,
        goal_t,
        max_streak,
        max_uw,
        wins,
        taken,
    )
    store_tally(
        i,
        Tally(
            Ij[_N_TP],
            Ij[_N_STOP],
            Ij[_N_LIQ],
            Ij[_N_TIME],
            Fj[_FEES],
            Fj[_SLIPPAGE],
            Fj[_FUNDING],
            Fj[_BAD_DEBT],
            Fj[_EQUITY],
        ),
        exits,
        aux,
    )


@njit(cache=True, error_model="numpy")
def _lanes_block(
    b,
    key0,
    key1,
    offset,
    n_paths,
    plan,
    final_eq,
    max_dd,
    ruin_t,
    goal_t,
    max_streak,
    max_uw,
    wins,
    taken,
    exits,
    aux,
):
    """Paths ``b * _GRAIN`` onwards (one block) of :func:`lanes_kernel`, a function of its
    own: inside the ``prange`` body numba's parallel passes took most of the compile time.
    ``error_model="numpy"``: no zero-division checks, which would stop the lane loops from
    vectorising (a plain step's inverse Gaussian divides by zero in lanes it discards)."""
    terms = one_position_terms(plan)
    barriers = terms.settle.barriers
    y_liq = terms.y_liq
    ytp = plan.y_take_profit
    ysl = plan.y_stop
    lo = y_liq if y_liq >= ysl else ysl
    lcode = 2 if y_liq >= ysl else 1
    L = _LANES
    F = np.zeros(_NF * L)
    U = np.zeros(4 * L, np.uint64)
    IS = np.zeros(_NI * L, np.int64)
    nxt = b * _GRAIN
    hi = min(n_paths, nxt + _GRAIN)
    live = 0
    IS[_PATH * L : (_PATH + 1) * L] = -1
    while True:
        for j in range(L):  # lanes without a path take the next one of the block
            if IS[_PATH * L + j] >= 0 or nxt >= hi:
                continue
            Fj = F[j::L]
            Ij = IS[j::L]
            Uj = U[j::L]
            Fj[:] = 0.0
            Ij[:] = 0
            Ij[_PATH] = nxt
            next_jump, Uj[0], Uj[1], Uj[2], Uj[3] = path_start(
                key0, key1, offset + nxt, terms.jumps, terms.jumps_per_day
            )
            Fj[_INV] = 1.0 if plan.fractional else 1.0 / terms.settle.c
            Fj[_TOLP] = TOL
            Fj[_EQUITY] = 1.0
            start = Day(0.0, 0.0, terms.start_variance, 0.0, terms.dt, 0.0, 0.0, 0.0, 0.0)
            time, day, Uj[0], Uj[1], Uj[2], Uj[3] = _new_day_call(
                PathTime(0.0, next_jump, 0.0), start, Uj[0], Uj[1], Uj[2], Uj[3], terms.day
            )
            _put_lane_day(F, j, time, day)
            nxt += 1
            live += 1
        if live == 0:
            break
        _lanes_step(F, U, IS, lo, lcode, ytp, plan.drift, plan.max_steps)
        for j in range(L):  # the steps _lanes_step left to the scalar code
            if IS[_PATH * L + j] < 0 or IS[_CODE * L + j] != _FLAGGED:
                continue
            time, day = _lane_day(F, j)
            pos = Position(
                F[_Y * L + j], F[_ELAPSED * L + j], IS[_STEPS * L + j], terms.paid, 0.0, y_liq
            )
            code, F[_YF * L + j], pos, time, U[j], U[L + j], U[2 * L + j], U[3 * L + j] = (
                _step_call(
                    pos,
                    time,
                    day,
                    U[j],
                    U[L + j],
                    U[2 * L + j],
                    U[3 * L + j],
                    terms.margin,
                    terms.step,
                )
            )
            IS[_CODE * L + j] = code
            F[_Y * L + j] = pos.y
            F[_ELAPSED * L + j] = pos.elapsed
            IS[_STEPS * L + j] = pos.steps
            F[_CLOCK * L + j] = time.clock
            F[_NEXT_JUMP * L + j] = time.next_jump
            F[_DAY_RETURN * L + j] = time.day_return
        _lanes_settle(
            F,
            IS,
            barriers.results,
            barriers.steps,
            barriers.growths,
            ytp,
            ysl,
            y_liq,
            plan.fractional,
            plan.risk,
            plan.x_floor,
            terms.settle.c,
            terms.ruin_cut,
            terms.goal_cut,
            terms.n_trades,
        )
        for j in range(L):  # exits off a barrier, ended paths, new days
            code = IS[_CODE * L + j]
            if IS[_PATH * L + j] < 0 or (
                code < 0 and code != _DONE and F[_CLOCK * L + j] < F[_NEXT_DAY * L + j]
            ):
                continue
            if code >= 0:  # a gap through a barrier (or the step cap): its own result
                _lane_settle(F[j::L], IS[j::L], code, terms)
                if _path_done(
                    F[_X * L + j], IS[_N * L + j], terms.ruin_cut, terms.goal_cut, terms.n_trades
                ):
                    code = _DONE
            if code == _DONE:  # the path ended: store it; the lane takes the next one
                _lane_store(
                    F[j::L],
                    IS[j::L],
                    terms,
                    final_eq,
                    max_dd,
                    ruin_t,
                    goal_t,
                    max_streak,
                    max_uw,
                    wins,
                    taken,
                    exits,
                    aux,
                )
                IS[_PATH * L + j] = -1
                live -= 1
            elif F[_CLOCK * L + j] >= F[_NEXT_DAY * L + j]:
                time, day = _lane_day(F, j)
                time, day, U[j], U[L + j], U[2 * L + j], U[3 * L + j] = _new_day_call(
                    time, day, U[j], U[L + j], U[2 * L + j], U[3 * L + j], terms.day
                )
                _put_lane_day(F, j, time, day)


@njit(cache=True)
def _path_done(x, n, ruin_cut, goal_cut, n_trades):
    """Whether a path ends after its ``n``-th trade (state ``x``): ruin, goal or the last
    trade."""
    return (x <= ruin_cut) | (x >= goal_cut) | (n == n_trades)


@njit(cache=True)
def _pick(code, a0, a1, a2):
    """``a0``, ``a1`` or ``a2`` for exit code 0, 1 or 2 (selects, where a table lookup
    would be a gather that LLVM will not vectorise)."""
    return a0 if code == 0 else (a1 if code == 1 else a2)


@njit(cache=True, error_model="numpy")
def _lanes_settle(
    F,
    IS,
    results,
    steps,
    growths,
    ytp,
    ysl,
    y_liq,
    fractional,
    risk,
    x_floor,
    c,
    ruin_cut,
    goal_cut,
    n_trades,
):
    """Book, branch-free, the trades that ended exactly at a barrier (their results are the
    precomputed ``results``, ``steps``, ``growths`` of :class:`~..settle.BarrierResults`):
    :func:`~..settle.settle`'s arithmetic (the engine's bookkeeping), bit for bit; such
    lanes get ``IS[_CODE] = _BOOKED`` and start their next trade. Other exits (gaps, the
    time stop) are left to :func:`~..settle.settle`. The trip count is read from
    the state's size: with the constant 16, LLVM unrolled the loop fully instead of
    vectorising it. Every value is computed for every lane and only then selected: a call
    or a load inside a conditional (``+= f(...) if tab else 0.0``, ``growths[0]`` in the
    loop) kept the loop scalar, and its branches on random exits mispredicted (17% of
    the wide case's time in ``market_perf.json`` before this)."""
    L = _LANES
    r0, r1, r2 = results[0, 0], results[1, 0], results[2, 0]
    f0, f1, f2 = results[0, 1], results[1, 1], results[2, 1]
    p0, p1, p2 = results[0, 2], results[1, 2], results[2, 2]
    u0, u1, u2 = results[0, 3], results[1, 3], results[2, 3]
    b0, b1, b2 = results[0, 4], results[1, 4], results[2, 4]
    d0, d1, d2 = steps[0], steps[1], steps[2]
    g0, g1, g2 = growths[0], growths[1], growths[2]
    for j in range(IS.shape[0] // _NI):
        # every load first (unconditional), then the arithmetic of a booked trade for every
        # lane (no call or load inside a conditional), then selects: the loop vectorises
        code = IS[_CODE * L + j]
        yf = F[_YF * L + j]
        x0 = F[_X * L + j]
        peak0 = F[_PEAK * L + j]
        tolp0 = F[_TOLP * L + j]
        inv0 = F[_INV * L + j]
        mdd0 = F[_MDD * L + j]
        equity = F[_EQUITY * L + j]
        fees0 = F[_FEES * L + j]
        slippage0 = F[_SLIPPAGE * L + j]
        funding0 = F[_FUNDING * L + j]
        bad_debt0 = F[_BAD_DEBT * L + j]
        y0 = F[_Y * L + j]
        elapsed0 = F[_ELAPSED * L + j]
        steps0 = IS[_STEPS * L + j]
        streak0 = IS[_STREAK * L + j]
        mstreak0 = IS[_MSTREAK * L + j]
        uw0 = IS[_UW * L + j]
        muw0 = IS[_MUW * L + j]
        nwin0 = IS[_NWIN * L + j]
        n0 = IS[_N * L + j]
        tab = (
            (IS[_PATH * L + j] >= 0)
            & (code >= 0)
            & (code < 3)
            & (yf == _pick(code, ytp, ysl, y_liq))
        )
        r = _pick(code, r0, r1, r2)
        scale = risk * equity if fractional else risk
        x = max(x0 + _pick(code, d0, d1, d2), x_floor)
        up = x > peak0
        peak = x if up else peak0
        tolp = TOL * max(1.0, abs(peak)) if up else tolp0
        inv_up = 1.0 / (c + peak)
        inv = inv_up if (up & (not fractional)) else inv0
        mdd = np.inf if x == -np.inf else max(mdd0, (peak - x) * inv)
        streak = streak0 + 1 if r < 0.0 else 0
        uw = uw0 + 1 if x < peak - tolp else 0
        grown = equity * _pick(code, g0, g1, g2)
        fees = _pick(code, f0, f1, f2) * scale
        slippage = _pick(code, p0, p1, p2) * scale
        funding = _pick(code, u0, u1, u2) * scale
        bad_debt = _pick(code, b0, b1, b2) * scale
        n = n0 + np.int64(tab)
        done = _path_done(x, n, ruin_cut, goal_cut, n_trades)
        F[_X * L + j] = x if tab else x0
        F[_PEAK * L + j] = peak if tab else peak0
        F[_TOLP * L + j] = tolp if tab else tolp0
        F[_INV * L + j] = inv if tab else inv0
        F[_MDD * L + j] = mdd if tab else mdd0
        F[_EQUITY * L + j] = grown if tab else equity
        F[_FEES * L + j] = fees0 + (fees if tab else 0.0)
        F[_SLIPPAGE * L + j] = slippage0 + (slippage if tab else 0.0)
        F[_FUNDING * L + j] = funding0 + (funding if tab else 0.0)
        F[_BAD_DEBT * L + j] = bad_debt0 + (bad_debt if tab else 0.0)
        F[_Y * L + j] = 0.0 if tab else y0
        F[_ELAPSED * L + j] = 0.0 if tab else elapsed0
        IS[_STEPS * L + j] = 0 if tab else steps0
        IS[_STREAK * L + j] = streak if tab else streak0
        IS[_MSTREAK * L + j] = max(mstreak0, streak if tab else 0)
        IS[_UW * L + j] = uw if tab else uw0
        IS[_MUW * L + j] = max(muw0, uw if tab else 0)
        IS[_NWIN * L + j] = nwin0 + np.int64(tab & (r > 0.0))
        IS[_N * L + j] = n
        IS[_N_TP * L + j] += np.int64(tab & (code == 0))
        IS[_N_STOP * L + j] += np.int64(tab & (code == 1))
        IS[_N_LIQ * L + j] += np.int64(tab & (code == 2))
        IS[_CODE * L + j] = (_DONE if done else _BOOKED) if tab else code
