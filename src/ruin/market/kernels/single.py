"""One position at a time, stepped, with the whole state in scalars.

The model of the several-positions kernel (:mod:`ruin.market.kernels.portfolio`) with one
position (isolated, or cross where the account backs it): exact exits inside each step (the
two-barrier bridge series) at their first-passage times, crash jumps at their Poisson times,
ziggurat normals, and the day's variance computed once per day (:func:`~..step.new_day`,
:func:`~..step.step`, :func:`~..settle.settle`). :mod:`ruin.market.kernels.lanes` walks the
same paths sixteen at a time.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from ...engine.accounting import (
    acc_equity,
    acc_new,
    acc_store,
    barrier_cuts,
    c_fixed,
    growth,
    r_to_step,
    record_tail,
)
from ...engine.rules import GOAL, after_trade, day_start
from ..liquidation import liquidation_level
from ..settle import (
    BarrierResults,
    CloseTerms,
    SettleTerms,
    close_position,
    new_tally,
    settle,
    store_tally,
)
from ..step import Day, DayTerms, PathTime, Position, StepTerms, new_day, path_start, step

__all__ = ["OnePosition", "one_position_terms", "single_kernel"]


class OnePosition(NamedTuple):
    """Constants of the one-position kernels (the plain one and the lanes)."""

    day: DayTerms
    step: StepTerms
    settle: SettleTerms
    margin: float  # backing the position: 1 / leverage, or (cross) equity at the start
    y_liq: float  # liquidation barrier at entry (-inf: none)
    paid: float  # entry fee and slippage
    jumps: bool
    jumps_per_day: float
    dt: float  # the step of a day at the preset volatility
    start_variance: float  # variance per day at the start (GARCH's unconditional one)
    n_trades: int
    ruin_cut: float
    goal_cut: float


@njit(cache=True)
def one_position_terms(plan):
    """:class:`OnePosition` of a :class:`~ruin.market.plan.KernelPlan`. Exits at a barrier
    before any funding have the same result in R every trade unless the margin follows the
    equity (cross margin with fixed stakes): they are precomputed (take-profit, stop,
    liquidation), with their state increments and equity factors."""
    fractional = plan.fractional
    risk = plan.risk
    paid = plan.fee + plan.slippage
    jumps_per_day = plan.jumps_per_step / plan.dt  # crash jumps per day
    day = DayTerms(
        plan.garch,
        plan.garch_omega,
        plan.garch_alpha,
        plan.garch_beta,
        plan.tails,
        plan.tails_df,
        plan.tails_int_df,
        plan.adaptive,
        plan.exit_width,
        plan.funding_per_day,
        plan.drift,
    )
    step_terms = StepTerms(
        plan.side,
        plan.y_take_profit,
        plan.y_stop,
        plan.drift,
        plan.discrete or plan.funding_rate != 0.0,
        plan.discrete,
        plan.max_hold,
        plan.jump_mean,
        plan.jump_sd,
        plan.jump_floor,
        jumps_per_day,
        plan.funding_rate,
        plan.funding_interval,
        plan.maintenance,
        plan.mmr,
        plan.max_steps,
        plan.pump_share,
        plan.pump_mean,
        plan.pump_sd,
    )
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
    margin = plan.stop * (1.0 / risk) if plan.cross else plan.margin
    y_liq = liquidation_level(plan.side, margin, paid, plan.maintenance, plan.mmr)
    results = np.zeros((3, 5))
    steps = np.zeros(3)
    growths = np.zeros(3)
    for k in range(3):
        yk = plan.y_take_profit if k == 0 else (plan.y_stop if k == 1 else y_liq)
        if k < 2 or y_liq > -np.inf:
            closed = close_position(k, yk, margin, paid, 0.0, close)
            for f in range(5):
                results[k, f] = closed[f]
            steps[k] = r_to_step(closed.r, fractional, risk)
            growths[k] = growth(closed.r, risk)
    barriers = BarrierResults(not (plan.cross and not fractional), y_liq, results, steps, growths)
    settle_terms = SettleTerms(
        close,
        barriers,
        plan.y_take_profit,
        plan.y_stop,
        fractional,
        risk,
        plan.x_floor,
        c_fixed(fractional, risk),
    )
    ruin_cut, goal_cut = barrier_cuts(plan.ruin_x, plan.goal_x)
    return OnePosition(
        day,
        step_terms,
        settle_terms,
        margin,
        y_liq,
        paid,
        plan.jumps,
        jumps_per_day,
        plan.dt,
        plan.step_variance / plan.dt,
        plan.n_trades,
        ruin_cut,
        goal_cut,
    )


@njit(cache=True)
def _one_position_path(
    i,
    key0,
    key1,
    offset,
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
    settle_terms = terms.settle
    fractional = settle_terms.fractional
    risk = settle_terms.risk
    step_terms = terms.step
    next_jump, s0, s1, s2, s3 = path_start(key0, key1, offset + i, terms.jumps, terms.jumps_per_day)
    acc = acc_new(fractional, risk)
    tally = new_tally()
    t_ruin = -1
    t_goal = -1
    time = PathTime(0.0, next_jump, 0.0)
    day = Day(0.0, 0.0, terms.start_variance, terms.start_variance, terms.dt, 0.0, 0.0, 0.0, 0.0)
    x_day = 0.0
    paused = False
    n_paused = 0
    rule = 0
    last = 0  # trade slots walked
    for t in range(terms.n_trades):
        last = t + 1
        x_day, paused = day_start(t, rules.tpd, acc.x, x_day, paused)
        if paused:  # no trade in this slot; the market clock runs only in trades
            if i < rec.shape[0]:
                rec[i, t + 1] = acc_equity(acc.x, fractional, risk)
            continue
        if settle_terms.barriers.const:
            margin = terms.margin
            y_liq = terms.y_liq
        else:  # cross margin, fixed stakes: the equity in R backs the position
            margin = settle_terms.close.stop * (1.0 / risk + acc.x)
            y_liq = liquidation_level(
                step_terms.side, margin, terms.paid, step_terms.maintenance, step_terms.mmr
            )
        pos = Position(0.0, 0.0, 0, terms.paid, 0.0, y_liq)
        while True:
            if time.clock >= day.next_start:
                time, day, s0, s1, s2, s3 = new_day(time, day, s0, s1, s2, s3, terms.day)
            code, y_exit, pos, time, s0, s1, s2, s3 = step(
                pos, time, day, s0, s1, s2, s3, margin, step_terms
            )
            if code >= 0:
                break
        acc, tally = settle(code, y_exit, margin, pos.paid, pos.funding, settle_terms, acc, tally)
        if i < rec.shape[0]:
            rec[i, t + 1] = acc_equity(acc.x, fractional, risk)
        rule, pause = after_trade(
            acc.x,
            acc.peak,
            x_day,
            fractional,
            settle_terms.c,
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
def single_kernel(
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
    """Paths ``offset .. offset + n_paths - 1`` of a one-position plan, one at a time; the
    first ``rec.shape[0]`` also record their equity curves. Threads take blocks of
    ``_GRAIN`` paths."""
    for b in prange((n_paths + _GRAIN - 1) // _GRAIN):
        _single_block(
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
def _single_block(
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
    """Block ``b`` of :func:`single_kernel` (its own function: numba's parallel loops
    cannot carry the named tuples of :class:`OnePosition`)."""
    terms = one_position_terms(plan)
    for i in range(b * _GRAIN, min(n_paths, (b + 1) * _GRAIN)):
        _one_position_path(
            i,
            key0,
            key1,
            offset,
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
