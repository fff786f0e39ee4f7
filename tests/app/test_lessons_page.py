"""The lessons page (pages/1_Lessons.py) through Streamlit's AppTest: every lesson renders,
runs with a few paths, grades the guess and reveals its explanation."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ruin.studies.lessons import load_lessons

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "1_Lessons.py")
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
    names = list(frame["variant"])
    assert names == [v for v, _ in lesson.scenario.variants] or names == ["base"]


def test_your_rules_adds_a_variant_and_bad_values_show_errors():
    at = _page()
    lesson = next(x for x in LESSONS if x.name == "lesson_06_revenge_trading")
    at.selectbox(key="lesson").set_value(lesson.title).run()
    at.number_input(key="paths").set_value(200).run()
    at.number_input(key="rule_drawdown_cut").set_value(10.0).run()
    at.button(key="run").click().run()
    assert not at.exception and not at.error
    names = list(at.dataframe[0].value["variant"])
    assert names[-1] == "your rules" and len(names) == len(lesson.scenario.variants) + 1
    # martingale and anti-martingale together are refused with a message, not a traceback
    at.number_input(key="rule_anti_martingale").set_value(2.0).run()
    at.button(key="run").click().run()
    assert not at.exception
    assert any("anti_martingale" in e.value for e in at.error)
