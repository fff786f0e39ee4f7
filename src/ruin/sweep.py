"""Parameter sweeps: one simulation per cell of a grid, on local processes or a Dask cluster.

A sweep spec (TOML) has a ``[base]`` table of flat parameters (the names of the CLI flags with
underscores, exactly the keys :func:`ruin.config.build_scenario` accepts, or
``scenario = "NAME"`` for a preset) and an ``[axes]`` table mapping parameter names to lists
of values. Optional top-level keys: ``name``, ``description``, ``kind`` (``"account"``, the
default, or ``"odds"``: each cell is :func:`ruin.odds.liquidation_odds` of one held position,
keys :data:`ODDS_KEYS`), ``method`` (``"simulate"``, the default, or ``"exact"``: use an
exact answer where one exists -- the lattice DP of :mod:`ruin.exact` for Bernoulli cells, the
closed form for odds cells) and ``batch_size`` (cells per task; default: sized from the
cells' cost)::

    name = "risk of ruin over win rate x payoff x risk"
    [base]
    trades = 500
    paths = 100_000
    ruin_level = 0.5
    seed = 2026
    [axes]
    win_rate = [0.40, 0.45, 0.50]
    payoff = [1.0, 1.5, 2.0]
    risk = [0.01, 0.02, 0.05]

The result has one row per cell: the axis values as columns, then ``cell`` (row-major index
in the grid), ``cell_id`` (a hash of the cell's full parameters, used to resume), ``method``,
``seed`` (the cell's own seed: ``ruin simulate --seed`` with it reproduces the cell), and the
simulation outputs flattened from :meth:`ruin.simulate.SimulationResult.summary`
(``ruin_probability`` with ``ruin_probability_ci_low`` / ``_ci_high``, ``max_drawdown_p50`` ..
``_p99``, ``final_equity_median``, ``p_drawdown_ge_0.2``, and any model extras such as
liquidation odds).

Seeding
-------
Each cell's seed comes from ``numpy.random.SeedSequence(sweep_seed, spawn_key=k)`` where ``k``
is derived from the cell's coordinates, i.e. its axis values (not its position), so a cell's
result is the same however the grid is split into tasks, ordered, resumed or extended by
new axis values. ``seed`` itself may be an axis (replicates): the sweep seed is then 0 and
each replicate's own stream is in the ``cell_seed`` column.

Execution and resuming
----------------------
Cells are grouped into batches (tasks) sized to amortise scheduling overhead. Without a
scheduler the batches run on local processes (:class:`concurrent.futures.ProcessPoolExecutor`
with spawned workers, rebuilt and the unfinished batches resubmitted if a worker dies; one
worker runs in this process); with ``scheduler=`` they are submitted to a Dask distributed
cluster, which reruns elsewhere the tasks of a worker that dies. Every finished batch is
written at once to ``<out>.parts/`` as its own Parquet file, so an interrupted sweep loses no
finished cells: running it again skips them. At the end the parts are consolidated into
``<out>`` (sorted by ``cell``) and the parts folder is removed.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import math
import os
import shutil
import socket
import sys
import threading
import time
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from .config import build_scenario, known_keys
from .engine.rng import resolve_seed
from .errors import ParameterError, check_choice, check_int, check_number
from .simulate import numba_threads as _numba_threads

__all__ = [
    "SweepSpec",
    "Cell",
    "load_spec",
    "expand_cells",
    "cell_seed",
    "plan_batches",
    "run_batch",
    "run_sweep",
    "summary_row",
]

METHODS = ("simulate", "exact")
KINDS = ("account", "odds")
SPEC_KEYS = ("name", "description", "kind", "method", "batch_size", "base", "axes")
#: Flat keys of an ``kind = "odds"`` sweep: :func:`ruin.odds.liquidation_odds` arguments.
ODDS_KEYS = ("leverage", "mmr", "volatility", "horizon_days", "drift", "side", "take_profit",
             "monitoring", "paths", "seed", "entry", "max_leverage")
ODDS_REQUIRED = ("leverage", "mmr", "volatility", "horizon_days")
#: Work per batch (paths x trades) the default batch size aims at: ~0.05-0.2 s of kernel time.
TARGET_BATCH_WORK = 5_000_000
#: Batches per worker the default batch size keeps at least (load balance, progress).
BATCHES_PER_WORKER = 4
MAX_BATCH_CELLS = 1_000
CONNECT_TIMEOUT = 5.0
_STATE_FILE = "sweep.json"


# --------------------------------------------------------------------------------------
# Spec
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: base parameters, axes and options.

    Attributes
    ----------
    base : dict
        Flat parameters shared by every cell (``seed`` is the sweep seed; None: drawn).
    axes : dict of str to tuple
        Parameter name -> values, in the spec's order (the first axis varies slowest).
    method : {"simulate", "exact"}
        ``"exact"``: cells with an exact answer use it instead of simulating.
    kind : {"account", "odds"}
        ``"account"``: each cell is a :func:`ruin.simulate.simulate` run of the account model
        (keys of :func:`ruin.config.build_scenario`); ``"odds"``: each cell is
        :func:`ruin.odds.liquidation_odds` of one held position (keys :data:`ODDS_KEYS`).
    batch_size : int or None
        Cells per task (None: chosen from the cells' cost and the number of workers).
    name, description, source : str
        Free text; ``source`` (the file name) prefixes error messages.
    """

    base: dict[str, Any]
    axes: dict[str, tuple[Any, ...]]
    method: Literal["simulate", "exact"] = "simulate"
    batch_size: int | None = None
    kind: Literal["account", "odds"] = "account"
    name: str = ""
    description: str = ""
    source: str = field(default="sweep", compare=False)
    folder: str = field(default="", compare=False)

    @property
    def seed(self) -> int | None:
        return self.base.get("seed")

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(v) for v in self.axes.values())

    @property
    def n_cells(self) -> int:
        return math.prod(self.shape)


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


