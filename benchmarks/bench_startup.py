"""Cold start and warm latency: what a new user waits for.

Run from the repository root::

    .venv/bin/python benchmarks/bench_startup.py            # writes results/startup.json
    .venv/bin/python benchmarks/bench_startup.py --repeat 1 --out /tmp/s.json

Every measurement is a separate process, timed whole (wall clock from start to exit, and
its CPU time: user + system of the child). Cold measurements get a fresh, empty
``NUMBA_CACHE_DIR`` each, so numba compiles everything they run:

* ``cold_bernoulli_cli``: the first ``ruin simulate --win-rate 0.45 --payoff 1.5 --risk
  0.02 --trades 500 --paths 10000`` (target <= 15 s).
* ``cold_leveraged_cli_after``: then, in the same cache, the first leveraged run with
  ``--tails t:4 --garch --jumps`` (what that run adds).
* ``cold_default_page``: every kernel of the app's default page, as the page compiles them
  (:func:`ruin.warmup.steps` of the default scenario, then its run, theory and risk
  sweep), per step (target <= 60 s in all).
* ``cold_warmup_all``: ``ruin warmup``, every kernel the presets and lessons need
  (:func:`ruin.warmup.catalog`), one process per CPU: what a teacher runs once after
  installing, so that no student waits for a compile.

Warm measurements run after the cold ones in a cache that holds every kernel:

* ``warm_simulate_cli``: ``ruin simulate`` of 10^4 x 500 (target <= 0.7 s per call).
* ``warm_liquidation_cli``, ``warm_size_cli``, ``warm_funding_cli``: the calculators
  (target <= 0.4 s; they import no numba).
* ``floor_numpy`` and ``floor_numba_cached_call``: what any process pays before ruin's own
  work: importing numpy, and importing numba and calling one trivial cached ``njit``
  function (numba's import plus its CPU target's first load from the cache). The second is
  the floor under every warm ``ruin simulate`` on the machine.
* ``warm_simulate_parts``: the warm ``ruin simulate`` split in one process: imports, the
  simulation (kernels loaded from the cache), and the exact answers beside it.

Numbers depend on the machine and on other work on it: the CPU, its vector features, the
commit and the load average are stored with every result (``benchmarks/_meta.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _meta import RESULTS, ROOT, finish, machine, stats  # noqa: E402

RUIN = [str(Path(sys.executable).parent / "ruin")]  # the console script, as a user runs it
BERNOULLI = [
    "simulate",
    "--win-rate",
    "0.45",
    "--payoff",
    "1.5",
    "--risk",
    "0.02",
    "--trades",
    "500",
    "--paths",
    "10000",
]
LEVERAGED = [
    "simulate",
    "--leverage",
    "10",
    "--stop",
    "0.02",
    "--take-profit",
    "0.04",
    "--volatility",
    "0.035",
    "--win-rate",
    "0.45",
    "--risk",
    "0.01",
    "--trades",
    "500",
    "--paths",
    "10000",
    "--tails",
    "t:4",
    "--garch",
    "--jumps",
]
CALCULATORS = {
    "warm_liquidation_cli": [
        "liquidation",
        "--entry",
        "60000",
        "--leverage",
        "20",
        "--mmr",
        "0.005",
    ],
    "warm_size_cli": [
        "size",
        "--capital",
        "10000",
        "--risk",
        "0.01",
        "--stop",
        "0.02",
        "--leverage",
        "10",
        "--mmr",
        "0.005",
    ],
    "warm_funding_cli": [
        "funding",
        "--rate",
        "0.0001",
        "--interval-hours",
        "8",
        "--hours",
        "72",
    ],
}
# A trivial cached njit function: numba's own cost in a fresh process (the warm floor).
FLOOR_MODULE = """
import numba

@numba.njit(cache=True)
def one(x):
    return x + 1
"""
FLOOR = "import sys; sys.path.insert(0, sys.argv[1]); import floor_mod; floor_mod.one(1)"
# The warm CLI simulate split into its parts, in one process.
SIMULATE_PARTS = r"""
import json, time
t0 = time.perf_counter()
from ruin import build_scenario, simulate, theory
t1 = time.perf_counter()
sc = build_scenario({"win_rate": 0.45, "payoff": 1.5, "risk": 0.02, "trades": 500,
                     "paths": 10000})
res = simulate(sc)
res.summary()
t2 = time.perf_counter()
theory(sc)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "simulate_s": t2 - t1, "exact_s": t3 - t2}))
"""

# The app's default page, step by step (ruin.warmup), then what the page runs.
PAGE = r"""
import json, sys, time
t0 = time.perf_counter()
from ruin import form, warmup, simulate, theory, insights
sc = form.build_run(dict(form.APP_DEFAULTS), {}, upload=None)
out = {"import_s": time.perf_counter() - t0, "steps": []}
for step in warmup.steps(sc):
    t = time.perf_counter()
    step()
    out["steps"].append({"label": step.label, "seconds": time.perf_counter() - t})
