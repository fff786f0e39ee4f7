"""Share-link codec: flat parameters <-> query strings, never raising on bad links."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruin.keys import KEYS, Key
from ruin.share import Field, decode, encode, from_query_string, to_query_string

FIELDS = {
    "win_rate": Field(KEYS["win_rate"]),
    "trades": Field(KEYS["trades"], 1, 1000),  # a widget showing less than the key allows
    "sizing": Field(KEYS["sizing"]),
    "goal": Field(KEYS["goal"], None, 100.0),
    "log": Field(Key("log", "bool")),
}
DEFAULTS = {"win_rate": 0.5, "trades": 500, "sizing": "fractional", "goal": None, "log": True}


def test_encode_drops_defaults_and_keeps_field_order():
    q = encode({"log": False, "trades": 500, "win_rate": 0.45, "goal": 2.0}, DEFAULTS, FIELDS)
    assert q == {"win_rate": "0.45", "goal": "2.0", "log": "0"}


def test_round_trip_through_url_text():
    params = {"win_rate": 0.1 + 0.2, "trades": 7, "sizing": "fixed", "goal": None, "log": False}
    url = to_query_string(encode(params, DEFAULTS, FIELDS))
    back, notices = decode(from_query_string("?" + url), DEFAULTS, FIELDS)
    assert notices == []
    assert back == params  # repr(float) is exact: 0.30000000000000004 survives


def test_optional_float_off_values():
    back, notices = decode({"goal": "none"}, {**DEFAULTS, "goal": 3.0}, FIELDS)
    assert back["goal"] is None and notices == []
    assert encode({"goal": None}, {**DEFAULTS, "goal": 3.0}, FIELDS) == {"goal": "none"}


@pytest.mark.parametrize(
    ("query", "key", "why"),
    [
        ({"win_rate": "abc"}, "win_rate", "win_rate must be a number between 0 and 1"),
        ({"win_rate": "1.5"}, "win_rate", "between 0 and 1 (exclusive); got 1.5"),
        ({"win_rate": "nan"}, "win_rate", "must be a finite number"),
        ({"trades": "2.5"}, "trades", "trades must be a whole number"),
        ({"trades": "0"}, "trades", "at least 1"),
        ({"trades": "5000"}, "trades", "at least 1 and at most 1000 on this page; got 5000"),
        ({"sizing": "martingale"}, "sizing", "sizing must be one of 'fractional', 'fixed'"),
        ({"log": "maybe"}, "log", "log must be true or false"),
        ({"goal": "1"}, "goal", "goal must be greater than 1"),
        ({"trades": "9" * 300}, "trades", "at most 200 characters"),
    ],
)
def test_bad_values_fall_back_with_a_notice(query, key, why):
    back, notices = decode(query, DEFAULTS, FIELDS)
    assert back[key] == DEFAULTS[key]
    assert len(notices) == 1 and f"'{key}=" in notices[0] and why in notices[0]


def test_unknown_keys_are_reported_and_embed_is_silent():
    back, notices = decode({"bogus": "1", "embed": "true", "trades": ["3", "9"]}, DEFAULTS, FIELDS)
    assert back["trades"] == 9  # last value wins, as in browsers
    assert notices == ["Link parameter 'bogus' is not one this page knows; ignored."]


@settings(max_examples=60, deadline=None)
@given(
    st.floats(min_value=1e-9, max_value=1 - 1e-9),
    st.integers(1, 1000),
    st.sampled_from(["fractional", "fixed"]),
    st.booleans(),
)
def test_round_trip_property(w, n, sizing, log):
    params = {"win_rate": w, "trades": n, "sizing": sizing, "goal": None, "log": log}
    back, notices = decode(
        from_query_string(to_query_string(encode(params, DEFAULTS, FIELDS))), DEFAULTS, FIELDS
    )
    assert notices == [] and back == params
    assert not math.isnan(back["win_rate"])
