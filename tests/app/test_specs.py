"""The page's cached chart specs (ui/specs.py) are what st.altair_chart would send.

The page converts each chart once per scenario without Altair's schema check and caches the
spec for every session; this checks, chart by chart, that the result equals Streamlit's own
(validating) conversion, data bytes included.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from ruin import build_scenario, charts, insights, simulate

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ui import specs  # noqa: E402


@pytest.fixture(scope="module")
def result():
    sc = build_scenario({"paths": 400, "trades": 60, "seed": 3, "goal": 3.0})
    return simulate(sc, record=insights.paths_to_record(sc))


def _page_charts(result):
    bands, sample = charts.fan_frames(result, samples=8, floor=1e-3)
    hist, exceed = charts.drawdown_frames(result.max_drawdown)
    sweep = insights.risk_sweep(insights.sweep_base(result.scenario), risks=(0.01, 0.05, 0.2))
    return {
        "fan": charts.fan_chart(bands, sample, log=True, ruin_level=0.5, goal=3.0),
        "drawdown": charts.drawdown_chart(hist, exceed, marks={"median": 0.2}),
        "final": charts.final_equity_chart(
            charts.final_equity_frame(result.final_equity), median=1.1
        ),
        "survival": charts.survival_chart(charts.survival_frame(result.survival), marker=21),
        "streaks": charts.streak_chart(charts.streak_frame(result.longest_losing_streak)),
        "sweep": charts.risk_sweep_chart(sweep, kelly=0.08, current=0.03),
        "compare": charts.compare_fan_chart([("A", bands), ("B", bands)], log=True),
    }


def test_specs_equal_streamlits_own_conversion(result):
    for name, chart in _page_charts(result).items():
        assert specs.to_vega_lite(chart) == _convert_altair_to_vega_lite_spec(chart), name


def test_scenario_key_is_stable_and_tells_scenarios_apart():
    a = build_scenario({"paths": 400, "trades": 60, "seed": 3})
    b = build_scenario({"paths": 400, "trades": 60, "seed": 3})
    c = build_scenario({"paths": 400, "trades": 60, "seed": 4})
    assert specs.scenario_key(a) == specs.scenario_key(b) != specs.scenario_key(c)


def test_page_charts_never_go_through_altairs_from_dict(result, monkeypatch):
    """A shorthand string or a plain dict in ``encode`` makes Altair rebuild a hash table of
    its whole schema (~60 ms a call); ruin.charts passes explicit channel objects."""
    import altair.utils.schemapi as schemapi

    calls = []
    original = schemapi._FromDict.__init__

    def counting(self, *args, **kwargs):
        calls.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(schemapi._FromDict, "__init__", counting)
    _page_charts(result)
    assert not calls


def test_chart_image_pick_reruns_the_downloads_fragment():
    from app_helpers import make_app, no_exception

    at = make_app().run()
    no_exception(at)
    at.selectbox(key="w_chart_pick").select("Survival").run()
    no_exception(at)
    assert at.selectbox(key="w_chart_pick").value == "Survival"
    assert {"PNG", "SVG"} <= {b.label for b in at.get("download_button")}
