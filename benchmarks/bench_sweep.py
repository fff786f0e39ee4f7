"""Sweep scaling and per-cell overhead: local processes (1 and 2 workers) and Dask.

Run from the repository root::

    .venv/bin/python benchmarks/bench_sweep.py            # writes benchmarks/results/sweep.json
    .venv/bin/python benchmarks/bench_sweep.py --quick    # smaller grids, prints only

Measures
--------
* **Scaling**: the same sweep (identical cells of equal cost) on 1 local worker (in
  process), 2 local worker processes, and a Dask ``LocalCluster`` with 2 single-threaded
  worker processes; cells per second, and efficiency = rate / (workers x 1-worker rate).
  Every simulation runs on one numba thread so the workers are the only parallelism. The
  local pool starts its processes inside the timed call, so its fixed start-up cost (timed
  separately with a 2-cell sweep) is reported too, with the rate net of it; the Dask
  cluster is started and warmed before timing (a standing cluster).
* **Per-cell overhead**: a 10,000-cell sweep of cheap cells against the time the same
  cells take as plain ``simulate`` calls in a loop; overhead per cell =
  (workers x wall - simulation time) / cells: worker-seconds spent on anything but
  simulating (building scenarios, batching, pickling, Parquet parts, consolidation).

The results depend on the machine and on what else runs on it: the JSON records the CPU
count and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import tempfile
import time
from pathlib import Path

from ruin.config import build_scenario
from ruin.simulate import simulate
from ruin.sweep import expand_cells, load_spec, run_sweep


def scaling_spec(n_risk: int, n_win: int, paths: int, trades: int) -> dict:
    return {
        "name": "scaling",
        "base": {"trades": trades, "paths": paths, "seed": 1, "ruin_level": 0.5,
                 "sizing": "fixed"},  # fixed stakes: every path runs all N trades mostly
        "axes": {"risk": [round(0.001 + 0.0005 * i, 6) for i in range(n_risk)],
                 "win_rate": [round(0.45 + 0.1 * i / n_win, 6) for i in range(n_win)]},
    }


def timed_sweep(spec, **kw) -> tuple[float, dict, object]:
    stats: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        df = run_sweep(spec, out=Path(tmp) / "s.parquet", progress=False, threads=1,
                       stats=stats, **kw)
        wall = time.perf_counter() - t0
    return wall, stats, df


def simulation_seconds(spec) -> float:
    """Time the same cells as plain simulate() calls (one thread, in this process)."""
    s = load_spec(spec)
    cells = expand_cells(s, s.seed)
    scenarios = [build_scenario(c.flat) for c in cells]
    simulate(scenarios[0], record=0, threads=1)  # compiled / loaded
    t0 = time.perf_counter()
    for sc in scenarios:
        simulate(sc, record=0, threads=1).summary()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small grids; print, don't save")
    ap.add_argument("--out", default="benchmarks/results/sweep.json")
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    load_before = os.getloadavg()
    results: dict = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(), "load_avg_before": load_before},
    }
    n_risk, n_win = (8, 5) if args.quick else (16, 10)
    spec = scaling_spec(n_risk, n_win, paths=10_000, trades=250)
    n_cells = n_risk * n_win
    # warm this process's kernels
    run_sweep(scaling_spec(1, 1, 10, 10), workers=1, progress=False, threads=1)

    sim_s = simulation_seconds(spec)
    runs = {}
    wall1, st1, df1 = timed_sweep(spec, workers=1)
    runs["local_1_worker"] = {"workers": 1, "wall_s": wall1, "batches": st1["batches"]}

    startup, _, _ = timed_sweep(scaling_spec(2, 1, 10, 10), workers=2, batch_size=1)
    wall2, st2, df2 = timed_sweep(spec, workers=2)
    runs["local_2_workers"] = {"workers": 2, "wall_s": wall2, "batches": st2["batches"],
                               "pool_startup_s": startup,
                               "wall_net_of_startup_s": max(wall2 - startup, 1e-9)}

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster, set_as_default=False) as client:
        run_sweep(scaling_spec(2, 2, 10, 10), scheduler=client, progress=False, threads=1,
                  batch_size=1)  # workers import ruin and load the kernels
        wall_d, st_d, df_d = timed_sweep(spec, scheduler=client)
    runs["dask_localcluster_2_workers"] = {"workers": 2, "wall_s": wall_d,
                                           "batches": st_d["batches"]}
    assert df1.equals(df2) and df1.equals(df_d), "executors disagree"

    rate1 = n_cells / wall1
    for r in runs.values():
        r["cells_per_s"] = n_cells / r["wall_s"]
        r["efficiency"] = r["cells_per_s"] / (r["workers"] * rate1)
        if "wall_net_of_startup_s" in r:
            r["cells_per_s_net_of_startup"] = n_cells / r["wall_net_of_startup_s"]
            r["efficiency_net_of_startup"] = r["cells_per_s_net_of_startup"] / (
                r["workers"] * rate1)
    results["scaling"] = {
        "cells": n_cells, "paths_per_cell": 10_000, "trades_per_cell": 250,
        "simulation_s_serial": sim_s, "runs": runs, "identical_tables": True,
    }

    # per-cell overhead: many cheap cells
    n_ov = (40, 50) if args.quick else (100, 100)
    cheap = scaling_spec(*n_ov, paths=500, trades=100)
    cheap["base"]["sizing"] = "fractional"
    n_cheap = n_ov[0] * n_ov[1]
    sim_cheap = simulation_seconds(cheap)
    over = {}
    wall_c1, st_c1, _ = timed_sweep(cheap, workers=1)
    over["local_1_worker"] = (1, wall_c1, st_c1)
    wall_c2, st_c2, _ = timed_sweep(cheap, workers=2)
    over["local_2_workers"] = (2, wall_c2, st_c2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster, set_as_default=False) as client:
        run_sweep(scaling_spec(2, 2, 10, 10), scheduler=client, progress=False, threads=1,
                  batch_size=1)
        wall_cd, st_cd, _ = timed_sweep(cheap, scheduler=client)
    over["dask_localcluster_2_workers"] = (2, wall_cd, st_cd)
    results["overhead"] = {
        "cells": n_cheap, "paths_per_cell": 500, "trades_per_cell": 100,
        "simulation_s_serial": sim_cheap,
        "simulation_ms_per_cell": 1e3 * sim_cheap / n_cheap,
        "runs": {
            k: {"workers": w, "wall_s": wall, "batches": st["batches"],
                "batch_size": st["batch_size"], "cells_per_s": n_cheap / wall,
                "overhead_ms_per_cell": 1e3 * (w * wall - sim_cheap) / n_cheap,
                "simulation_share_of_worker_time": sim_cheap / (w * wall)}
            for k, (w, wall, st) in over.items()
        },
    }
    net = max(wall_c2 - startup, 1e-9)
    results["overhead"]["runs"]["local_2_workers"].update(
        pool_startup_s=startup, wall_net_of_startup_s=net,
        overhead_ms_per_cell_net_of_startup=1e3 * (2 * net - sim_cheap) / n_cheap)
    results["machine"]["load_avg_after"] = os.getloadavg()
    text = json.dumps(results, indent=2)
    print(text)
    if not args.quick:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
