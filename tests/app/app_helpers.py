"""AppTest helpers for this folder: the real app.py, small runs, a generous timeout."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 180  # first runs may compile numba kernels on a busy 2-core box


def make_app(**query: str) -> AppTest:
    """AppTest of app.py with the given query parameters (2,000 paths unless stated)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"paths": "2000", **query})
    return at


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise KeyError(f"no metric {label!r}; have {[m.label for m in at.metric]}")


def charts(at: AppTest) -> list:
    return [e for e in at.main if "vega_lite_chart" in e.type]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
