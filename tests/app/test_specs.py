"""The page's cached chart specs (ui/specs.py) are what st.altair_chart would send.

The page converts each chart once per scenario without Altair's schema check and caches the
spec for every session; this checks, chart by chart, that the result equals Streamlit's own
(validating) conversion, data bytes included.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from ruin import build_scenario, charts, insights, simulate

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ui import specs  # noqa: E402


@pytest.fixture(scope="module")
def result():
    sc = build_scenario({"paths": 400, "trades": 60, "seed": 3, "goal": 3.0})
    return simulate(sc, record=insights.paths_to_record(sc))


def _page_parts(result, risk=0.03):
    """Each page chart's builder and keyword arguments, as ui/distributions.py, ui/risk.py
    and ui/compare.py pass them."""
    bands, sample = charts.fan_frames(result, samples=8, floor=1e-3)
    hist, exceed = charts.drawdown_frames(result.max_drawdown)
    final = charts.final_equity_frame(result.final_equity)
    sweep = insights.risk_sweep(insights.sweep_base(result.scenario), risks=(0.01, 0.05, 0.2))
    return {
        "fan": (
            charts.fan_chart,
            {"bands": bands, "paths": sample, "log": True, "ruin_level": 0.5, "goal": 3.0},
        ),
        "drawdown": (
            charts.drawdown_chart,
            {
                "hist": hist,
                "exceed": exceed,
                "marks": charts.drawdown_marks({"median": float(result.max_drawdown.mean())}),
            },
        ),
        "final": (
            charts.final_equity_chart,
            {
                "frame": final,
                "marks": charts.final_equity_marks(float(np.median(result.final_equity))),
                "bust": charts.bust_share(final),
            },
        ),
        "survival": (
            charts.survival_chart,
            {
                "frame": charts.survival_frame(result.survival),
                "low": charts.survival_floor(result.survival),
                "marker": 21,
            },
        ),
        "streaks": (
            charts.streak_chart,
            {"frame": charts.streak_frame(result.longest_losing_streak)},
        ),
        "sweep": (
            charts.risk_sweep_chart,
            {"frame": sweep, "marks": charts.risk_sweep_marks(0.08, risk)},
        ),
        "compare": (
            charts.compare_fan_chart,
            {"bands": [("A", bands), ("B", bands)], "log": True},
        ),
    }


def _page_charts(result):
    return {name: chart(**parts) for name, (chart, parts) in _page_parts(result).items()}


def test_specs_equal_streamlits_own_conversion(result):
    for name, chart in _page_charts(result).items():
        assert specs.to_vega_lite(chart) == _convert_altair_to_vega_lite_spec(chart), name


def test_a_new_scenarios_specs_fill_the_first_ones_templates(monkeypatch):
    """A slider move's charts come from the templates of the last scenario's (same builder,
    options and frame columns), with no Altair, and equal Altair's own conversion: the
    builders use their frames as they are (ruin.charts)."""
    monkeypatch.delenv("RUIN_CHECK_SPECS", raising=False)
    monkeypatch.setattr(specs, "_templates", {})
    base = {"paths": 400, "trades": 60, "goal": 3.0}
    first, second = (
        simulate(sc, record=insights.paths_to_record(sc))
        for sc in (
            build_scenario({**base, "seed": 3, "risk": 0.03}),
            build_scenario({**base, "seed": 4, "risk": 0.05}),
        )
    )
    for chart, parts in _page_parts(first).values():
        specs.from_parts(chart, parts)
    built = []
    monkeypatch.setattr(specs, "to_vega_lite", lambda c: built.append(c) or {"datasets": {}})
    filled = {
        name: specs.from_parts(chart, parts)
        for name, (chart, parts) in _page_parts(second, risk=0.05).items()
    }
    monkeypatch.undo()
    # every chart but A vs B (its frames sit in a list, an option) came from a template
    assert [type(c).__name__ for c in built] == ["LayerChart"]
    for name, (chart, parts) in _page_parts(second, risk=0.05).items():
        fresh = specs.to_vega_lite(chart(**parts))
        assert filled[name] == fresh or name == "compare", name
        assert len(fresh["datasets"]) >= 1


def test_templates_are_checked_against_altair_when_asked(monkeypatch):
    """With RUIN_CHECK_SPECS=1 (the test suite) a builder that reads its frame fails."""
    import altair as alt
    import polars as pl

    def reads_its_frame(frame):
        return alt.Chart(frame).mark_bar().properties(title=f"{frame['x'][0]}")

    monkeypatch.setenv("RUIN_CHECK_SPECS", "1")
    specs.from_parts(reads_its_frame, {"frame": pl.DataFrame({"x": [1]})})
    with pytest.raises(AssertionError, match="reads_its_frame"):
        specs.from_parts(reads_its_frame, {"frame": pl.DataFrame({"x": [2]})})


def test_a_frame_may_bring_the_data_another_frame_had_in_the_template(monkeypatch):
    """Names are put in one pass: a new frame equal to the template's other frame does not
    get renamed again."""
    import altair as alt
    import polars as pl

    def two(a, b):
        x = alt.X("x:Q")
        return alt.layer(alt.Chart(a).mark_point().encode(x), alt.Chart(b).mark_line().encode(x))

    f1, f2, f3 = (pl.DataFrame({"x": [float(i)]}) for i in (1, 2, 3))
    monkeypatch.setenv("RUIN_CHECK_SPECS", "1")
    monkeypatch.setattr(specs, "_templates", {})
    specs.from_parts(two, {"a": f1, "b": f2})
    assert len(specs._templates) == 1
    specs.from_parts(two, {"a": f2, "b": f3})  # checked against Altair's own conversion


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
