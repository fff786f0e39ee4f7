"""The account rules traders live under: trailing drawdown, daily loss limit, a challenge's
minimum of trading days (with the goal above, a prop-firm challenge). Blank or 0 is off;
definitions in ``ruin.rules`` and the README."""

from __future__ import annotations

import streamlit as st


def inputs() -> None:
    """The account-rule widgets (an expander in the sidebar)."""
    with st.expander("Account rules (prop-firm style)"):
        st.caption(
            "Blank or 0 = off. With a goal above, they make a prop-firm challenge: reach the "
            "goal before a rule ends the account."
        )
        left, right = st.columns(2)
        left.number_input(
            "Trailing drawdown (%)",
            0.0,
            99.0,
            step=0.5,
            key="w_trailing_drawdown",
            placeholder="off",
            help="Ruin when closed-trade equity falls this far below its running peak.",
        )
        right.number_input(
            "Lock floor at (× start)",
            1.0,
            1e6,
            step=0.05,
            key="w_trailing_lock",
            placeholder="never",
            help="The trailing floor stops rising once the peak reaches this multiple of "
            "the start. Blank: it keeps trailing.",
        )
        left, right = st.columns(2)
        left.number_input(
            "Daily loss limit (%)",
            0.0,
            99.0,
            step=0.5,
            key="w_daily_loss_limit",
            placeholder="off",
            help="A day's loss of this share of the day's starting equity stops trading.",
        )
        right.radio(
            "At the limit",
            ["pause", "end"],
            key="w_daily_loss_action",
            horizontal=True,
            help="pause: no more trades that day. end: the account is finished.",
        )
        left, right = st.columns(2)
        left.number_input(
            "Trades per day",
            1,
            10_000,
            step=1,
            key="w_trades_per_day",
            help="Trade slots per day: the days of the daily limit and of the challenge.",
        )
        right.number_input(
            "Min. trading days",
            0,
            100_000,
            step=1,
            key="w_min_trading_days",
            help="Fewest trading days before reaching the goal counts as a pass (0 = none).",
        )