def _where(source: str, what: str) -> str:
    return f"{source}: {what}" if source else what


def load_spec(spec: str | os.PathLike[str] | Mapping[str, Any] | SweepSpec) -> SweepSpec:
    """Read and validate a sweep spec (a TOML path, or the parsed mapping).

    The spec's structure is checked here (known top-level keys, ``[axes]`` entries that are
    non-empty lists of distinct scalar values naming known parameters); every cell's
    parameters are checked by :func:`expand_cells`.

    Parameters
    ----------
    spec : path, mapping or SweepSpec
        A ``.toml`` file, or the mapping it would parse to.

    Returns
    -------
    SweepSpec

    Raises
    ------
    ParameterError
        Naming the file, table and key, e.g. ``sweep.toml: [axes] risk must be a non-empty
        list of values; got [].``
    """
    if isinstance(spec, SweepSpec):
        return spec
    folder = ""
    if isinstance(spec, Mapping):
        data, source = dict(spec), "sweep"
    else:
        path = Path(spec)
        source, folder = path.name, str(path.parent)
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise ParameterError("sweep spec", "an existing TOML file", str(path)) from None
        except IsADirectoryError:
            raise ParameterError("sweep spec", "a TOML file, not a folder", str(path)) from None
        except tomllib.TOMLDecodeError as exc:
            raise ParameterError(source, "valid TOML", str(exc)) from None
    for key in data:
        if key not in SPEC_KEYS:
            raise ParameterError(
                _where(source, f"top-level key {key!r}"),
                "one of " + ", ".join(SPEC_KEYS) + " (parameters go in [base] or [axes])",
                data[key],
            )
    base = data.get("base", {})
    axes = data.get("axes")
    if not isinstance(base, Mapping):
        raise ParameterError(_where(source, "[base]"), "a table of parameters", base)
    if not isinstance(axes, Mapping) or not axes:
        raise ParameterError(
            _where(source, "[axes]"), "a table mapping parameter names to lists of values",
            axes if axes is not None else "nothing",
            "Add e.g. [axes] risk = [0.01, 0.02, 0.05].",
        )
    kind = check_choice(_where(source, "kind"), data.get("kind", "account"), KINDS)
    allowed = set(ODDS_KEYS) if kind == "odds" else known_keys() | {"scenario"}
    for key in base:
        if key not in allowed:
            raise ParameterError(
                _where(source, f"[base] {key}"),
                "a known parameter (" + ", ".join(sorted(allowed)) + ")", base[key],
            )
    clean_axes: dict[str, tuple[Any, ...]] = {}
    for name, values in axes.items():
        where = _where(source, f"[axes] {name}")
        if name not in allowed:
            raise ParameterError(
                where, "a known parameter (" + ", ".join(sorted(allowed)) + ")", values
            )
        if name in base:
            raise ParameterError(
                where, "a parameter not also set in [base]", values,
                f"Remove {name} from [base] or from [axes].",
            )
        if not isinstance(values, list) or not values:
            raise ParameterError(where, "a non-empty list of values", values)
        for v in values:
            if isinstance(v, (dict, list)):
                raise ParameterError(where, "a list of numbers or strings", v)
        seen: set[str] = set()
        for v in values:
            k = json.dumps(v)
            if k in seen:
                raise ParameterError(where, "a list of distinct values", values,
                                     f"{v!r} appears twice.")
            seen.add(k)
        clean_axes[str(name)] = tuple(values)
    method = check_choice(_where(source, "method"), data.get("method", "simulate"), METHODS)
    batch_size = data.get("batch_size")
    if batch_size is not None:
        batch_size = check_int(_where(source, "batch_size"), batch_size, 1, 1_000_000)
    seed = base.get("seed")
    if seed is not None:
        check_int(_where(source, "[base] seed"), seed, 0, 2**63 - 1)
    n = math.prod(len(v) for v in clean_axes.values())
    if n > 10_000_000:
        raise ParameterError(_where(source, "[axes]"), "at most 10,000,000 cells",
                             f"{n:,} cells")
    return SweepSpec(
        base=dict(base), axes=clean_axes, method=method,  # type: ignore[arg-type]
        batch_size=batch_size, kind=kind,  # type: ignore[arg-type]
        name=str(data.get("name", "")),
        description=str(data.get("description", "")), source=source, folder=folder,
    )


