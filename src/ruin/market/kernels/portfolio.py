"""Several concurrent positions per trade (portfolio heat), stepped on the path clock.

Each trade opens ``positions`` positions whose normal shocks have correlation ``rho`` (one
common shock, ``sqrt(rho)`` of each) and share crash jumps; perfectly correlated positions
share one path (one bridge uniform, one exit time). Steps are fixed (``dt``) on the clock's
grid, cut at midnight, at crash jumps and at the time stop; exits inside a step are exact
(the two-barrier bridge, :func:`~..bridge.strip_exit`) at their first-passage times; a trade
ends when its last position closes (the next starts then) and is booked once, with the sum
of its positions' results. Cross margin with several positions checks the account at step
ends with the Broadie-Glasserman-Kou shift of 0.5826 step standard deviations (and right
after a jump, unshifted). The day's return that drives GARCH is the first open position's.
Normals here are Box-Muller pairs (:func:`_normal`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from ...engine.accounting import (
    acc_equity,
    acc_new,
    acc_store,
    acc_trade,
    barrier_cuts,
    c_fixed,
    r_to_step,
    record_tail,
    stake_fraction,
)
from ...engine.rng import next_double, stream_init
from ...engine.rules import GOAL, after_trade, day_start
from ..bridge import hit_fraction, strip_exit, touch_probability
from ..liquidation import liquidation_level
from ..settle import Closed, CloseTerms, Tally, close_position, new_tally, store_tally, tally_close
from ..step import day_variance, step_end

__all__ = ["portfolio_kernel"]

_BGK = 0.5826  # -zeta(1/2) / sqrt(2 pi), Broadie, Glasserman & Kou (1997)


class PortfolioTerms(NamedTuple):
    """Constants of the portfolio kernel besides the plan."""

    close: CloseTerms
    paid: float  # entry fee and slippage per unit notional
    sq_rho: float  # sqrt(correlation): weight of the common shock
    sq_1rho: float  # sqrt(1 - correlation)
    jump_floor: float  # log(1 + crash_cap): the largest crash
    cross_many: bool  # cross margin with several positions: the account is checked
    jumps_per_day: float
    start_variance: float  # variance per day at the start
    ruin_cut: float
    goal_cut: float
    c: float  # engine.accounting.c_fixed


class Clock(NamedTuple):
    """The path clock, the day's variance and the next crash jump."""

    time: float
    day: int  # the day the clock is in (-1 before the first)
    variance: float  # GARCH's conditional variance per day
    day_return: float  # the first open position's diffusive return today (drives GARCH)
    day_var: float  # today's variance per day (Student-t mixing included)
    step_var: float  # variance of a full step today
    step_sd: float
    next_jump: float


class Trade(NamedTuple):
    """A trade in progress: the sum of its closed positions' results (R), how many won,
    how many are still open."""

    result: float
    wins: int
    n_open: int


class Step(NamedTuple):
    """One step's numbers, common to the positions."""

    end: float
    length: float
    jump_now: bool  # the step ends at a crash jump
    grid: bool  # the step ends on a check of discrete monitoring
    var: float
    sd: float
    two_over_var: float
    drift: float
    common: float  # the common shock
    u_common: float  # the shared bridge uniform (perfect correlation), else -1
    jump: float  # the crash's log move (0: none)


@njit(cache=True)
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
def _new_day(clock, day, plan, st):
    """A new day on the path clock: GARCH's update on the last day's return and the day's
    variance (Student-t mixing)."""
    h = clock.variance
    if plan.garch and clock.day >= 0:
        h = (
            plan.garch_omega
            + plan.garch_alpha * clock.day_return * clock.day_return
            + plan.garch_beta * h
        )
    vday, st[0], st[1], st[2], st[3] = day_variance(
        h, plan.tails, plan.tails_df, plan.tails_int_df, st[0], st[1], st[2], st[3]
    )
    step_var = vday * plan.dt
    return Clock(clock.time, day, h, 0.0, vday, step_var, math.sqrt(step_var), clock.next_jump)


@njit(cache=True)
def _close_position(code, y_exit, margin, paid, funding, terms, scale, trade, tally):
    """Close a position (its ``paid`` and ``funding``) through ``code`` at ``y_exit``: its
    result joins the trade's, its exit and costs the tally. (The caller marks it closed.)"""
    closed = close_position(code, y_exit, margin, paid, funding, terms.close)
    trade = Trade(
        trade.result + closed.r, trade.wins + (1 if closed.r > 0.0 else 0), trade.n_open - 1
    )
    return trade, tally_close(tally, code, closed, scale)


