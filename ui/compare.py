"""Compare A vs B: pin the current inputs as A, change any input, see both on one seed."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ruin import ParameterError, Scenario, SimulationResult, charts, form, insights

from . import runs, specs, state
from .distributions import LOG_FLOOR


@st.fragment
def render(
    flat: dict[str, Any],
    upload: tuple[str, bytes] | None,
    scenario: Scenario,
    result: SimulationResult,
    log: bool,
) -> None:
    """A fragment: "Pin current as A" and "Clear A" re-run this panel only, not the page."""
    st.subheader("Compare A vs B")
    pinned = state.pinned()
    left, right = st.columns([1, 4])
    left.button(
        "Pin current as A",
        on_click=state.pin,
        help="Freeze the current inputs as scenario A, then change inputs: the page "
        "shows A and the current scenario B side by side on the same random "
        "numbers.",
    )
    if pinned is None:
        right.caption("Pin the current inputs as A, then move any slider to compare.")
        return
    left.button("Clear A", on_click=state.unpin)
    a_flat, a_extras = pinned
    try:
        res_a = runs.run(form.build_run(a_flat, a_extras, upload=upload, seed=scenario.seed))
    except ParameterError as err:
        right.error(f"Pinned scenario A no longer runs: {err}")
        return
    right.table(insights.compare_table(res_a, result), hide_index=True)  # static, as ui.theory
    diff = form.changed_inputs(a_flat, flat)
    right.caption(
        "Changed inputs: "
        + (", ".join(f"{k} {a!r} → {b!r}" for k, (a, b) in diff.items()) or "none yet")
        + f". Both use seed {scenario.seed}."
    )
    floor = LOG_FLOOR if log else None

    def parts() -> dict[str, Any]:
        ba, _ = charts.fan_frames(res_a, samples=0, floor=floor)
        bb, _ = charts.fan_frames(result, samples=0, floor=floor)
        return {"bands": [("A (pinned)", ba), ("B (current)", bb)], "log": log}

    keys = (specs.scenario_key(res_a.scenario), specs.scenario_key(scenario))
    specs.show(st, ("compare", *keys, log), charts.compare_fan_chart, parts)
