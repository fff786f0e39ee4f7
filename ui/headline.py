"""Headline metrics (with 95% intervals) and the plain-words warnings under them."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from ruin import Scenario, SimulationResult, insights
from ruin.insights import Headline, interval_text, pct

from . import places
from .text import HELP

#: Seconds the page waits after sending the headline, before it computes and sends the rest.
#: The browser draws the elements that arrive together in one go: when the charts' specs came
#: right behind the headline (as soon as they were cheap to make, ui/specs.py), a slider
#: move's new headline showed only with the redrawn charts. See :func:`lead`.
LEAD_S = 0.06


def lead() -> None:
    """Give the headline a head start: sleep :data:`LEAD_S` (holding no lock and no CPU),
    so the browser receives the headline and draws it before the charts arrive."""
    time.sleep(LEAD_S)


def render(h: Headline, scenario: Scenario, result: SimulationResult) -> None:
    st.subheader("Headline numbers")
    top = st.columns(4)
    top[0].metric(
        "Probability of ruin",
        pct(h.ruin.estimate),
        help=f"Share of accounts whose equity fell to "
        f"{scenario.account.ruin_level:.0%} of the start or below at some "
        "point. Ruin is permanent.",
    )
    top[0].caption(interval_text(h.ruin.ci_low, h.ruin.ci_high))
    if h.liquidation is not None:
        top[1].metric(
            "P(at least one liquidation)",
            pct(h.liquidation["estimate"]),
            help="Share of accounts that had at least one position liquidated.",
        )
        top[1].caption(interval_text(h.liquidation["ci_low"], h.liquidation["ci_high"]))
    else:
        top[1].metric(
            "P(at least one liquidation)",
            "—",
            help="Needs the leveraged price-path model (leverage section).",
        )
        top[1].caption("no leverage model in this run")
    top[2].metric(
        "Median max drawdown",
        pct(h.mdd_median[0]),
        help="Half the accounts suffered a worse peak-to-trough fall than this.",
    )
    top[2].caption(interval_text(h.mdd_median[1], h.mdd_median[2]))
    top[3].metric(
        "95th-percentile max drawdown",
        pct(h.mdd_95[0]),
        help="One account in twenty fell further than this from its peak.",
    )
    top[3].caption(interval_text(h.mdd_95[1], h.mdd_95[2]))

    low = st.columns(4)
    low[0].metric(
        "Median final equity",
        f"{h.final_median[0]:.2f}×",
        help="Half the accounts ended below this multiple of their starting equity.",
    )
    low[0].caption(
        insights.median_note(h.final_median, scenario)
        or interval_text(h.final_median[1], h.final_median[2], ".2f")
    )
    low[1].metric(
        "Realised win rate",
        pct(h.win_rate, 2),
        help="Share of simulated trades that won (should be close to the input).",
    )
    if h.win_interval is not None:
        low[1].caption(interval_text(h.win_interval.ci_low, h.win_interval.ci_high, ".2%"))
    if h.kelly is not None:
        value, caption = insights.kelly_text(scenario.sizing.risk, h.kelly)
        low[2].metric(
            "Kelly fraction",
            value,
            help="The risk per trade that maximises long-run growth. Above it you "
            "take more risk for less growth; at 2× Kelly growth is about zero.",
        )
        low[2].caption(caption)
    else:
        low[2].metric(
            "Kelly fraction",
            "—",
            help="No closed form for this scenario (behaviour rules change the "
            "sizing or the outcomes).",
        )
    low[3].metric("Seed", str(result.seed), help=HELP["seed"])
    low[3].caption(
        f"{result.paths:,} paths × {result.trades:,} trades in {result.elapsed_seconds:.2f} s"
    )
    rules = result.extra.get("account_rules")
    if rules is not None:
        _rules_row(rules)


def _rules_row(rules: dict[str, Any]) -> None:
    """Trailing drawdown / daily loss limit / challenge: what stopped the accounts."""
    st.markdown("**Account rules: what stopped each account**")
    cols = st.columns(5)
    for col, (key, label) in zip(cols, insights.RULE_LABELS.items(), strict=True):
        share = rules["stop_shares"][key]
        col.metric(label, pct(share["estimate"]))
        col.caption(interval_text(share["ci_low"], share["ci_high"]))
    days = rules.get("days_to_pass")
    if days:
        st.caption(
            f"Days to pass: median {days['median']:.0f}, mean {days['mean']:.1f}, "
            f"90% of passes within {days['p90']:.0f} days "
            f"({rules['trades_per_day']} trade(s) a day)."
        )


def warnings(
    h: Headline,
    scenario: Scenario,
    summary: dict[str, Any],
    theory: dict[str, Any],
    position: dict[str, Any] | None,
) -> None:
    """Warnings in plain words: sizing against the edge, then the run's own. They come and
    go with the inputs (risk above Kelly), so they keep one place (:mod:`ui.places`)."""
    texts = [
        *insights.sizing_warnings(scenario.sizing.risk, theory, h.kelly, position),
        *insights.run_warnings(summary),
    ]
    places.in_one_place(texts, st.warning)
