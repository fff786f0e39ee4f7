"""The server does not walk its whole heap after every script run (ui/heap.py).

Streamlit's ``gc.collect(2)`` after each run cost about 0.3 s of server CPU per run here;
the project's ``.streamlit/config.toml`` turns it off and the first page drawn freezes the
long-lived heap once, so Python's own collections skip it.
"""

from __future__ import annotations

import gc
import tomllib
from pathlib import Path

from app_helpers import make_app, no_exception

ROOT = Path(__file__).resolve().parents[2]


def test_project_config_turns_off_the_full_collection_after_each_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_the_first_page_freezes_the_heap_once():
    from ui import heap

    at = make_app().run()
    no_exception(at)
    assert heap._frozen and gc.get_freeze_count() > 0
    frozen = gc.get_freeze_count()
    heap.freeze_once()  # what every later page run calls
    assert gc.get_freeze_count() == frozen  # not frozen again: new objects stay collectable
