"""Compute the golden record: what ``golden.json`` holds, case by case.

``python tests/golden/regenerate.py`` writes it; ``test_golden.py`` compares against it bit
for bit (JSON floats round-trip exactly, so equal JSON means equal doubles).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from typing import Any

import numpy as np

try:
    from . import cases
except ImportError:  # run as a script
    import cases  # type: ignore[no-redef]

#: Per-path arrays hashed for every simulate case (those a result may lack are skipped).
ARRAYS = (
    "final_equity",
    "max_drawdown",
    "ruin_trade",
    "goal_trade",
    "longest_losing_streak",
    "longest_underwater",
    "wins",
    "trades_taken",
    "sample_paths",
    "exits",
    "aux",
)
RECORDED = 5


def _cli_json(argv: list[str]) -> Any:
    from ruin.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    if rc != 0:
        raise RuntimeError(f"{argv}: exit {rc}: {err.getvalue().strip()}")
    # file paths in the output (scenario files, trade files) are written relative to the repo
    data = json.loads(out.getvalue().replace(str(cases.ROOT), "<repo>"))
    return _strip(data)


def _strip(data: Any) -> Any:
    """Drop what is not a result: timings and where a scenario file happens to live."""
    if isinstance(data, dict):
        return {k: _strip(v) for k, v in data.items() if k not in ("elapsed_seconds", "path")}
    if isinstance(data, list):
        return [_strip(v) for v in data]
    return data


def _flat(params: dict[str, Any]) -> dict[str, Any]:
    params = dict(params)
    name = params.pop("scenario", None)
    if name is None:
        return params
    from ruin.studies.scenarios import find_scenario, scenario_params

    return {**scenario_params(find_scenario(name)), **params}


def _hashes(params: dict[str, Any]) -> dict[str, str]:
    from ruin import build_scenario, simulate

    result = simulate(build_scenario(_flat(params)), record=RECORDED)
    out = {}
    for name in ARRAYS:
        arr = getattr(result, name, None)
        if arr is None:
            continue
        arr = np.ascontiguousarray(arr)
        digest = hashlib.sha256()
        digest.update(f"{arr.dtype.str}{arr.shape}".encode())
        digest.update(arr.tobytes())
        out[name] = digest.hexdigest()[:32]
    return out


def simulate_case(name: str) -> dict[str, Any]:
    params = cases.SIMULATE[name]
    return {"summary": _cli_json(cases.simulate_argv(params)), "arrays": _hashes(params)}


def command_case(name: str) -> Any:
    return _cli_json(cases.COMMANDS[name] + ["--json"])


def record_all() -> dict[str, Any]:
    return {
        "simulate": {name: simulate_case(name) for name in cases.SIMULATE},
        "commands": {name: command_case(name) for name in cases.COMMANDS},
    }
