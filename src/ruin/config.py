"""Flat parameters -> :class:`~ruin.params.Scenario`: the one mapping shared by every face.

The CLI flags (``--win-rate`` -> ``win_rate``), scenario TOML files, sweep specs, share links
and the app all describe a run as a flat mapping of these names. :func:`build_scenario`
validates the mapping (unknown names are errors) and builds the frozen parameter objects, so
all faces accept exactly the same inputs with exactly the same messages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .behaviour.rules import BEHAVIOUR_KEYS, build_behaviour
from .errors import ParameterError, check_choice
from .market.flat import LEVERAGE_KEYS, build_market
from .params import Account, Bernoulli, Bootstrap, Discrete, Scenario, Sizing
from .rules import RULE_KEYS, build_rules

__all__ = ["ACCOUNT_KEYS", "DEFAULTS", "KEYS", "build_scenario", "parse_outcomes", "known_keys"]

#: Defaults used when a key is absent (the CLI, sweeps and scenario files share them).
DEFAULTS: dict[str, Any] = {
    "win_rate": 0.5,
    "payoff": 1.5,
    "risk": 0.01,
    "sizing": "fractional",
    "trades": 500,
    "paths": 10_000,
    "seed": None,
    "ruin_level": 0.5,
    "goal": None,
    "outcomes": None,
    "trades_file": None,
    "bootstrap": "iid",
    "block_length": 5,
}

#: Keys of the account model (the trade model, sizing, horizon and barriers, the run).
ACCOUNT_KEYS = frozenset(DEFAULTS)

#: Every flat key, by the part of the scenario it builds: the account (this module), the
#: leveraged trade (:data:`ruin.market.flat.LEVERAGE_KEYS`, built by
#: :func:`ruin.market.flat.build_market`) and the behaviour rules
#: (:data:`ruin.behaviour.rules.BEHAVIOUR_KEYS`, :func:`ruin.behaviour.rules.build_behaviour`)
#: and the account rules (:data:`ruin.rules.RULE_KEYS`, :func:`ruin.rules.build_rules`).
KEYS = ACCOUNT_KEYS | LEVERAGE_KEYS | BEHAVIOUR_KEYS | RULE_KEYS


def known_keys() -> frozenset[str]:
    """Every flat key :func:`build_scenario` accepts."""
    return KEYS


def parse_outcomes(text: str) -> Discrete:
    """Parse ``"-1:0.5, 1.5:0.3, 3:0.2"`` (R value : probability, comma separated)."""
    values, probs = [], []
    for i, part in enumerate(p for p in str(text).split(",") if p.strip()):
        if ":" not in part:
            raise ParameterError(
                "outcomes", "a list like '-1:0.55,2:0.45' (R value:probability)", text
            )
        v, p = part.split(":", 1)
        try:
            values.append(float(v))
            probs.append(float(p))
        except ValueError:
            raise ParameterError(
                f"outcomes item {i + 1}", "two numbers 'R:probability'", part.strip()
            ) from None
    return Discrete(values=tuple(values), probs=tuple(probs))


def build_scenario(params: Mapping[str, Any], *, source: str = "") -> Scenario:
    """Build and validate a :class:`Scenario` from flat ``params`` (missing keys: defaults).

    ``trades_file`` is read with :func:`ruin.tradefile.load_trades` (CSV or Parquet).
    Raises :class:`ParameterError` naming the offending key; unknown keys are errors.
    """
    unknown = sorted(set(params) - known_keys())
    if unknown:
        raise ParameterError(
            unknown[0],
            "a known parameter (" + ", ".join(sorted(known_keys())) + ")",
            params[unknown[0]],
        )
    p = {**DEFAULTS, **{k: v for k, v in params.items() if v is not None or k in ("goal",)}}
    sizing = Sizing(
        risk=p["risk"], rule=check_choice("sizing", p["sizing"], ("fractional", "fixed"))
    )
    if p["trades_file"] is not None and p["outcomes"] is not None:
        raise ParameterError(
            "trades_file", "not combined with outcomes (choose one model)", p["trades_file"]
        )
    if p["trades_file"] is not None:
        from .tradefile import load_trades  # polars: imported only when a file is read

        values, kind = load_trades(p["trades_file"])
        model: Any = Bootstrap(
            trades=values,
            method=p["bootstrap"],
            block_length=p["block_length"] if p["bootstrap"] == "block" else 1,
            kind=kind,
            source=str(p["trades_file"]),
        )
    elif p["outcomes"] is not None:
        model = (
            p["outcomes"] if isinstance(p["outcomes"], Discrete) else parse_outcomes(p["outcomes"])
        )
    else:
        model = Bernoulli(win_rate=p["win_rate"], payoff=p["payoff"])
    goal = p["goal"]
    if isinstance(goal, float) and math.isnan(goal):
        goal = None
    account = Account(trades=p["trades"], ruin_level=p["ruin_level"], goal=goal)
    rules = sorted(k for k in BEHAVIOUR_KEYS if p.get(k) is not None)
    leveraged = sorted(k for k in LEVERAGE_KEYS if p.get(k) is not None)
    if rules and leveraged:
        raise ParameterError(
            rules[0],
            f"used without the leveraged market model (not with "
            f"{leveraged[0]}); the behaviour rules act on R outcomes",
            p[rules[0]],
        )
    behaviour = build_behaviour(p)
    market = build_market(p, DEFAULTS)
    account_rules = build_rules(p)
    if account_rules is not None and (behaviour is not None or market is not None):
        key = sorted(k for k in RULE_KEYS if p.get(k) is not None)[0]
        raise ParameterError(
            key,
            "used with the i.i.d. trade models (win rate and payoff, outcomes or a trade "
            "file); not yet with the leveraged market model or the behaviour rules",
            p[key],
        )
    return Scenario(
        model=model,
        sizing=sizing,
        account=account,
        paths=p["paths"],
        seed=p["seed"],
        behaviour=behaviour,
        market=market,
        rules=account_rules,
    )
