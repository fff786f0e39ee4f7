"""Where a leveraged trade spends its time: ``perf`` samples mapped to the compiled functions.

Run from the repository root (Linux, needs ``perf``; ``apt-get install linux-perf``)::

    .venv/bin/python benchmarks/perf_market.py          # writes results/market_perf.json
    .venv/bin/python benchmarks/perf_market.py --case t_garch_jumps --no-save

``profile_market.py`` counts what a trade does (steps, days, series evaluations); this file
says where the CPU time goes. A child process runs one case of ``bench_market.py`` on one
numba thread under ``perf record`` (CPU-clock samples, 2 kHz): it compiles the kernels into
a fresh, temporary numba cache (a kernel loaded from the cache carries no symbol names, so
this takes a minute or two), runs ``--repeat`` whole ``simulate()`` calls, and writes the
address of every function numba compiled. The samples taken inside the timed calls are then
given to the compiled function whose code holds them (LLVM inlines small functions into
their callers, so a function's share includes what was inlined into it) or counted as
outside compiled code (Python, libm, the kernel).

Shares of samples, not seconds: they do not depend on the machine's speed, only on its
code generation (vector width: see ``cpu_vector_flags``).
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _meta import RESULTS, finish, machine  # noqa: E402

FREQ = 2000  # samples per second of CPU
METHOD = (
    "perf record (CPU clock, 2 kHz) of one process on one numba thread, kernels compiled into "
    "a fresh numba cache; samples inside the timed simulate() calls given to the compiled "
    "function whose code holds them (inlined callees count for their caller), or to the "
    "library they fell in; shares of all samples in the window"
)

_CHILD = r"""
import gc, json, sys, time
sys.path.insert(0, sys.argv[1])
import numba
from numba.core.dispatcher import Dispatcher
from bench_market import BASE, CASES
from ruin import warmup
from ruin.config import build_scenario
from ruin.simulate import simulate

case, paths, trades, repeat, out = sys.argv[2], *map(int, sys.argv[3:6]), sys.argv[6]
numba.set_num_threads(1)
sc = build_scenario({**BASE, **CASES[case], "paths": paths, "trades": trades})
small = build_scenario({**BASE, **CASES[case], "paths": 64, "trades": 20})
for step in warmup.steps(small, fast=True):
    step()
simulate(small, record=0)
t0, c0 = time.monotonic(), time.process_time()
for _ in range(repeat):
    simulate(sc, record=0)
t1, c1 = time.monotonic(), time.process_time()
symbols, seen = [], set()
for obj in gc.get_objects():
    if not isinstance(obj, Dispatcher):
        continue
    for cres in obj.overloads.values():
        lib = cres.library
        if id(lib) in seen:
            continue
        seen.add(id(lib))
        for fn in lib._final_module.functions:
            if not fn.is_declaration:
                addr = lib.get_pointer_to_function(fn.name)
                if addr:
                    symbols.append([addr, fn.name])
json.dump({"window": [t0, t1], "cpu_seconds": c1 - c0, "symbols": symbols}, open(out, "w"))
"""


def readable(symbol: str) -> str:
    """``ruin.market.kernels.lanes._lanes_step`` from numba's mangled
    ``_ZN4ruin6market7kernels5lanes11_lanes_stepB4v163...``; other names unchanged."""
    if not symbol.startswith("_ZN"):
        return symbol
    parts, s = [], symbol[3:]
    while m := re.match(r"\d+", s):  # length-prefixed parts, up to numba's "B<n>..." suffix
        start, n = m.end(), int(m.group(0))
        parts.append(s[start : start + n])
        s = s[start + n :]
    name = ".".join(parts).replace("_3c", "<").replace("_3e", ">")
    return name or symbol


def attribute(samples: list[tuple[float, int, str]], child: dict) -> dict:
    """Samples inside the timed window, by compiled function (or outside compiled code)."""
    t0, t1 = child["window"]
    syms = sorted((int(a), n) for a, n in child["symbols"])
    addrs = [a for a, _ in syms]
    by_fn: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    for t, ip, dso in samples:
        if not t0 <= t <= t1:
            continue
        jit = "perf-" in dso or "[JIT]" in dso or "anon" in dso
        i = bisect.bisect_right(addrs, ip) - 1
        if jit and i >= 0:
            by_fn[readable(syms[i][1])] += 1
        else:
            outside[Path(dso.strip("()")).name or "?"] += 1
    total = sum(by_fn.values()) + sum(outside.values())
    share = {k: round(v / total, 4) for k, v in by_fn.most_common()}
    rest = {k: round(v / total, 4) for k, v in outside.most_common(8)}
    return {"samples": total, "compiled": share, "outside_compiled_code": rest}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default="wide_t_garch_jumps")
    ap.add_argument("--paths", type=int, default=10_000)
    ap.add_argument("--trades", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-save", action="store_true", help="print, do not write the JSON")
    a = ap.parse_args(argv)
    perf = shutil.which("perf")
    if perf is None:
        print("perf_market: needs Linux perf on PATH (apt-get install linux-perf)", file=sys.stderr)
        return 2
    info = machine()
    with tempfile.TemporaryDirectory(prefix="ruin-perf-") as tmp:
        data, out = Path(tmp) / "perf.data", Path(tmp) / "child.json"
        env = {**os.environ, "NUMBA_CACHE_DIR": str(Path(tmp) / "numba"), "NUMBA_NUM_THREADS": "1"}
        here = str(Path(__file__).resolve().parent)
        cmd = [perf, "record", "-q", "-F", str(FREQ), "-k", "CLOCK_MONOTONIC", "-o", str(data)]
        cmd += [sys.executable, "-c", _CHILD, here, a.case, str(a.paths), str(a.trades)]
        cmd += [str(a.repeat), str(out)]
        t = time.perf_counter()
        subprocess.run(cmd, env=env, check=True)
        wall = time.perf_counter() - t
        script = subprocess.run(
            [perf, "script", "-i", str(data), "-F", "time,ip,dso"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        child = json.loads(out.read_text())
    samples = []
    for line in script.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            samples.append((float(parts[0].rstrip(":")), int(parts[1], 16), parts[2]))
    result = {
        "meta": finish(info),
        "method": METHOD,
        "case": a.case,
        "paths": a.paths,
        "trades": a.trades,
        "repeat": a.repeat,
        "numba_threads": 1,
        "cpu_seconds_timed": round(child["cpu_seconds"], 3),
        "child_wall_seconds": round(wall, 1),
        **attribute(samples, child),
    }
    text = json.dumps(result, indent=2) + "\n"
    if a.no_save:
        print(text)
    else:
        path = RESULTS / (
            "market_perf.json" if a.case == "wide_t_garch_jumps" else f"market_perf_{a.case}.json"
        )
        path.write_text(text)
        print(f"wrote {path}")
    for k, v in list(result["compiled"].items())[:8]:
        print(f"{100 * v:5.1f}%  {k}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
