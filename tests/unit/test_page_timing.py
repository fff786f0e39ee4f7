"""Slider-move timings recorded by the browser test and bench_class (page_timing.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "page_timing", Path(__file__).resolve().parents[1] / "browser" / "page_timing.py"
)
page_timing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(page_timing)


def _record(keys, headline, script=(), chart=None):
    return {"keydown": list(keys), "headline": list(headline), "script": list(script),
            "chartMutation": chart}  # fmt: skip


def test_a_move_starts_at_its_first_key_not_at_the_commit_key():
    # ArrowRight, then Shift + blur 80 ms later; the slider had committed on the arrow key
    rec = _record(
        keys=[1000.0, 1080.0],
        headline=[(200.0, "3.8%"), (1400.0, "4.1%")],
        script=[(1100.0, "running"), (1900.0, "notRunning")],
        chart=1850.0,
    )
    assert page_timing.slider_timings(rec, "3.8%") == {"headline_s": 0.4, "charts_s": 0.9}


def test_a_retried_commit_starts_at_the_retry():
    # the first attempt's commit was lost; the retry (Shift + blur) went through 2 s later
    rec = _record(
        keys=[1000.0, 1080.0, 3080.0],
        headline=[(200.0, "3.8%"), (3380.0, "4.1%")],
        script=[(3100.0, "running"), (3700.0, "notRunning")],
        chart=3650.0,
    )
    assert page_timing.slider_timings(rec, "3.8%") == {"headline_s": 0.3, "charts_s": 0.62}


def test_no_new_headline_is_none_and_no_keys_is_nothing():
    rec = _record(keys=[1000.0], headline=[(200.0, "3.8%")], script=[(1500.0, "notRunning")])
    assert page_timing.slider_timings(rec, "3.8%") == {"headline_s": None, "charts_s": 0.5}
    assert page_timing.slider_timings(_record([], []), "3.8%") == {
        "headline_s": None,
        "charts_s": None,
    }
