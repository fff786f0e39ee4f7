"""The sweep viewer page reads a `ruin sweep` Parquet file and maps it (AppTest)."""

import io
import json
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from ruin.sweep import run_sweep
from ruin.sweep.charts import sweep_axes, sweep_values

PAGE = str(Path(__file__).resolve().parents[2] / "views" / "Sweeps.py")

SPEC = {
    "method": "exact",
    "base": {"trades": 60, "paths": 1000, "seed": 3, "ruin_level": 0.5, "sizing": "fixed"},
    "axes": {"win_rate": [0.4, 0.5, 0.6], "payoff": [1.0, 2.0], "risk": [0.05, 0.1]},
}


@pytest.fixture(scope="module")
def sweep_parquet() -> bytes:
    df = run_sweep(SPEC, workers=1, progress=False)
    buf = io.BytesIO()
    df.write_parquet(buf)
    return buf.getvalue()


class _Upload:
    """What st.file_uploader hands the page (AppTest cannot drive the uploader widget)."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name, self._data = name, data

    def getvalue(self) -> bytes:
        return self._data


def _page(monkeypatch, upload):
    import streamlit as st

    monkeypatch.setattr(st, "file_uploader", lambda *a, **k: upload)
    return AppTest.from_file(PAGE, default_timeout=180)


def test_axes_and_outputs_are_found(sweep_parquet):
    df = pl.read_parquet(io.BytesIO(sweep_parquet))
    assert sweep_axes(df) == [c for c in df.columns if c in ("win_rate", "payoff", "risk")]
    assert "ruin_probability" in sweep_values(df)
    assert "seed" not in sweep_values(df) and "win_rate" not in sweep_values(df)


def test_page_draws_a_faceted_heat_map(monkeypatch, sweep_parquet):
    at = _page(monkeypatch, _Upload("grid.parquet", sweep_parquet)).run()
    assert not at.exception and not at.error
    charts = [e for e in at.main if "vega_lite_chart" in e.type]
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert "facet" in json.dumps(spec)  # third axis -> one panel per value
    # choosing no panels holds the third axis at one value instead: 3 x 2 cells shown
    at.selectbox(key="sweep_facet").select("(none)").run()
    assert not at.exception and not at.error
    assert any("6 of 12 cells shown" in c.value for c in at.caption)


def test_page_without_upload_explains(monkeypatch):
    at = _page(monkeypatch, None).run()
    assert not at.exception
    assert "Upload a sweep result" in at.info[0].value


def test_bad_file_is_an_error_not_a_traceback(monkeypatch):
    at = _page(monkeypatch, _Upload("junk.parquet", b"not parquet")).run()
    assert not at.exception
    assert "could not be read as a sweep result" in at.error[0].value


def test_table_without_axes_is_refused(monkeypatch):
    buf = io.BytesIO()
    pl.DataFrame({"x": [1, 2]}).write_parquet(buf)
    at = _page(monkeypatch, _Upload("plain.parquet", buf.getvalue())).run()
    assert not at.exception
    assert "must have at least two axes" in at.error[0].value
