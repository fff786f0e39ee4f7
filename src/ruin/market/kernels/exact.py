"""Exact two-barrier exits: one uniform per trade (no time dimension).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, uint64

from ...brownian import _p_up_first
from ...engine.accounting import TOL
from ...engine.rng import (
    seed4,
    step4,
)
from ..liquidation import _liq_y
from ..plan import (
    _TWO32,
    F_BF,
    F_C,
    F_FEE,
    F_GOALX,
    F_K2,
    F_LIQFEE,
    F_M,
    F_MMR,
    F_RISK,
    F_RUINX,
    F_S,
    F_SIDE,
    F_SLIP,
    F_XFLOOR,
    F_YSL,
    F_YTP,
    I_CROSS,
    I_FRACTIONAL,
    I_NTRADES,
    I_RULE,
)
from ..settle import _book, _close, _dx, _equity, _finish_path, _growth

_MASK32 = uint64(0xFFFFFFFF)


@njit(parallel=True, cache=True)
def _exact_kernel(key0, key1, offset, n_paths, fp, ip, final_eq, max_dd, ruin_t, goal_t,
                  max_streak, max_uw, wins, taken, exits, aux, rec):
    """Exact two-barrier exits: one 32-bit uniform per trade (no time dimension)."""
    side = fp[F_SIDE]
    s = fp[F_S]
    ytp = fp[F_YTP]
    ysl = fp[F_YSL]
    m = fp[F_M]
    mmr = fp[F_MMR]
    cc = fp[F_C]
    fee = fp[F_FEE]
    slip = fp[F_SLIP]
    liqfee = fp[F_LIQFEE]
    bf = fp[F_BF]
    bsm = bf * fp[F_MMR]
    bsc = bf * fp[F_C]
    k2 = fp[F_K2]
    risk = fp[F_RISK]
    x_floor = fp[F_XFLOOR]
    ruin_x = fp[F_RUINX]
    goal_x = fp[F_GOALX]
    cross = ip[I_CROSS] == 1
    rule = ip[I_RULE]
    fractional = ip[I_FRACTIONAL] == 1
    n_trades = ip[I_NTRADES]
    n_rec = rec.shape[0]
    phi0 = fee + slip
    c = 0.0 if fractional else 1.0 / risk
    ruin_cut = ruin_x + (TOL * max(1.0, abs(ruin_x)) if ruin_x > -np.inf else 0.0)
    goal_cut = goal_x - (TOL * max(1.0, abs(goal_x)) if goal_x < np.inf else 0.0)
    dynamic = cross and not fractional
    # constant outcomes (isolated, or cross with fractional sizing: equity / R = 1 / risk)
    m0 = s / risk if cross else m
    yl0 = _liq_y(side, m0, phi0, cc, mmr)
    liq0 = yl0 >= ysl
    lo0 = yl0 if liq0 else ysl
    p0 = _p_up_first(k2, -lo0, ytp)
    thr0 = uint64(min(p0 * _TWO32, _TWO32))
    rt, ft, st_, _, _ = _close(0, side, ytp, m0, phi0, 0.0, s, fee, slip, rule, liqfee, bsm, bsc)
    rl, fl, sl, _, bl = _close(2 if liq0 else 1, side, lo0, m0, phi0, 0.0, s, fee, slip, rule,
                               liqfee, bsm, bsc)
    dxt = _dx(rt, fractional, risk)
    dxl = _dx(rl, fractional, risk)
    grt = _growth(rt, risk)
    grl = _growth(rl, risk)
    for i in prange(n_paths):
        s0, s1, s2, s3 = seed4(key0, key1, offset + i)
        x = 0.0
        eqm = 1.0
        peak = 0.0
        inv = 1.0 if fractional else 1.0 / c
        tolp = TOL
        mdd = 0.0
        streak = 0
        mstreak = 0
        uw = 0
        muw = 0
        nwin = 0
        t_ruin = -1
        t_goal = -1
        n = 0
        n_tp = 0
        n_liq = 0
        sc_tp = 0.0
        sc_lo = 0.0
        aux_d = np.zeros(4)
        w = uint64(0)
        for t in range(n_trades):
            if (t & 1) == 0:
                w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
                uu = w & _MASK32
            else:
                uu = w >> uint64(32)
            scale = risk * eqm if fractional else risk
            if dynamic:
                me = s * (1.0 / risk + x)
                yl = _liq_y(side, me, phi0, cc, mmr)
                isliq = yl >= ysl
                lo = yl if isliq else ysl
                p = _p_up_first(k2, -lo, ytp)
                thr = uint64(min(p * _TWO32, _TWO32))
                if uu < thr:
                    r, f_, sp_, _, b_ = _close(0, side, ytp, me, phi0, 0.0, s, fee, slip,
                                               rule, liqfee, bsm, bsc)
                    n_tp += 1
                else:
                    r, f_, sp_, _, b_ = _close(2 if isliq else 1, side, lo, me, phi0, 0.0, s,
                                               fee, slip, rule, liqfee, bsm, bsc)
                    n_liq += np.int64(isliq)
                aux_d[0] += f_ * scale
                aux_d[1] += sp_ * scale
                aux_d[3] += b_ * scale
            else:
                if uu < thr0:
                    r = rt
                    dx = dxt
                    gr = grt
                    n_tp += 1
                    sc_tp += scale
                else:
                    r = rl
                    dx = dxl
                    gr = grl
                    sc_lo += scale
            if dynamic:
                dx = _dx(r, fractional, risk)
                gr = _growth(r, risk)
            n += 1
            nwin += np.int64(r > 0.0)
            x, peak, inv, tolp, mdd, streak, mstreak, uw, muw = _book(
                x, dx, r, fractional, x_floor, peak, inv, tolp, mdd, streak, mstreak, uw,
                muw, c)
            if fractional:
                eqm = eqm * gr
            if n_rec > 0 and i < n_rec:
                rec[i, t + 1] = _equity(x, fractional, risk)
            if x <= ruin_cut:
                t_ruin = t + 1
                break
            if x >= goal_cut:
                t_goal = t + 1
                break
        _finish_path(i, x, peak, inv, tolp, mdd, mstreak, muw, nwin, n, t_ruin, t_goal,
                     fractional, risk, n_trades, rec, final_eq, max_dd, ruin_t, goal_t,
                     max_streak, max_uw, wins, taken)
        exits[i, 0] = n_tp
        if dynamic:
            exits[i, 1] = n - n_tp - n_liq
            exits[i, 2] = n_liq
            for k in range(4):
                aux[i, k] = aux_d[k]
        else:
            n_lo = n - n_tp
            exits[i, 1] = 0 if liq0 else n_lo
            exits[i, 2] = n_lo if liq0 else 0
            aux[i, 0] = ft * sc_tp + fl * sc_lo
            aux[i, 1] = st_ * sc_tp + sl * sc_lo
            aux[i, 2] = 0.0
            aux[i, 3] = bl * sc_lo
        exits[i, 3] = 0
