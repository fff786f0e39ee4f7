"""Parameter objects: valid values pass through, invalid ones say what, allowed, and got."""

import dataclasses
import re

import pytest

from ruin import Account, Bernoulli, Bootstrap, Discrete, ParameterError, Scenario, Sizing


def err(text):
    return re.escape(text)


def test_risk_as_percent_gets_a_hint():
    with pytest.raises(
        ParameterError,
        match=err("risk must be greater than 0 and at most 1; got 5. Use 0.05 for 5% of equity."),
    ):
        Sizing(risk=5.0)


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5, float("nan"), float("inf")])
def test_risk_out_of_range(bad):
    with pytest.raises(ParameterError, match="risk must be"):
        Sizing(risk=bad)


def test_risk_not_a_number():
    with pytest.raises(ParameterError, match="risk must be a number greater than 0"):
        Sizing(risk="2%")
    with pytest.raises(ParameterError, match="risk must be a number"):
        Sizing(risk=True)


def test_sizing_rule_choice():
    with pytest.raises(ParameterError, match="sizing must be one of 'fractional', 'fixed'"):
        Sizing(risk=0.1, rule="kelly")
    assert Sizing(risk=1.0, rule="fixed").risk == 1.0


def test_win_rate():
    with pytest.raises(
        ParameterError,
        match=err("win_rate must be between 0 and 1 (exclusive); got 55. Use 0.55 for 55%."),
    ):
        Bernoulli(win_rate=55, payoff=1.0)
    for bad in (0.0, 1.0):
        with pytest.raises(ParameterError, match="win_rate must be between 0 and 1"):
            Bernoulli(win_rate=bad, payoff=1.0)
    with pytest.raises(ParameterError, match="payoff must be greater than 0"):
        Bernoulli(win_rate=0.5, payoff=0.0)
    b = Bernoulli(win_rate=0.4, payoff=2)
    assert b.payoff == 2.0 and isinstance(b.payoff, float)
    assert b.edge == pytest.approx(0.4 * 2 - 0.6)


def test_discrete_validation_and_renormalisation():
    with pytest.raises(ParameterError, match="probs must be probabilities summing to 1"):
        Discrete(values=(-1.0, 1.0), probs=(0.5, 0.6))
    with pytest.raises(ParameterError, match="probs must be a list as long as values"):
        Discrete(values=(-1.0, 1.0), probs=(1.0,))
    with pytest.raises(ParameterError, match="values must be a non-empty list"):
        Discrete(values=(), probs=())
    with pytest.raises(ParameterError, match="probs must be at least 0"):
        Discrete(values=(-1.0, 1.0), probs=(-0.5, 1.5))
    d = Discrete(values=(-1, 2), probs=(0.25, 0.75 + 1e-12))
    assert sum(d.probs) == pytest.approx(1.0, abs=1e-15)
    assert d.edge == pytest.approx(-0.25 + 1.5)


def test_bootstrap_validation():
    with pytest.raises(ParameterError, match="trades must be a non-empty list"):
        Bootstrap(trades=())
    with pytest.raises(ParameterError, match=r"trades\[1\] must be a finite number"):
        Bootstrap(trades=(1.0, float("nan")))
    with pytest.raises(ParameterError, match=r"trades\[0\] must be at least -1"):
        Bootstrap(trades=(-1.5, 0.1), kind="returns")
    with pytest.raises(ParameterError, match="block_length must be a whole number"):
        Bootstrap(trades=(1.0, -1.0), method="block", block_length=3)
    with pytest.raises(ParameterError, match="bootstrap must be one of"):
        Bootstrap(trades=(1.0,), method="stationary")
    b = Bootstrap(trades=(0.02, -0.01), kind="returns")
    assert b.r_values(0.01).tolist() == pytest.approx([2.0, -1.0])


def test_account_validation():
    with pytest.raises(ParameterError, match="trades must be a whole number at least 1"):
        Account(trades=0)
    with pytest.raises(ParameterError, match="trades must be a whole number"):
        Account(trades=10.5)
    assert Account(trades=10.0).trades == 10
    with pytest.raises(
        ParameterError,
        match=err(
            "ruin_level must be at least 0 and less than 1; got 50. "
            "Use 0.5 for 50% of starting equity."
        ),
    ):
        Account(trades=10, ruin_level=50)
    with pytest.raises(ParameterError, match="goal must be greater than 1"):
        Account(trades=10, goal=1.0)


def test_scenario_validation_and_value_semantics():
    kw = dict(
        model=Bernoulli(win_rate=0.5, payoff=1.0),
        sizing=Sizing(risk=0.01),
        account=Account(trades=10),
    )
    with pytest.raises(ParameterError, match="paths must be a whole number at least 1"):
        Scenario(**kw, paths=0)
    with pytest.raises(ParameterError, match="seed must be a whole number at least 0"):
        Scenario(**kw, seed=-1)
    with pytest.raises(ParameterError, match="model must be a Bernoulli, Discrete or"):
        Scenario(model="coin", sizing=Sizing(risk=0.01), account=Account(trades=10))
    a, b = Scenario(**kw, seed=1), Scenario(**kw, seed=1)
    assert a == b and hash(a) == hash(b)
    c = dataclasses.replace(a, paths=5)
    assert c.paths == 5 and a.paths == 10_000
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.paths = 3  # type: ignore[misc]


def test_error_is_a_value_error_with_fields():
    with pytest.raises(ValueError) as ei:
        Sizing(risk=2.0)
    e = ei.value
    assert isinstance(e, ParameterError)
    assert e.name == "risk" and e.got == 2.0 and "at most 1" in e.allowed