# --------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------


def _resolve_preset(name: Any, folder: str = "") -> dict[str, Any]:
    """Flat parameters of the scenario preset ``name`` (a built-in name or a .toml file,
    relative paths first against the spec's folder), via :mod:`ruin.scenarios`."""
    from .scenarios import find_scenario, scenario_params

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
    text = json.dumps({"p": sorted((k, repr(v)) for k, v in flat.items()), "m": method},
                      separators=(",", ":"))
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
            if "scenario" in merged:
                named = merged.pop("scenario")
                merged = {**preset(named), **merged}
            merged["seed"] = cell_seed(sweep_seed, coords)
            scenario = build_scenario(merged)
        except ParameterError as exc:
            raise ParameterError(f"{where}: {exc.name}", exc.allowed, exc.got,
                                 exc.hint) from None
        method = spec.method
        if method == "exact" and not _exact_applies(scenario):
            method = "simulate"
        work = float(scenario.paths) * float(scenario.account.trades)
        if method == "exact":
            work = float(scenario.account.trades) ** 2 / 10.0
        cells.append(Cell(index, coords, merged, _cell_id(merged, method), method, work))
    return cells


def _odds_kwargs(flat: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in flat.items() if k not in ODDS_REQUIRED}


def _check_odds(flat: Mapping[str, Any]) -> float:
    """Validate one liquidation-odds cell without running it; returns its cost estimate.

    The checks are those of :func:`ruin.odds.liquidation_odds` (the closed form validates
    leverage, margin, volatility, horizon, drift and side; the rest are checked here).
    """
    from .odds import liquidation_probability

    for k in ODDS_REQUIRED:
        if k not in flat:
            raise ParameterError(k, "given in [base] or [axes] (an odds sweep needs "
                                 + ", ".join(ODDS_REQUIRED) + ")", None)
    side = check_choice("side", flat.get("side", "long"), ("long", "short"))
    if flat.get("max_leverage") is not None:
        ml = check_number("max_leverage", flat["max_leverage"], 1.0, 1e6)
        check_number("leverage", flat["leverage"], 1.0, ml,
                     hint=f"The venue allows at most {ml:g}x.")
    liquidation_probability(flat["leverage"], flat["mmr"], flat["volatility"],
                            flat["horizon_days"], drift=flat.get("drift", 0.0), side=side)
    horizon = float(flat["horizon_days"])
    if flat.get("take_profit") is not None:
        check_number("take_profit", flat["take_profit"], 0.0,
                     1.0 if side == "short" else None, lo_incl=False, hi_incl=False,
                     hint="Use 0.1 for a take-profit 10% from entry.")
    step = 1.0
    monitoring = flat.get("monitoring", "continuous")
    if monitoring != "continuous":
        step = check_number("monitoring", monitoring, 0.0, horizon, lo_incl=False,
                            hint="Use 'continuous' or a check interval in days no longer "
                                 "than the horizon.")
    check_number("entry", flat.get("entry", 1.0), 0.0, None, lo_incl=False)
    paths = check_int("paths", flat.get("paths", 20_000), 1, 10**9)
    return float(paths) * max(1.0, horizon / step)


