"""Throughput of the leveraged price-path simulation (path-trades per second).

Run from the repository root::

    .venv/bin/python benchmarks/bench_market.py           # writes results/market.json
    .venv/bin/python benchmarks/bench_market.py --quick   # smaller sizes, prints only

Cases (all 10x long, stop 1%, take-profit 1.5%, win rate 0.45, 2.6% daily volatility,
fractional sizing at 1% risk, ruin at 50%):

* ``normal_continuous``: normal shocks, continuous monitoring, no time dimension: the exact
  two-barrier exit sampler (one 32-bit uniform per trade); with no costs every trade has
  the same result in R, so the account engine's Bernoulli kernel runs it.
* ``t_garch_jumps``: Student-t (4 df) daily shocks, daily GARCH(1,1) (0.10, 0.85), crash
  jumps at one a month of -10% (sd 5%): the one-position stepped kernel (steps adapted to each
  day's volatility, exact two-barrier exits inside each step at their first-passage times).
* ``venue_funding``: Hyperliquid BTC preset (fees, slippage, hourly funding), normal shocks:
  the same kernel on the hourly funding grid (funding needs the time dimension).

Each case is compiled and warmed first, then timed as the best of ``--repeat`` runs. The
count is nominal (paths x trades; ruined paths stop early; the cases are chosen so that ruin
is rare). Wall-clock rates depend on how many cores are free; the rate per CPU-second (process
CPU time over all threads) is the per-core throughput, which scales with the cores given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from pathlib import Path

from ruin.config import build_scenario
from ruin.simulate import simulate

BASE = {
    "leverage": 10,
    "stop": 0.01,
    "take_profit": 0.015,
    "win_rate": 0.45,
    "volatility": 0.026,
    "risk": 0.01,
    "ruin_level": 0.5,
    "seed": 1,
}
CASES = {
    "normal_continuous": {},
    "t_garch_jumps": {"tails": "t:4", "garch": "0.10,0.85", "jumps": "0.0333,-0.10,0.05"},
    "venue_funding": {"venue": "hyperliquid", "asset": "btc", "volatility": 0.026},
}


def _numba():
    """numba, imported after ruin (which sets the vector width before numba loads)."""
    import numba

    return numba


def run_case(name: str, paths: int, trades: int, repeat: int) -> dict:
    sc = build_scenario({**BASE, **CASES[name], "paths": paths, "trades": trades})
    small = build_scenario({**BASE, **CASES[name], "paths": 64, "trades": 20})
    simulate(small, record=0)  # compile / load the cached kernel
    best = float("inf")
    best_cpu = float("inf")
    res = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        c0 = time.process_time()
        res = simulate(sc, record=0)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    assert res is not None
    s = res.summary()
    taken = int(res.trades_taken.sum())
    return {
        "paths": paths,
        "trades": trades,
        "seconds": best,
        "path_trades_per_second": paths * trades / best,
        "cpu_seconds": best_cpu,
        "path_trades_per_cpu_second": paths * trades / best_cpu,
        "taken_trades_per_second": taken / best,
        "ruin_probability": s["ruin_probability"]["estimate"],
        "liquidation_per_trade": s["liquidation"]["per_trade"],
        "win_rate_realized": s["win_rate_realized"],
        "step_hours": s["step_hours"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    sizes = {
        "normal_continuous": [(10_000, 500), (100_000, 1_000)],
        "t_garch_jumps": [(10_000, 500)],
        "venue_funding": [(10_000, 500)],
    }
    if args.quick:
        sizes = {k: [(2_000, 200)] for k in sizes}
    out = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "numba_threads": _numba().get_num_threads(),
        "cases": {},
    }
    for name, sz in sizes.items():
        for paths, trades in sz:
            r = run_case(name, paths, trades, args.repeat)
            out["cases"][f"{name}/{paths}x{trades}"] = r
            print(
                f"{name:18s} {paths:>7,} x {trades:>5,}  {r['seconds']:7.3f} s  "
                f"{r['path_trades_per_second'] / 1e6:8.1f} M path-trades/s  "
                f"({r['path_trades_per_cpu_second'] / 1e6:6.1f} M per CPU-second)"
            )
    if not args.quick:
        path = Path(__file__).parent / "results" / "market.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(out, indent=2) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
