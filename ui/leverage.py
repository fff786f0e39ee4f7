"""Leverage: the perpetual-futures inputs (sidebar) and the liquidation section."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ruin import ParameterError, Scenario, charts, form, insights
from ruin.insights import pct

from . import runs, specs, state


def inputs() -> None:
    """The perpetual-futures inputs (percents on screen)."""
    st.subheader("Leverage (perpetual futures)")
    on = st.toggle(
        "Trade a leveraged position on a simulated price path",
        key="w_leveraged",
        help="Each trade opens a long or short perp position that ends at the "
        "take-profit, the stop, liquidation or the time stop. Win rate is "
        "then the chance of hitting the take-profit before the stop.",
    )
    if not on:
        st.caption("Off: trades are simple win/lose bets in R.")
        return
    st.number_input(
        "Leverage (×)",
        1.0,
        1000.0,
        step=1.0,
        key="w_leverage",
        help="Position size divided by the margin put up. Higher leverage puts "
        "the liquidation price closer to the entry.",
    )
    left, right = st.columns(2)
    left.number_input(
        "Stop (% from entry)",
        0.05,
        90.0,
        step=0.25,
        key="w_stop",
        help="Price distance to the stop-loss. A stopped trade loses 1R.",
    )
    right.number_input(
        "Take-profit (%)",
        0.05,
        1000.0,
        step=0.25,
        key="w_take_profit",
        help="Price distance to the take-profit; payoff = take-profit ÷ stop.",
    )
    ratio = form.payoff_of(st.session_state["w_take_profit"], st.session_state["w_stop"])
    st.caption(f"Payoff on a win = {ratio:.2f}R (the payoff slider is not used in this mode).")
    left, right = st.columns(2)
    left.radio("Side", ["long", "short"], key="w_side", horizontal=True)
    right.radio(
        "Margin",
        ["isolated", "cross"],
        key="w_margin_mode",
        horizontal=True,
        help="Isolated: only the position's margin can be lost. Cross: the whole "
        "account backs the position (later liquidation, bigger losses).",
    )
    st.selectbox(
        "Venue preset",
        form.VENUES,
        key="w_venue",
        help="Maintenance margin tiers, fees and funding of a real venue "
        "(illustrative calibration, dated).",
    )
    st.selectbox(
        "Asset preset",
        form.ASSETS,
        key="w_asset",
        on_change=state.asset_changed,
        help="Sets the volatility, slippage and the fat-tail / clustering / crash "
        "parameters of a typical asset.",
    )
    vol = st.slider(
        "Volatility (% per day)",
        0.1,
        50.0,
        step=0.1,
        key="w_volatility",
        help="Standard deviation of daily log returns. BTC is about 2.5% a day.",
    )
    st.caption(f"= {insights.annualised(vol):.0f}% annualised (daily × √365).")
    st.checkbox(
        "Fat tails (Student-t shocks)",
        key="w_tails",
        help="Big moves happen more often than a normal distribution says.",
    )
    st.checkbox(
        "Volatility clustering (GARCH)", key="w_garch", help="Calm and wild periods come in runs."
    )
    st.checkbox(
        "Jumps (crashes and pumps)",
        key="w_jumps",
        help="Rare sudden gaps both ways: crashes hit longs, squeezes hit shorts. They come on "
        "top of the volatility above (it excludes jumps; the warnings say how much they add).",
    )
    st.selectbox(
        "Funding regime",
        form.REGIMES,
        key="w_funding_regime",
        help="Typical funding paid by longs to shorts (bull: longs pay a lot).",
    )
    left, right = st.columns(2)
    left.number_input(
        "Fee (bps per fill)",
        0.0,
        1000.0,
        step=0.5,
        key="w_fee_bps",
        placeholder="venue's",
        help="Blank: the venue's taker fee (or none).",
    )
    right.number_input(
        "Slippage (bps)",
        0.0,
        1000.0,
        step=0.5,
        key="w_slippage_bps",
        placeholder="asset's",
        help="Blank: the asset's typical slippage.",
    )
    left, right = st.columns(2)
    left.number_input(
        "Time stop (days)",
        0.0,
        365.0,
        step=0.5,
        key="w_max_hold_days",
        placeholder="none",
        help="Close at market after this long. Blank: none.",
    )
    right.number_input(
        "Maint. margin (%)",
        0.0,
        50.0,
        step=0.05,
        key="w_mmr",
        placeholder="venue's",
        help="Maintenance margin rate. Blank: venue's tier (or 0.5%).",
    )


def _position_metrics(position: dict[str, Any], summary: dict[str, Any]) -> None:
    cols = st.columns(4)
    cols[0].metric(
        "Liquidation distance",
        pct(position["liquidation_distance"], 2),
        help="How far the price must move against you (from entry, after entry "
        "costs) before the venue liquidates the position.",
    )
    cols[0].caption(
        f"stop is {position['stop_distance']:.2%} away"
        + (" — beyond liquidation!" if position["stop_beyond_liquidation"] else "")
    )
    cols[1].metric(
        "Normal days to liquidation",
        f"{position['daily_moves_to_liquidation']:.2f}",
        help="Liquidation distance divided by one day's typical move (volatility).",
    )
    cols[1].caption(
        f"one normal day's move liquidates from {position['daily_move_liquidation_leverage']:.1f}×"
    )
    cols[2].metric(
        "Position size",
        f"{position['notional_multiple']:.2f}× equity",
        help="Notional = risk ÷ stop. Leverage changes the margin, not the size.",
    )
    cols[2].caption(f"margin {position['margin_fraction']:.2%} of equity")
    total, parts = insights.cost_breakdown(summary)
    cols[3].metric(
        "Costs per trade",
        f"{total:.3f} R",
        help="Average fees + slippage + funding per trade, in R.",
    )
    cols[3].caption(parts)
    if position.get("calibration"):
        st.caption("Presets: " + str(position["calibration"]))


def section(
    scenario: Scenario, summary: dict[str, Any], position: dict[str, Any] | None, key: str
) -> dict[str, Any]:
    """Liquidation numbers and charts of a leveraged run; returns its chart builders by title.

    The closed-form liquidation odds depend on the trade alone, so they are computed and
    converted once per trade setup (:func:`ui.runs.liquidation_views`), for every session.
    """
    out: dict[str, Any] = {}
    if position is None:
        return out
    mk = scenario.market
    st.subheader("Leverage and liquidation")
    _position_metrics(position, summary)
    left, right = st.columns(2)
    mix = insights.exit_mix_frame(summary)
    if mix is not None:
        out["Exit mix"] = specs.show(
            left, ("exit_mix", key), charts.exit_mix_chart, lambda: {"frame": mix}
        )
        left.caption(
            "How the simulated trades ended. Liquidations cost the whole margin; "
            "time stops close wherever the price happens to be."
        )
    try:
        views = runs.liquidation_views(mk)
    except ParameterError as err:
        right.warning(f"Liquidation odds unavailable: {err}")
        return out
    trade = specs.scenario_key(mk)
    title = f"Chance the price touches liquidation within {views.horizon:g} day(s)"
    out["Liquidation vs leverage"] = specs.show(
        right,
        ("liq_curve", trade),
        charts.liquidation_curve_chart,
        lambda: {
            "frame": views.curve,
            "leverage": mk.leverage,
            "y": "liquidation_probability",
            "title": title,
        },
    )
    right.caption(
        f"At {mk.volatility:.2%} daily volatility, ignoring the stop "
        "(closed form for a driftless random walk). Doubling leverage roughly "
        "halves the distance to liquidation."
    )
    out["Leverage × volatility"] = specs.show(
        st,
        ("liq_grid", trade),
        charts.liquidation_heatmap,
        lambda: {"frame": views.grid, "y": "annual_vol", "value": "liquidation_probability"},
    )
    st.caption(
        f"Same question over a grid: holding {views.horizon:g} day(s), which "
        "leverage survives which market? Read across a row to see a calm "
        "market turn dangerous as leverage rises."
    )
    return out