def _odds_row(flat: Mapping[str, Any], method: str) -> dict[str, Any]:
    """One liquidation-odds cell as a row: closed form (exact) or Monte Carlo with it."""
    from .odds import liquidation_odds

    kw = _odds_kwargs(flat)
    if method == "exact":
        kw["paths"] = 1
    res = liquidation_odds(*(flat[k] for k in ODDS_REQUIRED), **kw)
    d = res.as_dict()
    cf = d.pop("closed_form")
    exact = cf.get("discrete_exact", cf.get("continuous"))
    row: dict[str, Any] = {"paths": res.paths}
    if method == "exact":
        row.update(paths=None, seed=None, liquidation_probability=exact,
                   liquidation_probability_ci_low=exact,
                   liquidation_probability_ci_high=exact)
    else:
        mc = d.pop("monte_carlo")
        row.update(liquidation_probability=mc["estimate"],
                   liquidation_probability_ci_low=mc["ci_low"],
                   liquidation_probability_ci_high=mc["ci_high"])
    row["liquidation_probability_closed_form"] = exact
    row["liquidation_probability_continuous"] = cf.get("continuous")
    for k in ("adverse_move", "liquidation_price", "approx_closed_form", "steps",
              "step_days"):
        row[k] = d.get(k)
    for side in ("take_profit_first", "neither"):
        v = d.get(side)
        if isinstance(v, Mapping):
            row[f"{side}_closed_form"] = v.get("closed_form")
            if method != "exact" and isinstance(v.get("monte_carlo"), Mapping):
                mcv = v["monte_carlo"]
                row[f"{side}_probability"] = mcv["estimate"]
                row[f"{side}_probability_ci_low"] = mcv["ci_low"]
                row[f"{side}_probability_ci_high"] = mcv["ci_high"]
    return row


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


# --------------------------------------------------------------------------------------
# Running one batch (on a worker)
# --------------------------------------------------------------------------------------

_KERNEL_LOCK = threading.Lock()


def _quantile_key(k: str) -> str:
    return f"p{float(k) * 100:g}"


