"""One position at a time, stepped, with the whole state in scalars.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ...engine.accounting import TOL
from ..liquidation import _liq_y
from ..plan import (
    F_BF,
    F_C,
    F_DT,
    F_FEE,
    F_FUND,
    F_FUNDINT,
    F_GA,
    F_GB,
    F_GOALX,
    F_GW,
    F_JLAM,
    F_JMU,
    F_JSD,
    F_LIQFEE,
    F_M,
    F_MAXHOLD,
    F_MMR,
    F_NU,
    F_RISK,
    F_RUINX,
    F_S,
    F_SIDE,
    F_SIG2DT,
    F_SLIP,
    F_TDF,
    F_WIDTH,
    F_XFLOOR,
    F_YSL,
    F_YTP,
    I_ADAPT,
    I_CROSS,
    I_DISCRETE,
    I_FRACTIONAL,
    I_FUNDPERDAY,
    I_GARCH,
    I_JUMPS,
    I_MAXSTEPS,
    I_NTRADES,
    I_RULE,
    I_TAILS,
)
from ..settle import _close, _dx, _equity, _finish_path, _growth, _settle, _store_counts
from ..step import _new_day, _path_start, _step


@njit(inline="always", cache=True)
def _single_setup(fp, ip):
    """Constants of the one-position kernels: ``(cday, cstep, csettle, cr, cdx, cgr, m0,
    lq0, phi0, jumps, lam_day, dt, n_trades, ruin_cut, goal_cut)`` (see :func:`_new_day`,
    :func:`_step`, :func:`_settle`)."""
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
    nu = fp[F_NU]
    dt = fp[F_DT]
    fund = fp[F_FUND]
    maxhold = fp[F_MAXHOLD]
    tdf = fp[F_TDF]
    lam_day = fp[F_JLAM] / fp[F_DT]  # crash jumps per day
    risk = fp[F_RISK]
    ruin_x = fp[F_RUINX]
    goal_x = fp[F_GOALX]
    cross = ip[I_CROSS] == 1
    discrete = ip[I_DISCRETE] == 1
    fractional = ip[I_FRACTIONAL] == 1
    tails = ip[I_TAILS] == 1
    phi0 = fee + slip
    t_int = int(tdf) if (tails and tdf == math.floor(tdf) and tdf <= 30.0) else 0
    cday = (ip[I_GARCH] == 1, fp[F_GW], fp[F_GA], fp[F_GB], tails, tdf, t_int,
            ip[I_ADAPT] == 1, fp[F_WIDTH], ip[I_FUNDPERDAY], nu)
    cstep = (side, ytp, ysl, nu, discrete or fund != 0.0, discrete, maxhold, fp[F_JMU],
             fp[F_JSD], math.log(0.05), lam_day, fund, fp[F_FUNDINT], cc, mmr,
             ip[I_MAXSTEPS])
    # Exits at a barrier before any funding have the same result in R every trade unless the
    # margin follows the equity (cross margin with fixed stakes): precompute them
    # (take-profit, stop, liquidation), with their state increments and equity factors.
    const = not (cross and not fractional)
    m0 = s * (1.0 / risk) if cross else m
    lq0 = _liq_y(side, m0, phi0, cc, mmr)
    cr = np.zeros((3, 5))
    cdx = np.zeros(3)
    cgr = np.zeros(3)
    for k in range(3):
        yk = ytp if k == 0 else (ysl if k == 1 else lq0)
        if k < 2 or lq0 > -np.inf:
            r_, f_, sp_, fu_, b_ = _close(k, side, yk, m0, phi0, 0.0, s, fee, slip,
                                          ip[I_RULE], liqfee, bsm, bsc)
            cr[k, 0] = r_
            cr[k, 1] = f_
            cr[k, 2] = sp_
            cr[k, 3] = fu_
            cr[k, 4] = b_
            cdx[k] = _dx(r_, fractional, risk)
            cgr[k] = _growth(r_, risk)
    csettle = (const, side, ytp, ysl, lq0, s, fee, slip, ip[I_RULE], liqfee, bsm, bsc,
               fractional, risk, fp[F_XFLOOR], 0.0 if fractional else 1.0 / risk)
    ruin_cut = ruin_x + (TOL * max(1.0, abs(ruin_x)) if ruin_x > -np.inf else 0.0)
    goal_cut = goal_x - (TOL * max(1.0, abs(goal_x)) if goal_x < np.inf else 0.0)
    return (cday, cstep, csettle, cr, cdx, cgr, m0, lq0, phi0, ip[I_JUMPS] == 1, lam_day,
            dt, ip[I_NTRADES], ruin_cut, goal_cut)


@njit(parallel=True, cache=True)
def _single_kernel(key0, key1, offset, n_paths, fp, ip, final_eq, max_dd, ruin_t, goal_t,
                   max_streak, max_uw, wins, taken, exits, aux, rec):
    """One position at a time, stepped, with the whole state in scalars.

    The model of :func:`_stepped_kernel` with one position (isolated, or cross where the
    account backs it), with exact exits inside each step (the two-barrier bridge series,
    :func:`_exit_first`) at their first-passage times (:func:`_hit_fraction`), crash jumps
    at their Poisson times, ziggurat normals, and the day's variance computed once per day
    (:func:`_new_day`, :func:`_step`, :func:`_settle`; :func:`_lanes_kernel` walks the same
    paths sixteen at a time).
    """
    (cday, cstep, csettle, cr, cdx, cgr, m0, lq0, phi0, jumps, lam_day, dt, n_trades,
     ruin_cut, goal_cut) = _single_setup(fp, ip)
    const = csettle[0]
    fractional = csettle[12]
    risk = csettle[13]
    c = csettle[15]
    s = csettle[5]
    side = cstep[0]
    mmr = cstep[14]
    cc = cstep[13]
    n_rec = rec.shape[0]
    for i in prange(n_paths):
        next_jump, s0, s1, s2, s3 = _path_start(key0, key1, offset + i, jumps, lam_day)
        ex0 = ex1 = ex2 = ex3 = 0
        ax0 = ax1 = ax2 = ax3 = 0.0
        x = 0.0
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
        h = fp[F_SIG2DT] / dt  # GARCH conditional variance per day
        vday = h
        eday = 0.0  # the day's diffusive return so far
        next_day = 0.0
        day_end = 0.0
        dtd = dt
        v_f = sd_f = tov_f = nudt_f = 0.0
        clock = 0.0
        eqm = 1.0  # equity multiple (fractional sizing), kept by multiplication
        for t in range(n_trades):
            if const:
                m_eff = m0
                lq = lq0
            else:
                m_eff = s * (1.0 / risk + x)  # cross margin, fixed stakes: equity in R
                lq = _liq_y(side, m_eff, phi0, cc, mmr)
            y = 0.0
            phi = phi0
            fac = 0.0
            elapsed = 0.0
            steps = 0
            while True:
                if clock >= next_day:
                    (h, eday, day_end, next_day, vday, dtd, v_f, sd_f, tov_f, nudt_f,
                     s0, s1, s2, s3) = _new_day(clock, next_day, h, eday, dtd, s0, s1, s2, s3,
                                                cday)
                (code, yf, y, clock, eday, elapsed, steps, next_jump, phi, fac, lq,
                 s0, s1, s2, s3) = _step(y, clock, eday, elapsed, steps, next_jump, phi, fac,
                                         lq, s0, s1, s2, s3, dtd, day_end, vday, v_f, sd_f,
                                         tov_f, nudt_f, m_eff, cstep)
                if code >= 0:
                    break
            (x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n, eqm,
             ex0, ex1, ex2, ex3, ax0, ax1, ax2, ax3) = _settle(
                code, yf, m_eff, phi, fac, csettle, cr, cdx, cgr, x, peak, inv, tolp, mdd,
                streak, mstreak, uw, muw, nwin, n, eqm, ex0, ex1, ex2, ex3, ax0, ax1, ax2,
                ax3)
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
        _store_counts(i, exits, aux, ex0, ex1, ex2, ex3, ax0, ax1, ax2, ax3)
