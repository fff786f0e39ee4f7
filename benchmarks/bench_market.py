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
* ``wide_t_garch_jumps``: the wide, common case: stop 2%, take-profit 4%, 3.5% daily
  volatility, with the t:4 + GARCH + jumps of ``t_garch_jumps`` (trades last longer: more
  days crossed and more steps per trade).

``naive_wide``: a naive numpy price-path baseline of the wide case in the same process:
vectorised over paths, fixed 15-minute steps, each path walking its own trades; Student-t
(4 df, unit variance) shocks with the daily GARCH(1,1) variance updated at each day's end,
Poisson crash jumps, exits at the stop (or the gapped price below it), the take-profit, or
liquidation, checked at the end of each step; fractional sizing, ruin at 50%. It is timed
the same way (whole runs, best of ``--repeat``, CPU seconds) and compared per CPU-second.

Each case is compiled and warmed first, then timed as the best of ``--repeat`` runs. The
count is nominal (paths x trades; ruined paths stop early; the cases are chosen so that ruin
is rare). Wall-clock rates depend on how many cores are free; the rate per CPU-second (process
CPU time over all threads) is the per-core throughput, which scales with the cores given.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from ruin import warmup
from ruin.config import build_scenario
from ruin.market.liquidation import liquidation_ratio
from ruin.simulate import simulate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _meta import finish, machine, stats  # noqa: E402

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
    "wide_t_garch_jumps": {
        "stop": 0.02,
        "take_profit": 0.04,
        "volatility": 0.035,
        "tails": "t:4",
        "garch": "0.10,0.85",
        "jumps": "0.0333,-0.10,0.05",
    },
}
NAIVE_STEPS_PER_DAY = 96  # 15-minute steps


def _numba():
    """numba, imported after ruin (which sets the vector width before numba loads)."""
    import numba

    return numba


def run_case(name: str, paths: int, trades: int, repeat: int) -> dict:
    sc = build_scenario({**BASE, **CASES[name], "paths": paths, "trades": trades})
    small = build_scenario({**BASE, **CASES[name], "paths": 64, "trades": 20})
    for step in warmup.steps(small, fast=True):
        step()  # compile / load the kernels (the engine's 16 lanes included)
    simulate(small, record=0)
    walls, cpus, res = [], [], None
    for _ in range(repeat):  # whole simulate() calls
        t0 = time.perf_counter()
        c0 = time.process_time()
        res = simulate(sc, record=0)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    assert res is not None
    best, best_cpu = min(walls), min(cpus)
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
        "wall": stats(walls),
        "cpu": stats(cpus),
        "ruin_probability": s["ruin_probability"]["estimate"],
        "liquidation_per_trade": s["liquidation"]["per_trade"],
        "win_rate_realized": s["win_rate_realized"],
        "step_hours": s["step_hours"],
    }


