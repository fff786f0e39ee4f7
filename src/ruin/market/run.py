"""Running the leveraged model: which kernel runs a plan, and the run of the one driver.

The kernel-choice ladder (:func:`run_market`), first match wins:

1. **Engine Bernoulli** -- no time dimension, and every trade has the same two results in R
   with the costs recoverable from the counts (:class:`~.plan.TwoPoint`): the account
   engine's two-point kernel, on the market stream.
2. **Exact** -- no time dimension otherwise (costs under fractional sizing, cross margin
   with fixed stakes): :mod:`.kernels.exact`, one uniform per trade.
3. **Lanes** -- one position, continuous monitoring, no funding, no time stop, exits whose
   results are fixed for the run: :mod:`.kernels.lanes`, sixteen paths side by side (the
   recorded paths run in the one-position kernel, with the same numbers).
4. **One position** -- :mod:`.kernels.single`.
5. **Portfolio** -- several positions per trade: :mod:`.kernels.portfolio`.

Every kernel draws path ``i`` from the stream ``(seed, i)`` of
:data:`ruin.engine.streams.MARKET`, so the numbers do not depend on threads or chunks.

Account rules (trailing drawdown, daily loss limit, a challenge: :mod:`ruin.rules`) are
checked after each trade by the same helpers as in the i.i.d. rules walk
(:func:`ruin.engine.rules.after_trade`, :func:`~ruin.engine.rules.day_start`): rung 1 runs
as that walk (:func:`ruin.engine.rules.run_rule_paths`), rungs 2, 4 and 5 take them in their
loop, and rung 3 (the lanes) gives way to rung 4, whose numbers are the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.driver import PATH_OUTPUTS, PathRun
from ..engine.kernels import run_iid
from ..engine.rules import NO_RULES, RuleTerms, run_rule_paths
from ..engine.streams import MARKET, stream_keys
from .kernels.exact import exact_kernel
from .kernels.lanes import lanes_kernel
from .kernels.portfolio import portfolio_kernel
from .kernels.single import single_kernel
from .plan import MarketPlan, plan_market
from .report import market_summary
from .trade import LeveragedTrade

if TYPE_CHECKING:
    from ..params import Scenario

__all__ = ["run_market", "lanes_apply", "market_path_run", "warm_up"]


def run_market(
    plan: MarketPlan,
    key0,
    key1,
    offset: int,
    count: int,
    outs: tuple,
    exits: np.ndarray,
    aux: np.ndarray,
    rec: np.ndarray,
    rules: RuleTerms = NO_RULES,
    stops: tuple[np.ndarray, np.ndarray] | None = None,
) -> None:
    """Run paths ``offset .. offset + count - 1`` of ``plan`` into the given arrays
    (``outs``: the eight account outputs in :data:`ruin.engine.driver.PATH_OUTPUTS` order;
    ``rec``: the equity curves of the first ``rec.shape[0]`` of them) under the account
    ``rules``; ``stops``: the per-path ``stop_rule`` and ``paused_days`` arrays (``None``:
    not kept)."""
    if stops is None:
        stops = (np.empty(count, np.int8), np.empty(count, np.int32))
    if plan.two_point is not None:
        _run_two_point(plan, key0, key1, offset, count, outs, exits, aux, rec, rules, stops)
        return
    kernel = plan.kernel
    if plan.exact:
        run = exact_kernel
    elif rules == NO_RULES and lanes_apply(plan):
        n_rec = min(rec.shape[0], count)  # recorded paths run alone, the rest in lanes
        if n_rec:
            single_kernel(
                key0,
                key1,
                np.int64(offset),
                np.int64(n_rec),
                kernel,
                *outs,
                exits,
                aux,
                rec,
                rules,
                *(x[:n_rec] for x in stops),
            )
        if count > n_rec:
            sl = slice(n_rec, None)
            lanes_kernel(
                key0,
                key1,
                np.int64(offset + n_rec),
                np.int64(count - n_rec),
                kernel,
                *(o[sl] for o in outs),
                exits[sl],
                aux[sl],
            )
        return
    elif kernel.positions == 1:
        run = single_kernel
    else:
        run = portfolio_kernel
    run(
        key0, key1, np.int64(offset), np.int64(count), kernel, *outs, exits, aux, rec, rules, *stops
    )


def lanes_apply(plan: MarketPlan) -> bool:
    """Whether the lanes can walk the plan's paths: one position, continuous monitoring,
    no funding, no time stop, and exits whose results are fixed for the run (not cross
    margin with fixed stakes)."""
    k = plan.kernel
    return bool(
        not plan.exact
        and k.positions == 1
        and not k.discrete
        and k.funding_rate == 0.0
        and k.max_hold == 0.0
        and not (k.cross and not k.fractional)
        and k.n_trades > 0
    )


def _run_two_point(
    plan: MarketPlan,
    key0,
    key1,
    offset: int,
    count: int,
    outs: tuple,
    exits: np.ndarray,
    aux: np.ndarray,
    rec: np.ndarray,
    rules: RuleTerms,
    stops: tuple[np.ndarray, np.ndarray],
) -> None:
    """Exact-exit trades through the account engine's Bernoulli kernel (see
    :class:`~.plan.TwoPoint`), or under account rules its rules walk (the same draws);
    exits and per-trade amounts from the win / trade counts."""
    two = plan.two_point
    outputs = dict(zip((name for name, _ in PATH_OUTPUTS), outs, strict=True))
    if rules == NO_RULES:
        run_iid(two.iid, ((key0, key1),), offset, count, outputs, rec)
    else:
        _two_point_rules(two.iid, key0, key1, offset, count, outs, rec, rules, stops)
    wins = outputs["wins"].astype(np.int64)
    lows = outputs["trades_taken"].astype(np.int64) - wins
    exits[:] = 0
    exits[:, 0] = wins
    exits[:, two.lower_exit] = lows
    # no costs under fractional sizing; fixed stakes: every R is ``risk`` of starting equity
    aux[:] = (
        wins[:, None] * two.aux_take_profit[None, :] + lows[:, None] * two.aux_lower[None, :]
    ) * plan.kernel.risk


def _two_point_rules(iid, key0, key1, offset, count, outs, rec, rules, stops) -> None:
    """The i.i.d. rules walk (:func:`ruin.engine.rules.run_rule_paths`) on the two-point plan."""
    run_rule_paths(
        iid.model,
        iid.fractional,
        key0,
        key1,
        np.int64(offset),
        np.int64(count),
        np.int64(iid.n_trades),
        iid.steps,
        iid.rvals,
        iid.thr32,
        iid.accept,
        iid.alias,
        np.int64(iid.block_len),
        iid.risk,
        iid.x_floor,
        iid.ruin_x,
        iid.goal_x,
        rules.trail_d,
        rules.lock_x,
        np.int64(rules.tpd),
        rules.day_lim,
        rules.day_end,
        *outs,
        *stops,
        rec,
    )


def market_path_run(scenario: Scenario) -> PathRun:
    """The driver's run of a scenario whose ``market`` is set: per-path ``exits`` and
    ``aux`` beside the account's outputs, and the leveraged additions to the summary
    (:func:`~.report.market_summary`); under account rules also ``stop_rule`` and
    ``paused_days`` and the rules' summary (:func:`ruin.rules.rules_summary`)."""
    from ..rules import RULE_OUTPUTS, rule_terms, rules_summary

    sizing, account, rules = scenario.sizing, scenario.account, scenario.rules
    terms = (
        NO_RULES if rules is None else rule_terms(rules, sizing.rule == "fractional", sizing.risk)
    )
    plan = plan_market(
        scenario.market,
        rule=sizing.rule,
        risk=sizing.risk,
        ruin_level=account.ruin_level,
        goal=account.goal,
        trades=account.trades,
    )

    def run_chunk(
        keys, offset: int, count: int, outputs: Mapping[str, np.ndarray], rec: np.ndarray
    ) -> None:
        ((key0, key1),) = keys
        run_market(
            plan,
            key0,
            key1,
            offset,
            count,
            tuple(outputs[name] for name, _ in PATH_OUTPUTS),
            outputs["exits"],
            outputs["aux"],
            rec,
            terms,
            None if rules is None else (outputs["stop_rule"], outputs["paused_days"]),
        )

    def summarize(outputs: Mapping[str, np.ndarray]) -> dict[str, Any]:
        out = market_summary(scenario, plan, outputs["exits"], outputs["aux"], outputs["wins"])
        if rules is not None:
            out.update(rules_summary(rules, account.goal is not None, outputs))
        return out

    return PathRun(
        run_chunk=run_chunk,
        streams=(MARKET,),
        extra_outputs=(("exits", np.int64, (4,)), ("aux", np.float64, (4,)))
        + (RULE_OUTPUTS if rules is not None else ()),
        summarize=summarize,
    )


def warm_up() -> None:
    """Compile (or load from the cache) the leveraged kernels with tiny runs (exact exits
    through the engine, the one-position kernel and its lanes); call once at app start so
    the first real run is fast."""
    key0, key1 = stream_keys(0, MARKET)
    for extra in ({}, {"max_hold_days": 5.0}, {"garch": (0.1, 0.85)}):
        trade = LeveragedTrade(leverage=2.0, drift=0.0, **extra)
        plan = plan_market(trade, rule="fractional", risk=0.01, ruin_level=0.0, goal=None, trades=4)
        for count, recorded in ((4, 0), (2, 2)):  # as the driver runs them
            outs = tuple(np.empty(count, dt) for _, dt in PATH_OUTPUTS)
            run_market(
                plan,
                key0,
                key1,
                0,
                count,
                outs,
                np.empty((count, 4), np.int64),
                np.empty((count, 4)),
                np.empty((recorded, 5)),
            )
