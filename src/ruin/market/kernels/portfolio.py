"""Several concurrent positions per trade (portfolio heat).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ...engine.accounting import TOL
from ...engine.rng import (
    next_double,
    stream_init,
)
from ..bridge import _cross, _hit_fraction, _strip_exit
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
    F_RHO,
    F_RISK,
    F_RUINX,
    F_S,
    F_SIDE,
    F_SIG2DT,
    F_SLIP,
    F_TDF,
    F_XFLOOR,
    F_YSL,
    F_YTP,
    I_CROSS,
    I_DISCRETE,
    I_FRACTIONAL,
    I_GARCH,
    I_JUMPS,
    I_K,
    I_MAXSTEPS,
    I_NTRADES,
    I_RULE,
    I_TAILS,
)
from ..settle import _book, _close, _dx, _equity, _finish_path
from ..step import _day_variance, _step_end

_BGK = 0.5826  # -zeta(1/2) / sqrt(2 pi), Broadie, Glasserman & Kou (1997)


@njit(inline="always", cache=True)
def _normal(st, sp):
    """Standard normal by Box-Muller, keeping the second variate in ``sp`` (spare)."""
    if sp[0] > 0.0:
        sp[0] = 0.0
        return sp[1]
    u1 = 1.0 - next_double(st)
    u2 = next_double(st)
    r = math.sqrt(-2.0 * math.log(u1))
    a = 2.0 * math.pi * u2
    sp[0] = 1.0
    sp[1] = r * math.sin(a)
    return r * math.cos(a)


@njit(cache=True)
def _cross_check(K, opn, y, phi, fac, side, s, mmr, cc, er, rtot, shift, rho, rule, liqfee,
                 fee, slip, scale, ex, ax, bf):
    """Cross account with several positions: liquidate all open positions when equity
    (minus ``shift`` standard deviations of a step's equity change) is below maintenance.
    Returns ``(liquidated, round result in R so far)``."""
    eqr = er + rtot
    mmr_r = 0.0
    notl = 0.0
    nsq = 0.0
    for j in range(K):
        if opn[j]:
            u = math.exp(side * y[j])
            eqr += (side * (u - 1.0) - phi[j]) / s
            mmr_r += (mmr * u - cc) / s
            notl += u / s
            nsq += (u / s) ** 2
    eq_sd = math.sqrt(rho * notl * notl + (1.0 - rho) * nsq)
    if eqr - shift * eq_sd >= mmr_r:
        return False, rtot
    keep = 0.0
    if rule == 1 and eqr >= bf * mmr_r:
        keep = max(0.0, eqr - liqfee * notl)
    for j in range(K):
        if opn[j]:
            ex[2] += 1
            ax[0] += fee / s * scale
            ax[1] += slip / s * scale
            ax[2] += fac[j] / s * scale
            opn[j] = False
    ax[3] += max(0.0, -eqr) * scale
    return True, keep - er


@njit(parallel=True, cache=True)
def _stepped_kernel(key0, key1, offset, n_paths, fp, ip, final_eq, max_dd, ruin_t, goal_t,
                    max_streak, max_uw, wins, taken, exits, aux, rec):
    """Stepped price paths of several concurrent positions (see the module docstring): exact
    two-barrier exits inside each step (:func:`_exit_first`) at their first-passage times
    (:func:`_hit_fraction`; a trade ends when its last position closes), crash jumps at
    their Poisson times (a step ends at each), steps on the clock's grid of multiples of
    ``dt`` (funding times and discrete checks fall on it), cut at midnight."""
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
    sig2dt = fp[F_SIG2DT]
    dt = fp[F_DT]
    fund = fp[F_FUND]
    fint = fp[F_FUNDINT]
    maxhold = fp[F_MAXHOLD]
    tdf = fp[F_TDF]
    ga = fp[F_GA]
    gb = fp[F_GB]
    gw = fp[F_GW]
    jlam = fp[F_JLAM]
    jmu = fp[F_JMU]
    jsd = fp[F_JSD]
    rho = fp[F_RHO]
    risk = fp[F_RISK]
    x_floor = fp[F_XFLOOR]
    ruin_x = fp[F_RUINX]
    goal_x = fp[F_GOALX]
    K = ip[I_K]
    cross = ip[I_CROSS] == 1
    rule = ip[I_RULE]
    discrete = ip[I_DISCRETE] == 1
    fractional = ip[I_FRACTIONAL] == 1
    tails = ip[I_TAILS] == 1
    garch = ip[I_GARCH] == 1
    jumps = ip[I_JUMPS] == 1
    n_trades = ip[I_NTRADES]
    max_steps = ip[I_MAXSTEPS]
    n_rec = rec.shape[0]
    phi0 = fee + slip
    c = 0.0 if fractional else 1.0 / risk
    ruin_cut = ruin_x + (TOL * max(1.0, abs(ruin_x)) if ruin_x > -np.inf else 0.0)
    goal_cut = goal_x - (TOL * max(1.0, abs(goal_x)) if goal_x < np.inf else 0.0)
    sq_rho = math.sqrt(rho)
    sq_1rho = math.sqrt(1.0 - rho)
    jfloor = math.log(0.05)
    cross_many = cross and K > 1
    lam_day = jlam / dt  # crash jumps per day
    t_int = int(tdf) if (tails and tdf == math.floor(tdf) and tdf <= 30.0) else 0
    for i in prange(n_paths):
        st = np.empty(4, np.uint64)
        stream_init(key0, key1, offset + i, st)
        sp = np.zeros(2)
        y = np.zeros(K)
        opn = np.zeros(K, np.bool_)
        phi = np.zeros(K)
        fac = np.zeros(K)
        ylq = np.zeros(K)
        ex = np.zeros(4, np.int64)
        ax = np.zeros(4)
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
        h = sig2dt / dt  # GARCH conditional variance per day
        eday = 0.0  # the day's diffusive return so far (first open position)
        day = -1
        hv = sig2dt
        sd = math.sqrt(hv)
        vday = sig2dt / dt
        clock = 0.0
        next_jump = np.inf  # clock time of the next crash jump (a Poisson process)
        if jumps:
            next_jump = -math.log(1.0 - next_double(st)) / lam_day
        for t in range(n_trades):
            er = 1.0 / risk if fractional else 1.0 / risk + x  # equity in R
            scale = risk * _equity(x, fractional, risk) if fractional else risk
            m_eff = s * er if cross else m
            rtot = 0.0
            for j in range(K):
                y[j] = 0.0
                opn[j] = True
                phi[j] = phi0
                fac[j] = 0.0
                ylq[j] = -np.inf if cross_many else _liq_y(side, m_eff, phi0, cc, mmr)
            nopen = K
            elapsed = 0.0
            steps = 0
            while nopen > 0:
                steps += 1
                d = math.floor(clock + 1e-9)
                if d != day:  # a new day on the path clock: GARCH update, t mixing
                    if garch and day >= 0:
                        h = gw + ga * eday * eday + gb * h
                    eday = 0.0
                    day = d
                    vday, st[0], st[1], st[2], st[3] = _day_variance(
                        h, tails, tdf, t_int, st[0], st[1], st[2], st[3])
                    hv = vday * dt
                    sd = math.sqrt(hv)
                # checks of discrete monitoring happen at grid points only
                end, ln, jump_now, grid = _step_end(clock, dt, True, d + 1.0, next_jump,
                                                    maxhold, elapsed)
                if abs(ln - dt) <= 1e-9 * dt:
                    v = hv
                    sdv = sd
                else:
                    ln = max(ln, 1e-12)
                    v = vday * ln
                    sdv = math.sqrt(v)
                nudt = nu * ln
                tov = 2.0 / v
                fmax = 0.0  # latest exit inside the step (fraction of it)
                at_end = False  # a position closed at the step's end
                zc = _normal(st, sp) if (K > 1 and rho > 0.0) else 0.0
                # perfectly correlated positions share one path, so one bridge uniform
                ucommon = next_double(st) if (K > 1 and rho == 1.0) else -1.0
                jump = 0.0
                if jump_now:  # (still pending if every position leaves before it)
                    jump = max(jmu + jsd * _normal(st, sp), jfloor)
                    next_jump = end - math.log(1.0 - next_double(st)) / lam_day
                eps0 = 0.0
                first = True
                for j in range(K):
                    if not opn[j]:
                        continue
                    if K > 1:
                        z = sq_rho * zc + sq_1rho * _normal(st, sp)
                    else:
                        z = _normal(st, sp)
                    e = sdv * z
                    if first:
                        eps0 = e
                        first = False
                    y0 = y[j]
                    y1 = y0 + nudt + e
                    code = -1
                    yf = 0.0
                    d0 = 0.0
                    wid = np.inf
                    lq = ylq[j]
                    if not discrete:
                        # one uniform: the lower exit if uu < P(lower first), take-profit if
                        # 1 - uu < P(upper first) (monotone in both barriers on common
                        # random numbers)
                        uu = ucommon if ucommon >= 0.0 else next_double(st)
                        code, yf, d0, wid = _strip_exit(y0, y1, lq, ysl, ytp, tov, uu)
                    elif lq > -np.inf:
                        pl = _cross(y0 - lq, y1 - lq, v)
                        ud = ucommon if ucommon >= 0.0 else next_double(st)
                        if ud < pl:
                            code = 2
                            yf = lq
                            d0 = y0 - lq
                    if code >= 0:  # inside the step, at the bridge's first-passage time
                        if ucommon < 0.0 or fmax == 0.0:
                            frac, st[0], st[1], st[2], st[3] = _hit_fraction(
                                d0, abs(yf - y1), v, wid, st[0], st[1], st[2], st[3])
                            fmax = max(fmax, frac)
                        # (perfectly correlated positions share one path: one exit time)
                    if code < 0 and jump != 0.0:
                        y1 += side * jump
                        if cross_many:
                            pass  # the account is checked first, below
                        elif y1 <= lq:
                            code = 2
                            yf = y1
                        elif not discrete and y1 <= ysl:
                            code = 1
                            yf = y1
                        elif not discrete and y1 >= ytp:
                            code = 0
                            yf = y1
                        at_end = at_end or code >= 0
                    if code < 0 and discrete and grid:
                        if y1 <= ysl:
                            code = 1
                            yf = y1
                        elif y1 >= ytp:
                            code = 0
                            yf = y1
                        at_end = at_end or code >= 0
                    y[j] = y1
                    if code >= 0:
                        r, f_, sp_, fu_, b_ = _close(code, side, yf, m_eff, phi[j], fac[j], s,
                                                     fee, slip, rule, liqfee, bsm, bsc)
                        rtot += r
                        nwin += np.int64(r > 0.0)
                        ex[code] += 1
                        ax[0] += f_ * scale
                        ax[1] += sp_ * scale
                        ax[2] += fu_ * scale
                        ax[3] += b_ * scale
                        opn[j] = False
                        nopen -= 1
                if cross_many and jump != 0.0 and nopen > 0:
                    # a crash moves every position at once: the venue liquidates the account
                    # at the post-jump prices if it is below maintenance; otherwise stops and
                    # take-profits fill at the gapped prices
                    done, rtot = _cross_check(K, opn, y, phi, fac, side, s, mmr, cc, er, rtot,
                                              0.0, rho, rule, liqfee, fee, slip, scale, ex, ax, bf)
                    at_end = True
                    if done:
                        nopen = 0
                    elif not discrete:
                        for j in range(K):
                            if opn[j] and (y[j] <= ysl or y[j] >= ytp):
                                code = 1 if y[j] <= ysl else 0
                                r, f_, sp_, fu_, b_ = _close(
                                    code, side, y[j], m_eff, phi[j], fac[j], s, fee, slip, rule,
                                    liqfee, bsm, bsc)
                                rtot += r
                                nwin += np.int64(r > 0.0)
                                ex[code] += 1
                                ax[0] += f_ * scale
                                ax[1] += sp_ * scale
                                ax[2] += fu_ * scale
                                opn[j] = False
                                nopen -= 1
                elapsed += ln
                c_old = clock
                clock = end
                # funding at every funding time that fell inside this step
                if fund != 0.0 and nopen > 0:
                    nf = math.floor(clock / fint + 1e-9) - math.floor(c_old / fint + 1e-9)
                    if nf > 0:
                        for j in range(K):
                            if opn[j]:
                                pay = side * fund * nf * math.exp(side * y[j])
                                phi[j] += pay
                                fac[j] += pay
                                if not cross_many:
                                    ylq[j] = _liq_y(side, m_eff, phi[j], cc, mmr)
                                    if y[j] <= ylq[j]:
                                        r, f_, sp_, fu_, b_ = _close(
                                            2, side, y[j], m_eff, phi[j], fac[j], s, fee,
                                            slip, rule, liqfee, bsm, bsc)
                                        rtot += r
                                        nwin += np.int64(r > 0.0)
                                        ex[2] += 1
                                        ax[0] += f_ * scale
                                        ax[1] += sp_ * scale
                                        ax[2] += fu_ * scale
                                        ax[3] += b_ * scale
                                        opn[j] = False
                                        nopen -= 1
                                        at_end = True
                # cross margin with several positions: account check at the step end, with
                # the Broadie-Glasserman-Kou shift (a check at step ends only behaves like a
                # continuous check of a barrier moved 0.5826 sd(one step) closer)
                if cross_many and nopen > 0:
                    done, rtot = _cross_check(K, opn, y, phi, fac, side, s, mmr, cc, er, rtot,
                                              _BGK * sdv, rho, rule, liqfee, fee,
                                              slip, scale, ex, ax, bf)
                    if done:
                        nopen = 0
                        at_end = True
                if nopen > 0 and (maxhold > 0.0 and elapsed >= maxhold - 1e-9
                                  or steps >= max_steps):
                    for j in range(K):
                        if opn[j]:
                            r, f_, sp_, fu_, b_ = _close(3, side, y[j], m_eff, phi[j], fac[j],
                                                         s, fee, slip, rule, liqfee, bsm, bsc)
                            rtot += r
                            nwin += np.int64(r > 0.0)
                            ex[3] += 1
                            ax[0] += f_ * scale
                            ax[1] += sp_ * scale
                            ax[2] += fu_ * scale
                            opn[j] = False
                    nopen = 0
                    at_end = True
                if nopen == 0 and not at_end:  # the last position left inside the step
                    clock = c_old + ln * fmax
                    eday += eps0 * math.sqrt(fmax)
                    if jump_now:
                        next_jump = end
                else:
                    eday += eps0
            n += 1
            x, peak, inv, tolp, mdd, streak, mstreak, uw, muw = _book(
                x, _dx(rtot, fractional, risk), rtot, fractional, x_floor, peak, inv, tolp,
                mdd, streak, mstreak, uw, muw, c)
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
        for k in range(4):
            exits[i, k] = ex[k]
            aux[i, k] = ax[k]
