"""The Streamlit page through streamlit.testing: runs, reacts, refuses bad input politely."""

import json

import pytest
from app_helpers import charts, make_app, metric, no_exception


def _pct(text: str) -> float:
    return float(text.rstrip("%")) / 100


def test_default_page_runs_and_shows_everything():
    at = make_app().run()
    no_exception(at)
    assert not at.error
    labels = [m.label for m in at.metric]
    for want in (
        "Probability of ruin",
        "P(at least one liquidation)",
        "Median max drawdown",
        "95th-percentile max drawdown",
        "Median final equity",
        "Realised win rate",
        "Kelly fraction",
    ):
        assert want in labels
    assert all(m.help for m in at.metric), "every metric explains itself"
    assert len(charts(at)) >= 6
    assert any("95% interval" in c.value for c in at.caption)
    assert {
        "Download a template CSV",
        "Summary CSV",
        "Summary JSON",
        "Summary Parquet",
        "Paths CSV",
        "Paths JSON",
        "Paths Parquet",
        "PNG",
        "SVG",
    } <= {b.label for b in at.download_button}
    # the theory table is a static table, its formulas' "*" escaped (not Markdown emphasis)
    assert any("quantity" in t.value.columns for t in at.table)
    web = [m.value for m in at.markdown if m.value.startswith("**Web-calculator formula")]
    assert web and "(p\\*b)" in web[0] and "(p*b)" not in web[0], web
    assert len(at.latex) == 0  # the formulas expander draws only once opened
    at.session_state["_formulas_open"] = True  # what opening it in a browser sets
    at.run()
    no_exception(at)
    assert len(at.latex) >= 5


def _datasets(chart) -> list:
    import pyarrow as pa

    return [pa.ipc.open_stream(d.data.data).read_all() for d in chart.proto.datasets]


def test_page_curves_are_thinned_and_keep_both_ends():
    """Vega evaluates every point, so the page draws at most PAGE_POINTS per curve; the
    first and the last trade are always among them."""
    from ui.distributions import PAGE_POINTS

    at = make_app(trades="1000").run()
    no_exception(at)
    shown = charts(at)
    fan, survival = shown[0], shown[3]
    assert "Equity paths" in fan.proto.spec and "Survival" in survival.proto.spec
    tables = _datasets(fan) + _datasets(survival)
    curves = {c: t for t in tables for c in ("q50", "path", "survival") if c in t.column_names}
    assert set(curves) == {"q50", "path", "survival"}  # bands, sample accounts, survival
    for name, table in curves.items():
        trades = table.column("trade").to_pylist()
        if name == "path":  # long format: one curve per sample account
            trades = [
                t for t, p in zip(trades, table.column("path").to_pylist(), strict=True) if p == 0
            ]
        assert PAGE_POINTS // 2 < len(trades) <= PAGE_POINTS, name
        assert min(trades) == 0 and max(trades) == 1000, name


def test_presets_all_run():
    from ruin.studies.scenarios import list_scenarios

    files = {sf.name: sf for sf in list_scenarios()}
    at = make_app().run()
    n = len(at.selectbox(key="w_preset").options)
    assert n >= len(files) + 1
    seen = set()
    for i in range(n):
        at.selectbox(key="w_preset").select_index(i).run()
        no_exception(at)
        assert not at.error, (i, [e.value for e in at.error])
        name = at.query_params["preset"]
        name = name[-1] if isinstance(name, list) else name
        seen.add(name)
        assert metric(at, "Probability of ruin").endswith("%")
        sf = files.get(name)
        if sf is not None and "seed" in sf.params:
            assert metric(at, "Seed") == str(sf.params["seed"])  # the preset took effect
    assert set(files) <= seen


@pytest.mark.parametrize(
    ("key", "value", "label"),
    [
        ("w_risk", 20.0, "Probability of ruin"),
        ("w_win_rate", 60.0, "Realised win rate"),
        ("w_payoff", 3.0, "Median final equity"),
        ("w_ruin_level", 80.0, "Probability of ruin"),
    ],
)
def test_slider_changes_its_output(key, value, label):
    at = make_app().run()
    before = metric(at, label)
    at.slider(key=key).set_value(value).run()
    no_exception(at)
    assert metric(at, label) != before


def test_more_risk_means_more_ruin():
    at = make_app(seed="5").run()
    low = _pct(metric(at, "Probability of ruin"))
    at.slider(key="w_risk").set_value(20.0).run()
    no_exception(at)
    assert _pct(metric(at, "Probability of ruin")) > low


def test_headline_equals_the_library_for_the_same_link():
    from ruin import form
    from ruin.insights import pct
    from ruin.simulate import simulate

    query = {"paths": "2000", "risk": "0.05", "win_rate": "0.45", "payoff": "1.5", "seed": "7"}
    at = make_app(**query).run()
    no_exception(at)
    link = form.read_link(query, form.preset_catalogue())
    p = simulate(form.build_run(link.params, link.extras), record=0).ruin.estimate
    assert metric(at, "Probability of ruin") == pct(p)


