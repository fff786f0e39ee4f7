"""Per-trade account bookkeeping shared by every kernel: state, barriers, drawdown, streaks.

Every trade model is reduced to per-trade outcomes in R before it reaches the account. The
account side of a path is one state updated once per trade by :func:`acc_update` (or the
tuple form :func:`acc_trade`); the i.i.d. kernels (:mod:`ruin.engine.kernels`), the
behaviour kernel and the leveraged kernels all book trades through these helpers.

State variable ``x`` per path:

* fractional sizing: ``x = log(E / E0)``; a trade with outcome r R adds ``log(1 + risk*r)``
  (``-inf`` when ``1 + risk*r <= 1e-12``: the account is gone; :func:`growth`).
* fixed sizing: ``x = (E - E0) / R0`` (net R won, R0 = risk x E0); a trade adds r and
  ``x`` is floored at ``-1/risk`` (equity never below 0).

Round-off rules (the one place they live): thresholds are compared with a relative
tolerance of 1e-9 (:data:`TOL`), so that float round-off can never keep a path alive that
the exact arithmetic has ruined (ten 10% fixed losses ruin exactly; ten +10% fixed steps
reach a goal of 2x exactly); for the same reason a trade that leaves less than 1e-12 of the
equity (:data:`TOTAL_LOSS`: a total loss up to round-off, such as a liquidated cross
account, or an outcome of -1/risk R) is a total loss, not a tiny survivor.

Use in a kernel::

    ruin_cut, goal_cut = barrier_cuts(ruin_x, goal_x)
    acc = acc_new(fractional, risk)
    t_ruin = t_goal = -1
    for t in range(n_trades):
        r = ...                                  # this trade's outcome in R
        step = r_to_step(r, fractional, risk)    # state increment
        acc = acc_trade(acc, step, r, r > 0.0, fractional, c_fixed(fractional, risk),
                        x_floor)
        x = acc[0]
        if x <= ruin_cut:
            t_ruin = t + 1
            break
        if x >= goal_cut:
            t_goal = t + 1
            break
    acc_store(i, acc, t_ruin, t_goal, fractional, risk,
              final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken)

``acc`` = :class:`AccountState` ``(x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin,
n)``: state, running
peak of ``x``, drawdown scale (1 for log equity; ``1 / (1/risk + peak)`` for fixed stakes so
that ``(peak - x) * inv`` is the drawdown as a fraction of peak equity), the peak's
round-off allowance, max drawdown in state units, current and longest losing streak,
current and longest run of trades under water, wins and trades taken. The tuple form above
is the convenient one; in a hot loop prefer the unpacked form
``x, peak, ..., n = acc_update(x, peak, ..., n, step, win, loss, fractional, c, x_floor)``,
which keeps every value in a register. Use :func:`acc_equity` for the equity multiple
``E / E0`` of a state ``x``, and :func:`stake_fraction` for the amount risked on the next
trade as a fraction of starting equity (to convert per-trade amounts in R, such as fees,
into fractions of start).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

__all__ = [
    "TOL",
    "TOTAL_LOSS",
    "AccountState",
    "growth",
    "record_tail",
    "thresholds",
    "barrier_cuts",
    "c_fixed",
    "r_to_step",
    "acc_new",
    "acc_update",
    "acc_trade",
    "acc_equity",
    "acc_store",
    "stake_fraction",
    "FALL_TOL",
    "fall_from",
]

TOL = 1e-9  # relative tolerance on ruin / goal thresholds and on "at the peak"
TOTAL_LOSS = 1e-12  # equity factor at or below which a trade loses the whole account


class AccountState(NamedTuple):
    """The account side of one path (see the module docstring)."""

    x: float  # state: log equity (fractional) or net R won (fixed)
    peak: float  # running peak of x
    inv: float  # drawdown scale: (peak - x) * inv is the drawdown as a fraction of peak
    tolp: float  # the peak's round-off allowance
    mdd: float  # max drawdown in state units
    streak: int  # current losing streak
    mstreak: int  # longest losing streak
    uw: int  # current run of trades under water
    muw: int  # longest run under water
    nwin: int  # wins
    n: int  # trades taken


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


@njit(cache=True)
def growth(r, risk):
    """Equity factor ``1 + risk r`` of a trade of ``r`` R, 0 at or below :data:`TOTAL_LOSS`
    (round-off of a total loss)."""
    g = 1.0 + risk * r
    return g if g > TOTAL_LOSS else 0.0


@njit(inline="always", cache=True)
def r_to_step(r, fractional, risk):
    """State increment of an outcome of ``r`` R: ``log(growth)`` (``-inf`` for a total loss,
    see :func:`growth`) under fractional sizing, ``r`` under fixed stakes."""
    if fractional:
        g = growth(r, risk)
        if g > 0.0:
            return math.log(g)
        return -np.inf
    return r


@njit(inline="always", cache=True)
def acc_new(fractional, risk):
    """Account state at the start of a path (x = 0, at the peak, no drawdown)."""
    inv = 1.0 if fractional else 1.0 / (1.0 / risk)  # 1 / (c + peak) at peak 0
    return AccountState(0.0, 0.0, inv, TOL, 0.0, 0, 0, 0, 0, 0, 0)


@njit(inline="always", cache=True)
def acc_update(
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
):
    """One trade's bookkeeping on the unpacked state; ``loss``: the outcome is < 0; ``win``:
    it is > 0 (or, for a trade of several positions, the number of positions won).

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
def acc_trade(acc, step, r, wins, fractional, c, x_floor):
    """:class:`AccountState` form of :func:`acc_update`: a trade of ``r`` R (a loss when
    r < 0) whose state increment is ``step``; ``wins`` counts the wins it adds (``r > 0``,
    or for a trade of several positions the number of them that won)."""
    x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n = acc
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
        wins,
        r < 0.0,
        fractional,
        c,
        x_floor,
    )
    return AccountState(x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n)


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
    i,
    acc,
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
):
    """Write path ``i``'s results (MDD converted to a fraction of peak equity). ``acc`` is an
    :class:`AccountState` (or the same eleven values as a tuple)."""
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


#: Allowance on the account rules' fall thresholds (trailing drawdown, daily loss limit): the
#: same 1e-12 as ``SimulationResult.drawdown_exceedance``, so a trailing-drawdown ruin of d is
#: exactly "maximum drawdown >= d" while nothing else stops the path.
FALL_TOL = 1e-12


@njit(inline="always", cache=True)
def fall_from(x, ref, fractional, c):
    """Fall of equity at state ``x`` below the equity at state ``ref``, as a fraction of the
    latter (0 when above it): ``1 - E(x) / E(ref)``. The account rules compare it with
    their limits: the trailing drawdown (``ref`` = the running peak, or the lock level) and
    the daily loss limit (``ref`` = the state at the day's start). ``c``:
    :func:`c_fixed`."""
    if fractional:
        return 1.0 - math.exp(x - ref) if x < ref else 0.0
    return (ref - x) / (c + ref) if x < ref else 0.0


@njit(cache=True)
def record_tail(rec, i, x, n_taken, fractional, risk):
    """Finish path ``i``'s recorded equity curve ``rec[i]``: 1.0 at the start, and flat at the
    equity of state ``x`` after the last of its ``n_taken`` trades."""
    rec[i, 0] = 1.0
    last = acc_equity(x, fractional, risk)
    for t in range(n_taken + 1, rec.shape[1]):
        rec[i, t] = last
