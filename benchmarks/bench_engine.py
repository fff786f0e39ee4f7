"""Throughput and memory of the compiled account engine against a naive numpy baseline.

Run from the repository root::

    .venv/bin/python benchmarks/bench_engine.py           # full run, writes results/engine.json
    .venv/bin/python benchmarks/bench_engine.py --quick   # smoke test (small sizes, no file)

Model (both implementations): Bernoulli trades (win 0.45, payoff 1.5 R), fractional sizing
at 2% risk, ruin at 50% of start, tracking ruin, maximum drawdown and the longest losing
streak. The naive baseline is the textbook numpy version: a paths x trades matrix of
uniforms -> outcomes -> log equity by ``cumsum`` -> running peak by
``np.maximum.accumulate`` -> first crossing of the ruin level -> drawdown and streaks with
everything after ruin masked, run in chunks of paths in this same process. The engine is
``ruin.simulate`` (numba, one pass per path, random numbers drawn inside, per-path results
only). Both use different random streams, so they are compared statistically: the ruin
probabilities must agree within 4 combined standard errors.

Throughput is counted in path-trades per second with the nominal count (paths x trades) for
both sides, so the ratio is like for like. Peak memory: ``tracemalloc`` peak of the numpy
allocations made by each side, and the process's peak resident set (``ru_maxrss``, which
includes the interpreter, numpy and numba themselves).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from ruin import Account, Bernoulli, Scenario, Sizing, simulate, warmup

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _meta import finish, machine, stats  # noqa: E402

WIN, PAYOFF, RISK, RUIN = 0.45, 1.5, 0.02, 0.5
RESULTS = Path(__file__).resolve().parent / "results" / "engine.json"


def _numba():
    """numba, imported after ruin (which sets the vector width before numba loads)."""
    import numba

    return numba


def scenario(paths: int, trades: int, seed: int) -> Scenario:
    return Scenario(
        model=Bernoulli(win_rate=WIN, payoff=PAYOFF),
        sizing=Sizing(risk=RISK, rule="fractional"),
        account=Account(trades=trades, ruin_level=RUIN),
        paths=paths,
        seed=seed,
    )


def naive_chunk(rng: np.random.Generator, paths: int, trades: int) -> dict[str, np.ndarray]:
    """The full-matrix numpy implementation of the same model for ``paths`` paths."""
    return naive_from_wins(rng.random((paths, trades)) < WIN)


def naive_from_wins(win: np.ndarray) -> dict[str, np.ndarray]:
    """Per-path results of the naive implementation for a paths x trades matrix of wins."""
    paths, trades = win.shape
    step = np.where(win, math.log1p(RISK * PAYOFF), math.log1p(-RISK))
    x = np.cumsum(step, axis=1)  # log equity after each trade
    peak = np.maximum(np.maximum.accumulate(x, axis=1), 0.0)  # start counts as a peak
    crossed = x <= math.log(RUIN) + 1e-9 * max(1.0, abs(math.log(RUIN)))
    ruined = crossed.any(axis=1)
    t_ruin = np.where(ruined, crossed.argmax(axis=1), trades - 1)  # last trade taken (0-based)
    idx = np.arange(trades)
    live = idx[None, :] <= t_ruin[:, None]  # trades actually taken
    mdd = 1.0 - np.exp(-np.max(np.where(live, peak - x, 0.0), axis=1))
    loss = ~win
    last_non_loss = np.maximum.accumulate(np.where(loss, -1, idx[None, :]), axis=1)
    streak = np.where(live, idx[None, :] - last_non_loss, 0)
    final = np.exp(x[np.arange(paths), t_ruin])
    return {
        "ruin_trade": np.where(ruined, t_ruin + 1, -1),
        "max_drawdown": mdd,
        "longest_losing_streak": streak.max(axis=1),
        "final_equity": final,
    }


def naive(paths: int, trades: int, seed: int, chunk: int) -> tuple[dict[str, np.ndarray], float]:
    """Run the naive model in chunks; returns (results, wall seconds, CPU seconds)."""
    rng = np.random.default_rng(seed)
    parts = []
    c0, t0 = time.process_time(), time.perf_counter()
    for start in range(0, paths, chunk):
        parts.append(naive_chunk(rng, min(chunk, paths - start), trades))
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}, elapsed, cpu


def engine(paths: int, trades: int, seed: int, threads: int | None, repeat: int = 1):
    """Best of ``repeat`` whole ``simulate`` calls (timed like the baseline: the whole call);
    returns (result, best wall seconds, best CPU seconds, every (wall, CPU) repeat)."""
    res, runs = None, []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        res = simulate(scenario(paths, trades, seed), record=0, threads=threads)
        runs.append((time.perf_counter() - t0, time.process_time() - c0))
    return res, min(w for w, _ in runs), min(c for _, c in runs), runs


def naive_best(paths: int, trades: int, seed: int, chunk: int, repeat: int):
    """Best of ``repeat`` naive runs, as :func:`engine`."""
    out, runs = None, []
    for _ in range(repeat):
        out, wall, cpu = naive(paths, trades, seed, chunk)
        runs.append((wall, cpu))
    return out, min(w for w, _ in runs), min(c for _, c in runs), runs


def traced(fn, *args, **kw):
    """Run ``fn`` under tracemalloc; returns (result, peak traced bytes)."""
    tracemalloc.start()
    try:
        out = fn(*args, **kw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return out, peak


def agree(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float, bool]:
    """Difference of two proportions, its standard error, and |diff| <= 4 SE (pooled)."""
    p = (k1 + k2) / (n1 + n2)
    se = math.sqrt(max(p * (1 - p), 1.0 / (n1 + n2)) * (1 / n1 + 1 / n2))
    d = k1 / n1 - k2 / n2
    return d, se, abs(d) <= 4 * se


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover
        pass
    return platform.processor() or "unknown"


def run(quick: bool, seed: int = 2024) -> dict:
    trades = 200 if quick else 1000
    cmp_paths = 20_000 if quick else 100_000
    big_paths = 50_000 if quick else 1_000_000
    chunk = 2_000
    threads = _numba().get_num_threads()

    info = machine()
    repeat = 1 if quick else 3
    for step in warmup.steps(scenario(100, trades, seed), fast=True):
        step()  # compile / load the kernels (the 16-lane kernel included) before timing
    engine(100, trades, seed, None)
    rss0 = maxrss_mib()
    load0 = os.getloadavg()[0]
    (big, t_big, c_big, big_runs), eng_bytes = traced(engine, big_paths, trades, seed, None, repeat)
    rss_engine = maxrss_mib()
    (cmp_res, t_eng, c_eng, eng_runs), _ = traced(engine, cmp_paths, trades, seed + 1, None, repeat)
    _, t_eng1, c_eng1, eng1_runs = engine(cmp_paths, trades, seed + 1, 1, repeat)
    (nv, t_naive, c_naive, naive_runs), naive_bytes = traced(
        naive_best, cmp_paths, trades, seed + 2, chunk, repeat
    )

    nominal = cmp_paths * trades
    k_e = int(np.count_nonzero(cmp_res.ruin_trade > 0))
    k_n = int(np.count_nonzero(nv["ruin_trade"] > 0))
    d, se, ok = agree(k_e, cmp_paths, k_n, cmp_paths)
    out = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "meta": finish(info),
        "method": "whole simulate() calls and whole naive runs, best of the repeats for both; "
        "ratios per CPU-second, and engine on one thread against the one-thread baseline",
        "repeats": {
            name: {"wall": stats([w for w, _ in rr]), "cpu": stats([c for _, c in rr])}
            for name, rr in (
                ("engine_big", big_runs),
                ("engine_compare", eng_runs),
                ("engine_compare_1thread", eng1_runs),
                ("naive_compare", naive_runs),
            )
        },
        "ratio_engine_1thread_over_naive": t_naive / t_eng1,
        "ratio_engine_1thread_over_naive_per_cpu_second": c_naive / c_eng1,
        "machine": {
            "cpu": cpu_name(),
            "cpus_available": len(os.sched_getaffinity(0)),
            "numba_threads": threads,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "numba": _numba().__version__,
            "load_average_1min_start": load0,
            "load_average_1min_end": os.getloadavg()[0],
        },
        "quick": quick,
        "model": {
            "win_rate": WIN,
            "payoff": PAYOFF,
            "risk": RISK,
            "ruin_level": RUIN,
            "sizing": "fractional",
        },
        "trades": trades,
        "compare_paths": cmp_paths,
        "naive_chunk_paths": chunk,
        "naive_seconds": t_naive,
        "naive_path_trades_per_s": nominal / t_naive,
        "engine_seconds": t_eng,
        "engine_path_trades_per_s": nominal / t_eng,
        "engine_1thread_path_trades_per_s": nominal / t_eng1,
        "ratio_engine_over_naive": t_naive / t_eng,
        "naive_cpu_seconds": c_naive,
        "engine_cpu_seconds": c_eng,
        "engine_1thread_cpu_seconds": c_eng1,
        "naive_path_trades_per_cpu_s": nominal / c_naive,
        "engine_path_trades_per_cpu_s": nominal / c_eng,
        "ratio_per_cpu_second": c_naive / c_eng,
        "big_paths": big_paths,
        "big_engine_wall_seconds": t_big,
        "big_engine_path_trades_per_s": big_paths * trades / t_big,
        "big_engine_cpu_seconds": c_big,
        "big_engine_wall_on_free_cores_estimate": c_big / max(1, threads),
        "big_ruin_probability": big.ruin.estimate,
        "engine_traced_peak_mib": eng_bytes / 2**20,
        "naive_traced_peak_mib": naive_bytes / 2**20,
        "maxrss_before_big_mib": rss0,
        "maxrss_after_big_mib": rss_engine,
        "maxrss_end_mib": maxrss_mib(),
        "ruin_engine": k_e / cmp_paths,
        "ruin_naive": k_n / cmp_paths,
        "ruin_difference": d,
        "ruin_difference_se": se,
        "ruin_agree_4se": ok,
        "mdd_median_engine": float(np.median(cmp_res.max_drawdown)),
        "mdd_median_naive": float(np.median(nv["max_drawdown"])),
        "streak_mean_engine": float(cmp_res.longest_losing_streak.mean()),
        "streak_mean_naive": float(nv["longest_losing_streak"].mean()),
    }
    return out


def report(r: dict) -> str:
    m = 1e6
    lines = [
        f"machine: {r['machine']['cpu']}, {r['machine']['cpus_available']} CPUs, "
        f"numba threads {r['machine']['numba_threads']}, load average "
        f"{r['machine']['load_average_1min_start']:.2f} -> "
        f"{r['machine']['load_average_1min_end']:.2f} (other processes share the CPUs: "
        f"CPU-time figures are the fair ones then)",
        f"model: Bernoulli p={WIN} b={PAYOFF}, fractional risk {RISK}, ruin at {RUIN}; "
        f"{r['trades']} trades",
        f"naive numpy  {r['compare_paths']:>9,} paths: {r['naive_seconds']:8.3f} s "
        f"{r['naive_path_trades_per_s'] / m:9.1f} M path-trades/s "
        f"(traced peak {r['naive_traced_peak_mib']:.0f} MiB)",
        f"engine       {r['compare_paths']:>9,} paths: {r['engine_seconds']:8.3f} s "
        f"{r['engine_path_trades_per_s'] / m:9.1f} M path-trades/s "
        f"(1 thread: {r['engine_1thread_path_trades_per_s'] / m:.1f} M/s)",
        f"ratio engine / naive: {r['ratio_engine_over_naive']:.1f}x wall",
        f"per CPU-second: naive {r['naive_path_trades_per_cpu_s'] / m:.1f} M, engine "
        f"{r['engine_path_trades_per_cpu_s'] / m:.1f} M path-trades -> ratio "
        f"{r['ratio_per_cpu_second']:.1f}x per core",
        f"engine on 1 thread / naive (1 thread): {r['ratio_engine_1thread_over_naive']:.1f}x wall, "
        f"{r['ratio_engine_1thread_over_naive_per_cpu_second']:.1f}x per CPU-second",
        f"engine {r['big_paths']:,} x {r['trades']:,}: {r['big_engine_wall_seconds']:.3f} s wall "
        f"({r['big_engine_path_trades_per_s'] / m:.1f} M path-trades/s), traced peak "
        f"{r['engine_traced_peak_mib']:.0f} MiB, "
        f"process max RSS {r['maxrss_after_big_mib']:.0f} MiB; "
        f"{r['big_engine_cpu_seconds']:.2f} CPU-s = "
        f"{r['big_engine_wall_on_free_cores_estimate']:.2f} s on "
        f"{r['machine']['numba_threads']} free cores",
        f"ruin: engine {r['ruin_engine']:.5f}, naive {r['ruin_naive']:.5f}, difference "
        f"{r['ruin_difference']:+.5f} (SE {r['ruin_difference_se']:.5f}) -> "
        f"{'agree' if r['ruin_agree_4se'] else 'DISAGREE'} within 4 SE",
        f"median MDD: engine {r['mdd_median_engine']:.4f}, naive {r['mdd_median_naive']:.4f}; "
        f"mean longest losing streak: engine {r['streak_mean_engine']:.3f}, "
        f"naive {r['streak_mean_naive']:.3f}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, smoke test only")
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"JSON results file (default for a full run: {RESULTS})",
    )
    args = ap.parse_args(argv)
    r = run(args.quick)
    print(report(r))
    out = args.out if args.out is not None else (None if args.quick else RESULTS)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(r, indent=2) + "\n")
        print(f"wrote {out}")
    return 0 if r["ruin_agree_4se"] else 1


if __name__ == "__main__":
    sys.exit(main())