def summary_row(summary: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten a :meth:`SimulationResult.summary` dict into one table row.

    Probabilities (dicts with ``estimate``) become ``name``, ``name_ci_low``,
    ``name_ci_high``; quantile dicts become ``name_p50`` ...; ``drawdown_exceedance`` levels
    become ``p_drawdown_ge_<level>``. Lists and timings are left out.
    """
    row: dict[str, Any] = {}

    def put(name: str, value: Any, quantile_keys: bool = False) -> None:
        if isinstance(value, Mapping):
            if "estimate" in value:
                row[name] = value["estimate"]
                for k in ("ci_low", "ci_high"):
                    if k in value:
                        row[f"{name}_{k}"] = value[k]
                return
            for k, v in value.items():
                k = str(k)
                if k == "quantiles":
                    put(name, v, quantile_keys=True)
                elif quantile_keys or name.endswith("_quantiles"):
                    stem = name.removesuffix("_quantiles")
                    put(f"{stem}_{_quantile_key(k)}", v)
                else:
                    put(f"{name}_{k}", v)
        elif value is None or isinstance(value, (bool, int, float, str, np.generic)):
            row[name] = value.item() if isinstance(value, np.generic) else value

    for key, value in summary.items():
        if key in ("seed", "elapsed_seconds") or isinstance(value, (list, tuple)):
            continue
        if key == "drawdown_exceedance":
            for lv, p in value.items():
                put(f"p_drawdown_ge_{lv}", p)
        elif key in ("longest_losing_streak", "longest_underwater", "trades_to_ruin"):
            put(f"{key}_quantiles", value)
        else:
            put(key, value)
    return row


def _exact_applies(scenario: Any) -> bool:
    """Whether an exact answer exists: Bernoulli trades, no price path or behaviour rules,
    a horizon the lattice DP accepts."""
    from . import exact
    from .params import Bernoulli

    return (isinstance(scenario.model, Bernoulli)
            and getattr(scenario, "market", None) is None
            and getattr(scenario, "behaviour", None) is None
            and scenario.account.trades <= exact.MAX_DP_TRADES)


def _exact_row(scenario: Any, drawdown_levels: Sequence[float]) -> dict[str, Any]:
    """The exact answers for ``scenario`` (lattice DP via :func:`ruin.exact.theory`) as a row
    with the simulation's column names; probabilities have a zero-width interval."""
    from . import exact

    th = exact.theory(scenario, drawdown_levels=tuple(drawdown_levels))
    row: dict[str, Any] = {"paths": None, "trades": scenario.account.trades}

    def prob(name: str, value: Any) -> None:
        if value is not None:
            row[name] = row[f"{name}_ci_low"] = row[f"{name}_ci_high"] = float(value)

    prob("ruin_probability", th.get("ruin_probability_exact"))
    if scenario.account.goal is not None:
        prob("goal_probability", th.get("goal_probability_exact"))
    for lv, v in (th.get("drawdown_exceedance_exact") or {}).items():
        prob(f"p_drawdown_ge_{lv}", v)
    if th.get("final_equity_mean_exact") is not None:
        row["final_equity_mean"] = float(th["final_equity_mean_exact"])
    prob("final_equity_p_below_start", th.get("p_final_below_start_exact"))
    return row


def run_batch(
    cells: Sequence[tuple[int, str, str, dict[str, Any], str]],
    *,
    threads: int | None = 1,
    crash_marker: str | None = None,
) -> list[dict[str, Any]]:
    """Run a batch of cells; returns one row per cell (the task every worker runs).

    Parameters
    ----------
    cells : sequence of (cell index, cell_id, method, flat parameters, kind)
        Flat parameters include the cell's own seed; kind is "account" or "odds".
    threads : int or None
        Numba threads per simulation (None: numba's default). Kernels in one process run one
        at a time, so a Dask worker with several threads is safe.
    crash_marker : str, optional
        Fault injection for tests: if this file does not exist, create it and kill the
        worker process (``os._exit``), as a machine failure would.
    """
    if crash_marker is not None and not os.path.exists(crash_marker):
        Path(crash_marker).touch()
        os._exit(17)
    from .simulate import DEFAULT_DRAWDOWN_LEVELS, simulate

    rows = []
    for index, cid, method, flat, kind in cells:
        row: dict[str, Any] = {"cell": index, "cell_id": cid, "method": method,
                               "seed": flat["seed"]}
        if kind == "odds":
            # the closed forms are serial; one numba thread keeps the 1-path run cheap
            with _KERNEL_LOCK, _numba_threads(1 if method == "exact" else threads):
                row.update(_odds_row(flat, method))
            rows.append(row)
            continue
        scenario = build_scenario(flat)
        if method == "exact":
            row["seed"] = None  # nothing random
            row.update(_exact_row(scenario, DEFAULT_DRAWDOWN_LEVELS))
        else:
            with _KERNEL_LOCK:
                result = simulate(scenario, record=0, threads=threads)
            row.update(summary_row(result.summary()))
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------
# Part files
# --------------------------------------------------------------------------------------


def _parts_dir(out: Path) -> Path:
    return out.with_name(out.name + ".parts")


def _write_atomic(df: pl.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    df.write_parquet(tmp)
    os.replace(tmp, path)


def _rows_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, infer_schema_length=None)


def _read_done(out: Path, parts: Path, wanted: set[str]) -> list[pl.DataFrame]:
    frames = []
    paths = sorted(parts.glob("part-*.parquet")) if parts.is_dir() else []
    if out.is_file():
        paths.insert(0, out)
    for p in paths:
        try:
            df = pl.read_parquet(p)
        except Exception:  # a torn or foreign file: its cells are simply run again
            continue
        if "cell_id" in df.columns:
            frames.append(df.filter(pl.col("cell_id").is_in(list(wanted))))
    return frames


def _grid_frame(spec: SweepSpec, cells: Sequence[Cell]) -> pl.DataFrame:
    cols: dict[str, pl.Series] = {}
    for name in spec.axes:
        cols[name] = pl.Series(name, [c.coords[name] for c in cells], strict=False)
    cols["cell_id"] = pl.Series("cell_id", [c.cell_id for c in cells], dtype=pl.String)
    return pl.DataFrame(cols)


def _consolidate(spec: SweepSpec, cells: Sequence[Cell],
                 frames: Iterable[pl.DataFrame]) -> pl.DataFrame:
    frames = [f for f in frames if f.height]
    if not frames:
        raise RuntimeError("sweep produced no rows")  # pragma: no cover
    res = pl.concat(frames, how="diagonal_relaxed").unique("cell_id", keep="first",
                                                            maintain_order=True)
    if "seed" in spec.axes:  # replicates: the axis keeps "seed", the cell's own is cell_seed
        res = res.rename({"seed": "cell_seed"})
    res = res.drop([c for c in spec.axes if c in res.columns] + ["cell"], strict=False)
    df = _grid_frame(spec, cells).with_row_index("cell").join(res, on="cell_id", how="left")
    missing = df.filter(pl.col("method").is_null())
    if missing.height:
        raise RuntimeError(  # pragma: no cover - a bug, never user input
            f"sweep lost {missing.height} cells (first: cell {missing['cell'][0]})"
        )
    first = [*spec.axes, "cell", "cell_id", "method", "seed", "cell_seed", "paths", "trades"]
    order = [c for c in dict.fromkeys(first) if c in df.columns]
    df = df.select(order + [c for c in df.columns if c not in order]).sort("cell")
    ints = [c for c in ("cell", "seed", "cell_seed", "paths", "trades") if c in df.columns]
    return df.with_columns(pl.col(ints).cast(pl.Int64))


# --------------------------------------------------------------------------------------
# Executors
# --------------------------------------------------------------------------------------


def _default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _payload(batch: Sequence[Cell]) -> list[tuple[int, str, str, dict[str, Any], str]]:
    return [(c.index, c.cell_id, c.method, c.flat, c.kind) for c in batch]


def _run_local(batches, workers, threads, on_done, crash_marker) -> None:
    if workers == 1 and crash_marker is None:
        for b in batches:
            on_done(b, run_batch(_payload(b), threads=threads))
        return
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    pending = list(batches)
    restarts = 0
    while pending:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(pending)),
                                   mp_context=mp.get_context("spawn"))
        try:
            futs = {pool.submit(run_batch, _payload(b), threads=threads,
                                crash_marker=crash_marker): b for b in pending}
            broken = False
            while futs:
                done, _ = wait(futs, return_when=FIRST_COMPLETED)
                for f in done:
                    b = futs.pop(f)
                    try:
                        rows = f.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    pending.remove(b)
                    on_done(b, rows)
                if broken:
                    break
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if broken:
            restarts += 1
            if restarts > 3:
                raise RuntimeError("local sweep workers died repeatedly; giving up")


