"""Executors: batches on local worker processes or on a Dask distributed cluster."""

from __future__ import annotations

import gc
import hashlib
import itertools
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

from ..errors import ParameterError
from .batch import run_batch
from .cells import Cell

CONNECT_TIMEOUT = 5.0


def _default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _payload(batch: Sequence[Cell]) -> list[tuple[int, str, str, dict[str, Any], str]]:
    return [(c.index, c.cell_id, c.method, c.flat, c.kind) for c in batch]


#: Batches submitted ahead per worker: enough to keep every worker busy, few enough that a
#: sweep of millions of cells never holds more than a handful of batches in memory.
IN_FLIGHT_PER_WORKER = 2


def _run_local(batches, workers, threads, on_done, task=None) -> None:
    """Run ``batches`` (an iterable, consumed as workers free up) on local processes."""
    batches = iter(batches)
    if workers == 1 and task is None:
        for b in batches:
            on_done(b, run_batch(_payload(b), threads=threads))
        return
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    limit = IN_FLIGHT_PER_WORKER * workers
    retry: list[list[Cell]] = []  # submitted to a pool that broke: run again, first
    restarts = 0
    while True:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"))
        futs: dict[Any, list[Cell]] = {}
        broken = False
        try:
            while True:
                while len(futs) < limit:
                    b = retry.pop(0) if retry else next(batches, None)
                    if b is None:
                        break
                    futs[pool.submit(task or run_batch, _payload(b), threads=threads)] = b
                if not futs:
                    return
                done, _ = wait(futs, return_when=FIRST_COMPLETED)
                for f in sorted(done, key=lambda f: futs[f][0].index):
                    b = futs.pop(f)
                    try:
                        rows = f.result()
                    except BrokenProcessPool:
                        broken = True
                        retry.append(b)
                        continue
                    on_done(b, rows)
                if broken:
                    retry.extend(futs.values())
                    retry.sort(key=lambda b: b[0].index)
                    break
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        restarts += 1
        if restarts > 3:
            raise RuntimeError("local sweep workers died repeatedly; giving up")


_ADDRESS_HELP = "a reachable Dask scheduler address like tcp://127.0.0.1:8786"


def _probe(address: str, timeout: float) -> None:
    """Fail fast, without a Dask client, when ``address`` is malformed or nobody listens."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme not in ("tcp", "tls"):
        return  # other transports: let Dask try
    host, colon, port = rest.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ParameterError(
            "scheduler", _ADDRESS_HELP, address, "Give host and port, e.g. tcp://10.0.0.5:8786."
        )
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise ParameterError(
            "scheduler",
            _ADDRESS_HELP,
            address,
            f"Could not connect within {timeout:g} s ({reason}). Start one with "
            "`dask scheduler` and `dask worker ADDRESS`.",
        ) from None


def _connect(scheduler: Any, timeout: float):
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler, False
    address = str(scheduler)
    _probe(address, timeout)
    failure = None
    try:
        client = Client(address, timeout=f"{timeout}s", set_as_default=False)
    except Exception as exc:  # something listens there, but it is not a Dask scheduler
        # (its reply read as a Dask message can ask for exabytes: "Unable to allocate 3.07
        # EiB" says nothing about the real problem, so only the kind of failure is named)
        failure = f"something answers there but not as a Dask scheduler: {type(exc).__name__}"
    if failure is not None:
        # the half-built client closes itself when collected; keep its noise off the screen
        hook = sys.unraisablehook
        sys.unraisablehook = lambda _unraisable: None
        try:
            gc.collect()
        finally:
            sys.unraisablehook = hook
        raise ParameterError(
            "scheduler",
            _ADDRESS_HELP,
            address,
            f"Could not connect within {timeout:g} s ({failure}). Start one with "
            "`dask scheduler` and `dask worker ADDRESS`.",
        )
    return client, True


def _run_dask(batches, client, threads, on_done, task=None, workers=1) -> None:
    """Submit ``batches`` (an iterable, consumed as tasks finish) to a Dask cluster, with at
    most :data:`IN_FLIGHT_PER_WORKER` tasks per worker thread waiting or running."""
    from distributed import as_completed

    batches = iter(batches)
    futs: dict[str, tuple[Any, list[Cell]]] = {}
    queue = as_completed(loop=client.loop)

    def submit(b: list[Cell]) -> None:
        key = (
            "ruin-sweep-" + hashlib.sha256("".join(c.cell_id for c in b).encode()).hexdigest()[:24]
        )
        fut = client.submit(
            task or run_batch, _payload(b), threads=threads, key=key, retries=3, pure=False
        )
        futs[fut.key] = (fut, b)
        queue.add(fut)

    try:
        for b in itertools.islice(batches, IN_FLIGHT_PER_WORKER * max(1, workers)):
            submit(b)
        for fut in queue:
            _, b = futs.pop(fut.key)
            on_done(b, fut.result())
            fut.release()
            nxt = next(batches, None)
            if nxt is not None:
                submit(nxt)
    finally:
        for fut, _ in futs.values():  # interrupted: cancel what has not run (a no-op when done)
            fut.cancel()


def _dask_workers(client: Any) -> int:
    try:
        info = client.scheduler_info(n_workers=-1)
    except TypeError:  # older signature without n_workers
        info = client.scheduler_info()
    return max(1, sum(int(w.get("nthreads", 1)) for w in info["workers"].values()))
