"""Sweeps on real worker processes: a local process pool and a Dask LocalCluster.

Tiny cells keep these fast; the cost is starting the worker processes. Every cluster and
pool started here is shut down by the test that started it.
"""

import logging

import polars as pl
import pytest
from sweep_faults import dying_once

import ruin.sweep as sw

SPEC = {
    "base": {"trades": 30, "paths": 200, "seed": 21, "ruin_level": 0.5},
    "axes": {"win_rate": [0.4, 0.5], "risk": [0.05, 0.1, 0.2], "payoff": [1.0, 2.0]},
}


@pytest.fixture(scope="module")
def reference():
    return sw.run_sweep(SPEC, workers=1, progress=False, batch_size=3)


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as c:
        yield c


def assert_complete(df, reference):
    assert df.height == reference.height == 12
    assert df["cell"].to_list() == list(range(12))
    assert df["cell_id"].n_unique() == 12
    assert df.equals(reference)


def test_dask_localcluster_matches_local_processes(reference, cluster, tmp_path):
    out = tmp_path / "dask.parquet"
    stats = {}
    df = sw.run_sweep(
        SPEC,
        out=out,
        scheduler=cluster.scheduler_address,
        progress=False,
        batch_size=5,
        stats=stats,
    )
    assert stats["executor"] == "dask" and stats["workers"] == 2 and stats["batches"] == 3
    assert_complete(df, reference)
    assert pl.read_parquet(out).equals(reference)


def test_dask_worker_death_is_retried_without_holes_or_duplicates(reference, cluster, tmp_path):
    marker = tmp_path / "crashed-once"
    df = sw.run_sweep(
        SPEC,
        out=tmp_path / "r.parquet",
        scheduler=cluster.scheduler_address,
        progress=False,
        batch_size=2,
        _task=dying_once(str(marker)),
    )
    assert marker.exists()  # a worker process really died (os._exit) mid-sweep
    assert_complete(df, reference)


def test_dask_accepts_a_connected_client(reference, cluster):
    from distributed import Client

    with Client(cluster.scheduler_address, set_as_default=False) as client:
        df = sw.run_sweep(SPEC, scheduler=client, progress=False, batch_size=4)
        assert client.status == "running"  # the caller's client is left open
    assert_complete(df, reference)


def test_local_processes_match_one_process_even_when_a_worker_dies(reference, tmp_path):
    # one pool run covers both: the default executor gives the one-process table, and the
    # batch whose worker process died (os._exit) is rerun on a fresh pool
    marker = tmp_path / "crashed-once"
    out = tmp_path / "local.parquet"
    stats = {}
    df = sw.run_sweep(
        SPEC,
        out=out,
        workers=2,
        progress=False,
        batch_size=2,
        stats=stats,
        _task=dying_once(str(marker)),
    )
    assert marker.exists()
    assert stats["executor"] == "local" and stats["workers"] == 2 and stats["batches"] == 6
    assert_complete(df, reference)
    assert pl.read_parquet(out).equals(reference)
