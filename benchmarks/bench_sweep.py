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
* **Per-cell overhead**: a 10,000-cell sweep of cheap cells (500 paths x 100 trades)
  against the same cells as plain ``simulate(...).summary()`` calls in a loop, in CPU
  seconds (robust on a shared machine, where wall time depends on the neighbours):
  overhead per cell = (CPU of the sweep in every process involved - CPU of the plain loop)
  / cells, the local pool's fixed start-up CPU excluded. It covers building and validating
  scenarios, batching, pickling, the Dask scheduler and workers' bookkeeping, Parquet part
  files and consolidation.

Wall times are the best of ``--repeat`` interleaved runs per configuration.
The results depend on the machine and on what else runs on it: the JSON records the CPU
count and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

from distributed import Client, LocalCluster

from ruin.config import build_scenario
from ruin.simulate import simulate
from ruin.sweep import expand_cells, load_spec, run_sweep

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _meta import finish, machine, stats  # noqa: E402


def scaling_spec(n_risk: int, n_win: int, paths: int, trades: int) -> dict:
    return {
        "name": "scaling",
        "base": {
            "trades": trades,
            "paths": paths,
            "seed": 1,
            "ruin_level": 0.5,
            "sizing": "fixed",
        },  # fixed stakes: every path runs all N trades mostly
        "axes": {
            "risk": [round(0.001 + 0.0005 * i, 6) for i in range(n_risk)],
            "win_rate": [round(0.45 + 0.1 * i / n_win, 6) for i in range(n_win)],
        },
    }


class Meter:
    """Wall and CPU seconds of a block: this process, its reaped children (local pool
    workers) and, given a Dask client, the cluster's worker processes."""

    def __init__(self, client=None) -> None:
        self.client = client

    def _cpu(self) -> float:
        me = time.process_time()
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = me + kids.ru_utime + kids.ru_stime
        if self.client is not None:
            cpu += sum(self.client.run(time.process_time).values())
        return cpu

    def __enter__(self):
        self.t0, self.c0 = time.perf_counter(), self._cpu()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.t0
        self.cpu = self._cpu() - self.c0


def timed_sweep(spec, client=None, **kw) -> tuple[Meter, dict, object]:
    stats: dict = {}
    with tempfile.TemporaryDirectory() as tmp, Meter(client) as m:
        df = run_sweep(
            spec,
            out=Path(tmp) / "s.parquet",
            progress=False,
            threads=1,
            stats=stats,
            scheduler=client,
            **kw,
        )
    return m, stats, df


def simulation_seconds(spec) -> tuple[float, float]:
    """Wall and CPU seconds of the same cells as plain simulate() calls in this process."""
    s = load_spec(spec)
    cells = expand_cells(s, s.seed)
    scenarios = [build_scenario(c.flat) for c in cells]
    simulate(scenarios[0], record=0, threads=1)  # compiled / loaded
    with Meter() as m:
        for sc in scenarios:
            simulate(sc, record=0, threads=1).summary()
    return m.wall, m.cpu


def tiny(spec: dict) -> dict:
    """Two cells of ``spec`` (same model and sizing, so the same compiled kernel)."""
    axes = {k: v[:2] if i == 0 else v[:1] for i, (k, v) in enumerate(spec["axes"].items())}
    return {**spec, "axes": axes, "base": {**spec["base"], "paths": 10}}


def warm(spec: dict, client) -> Meter:
    """Load the kernel for ``spec`` in this process and the Dask workers; time a local pool
    start (spawn, import, kernel load in 2 processes) on the same model."""
    run_sweep(tiny(spec), workers=1, progress=False, threads=1)
    run_sweep(tiny(spec), scheduler=client, progress=False, threads=1, batch_size=1)
    return min(
        (timed_sweep(tiny(spec), workers=2, batch_size=1)[0] for _ in range(2)),
        key=lambda m: m.wall,
    )


