"""Grid cells: expansion of a spec into validated cells, their seeds, and batches of cells."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import exact
from ..config import build_scenario
from ..errors import ParameterError
from ..keys import ODDS_KEYS
from ..odds import check_odds_inputs
from ..params import Bernoulli
from ..studies.scenarios import find_scenario, scenario_params
from .spec import ODDS_REQUIRED, SweepSpec, _where, resolve_trades_file

__all__ = [
    "Cell",
    "expand_cells",
    "cell_seed",
    "plan_batches",
    "TARGET_BATCH_WORK",
    "BATCHES_PER_WORKER",
    "MAX_BATCH_CELLS",
]

#: Work per batch (paths x trades) the default batch size aims at (amortises per-task overhead).
TARGET_BATCH_WORK = 5_000_000
#: Batches per worker the default batch size keeps at least (load balance, progress).
BATCHES_PER_WORKER = 4
MAX_BATCH_CELLS = 1_000


@dataclass(frozen=True)
class Cell:
    """One grid cell: its index, coordinates, full flat parameters and identity."""

    index: int
    coords: dict[str, Any]
    flat: dict[str, Any]
    cell_id: str
    method: str
    work: float
    kind: str = "account"


def _resolve_preset(name: Any, folder: str = "") -> dict[str, Any]:
    """Flat parameters of the scenario preset ``name`` (a built-in name or a .toml file,
    relative paths first against the spec's folder), via :mod:`ruin.studies.scenarios`."""
    if not isinstance(name, str) or not name:
        raise ParameterError("scenario", "a scenario name or .toml file", name)
    target: str | Path = name
    if folder and (name.endswith(".toml") or "/" in name) and not Path(name).is_absolute():
        candidate = Path(folder) / name
        if candidate.is_file():
            target = candidate
    return dict(scenario_params(find_scenario(target)))


def cell_seed(sweep_seed: int, coords: Mapping[str, Any]) -> int:
    """The seed of the cell at ``coords`` (axis name -> value) in a sweep seeded ``sweep_seed``.

    ``SeedSequence(sweep_seed, spawn_key=k)`` with ``k`` eight 32-bit words of a SHA-256 of
    the coordinates (sorted by axis name), so the seed depends on the cell's axis values only:
    not on its position, the batch it runs in, the order of the axes or of their values.

    Returns
    -------
    int
        A 63-bit seed (what ``ruin simulate --seed`` accepts).
    """
    text = json.dumps(sorted((str(k), v) for k, v in coords.items()), separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).digest()
    key = tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 32, 4))
    state = np.random.SeedSequence(int(sweep_seed), spawn_key=key).generate_state(2, np.uint64)
    return int((int(state[0]) << 32 ^ int(state[1])) & ((1 << 63) - 1))


