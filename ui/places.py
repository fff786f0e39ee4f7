"""Elements that come and go keep one place on the page.

Streamlit's page in the browser matches a run's elements to the last run's by position. When
an element appears or disappears (a warning once the risk passes Kelly, a note, the compile
box, a big run's progress bar), every element after it moves one place, and the browser
builds each of them anew instead of updating it, every chart below included: a risk move
across Kelly had its charts redrawn 0.4 s later than it does now. So such elements are
drawn into a place (``st.empty()``) that every run takes, shown or not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")


def in_one_place(items: Sequence[T], draw: Callable[[T], Any]) -> None:
    """``draw(item)`` for each of ``items`` (none, one or several), all in one place."""
    slot = st.empty()
    if items:
        with slot.container():
            for item in items:
                draw(item)
