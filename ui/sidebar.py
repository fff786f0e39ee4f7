"""The sidebar: preset, trades, upload, sizing and account (with its rules), simulation,
leverage."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ruin import form
from ruin.tradefile import TEMPLATE_CSV

from . import leverage, rules, state
from .text import HELP


def render(extras: dict[str, Any]) -> Any:
    """Every input widget; returns the uploaded trade file (or ``None``)."""
    st.header("Scenario")
    st.selectbox(
        "Preset",
        list(state.presets()),
        key="w_preset",
        on_change=state.apply_preset,
        help=HELP["preset"],
        index=None,
        placeholder="Pick a ready-made scenario…",
        format_func=state.preset_label,
    )
    if extras:
        st.info(f"This preset also sets {form.describe_extras(extras)}. These have no slider here.")
        st.button("Drop the preset's extra settings", on_click=state.clear_extras)
    st.subheader("Trades")
    st.slider("Win rate (%)", 1.0, 99.0, step=0.5, key="w_win_rate", help=HELP["win_rate"])
    st.slider("Payoff on a win (R)", 0.1, 10.0, step=0.05, key="w_payoff", help=HELP["payoff"])
    with st.expander("Use my own trades instead (CSV upload)"):
        upload = st.file_uploader(
            "Trade list (CSV or Parquet)",
            type=["csv", "parquet"],
            key="w_upload",
            help=HELP["upload"],
        )
        st.download_button(
            "Download a template CSV",
            TEMPLATE_CSV,
            "trades_template.csv",
            "text/csv",
            on_click="ignore",
        )
        st.radio(
            "Resampling",
            ["iid", "block"],
            key="w_bootstrap",
            horizontal=True,
            help="iid: each trade drawn independently. block: runs of consecutive "
            "trades, which keeps losing streaks together.",
        )
        st.number_input("Block length (trades)", 1, 10_000, step=1, key="w_block_length")
    st.subheader("Sizing and account")
    st.slider("Risk per trade (% of equity)", 0.1, 100.0, step=0.1, key="w_risk", help=HELP["risk"])
    st.radio(
        "Sizing rule", ["fractional", "fixed"], key="w_sizing", horizontal=True, help=HELP["sizing"]
    )
    st.slider(
        "Ruin level (% of starting equity)",
        0.0,
        99.0,
        step=1.0,
        key="w_ruin_level",
        help=HELP["ruin_level"],
    )
    st.number_input("Goal (× start, 0 = none)", 0.0, 1e6, step=0.5, key="w_goal", help=HELP["goal"])
    rules.inputs()
    st.subheader("Simulation")
    st.number_input(
        "Trades per account", 1, form.MAX_UI_TRADES, step=50, key="w_trades", help=HELP["trades"]
    )
    st.number_input(
        "Accounts (paths)", 100, form.MAX_UI_PATHS, step=1000, key="w_paths", help=HELP["paths"]
    )
    seed, again = st.columns([3, 2], vertical_alignment="bottom")
    seed.number_input("Seed", 0, form.SEED_MAX, step=1, key="w_seed", help=HELP["seed"])
    again.button("New seed", on_click=state.new_seed, help="Draw a fresh random seed.")
    leverage.inputs()
    return upload