def _cell_id(flat: Mapping[str, Any], method: str) -> str:
    text = json.dumps(
        {"p": sorted((k, repr(v)) for k, v in flat.items()), "m": method}, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _describe_coords(coords: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in coords.items())


def expand_cells(spec: SweepSpec, sweep_seed: int) -> list[Cell]:
    """Every cell of ``spec`` with its validated flat parameters, in row-major order.

    Each cell's Scenario is built (and so validated) here, before anything runs.

    Raises
    ------
    ParameterError
        For the first invalid cell, naming its coordinates, e.g. ``sweep.toml: cell
        (win_rate=1.2, risk=0.01): win_rate must be between 0 and 1 (exclusive); got 1.2.``
    """
    base = dict(spec.base)
    preset_cache: dict[str, dict[str, Any]] = {}

    def preset(name: Any) -> dict[str, Any]:
        key = repr(name)
        if key not in preset_cache:
            preset_cache[key] = _resolve_preset(name, spec.folder)
        return preset_cache[key]

    names = list(spec.axes)
    cells = []
    for index, values in enumerate(itertools.product(*spec.axes.values())):
        coords = dict(zip(names, values, strict=True))
        merged = {**base, **coords}
        where = _where(spec.source, f"cell ({_describe_coords(coords)})")
        try:
            if spec.kind == "odds":
                merged["seed"] = cell_seed(sweep_seed, coords)
                work = _check_odds(merged)
                cid = _cell_id({**merged, "kind": "odds"}, spec.method)
                cells.append(Cell(index, coords, merged, cid, spec.method, work, "odds"))
                continue
            named: dict[str, Any] = {}
            if "scenario" in merged:  # the preset is the cell's "scenario" layer
                named = preset(merged.pop("scenario"))
            merged["seed"] = cell_seed(sweep_seed, coords)
            flat = merged
            if isinstance(merged.get("trades_file"), str):  # opened relative to the spec
                flat = {
                    **merged,
                    "trades_file": resolve_trades_file(
                        "trades_file", merged["trades_file"], spec.folder
                    ),
                }
            scenario = build_scenario(flat, layers={"scenario": named})
            flat = {**named, **flat}  # what the cell runs (the trade file as opened)
            merged = {**named, **merged}  # what identifies it (the file as written)
        except ParameterError as exc:
            raise ParameterError(f"{where}: {exc.name}", exc.allowed, exc.got, exc.hint) from None
        method = spec.method
        if method == "exact" and not _exact_applies(scenario):
            method = "simulate"
        work = float(scenario.paths) * float(scenario.account.trades)
        if method == "exact":
            work = float(scenario.account.trades) ** 2 / 10.0
        cells.append(Cell(index, coords, flat, _cell_id(merged, method), method, work))
    return cells


def _check_odds(flat: Mapping[str, Any]) -> float:
    """Validate one liquidation-odds cell without running it; returns its cost estimate.

    The checks are those of :func:`ruin.odds.liquidation_odds` itself
    (:func:`ruin.odds.check_odds_inputs`: each key of :data:`ruin.keys.ODDS_KEYS`, and the
    rules between them).
    """
    for k in ODDS_REQUIRED:
        if k not in flat:
            raise ParameterError(
                k,
                "given in [base] or [axes] (an odds sweep needs " + ", ".join(ODDS_REQUIRED) + ")",
                None,
            )
    c = check_odds_inputs(**{k: v for k, v in flat.items() if k in ODDS_KEYS})
    step = c["step_days"] or 1.0
    return float(c["paths"]) * max(1.0, c["horizon_days"] / step)


def _exact_applies(scenario: Any) -> bool:
    """Whether an exact answer exists: Bernoulli trades, no price path, behaviour or account
    rules (trailing drawdown, daily loss limit), a horizon the lattice DP accepts."""
    return (
        isinstance(scenario.model, Bernoulli)
        and getattr(scenario, "market", None) is None
        and getattr(scenario, "behaviour", None) is None
        and getattr(scenario, "rules", None) is None
        and scenario.account.trades <= exact.MAX_DP_TRADES
    )


def plan_batches(
    cells: Sequence[Cell], workers: int, batch_size: int | None = None
) -> list[list[Cell]]:
    """Group ``cells`` (in order) into batches.

    With no ``batch_size``, a batch holds enough cells for about :data:`TARGET_BATCH_WORK`
    path-trades (to amortise per-task overhead) but the plan keeps at least
    :data:`BATCHES_PER_WORKER` batches per worker where there are enough cells.
    """
    if not cells:
        return []
    if batch_size is None:
        mean_work = max(1.0, sum(c.work for c in cells) / len(cells))
        amortise = math.ceil(TARGET_BATCH_WORK / mean_work)
        balance = math.ceil(len(cells) / (BATCHES_PER_WORKER * max(1, workers)))
        batch_size = max(1, min(amortise, balance, MAX_BATCH_CELLS))
    return [list(cells[i : i + batch_size]) for i in range(0, len(cells), batch_size)]