t = time.perf_counter()
res = simulate(sc, record=insights.paths_to_record(sc))
theory(sc)
insights.risk_sweep(insights.sweep_base(sc) if hasattr(insights, "sweep_base") else sc)
out["page_runs_s"] = time.perf_counter() - t
out["warm_after"] = warmup.is_warm(sc)
print(json.dumps(out))
"""


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child, stdout) of one whole process."""
    before = os.times()
    t0 = time.perf_counter()
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - t0
    after = os.times()
    if run.returncode != 0:
        raise RuntimeError(f"{cmd} failed:\n{run.stderr[-2000:]}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu, run.stdout


def _env(cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CACHE")}
    env["NUMBA_CACHE_DIR"] = cache
    return env


def _floors(env: dict[str, str], cache: str, repeat: int) -> dict:
    """The warm floor (numpy; numba plus one cached call) and the warm simulate's parts."""
    folder = Path(cache) / "floor"
    folder.mkdir(exist_ok=True)
    (folder / "floor_mod.py").write_text(FLOOR_MODULE)
    cmds = {
        "floor_numpy": [sys.executable, "-c", "import numpy"],
        "floor_numba_cached_call": [sys.executable, "-c", FLOOR, str(folder)],
    }
    timed(cmds["floor_numba_cached_call"], env)  # compile it into the cache once
    out: dict[str, dict] = {}
    for name, cmd in cmds.items():
        runs = [timed(cmd, env)[:2] for _ in range(repeat)]
        out[name] = {"wall": stats([w for w, _ in runs]), "cpu": stats([c for _, c in runs])}
        print(f"{name}: median {out[name]['wall']['median']:.3f} s")
    parts = [json.loads(timed([sys.executable, "-c", SIMULATE_PARTS], env)[2]) for _ in range(3)]
    out["warm_simulate_parts"] = {k: stats([p[k] for p in parts]) for k in parts[0]}
    print(
        "warm simulate parts (median s):",
        {k: round(v["median"], 3) for k, v in out["warm_simulate_parts"].items()},
    )
    return out


def run(repeat: int, warm_repeat: int, parts: set[str]) -> dict:
    info = machine()
    cold: dict[str, dict[str, list]] = {}

    def add(name: str, wall: float, cpu: float) -> None:
        slot = cold.setdefault(name, {"wall": [], "cpu": []})
        slot["wall"].append(wall)
        slot["cpu"].append(cpu)

    page_steps: list[dict] = []
    warm_cache = None
    for i in range(repeat if "cold" in parts else 0):
        with tempfile.TemporaryDirectory(prefix="ruin-cold-") as cache:
            env = _env(cache)
            wall, cpu, _ = timed([*RUIN, *BERNOULLI], env)
            add("cold_bernoulli_cli", wall, cpu)
            print(f"[{i + 1}/{repeat}] cold Bernoulli CLI: {wall:.1f} s ({cpu:.1f} CPU s)")
            wall, cpu, _ = timed([*RUIN, *LEVERAGED], env)
            add("cold_leveraged_cli_after", wall, cpu)
            print(f"[{i + 1}/{repeat}] then leveraged t:4+GARCH+jumps: {wall:.1f} s")
        with tempfile.TemporaryDirectory(prefix="ruin-cold-") as cache:
            env = _env(cache)
            wall, cpu, out = timed([sys.executable, "-c", PAGE], env)
            add("cold_default_page", wall, cpu)
            page_steps.append(json.loads(out.strip().splitlines()[-1]))
            print(f"[{i + 1}/{repeat}] cold default page kernels: {wall:.1f} s ({cpu:.1f} CPU s)")
        with tempfile.TemporaryDirectory(prefix="ruin-cold-") as cache:
            env = _env(cache)
            # its worker processes' CPU counts too (children of the timed process)
            wall, cpu, _ = timed([*RUIN, "warmup", "--quiet"], env)
            add("cold_warmup_all", wall, cpu)
            print(f"[{i + 1}/{repeat}] cold `ruin warmup` (every kernel): {wall:.1f} s")
    warm: dict[str, dict] = {}
    warm_cache = tempfile.mkdtemp(prefix="ruin-warm-")
    env = _env(warm_cache)
    if "warm" in parts:
        timed([*RUIN, *BERNOULLI], env)  # fill the cache
    for name, args in {"warm_simulate_cli": BERNOULLI, **CALCULATORS}.items():
        if "warm" not in parts:
            break
        walls, cpus = [], []
        for _ in range(warm_repeat):
            wall, cpu, _ = timed([*RUIN, *args], env)
            walls.append(wall)
            cpus.append(cpu)
        warm[name] = {"wall": stats(walls), "cpu": stats(cpus)}
        print(f"{name}: median {warm[name]['wall']['median']:.3f} s")
    if "warm" in parts:
        warm.update(_floors(env, warm_cache, warm_repeat))
    return {
        "machine": finish(info),
        "method": "separate processes, timed whole (wall and child CPU); cold: fresh "
        "NUMBA_CACHE_DIR per repeat",
        "cold": {k: {"wall": stats(v["wall"]), "cpu": stats(v["cpu"])} for k, v in cold.items()},
        "default_page_steps": page_steps,
        "warm": warm,
        "targets_s": {
            "cold_bernoulli_cli": 15,
            "cold_default_page": 60,
            "warm_simulate_cli": 0.7,
            "warm_calculators": 0.4,
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="cold repeats (fresh cache each)")
    ap.add_argument("--warm-repeat", type=int, default=10, help="warm repeats per command")
    ap.add_argument("--out", type=Path, default=RESULTS / "startup.json")
    ap.add_argument(
        "--parts",
        default="cold,warm",
        help="cold and/or warm; a part left out keeps its results from --out if present",
    )
    args = ap.parse_args(argv)
    parts = set(args.parts.split(","))
    result = run(args.repeat, args.warm_repeat, parts)
    if args.out.is_file():  # keep the parts not measured this time (with their machine)
        old = json.loads(args.out.read_text())
        for part, key in (("cold", "cold"), ("cold", "default_page_steps"), ("warm", "warm")):
            if part not in parts and key in old:
                result[key] = old[key]
                result.setdefault("machine_of_kept_parts", old.get("machine"))
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
