"""Exact two-barrier exits: one 32-bit uniform per trade (no time dimension).

Without a time dimension the exit of Brownian motion between the lower exit (the nearer of
the stop and liquidation) and the take-profit is a Bernoulli draw with the two-barrier
probability (:func:`ruin.brownian.p_up_first`): the low (even trades) or high (odd trades)
32 bits of one 64-bit draw, a take-profit when below the threshold. With isolated margin
(or cross margin under fractional sizing) every trade has the same two outcomes; cross
margin with fixed stakes moves the liquidation price with the equity, trade by trade.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange, uint64

from ...brownian import p_up_first
from ...engine.accounting import (
    acc_equity,
    acc_new,
    acc_store,
    acc_trade,
    barrier_cuts,
    c_fixed,
    growth,
    r_to_step,
    record_tail,
)
from ...engine.rng import seed4, step4
from ...engine.rules import GOAL, after_trade, day_start
from ..liquidation import liquidation_level
from ..settle import Closed, CloseTerms, close_position

__all__ = ["exact_kernel"]

_MASK32 = uint64(0xFFFFFFFF)
_TWO32 = 4294967296.0


class ExactTerms(NamedTuple):
    """Constants of the exact kernel: the two outcomes of a trade when they are fixed."""

    close: CloseTerms
    paid: float  # entry fee and slippage per unit notional
    dynamic: bool  # cross margin with fixed stakes: outcomes follow the equity
    liquidated: bool  # the lower exit is liquidation (it lies before the stop)
    threshold: np.uint64  # take-profit when the 32-bit uniform is below it
    take_profit: Closed
    lower: Closed
    step_take_profit: float
    step_lower: float
    growth_take_profit: float
    growth_lower: float


@njit(cache=True)
def _exact_terms(plan):
    """The fixed outcomes (isolated, or cross with fractional sizing: equity / R is
    ``1 / risk``)."""
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
    paid = plan.fee + plan.slippage
    margin = plan.stop / plan.risk if plan.cross else plan.margin
    y_liq = liquidation_level(plan.side, margin, paid, plan.maintenance, plan.mmr)
    liquidated = y_liq >= plan.y_stop
    lower = y_liq if liquidated else plan.y_stop
    p0 = p_up_first(plan.scale_exponent, -lower, plan.y_take_profit)
    threshold = uint64(min(p0 * _TWO32, _TWO32))
    tp = close_position(0, plan.y_take_profit, margin, paid, 0.0, close)
    lo = close_position(2 if liquidated else 1, lower, margin, paid, 0.0, close)
    return ExactTerms(
        close,
        paid,
        plan.cross and not plan.fractional,
        liquidated,
        threshold,
        tp,
        lo,
        r_to_step(tp.r, plan.fractional, plan.risk),
        r_to_step(lo.r, plan.fractional, plan.risk),
        growth(tp.r, plan.risk),
        growth(lo.r, plan.risk),
    )


@njit(cache=True)
def _dynamic_trade(u32, x, plan, terms):
    """A trade under cross margin with fixed stakes (state ``x`` = net R won): the equity
    backs the position, so the liquidation price and the take-profit's probability move
    with it. Returns ``(closed, took_profit, liquidated)``."""
    margin = plan.stop * (1.0 / plan.risk + x)
    y_liq = liquidation_level(plan.side, margin, terms.paid, plan.maintenance, plan.mmr)
    liquidated = y_liq >= plan.y_stop
    lower = y_liq if liquidated else plan.y_stop
    p = p_up_first(plan.scale_exponent, -lower, plan.y_take_profit)
    if u32 < uint64(min(p * _TWO32, _TWO32)):
        return (
            close_position(0, plan.y_take_profit, margin, terms.paid, 0.0, terms.close),
            True,
            False,
        )
    return (
        close_position(2 if liquidated else 1, lower, margin, terms.paid, 0.0, terms.close),
        False,
        liquidated,
    )


@njit(cache=True)
def _exact_path(
    i,
    key0,
    key1,
    offset,
    plan,
    terms,
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
    c = c_fixed(fractional, risk)
    s0, s1, s2, s3 = seed4(key0, key1, offset + i)
    acc = acc_new(fractional, risk)
    equity = 1.0  # equity multiple, kept by multiplication (fractional: the cost scale)
    t_ruin = -1
    t_goal = -1
    n_tp = 0
    n_liq = 0
    scale_tp = 0.0  # sums of the amounts risked on take-profits and on lower exits
    scale_lo = 0.0
    costs = np.zeros(4)  # dynamic outcomes: fees, slippage, funding, bad debt
    w = uint64(0)
    x_day = 0.0
    paused = False
    n_paused = 0
    rule = 0
    last = 0  # trade slots walked
    for t in range(plan.n_trades):
        last = t + 1
        x_day, paused = day_start(t, rules.tpd, acc.x, x_day, paused)
        if paused:  # no trade in this slot
            if i < rec.shape[0]:
                rec[i, t + 1] = acc_equity(acc.x, fractional, risk)
            continue
        if (acc.n & 1) == 0:  # a draw per trade taken (= slot t when no day pauses)
            w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
            u32 = w & _MASK32
        else:
            u32 = w >> uint64(32)
        scale = risk * equity if fractional else risk
        if terms.dynamic:
            closed, took_profit, liquidated = _dynamic_trade(u32, acc.x, plan, terms)
            n_tp += np.int64(took_profit)
            n_liq += np.int64(liquidated)
            costs[0] += closed.fees * scale
            costs[1] += closed.slippage * scale
            costs[3] += closed.bad_debt * scale
            r = closed.r
            step = r_to_step(r, fractional, risk)
            factor = growth(r, risk)
        elif u32 < terms.threshold:
            r = terms.take_profit.r
            step = terms.step_take_profit
            factor = terms.growth_take_profit
            n_tp += 1
            scale_tp += scale
        else:
            r = terms.lower.r
            step = terms.step_lower
            factor = terms.growth_lower
            scale_lo += scale
        acc = acc_trade(acc, step, r, r > 0.0, fractional, c, plan.x_floor)
        if fractional:
            equity = equity * factor
        if i < rec.shape[0]:
            rec[i, t + 1] = acc_equity(acc.x, fractional, risk)
        rule, pause = after_trade(
            acc.x,
            acc.peak,
            x_day,
            fractional,
            c,
            ruin_cut,
            goal_cut,
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
    n = acc.n
    exits[i, 0] = n_tp
    if terms.dynamic:
        exits[i, 1] = n - n_tp - n_liq
        exits[i, 2] = n_liq
        for k in range(4):
            aux[i, k] = costs[k]
    else:
        n_lo = n - n_tp
        exits[i, 1] = 0 if terms.liquidated else n_lo
        exits[i, 2] = n_lo if terms.liquidated else 0
        tp, lo = terms.take_profit, terms.lower
        aux[i, 0] = tp.fees * scale_tp + lo.fees * scale_lo
        aux[i, 1] = tp.slippage * scale_tp + lo.slippage * scale_lo
        aux[i, 2] = 0.0
        aux[i, 3] = lo.bad_debt * scale_lo
    exits[i, 3] = 0
    stop_rule[i] = rule
    paused_days[i] = n_paused


_GRAIN = 64  # paths per parallel work item


@njit(parallel=True, cache=True)
def exact_kernel(
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
    """Paths ``offset .. offset + n_paths - 1`` of a plan without a time dimension. Threads
    take blocks of ``_GRAIN`` paths."""
    for b in prange((n_paths + _GRAIN - 1) // _GRAIN):
        _exact_block(
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
def _exact_block(
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
    """Block ``b`` of :func:`exact_kernel` (its own function: numba's parallel loops cannot
    carry the named tuples of :class:`ExactTerms`)."""
    terms = _exact_terms(plan)
    ruin_cut, goal_cut = barrier_cuts(plan.ruin_x, plan.goal_x)
    for i in range(b * _GRAIN, min(n_paths, (b + 1) * _GRAIN)):
        _exact_path(
            i,
            key0,
            key1,
            offset,
            plan,
            terms,
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
            exits,
            aux,
            rec,
            rules,
            stop_rule,
            paused_days,
        )