_ADDRESS_HELP = "a reachable Dask scheduler address like tcp://127.0.0.1:8786"


def _probe(address: str, timeout: float) -> None:
    """Fail fast, without a Dask client, when ``address`` is malformed or nobody listens."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme not in ("tcp", "tls"):
        return  # other transports: let Dask try
    host, colon, port = rest.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ParameterError("scheduler", _ADDRESS_HELP, address,
                             "Give host and port, e.g. tcp://10.0.0.5:8786.")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise ParameterError(
            "scheduler", _ADDRESS_HELP, address,
            f"Could not connect within {timeout:g} s ({reason}). Start one with "
            "`dask scheduler` and `dask worker ADDRESS`.",
        ) from None


def _connect(scheduler: Any, timeout: float):
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler, False
    address = str(scheduler)
    _probe(address, timeout)
    failure = None
    try:
        client = Client(address, timeout=f"{timeout}s", set_as_default=False)
    except Exception as exc:  # something listens there, but it is not a Dask scheduler
        failure = " ".join(str(exc).split())[:120] or type(exc).__name__
    if failure is not None:
        # the half-built client closes itself when collected; keep its noise off the screen
        hook = sys.unraisablehook
        sys.unraisablehook = lambda _unraisable: None
        try:
            gc.collect()
        finally:
            sys.unraisablehook = hook
        raise ParameterError(
            "scheduler", _ADDRESS_HELP, address,
            f"Could not connect within {timeout:g} s ({failure}). Start one with "
            "`dask scheduler` and `dask worker ADDRESS`.",
        )
    return client, True


def _run_dask(batches, client, threads, on_done, crash_marker) -> None:
    from distributed import as_completed

    futs = []
    try:
        for b in batches:
            key = "ruin-sweep-" + hashlib.sha256(
                "".join(c.cell_id for c in b).encode()).hexdigest()[:24]
            fut = client.submit(run_batch, _payload(b), threads=threads,
                                crash_marker=crash_marker, key=key, retries=3, pure=False)
            futs.append((fut, b))
        by_key = {f.key: b for f, b in futs}
        for fut in as_completed([f for f, _ in futs], loop=client.loop):
            on_done(by_key[fut.key], fut.result())
            fut.release()
    finally:
        for fut, _ in futs:  # interrupted: cancel what has not run (a no-op when done)
            fut.cancel()


def _dask_workers(client: Any) -> int:
    try:
        info = client.scheduler_info(n_workers=-1)
    except TypeError:  # older signature without n_workers
        info = client.scheduler_info()
    return max(1, sum(int(w.get("nthreads", 1)) for w in info["workers"].values()))


class _Progress:
    """rich progress bar on stderr: cells done / total, cells per second, time left."""

    def __init__(self, enabled: bool, total: int, done: int, label: str) -> None:
        self.bar = None
        self.t0 = time.perf_counter()
        self.start_done = done
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("cells"), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
            TextColumn("left"), TimeRemainingColumn(),
            console=Console(stderr=True), transient=False,
        )
        self.task = self.bar.add_task(label, total=total, completed=done, rate="")
        self.bar.start()

    def advance(self, n: int, done: int) -> None:
        if self.bar is None:
            return
        dt = max(time.perf_counter() - self.t0, 1e-9)
        rate = (done - self.start_done) / dt
        self.bar.update(self.task, advance=n, rate=f"{rate:,.1f}/s")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


# --------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------


def run_sweep(
    spec_or_path: str | os.PathLike[str] | Mapping[str, Any] | SweepSpec,
    *,
    out: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
    method: Literal["simulate", "exact"] | None = None,
    batch_size: int | None = None,
    threads: int | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    stats: dict[str, Any] | None = None,
    _crash_marker: str | None = None,
) -> pl.DataFrame:
    """Run a parameter sweep and return one row per cell.

    Parameters
    ----------
    spec_or_path : path, mapping or SweepSpec
        The sweep spec (see :func:`load_spec`).
    out : path, optional
        Parquet file to write. Finished batches stream into ``<out>.parts/`` as they
        complete; a later call with the same spec and ``out`` skips the cells already done
        (an interrupted sweep resumes), then consolidates everything into ``out``.
    workers : int, optional
        Local worker processes (default: all cores). Ignored with ``scheduler``.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``tcp://host:8786``) or a connected client: batches run on
        that cluster, and the tasks of a worker that dies are retried elsewhere.
    progress : bool
        Show a progress bar (cells done, rate, time left) on stderr.
    method : {"simulate", "exact"}, optional
        Overrides the spec's ``method``: ``"exact"`` uses an exact answer where one exists
        (the ``method`` column says which cells did).
    batch_size : int, optional
        Cells per task (overrides the spec; default: sized from the cells' cost).
    threads : int, optional
        Numba threads per simulation (default: cores / workers locally, 1 on Dask).
    connect_timeout : float
        Seconds to wait for the Dask scheduler.
    stats : dict, optional
        Filled with ``cells``, ``cells_run``, ``batches``, ``batch_size``, ``seconds``,
        ``sweep_seed``, ``workers`` (for benchmarks and the CLI's report).

    Returns
    -------
    polars.DataFrame
        Axis columns, ``cell``, ``cell_id``, ``method``, ``seed``, ``paths``, ``trades``, then
        the flattened simulation outputs; sorted by ``cell``.

    Raises
    ------
    ParameterError
        For a malformed spec or an invalid cell (before anything runs), bad options, or an
        unreachable scheduler.
    """
    t0 = time.perf_counter()
    spec = load_spec(spec_or_path)
    if method is not None:
        spec = replace(spec, method=check_choice("method", method, METHODS))
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size, 1, 1_000_000)
    else:
        batch_size = spec.batch_size
    if workers is not None:
        workers = check_int("workers", workers, 1, 4096)
    if threads is not None:
        threads = check_int("threads", threads, 1, 4096)
    connect_timeout = check_number("connect_timeout", connect_timeout, 0.0, 3600.0,
                                   lo_incl=False)
    out_path = Path(out) if out is not None else None
    parts = _parts_dir(out_path) if out_path is not None else None
    state = parts / _STATE_FILE if parts is not None else None

    sweep_seed = spec.seed
    if sweep_seed is None and "seed" in spec.axes:
        sweep_seed = 0  # replicates: the seed axis values make the streams
    if sweep_seed is None and spec.kind == "account" and "scenario" in spec.base:
        try:
            sweep_seed = _resolve_preset(spec.base["scenario"], spec.folder).get("seed")
        except ParameterError as exc:
            raise ParameterError(_where(spec.source, f"[base] {exc.name}"), exc.allowed,
                                 exc.got, exc.hint) from None
    if sweep_seed is None and state is not None and state.is_file():
        sweep_seed = json.loads(state.read_text()).get("seed")
    sweep_seed = resolve_seed(sweep_seed)
    cells = expand_cells(spec, sweep_seed)  # validates every cell before anything runs

    client, owned = None, False
    if scheduler is not None:
        client, owned = _connect(scheduler, connect_timeout)
    try:
        return _run_cells(spec, cells, sweep_seed, client, workers, threads, batch_size,
                          out_path, parts, state, progress, stats, t0, _crash_marker)
    finally:
        if owned:
            client.close()


def _run_cells(spec, cells, sweep_seed, client, workers, threads, batch_size, out_path,
               parts, state, progress, stats, t0, crash_marker) -> pl.DataFrame:
    if client is not None:
        n_exec = _dask_workers(client)
        cell_threads = threads or 1
    else:
        n_exec = workers or _default_workers()
        cell_threads = threads or max(1, _default_workers() // n_exec)

    wanted = {c.cell_id for c in cells}
    frames: list[pl.DataFrame] = []
    if out_path is not None and parts is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        frames = _read_done(out_path, parts, wanted)
        parts.mkdir(exist_ok=True)
        state.write_text(json.dumps({"seed": sweep_seed, "name": spec.name}))  # type: ignore[union-attr]
    done_ids = set()
    for f in frames:
        done_ids.update(f["cell_id"].to_list())
    todo = [c for c in cells if c.cell_id not in done_ids]
    batches = plan_batches(todo, n_exec, batch_size)

    bar = _Progress(progress, len(cells), len(cells) - len(todo),
                    spec.name or f"sweep {spec.source}")
    count = [len(cells) - len(todo)]

    def on_done(batch: list[Cell], rows: list[dict[str, Any]]) -> None:
        df = _rows_frame(rows)
        if parts is not None:
            name = f"part-{batch[0].index:09d}-{batch[0].cell_id[:8]}.parquet"
            _write_atomic(df, parts / name)
        frames.append(df)
        count[0] += len(batch)
        bar.advance(len(batch), count[0])

    try:
        if batches:
            if client is not None:
                _run_dask(batches, client, cell_threads, on_done, crash_marker)
            else:
                _run_local(batches, n_exec, cell_threads, on_done, crash_marker)
    finally:
        bar.close()

    df = _consolidate(spec, cells, frames)
    if out_path is not None and parts is not None:
        _write_atomic(df, out_path)
        shutil.rmtree(parts, ignore_errors=True)
    if stats is not None:
        stats.update(cells=len(cells), cells_run=len(todo), batches=len(batches),
                     batch_size=len(batches[0]) if batches else 0,
                     seconds=time.perf_counter() - t0, sweep_seed=sweep_seed,
                     workers=n_exec, threads=cell_threads,
                     executor="dask" if client is not None else "local")
    return df
