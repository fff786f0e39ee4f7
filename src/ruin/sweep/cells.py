"""Grid cells: expansion of a spec into validated cells, their seeds, and batches of cells."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import exact
from ..config import build_scenario
from ..errors import ParameterError
from ..keys import CONFLICTS, KEYS, ODDS_KEYS
from ..odds import check_odds_inputs
from ..params import Bernoulli
from ..studies.scenarios import find_scenario, scenario_params
from .spec import ODDS_REQUIRED, SweepSpec, _where, resolve_trades_file

__all__ = [
    "Cell",
    "expand_cells",
    "iter_cells",
    "check_cells",
    "sweep_work",
    "batch_size_for",
    "iter_batches",
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


class _CellMaker:
    """Builds (and so validates) the cell at given coordinates; presets are read once."""

    def __init__(self, spec: SweepSpec, sweep_seed: int) -> None:
        self.spec, self.sweep_seed = spec, sweep_seed
        self.base = dict(spec.base)
        self.names = list(spec.axes)
        self.presets: dict[str, dict[str, Any]] = {}

    def preset(self, name: Any) -> dict[str, Any]:
        key = repr(name)
        if key not in self.presets:
            self.presets[key] = _resolve_preset(name, self.spec.folder)
        return self.presets[key]

    def __call__(self, index: int, values: Sequence[Any], *, probe: bool = False) -> Cell:
        """The cell ``index`` with axis ``values``; ``probe``: only validate (seed 0, no id)."""
        spec = self.spec
        coords = dict(zip(self.names, values, strict=True))
        merged = {**self.base, **coords}
        try:
            seed = 0 if probe else cell_seed(self.sweep_seed, coords)
            if spec.kind == "odds":
                merged["seed"] = seed
                work = _check_odds(merged)
                cid = "" if probe else _cell_id({**merged, "kind": "odds"}, spec.method)
                return Cell(index, coords, merged, cid, spec.method, work, "odds")
            named: dict[str, Any] = {}
            if "scenario" in merged:  # the preset is the cell's "scenario" layer
                named = self.preset(merged.pop("scenario"))
            merged["seed"] = seed
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
            where = _where(spec.source, f"cell ({_describe_coords(coords)})")
            raise ParameterError(f"{where}: {exc.name}", exc.allowed, exc.got, exc.hint) from None
        method = spec.method
        if method == "exact" and not _exact_applies(scenario):
            method = "simulate"
        work = float(scenario.paths) * float(scenario.account.trades)
        if method == "exact":
            work = float(scenario.account.trades) ** 2 / 10.0
        cid = "" if probe else _cell_id(merged, method)
        return Cell(index, coords, flat, cid, method, work)


def iter_cells(spec: SweepSpec, sweep_seed: int) -> Iterator[Cell]:
    """The cells of ``spec`` in row-major order, each built (and validated) only when the
    iterator reaches it: a grid of millions of cells costs nothing until it runs.

    Raises
    ------
    ParameterError
        When the iterator reaches an invalid cell, naming its coordinates, e.g.
        ``sweep.toml: cell (win_rate=1.2, risk=0.01): win_rate must be between 0 and 1
        (exclusive); got 1.2.`` (:func:`check_cells` finds such cells before a run starts).
    """
    make = _CellMaker(spec, sweep_seed)
    for index, values in enumerate(itertools.product(*spec.axes.values())):
        yield make(index, values)


def expand_cells(spec: SweepSpec, sweep_seed: int) -> list[Cell]:
    """Every cell of ``spec`` with its validated flat parameters, in row-major order (the
    whole grid in memory: for small grids and tests; :func:`run_sweep` streams
    :func:`iter_cells` instead).

    Raises
    ------
    ParameterError
        For the first invalid cell, naming its coordinates, e.g. ``sweep.toml: cell
        (win_rate=1.2, risk=0.01): win_rate must be between 0 and 1 (exclusive); got 1.2.``
    """
    return list(iter_cells(spec, sweep_seed))


#: Grids of up to this many cells are checked cell by cell before they run (:func:`check_cells`).
FULL_CHECK_CELLS = 20_000
#: Most combinations :func:`check_cells` builds for a larger grid.
CHECK_BUDGET = 50_000


def _linked(a: str, b: str, kind: str) -> bool:
    """Whether axes ``a`` and ``b`` can make a cell invalid together (see :func:`check_cells`)."""
    if kind == "odds" or "scenario" in (a, b):
        return True
    ka, kb = KEYS.get(a), KEYS.get(b)
    if ka is not None and kb is not None and ka.group == kb.group:
        return True
    return any({a, b} <= group for group in _VALUE_RULES)


#: Keys whose CONFLICTS rules depend on values, not only on which keys are given.
_VALUE_RULES: tuple[frozenset[str], ...] = tuple(
    frozenset((*r.keys, *r.other, *(("payoff", "stop") if r.unless else ())))
    for r in CONFLICTS
    if r.unless or r.value is not None
)


def _probe_points(shape: Sequence[int], names: Sequence[str], kind: str) -> list[tuple[int, ...]]:
    first = (0,) * len(shape)
    points = {first}
    for i, n in enumerate(shape):  # every value of every axis, the others at their first
        points.update(first[:i] + (v,) + first[i + 1 :] for v in range(n))
    pairs = [
        (shape[i] * shape[j], i, j)
        for i, j in itertools.combinations(range(len(shape)), 2)
        if _linked(names[i], names[j], kind)
    ]
    for _, i, j in sorted(pairs):  # small pairs first, within the budget
        if len(points) + shape[i] * shape[j] > CHECK_BUDGET:
            break
        for vi, vj in itertools.product(range(shape[i]), range(shape[j])):
            p = list(first)
            p[i], p[j] = vi, vj
            points.add(tuple(p))
    return sorted(points)


def check_cells(spec: SweepSpec, sweep_seed: int) -> int:
    """Find invalid combinations of axis values before a sweep runs; returns cells checked.

    Each axis value was checked once, by its key, when the spec was read. What is left are
    the rules between keys. Grids of up to :data:`FULL_CHECK_CELLS` cells are checked cell by
    cell. A larger grid is not (8 million cells took 24 minutes and 6 GB): every rule that
    depends only on *which* keys are given (most of :data:`ruin.keys.CONFLICTS`) has the same
    answer in every cell, so the first cell answers it; each axis value is tried once with
    the other axes at their first values; and every combination of two axes that can clash
    -- keys of one parameter object (``goal`` with ``ruin_level``, ``mmr`` with
    ``leverage``), the keys of a rule that depends on values (``take_profit`` with
    ``payoff`` and ``stop``, ``block_length`` with ``bootstrap``), a ``scenario`` axis, any
    two axes of an odds sweep -- is tried in full, smallest pairs first, up to
    :data:`CHECK_BUDGET` cells (about 200 us each). A rule that needs three swept keys at
    once, or a pair past the budget, is still checked when its cell is built, just before
    its batch runs: the error names the cell, and the batches already finished are kept.

    Raises
    ------
    ParameterError
        For the first invalid cell found (in row-major order), naming its coordinates.
    """
    axes = list(spec.axes.values())
    make = _CellMaker(spec, sweep_seed)
    if spec.n_cells <= FULL_CHECK_CELLS:
        for index, values in enumerate(itertools.product(*axes)):
            make(index, values, probe=True)
        return spec.n_cells
    points = _probe_points(spec.shape, list(spec.axes), spec.kind)
    for p in points:
        make(_ravel(p, spec.shape), [a[i] for a, i in zip(axes, p, strict=True)], probe=True)
    return len(points)


def _ravel(point: Sequence[int], shape: Sequence[int]) -> int:
    index = 0
    for i, n in zip(point, shape, strict=True):
        index = index * n + i
    return index


#: Axes that change a cell's cost (the rest only change what it computes).
_WORK_AXES = {
    "account": ("paths", "trades", "scenario"),
    "odds": ("paths", "horizon_days", "monitoring"),
}


def sweep_work(spec: SweepSpec) -> float:
    """The sweep's total work (path-trades; for exact cells trades^2/10) without building its
    cells: one cell per distinct combination of the axes that set the cost (``paths``,
    ``trades``, ``scenario``; for odds ``paths``, ``horizon_days``, ``monitoring``), the
    other axes at their first values, times the cells that share it."""
    names = list(spec.axes)
    work_axes = [i for i, n in enumerate(names) if n in _WORK_AXES[spec.kind]]
    make = _CellMaker(spec, 0)
    first = [v[0] for v in spec.axes.values()]
    n_combos = math.prod(len(spec.axes[names[i]]) for i in work_axes)
    step = max(1, math.ceil(n_combos / CHECK_BUDGET))  # past the budget: an even sample
    combos = list(
        itertools.islice(
            itertools.product(*(spec.axes[names[i]] for i in work_axes)), 0, None, step
        )
    )
    share = spec.n_cells / len(combos)
    total = 0.0
    for combo in combos:
        values = list(first)
        for i, v in zip(work_axes, combo, strict=True):
            values[i] = v
        total += make(0, values, probe=True).work * share
    return total


def batch_size_for(n_cells: int, mean_work: float, workers: int) -> int:
    """Default cells per batch: about :data:`TARGET_BATCH_WORK` path-trades (to amortise
    per-task overhead), but at least :data:`BATCHES_PER_WORKER` batches per worker where
    there are enough cells, and at most :data:`MAX_BATCH_CELLS`."""
    amortise = math.ceil(TARGET_BATCH_WORK / max(1.0, mean_work))
    balance = math.ceil(n_cells / (BATCHES_PER_WORKER * max(1, workers)))
    return max(1, min(amortise, balance, MAX_BATCH_CELLS))


def iter_batches(cells: Iterable[Cell], batch_size: int) -> Iterator[list[Cell]]:
    """``cells`` (any iterable, consumed lazily) in consecutive batches of ``batch_size``."""
    it = iter(cells)
    while batch := list(itertools.islice(it, batch_size)):
        yield batch


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
    """Group ``cells`` (in order) into batches (a list of them; :func:`iter_batches` streams).

    With no ``batch_size``, a batch holds enough cells for about :data:`TARGET_BATCH_WORK`
    path-trades (to amortise per-task overhead) but the plan keeps at least
    :data:`BATCHES_PER_WORKER` batches per worker where there are enough cells.
    """
    if not cells:
        return []
    if batch_size is None:
        mean_work = sum(c.work for c in cells) / len(cells)
        batch_size = batch_size_for(len(cells), mean_work, workers)
    return list(iter_batches(cells, batch_size))
