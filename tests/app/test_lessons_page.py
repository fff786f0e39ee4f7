"""The lessons page (views/Lessons.py) through Streamlit's AppTest: every lesson renders,
runs with a few paths, grades the guess and reveals its explanation."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ruin.studies.lessons import load_lessons

PAGE = str(Path(__file__).resolve().parents[2] / "views" / "Lessons.py")
LESSONS = load_lessons()


def _page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception
    return at


def test_page_lists_every_lesson_and_asks_before_running():
    at = _page()
    assert set(at.selectbox(key="lesson").options) == {x.title for x in LESSONS}
    # nothing is revealed before the run
    text = " ".join(m.value for m in at.markdown)
    first = LESSONS[0]
    assert first.question.split()[0] in text
    assert first.explanation not in text
    assert any("Make your prediction" in i.value for i in at.info)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda x: x.name)
def test_each_lesson_runs_grades_and_explains(lesson):
    at = _page()
    at.selectbox(key="lesson").set_value(lesson.title).run()
    at.number_input(key="paths").set_value(100).run()
    pr = lesson.prediction
    if pr["kind"] == "choice":
        at.radio(key=f"guess_{lesson.name}").set_value(pr["options"][-1])
    at.button(key="run").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    text = " ".join(m.value for m in at.markdown)
    assert lesson.explanation in text and lesson.look_at in text
    feedback = [x.value for x in (*at.success, *at.warning)]
    assert len(feedback) == 1
    if pr["kind"] == "choice":
        assert repr(pr["options"][-1]) in feedback[0]
    else:
        assert feedback[0].startswith("You guessed")
    frame = at.dataframe[0].value
    names = list(frame["Variant"])
    assert names == [v for v, _ in lesson.scenario.variants] or names == ["base"]


def test_your_rules_adds_a_variant_and_bad_values_show_errors():
    at = _page()
    lesson = next(x for x in LESSONS if x.name == "lesson_06_revenge_trading")
    at.selectbox(key="lesson").set_value(lesson.title).run()
    at.number_input(key="paths").set_value(200).run()
    at.number_input(key="rule_drawdown_cut").set_value(10.0).run()
    at.button(key="run").click().run()
    assert not at.exception and not at.error
    names = list(at.dataframe[0].value["Variant"])
    assert names[-1] == "your rules" and len(names) == len(lesson.scenario.variants) + 1
    # martingale and anti-martingale together are refused with a message, not a traceback
    at.number_input(key="rule_anti_martingale").set_value(2.0).run()
    at.button(key="run").click().run()
    assert not at.exception
    assert any("anti_martingale" in e.value for e in at.error)


def _reveal_spec(at) -> str:
    import json

    charts = [e for e in at.main if "vega_lite_chart" in e.type]
    assert charts, "no chart after the run"
    return json.dumps(json.loads(charts[0].proto.spec))


def test_reveal_chart_draws_the_guess_and_the_table_uses_words():
    at = _page()
    lesson = next(x for x in LESSONS if x.name == "lesson_01_risk_rule")
    at.selectbox(key="lesson").set_value(lesson.title).run()
    at.number_input(key="paths").set_value(200).run()
    at.slider(key=f"guess_{lesson.name}").set_value(40.0).run()
    at.button(key="run").click().run()
    assert not at.exception and not at.error
    spec = _reveal_spec(at)
    # the guess is a red dashed rule at y = guess (Streamlit moves the data out of the spec)
    assert '"field": "guess"' in spec and '"strokeDash"' in spec
    assert "errorbar" in spec  # the 95% interval of each bar
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["Your guess", "Simulation (25%)", "How far off"]
    assert at.metric[0].value == "40%"
    frame = at.dataframe[0].value
    assert list(frame.columns)[:2] == ["Variant", "Accounts ruined"]
    assert all(str(v).endswith("%") for v in frame["Accounts ruined"])
    link = next(m.value for m in at.markdown if "Explore this" in m.value)
    assert "preset=lesson_01_risk_rule" in link and "risk=0.25" in link


def test_lesson_link_with_embed_opens_that_lesson():
    # Streamlit keeps embed=true to itself (not in st.query_params, also under AppTest); the
    # page reads it from st.context.is_embedded, which only a browser sets: the browser test
    # checks that an embed shows the lesson alone. Here: the link opens the lesson, no error.
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["lesson"] = "lesson_04_1000x"
    at.query_params["embed"] = "true"
    at.run()
    assert not at.exception and not at.error
    lesson = next(x for x in LESSONS if x.name == "lesson_04_1000x")
    assert lesson.question.split()[0] in " ".join(m.value for m in at.markdown)


def test_lesson_param_selects_the_lesson_in_the_menu():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["lesson"] = "lesson_06_revenge_trading"
    at.run()
    lesson = next(x for x in LESSONS if x.name == "lesson_06_revenge_trading")
    assert at.selectbox(key="lesson").value == lesson.title


def test_author_folder_serves_own_lessons_and_reports_bad_ones(tmp_path, monkeypatch):
    good = Path(__file__).resolve().parents[2] / "scenarios" / "lesson_01_risk_rule.toml"
    text = good.read_text().replace("Lesson 1:", "My course, week 1:")
    (tmp_path / "week1.toml").write_text(text)
    monkeypatch.setenv("RUIN_LESSONS_DIR", str(tmp_path))
    at = _page()
    assert any(o.startswith("My course, week 1:") for o in at.selectbox(key="lesson").options)
    bad = text.replace('answer_metric = "ruin_probability"', 'answer_metric = "ruin"')
    (tmp_path / "week2.toml").write_text(bad)
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception
    msg = " ".join(e.value for e in at.error)
    assert "week2.toml" in msg and "[lesson.prediction] answer_metric" in msg
    # the built-in lessons and the author's good file are still served
    assert len(at.selectbox(key="lesson").options) == len(LESSONS) + 1
