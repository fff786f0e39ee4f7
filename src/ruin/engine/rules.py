"""The i.i.d. account kernel with the ruin rules traders live under.

Runs with a trailing drawdown, a daily loss limit or a prop-firm challenge's rules come here
(:func:`ruin.rules.rules_path_run`); plain runs keep the Bernoulli lanes of
:mod:`ruin.engine.kernels`, untouched. The outcomes are drawn exactly as there
(:func:`ruin.engine.kernels.draw_outcome` on the same streams) and booked with the shared
:func:`~ruin.engine.accounting.acc_update`, so a run whose rules never bind gives the plain
run's numbers path by path (tested).

Per trade slot t (trades are grouped into days of ``tpd`` slots), in this order:

1. at a day's first slot the day's reference equity is set, and a paused day ends;
2. a paused day's slots draw nothing (the account waits for the next day);
3. the trade is booked; then ruin (static level), trailing drawdown (equity at or below
   ``(1 - trail_d)`` x the running peak, the peak capped at ``lock_x`` once it gets there),
   the daily loss limit (the day's loss at least ``day_lim`` of the day's starting equity:
   the rest of the day is paused, or with ``day_end`` the account ends) and the goal are
   checked.

Extra per-path outputs: ``stop_rule`` (which rule stopped the path: :data:`STOP_NAMES`) and
``paused_days`` (days cut short by the daily loss limit).
"""

from __future__ import annotations

from typing import NamedTuple

from numba import njit, prange, uint64

from .accounting import (
    FALL_TOL,
    acc_equity,
    acc_new,
    acc_store,
    acc_update,
    barrier_cuts,
    c_fixed,
    fall_from,
)
from .kernels import draw_outcome
from .rng import seed4

__all__ = ["NO_RULES", "RuleTerms", "STOP_NAMES", "after_trade", "day_start", "run_rule_paths"]

#: ``stop_rule`` codes: what ended each path (0: it ran to the horizon).
STOP_NAMES = ("horizon", "ruin_level", "trailing_drawdown", "daily_loss_limit", "goal")
GOAL = 4  # STOP_NAMES.index("goal")


class RuleTerms(NamedTuple):
    """The rules' numbers as the leveraged kernels take them (state units of
    :mod:`.accounting`: ``lock_x`` is the lock level as a state ``x``)."""

    trail_d: float  # 0: no trailing drawdown
    lock_x: float  # inf: no lock
    tpd: int  # trade slots per day
    day_lim: float  # 0: no daily loss limit
    day_end: bool  # the daily loss limit ends the account (else pauses the day)


#: No account rules: :func:`after_trade` then checks only the ruin level and the goal.
NO_RULES = RuleTerms(0.0, float("inf"), 1, 0.0, False)


@njit(cache=True)
def day_start(t, tpd, x, x_day, paused):
    """Step 1 of the rules at trade slot ``t``: a day's first slot sets the day's reference
    equity to ``x`` and ends a pause. Returns ``(x_day, paused)``."""
    if t % tpd == 0:
        return x, False
    return x_day, paused


@njit(cache=True)
def after_trade(
    x, peak, x_day, fractional, c, ruin_cut, goal_cut, trail_d, lock_x, day_lim, day_end
):
    """Step 3 of the rules, after a trade is booked (state ``x`` / ``peak`` as
    :mod:`.accounting` keeps it): the static ruin level, the trailing drawdown, the daily
    loss limit and the goal, in that order. Returns ``(code, pause)``: the
    :data:`STOP_NAMES` code of the rule that ends the path (0: none), and whether the daily
    loss limit pauses the rest of the day (also when the goal then ends the path).

    One definition of the rules' per-trade checks for every walk that takes them."""
    if x <= ruin_cut:
        return 1, False
    if trail_d > 0.0 and fall_from(x, min(peak, lock_x), fractional, c) >= trail_d - FALL_TOL:
        return 2, False
    pause = False
    if day_lim > 0.0 and fall_from(x, x_day, fractional, c) >= day_lim - FALL_TOL:
        if day_end:
            return 3, False
        pause = True
    if x >= goal_cut:
        return GOAL, pause
    return 0, pause


