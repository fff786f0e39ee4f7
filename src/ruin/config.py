"""Flat parameters -> :class:`~ruin.params.Scenario`: the one mapping shared by every face.

The CLI flags (``--win-rate`` -> ``win_rate``), scenario TOML files, sweep specs, share links
and the app all describe a run as flat keys, listed with their ranges, defaults and help in
:data:`ruin.keys.KEYS`. :func:`build_scenario` takes them in layers (a scenario file, its
variant, explicit keys, command-line flags), merges the layers by the one precedence table
:data:`ruin.keys.PRECEDENCE` (checking every value with its key), refuses the combinations of
:data:`ruin.keys.CONFLICTS`, and builds the frozen parameter objects. So every face accepts
exactly the same inputs with exactly the same messages, and "was this key given?" is a
question about layers, never a comparison with a default value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .behaviour.rules import build_behaviour
from .keys import KEYS, Flat, check_conflicts, defaults, outcome_pairs, resolve
from .market.flat import build_market
from .params import Account, Bernoulli, Bootstrap, Discrete, Scenario, Sizing
from .rules import RULE_KEYS, build_rules

__all__ = [
    "ACCOUNT_KEYS",
    "DEFAULTS",
    "build_scenario",
    "known_keys",
    "parse_outcomes",
    "scenario_of",
]

#: Defaults of the account model's keys (trade model, sizing, horizon and barriers, the run):
#: the table's (:data:`ruin.keys.KEYS`).
DEFAULTS: dict[str, Any] = {**defaults("model"), **defaults("account"), **defaults("run")}

#: Keys of the account model (the trade model, sizing, horizon and barriers, the run).
ACCOUNT_KEYS = frozenset(DEFAULTS)


def known_keys() -> frozenset[str]:
    """Every flat key :func:`build_scenario` accepts (the names of :data:`ruin.keys.KEYS`)."""
    return frozenset(KEYS)


def parse_outcomes(text: str) -> Discrete:
    """Parse ``"-1:0.5, 1.5:0.3, 3:0.2"`` (R value : probability, comma separated)."""
    values, probs = outcome_pairs(text)
    return Discrete(values=values, probs=probs)


def build_scenario(
    params: Mapping[str, Any] | None = None,
    *,
    layers: Mapping[str, Mapping[str, Any]] | None = None,
    source: str = "",
) -> Scenario:
    """Build and validate a :class:`Scenario` from flat keys (missing keys: defaults).

    Parameters
    ----------
    params : mapping, optional
        Flat keys given explicitly (the ``"explicit"`` layer). ``None`` values are "not
        given".
    layers : mapping, optional
        More layers by name (``"scenario"``, ``"variant"``, ``"explicit"``, ``"cli"``), merged
        by :data:`ruin.keys.PRECEDENCE`: a key takes the value of the highest layer giving it.
    source : str
        Where the keys came from (for messages; unused by the checks).

    Raises
    ------
    ParameterError
        Naming the offending key: unknown keys, values their key refuses, and the
        combinations of :data:`ruin.keys.CONFLICTS` (naming both keys).

    Examples
    --------
    >>> build_scenario({"risk": 0.02}).sizing.risk
    0.02
    >>> sc = build_scenario(layers={"scenario": {"risk": 0.05}, "cli": {"risk": 0.01}})
    >>> sc.sizing.risk
    0.01
    """
    merged = dict(layers or {})
    if params:
        merged["explicit"] = {**merged.get("explicit", {}), **params}
    flat = resolve(merged)
    check_conflicts(flat)
    return scenario_of(flat)


def scenario_of(flat: Flat) -> Scenario:
    """The :class:`Scenario` of resolved, conflict-free flat values (see :func:`build_scenario`)."""
    sizing = Sizing(risk=flat["risk"], rule=flat["sizing"])
    model: Bernoulli | Discrete | Bootstrap
    if flat.given("trades_file"):
        from .tradefile import load_trades  # polars: imported only when a file is read

        values, kind = load_trades(flat["trades_file"])
        block = flat["bootstrap"] == "block"
        model = Bootstrap(
            trades=values,
            method=flat["bootstrap"],
            block_length=flat["block_length"] if block else 1,
            kind=kind,
            source=str(flat["trades_file"]),
        )
    elif flat.given("outcomes"):
        outcomes = flat["outcomes"]
        model = outcomes if isinstance(outcomes, Discrete) else parse_outcomes(outcomes)
    else:
        model = Bernoulli(win_rate=flat["win_rate"], payoff=flat["payoff"])
    account = Account(trades=flat["trades"], ruin_level=flat["ruin_level"], goal=flat["goal"])
    rules = build_rules({k: flat[k] for k in RULE_KEYS if flat.given(k)})
    return Scenario(
        model=model,
        sizing=sizing,
        account=account,
        paths=flat["paths"],
        seed=flat["seed"],
        behaviour=build_behaviour(flat),
        market=build_market(flat),
        rules=rules,
    )
