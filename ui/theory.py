"""Theory vs simulation: exact or closed-form answers beside the Monte Carlo estimates."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ruin import Scenario, SimulationResult, insights


def render(
    scenario: Scenario, result: SimulationResult, summary: dict[str, Any], theory: dict[str, Any]
) -> None:
    st.subheader("Theory vs simulation")
    st.caption(
        "Exact or closed-form answers beside the Monte Carlo estimate and its 95% "
        "interval. If theory sits inside the interval, the simulation agrees. The "
        "popular formulas at the bottom are *approximations* — see how far off they "
        "can be."
    )
    table = insights.theory_table(scenario, result, summary, theory)
    if table.height:
        st.dataframe(
            table, hide_index=True, width="stretch", height=35 * (table.height + 1) + 3
        )  # every row visible, no inner scroll
    for note in theory.get("notes") or []:
        st.caption("• " + note)
    notes = insights.approximation_notes(theory)
    if notes:
        with st.expander("What the approximations assume", expanded=True):
            for label, text in notes:
                st.markdown(f"**{label}** — {text}")
