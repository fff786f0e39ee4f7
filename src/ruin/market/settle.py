"""Closing a position and booking the trade on the account.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..engine.accounting import TOL, acc_store

EXIT_TP, EXIT_STOP, EXIT_LIQ, EXIT_TIME = 0, 1, 2, 3
EXIT_NAMES = ("take_profit", "stop", "liquidation", "time")
AUX_FEES, AUX_SLIPPAGE, AUX_FUNDING, AUX_BAD_DEBT = 0, 1, 2, 3
AUX_NAMES = ("fees", "slippage", "funding", "bad_debt")


@njit(inline="always", cache=True)
def _dx(r, fractional, risk):
    """State increment of a trade of ``r`` R: log(1 + risk r) (fractional) or r (fixed).

    A loss of the whole account (``1 + risk r`` zero up to round-off, below 1e-12) is -inf:
    round-off must not keep a liquidated cross account alive."""
    if fractional:
        g = _growth(r, risk)
        if g > 0.0:
            return math.log(g)
        return -np.inf
    return r


@njit(inline="always", cache=True)
def _growth(r, risk):
    """Equity factor ``1 + risk r`` of a trade, 0 when it is below 1e-12 (round-off of a
    total loss)."""
    g = 1.0 + risk * r
    return g if g > 1e-12 else 0.0


@njit(inline="always", cache=True)
def _book(x, dx, r, fractional, x_floor, peak, inv, tolp, mdd, streak, mstreak, uw, muw, c):
    """Apply a trade of ``r`` R (state increment ``dx``) to the account state (same rules
    as ruin.engine)."""
    x = max(x + dx, x_floor)
    if r < 0.0:
        streak += 1
    else:
        streak = 0
    mstreak = max(mstreak, streak)
    if x > peak:
        peak = x
        tolp = TOL * max(1.0, abs(peak))
        if not fractional:
            inv = 1.0 / (c + peak)
    if x == -np.inf:
        mdd = np.inf
    else:
        mdd = max(mdd, (peak - x) * inv)
    if x < peak - tolp:
        uw += 1
    else:
        uw = 0
    muw = max(muw, uw)
    return x, peak, inv, tolp, mdd, streak, mstreak, uw, muw


@njit(inline="always", cache=True)
def _equity(x, fractional, risk):
    if fractional:
        return math.exp(x)
    return max(0.0, 1.0 + risk * x)


@njit(inline="always", cache=True)
def _finish_path(i, x, peak, inv, tolp, mdd, mstreak, muw, nwin, n, t_ruin, t_goal,
                 fractional, risk, n_trades, rec, final_eq, max_dd, ruin_t, goal_t,
                 max_streak, max_uw, wins, taken):
    """Store path ``i``'s results with the engine's :func:`ruin.engine.acc_store`, and
    finish its recorded equity curve (start 1.0; flat after the last trade taken)."""
    if i < rec.shape[0]:
        rec[i, 0] = 1.0
        last = _equity(x, fractional, risk)
        for t2 in range(n + 1, n_trades + 1):
            rec[i, t2] = last
    acc_store(i, (x, peak, inv, tolp, mdd, 0, mstreak, 0, muw, nwin, n), t_ruin, t_goal,
              fractional, risk, final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins,
              taken)


@njit(cache=True)
def _close(code, side, yf, m_eff, phi, fund, s, fee, slip, rule, liqfee, bsm, bsc):
    """Result in R of a position closed at y = ``yf``: (r, fees, slippage, funding, bad).

    Liquidation with rule 1 (fill): the trader keeps ``max(0, equity - liqfee * notional)``
    unless equity is below the backstop level ``bsm * u - bsc`` (a fraction of maintenance
    margin), where the whole margin is lost."""
    u = math.exp(side * yf)
    if code == 2:  # liquidation
        eq = m_eff - phi + side * (u - 1.0)
        keep = 0.0
        if rule == 1 and eq >= bsm * u - bsc:
            keep = max(0.0, eq - liqfee * u)
        bad = max(0.0, -eq) / s
        return (-m_eff + keep) / s, fee / s, slip / s, fund / s, bad
    g = side * (u - 1.0) - phi - (fee + slip) * u
    return g / s, fee * (1.0 + u) / s, slip * (1.0 + u) / s, fund / s, 0.0


@njit(inline="always", cache=True)
def _settle(code, yf, m_eff, phi, fac, csettle, cr, cdx, cgr, x, peak, inv, tolp, mdd,
            streak, mstreak, uw, muw, nwin, n, eqm, ex0, ex1, ex2, ex3, ax0, ax1, ax2, ax3):
    """Close the trade (exit ``code`` at log price ``yf``) and book it on the account.
    Exits exactly at a barrier with no funding paid have the precomputed results ``cr``
    (state increments ``cdx``, equity factors ``cgr``) unless the margin follows the equity
    (``const`` false). ``csettle = (const, side, ytp, ysl, lq0, s, fee, slip, rule, liqfee,
    bsm, bsc, fractional, risk, x_floor, c)``. Returns the account state and the counters."""
    (const, side, ytp, ysl, lq0, s, fee, slip, rule, liqfee, bsm, bsc, fractional, risk,
     x_floor, c) = csettle
    scale = risk * eqm if fractional else risk
    if const and code < 3 and fac == 0.0 and yf == (ytp if code == 0 else (
            ysl if code == 1 else lq0)):
        r = cr[code, 0]
        f_ = cr[code, 1]
        sp_ = cr[code, 2]
        fu_ = cr[code, 3]
        b_ = cr[code, 4]
        dx = cdx[code]
        gr = cgr[code]
    else:
        r, f_, sp_, fu_, b_ = _close(code, side, yf, m_eff, phi, fac, s, fee, slip, rule,
                                     liqfee, bsm, bsc)
        dx = _dx(r, fractional, risk)
        gr = _growth(r, risk)
    eqm *= gr
    nwin += np.int64(r > 0.0)
    if code == 0:
        ex0 += 1
    elif code == 1:
        ex1 += 1
    elif code == 2:
        ex2 += 1
    else:
        ex3 += 1
    ax0 += f_ * scale
    ax1 += sp_ * scale
    ax2 += fu_ * scale
    ax3 += b_ * scale
    n += 1
    x, peak, inv, tolp, mdd, streak, mstreak, uw, muw = _book(
        x, dx, r, fractional, x_floor, peak, inv, tolp, mdd, streak, mstreak, uw, muw, c)
    return (x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n, eqm,
            ex0, ex1, ex2, ex3, ax0, ax1, ax2, ax3)


@njit(inline="always", cache=True)
def _store_counts(i, exits, aux, ex0, ex1, ex2, ex3, ax0, ax1, ax2, ax3):
    """Path ``i``'s exit counts and cost totals."""
    exits[i, 0] = ex0
    exits[i, 1] = ex1
    exits[i, 2] = ex2
    exits[i, 3] = ex3
    aux[i, 0] = ax0
    aux[i, 1] = ax1
    aux[i, 2] = ax2
    aux[i, 3] = ax3