@njit(cache=True)
def _walk_rules(
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
    trail_d,
    lock_x,
    tpd,
    day_lim,
    day_end,
    final_eq,
    max_dd,
    ruin_t,
    goal_t,
    max_streak,
    max_uw,
    wins,
    taken,
    stop_rule,
    paused_days,
    rec,
):
    c = c_fixed(fractional, risk)
    n_out = steps.shape[0]
    recording = i < rec.shape[0]
    s0, s1, s2, s3 = seed4(key0, key1, path_offset + i)
    w = uint64(0)
    pos = 0
    x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n = acc_new(fractional, risk)
    t_ruin = -1
    t_goal = -1
    rule = 0
    k = 0  # trades drawn (the draw index of draw_outcome)
    x_day = 0.0
    paused = False
    n_paused = 0
    last = 0  # slots walked
    if recording:
        rec[i, 0] = 1.0
    for t in range(n_trades):
        last = t + 1
        x_day, paused = day_start(t, tpd, x, x_day, paused)
        if paused:
            if recording:
                rec[i, t + 1] = acc_equity(x, fractional, risk)
            continue
        j, s0, s1, s2, s3, w, pos = draw_outcome(
            model, k, s0, s1, s2, s3, w, pos, thr32, n_out, accept, alias, block_len
        )
        k += 1
        rk = rvals[j]
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
            steps[j],
            rk > 0.0,
            rk < 0.0,
            fractional,
            c,
            x_floor,
        )
        if recording:
            rec[i, t + 1] = acc_equity(x, fractional, risk)
        rule, pause = after_trade(
            x, peak, x_day, fractional, c, ruin_cut, goal_cut, trail_d, lock_x, day_lim, day_end
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
    if recording:
        eq = acc_equity(x, fractional, risk)
        for t in range(last + 1, rec.shape[1]):
            rec[i, t] = eq
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
    stop_rule[i] = rule
    paused_days[i] = n_paused


@njit(parallel=True, cache=True)
def run_rule_paths(
    model,
    fractional,
    key0,
    key1,
    path_offset,
    n_paths,
    n_trades,
    steps,
    rvals,
    thr32,
    accept,
    alias,
    block_len,
    risk,
    x_floor,
    ruin_x,
    goal_x,
    trail_d,
    lock_x,
    tpd,
    day_lim,
    day_end,
    final_eq,
    max_dd,
    ruin_t,
    goal_t,
    max_streak,
    max_uw,
    wins,
    taken,
    stop_rule,
    paused_days,
    rec,
):
    """Walk paths ``0..n_paths-1`` (streams ``path_offset + i``) under the account rules;
    the first ``rec.shape[0]`` paths also write their equity curves (those run serially
    first, the rest in parallel). Results do not depend on threads or chunking."""
    ruin_cut, goal_cut = barrier_cuts(ruin_x, goal_x)
    n_rec = min(rec.shape[0], n_paths)
    for i in range(n_rec):
        _walk_rules(
            i, model, fractional, key0, key1, path_offset, n_trades, steps, rvals, thr32,
            accept, alias, block_len, risk, x_floor, ruin_cut, goal_cut, trail_d, lock_x, tpd,
            day_lim, day_end, final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins,
            taken, stop_rule, paused_days, rec,
        )  # fmt: skip
    for i in prange(n_rec, n_paths):
        _walk_rules(
            i, model, fractional, key0, key1, path_offset, n_trades, steps, rvals, thr32,
            accept, alias, block_len, risk, x_floor, ruin_cut, goal_cut, trail_d, lock_x, tpd,
            day_lim, day_end, final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins,
            taken, stop_rule, paused_days, rec,
        )  # fmt: skip
