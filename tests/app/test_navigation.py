"""The page list (ui.navigation through app.py): every page has a title that says what it is,
and the URL paths that lesson and share links use stay what they were."""

from app_helpers import make_app, no_exception


def _registered(at) -> dict[str, str]:
    """URL path -> title in the page list. AppTest has no element for the page list; it keeps
    what ``st.navigation`` registered (the registry ``switch_page`` resolves against)."""
    return {i["url_pathname"]: i["page_name"] for i in at._registered_pages.values()}


def test_page_list_titles_and_url_paths():
    at = make_app().run()
    no_exception(at)
    assert _registered(at) == {"": "Simulator", "Lessons": "Lessons", "Sweeps": "Sweeps"}
    assert at.title[0].value == "Risk of ruin"  # "/" draws the simulator


def test_each_page_opens_from_the_list():
    at = make_app().run()
    at.switch_page("views/Lessons.py").run()
    no_exception(at)
    assert at.title[0].value.startswith("Lessons")
    at.switch_page("views/Sweeps.py").run()
    no_exception(at)
    assert at.title[0].value == "Sweep results"


def test_lesson_link_opens_at_its_url_path():
    # Switching before the first run resolves the page by file name ("Lessons"), as a browser
    # opening /Lessons?lesson=... does: the registered URL path must still be "Lessons".
    at = make_app(lesson="lesson_04_1000x")
    at.switch_page("views/Lessons.py").run()
    no_exception(at)
    assert at.selectbox(key="lesson").value.startswith("Lesson 4")
