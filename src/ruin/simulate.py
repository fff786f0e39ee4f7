"""Public simulation API: :func:`simulate` a :class:`~ruin.params.Scenario`.

Definitions reported here (the same ones the CLI and app show)
--------------------------------------------------------------
* **Probability of ruin**: share of paths whose closed-trade equity fell to
  ``ruin_level`` x start or below after some trade 1..N.
* **Goal probability**: share of paths that reached ``goal`` x start before ruin.
* **Maximum drawdown** (MDD): largest peak-to-trough fall of closed-trade equity as a
  fraction of the peak, the starting equity counting as a peak; in [0, 1].
* **Final equity**: equity after trade N as a multiple of start; a path that stopped at ruin
  or goal keeps its equity at that moment.
* **Longest losing streak**: most consecutive trades with a negative outcome.
* **Longest time under water**: most consecutive trades ending below the running peak.
* **Survival curve**: share of paths not ruined after each trade 0..N.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import engine
from .engine.driver import memory_limit, memory_needed, numba_threads
from .engine.result import DEFAULT_DRAWDOWN_LEVELS, SimulationResult
from .engine.rng import resolve_seed, seed_keys
from .errors import ParameterError
from .params import Bernoulli, Bootstrap, Scenario

__all__ = ["simulate", "SimulationResult", "DEFAULT_DRAWDOWN_LEVELS", "memory_needed"]

_CHUNK = 1 << 18


@dataclass(frozen=True, slots=True)
class _Prepared:
    model: int
    steps: np.ndarray
    rvals: np.ndarray
    thr32: np.uint64
    accept: np.ndarray
    alias: np.ndarray
    block_len: int
    fractional: bool
    risk: float
    x_floor: float
    ruin_x: float
    goal_x: float


def _prepare(sc: Scenario) -> _Prepared:
    f = sc.sizing.risk
    fractional = sc.sizing.rule == "fractional"
    rvals, probs = sc.r_outcomes()
    m = sc.model
    if isinstance(m, Bernoulli):
        model = engine.MODEL_TWO_POINT
        thr32 = np.uint64(min(round(m.win_rate * 2.0**32), 2**32))
    elif isinstance(m, Bootstrap) and m.method == "block":
        model, thr32 = engine.MODEL_BLOCK, np.uint64(0)
    else:
        model, thr32 = engine.MODEL_ALIAS, np.uint64(0)
    accept, alias = engine.alias_table(probs)
    if fractional:
        g = 1.0 + f * rvals
        with np.errstate(divide="ignore"):
            steps = np.where(g > 0.0, np.log(np.maximum(g, 1e-300)), -np.inf)
    else:
        steps = rvals.copy()
    x_floor, ruin_x, goal_x = engine.thresholds(
        sc.sizing.rule, f, sc.account.ruin_level, sc.account.goal
    )
    return _Prepared(
        model, np.ascontiguousarray(steps, dtype=np.float64),
        np.ascontiguousarray(rvals, dtype=np.float64), thr32, accept, alias,
        int(getattr(m, "block_length", 1)), fractional, f, float(x_floor), float(ruin_x),
        float(goal_x),
    )


def simulate(
    scenario: Scenario,
    *,
    drawdown_levels: tuple[float, ...] = DEFAULT_DRAWDOWN_LEVELS,
    record: int = 200,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = _CHUNK,
) -> SimulationResult:
    """Run the account Monte Carlo for ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        Model, sizing, horizon, barriers, paths and seed (``None``: drawn and reported).
    drawdown_levels : tuple of float
        Levels X for ``P(MDD >= X)`` in the summary, each in (0, 1].
    record : int
        How many paths (the first ones) to keep as full equity curves for charts.
    threads : int, optional
        Kernel threads (default: numba's setting). Results do not depend on it.
    progress : callable, optional
        Called as ``progress(paths_done, paths_total)`` after each chunk.
    chunk : int
        Paths per kernel call; results do not depend on it.

    Returns
    -------
    SimulationResult

    Raises
    ------
    ParameterError
        For invalid drawdown levels, or a request needing more than half the machine's memory.
    """
    if getattr(scenario, "market", None) is not None:
        return _simulate_market(scenario, drawdown_levels=drawdown_levels, record=record,
                                threads=threads, progress=progress, chunk=chunk)
    if getattr(scenario, "behaviour", None) is not None:
        return _simulate_behaviour(scenario, drawdown_levels=drawdown_levels, record=record,
                                   threads=threads, progress=progress, chunk=chunk)
    for lv in drawdown_levels:
        from .errors import check_number

        check_number("drawdown_levels", lv, 0.0, 1.0, lo_incl=False)
    n, N = scenario.paths, scenario.account.trades
    n_rec = max(0, min(int(record), n))
    need = memory_needed(n, N, n_rec)
    if need > memory_limit():
        raise ParameterError(
            "paths x trades",
            f"a run that fits in memory (at most {memory_limit() / 2**30:.1f} GiB here)",
            f"{n:,} paths x {N:,} trades needing {need / 2**30:.1f} GiB",
            "Use fewer paths or record fewer sample paths.",
        )
    seed = resolve_seed(scenario.seed)
    k0, k1 = seed_keys(seed)
    prep = _prepare(scenario)
    final = np.empty(n, np.float64)
    mdd = np.empty(n, np.float64)
    rt = np.empty(n, np.int32)
    gt = np.empty(n, np.int32)
    streak = np.empty(n, np.int32)
    uw = np.empty(n, np.int32)
    wins = np.empty(n, np.int32)
    taken = np.empty(n, np.int32)
    rec = np.empty((n_rec, N + 1), np.float64)
    no_rec = np.empty((0, N + 1), np.float64)
    chunk = max(1, int(chunk))
    t0 = time.perf_counter()
    with numba_threads(threads):
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            sl = slice(start, stop)
            _call(prep, k0, k1, start, stop - start, N, final[sl], mdd[sl], rt[sl], gt[sl],
                  streak[sl], uw[sl], wins[sl], taken[sl], no_rec)
            if progress is not None:
                progress(stop, n)
        if n_rec:
            tmp = [np.empty(n_rec, a.dtype) for a in (final, mdd, rt, gt, streak, uw, wins, taken)]
            _call(prep, k0, k1, 0, n_rec, N, *tmp, rec)
    elapsed = time.perf_counter() - t0
    return SimulationResult(
        scenario=scenario, seed=seed, final_equity=final, max_drawdown=mdd, ruin_trade=rt,
        goal_trade=gt, longest_losing_streak=streak, longest_underwater=uw, wins=wins,
        trades_taken=taken, sample_paths=rec, elapsed_seconds=elapsed,
        drawdown_levels=tuple(float(x) for x in drawdown_levels),
    )


def _call(prep: _Prepared, k0, k1, offset, count, N, *outs) -> None:
    """Run paths ``offset..offset+count-1`` into ``outs`` (8 per-path arrays, then ``rec``).

    With recorded rows, the serial recording kernel runs; otherwise the parallel kernel
    specialised for the model and sizing rule. Both give identical per-path results.
    """
    *res, rec = outs
    args = (
        k0, k1, np.int64(offset), np.int64(count), np.int64(N), prep.steps, prep.rvals,
        prep.thr32, prep.accept, prep.alias, np.int64(prep.block_len), prep.risk,
        prep.x_floor, prep.ruin_x, prep.goal_x, *res,
    )
    if rec.shape[0]:
        engine.run_record(prep.model, prep.fractional, *args, rec)
    else:
        engine.KERNELS[(prep.model, prep.fractional)](*args)


def _simulate_behaviour(scenario: Scenario, **kw: Any) -> SimulationResult:
    """Scenarios with behaviour / sizing / exit rules run in :mod:`ruin.behaviour`."""
    from .behaviour import simulate_behaviour

    return simulate_behaviour(scenario, **kw)


def _simulate_market(scenario: Scenario, **kw: Any) -> SimulationResult:
    """Leveraged price-path scenarios (``scenario.market``) run in :mod:`ruin.market`."""
    from .market import simulate_market

    return simulate_market(scenario, **kw)