def test_sizing_seed_paths_trades_goal_and_log():
    at = make_app(risk="0.1", win_rate="0.5", payoff="1.0").run()
    p_frac = metric(at, "Probability of ruin")
    at.radio(key="w_sizing").set_value("fixed").run()
    # no edge (win rate 50% at 1:1): fractional stakes lose to volatility drag (a win and a
    # loss multiply equity by 1.1 x 0.9 = 0.99), fixed stakes are a driftless walk, so
    # fractional sizing reaches the 50% ruin level more often
    assert _pct(metric(at, "Probability of ruin")) < _pct(p_frac)
    assert at.query_params["sizing"] == "fixed" or at.query_params["sizing"] == ["fixed"]
    seed_before = metric(at, "Seed")
    at.number_input(key="w_seed").set_value(99).run()
    assert metric(at, "Seed") == "99"
    at.button[[b.label for b in at.button].index("New seed")].click().run()
    assert metric(at, "Seed") not in ("99", seed_before)
    at.number_input(key="w_trades").set_value(120).run()
    at.number_input(key="w_paths").set_value(1500).run()
    assert any("1,500 paths × 120 trades" in c.value for c in at.caption)
    table = None
    at.number_input(key="w_goal").set_value(1.5).run()
    for df in at.table:
        if "quantity" in df.value.columns:
            table = df.value
    assert table is not None and "P(reach goal)" in set(table["quantity"])
    fan = json.loads(charts(at)[0].proto.spec)
    assert fan["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    at.toggle(key="w_log").set_value(False).run()
    fan = json.loads(charts(at)[0].proto.spec)
    assert "type" not in fan["layer"][0]["encoding"]["y"]["scale"]
    no_exception(at)


def test_pin_a_then_compare_on_same_seed():
    at = make_app().run()
    at.button[[b.label for b in at.button].index("Pin current as A")].click().run()
    at.slider(key="w_risk").set_value(10.0).run()
    no_exception(at)
    tables = [d.value for d in at.table if "A (pinned)" in d.value.columns]
    assert tables, "compare table shown"
    t = tables[0].set_index("metric")
    assert t.loc["P(ruin)", "A (pinned)"] != t.loc["P(ruin)", "B (current)"]
    assert any("risk 0.03 → 0.1" in c.value and "seed 12345" in c.value for c in at.caption)
    assert len(charts(at)) >= 7


def test_out_of_range_input_is_an_error_naming_the_field():
    at = make_app().run()
    at.number_input(key="w_goal").set_value(0.5).run()
    no_exception(at)
    assert at.error and "goal" in at.error[0].value and "greater than 1" in at.error[0].value
    assert not charts(at)


def test_too_big_a_run_is_refused_not_started():
    at = make_app(paths="2000000", trades="100000").run()
    no_exception(at)
    assert at.error and "paths × trades" in at.error[0].value


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("bad.csv", b"r\n1.0\nabc\n", "row 3"),
        ("nocol.csv", b"pnl\n1\n2\n", "columns"),
        ("empty.csv", b"", "empty"),
        ("big.csv", b"r\n" + b"1.0\n" * (5 * 1024 * 1024 + 10), "MiB"),
        ("junk.parquet", b"not parquet at all", "readable"),
    ],
)
def test_bad_uploads_are_rejected_with_a_reason(name, data, words):
    at = make_app().run()
    at.file_uploader(key="w_upload").set_value((name, data, "text/csv")).run()
    no_exception(at)
    assert at.error, "an st.error, not a traceback"
    msg = at.error[0].value
    assert name in msg and words in msg


def test_good_upload_bootstraps_the_trades():
    at = make_app().run()
    csv = b"r\n2.0\n-1.0\n-1.0\n1.5\n-1.0\n3.0\n"
    at.file_uploader(key="w_upload").set_value(("mine.csv", csv, "text/csv")).run()
    no_exception(at)
    assert not at.error
    assert any("Resampling 6 trades from **mine.csv**" in s.value for s in at.success)
    # realised "win rate" now counts winning resampled trades: 3 of 6 are positive
    assert abs(_pct(metric(at, "Realised win rate")) - 0.5) < 0.03


def _status_labels(node) -> list[str]:
    """Labels of every ``st.status`` box on the page."""
    own = [node.proto.label] if type(node).__name__ == "Status" else []
    return own + [x for c in getattr(node, "children", {}).values() for x in _status_labels(c)]


def _places(at) -> dict[str, int]:
    """Where each section heading sits among the page's top-level elements."""
    return {c.value: i for i, c in at.main.children.items() if type(c).__name__ == "Subheader"}


def test_progress_boxes_keep_every_later_element_in_its_place(monkeypatch):
    """The compile box and a big run's bar are shown on one run and gone on the next; the
    elements after them must not move, or the browser rebuilds every one of them (every
    chart anew) instead of updating it."""
    import ruin.warmup

    class NotLoaded:  # a compile step whose kernel this process has not loaded yet
        label = "a kernel"

        def loaded(self):
            return False

        def is_warm(self):
            return True

        def __call__(self):
            pass

    steps = ruin.warmup.steps
    at = make_app()
    monkeypatch.setattr(ruin.warmup, "steps", lambda sc: [NotLoaded()])
    at.run()
    no_exception(at)
    assert any("Simulator ready" in label for label in _status_labels(at.main))
    with_box = _places(at)
    monkeypatch.setattr(ruin.warmup, "steps", steps)
    at.run()
    no_exception(at)
    assert not _status_labels(at.main)
    assert _places(at) == with_box and "Headline numbers" in with_box
    # a big run (progress bar), then a small cached one
    big = make_app(paths="400000", trades="500").run()
    no_exception(big)
    after_bar = _places(big)
    big.query_params["paths"] = "2000"
    big.number_input(key="w_paths").set_value(2000).run()
    no_exception(big)
    assert _places(big) == after_bar == with_box
    # a warning that comes and goes with the inputs: risk above Kelly (8.3% here)
    at.slider(key="w_risk").set_value(20.0).run()
    assert any("Risk above Kelly" in w.value for w in at.warning)
    assert _places(at) == with_box