@njit(cache=True)
def _account_check(y, is_open, paid, funding, plan, equity_r, trade, shift, scale, tally):
    """Cross account with several positions: liquidate every open position when equity
    (minus ``shift`` standard deviations of a step's equity change) is below maintenance.
    ``equity_r``: the account's equity at the trade's start, in R. Returns
    ``(liquidated, trade, tally)``."""
    side, stop, mmr, rho = plan.side, plan.stop, plan.mmr, plan.correlation
    equity = equity_r + trade.result
    maintenance_r = 0.0
    notional = 0.0
    notional_sq = 0.0
    for j in range(y.size):
        if is_open[j]:
            u = math.exp(side * y[j])
            equity += (side * (u - 1.0) - paid[j]) / stop
            maintenance_r += (mmr * u - plan.maintenance) / stop
            notional += u / stop
            notional_sq += (u / stop) ** 2
    eq_sd = math.sqrt(rho * notional * notional + (1.0 - rho) * notional_sq)
    if equity - shift * eq_sd >= maintenance_r:
        return False, trade, tally
    keep = 0.0
    if plan.fill_rule and equity >= plan.backstop_fraction * maintenance_r:
        keep = max(0.0, equity - plan.liquidation_fee * notional)
    for j in range(y.size):
        if is_open[j]:
            costs = Closed(0.0, plan.fee / stop, plan.slippage / stop, funding[j] / stop, 0.0)
            tally = tally_close(tally, 2, costs, scale)
            is_open[j] = False
    tally = Tally(
        tally.take_profit,
        tally.stop,
        tally.liquidation,
        tally.time,
        tally.fees,
        tally.slippage,
        tally.funding,
        tally.bad_debt + max(0.0, -equity) * scale,
        tally.equity,
    )
    return True, Trade(keep - equity_r, trade.wins, 0), tally


@njit(cache=True)
def _step_shape(clock, elapsed, plan):
    """The step from ``clock.time``: ``(end, length, jump_now, grid, variance, sd)`` (see
    :func:`~..step.step_end`; a step cut short has its own variance)."""
    dt = plan.dt
    end, ln, jump_now, grid = step_end(
        clock.time, dt, True, clock.day + 1.0, clock.next_jump, plan.max_hold, elapsed
    )
    if abs(ln - dt) <= 1e-9 * dt:
        return end, ln, jump_now, grid, clock.step_var, clock.step_sd
    ln = max(ln, 1e-12)
    v = clock.day_var * ln
    return end, ln, jump_now, grid, v, math.sqrt(v)


@njit(cache=True)
def _exit_inside(y0, y1, y_liq, step, plan, u):
    """Did the position leave inside the step, decided exactly by the uniform ``u``?
    ``(code, y_exit, d0, width)`` as :func:`~..bridge.strip_exit`: the lower exit if
    ``u < P(lower first)``, take-profit if ``1 - u < P(upper first)`` (monotone in both
    barriers on common random numbers); with discrete monitoring only liquidation is
    continuous."""
    if not plan.discrete:
        return strip_exit(y0, y1, y_liq, plan.y_stop, plan.y_take_profit, step.two_over_var, u)
    if y_liq > -np.inf and u < touch_probability(y0 - y_liq, y1 - y_liq, step.var):
        return 2, y_liq, y0 - y_liq, np.inf
    return -1, 0.0, 0.0, np.inf


@njit(cache=True)
def _check_exit(y1, plan):
    """A discrete check at ``y1``: the trader's stop or take-profit, filled at that price."""
    if y1 <= plan.y_stop:
        return 1, y1
    if y1 >= plan.y_take_profit:
        return 0, y1
    return -1, 0.0


@njit(cache=True)
def _gap_exit(y1, y_liq, plan):
    """After a crash jump to ``y1``: the venue's liquidation first, then the trader's stop
    and take-profit (continuous monitoring) fill at the gapped price."""
    if y1 <= y_liq:
        return 2, y1
    if not plan.discrete and y1 <= plan.y_stop:
        return 1, y1
    if not plan.discrete and y1 >= plan.y_take_profit:
        return 0, y1
    return -1, 0.0


