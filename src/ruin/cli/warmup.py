"""``ruin warmup``: compile every kernel the presets and lessons need, before anyone waits.

On a fresh install numba compiles each kernel on its first use (seconds to a minute each on
a small machine). A teacher runs ``ruin warmup`` once after installing, before the class
opens the app: every kernel of :func:`ruin.warmup.catalog` is compiled into numba's on-disk
cache, one process per CPU, and later processes (the app's server, the CLI, notebooks) only
load them. Progress goes to stderr, one line per step; the summary to stdout.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import ParameterError
from .common import add_json_flag, emit

__all__ = ["add_commands"]


def _render(d: dict[str, Any]) -> str:
    if not d["compiled"]:
        return f"nothing to compile: every kernel of {d['steps']} steps was cached"
    return (
        f"{d['steps']} steps: {d['compiled']} numba functions compiled in "
        f"{d['seconds']:.1f} s ({d['jobs']} processes)"
    )


def run_warmup(args: argparse.Namespace) -> None:
    import os

    from .. import warmup  # lazy: CLI start-up

    if args.jobs is not None and args.jobs < 1:
        raise ParameterError("jobs", "an integer >= 1", args.jobs)
    jobs = args.jobs or os.cpu_count() or 1

    def progress(done: int, total: int, label: str, seconds: float) -> None:
        print(f"[{done}/{total}] {label}: {seconds:.1f} s", file=sys.stderr, flush=True)

    out = warmup.compile_all(jobs=jobs, progress=None if args.quiet else progress)
    emit({**out, "jobs": jobs}, args.json, _render)


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "warmup",
        help="compile every kernel the presets and lessons need (once, after installing)",
    )
    p.add_argument(
        "--jobs", type=int, default=None, help="processes compiling at once (default: CPUs)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    add_json_flag(p)
    p.set_defaults(func=run_warmup)
