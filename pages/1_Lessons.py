"""Lessons mode: pick a lesson, predict, run, compare your guess with the simulation.

Thin on purpose: the lessons, their runs and the grading live in :mod:`ruin.studies.lessons`, the
"change the rules" conversion in :func:`ruin.form.lesson_rules`, the table's columns in
:func:`ruin.insights.lesson_table` and the chart in :func:`ruin.charts.variant_survival_chart`;
this page only places widgets and what the library returns (percents in the UI, fractions in
the core).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ruin import ParameterError
from ruin.charts import variant_survival_chart
from ruin.form import lesson_rules
from ruin.insights import lesson_table
from ruin.studies.lessons import METRIC_LABELS, grade, load_lessons, run_lesson

st.set_page_config(page_title="ruin — lessons", page_icon="🎓", layout="wide")

#: "Change the rules" inputs: flat key -> (label, min, max, default, step, help).
RULES: dict[str, tuple[str, float, float, float, float, str]] = {
    "martingale": (
        "Multiply risk after a loss",
        1.0,
        10.0,
        1.0,
        0.5,
        "1 = off; 2 doubles the risk after each loss (revenge sizing).",
    ),
    "anti_martingale": ("Multiply risk after a win", 1.0, 10.0, 1.0, 0.5, "1 = off."),
    "risk_cap": (
        "Risk cap (% of equity)",
        0.1,
        100.0,
        100.0,
        0.5,
        "The rules never risk more than this.",
    ),
    "drawdown_cut": (
        "Cut risk in a drawdown of (%)",
        0.0,
        99.0,
        0.0,
        1.0,
        "0 = off; while the drawdown is at least this, risk is halved.",
    ),
    "win_rate_sample": (
        "Win rate measured on N trades",
        0.0,
        100000.0,
        0.0,
        10.0,
        "0 = known exactly; otherwise drawn per account from its posterior.",
    ),
    "partial_tp": (
        "Close half at +R, stop to entry",
        0.0,
        100.0,
        0.0,
        0.25,
        "0 = off; e.g. 1 closes half the position at +1 R (must be below payoff).",
    ),
}


@st.cache_data(show_spinner=False, max_entries=64)
def _lessons() -> list[Any]:
    return load_lessons()


@st.cache_data(show_spinner=False, max_entries=32)
def _run(name: str, paths: int, seed: int, extra: tuple[tuple[str, Any], ...]) -> Any:
    lesson = next(x for x in _lessons() if x.name == name)
    return run_lesson(lesson, paths=paths, seed=seed, your_rules=dict(extra) or None)


def _rules_from_widgets() -> dict[str, Any]:
    values = {key: st.session_state.get(f"rule_{key}") for key in RULES}
    return lesson_rules(values, {key: spec[3] for key, spec in RULES.items()})


def _prediction_widget(lesson: Any) -> Any:
    pr = lesson.prediction
    label = f"Your prediction: {METRIC_LABELS[pr['answer_metric']]}"
    if pr.get("answer_variant"):
        label += f" ({pr['answer_variant']})"
    if pr["kind"] == "choice":
        return st.radio(label, list(pr["options"]), key=f"guess_{lesson.name}")
    if pr["unit"] == "percent":
        v = st.slider(
            label + " (%)",
            min_value=float(pr["min"] * 100),
            max_value=float(pr["max"] * 100),
            value=float(pr["min"] * 100),
            step=float(pr["step"] * 100),
            key=f"guess_{lesson.name}",
        )
        return v / 100.0
    return st.slider(
        label,
        min_value=float(pr["min"]),
        max_value=float(pr["max"]),
        value=float(pr["min"]),
        step=float(pr["step"]),
        key=f"guess_{lesson.name}",
    )


def main() -> None:
    st.title("Lessons: predict first, then run")
    try:
        lessons = _lessons()
    except ParameterError as exc:
        st.error(f"A lesson file is invalid: {exc}")
        return
    if not lessons:
        st.info("No lessons found in the scenarios folder.")
        return
    titles = {x.title: x for x in lessons}
    title = st.selectbox("Lesson", list(titles), key="lesson")
    lesson = titles[title]
    st.caption(lesson.description)
    st.subheader("Question")
    st.markdown(lesson.question)
    guess = _prediction_widget(lesson)

    with st.sidebar:
        st.header("Run settings")
        paths = st.number_input(
            "Accounts per variant",
            min_value=100,
            max_value=200_000,
            value=min(int(lesson.scenario.params.get("paths", 10_000)), 10_000),
            step=1000,
            key="paths",
        )
        seed = st.number_input(
            "Seed (same for every variant)",
            min_value=0,
            max_value=2**53 - 1,
            value=int(lesson.scenario.params.get("seed", 1)),
            step=1,
            key="seed",
        )
        with st.expander("Change the rules (adds a variant)"):
            for key, (label, lo, hi, default, step, help_) in RULES.items():
                st.number_input(
                    label,
                    min_value=lo,
                    max_value=hi,
                    value=default,
                    step=step,
                    help=help_,
                    key=f"rule_{key}",
                )

    run = st.button("Run the lesson", type="primary", key="run")
    state_key = f"result_{lesson.name}"
    if run:
        try:
            extra = tuple(sorted(_rules_from_widgets().items()))
            with st.spinner("Simulating every variant on the same random numbers..."):
                res = _run(lesson.name, int(paths), int(seed), extra)
            st.session_state[state_key] = (res, guess)
        except ParameterError as exc:
            st.error(str(exc))
            return
    got = st.session_state.get(state_key)
    if got is None:
        st.info("Make your prediction, then press **Run the lesson**.")
        return
    res, guessed = got
    try:
        feedback = grade(guessed, res)
    except ParameterError as exc:
        st.error(str(exc))
        return
    st.subheader("Your guess against the result")
    if feedback.startswith(("Right", "Spot on")):
        st.success(feedback)
    else:
        st.warning(feedback)
    st.caption(f"seed {res.seed}: every variant used the same random numbers")
    st.dataframe(lesson_table(res.frame), hide_index=True)
    kelly = res.frame["kelly_fraction"].drop_nulls()
    if kelly.len():
        st.caption(
            f"Kelly fraction for this edge: {float(kelly[0]):.1%} of equity per trade "
            "(growth is fastest there; beyond it risk rises and growth falls)."
        )
    st.altair_chart(variant_survival_chart(res.survival), width="stretch")
    st.subheader("What to look at")
    st.markdown(lesson.look_at)
    st.subheader("Why")
    st.markdown(lesson.explanation)


main()