@njit(cache=True)
def _after_jump(y, is_open, paid, funding, margin, plan, terms, equity_r, scale, trade, tally):
    """Cross margin with several positions after a crash: the venue liquidates the account
    at the post-jump prices if it is below maintenance; otherwise stops and take-profits
    fill at the gapped prices."""
    done, trade, tally = _account_check(
        y, is_open, paid, funding, plan, equity_r, trade, 0.0, scale, tally
    )
    if done or plan.discrete:
        return trade, tally
    for j in range(y.size):
        if is_open[j] and (y[j] <= plan.y_stop or y[j] >= plan.y_take_profit):
            code = 1 if y[j] <= plan.y_stop else 0
            trade, tally = _close_position(
                code, y[j], margin, paid[j], funding[j], terms, scale, trade, tally
            )
            is_open[j] = False
    return trade, tally


@njit(cache=True)
def _pay_funding(
    start, end, margin, y, is_open, paid, funding, y_liq, plan, terms, scale, trade, tally
):
    """Funding at every funding time in ``(start, end]`` on each open position; an isolated
    position whose liquidation price it crosses is liquidated. Returns ``(trade, tally,
    liquidated)``."""
    fint = plan.funding_interval
    nf = math.floor(end / fint + 1e-9) - math.floor(start / fint + 1e-9)
    liquidated = False
    if nf <= 0:
        return trade, tally, liquidated
    for j in range(y.size):
        if not is_open[j]:
            continue
        pay = plan.side * plan.funding_rate * nf * math.exp(plan.side * y[j])
        paid[j] += pay
        funding[j] += pay
        if terms.cross_many:
            continue
        y_liq[j] = liquidation_level(plan.side, margin, paid[j], plan.maintenance, plan.mmr)
        if y[j] <= y_liq[j]:
            trade, tally = _close_position(
                2, y[j], margin, paid[j], funding[j], terms, scale, trade, tally
            )
            is_open[j] = False
            liquidated = True
    return trade, tally, liquidated


