"""Running the leveraged kernels: the kernel-choice ladder and the run driver.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ParameterError
from .kernels.exact import _exact_kernel
from .kernels.lanes import _lanes_kernel
from .kernels.portfolio import _stepped_kernel
from .kernels.single import _single_kernel
from .plan import (
    F_FUND,
    F_GOALX,
    F_MAXHOLD,
    F_RISK,
    F_RUINX,
    F_XFLOOR,
    I_CROSS,
    I_DISCRETE,
    I_FRACTIONAL,
    I_K,
    I_NTRADES,
    MarketPlan,
    _thresholds,
    plan_market,
)
from .report import market_summary
from .trade import LeveragedTrade


def run_market(plan: MarketPlan, key0, key1, offset: int, count: int, outs: tuple,
               exits: np.ndarray, aux: np.ndarray, rec: np.ndarray) -> None:
    """Run the kernel for paths ``offset .. offset + count - 1`` into the given arrays."""
    if plan.two_point is not None:
        _run_two_point(plan, key0, key1, offset, count, outs, exits, aux, rec)
        return
    if plan.exact:
        kern = _exact_kernel
    elif _lanes_apply(plan):
        n_rec = min(rec.shape[0], count)  # recorded paths run alone, the rest in lanes
        if n_rec:
            _single_kernel(key0, key1, np.int64(offset), np.int64(n_rec), plan.fp, plan.ip,
                           *outs, exits, aux, rec)
        if count > n_rec:
            sl = slice(n_rec, None)
            _lanes_kernel(key0, key1, np.int64(offset + n_rec), np.int64(count - n_rec),
                          plan.fp, plan.ip, *(o[sl] for o in outs), exits[sl], aux[sl])
        return
    elif plan.ip[I_K] == 1:
        kern = _single_kernel
    else:
        kern = _stepped_kernel
    kern(key0, key1, np.int64(offset), np.int64(count), plan.fp, plan.ip, *outs, exits, aux,
         rec)


def _lanes_apply(plan: MarketPlan) -> bool:
    """Whether :func:`_lanes_kernel` can walk the plan's paths: one position, continuous
    monitoring, no funding, no time stop, and exits whose results are fixed for the run
    (not cross margin with fixed stakes)."""
    fp, ip = plan.fp, plan.ip
    return bool(ip[I_K] == 1 and ip[I_DISCRETE] == 0 and fp[F_FUND] == 0.0
                and fp[F_MAXHOLD] == 0.0 and not (ip[I_CROSS] == 1 and ip[I_FRACTIONAL] == 0)
                and ip[I_NTRADES] > 0)


def _run_two_point(plan: MarketPlan, key0, key1, offset: int, count: int, outs: tuple,
                   exits: np.ndarray, aux: np.ndarray, rec: np.ndarray) -> None:
    """Exact-exit trades through the account engine's Bernoulli kernel (see
    :func:`_two_point_form`); exits and per-trade amounts from the win / trade counts."""
    from .. import engine

    steps, rvals, thr32, aux_tp, aux_lo, lower = plan.two_point
    fp, ip = plan.fp, plan.ip
    fractional = bool(ip[I_FRACTIONAL] == 1)
    risk = float(fp[F_RISK])
    args = (key0, key1, np.int64(offset), np.int64(count), np.int64(ip[I_NTRADES]), steps,
            rvals, thr32, np.ones(2), np.zeros(2, np.int64), np.int64(1), risk,
            float(fp[F_XFLOOR]), float(fp[F_RUINX]), float(fp[F_GOALX]))
    if rec.shape[0]:
        engine.run_record(engine.MODEL_TWO_POINT, fractional, *args, *outs, rec)
    else:
        engine.KERNELS[(engine.MODEL_TWO_POINT, fractional)](*args, *outs)
    wins = outs[6].astype(np.int64)
    lows = outs[7].astype(np.int64) - wins
    exits[:] = 0
    exits[:, 0] = wins
    exits[:, lower] = lows
    # no costs under fractional sizing; fixed stakes: every R is ``risk`` of starting equity
    aux[:] = (wins[:, None] * aux_tp[None, :] + lows[:, None] * aux_lo[None, :]) * risk


# --------------------------------------------------------------------------- simulation
def simulate_market(
    scenario: Any,
    *,
    drawdown_levels: tuple[float, ...],
    record: int = 200,
    threads: int | None = None,
    progress: Any = None,
    chunk: int = 1 << 16,
) -> Any:
    """Run the leveraged account Monte Carlo for ``scenario`` (``scenario.market`` set).

    Same arguments and result type as :func:`ruin.simulate.simulate`; the summary gains
    ``liquidation``, ``exit_mix``, ``costs``, ``bad_debt``, ``win_rate_input``,
    ``position`` and ``warnings`` (see :func:`market_summary`).
    """
    import time

    from ..engine.driver import memory_limit, memory_needed, numba_threads
    from ..engine.result import SimulationResult
    from ..engine.rng import resolve_seed, seed_keys
    from ..errors import check_number

    for lv in drawdown_levels:
        check_number("drawdown_levels", lv, 0.0, 1.0, lo_incl=False)
    mk: LeveragedTrade = scenario.market
    n, N = scenario.paths, scenario.account.trades
    n_rec = max(0, min(int(record), n))
    need = memory_needed(n, N, n_rec) + n * 64
    if need > memory_limit():
        raise ParameterError(
            "paths x trades", "a run that fits in memory", f"{n:,} paths x {N:,} trades",
            "Use fewer paths or record fewer sample paths.")
    fractional = scenario.sizing.rule == "fractional"
    risk = scenario.sizing.risk
    x_floor, ruin_x, goal_x = _thresholds(fractional, risk, scenario.account)
    plan = plan_market(mk, risk=risk, fractional=fractional, ruin_x=ruin_x, goal_x=goal_x,
                       x_floor=x_floor, trades=N)
    seed = resolve_seed(scenario.seed)
    k0, k1 = seed_keys(seed, 1)
    outs = (np.empty(n, np.float64), np.empty(n, np.float64), np.empty(n, np.int32),
            np.empty(n, np.int32), np.empty(n, np.int32), np.empty(n, np.int32),
            np.empty(n, np.int32), np.empty(n, np.int32))
    exits = np.empty((n, 4), np.int64)
    aux = np.empty((n, 4), np.float64)
    rec = np.empty((n_rec, N + 1), np.float64)
    no_rec = np.empty((0, N + 1), np.float64)
    chunk = max(1, int(chunk))
    t0 = time.perf_counter()
    with numba_threads(threads):
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            sl = slice(start, stop)
            run_market(plan, k0, k1, start, stop - start, tuple(a[sl] for a in outs),
                       exits[sl], aux[sl], no_rec)
            if progress is not None:
                progress(stop, n)
        if n_rec:
            tmp = tuple(np.empty(n_rec, a.dtype) for a in outs)
            run_market(plan, k0, k1, 0, n_rec, tmp, np.empty((n_rec, 4), np.int64),
                       np.empty((n_rec, 4)), rec)
    elapsed = time.perf_counter() - t0
    res = SimulationResult(
        scenario=scenario, seed=seed, final_equity=outs[0], max_drawdown=outs[1],
        ruin_trade=outs[2], goal_trade=outs[3], longest_losing_streak=outs[4],
        longest_underwater=outs[5], wins=outs[6], trades_taken=outs[7], sample_paths=rec,
        elapsed_seconds=elapsed, drawdown_levels=tuple(float(x) for x in drawdown_levels),
    )
    res.extra.update(market_summary(scenario, plan, exits, aux, outs[6]))
    # per-path exit counts (paths x 4, EXIT_NAMES) and costs (paths x 4, AUX_NAMES, fractions
    # of starting equity) for charts and tests
    object.__setattr__(res, "exits", exits)
    object.__setattr__(res, "aux", aux)
    return res


def warm_up() -> None:
    """Compile (or load from the cache) the leveraged kernels with tiny runs (exact exits,
    the one-position kernel and its lanes); call once at app start so the first real run is
    fast."""
    from ..params import Account, Bernoulli, Scenario, Sizing
    from ..simulate import simulate

    for extra in ({}, {"max_hold_days": 5.0}, {"garch": (0.1, 0.85)}):
        sc = Scenario(model=Bernoulli(win_rate=0.5, payoff=1.5), sizing=Sizing(risk=0.01),
                      account=Account(trades=4), paths=4, seed=0,
                      market=LeveragedTrade(leverage=2.0, drift=0.0, **extra))
        simulate(sc, record=2)
