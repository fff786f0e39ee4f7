"""ruin — Streamlit teaching app.

Thin on purpose: widgets -> flat parameters -> ``ruin.build_scenario`` -> cached
``ruin.simulate`` -> chart builders from ``ruin.charts``. This file only wires the sections;
each section's widgets and layout live in a small module of the ``ui`` package beside it
(importable because Streamlit puts this script's folder on ``sys.path``). Run as the app's
entry point it registers the page list (``ui.navigation``: "Simulator" = :func:`main`,
"Lessons", "Sweeps") and draws the page the URL names.

Where each page rule lives (nothing below decides a number or a judgement):

* page defaults, limits, link fields, percent <-> fraction: ``ruin.form`` (``APP_DEFAULTS``,
  ``FIELDS``, ``to_ui`` / ``from_ui``);
* what a preset sets, incl. take-profit = payoff x stop: ``ruin.form.preset_form`` /
  ``default_take_profit``; share links in and out: ``ruin.form.read_link`` / ``write_link``
  (codec ``ruin.share``);
* key precedence widgets vs preset extras vs leverage: ``ruin.form.scenario_keys`` /
  ``market_keys``; upload and run-size limit: ``ruin.form.build_run``;
* headline numbers and Kelly: ``ruin.insights.headline`` / ``kelly_text`` (edge and Kelly
  from ``ruin.exact.closed_forms``, the exact answers after the headline); "no edge" and
  "risk above Kelly" warnings: ``ruin.insights.sizing_warnings``; the leveraged model's
  warnings: ``ruin.market.leverage_warnings``;
* the risk-per-trade sweep: ``ruin.insights.sweep_base`` / ``risk_sweep``; growth note:
  ``ruin.insights.growth_note``;
* theory vs simulation (incl. "theory in interval?"): ``ruin.insights.theory_rows``; the
  exact answers: ``ruin.exact.theory``;
* liquidation-odds curve and grid values: ``ruin.insights.liquidation_views`` (closed forms
  ``ruin.odds``); position numbers: ``ruin.market.describe_position``;
* A vs B table and changed inputs: ``ruin.insights.compare_table``,
  ``ruin.form.changed_inputs``; recorded paths: ``ruin.insights.paths_to_record``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ruin import Bootstrap, ParameterError, Scenario, describe_position, form, insights
from ruin.exact import closed_forms
from ui import (
    compare,
    distributions,
    formulas,
    headline,
    leverage,
    navigation,
    risk,
    runs,
    share_export,
    sidebar,
    specs,
    state,
    theory,
)
from ui.warmup import compile_with_progress


def _introduction() -> None:
    st.title("Risk of ruin")
    st.caption(
        "Simulate thousands of trading accounts that follow the same rules and see how often "
        "they blow up, how deep they fall and where they end. Every number is a Monte Carlo "
        "estimate with its 95% interval; exact answers sit beside it where they exist."
    )
    for note in state.notices():
        st.warning(note)


def _scenario_or_stop(
    flat: dict[str, Any], extras: dict[str, Any], upload: tuple[str, bytes] | None
) -> Scenario:
    """The scenario to run; bad input shows an error naming the field and stops the page."""
    try:
        return form.build_run(flat, extras, upload=upload)
    except ParameterError as err:
        field = getattr(err, "name", "input")
        st.error(f"**{field}** — {err}", icon="🚫")
        st.info("Fix the input named above; nothing was simulated.")
        st.stop()
        raise  # st.stop() ends a script run; outside one (bare import) re-raise


def _bootstrap_notice(scenario: Scenario, upload: tuple[str, bytes] | None) -> None:
    if not isinstance(scenario.model, Bootstrap):
        return
    src = upload[0] if upload is not None else str(scenario.model.source).split("/")[-1]
    st.success(
        f"Resampling {len(scenario.model.trades):,} trades from **{src}** "
        f"({scenario.model.method} bootstrap). The win-rate and payoff sliders are "
        "not used"
        + ("; uploaded trades are not part of the share link." if upload is not None else ".")
    )


def main() -> None:
    st.set_page_config(page_title="ruin — risk of ruin", layout="wide")
    state.init_from_link()
    extras = state.extras()
    _introduction()
    with st.sidebar:
        uploaded = sidebar.render(extras)
    upload = None if uploaded is None else (uploaded.name, uploaded.getvalue())

    flat = state.read_form()
    query = state.write_link(flat)  # every input in the URL, before the run can fail
    scenario = _scenario_or_stop(flat, extras, upload)
    compile_with_progress(scenario)  # first run on a fresh machine: which kernel, how far

    result = runs.run(scenario)
    summary = result.summary()
    quick = closed_forms(scenario)  # edge and Kelly: the headline needs no lattice
    _bootstrap_notice(scenario, upload)
    position = describe_position(scenario) if scenario.market is not None else None
    numbers = insights.headline(result, summary, quick, position)

    headline.render(numbers, scenario, result)
    headline.warnings(numbers, scenario, summary, quick, position)
    headline.lead()  # the browser draws the headline before the charts arrive
    exact = runs.exact_theory(scenario)  # the lattice DPs, once the headline is on its way
    key = specs.scenario_key(scenario)  # charts are converted once per scenario, for all
    log, shown = distributions.render(numbers, scenario, result, summary, key)
    lev_charts = leverage.section(scenario, summary, position, key)
    sweep_chart = risk.render(scenario, exact, numbers.kelly, key)
    theory.render(scenario, result, summary, exact)
    compare.render(flat, upload, scenario, result, log)
    share_export.render(
        query, flat, result, summary, exact, {**shown, "Risk sweep": sweep_chart, **lev_charts}
    )
    formulas.render()


# A guard, not a top-level script: importing app.py (or a worker process re-importing the
# main module) must not run the page. Streamlit and AppTest run it as "__main__": the page
# list (ui.navigation) names every page and draws the one the URL asks for ("/": main()).
if __name__ == "__main__":
    navigation.run(main)
