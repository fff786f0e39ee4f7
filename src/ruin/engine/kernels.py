"""The i.i.d. account kernels: one pass per path, per-path results only.

Every trade model is reduced to per-trade outcomes in R before it reaches these kernels.
They walk each path once, applying sizing, the absorbing ruin and goal barriers, and
tracking peak, maximum drawdown, losing streaks and time under water with the shared
bookkeeping of :mod:`ruin.engine.accounting`. They never build a paths x trades matrix,
except for the handful of paths recorded for charts.

* ``KERNELS[(model, fractional)]``: parallel kernels for the i.i.d. models (random numbers
  drawn inside; path i uses stream ``seed4(key0, key1, path_offset + i)``, so results are
  independent of thread count and chunking), compiled with model and sizing rule fixed.
  The two-point (Bernoulli) model walks 16 paths side by side (:mod:`ruin.engine.walk`:
  the one-path walk, the lanes and the outcome draws live there).
* :func:`run_record`: the same walk, serial, also writing full equity curves (charts).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .accounting import barrier_cuts
from .walk import (
    _LANES,
    MODEL_ALIAS,
    MODEL_BLOCK,
    MODEL_TWO_POINT,
    _lanes_two_point,
    _walk,
    draw_outcome,
)

__all__ = [
    "MODEL_TWO_POINT",
    "MODEL_ALIAS",
    "MODEL_BLOCK",
    "KERNELS",
    "IidPlan",
    "alias_table",
    "run_iid",
    "draw_outcome",
    "run_record",
    "run_paths",
    "kernel",
    "record_kernel",
    "LANES_MIN_WORK",
    "use_lanes",
    "lanes_ready",
    "dispatcher_warm",
]


def alias_table(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker/Vose alias table: ``(accept, alias)`` for O(1) sampling of ``probs``."""
    p = np.asarray(probs, dtype=np.float64)
    k = p.size
    scaled = p * k / p.sum()
    accept = np.ones(k, dtype=np.float64)
    alias = np.arange(k, dtype=np.int64)
    small = [i for i in range(k) if scaled[i] < 1.0]
    large = [i for i in range(k) if scaled[i] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        accept[s] = scaled[s]
        alias[s] = g
        scaled[g] = scaled[g] + scaled[s] - 1.0
        (small if scaled[g] < 1.0 else large).append(g)
    return accept, alias


_GRAIN = 64  # paths per parallel work item (a multiple of _LANES)


def _kernel_suffix(model, fractional, lanes=False) -> str:
    # numba's on-disk cache names entries by qualname and line and does not tell closures
    # apart by their captured values: every specialised kernel needs a name of its own.
    return f"model{int(model)}_{'fractional' if fractional else 'fixed'}" + (
        "_lanes" if lanes else ""
    )


def _range_walker(model, fractional, lanes):
    """Serial walk of paths ``lo..hi-1`` with ``model``, ``fractional`` and ``lanes`` fixed
    at compile time (only ints and bools are captured, so the compiled code caches on disk).
    ``lanes`` (two-point model only): walk 16 paths side by side; without it every path is
    walked alone by :func:`_walk` (the same numbers; a few times slower, but it compiles in
    a fraction of the time)."""

    # error_model="numpy": no zero-division checks (1 / (c + peak) has c + peak >= 1), which
    # lets LLVM vectorise the lane loops of fixed stakes too.
    def walk_range(
        lo,
        hi,
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
        final_eq,
        max_dd,
        ruin_t,
        goal_t,
        max_streak,
        max_uw,
        wins,
        taken,
    ):
        no_rec = np.empty((0, 1), np.float64)
        start = lo
        if model == 0 and lanes:
            S = np.empty(4 * _LANES, np.uint64)
            F = np.empty(3 * _LANES, np.float64)
            IS = np.empty(6 * _LANES, np.int64)
            lanes_ok = ruin_cut < 0.0 < goal_cut  # else the start itself is a barrier
            while lanes_ok and start + _LANES <= hi:
                _lanes_two_point(
                    start,
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
                    final_eq,
                    max_dd,
                    ruin_t,
                    goal_t,
                    max_streak,
                    max_uw,
                    wins,
                    taken,
                    S,
                    F,
                    IS,
                )
                start += _LANES
        for i in range(start, hi):
            _walk(
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
                final_eq,
                max_dd,
                ruin_t,
                goal_t,
                max_streak,
                max_uw,
                wins,
                taken,
                no_rec,
            )

    # numba's on-disk cache names entries by qualname and line and does not tell closures
    # apart by their captured values: without a distinct name, one walker's cached machine
    # code was loaded for another (block bootstrap ran as the two-point model).
    walk_range.__qualname__ = f"walk_range_{_kernel_suffix(model, fractional, lanes)}"
    walk_range.__name__ = walk_range.__qualname__
    return njit(cache=True, error_model="numpy")(walk_range)


# The serial walkers, one per (model, sizing rule[, lanes]): module globals, so that the
# parallel kernels name them without capturing them (see _parallel_kernel). Creating them
# compiles nothing.
_walk_m0_frac_lanes = _range_walker(MODEL_TWO_POINT, True, True)
_walk_m0_fixed_lanes = _range_walker(MODEL_TWO_POINT, False, True)
_walk_m0_frac = _range_walker(MODEL_TWO_POINT, True, False)
_walk_m0_fixed = _range_walker(MODEL_TWO_POINT, False, False)
_walk_m1_frac = _range_walker(MODEL_ALIAS, True, False)
_walk_m1_fixed = _range_walker(MODEL_ALIAS, False, False)
_walk_m2_frac = _range_walker(MODEL_BLOCK, True, False)
_walk_m2_fixed = _range_walker(MODEL_BLOCK, False, False)


def _parallel_kernel(model, fractional, lanes):
    """The parallel walk of paths ``0..n_paths-1`` (streams ``path_offset + i``) for one
    model and sizing rule: threads take ranges of ``_GRAIN`` paths, each walked by the
    serial walker compiled for ``(model, fractional)``. Only that walker is compiled with
    it (one kernel per model and rule, compiled on first use: a Bernoulli run never
    compiles the bootstrap walkers). Outputs as in :func:`acc_store`.

    The walker is chosen by branches on the captured constants (numba prunes the others
    before typing, so only one walker is compiled with the kernel). It must not be captured
    itself: numba keys its disk cache on the pickled closure variables, and a pickled
    dispatcher differs from process to process (the kernel was compiled again every run)."""

    def run_range_paths(
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
        final_eq,
        max_dd,
        ruin_t,
        goal_t,
        max_streak,
        max_uw,
        wins,
        taken,
    ):
        ruin_cut, goal_cut = barrier_cuts(ruin_x, goal_x)
        n_items = (n_paths + _GRAIN - 1) // _GRAIN
        for b in prange(n_items):
            lo = b * _GRAIN
            hi = min(n_paths, lo + _GRAIN)
            args = (
                lo,
                hi,
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
                final_eq,
                max_dd,
                ruin_t,
                goal_t,
                max_streak,
                max_uw,
                wins,
                taken,
            )
            if model == 0:
                if lanes:
                    if fractional:
                        _walk_m0_frac_lanes(*args)
                    else:
                        _walk_m0_fixed_lanes(*args)
                elif fractional:
                    _walk_m0_frac(*args)
                else:
                    _walk_m0_fixed(*args)
            elif model == 1:
                if fractional:
                    _walk_m1_frac(*args)
                else:
                    _walk_m1_fixed(*args)
            elif fractional:
                _walk_m2_frac(*args)
            else:
                _walk_m2_fixed(*args)

    run_range_paths.__qualname__ = f"run_paths_{_kernel_suffix(model, fractional, lanes)}"
    run_range_paths.__name__ = run_range_paths.__qualname__
    return njit(parallel=True, cache=True)(run_range_paths)


def _record_kernel(model, fractional):
    """The serial walk of paths ``0..n_paths-1`` that also records equity curves, for one
    model and sizing rule (see :func:`run_record`)."""

    def run_record_paths(
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
        final_eq,
        max_dd,
        ruin_t,
        goal_t,
        max_streak,
        max_uw,
        wins,
        taken,
        rec,
    ):
        ruin_cut, goal_cut = barrier_cuts(ruin_x, goal_x)
        for i in range(n_paths):
            _walk(
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
                final_eq,
                max_dd,
                ruin_t,
                goal_t,
                max_streak,
                max_uw,
                wins,
                taken,
                rec,
            )

    run_record_paths.__qualname__ = f"run_record_{_kernel_suffix(model, fractional)}"
    run_record_paths.__name__ = run_record_paths.__qualname__
    return njit(cache=True)(run_record_paths)


@functools.cache
def kernel(model: int, fractional: bool, lanes: bool = False):
    """The parallel kernel for ``(model, fractional)`` (``lanes``: the two-point model's
    16-lane walk), built on first use: ``kernel(model, fractional)(key0, key1, path_offset,
    n_paths, n_trades, steps, rvals, thr32, accept, alias, block_len, risk, x_floor, ruin_x,
    goal_x, *outputs)``."""
    lanes = bool(lanes) and int(model) == MODEL_TWO_POINT
    return _parallel_kernel(int(model), bool(fractional), lanes)


#: Two-point kernel calls of at least this many path-trades use the 16-lane kernel even
#: when it is not compiled yet. Below it, the lanes run once they are compiled (in this
#: process or in numba's disk cache); until then the one-path walk answers (the same
#: numbers). The lanes walk is several times faster per path-trade but takes most of the
#: engine's compile time (about four times the one-path walk's), which a first small run
#: should not wait for. ``ruin.warmup.steps(scenario, fast=True)`` compiles them ahead.
LANES_MIN_WORK = 200_000_000

_LANES_READY: dict[bool, bool] = {}


def lanes_ready(fractional: bool) -> bool:
    """Whether the two-point lanes kernel is compiled or in the disk cache (checked on
    disk once per process and sizing rule; once loaded, always true)."""
    fractional = bool(fractional)
    if _LANES_READY.get(fractional):
        return True
    ready = dispatcher_warm(kernel(MODEL_TWO_POINT, fractional, True))
    _LANES_READY[fractional] = ready
    return ready


def use_lanes(model: int, fractional: bool, work: int) -> bool:
    """Whether a kernel call of ``work`` path-trades runs the two-point lanes."""
    if int(model) != MODEL_TWO_POINT:
        return False
    if work >= LANES_MIN_WORK:
        _LANES_READY[bool(fractional)] = True  # compiled by this call
        return True
    return lanes_ready(fractional)


def dispatcher_warm(dispatcher) -> bool:
    """Whether a numba dispatcher has machine code for this CPU without compiling: loaded
    in memory, or in its on-disk cache index (for this CPU name and feature string)."""
    if dispatcher.overloads:
        return True
    cache = getattr(dispatcher, "_cache", None)
    cache_file = getattr(cache, "_cache_file", None)
    if cache_file is None:  # no disk cache for this function
        return False
    try:
        index = cache_file._load_index()  # {} when missing or stale (source changed)
        codegen = dispatcher.targetctx.codegen()
        # the whole key: signature, CPU name and features, code and closure variables
        return any(key == cache._index_key(key[0], codegen) for key in index)
    except Exception:  # noqa: BLE001 - numba internals moved: say "not warm" (compile)
        return False


@functools.cache
def record_kernel(model: int, fractional: bool):
    """The serial recording kernel for ``(model, fractional)``, built on first use (the
    arguments of :func:`kernel`, then ``rec``)."""
    return _record_kernel(int(model), bool(fractional))


def run_paths(model, fractional, *args) -> None:
    """Parallel walk of paths ``0..n_paths-1`` (streams ``path_offset + i``) with the kernel
    compiled for ``(model, fractional)``; ``args`` as in :func:`kernel`."""
    kernel(model, fractional, use_lanes(model, fractional, int(args[3]) * int(args[4])))(*args)


def run_record(model, fractional, *args) -> None:
    """Serial walk of paths ``0..n_paths-1`` that also records equity curves.

    The last argument ``rec`` (n_paths x (n_trades + 1)) receives each path's equity multiple
    after each trade (column 0 = start = 1.0; after ruin or goal the equity stays where it
    stopped). Per-path results are identical to those of :func:`run_paths`.
    """
    record_kernel(model, fractional)(*args)


class _Kernels(Mapping):
    """``KERNELS[(model, fractional)]``: the parallel kernels, each built on first use."""

    _KEYS = tuple(
        (m, f) for m in (MODEL_TWO_POINT, MODEL_ALIAS, MODEL_BLOCK) for f in (True, False)
    )

    def __getitem__(self, key):
        if key not in self._KEYS:
            raise KeyError(key)
        return functools.partial(run_paths, *key)

    def __iter__(self):
        return iter(self._KEYS)

    def __len__(self) -> int:
        return len(self._KEYS)


#: ``KERNELS[(model, fractional)](key0, key1, path_offset, n_paths, n_trades, ...)``.
KERNELS = _Kernels()


@dataclass(frozen=True, slots=True)
class IidPlan:
    """What the i.i.d. kernels need for one run (built by :func:`ruin.outcomes.iid_plan`).

    ``model`` is one of the ``MODEL_*`` codes; ``steps`` and ``rvals`` are each outcome's
    state increment and value in R; ``thr32`` the two-point model's win threshold (a win
    when a 32-bit uniform is below it); ``accept`` / ``alias`` the alias table; the rest the
    trades per path, the sizing rule and the thresholds of
    :func:`ruin.engine.accounting.thresholds`.
    """

    model: int
    n_trades: int
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


def run_iid(
    plan: IidPlan,
    keys: tuple,
    offset: int,
    count: int,
    outputs: Mapping[str, np.ndarray],
    rec: np.ndarray,
    lanes: bool | None = None,
) -> None:
    """Run paths ``offset .. offset + count - 1`` of ``plan`` (a driver chunk; see
    :class:`ruin.engine.driver.PathRun`). With recorded rows the serial recording kernel
    runs; otherwise the parallel kernel specialised for the model and sizing rule (the
    two-point lanes when ``lanes``, or by :func:`use_lanes` when ``None``). All give
    identical per-path results."""
    ((key0, key1),) = keys
    args = (
        key0,
        key1,
        np.int64(offset),
        np.int64(count),
        np.int64(plan.n_trades),
        plan.steps,
        plan.rvals,
        plan.thr32,
        plan.accept,
        plan.alias,
        np.int64(plan.block_len),
        plan.risk,
        plan.x_floor,
        plan.ruin_x,
        plan.goal_x,
        outputs["final_equity"],
        outputs["max_drawdown"],
        outputs["ruin_trade"],
        outputs["goal_trade"],
        outputs["longest_losing_streak"],
        outputs["longest_underwater"],
        outputs["wins"],
        outputs["trades_taken"],
    )
    if rec.shape[0]:
        record_kernel(plan.model, plan.fractional)(*args, rec)
    else:
        if lanes is None:
            lanes = use_lanes(plan.model, plan.fractional, count * plan.n_trades)
        kernel(plan.model, plan.fractional, lanes)(*args)
