"""What every results file records about its run: the machine, the code, the load.

``machine()`` gives the CPU model and its vector features (avx2 / avx512f / fma), the cores
this process may use, the Python / numpy / numba versions, the commit (and whether the tree
had uncommitted changes), the date and the 1-minute load average; ``stats(xs)`` gives every
repeat with its min, median and max. Numbers taken while the load average is above about 1
(other work on the machine) are noisy: the load is stored at the start and end of each run.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
VECTOR_FLAGS = ("avx2", "fma", "avx512f", "avx512vl", "avx512dq", "avx512bw")


def _cpuinfo() -> tuple[str, list[str]]:
    name, flags = platform.processor() or platform.machine(), []
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return name, flags
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and name in ("", platform.machine(), "x86_64"):
            name = value.strip()
        if key.strip() == "flags":
            have = set(value.split())
            flags = [f for f in VECTOR_FLAGS if f in have]
            break
    return name, flags


def _git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def load_average() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover
        return float("nan")


def machine() -> dict:
    """The machine, code and load of this run (see the module docstring)."""
    cpu, flags = _cpuinfo()
    info = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _git("rev-parse", "HEAD"),
        "tree_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "cpu": cpu,
        "cpu_vector_flags": flags,
        "cpus_available": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "load_average_1min_start": load_average(),
    }
    for dist in ("numpy", "numba"):  # versions without importing (numba loads after ruin)
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:  # pragma: no cover
            info[dist] = None
    return info


def finish(info: dict) -> dict:
    """Store the load average at the end of the run."""
    info["load_average_1min_end"] = load_average()
    return info


def stats(xs: list[float]) -> dict:
    """Every repeat, and their min, median and max."""
    xs = [float(x) for x in xs]
    return {
        "repeats": xs,
        "min": min(xs),
        "median": statistics.median(xs),
        "max": max(xs),
    }
