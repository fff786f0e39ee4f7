"""The page list: what each page is called in the sidebar and at which URL it opens.

Without this table Streamlit names pages after their files, so the main page showed as "app".
The other pages' scripts live in ``views/``, not ``pages/``: next to ``app.py`` a ``pages/``
folder switches Streamlit to its old multipage mode until some session has run ``app.py``
(``PagesManager.uses_pages_directory``), so on a fresh server the first student to open a
lesson link saw the folder's page list ("app", "Lessons", "Sweeps"), and an embed showed it
too. The URL paths are set here (``/Lessons``, ``/Sweeps``), so lesson links
(``Lessons?lesson=NAME&embed=true``) and share links keep working. Embedded
(``embed=true``), the page list is hidden: an embed shows its one page only.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from . import heap

#: (title in the page list, script file relative to app.py, URL path, icon).
OTHER_PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("Lessons", "views/Lessons.py", "Lessons", ":material/school:"),
    ("Sweeps", "views/Sweeps.py", "Sweeps", ":material/grid_on:"),
)
#: The main page's title in the page list (it opens at the app's root URL).
MAIN_TITLE = "Simulator"
MAIN_ICON = ":material/casino:"


def embedded() -> bool:
    """``embed=true`` in the link. Streamlit keeps that parameter to itself (it is not in
    ``st.query_params``) and tells it through ``st.context.is_embedded``, which only a browser
    session sets; the browser test checks that an embed shows no page list."""
    try:
        return bool(st.context.is_embedded)
    except Exception:  # noqa: BLE001 - no browser context (bare mode)
        return False


def pages(simulator: Callable[[], None]) -> list[st.Page]:
    """The app's pages in menu order; ``simulator`` draws the main page."""
    main = st.Page(simulator, title=MAIN_TITLE, icon=MAIN_ICON, default=True)
    rest = [
        st.Page(script, title=title, url_path=url, icon=icon)
        for title, script, url, icon in OTHER_PAGES
    ]
    return [main, *rest]


def run(simulator: Callable[[], None]) -> None:
    """Register the pages, show their list (unless embedded) and draw the page asked for."""
    position = "hidden" if embedded() else "sidebar"
    st.navigation(pages(simulator), position=position).run()
    heap.freeze_once()  # after a whole page: the server's long-lived objects exist
