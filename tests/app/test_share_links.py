"""Query-string round trip through the real page: link in -> same inputs -> same link out."""

from app_helpers import make_app, metric, no_exception


def _qp(at) -> dict:
    return {k: at.query_params[k] for k in at.query_params}


def _flat(v):
    return v[-1] if isinstance(v, list) else v


def test_link_sets_every_input_and_is_written_back():
    q = {
        "win_rate": "0.55",
        "payoff": "1.2",
        "risk": "0.04",
        "sizing": "fixed",
        "trades": "150",
        "paths": "3000",
        "seed": "4242",
        "ruin_level": "0.3",
        "goal": "2.0",
        "log": "0",
    }
    at = make_app(**q).run()
    no_exception(at)
    assert at.slider(key="w_win_rate").value == 55.0
    assert at.slider(key="w_risk").value == 4.0
    assert at.slider(key="w_ruin_level").value == 30.0
    assert at.radio(key="w_sizing").value == "fixed"
    assert at.number_input(key="w_trades").value == 150
    assert at.number_input(key="w_goal").value == 2.0
    assert at.toggle(key="w_log").value is False
    assert metric(at, "Seed") == "4242"
    assert {k: _flat(v) for k, v in _qp(at).items()} == q
    # same link, fresh session -> the same numbers
    first = [m.value for m in at.metric]
    again = make_app(**q).run()
    assert [m.value for m in again.metric] == first


def test_changing_a_widget_rewrites_the_link():
    at = make_app().run()
    assert "risk" not in _qp(at)
    at.slider(key="w_risk").set_value(7.5).run()
    assert _flat(_qp(at)["risk"]) == "0.075"


def test_bad_and_unknown_link_parameters_fall_back_with_a_notice():
    at = make_app(risk="lots", win_rate="1.7", bogus="1", embed="true").run()
    no_exception(at)
    assert not at.error
    notes = " ".join(w.value for w in at.warning)
    assert "'risk=lots'" in notes and "'win_rate=1.7'" in notes and "'bogus'" in notes
    assert "embed" not in notes
    assert at.slider(key="w_risk").value == 3.0  # the page default
    assert metric(at, "Probability of ruin").endswith("%")


def test_unknown_preset_in_link_is_a_notice():
    at = make_app(preset="no_such_preset").run()
    no_exception(at)
    assert any("preset=no_such_preset" in w.value for w in at.warning)
