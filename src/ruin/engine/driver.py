"""The one chunked run driver: every trade model's paths are run through :func:`run`.

A model describes how to run a chunk of paths (a :class:`PathRun`: its kernel call, the
random streams it draws from, any per-path outputs beyond the account's); the driver does
the rest, the same way for every model: it checks the drawdown levels and the memory the
run needs, resolves the seed, runs the paths chunk by chunk on the requested number of
threads (reporting progress), runs the recorded paths once more with their equity curves,
and returns the :class:`~ruin.engine.result.SimulationResult`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numba
import numpy as np

from ..errors import ParameterError, check_number
from .result import DEFAULT_DRAWDOWN_LEVELS, SimulationResult
from .rng import resolve_seed
from .streams import TRADES, Stream, stream_keys
from .work import CHUNK_SECONDS, FIRST_CHUNK_WORK

if TYPE_CHECKING:  # the driver only reads a scenario's paths, trades and seed
    from ..params import Scenario

__all__ = [
    "PATH_OUTPUTS",
    "PathRun",
    "memory_limit",
    "memory_needed",
    "numba_threads",
    "run",
]

#: The account's per-path outputs, in the order every kernel writes them.
PATH_OUTPUTS: tuple[tuple[str, type], ...] = (
    ("final_equity", np.float64),
    ("max_drawdown", np.float64),
    ("ruin_trade", np.int32),
    ("goal_trade", np.int32),
    ("longest_losing_streak", np.int32),
    ("longest_underwater", np.int32),
    ("wins", np.int32),
    ("trades_taken", np.int32),
)
_BYTES_PER_PATH = sum(np.dtype(dt).itemsize for _, dt in PATH_OUTPUTS)
DEFAULT_CHUNK = 1 << 18


@dataclass(frozen=True)
class PathRun:
    """How a trade model runs its paths: what :func:`run` needs from it.

    Attributes
    ----------
    run_chunk : callable
        ``run_chunk(keys, offset, count, outputs, rec)`` runs paths ``offset .. offset +
        count - 1``: ``keys`` holds the ``(key0, key1)`` pair of each stream in
        ``streams``; ``outputs`` maps the names of :data:`PATH_OUTPUTS` and
        ``extra_outputs`` to arrays of ``count`` rows; ``rec`` (m x (trades + 1)) receives
        the equity curves of the first m of these paths (m may be 0).
    streams : tuple of Stream
        The random streams the kernel draws from (:mod:`ruin.engine.streams`).
    extra_outputs : tuple of (name, dtype, shape)
        Per-path outputs beyond the account's: ``shape`` is the shape of one path's row.
    summarize : callable, optional
        ``summarize(outputs) -> dict``: the model's additions to the summary
        (``SimulationResult.extra``), from the full per-path outputs.
    """

    run_chunk: Callable[..., None]
    streams: tuple[Stream, ...] = (TRADES,)
    extra_outputs: tuple[tuple[str, type, tuple[int, ...]], ...] = ()
    summarize: Callable[[Mapping[str, np.ndarray]], dict[str, Any]] | None = None

    def extra_bytes_per_path(self) -> int:
        return sum(
            np.dtype(dt).itemsize * int(np.prod(shape, dtype=np.int64))
            for _, dt, shape in self.extra_outputs
        )


def memory_needed(paths: int, trades: int, recorded: int) -> int:
    """Bytes the per-path results and recorded curves need (what the engine allocates)."""
    return paths * _BYTES_PER_PATH + recorded * (trades + 1) * 8


def memory_limit() -> int:
    """Half the machine's memory: the most one run may allocate."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        total = 8 << 30
    return total // 2


@contextmanager
def numba_threads(n: int | None):
    """Run the block with ``n`` numba threads (``None``: leave the setting alone)."""
    if n is None:
        yield
        return
    old = numba.get_num_threads()
    numba.set_num_threads(max(1, min(int(n), numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(old)


def _allocate(path_run: PathRun, n: int) -> dict[str, np.ndarray]:
    out = {name: np.empty(n, dt) for name, dt in PATH_OUTPUTS}
    for name, dt, shape in path_run.extra_outputs:
        out[name] = np.empty((n, *shape), dt)
    return out


def run(
    scenario: Scenario,
    path_run: PathRun,
    *,
    drawdown_levels: tuple[float, ...] = DEFAULT_DRAWDOWN_LEVELS,
    record: int = 200,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = DEFAULT_CHUNK,
) -> SimulationResult:
    """Run ``scenario``'s paths with ``path_run`` (see :func:`ruin.simulate.simulate`).

    ``chunk`` is the most paths per kernel call; chunks are sized by measured work so that
    each takes about :data:`~ruin.engine.work.CHUNK_SECONDS` (Ctrl-C is seen between them).

    Raises
    ------
    ParameterError
        For invalid drawdown levels, or a request needing more than half the machine's memory.
    """
    for level in drawdown_levels:
        check_number("drawdown_levels", level, 0.0, 1.0, lo_incl=False)
    n, n_trades = scenario.paths, scenario.account.trades
    n_rec = max(0, min(int(record), n))
    need = memory_needed(n, n_trades, n_rec) + n * path_run.extra_bytes_per_path()
    if need > memory_limit():
        raise ParameterError(
            "paths x trades",
            f"a run that fits in memory (at most {memory_limit() / 2**30:.1f} GiB here)",
            f"{n:,} paths x {n_trades:,} trades needing {need / 2**30:.1f} GiB",
            "Use fewer paths or record fewer sample paths.",
        )
    seed = resolve_seed(scenario.seed)
    keys = tuple(stream_keys(seed, stream) for stream in path_run.streams)
    outputs = _allocate(path_run, n)
    rec = np.empty((n_rec, n_trades + 1), np.float64)
    no_rec = np.empty((0, n_trades + 1), np.float64)
    chunk = max(1, int(chunk))
    # chunks sized by work: the first holds FIRST_CHUNK_WORK path-trades, each next one about
    # CHUNK_SECONDS at the rate just measured (growing at most 4x), so Ctrl-C (seen between
    # kernel calls) stops any run within about a second; streams are keyed by path, so the
    # numbers do not depend on the chunks
    size = max(1, min(chunk, FIRST_CHUNK_WORK // max(1, n_trades)))
    t0 = time.perf_counter()
    with numba_threads(threads):
        start = 0
        while start < n:
            stop = min(n, start + size)
            part = {name: a[start:stop] for name, a in outputs.items()}
            t_chunk = time.perf_counter()
            path_run.run_chunk(keys, start, stop - start, part, no_rec)
            took = time.perf_counter() - t_chunk
            if progress is not None:
                progress(stop, n)
            fit = (stop - start) * CHUNK_SECONDS / took if took > 0 else 4 * size
            size = max(1, min(chunk, 4 * size, int(fit)))
            start = stop
        if n_rec:  # the recorded paths once more (same streams, same results) with curves
            path_run.run_chunk(keys, 0, n_rec, _allocate(path_run, n_rec), rec)
    elapsed = time.perf_counter() - t0
    extra = path_run.summarize(outputs) if path_run.summarize is not None else {}
    return SimulationResult(
        scenario=scenario,
        seed=seed,
        **{name: outputs[name] for name, _ in PATH_OUTPUTS},
        sample_paths=rec,
        elapsed_seconds=elapsed,
        drawdown_levels=tuple(float(x) for x in drawdown_levels),
        extra=extra,
        exits=outputs.get("exits"),
        aux=outputs.get("aux"),
    )