def engine_stamp() -> str:
    """Digest of the package's sources (the numba cache's own check): the code timed did
    not change during the run."""
    from ruin._numba_cache import sources_digest

    return sources_digest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small grids; print, don't save")
    ap.add_argument("--repeat", type=int, default=3, help="timed repeats (best is kept)")
    ap.add_argument("--out", default="benchmarks/results/sweep.json")
    args = ap.parse_args()

    from ruin import warmup

    for fractional in (True, False):  # the 16-lane kernel, compiled once into the disk cache
        warmup.lanes_step(fractional)()
    stamp0 = engine_stamp()
    info = machine()
    results: dict = {
        "meta": info,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_avg_before": os.getloadavg(),
        },
        "method": "best of --repeat wall times per configuration (runs interleaved); CPU "
        "seconds summed over this process, local pool children and Dask workers",
    }
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster, set_as_default=False)
    try:
        # --- scaling ------------------------------------------------------------------
        n_risk, n_win = (8, 5) if args.quick else (16, 10)
        spec = scaling_spec(n_risk, n_win, paths=10_000, trades=250)
        startup = warm(spec, client)
        results["local_pool_startup"] = {"wall_s": startup.wall, "cpu_s": startup.cpu}
        n_cells = n_risk * n_win
        sim_wall, sim_cpu = simulation_seconds(spec)
        configs = {
            "local_default": (1, {}),  # run_sweep's default (one process for small sweeps)
            "local_1_worker": (1, {"workers": 1}),
            "local_2_workers": (2, {"workers": 2}),
            "dask_localcluster_2_workers": (2, {"client": client}),
        }
        best: dict = {}
        every: dict = {name: {"wall": [], "cpu": []} for name in configs}
        tables = []
        for _ in range(args.repeat):
            for name, (_w, kw) in configs.items():
                m, st, df = timed_sweep(spec, **kw)
                tables.append(df)
                every[name]["wall"].append(m.wall)
                every[name]["cpu"].append(m.cpu)
                if name not in best or m.wall < best[name][0].wall:
                    best[name] = (m, st)
        assert all(t.equals(tables[0]) for t in tables), "executors disagree"
        rate1 = n_cells / best["local_1_worker"][0].wall
        runs = {}
        for name, (w, _kw) in configs.items():
            m, st = best[name]
            r = {
                "workers": w,
                "wall_s": m.wall,
                "cpu_s": m.cpu,
                "batches": st["batches"],
                "cells_per_s": n_cells / m.wall,
                "efficiency": n_cells / m.wall / (w * rate1),
                "wall": stats(every[name]["wall"]),
                "cpu": stats(every[name]["cpu"]),
            }
            fixed_cpu = 0.0
            if name == "local_2_workers":
                net = max(m.wall - startup.wall, 1e-9)
                fixed_cpu = startup.cpu
                r.update(
                    wall_net_of_startup_s=net,
                    cells_per_s_net_of_startup=n_cells / net,
                    efficiency_net_of_startup=n_cells / net / (w * rate1),
                )
            # work efficiency: CPU the 1-worker run needed / CPU this run needed
            r["cpu_efficiency"] = best["local_1_worker"][0].cpu / (m.cpu - fixed_cpu)
            runs[name] = r
        results["scaling"] = {
            "cells": n_cells,
            "paths_per_cell": 10_000,
            "trades_per_cell": 250,
            "simulation_wall_s_serial": sim_wall,
            "simulation_cpu_s_serial": sim_cpu,
            "runs": runs,
            "identical_tables": True,
        }

        # --- per-cell overhead: many cheap cells ----------------------------------------
        n_ov = (40, 50) if args.quick else (100, 100)
        cheap = scaling_spec(*n_ov, paths=500, trades=100)
        cheap["base"]["sizing"] = "fractional"
        n_cheap = n_ov[0] * n_ov[1]
        startup = warm(cheap, client)
        results["local_pool_startup_cheap_cells"] = {"wall_s": startup.wall, "cpu_s": startup.cpu}
        sim_wall_c, sim_cpu_c = simulation_seconds(cheap)
        over = {}
        for name, (w, kw) in configs.items():
            m, st, _ = timed_sweep(cheap, **kw)
            fixed = startup.cpu if name == "local_2_workers" else 0.0
            over[name] = {
                "workers": w,
                "wall_s": m.wall,
                "cpu_s": m.cpu,
                "batches": st["batches"],
                "batch_size": st["batch_size"],
                "cells_per_s": n_cheap / m.wall,
                "overhead_cpu_ms_per_cell": 1e3 * (m.cpu - fixed - sim_cpu_c) / n_cheap,
                "simulation_share_of_cpu": sim_cpu_c / m.cpu,
            }
            if fixed:
                over[name]["pool_startup_cpu_s_excluded"] = fixed
        results["overhead"] = {
            "cells": n_cheap,
            "paths_per_cell": 500,
            "trades_per_cell": 100,
            "simulation_wall_s_serial": sim_wall_c,
            "simulation_cpu_s_serial": sim_cpu_c,
            "simulation_cpu_ms_per_cell": 1e3 * sim_cpu_c / n_cheap,
            "runs": over,
        }
    finally:
        client.close()
        cluster.close()
    results["machine"]["load_avg_after"] = os.getloadavg()
    finish(info)
    results["engine_unchanged_during_run"] = engine_stamp() == stamp0
    text = json.dumps(results, indent=2)
    print(text)
    if not args.quick:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
