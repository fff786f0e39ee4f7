"""The one string-to-boolean rule (ruin.parse.parse_bool) and the CLI flag that uses it."""

import json

import pytest

from ruin.cli import main
from ruin.errors import ParameterError
from ruin.parse import FALSE_WORDS, TRUE_WORDS, parse_bool


@pytest.mark.parametrize("word", [*TRUE_WORDS, "TRUE", " Yes ", "On"])
def test_true_words(word):
    assert parse_bool(word) is True


@pytest.mark.parametrize("word", [*FALSE_WORDS, "FALSE", " no ", "Off"])
def test_false_words(word):
    assert parse_bool(word) is False


def test_bools_pass_through():
    assert parse_bool(True) is True and parse_bool(False) is False


@pytest.mark.parametrize("bad", ["maybe", "", "2", "t", None, 1, 0.0])
def test_anything_else_names_the_parameter(bad):
    with pytest.raises(ParameterError, match=r"breakeven must be true or false \(also yes/no"):
        parse_bool(bad, "breakeven")


def test_cli_flag_reads_the_same_words(capsys):
    base = [
        "simulate",
        "--win-rate",
        "0.45",
        "--payoff",
        "2",
        "--partial-tp",
        "1",
        "--paths",
        "50",
        "--trades",
        "10",
        "--seed",
        "1",
        "--json",
    ]
    runs = {}
    for word in ("OFF", "no", "true"):
        assert main([*base, "--breakeven", word]) == 0
        d = json.loads(capsys.readouterr().out)
        runs[word] = (d["final_equity"], d["max_drawdown_quantiles"])
    assert runs["OFF"] == runs["no"] != runs["true"]
    assert main([*base, "--breakeven", "maybe"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "ruin simulate: argument --breakeven: breakeven must be true or false "
        "(also yes/no, on/off, 1/0); got 'maybe'."
    )
