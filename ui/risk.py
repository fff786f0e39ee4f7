"""How much to risk per trade: the risk sweep with full and half Kelly marked."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ruin import Scenario, charts, insights

from . import runs, specs


def render(scenario: Scenario, theory: dict[str, Any], kelly: float | None, key: str) -> Any:
    """Returns the sweep chart's builder (``None`` while a price-path sweep waits for its
    button). The sweep runs only when its chart is not cached yet (``key``: the scenario's
    :func:`ui.specs.scenario_key`)."""
    st.subheader("How much to risk per trade?")
    left, right = st.columns([3, 2])
    chart = None
    if scenario.market is None or st.session_state.get("_sweep_market") == scenario:

        def parts() -> dict[str, Any]:
            return {
                "frame": runs.risk_sweep(scenario),
                "marks": charts.risk_sweep_marks(kelly, scenario.sizing.risk),
            }

        chart = specs.show(left, ("risk_sweep", key), charts.risk_sweep_chart, parts)
    else:
        left.info(
            f"A price-path sweep re-simulates every trade {len(insights.SWEEP_RISKS)} "
            "times over; run it on demand."
        )
        if left.button("Run the risk sweep", key="w_run_sweep"):
            st.session_state["_sweep_market"] = scenario
            st.rerun()
    with right:
        st.markdown(
            "The same scenario and seed re-run at other risks per trade "
            f"({insights.SWEEP_PATHS:,} accounts each).\n\n"
            "* **Growth** (top) rises up to the *Kelly fraction* and falls after it: past "
            "Kelly you take more risk for *less* growth.\n"
            "* **Ruin** (bottom) keeps climbing with risk.\n"
            "* **Half Kelly** keeps most of the growth with far less pain, which is why "
            "professionals bet a fraction of Kelly: the edge you *think* you have is an "
            "estimate."
        )
        note = insights.growth_note(scenario.sizing.risk, theory, kelly)
        if note is not None:
            st.info(note)
    return chart