@njit(cache=True)
def _portfolio_trade(y, is_open, paid, funding, y_liq, clock, acc, plan, terms, st, sp, tally):
    """One trade: open the positions, step until the last one closes. Returns ``(trade,
    clock, tally)``."""
    fractional = plan.fractional
    equity_r = 1.0 / plan.risk if fractional else 1.0 / plan.risk + acc.x  # equity in R
    scale = stake_fraction(acc.x, fractional, plan.risk)  # 1 R, as a fraction of start
    margin = plan.stop * equity_r if plan.cross else plan.margin
    for j in range(y.size):
        y[j] = 0.0
        is_open[j] = True
        paid[j] = terms.paid
        funding[j] = 0.0
        y_liq[j] = (
            -np.inf
            if terms.cross_many
            else liquidation_level(plan.side, margin, terms.paid, plan.maintenance, plan.mmr)
        )
    trade = Trade(0.0, 0, y.size)
    several = plan.positions > 1
    elapsed = 0.0
    steps = 0
    while trade.n_open > 0:
        steps += 1
        day = math.floor(clock.time + 1e-9)
        if day != clock.day:  # a new day on the path clock: GARCH update, t mixing
            clock = _new_day(clock, day, plan, st)
        end, ln, jump_now, grid, v, sd = _step_shape(clock, elapsed, plan)
        zc = _normal(st, sp) if (several and plan.correlation > 0.0) else 0.0
        # perfectly correlated positions share one path, so one bridge uniform
        u_common = next_double(st) if (several and plan.correlation == 1.0) else -1.0
        jump = 0.0
        if jump_now:  # (still pending if every position leaves before it)
            zj = _normal(st, sp)
            jump = max(plan.jump_mean + plan.jump_sd * zj, terms.jump_floor)
            if plan.pump_share > 0.0 and next_double(st) < plan.pump_share:  # a pump
                jump = plan.pump_mean + plan.pump_sd * zj
            clock = Clock(
                clock.time,
                clock.day,
                clock.variance,
                clock.day_return,
                clock.day_var,
                clock.step_var,
                clock.step_sd,
                end - math.log(1.0 - next_double(st)) / terms.jumps_per_day,
            )
        step = Step(end, ln, jump_now, grid, v, sd, 2.0 / v, plan.drift * ln, zc, u_common, jump)
        fmax = 0.0  # the latest exit inside the step (fraction of it)
        at_end = False  # a position closed at the step's end
        eps0 = 0.0  # the first open position's shock (drives GARCH)
        first = True
        for j in range(y.size):  # every open position moves over the step
            if not is_open[j]:
                continue
            if several:
                z = terms.sq_rho * zc + terms.sq_1rho * _normal(st, sp)
            else:
                z = _normal(st, sp)
            e = sd * z
            if first:
                eps0 = e
                first = False
            y0 = y[j]
            y1 = y0 + step.drift + e
            u = -1.0  # the step's uniform (not drawn for a discrete check without liquidation)
            if not plan.discrete or y_liq[j] > -np.inf:
                u = u_common if u_common >= 0.0 else next_double(st)
            code, yf, d0, width = _exit_inside(y0, y1, y_liq[j], step, plan, u)
            if code >= 0 and (u_common < 0.0 or fmax == 0.0):
                # inside the step, at the bridge's first-passage time (shared when the
                # positions share one path)
                frac, st[0], st[1], st[2], st[3] = hit_fraction(
                    d0, abs(yf - y1), v, width, st[0], st[1], st[2], st[3]
                )
                fmax = max(fmax, frac)
            if code < 0 and jump != 0.0:
                y1 += plan.side * jump
                if not terms.cross_many:  # (the account is checked first, below)
                    code, yf = _gap_exit(y1, y_liq[j], plan)
                at_end = at_end or code >= 0
            if code < 0 and plan.discrete and grid:  # a check: stops and take-profits
                code, yf = _check_exit(y1, plan)
                at_end = at_end or code >= 0
            y[j] = y1
            if code >= 0:
                trade, tally = _close_position(
                    code, yf, margin, paid[j], funding[j], terms, scale, trade, tally
                )
                is_open[j] = False
        if terms.cross_many and step.jump != 0.0 and trade.n_open > 0:
            trade, tally = _after_jump(
                y, is_open, paid, funding, margin, plan, terms, equity_r, scale, trade, tally
            )
            at_end = True
        elapsed += step.length
        start = clock.time
        if plan.funding_rate != 0.0 and trade.n_open > 0:
            trade, tally, liquidated = _pay_funding(
                start,
                step.end,
                margin,
                y,
                is_open,
                paid,
                funding,
                y_liq,
                plan,
                terms,
                scale,
                trade,
                tally,
            )
            at_end = at_end or liquidated
        # cross margin with several positions: the account at the step's end, with the
        # Broadie-Glasserman-Kou shift (a check at step ends only behaves like a continuous
        # check of a barrier moved 0.5826 sd(one step) closer)
        if terms.cross_many and trade.n_open > 0:
            done, trade, tally = _account_check(
                y, is_open, paid, funding, plan, equity_r, trade, _BGK * step.sd, scale, tally
            )
            at_end = at_end or done
        if trade.n_open > 0 and (
            plan.max_hold > 0.0 and elapsed >= plan.max_hold - 1e-9 or steps >= plan.max_steps
        ):
            for j in range(y.size):  # the time stop: closed at market
                if is_open[j]:
                    trade, tally = _close_position(
                        3, y[j], margin, paid[j], funding[j], terms, scale, trade, tally
                    )
                    is_open[j] = False
            at_end = True
        clock = _advance(clock, step, start, fmax, eps0, trade.n_open == 0 and not at_end)
    return trade, clock, tally


@njit(cache=True)
def _advance(clock, step, start, fmax, eps0, left_inside):
    """The clock after the step: at its end, or (the last position left inside the step) at
    that exit's time, the crash still to come."""
    if left_inside:
        return Clock(
            start + step.length * fmax,
            clock.day,
            clock.variance,
            clock.day_return + eps0 * math.sqrt(fmax),
            clock.day_var,
            clock.step_var,
            clock.step_sd,
            step.end if step.jump_now else clock.next_jump,
        )
    return Clock(
        step.end,
        clock.day,
        clock.variance,
        clock.day_return + eps0,
        clock.day_var,
        clock.step_var,
        clock.step_sd,
        clock.next_jump,
    )