def naive_wide(paths: int, trades: int, seed: int) -> dict:
    """The naive numpy price-path model of the wide case (see the module docstring)."""
    sc = build_scenario({**BASE, **CASES["wide_t_garch_jumps"], "paths": 1, "trades": 1})
    mk = sc.market
    rng = np.random.default_rng(seed)
    dt_day = 1.0 / NAIVE_STEPS_PER_DAY
    df = float(mk.tails_df)
    t_scale = math.sqrt((df - 2.0) / df)
    alpha, beta = mk.garch
    var0 = mk.volatility**2
    omega = var0 * (1.0 - alpha - beta)
    nu = mk.nu
    down, up = mk.barriers  # log distances to stop and take-profit
    u_liq = liquidation_ratio(mk.leverage, mk.mmr, side=mk.side)
    y_liq = math.log(u_liq)  # long: below entry
    risk, ruin_x = sc.sizing.risk, sc.account.ruin_level
    p_jump = mk.jump_rate * dt_day
    y = np.zeros(paths)  # log price relative to this trade's entry
    h = np.full(paths, var0)  # today's variance
    day_ret = np.zeros(paths)
    equity = np.ones(paths)
    done = np.zeros(paths, np.int64)  # trades finished
    alive = np.ones(paths, bool)
    ruined = np.zeros(paths, bool)
    step = 0
    while alive.any():
        idx = np.flatnonzero(alive)
        n = idx.size
        z = rng.standard_t(df, n) * t_scale
        r = nu * dt_day + np.sqrt(h[idx] * dt_day) * z
        jumps = rng.random(n) < p_jump
        if jumps.any():
            r[jumps] += rng.normal(mk.jump_mean, mk.jump_sd, int(jumps.sum()))
        y[idx] += r
        day_ret[idx] += r
        yi = y[idx]
        liq = yi <= y_liq
        stop = (yi <= -down) & ~liq
        tp = yi >= up
        out = liq | stop | tp
        if out.any():
            # R of the exit: the stop or the gapped price below it (-1 R or worse),
            # the take-profit, or the whole isolated margin at liquidation.
            move = np.where(tp, math.expm1(up), np.where(liq, -1.0 / mk.leverage, np.expm1(yi)))
            move = np.where(stop, np.minimum(move, -mk.stop), move)
            rr = move / mk.stop
            j = idx[out]
            equity[j] *= np.maximum(1.0 + risk * rr[out], 0.0)
            done[j] += 1
            y[j] = 0.0
            broke = equity[j] <= ruin_x
            ruined[j[broke]] = True
            alive[j[broke | (done[j] >= trades)]] = False
        step += 1
        if step % NAIVE_STEPS_PER_DAY == 0:  # end of day: GARCH update on the day's return
            h = omega + alpha * day_ret**2 + beta * h
            day_ret[:] = 0.0
    return {"ruin_probability": float(ruined.mean()), "steps": step}


def run_naive(paths: int, trades: int, repeat: int) -> dict:
    walls, cpus, out = [], [], {}
    for i in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = naive_wide(paths, trades, seed=11 + i)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return {
        "paths": paths,
        "trades": trades,
        "steps_per_day": NAIVE_STEPS_PER_DAY,
        "seconds": min(walls),
        "cpu_seconds": min(cpus),
        "path_trades_per_second": paths * trades / min(walls),
        "path_trades_per_cpu_second": paths * trades / min(cpus),
        "wall": stats(walls),
        "cpu": stats(cpus),
        **out,
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
        "wide_t_garch_jumps": [(10_000, 500)],
    }
    naive_size = (10_000, 50)
    if args.quick:
        sizes = {k: [(2_000, 200)] for k in sizes}
        naive_size = (2_000, 20)
    info = machine()
    out = {
        "date": info["date"],
        "meta": info,
        "method": "whole simulate() calls, every repeat stored; best of the repeats quoted; "
        "rates are nominal paths x trades per wall second and per CPU-second (all threads)",
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
    nv = run_naive(*naive_size, args.repeat)
    out["naive_wide"] = nv
    wide = out["cases"]["wide_t_garch_jumps/" + "x".join(map(str, sizes["wide_t_garch_jumps"][0]))]
    out["wide_over_naive_per_cpu_second"] = (
        wide["path_trades_per_cpu_second"] / nv["path_trades_per_cpu_second"]
    )
    print(
        f"naive numpy wide {nv['paths']:>7,} x {nv['trades']:>5,}  {nv['seconds']:7.3f} s  "
        f"{nv['path_trades_per_cpu_second'] / 1e6:8.3f} M per CPU-second; engine / naive per "
        f"CPU-second: {out['wide_over_naive_per_cpu_second']:.0f}x (ruin: engine "
        f"{wide['ruin_probability']:.4f}, naive {nv['ruin_probability']:.4f})"
    )
    finish(info)
    if not args.quick:
        path = Path(__file__).parent / "results" / "market.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(out, indent=2) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
