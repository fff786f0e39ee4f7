"""Lessons mode: pick a lesson, predict, run, compare your guess with the simulation.

Course authors: ``?lesson=NAME`` opens a lesson, ``&embed=true`` shows that lesson alone (no
lesson menu, no sidebar); ``RUIN_LESSONS_DIR`` names a folder of their own lesson files,
served after the built-in ones; "Try your own lesson file" loads one uploaded TOML.

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
from ruin.charts import lesson_reveal_chart, variant_survival_chart
from ruin.form import lesson_link, lesson_rules
from ruin.insights import lesson_table, liquidation_distance_table
from ruin.studies.lessons import (
    LESSONS_DIR_ENV,
    METRIC_LABELS,
    Lesson,
    author_folder,
    grade_parts,
    lesson_from_bytes,
    load_lessons,
    run_lesson,
)
from ruin.studies.scenarios import load_scenario

st.set_page_config(page_title="Lessons — predict, then run", page_icon="🎓", layout="wide")

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


def _author_lessons(folder: Any) -> list[Any]:
    """The author's lesson files, read on every run (they may have just been edited); a bad
    file is reported with the built-in messages and the others are still served."""
    out = []
    for f in sorted(folder.glob("*.toml")):
        try:
            sf = load_scenario(f)
        except ParameterError as exc:
            st.error(f"Your lesson file was not served: {exc}")
            continue
        if sf.kind == "lesson":
            out.append(Lesson(sf))
    return out


@st.cache_data(show_spinner=False, max_entries=8)
def _uploaded(name: str, data: bytes) -> Any:
    return lesson_from_bytes(name, data)


@st.cache_data(show_spinner=False, max_entries=32)
def _run(lesson: Any, paths: int, seed: int, extra: tuple[tuple[str, Any], ...]) -> Any:
    return run_lesson(lesson, paths=paths, seed=seed, your_rules=dict(extra) or None)


def _all_lessons() -> tuple[list[Any], set[str]]:
    """Built-in lessons, the author's folder (``RUIN_LESSONS_DIR``) and an uploaded file;
    also the names of the built-in ones (their "explore this" links name the preset)."""
    lessons = list(_lessons())
    builtin = {x.name for x in lessons}
    try:
        folder = author_folder()
        if folder is not None:
            lessons += [x for x in _author_lessons(folder) if x.name not in builtin]
    except ParameterError as exc:
        st.error(f"Your lesson folder ({LESSONS_DIR_ENV}) was not served: {exc}")
    up = st.session_state.get("lesson_upload")
    if up is not None:
        try:
            mine = _uploaded(up.name, up.getvalue())
        except ParameterError as exc:
            st.error(f"This lesson file was not loaded: {exc}")
        else:
            lessons = [x for x in lessons if x.name != mine.name] + [mine]
            st.session_state["lesson"] = mine.title
    return lessons, builtin


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


def _embed() -> bool:
    """``embed=true`` in the link: Streamlit keeps that parameter to itself in a browser
    (``st.context.is_embedded``); AppTest passes it as a query parameter."""
    try:
        if st.context.is_embedded:
            return True
    except Exception:  # noqa: BLE001 - no browser context (bare mode)
        pass
    return str(st.query_params.get("embed", "")).lower() in ("true", "1", "yes")


def _link_paths() -> int | None:
    """``?paths=N`` (100..200,000) sets the accounts per variant (e.g. a quick embed)."""
    try:
        n = int(st.query_params.get("paths", ""))
    except ValueError:
        return None
    return n if 100 <= n <= 200_000 else None


def _hide_chrome() -> None:
    """Embedded: the lesson alone (no page list, no sidebar, no header bar)."""
    st.markdown(
        "<style>[data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl'],"
        "[data-testid='stHeader']{display:none}</style>",
        unsafe_allow_html=True,
    )


def _pick(lessons: list[Any]) -> Any:
    titles = {x.title: x for x in lessons}
    by_name = {x.name: x for x in lessons}
    wanted = st.query_params.get("lesson")
    if wanted and wanted not in by_name:
        st.warning(f"No lesson named {wanted!r}; showing the first one.")
    if _embed() and wanted in by_name:
        return by_name[wanted]
    if wanted in by_name and "lesson" not in st.session_state:
        st.session_state["lesson"] = by_name[wanted].title
    if st.session_state.get("lesson") not in titles:
        st.session_state.pop("lesson", None)
    title = st.selectbox("Lesson", list(titles), key="lesson")
    return titles[title]


def main() -> None:
    embed = _embed()
    if embed:
        _hide_chrome()
    else:
        st.title("Lessons: predict first, then run")
    try:
        lessons, builtin = _all_lessons()
    except ParameterError as exc:
        st.error(f"A lesson file is invalid: {exc}")
        return
    if not lessons:
        st.info("No lessons found in the scenarios folder.")
        return
    lesson = _pick(lessons)
    if embed:
        st.header(lesson.title)
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
            value=_link_paths() or min(int(lesson.scenario.params.get("paths", 10_000)), 10_000),
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
        with st.expander("For course authors: try your own lesson file"):
            st.file_uploader(
                "Lesson file (.toml)",
                type=["toml"],
                key="lesson_upload",
                help="Checked like the built-in lessons; see 'Write your own lesson' in the "
                f"README. A folder of lesson files can be served with {LESSONS_DIR_ENV}.",
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
                res = _run(lesson, int(paths), int(seed), extra)
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
        g = grade_parts(guessed, res)
    except ParameterError as exc:
        st.error(str(exc))
        return
    _reveal(lesson, res, guessed, g, int(paths), builtin)


def _reveal(lesson: Any, res: Any, guessed: Any, g: Any, paths: int, builtin: set[str]) -> None:
    """Guess, answer and how far off together; the picture that answers the question with
    the explanation beside it; the table in words and percents; the explore link."""
    pr = lesson.prediction
    label = METRIC_LABELS[pr["answer_metric"]]
    st.subheader("Your guess against the result")
    a, b, c = st.columns(3)
    a.metric("Your guess", g.guess)
    asked = f" ({pr['answer_variant']})" if pr.get("answer_variant") else ""
    b.metric(f"Simulation{asked}", g.answer, help=g.interval or None)
    c.metric("How far off", g.gap)
    (st.success if g.right else st.warning)(g.text)
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(
            lesson_reveal_chart(
                res.frame,
                metric=pr["answer_metric"],
                label=label[:1].upper() + label[1:],
                unit=pr["unit"],
                guess=guessed,
                answer_variant=pr.get("answer_variant")
                or (str(res.answer) if pr["kind"] == "choice" else None),
            ),
            width="stretch",
        )
        st.caption(
            f"Bars: the {label} of each variant"
            + (", with its 95% interval" if pr["unit"] == "percent" else "")
            + (
                "; red dashed line: your guess"
                + ("; dark bar: the variant asked about." if pr.get("answer_variant") else ".")
                if pr["kind"] == "slider"
                else "; red outline: your pick; dark bar: the right answer."
            )
            + f" Seed {res.seed}: every variant used the same random numbers."
        )
    with right:
        st.markdown("**Why**")
        st.markdown(lesson.explanation)
    st.dataframe(lesson_table(res.frame, pr["answer_metric"]), hide_index=True)
    if lesson.reveal == "liquidation_distance":
        st.markdown("**Distance from entry to liquidation (long): the guides' rule and exact**")
        st.dataframe(liquidation_distance_table(), hide_index=True)
        st.caption(
            "Exact: (1/L − MMR) / (1 − MMR), no fees. The guides' 0.9 / L is the "
            "approximation 1/L − MMR with the maintenance margin at 10% of the initial margin "
            "(MMR = 0.1 / L); venues charge a fixed rate instead (1.25% is Hyperliquid's for "
            "BTC), which leaves far less room at 25x and 50x."
        )
    kelly = res.frame["kelly_fraction"].drop_nulls()
    if kelly.len() and pr["answer_metric"] in (
        "median_final_equity",
        "mean_final_equity",
        "ruin_probability",
        "p_below_start",
    ):
        st.caption(
            f"Kelly fraction for this edge: {float(kelly[0]):.1%} of equity per trade "
            "(growth is fastest there; beyond it risk rises and growth falls)."
        )
    dips = float(res.survival["survival"].min()) < 0.99
    if lesson.reveal == "survival" or dips:
        st.markdown("**How it unfolded: share of accounts still alive**")
        st.altair_chart(variant_survival_chart(res.survival), width="stretch")
    st.subheader("What to look at")
    st.markdown(lesson.look_at)
    variant = pr.get("answer_variant") or (
        str(res.answer)
        if pr["kind"] == "choice"
        else (lesson.variant_names[0] if lesson.scenario.variants else None)
    )
    link = lesson_link(
        lesson.scenario, variant, seed=res.seed, paths=paths, builtin=lesson.name in builtin
    )
    st.markdown(
        f"[Explore this on the main page](./{link}) — "
        f"{variant or 'the lesson'} with seed {res.seed}, every input open to change."
    )


main()