@njit(cache=True)
def _portfolio_path(
    i,
    key0,
    key1,
    offset,
    plan,
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
    rec,
    rules,
    stop_rule,
    paused_days,
):
    """Walk path ``i`` (stream ``offset + i``) under the account ``rules``
    (:class:`~ruin.engine.rules.RuleTerms`) and store its results."""
    fractional = plan.fractional
    risk = plan.risk
    st = np.empty(4, np.uint64)
    stream_init(key0, key1, offset + i, st)
    sp = np.zeros(2)
    k = plan.positions
    y = np.zeros(k)  # each position's log price in the trade's favour
    is_open = np.zeros(k, np.bool_)
    paid = np.zeros(k)  # paid out of the margin (entry costs, funding)
    funding = np.zeros(k)  # the funding part of it
    y_liq = np.zeros(k)  # isolated liquidation barriers (-inf: the account is checked)
    acc = acc_new(fractional, risk)
    tally = new_tally()
    t_ruin = -1
    t_goal = -1
    next_jump = np.inf  # clock time of the next crash jump (a Poisson process)
    if plan.jumps:
        next_jump = -math.log(1.0 - next_double(st)) / terms.jumps_per_day
    h = terms.start_variance
    clock = Clock(0.0, -1, h, 0.0, h, plan.step_variance, math.sqrt(plan.step_variance), next_jump)
    x_day = 0.0
    paused = False
    n_paused = 0
    rule = 0
    last = 0  # trade slots walked
    for t in range(plan.n_trades):
        last = t + 1
        x_day, paused = day_start(t, rules.tpd, acc.x, x_day, paused)
        if paused:  # no trade in this slot; the market clock runs only in trades
            if i < rec.shape[0]:
                rec[i, t + 1] = acc_equity(acc.x, fractional, risk)
            continue
        trade, clock, tally = _portfolio_trade(
            y, is_open, paid, funding, y_liq, clock, acc, plan, terms, st, sp, tally
        )
        acc = acc_trade(
            acc,
            r_to_step(trade.result, fractional, risk),
            trade.result,
            trade.wins,
            fractional,
            terms.c,
            plan.x_floor,
        )
        if i < rec.shape[0]:
            rec[i, t + 1] = acc_equity(acc.x, fractional, risk)
        rule, pause = after_trade(
            acc.x,
            acc.peak,
            x_day,
            fractional,
            terms.c,
            terms.ruin_cut,
            terms.goal_cut,
            rules.trail_d,
            rules.lock_x,
            rules.day_lim,
            rules.day_end,
        )
        if pause:
            paused = True
            n_paused += 1
        if rule == GOAL:
            t_goal = t + 1
            break
        if rule > 0:
            t_ruin = t + 1
            break
    if i < rec.shape[0]:
        record_tail(rec, i, acc.x, last, fractional, risk)
    acc_store(
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
    )
    store_tally(i, tally, exits, aux)
    stop_rule[i] = rule
    paused_days[i] = n_paused


_GRAIN = 16  # paths per parallel work item


@njit(parallel=True, cache=True)
def portfolio_kernel(
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
    rec,
    rules,
    stop_rule,
    paused_days,
):
    """Paths ``offset .. offset + n_paths - 1`` of a plan with several positions per trade
    (or discrete monitoring, funding or a time stop with one position and no lanes).
    Threads take blocks of ``_GRAIN`` paths."""
    for b in prange((n_paths + _GRAIN - 1) // _GRAIN):
        _portfolio_block(
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
            rec,
            rules,
            stop_rule,
            paused_days,
        )


@njit(cache=True)
def _portfolio_block(
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
    rec,
    rules,
    stop_rule,
    paused_days,
):
    """Block ``b`` of :func:`portfolio_kernel` (its own function: numba's parallel loops
    cannot carry the named tuples of :class:`PortfolioTerms`)."""
    close = CloseTerms(
        plan.side,
        plan.stop,
        plan.fee,
        plan.slippage,
        plan.fill_rule,
        plan.liquidation_fee,
        plan.backstop_fraction * plan.mmr,
        plan.backstop_fraction * plan.maintenance,
    )
    ruin_cut, goal_cut = barrier_cuts(plan.ruin_x, plan.goal_x)
    terms = PortfolioTerms(
        close,
        plan.fee + plan.slippage,
        math.sqrt(plan.correlation),
        math.sqrt(1.0 - plan.correlation),
        plan.jump_floor,
        plan.cross and plan.positions > 1,
        plan.jumps_per_step / plan.dt,
        plan.step_variance / plan.dt,
        ruin_cut,
        goal_cut,
        c_fixed(plan.fractional, plan.risk),
    )
    for i in range(b * _GRAIN, min(n_paths, (b + 1) * _GRAIN)):
        _portfolio_path(
            i,
            key0,
            key1,
            offset,
            plan,
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
            rec,
            rules,
            stop_rule,
            paused_days,
        )
