"""The run's distributions: equity fan, drawdown, final equity, survival, losing streaks."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ruin import Scenario, SimulationResult, charts
from ruin.insights import Headline

from . import specs
from .text import HELP

#: Lowest equity drawn on a log axis (a ruined account at 0 would not show).
LOG_FLOOR = 1e-3
#: Most points per curve (fan bands, sample accounts, survival): about one per 3.5 pixels
#: of the page's widest chart, which looks the same as one per trade. Every point costs the
#: browser: Vega evaluates each point's encodings through its expression interpreter. At 500
#: trades, 250 points instead of 501 made the whole page of a new session ready in 3.68 s
#: instead of 4.04 s and a slider move's charts redrawn in 0.78 s instead of 0.91 s (medians
#: of 7 and 6, alternating with the old page on one machine); the headline did not move.
PAGE_POINTS = 250


def render(
    h: Headline, scenario: Scenario, result: SimulationResult, summary: dict[str, Any], key: str
) -> tuple[bool, dict[str, Any]]:
    """Returns (log scale chosen, chart builders by title).

    ``key`` is the scenario's :func:`ui.specs.scenario_key`: each chart is converted once
    per scenario (and log choice) and shared by every session.
    """
    log = st.toggle("Log scale for equity", key="w_log", help=HELP["log"])
    acc = scenario.account

    def fan() -> dict[str, Any]:
        bands, sample = charts.fan_frames(
            result, samples=8, max_points=PAGE_POINTS, floor=LOG_FLOOR if log else None
        )
        return {
            "bands": bands,
            "paths": sample,
            "log": log,
            "ruin_level": acc.ruin_level,
            "goal": acc.goal,
        }

    def drawdown() -> dict[str, Any]:
        hist, exceed = charts.drawdown_frames(result.max_drawdown)
        marks = charts.drawdown_marks({"median": h.mdd_median[0], "95th pct": h.mdd_95[0]})
        return {"hist": hist, "exceed": exceed, "marks": marks}

    def final() -> dict[str, Any]:
        frame = charts.final_equity_frame(result.final_equity)
        return {
            "frame": frame,
            "marks": charts.final_equity_marks(h.final_median[0]),
            "bust": charts.bust_share(frame),
        }

    def survival() -> dict[str, Any]:
        return {
            "frame": charts.survival_frame(result.survival, max_points=PAGE_POINTS),
            "low": charts.survival_floor(result.survival),
            "marker": 21 if acc.trades >= 21 else None,
            "marker_label": "first month (≈21 trades)",
        }

    def streaks() -> dict[str, Any]:
        return {"frame": charts.streak_frame(result.longest_losing_streak)}

    out = {"Equity fan": specs.show(st, ("fan", key, log), charts.fan_chart, fan)}
    st.caption(
        "The shaded bands hold the middle 50% and 90% of accounts after each trade; "
        "the black line is the median account. Grey lines are individual accounts: "
        "the typical account is not the average one."
    )

    left, right = st.columns(2)
    out["Max drawdown"] = specs.show(left, ("drawdown", key), charts.drawdown_chart, drawdown)
    left.caption(
        "Bars: how many accounts had each worst drawdown. Orange line: the chance "
        "of a drawdown at least that deep (read 50% on the right axis to find the "
        "median)."
    )
    out["Final equity"] = specs.show(right, ("final", key), charts.final_equity_chart, final)
    right.caption(
        "Where accounts finish, on a log scale. Compounding makes the distribution "
        "lopsided: a few huge winners pull the mean far above the median."
    )

    left, right = st.columns(2)
    out["Survival"] = specs.show(left, ("survival", key), charts.survival_chart, survival)
    left.caption(
        "Share of accounts still alive after each trade. Most ruin happens early, "
        "while the account is still close to the ruin line."
    )
    out["Losing streaks"] = specs.show(right, ("streaks", key), charts.streak_chart, streaks)
    ls = summary["longest_losing_streak"]
    right.caption(
        f"Even with these odds, the median account sees {ls['0.5']:.0f} losses in "
        f"a row and one in twenty sees {ls['0.95']:.0f}. Plan for streaks."
    )
    return log, out
