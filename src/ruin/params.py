"""Frozen, validated parameter objects for the account model.

Units: fractions everywhere (0.02 is 2%); percents exist only in the app's widgets.
An invalid object cannot exist: every check runs in ``__post_init__`` and raises
:class:`ruin.errors.ParameterError` naming the field, the allowed range and the value.
Frozen objects compare by value, so they are safe cache keys; make what-if variants with
:func:`dataclasses.replace`.

Semantics (the contract shared by engine, exact answers, CLI and app)
--------------------------------------------------------------------
* **R** is the amount risked on a trade. A trade's outcome is a multiple of R: the Bernoulli
  model wins ``payoff`` R with probability ``win_rate`` and otherwise loses 1 R.
* **Sizing** ``fractional``: R = risk x current equity, so a loss multiplies equity by
  ``1 - risk`` and a win by ``1 + payoff * risk``. ``fixed``: R = risk x starting equity
  (a fixed stake); equity is floored at 0.
* **Ruin**: closed-trade equity <= ``ruin_level`` x starting equity after any trade 1..N
  (checked after every trade, absorbing). ``ruin_level = 0`` means bust.
* **Goal** (optional): equity >= ``goal`` x start after a trade; the path stops trading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from .behaviour.rules import Behaviour
from .errors import ParameterError
from .keys import MAX_PATHS, MAX_TRADES, check
from .market.trade import LeveragedTrade, check_scenario
from .outcomes import (
    Bernoulli,
    Bootstrap,
    Discrete,
    TradeModel,
    outcome_table,
)
from .rules import AccountRules

__all__ = [
    "Bernoulli",
    "Discrete",
    "Bootstrap",
    "Sizing",
    "Account",
    "Scenario",
    "TradeModel",
    "MAX_PATHS",
    "MAX_TRADES",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Sizing:
    """How much is risked per trade.

    ``rule="fractional"``: R = risk x current equity. ``rule="fixed"``: R = risk x starting
    equity. ``risk`` is a fraction, 0 < risk <= 1.
    """

    risk: float
    rule: Literal["fractional", "fixed"] = "fractional"

    def __post_init__(self) -> None:
        object.__setattr__(self, "risk", check("risk", self.risk))
        object.__setattr__(self, "rule", check("sizing", self.rule))


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """Horizon and absorbing barriers.

    Parameters
    ----------
    trades : int
        Number of trades N per path (1..1,000,000).
    ruin_level : float
        Ruin when equity <= ruin_level x start, 0 <= ruin_level < 1 (0 = bust).
    goal : float or None
        Stop trading when equity >= goal x start; goal > 1.
    """

    trades: int
    ruin_level: float = 0.0
    goal: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "trades", check("trades", self.trades))
        object.__setattr__(self, "ruin_level", check("ruin_level", self.ruin_level))
        object.__setattr__(self, "goal", check("goal", self.goal))


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """Everything one simulation needs. ``seed=None`` means "draw one and report it"."""

    model: TradeModel
    sizing: Sizing
    account: Account
    paths: int = 10_000
    seed: int | None = None
    #: Behaviour / sizing / exit rules; None = plain.
    behaviour: Behaviour | None = None
    #: Leveraged price-path trade model; when set, it replaces ``model`` as the source of
    #: per-trade outcomes.
    market: LeveragedTrade | None = None
    #: Trailing drawdown, daily loss limit and challenge rules (:mod:`ruin.rules`); None = off.
    rules: AccountRules | None = None

    def __post_init__(self) -> None:
        if self.rules is not None and not isinstance(self.rules, AccountRules):
            raise ParameterError("rules", "an AccountRules", self.rules)
        if not isinstance(self.model, (Bernoulli, Discrete, Bootstrap)):
            raise ParameterError("model", "a Bernoulli, Discrete or Bootstrap model", self.model)
        if self.market is not None:
            if not isinstance(self.market, LeveragedTrade):
                raise ParameterError("market", "a LeveragedTrade", self.market)
            check_scenario(self.market, self.sizing.risk)
        object.__setattr__(self, "paths", check("paths", self.paths))
        object.__setattr__(self, "seed", check("seed", self.seed))

    def r_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """Outcome values in R and their probabilities (i.i.d. models)."""
        return outcome_table(self.model, self.sizing.risk)
