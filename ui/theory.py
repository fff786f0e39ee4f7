"""Theory vs simulation: exact or closed-form answers beside the Monte Carlo estimates."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ruin import Scenario, SimulationResult, insights

from . import places


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
        # a static table, every row visible: st.dataframe's interactive grid cost every new
        # session about half a second of the browser's time before the page's first numbers
        # showed (benchmarks/bench_class.py), for a few rows of text nobody sorts
        st.table(table, hide_index=True)
    places.in_one_place(theory.get("notes") or [], lambda note: st.caption("• " + note))
    notes = insights.approximation_notes(theory)
    if notes:
        with st.expander("What the approximations assume", expanded=True):
            for label, text in notes:
                plain = text.replace("*", r"\*")  # the formulas' "*" multiply, not emphasise
                st.markdown(f"**{label}** — {plain}")
