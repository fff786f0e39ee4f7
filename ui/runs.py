"""Cached engine calls: the page never simulates outside these.

Small runs are cached by scenario (frozen parameter objects are safe cache keys); runs from
:data:`ruin.form.BIG_RUN` path-trades show a progress bar and keep one result per session.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from ruin import Scenario, SimulationResult, build_scenario, insights, market, simulate, theory
from ruin.form import BIG_RUN


@st.cache_resource(show_spinner=False)
def warm_up() -> bool:
    """Compile (or load) the numba kernels once per server process."""
    simulate(build_scenario({"paths": 64, "trades": 8, "seed": 1}), record=4)
    market.warm_up()  # the price-path kernels
    return True


@st.cache_data(show_spinner=False, max_entries=48, max_size="1GiB")
def _run_cached(sc: Scenario) -> SimulationResult:
    return simulate(sc, record=insights.paths_to_record(sc))


def run(sc: Scenario) -> SimulationResult:
    """Small runs: cached. Big runs: a progress bar (and a one-entry session cache).

    The bar has a place on every call, shown or not (:mod:`ui.places`)."""
    slot = st.empty()
    if sc.paths * sc.account.trades < BIG_RUN:
        return _run_cached(sc)
    last = st.session_state.get("_big")
    if last is not None and last[0] == sc:
        return last[1]
    bar = slot.progress(0.0, text=f"Simulating {sc.paths:,} accounts…")

    def tick(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Simulated {done:,} of {total:,} accounts")

    res = simulate(sc, record=insights.paths_to_record(sc), progress=tick)
    slot.empty()
    st.session_state["_big"] = (sc, res)
    return res


@st.cache_data(show_spinner=False, max_entries=48)
def exact_theory(sc: Scenario) -> dict[str, Any]:
    """Exact and closed-form answers (:func:`ruin.exact.theory`)."""
    return theory(sc)


@st.cache_data(show_spinner=False, max_entries=24)
def _risk_sweep(base: Scenario) -> pl.DataFrame:
    return insights.risk_sweep(base)


def risk_sweep(sc: Scenario) -> pl.DataFrame:
    """The risk-per-trade sweep, cached on the scenario *without* its risk
    (:func:`ruin.insights.sweep_base`), so moving the risk slider reuses it."""
    return _risk_sweep(insights.sweep_base(sc))


@st.cache_data(show_spinner=False, max_entries=64)
def liquidation_views(trade: Any) -> insights.LiquidationViews:
    """Closed-form liquidation odds of a trade setup (:func:`ruin.insights.liquidation_views`),
    shared by every session with the same setup."""
    return insights.liquidation_views(trade)
