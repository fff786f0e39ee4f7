"""Where a leveraged trade spends its work: counts per trade in the one-position lanes.

Run from the repository root::

    .venv/bin/python benchmarks/profile_market.py      # writes results/market_profile.json

For the ``t_garch_jumps`` (narrow) and ``wide_t_garch_jumps`` cases of ``bench_market.py``,
the lanes kernel runs in Python (``NUMBA_DISABLE_JIT=1``, in a child process) with counters
wrapped around its parts, and every count is divided by the trades taken:

* ``lane_steps``: lane-steps the vectorised :func:`_lanes_step` ran (a lane holding a path),
  ``plain_steps`` those it took itself, ``plain_exits`` the exits among them;
* ``scalar_steps``: steps it left to the scalar ``step`` (jumps, the image series, a
  rejected first-passage time, a slow ziggurat draw); ``series``: image-series
  evaluations (``first_exit_series``); ``strip_ratio``: the first-passage time's rejection
  test; ``hit_fraction``: first-passage times drawn by the scalar code;
* ``new_days``: days started (GARCH update, the day's Student-t variance);
* ``gap_settles``: trades booked by the scalar ``settle`` (a gap through a barrier);
* ``zig_slow``: normals that left the ziggurat's fast path; ``rounds``: lane rounds.

The counts do not depend on the machine; the compiled rates are in ``market.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _meta import finish, machine  # noqa: E402

PATHS, TRADES = 128, 100

_CHILD = r"""
import collections, json, sys
from ruin.config import build_scenario
from ruin.simulate import simulate
import ruin.engine.rng as rng
import ruin.market.bridge as bridge
import ruin.market.kernels.lanes as ln
import ruin.market.step as stp
sys.path.insert(0, sys.argv[1])
from bench_market import BASE, CASES

C = collections.Counter()

def counted(mod, name, key):
    f = getattr(mod, name)
    def g(*a):
        C[key] += 1
        return f(*a)
    setattr(mod, name, g)

for mod, name, key in [
    (ln, "_step_call", "scalar_steps"), (ln, "_new_day_call", "new_days"),
    (ln, "_lane_settle", "gap_settles"), (bridge, "first_exit_series", "series"),
    (bridge, "strip_ratio", "strip_ratio"), (stp, "hit_fraction", "hit_fraction"),
    (rng, "_zig_normal_slow", "zig_slow"),
]:
    counted(mod, name, key)
lanes_step = ln._lanes_step

def counting_lanes_step(F, U, IS, *args):
    L = ln._LANES
    held = [j for j in range(L) if IS[ln._PATH * L + j] >= 0]
    lanes_step(F, U, IS, *args)
    C["rounds"] += 1
    C["lane_steps"] += len(held)
    codes = [IS[ln._CODE * L + j] for j in held]
    C["plain_steps"] += sum(c != ln._FLAGGED for c in codes)
    C["plain_exits"] += sum(c >= 0 for c in codes)

ln._lanes_step = counting_lanes_step
out = {}
for name in ("t_garch_jumps", "wide_t_garch_jumps"):
    C.clear()
    size = {"paths": int(sys.argv[2]), "trades": int(sys.argv[3])}
    sc = build_scenario({**BASE, **CASES[name], **size})
    res = simulate(sc, record=0)
    taken = int(res.trades_taken.sum())
    row = {k: C[k] / taken for k in sorted(C)}
    row["trades_taken"] = taken
    out[name] = row
print(json.dumps(out))
"""


def main() -> int:
    info = machine()
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONWARNINGS": "ignore"}
    here = str(Path(__file__).resolve().parent)
    res = subprocess.run(
        [sys.executable, "-c", _CHILD, here, str(PATHS), str(TRADES)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    counts = json.loads(res.stdout.strip().splitlines()[-1])
    out = {
        "date": info["date"],
        "meta": info,
        "method": f"counts per trade taken, {PATHS} paths x {TRADES} trades per case, lanes "
        "kernel run in Python (NUMBA_DISABLE_JIT=1) with counters (see the script's docstring)",
        "cases": counts,
    }
    finish(info)
    for name, row in counts.items():
        print(
            f"{name:20s} per trade: {row['lane_steps']:.2f} lane-steps "
            f"({row['plain_steps']:.2f} plain), {row['scalar_steps']:.3f} scalar steps, "
            f"{row['new_days']:.2f} new days, {row['series']:.4f} series, "
            f"{row['hit_fraction']:.3f} scalar first-passage times, "
            f"{row['gap_settles']:.3f} gap settles"
        )
    path = Path(__file__).parent / "results" / "market_profile.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
