"""The public entry point: :func:`run_sweep` checks every cell, runs the batches and writes
the table."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import polars as pl

from ..engine.rng import resolve_seed
from ..engine.work import CLI_MAX_WORK, check_work
from ..errors import ParameterError, check_choice, check_int, check_number
from .cells import (
    Cell,
    _resolve_preset,
    batch_size_for,
    check_cells,
    iter_batches,
    iter_cells,
    sweep_work,
)
from .executors import (
    CONNECT_TIMEOUT,
    _connect,
    _dask_workers,
    _default_workers,
    _run_dask,
    _run_local,
)
from .files import (
    _STATE_FILE,
    _consolidate,
    _parts_dir,
    _read_done,
    _remove_parts,
    _rows_frame,
    _scan,
    _sources,
    _write_atomic,
    check_destination,
)
from .progress import _Progress
from .spec import METHODS, SweepSpec, _where, load_spec

__all__ = ["run_sweep"]


#: Local sweeps of up to this many cells run in one process by default: each spawned worker
#: imports ruin and loads its kernels first (seconds), and the kernels already use every
#: core through numba threads (``benchmarks/bench_sweep.py``: on 2 cores a small sweep ran
#: at 61.7 cells/s in one process against 37.6 in two).
POOL_MIN_CELLS = 2000


def run_sweep(
    spec_or_path: str | os.PathLike[str] | Mapping[str, Any] | SweepSpec,
    *,
    out: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
    method: Literal["simulate", "exact"] | None = None,
    batch_size: int | None = None,
    threads: int | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    stats: dict[str, Any] | None = None,
    force: bool = False,
    max_work: float = CLI_MAX_WORK,
    notice: Callable[[int, float], None] | None = None,
    _task: Callable[..., list[dict[str, Any]]] | None = None,
) -> pl.DataFrame:
    """Run a parameter sweep and return one row per cell.

    Parameters
    ----------
    spec_or_path : path, mapping or SweepSpec
        The sweep spec (see :func:`load_spec`).
    out : path, optional
        Parquet file to write. Finished batches stream into ``<out>.parts/`` as they
        complete; a later call with the same spec and ``out`` skips the cells already done
        (an interrupted sweep resumes), then consolidates everything into ``out``.
    workers : int, optional
        Local worker processes. Default: one process (every core as numba threads inside
        each simulation) for sweeps of up to :data:`POOL_MIN_CELLS` cells, where starting
        worker processes costs more than it saves; one per core above that. Ignored with
        ``scheduler``.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``tcp://host:8786``) or a connected client: batches run on
        that cluster, and the tasks of a worker that dies are retried elsewhere.
    progress : bool
        Show a progress bar (cells done, rate, time left) on stderr.
    method : {"simulate", "exact"}, optional
        Overrides the spec's ``method``: ``"exact"`` uses an exact answer where one exists
        (the ``method`` column says which cells did).
    batch_size : int, optional
        Cells per task (overrides the spec; default: sized from the cells' cost).
    threads : int, optional
        Numba threads per simulation (default: cores / workers locally, 1 on Dask).
    connect_timeout : float
        Seconds to wait for the Dask scheduler.
    stats : dict, optional
        Filled with ``cells``, ``cells_run``, ``batches``, ``batch_size``, ``seconds``,
        ``sweep_seed``, ``workers`` (for benchmarks and the CLI's report).
    force : bool
        Let ``out`` replace an existing file that is not a previous output of a sweep over
        the same axes (folders, devices, pipes and sockets are refused regardless).
    max_work : float
        Refuse (before anything runs) a sweep of more path-trades than this, summed over its
        cells (:func:`~ruin.sweep.cells.sweep_work`; exact cells count trades^2/10).
    notice : callable, optional
        Called once, before anything runs, with the number of cells and the sweep's work
        (the CLI prints them).
    _task : callable, optional
        The function each batch runs instead of :func:`~ruin.sweep.batch.run_batch` (same
        arguments; importable, so worker processes can unpickle it). Tests pass one that
        kills its worker once, as a machine failure would; the fault injection itself
        lives in the tests.

    Returns
    -------
    polars.DataFrame
        Axis columns, ``cell``, ``cell_id``, ``method``, ``seed``, ``paths``, ``trades``, then
        the flattened simulation outputs; sorted by ``cell``.

    Raises
    ------
    ParameterError
        For a malformed spec or an invalid combination (before anything runs:
        :func:`~ruin.sweep.cells.check_cells`; the rest as each batch is built), work above
        ``max_work``, bad options, an
        ``out`` that cannot be written or would destroy a file
        (:func:`~ruin.sweep.files.check_destination`), or an unreachable scheduler.
    """
    t0 = time.perf_counter()
    spec = load_spec(spec_or_path)
    if method is not None:
        spec = replace(spec, method=check_choice("method", method, METHODS))
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size, 1, 1_000_000)
    else:
        batch_size = spec.batch_size
    if workers is not None:
        workers = check_int("workers", workers, 1, 4096)
    if threads is not None:
        threads = check_int("threads", threads, 1, 4096)
    connect_timeout = check_number("connect_timeout", connect_timeout, 0.0, 3600.0, lo_incl=False)
    if out is not None:
        check_destination(os.fspath(out), list(spec.axes), force=force)
    out_path = Path(out) if out is not None else None
    parts = _parts_dir(out_path) if out_path is not None else None
    state = parts / _STATE_FILE if parts is not None else None

    sweep_seed = _sweep_seed(spec, state)
    # before anything runs: the combinations that can clash, and the work, from the axes
    check_cells(spec, sweep_seed)
    work = sweep_work(spec)
    limit = check_number("max_work", max_work, 1.0, None)
    check_work(
        work,
        limit,
        name="sweep work",
        got=f"{spec.n_cells:,} cells, {work:,.0f} path-trades",
        hint="Use fewer cells, paths or trades, or raise the limit with --max-work.",
    )
    if stats is not None:
        stats.update(cells=spec.n_cells, work=work)
    if notice is not None:
        notice(spec.n_cells, work)

    client, owned = None, False
    if scheduler is not None:
        client, owned = _connect(scheduler, connect_timeout)
    try:
        return _run_cells(
            spec,
            work,
            sweep_seed,
            client,
            workers,
            threads,
            batch_size,
            out_path,
            parts,
            state,
            progress,
            stats,
            t0,
            _task,
        )
    finally:
        if owned:
            client.close()


def _sweep_seed(spec: SweepSpec, state: Path | None) -> int:
    """The spec's seed; else 0 for replicates (a seed axis), a preset's seed, the seed an
    interrupted run saved in its parts folder, or a fresh one."""
    sweep_seed = spec.seed
    if sweep_seed is None and "seed" in spec.axes:
        sweep_seed = 0  # replicates: the seed axis values make the streams
    if sweep_seed is None and spec.kind == "account" and "scenario" in spec.base:
        try:
            sweep_seed = _resolve_preset(spec.base["scenario"], spec.folder).get("seed")
        except ParameterError as exc:
            raise ParameterError(
                _where(spec.source, f"[base] {exc.name}"), exc.allowed, exc.got, exc.hint
            ) from None
    if sweep_seed is None and state is not None and state.is_file():
        try:
            saved = json.loads(state.read_text())
            sweep_seed = saved.get("seed") if isinstance(saved, dict) else None
        except (OSError, ValueError):  # a torn state file: a fresh seed, the cells rerun
            sweep_seed = None
        if not isinstance(sweep_seed, int) or not 0 <= sweep_seed < 2**63:
            sweep_seed = None
    return resolve_seed(sweep_seed)


def _run_cells(
    spec,
    work,
    sweep_seed,
    client,
    workers,
    threads,
    batch_size,
    out_path,
    parts,
    state,
    progress,
    stats,
    t0,
    task,
) -> pl.DataFrame:
    n_cells = spec.n_cells
    if client is not None:
        n_exec = _dask_workers(client)
        cell_threads = threads or 1
    else:
        n_exec = workers or (_default_workers() if n_cells > POOL_MIN_CELLS else 1)
        cell_threads = threads or max(1, _default_workers() // n_exec)

    done: dict[str, int] = {}
    if out_path is not None and parts is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        done = _read_done(out_path, parts)
        sources = _sources(out_path, parts)  # read before the new parts and the new out
        parts.mkdir(exist_ok=True)
        state.write_text(json.dumps({"seed": sweep_seed, "name": spec.name}))  # type: ignore[union-attr]
    if batch_size is None:
        batch_size = batch_size_for(max(1, n_cells - len(done)), work / n_cells, n_exec)

    bar = _Progress(progress, n_cells, 0, spec.name or f"sweep {spec.source}")
    count = [0]
    ran = [0, 0]  # cells run, batches run
    moved: dict[str, int] = {}  # finished cells whose index changed (an axis gained values)
    frames: list[pl.DataFrame] = []

    def todo():
        skipped = 0
        for c in iter_cells(spec, sweep_seed):  # each cell built as its batch is formed
            index = done.pop(c.cell_id, None)
            if index is None:
                yield c
                continue
            if index != c.index:
                moved[c.cell_id] = c.index
            skipped += 1
            if skipped >= batch_size:
                count[0] += skipped
                bar.advance(0, count[0])
                skipped = 0
        count[0] += skipped

    def on_done(batch: list[Cell], rows: list[dict[str, Any]]) -> None:
        df = _rows_frame(rows)
        if parts is not None:
            name = f"part-{batch[0].index:09d}-{batch[0].cell_id[:8]}.parquet"
            _write_atomic(df, parts / name)
        else:
            frames.append(df)
        count[0] += len(batch)
        ran[0] += len(batch)
        ran[1] += 1
        bar.advance(len(batch), count[0])

    try:
        batches = iter_batches(todo(), batch_size)
        if client is not None:
            _run_dask(batches, client, cell_threads, on_done, task, workers=n_exec)
        else:
            _run_local(batches, n_exec, cell_threads, on_done, task)
    finally:
        bar.close()

    # what is left in ``done`` was not a cell of this sweep (a stale part)
    if out_path is not None and parts is not None:
        new_parts = sorted(set(_sources(out_path, parts)) - set(sources))
        df = _consolidate(spec, _scan(sources + new_parts), stale=done, moved=moved)
        _write_atomic(df, out_path)
        _remove_parts(parts)
    else:
        df = _consolidate(spec, frames)
    if stats is not None:
        stats.update(
            cells=n_cells,
            cells_run=ran[0],
            batches=ran[1],
            batch_size=min(batch_size, ran[0]),
            seconds=time.perf_counter() - t0,
            sweep_seed=sweep_seed,
            workers=n_exec,
            threads=cell_threads,
            executor="dask" if client is not None else "local",
        )
    return df
