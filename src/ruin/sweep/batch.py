"""Running one batch of cells (the task every worker runs) and turning results into rows."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import exact
from ..config import build_scenario
from ..odds import liquidation_odds
from ..simulate import DEFAULT_DRAWDOWN_LEVELS, simulate
from ..simulate import numba_threads as _numba_threads
from .spec import ODDS_REQUIRED

__all__ = ["run_batch", "summary_row"]

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


def _exact_row(scenario: Any, drawdown_levels: Sequence[float]) -> dict[str, Any]:
    """The exact answers for ``scenario`` (lattice DP via :func:`ruin.exact.theory`) as a row
    with the simulation's column names; probabilities have a zero-width interval."""
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


def _odds_kwargs(flat: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in flat.items() if k not in ODDS_REQUIRED}


def _odds_row(flat: Mapping[str, Any], method: str) -> dict[str, Any]:
    """One liquidation-odds cell as a row: closed form (exact) or Monte Carlo with it."""
    kw = _odds_kwargs(flat)
    if method == "exact":
        kw["paths"] = 1
    res = liquidation_odds(*(flat[k] for k in ODDS_REQUIRED), **kw)
    d = res.as_dict()
    cf = d.pop("closed_form")
    exact = cf.get("discrete_exact", cf.get("continuous"))
    row: dict[str, Any] = {"paths": res.paths}
    if method == "exact":
        row.update(
            paths=None,
            seed=None,
            liquidation_probability=exact,
            liquidation_probability_ci_low=exact,
            liquidation_probability_ci_high=exact,
        )
    else:
        mc = d.pop("monte_carlo")
        row.update(
            liquidation_probability=mc["estimate"],
            liquidation_probability_ci_low=mc["ci_low"],
            liquidation_probability_ci_high=mc["ci_high"],
        )
    row["liquidation_probability_closed_form"] = exact
    row["liquidation_probability_continuous"] = cf.get("continuous")
    for k in ("adverse_move", "liquidation_price", "approx_closed_form", "steps", "step_days"):
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


def run_batch(
    cells: Sequence[tuple[int, str, str, dict[str, Any], str]],
    *,
    threads: int | None = 1,
) -> list[dict[str, Any]]:
    """Run a batch of cells; returns one row per cell (the task every worker runs).

    Parameters
    ----------
    cells : sequence of (cell index, cell_id, method, flat parameters, kind)
        Flat parameters include the cell's own seed; kind is "account" or "odds".
    threads : int or None
        Numba threads per simulation (None: numba's default). Kernels in one process run one
        at a time, so a Dask worker with several threads is safe.
    """
    rows = []
    for index, cid, method, flat, kind in cells:
        row: dict[str, Any] = {
            "cell": index,
            "cell_id": cid,
            "method": method,
            "seed": flat["seed"],
        }
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
