import pytest

from ruin import Bernoulli, Bootstrap, Discrete, ParameterError, build_scenario


def test_defaults_build_a_bernoulli_fractional_scenario():
    sc = build_scenario({})
    assert isinstance(sc.model, Bernoulli)
    assert sc.sizing.rule == "fractional"
    assert sc.account.goal is None


def test_unknown_key_is_named():
    with pytest.raises(ParameterError, match="win_rat must be a known parameter"):
        build_scenario({"win_rat": 0.5})


def test_outcomes_string_builds_discrete():
    sc = build_scenario({"outcomes": "-1:0.6, 2:0.3, 5:0.1"})
    assert isinstance(sc.model, Discrete)
    assert sc.model.values == (-1.0, 2.0, 5.0)
    assert sc.model.edge == pytest.approx(-0.6 + 0.6 + 0.5)


@pytest.mark.parametrize(
    "text, match",
    [
        ("-1:0.5,2", "outcomes must be a list like"),
        ("-1:0.5,x:0.5", "outcomes item 2 must be two numbers"),
        ("-1:0.5,2:0.4", "probs must be probabilities summing to 1"),
    ],
)
def test_bad_outcomes(text, match):
    with pytest.raises(ParameterError, match=match):
        build_scenario({"outcomes": text})


def test_trades_file_bootstrap(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("date,r\n2024-01-01,2\n2024-01-02,-1\n2024-01-03,-1\n")
    sc = build_scenario({"trades_file": str(f), "bootstrap": "block", "block_length": 2})
    assert isinstance(sc.model, Bootstrap)
    assert sc.model.trades == (2.0, -1.0, -1.0)
    assert sc.model.method == "block" and sc.model.block_length == 2


def test_block_length_longer_than_trade_list_is_refused(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("r\n1\n-1\n")
    with pytest.raises(ParameterError, match="block_length must be a whole number"):
        build_scenario({"trades_file": str(f), "bootstrap": "block", "block_length": 5})


@pytest.mark.parametrize(
    "params, match",
    [
        ({"win_rate": 55}, "win_rate must be between 0 and 1 .*got 55.*Use 0.55"),
        ({"ruin_level": 50}, "ruin_level must be at least 0 and less than 1"),
        ({"goal": 0.5}, "goal must be greater than 1"),
        ({"paths": 0}, "paths must be a whole number at least 1"),
        ({"sizing": "kelly"}, "sizing must be one of 'fractional', 'fixed'"),
    ],
)
def test_out_of_range_values_are_named(params, match):
    with pytest.raises(ParameterError, match=match):
        build_scenario(params)
