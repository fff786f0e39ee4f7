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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.driver import PATH_OUTPUTS, PathRun
from ..engine.kernels import run_iid
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
) -> None:
    """Run paths ``offset .. offset + count - 1`` of ``plan`` into the given arrays
    (``outs``: the eight account outputs in :data:`ruin.engine.driver.PATH_OUTPUTS` order;
    ``rec``: the equity curves of the first ``rec.shape[0]`` of them)."""
    if plan.two_point is not None:
        _run_two_point(plan, key0, key1, offset, count, outs, exits, aux, rec)
        return
    kernel = plan.kernel
    if plan.exact:
        run = exact_kernel
    elif lanes_apply(plan):
        n_rec = min(rec.shape[0], count)  # recorded paths run alone, the rest in lanes
        if n_rec:
            single_kernel(
                key0, key1, np.int64(offset), np.int64(n_rec), kernel, *outs, exits, aux, rec
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
    run(key0, key1, np.int64(offset), np.int64(count), kernel, *outs, exits, aux, rec)


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
) -> None:
    """Exact-exit trades through the account engine's Bernoulli kernel (see
    :class:`~.plan.TwoPoint`); exits and per-trade amounts from the win / trade counts."""
    two = plan.two_point
    outputs = dict(zip((name for name, _ in PATH_OUTPUTS), outs, strict=True))
    run_iid(two.iid, ((key0, key1),), offset, count, outputs, rec)
    wins = outputs["wins"].astype(np.int64)
    lows = outputs["trades_taken"].astype(np.int64) - wins
    exits[:] = 0
    exits[:, 0] = wins
    exits[:, two.lower_exit] = lows
    # no costs under fractional sizing; fixed stakes: every R is ``risk`` of starting equity
    aux[:] = (
        wins[:, None] * two.aux_take_profit[None, :] + lows[:, None] * two.aux_lower[None, :]
    ) * plan.kernel.risk


def market_path_run(scenario: Scenario) -> PathRun:
    """The driver's run of a scenario whose ``market`` is set: per-path ``exits`` and
    ``aux`` beside the account's outputs, and the leveraged additions to the summary
    (:func:`~.report.market_summary`)."""
    sizing, account = scenario.sizing, scenario.account
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
        )

    def summarize(outputs: Mapping[str, np.ndarray]) -> dict[str, Any]:
        return market_summary(scenario, plan, outputs["exits"], outputs["aux"], outputs["wins"])

    return PathRun(
        run_chunk=run_chunk,
        streams=(MARKET,),
        extra_outputs=(("exits", np.int64, (4,)), ("aux", np.float64, (4,))),
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
