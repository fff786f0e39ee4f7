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

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .errors import ParameterError, check_choice, check_int, check_number

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

MAX_PATHS = 50_000_000
MAX_TRADES = 1_000_000
MAX_BOOTSTRAP_TRADES = 1_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Bernoulli:
    """Win ``payoff`` R with probability ``win_rate``, else lose 1 R.

    Parameters
    ----------
    win_rate : float
        P(win) per trade, 0 < win_rate < 1.
    payoff : float
        R gained on a win (reward:risk ratio), > 0.
    """

    win_rate: float
    payoff: float

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "win_rate",
            check_number(
                "win_rate", self.win_rate, 0.0, 1.0, lo_incl=False, hi_incl=False,
                hint="Use 0.55 for 55%." if isinstance(self.win_rate, (int, float))
                and not isinstance(self.win_rate, bool) and 1 < self.win_rate <= 100 else "",
            ),
        )
        object.__setattr__(
            self, "payoff", check_number("payoff", self.payoff, 0.0, 1e6, lo_incl=False)
        )

    @property
    def values(self) -> tuple[float, ...]:
        return (-1.0, self.payoff)

    @property
    def probs(self) -> tuple[float, ...]:
        return (1.0 - self.win_rate, self.win_rate)

    @property
    def edge(self) -> float:
        """Expected R per trade, ``p*b - q``."""
        return self.win_rate * self.payoff - (1.0 - self.win_rate)


@dataclass(frozen=True, slots=True, kw_only=True)
class Discrete:
    """A discrete outcome distribution: outcome ``values[i]`` R with probability ``probs[i]``.

    Probabilities must be >= 0 and sum to 1 (within 1e-9; they are renormalised exactly).
    An outcome below -1 R is allowed (a gap through the stop) but not below -1e6.
    """

    values: tuple[float, ...]
    probs: tuple[float, ...]

    def __post_init__(self) -> None:
        vals = tuple(float(check_number("values", v, -1e6, 1e6)) for v in self.values)
        prs = tuple(float(check_number("probs", p, 0.0, 1.0)) for p in self.probs)
        if len(vals) == 0:
            raise ParameterError("values", "a non-empty list of R outcomes", list(self.values))
        if len(vals) != len(prs):
            raise ParameterError(
                "probs", f"a list as long as values ({len(vals)} items)", list(self.probs)
            )
        total = math.fsum(prs)
        if abs(total - 1.0) > 1e-9:
            raise ParameterError("probs", "probabilities summing to 1", f"sum {total:.12g}")
        object.__setattr__(self, "values", vals)
        object.__setattr__(self, "probs", tuple(p / total for p in prs))

    @property
    def edge(self) -> float:
        return math.fsum(v * p for v, p in zip(self.values, self.probs, strict=True))


@dataclass(frozen=True, slots=True, kw_only=True)
class Bootstrap:
    """Resample a user's own trade list.

    Parameters
    ----------
    trades : tuple of float
        Each trade's outcome in R (``kind="r"``) or as a return on equity (``kind="returns"``,
        0.01 = +1%). Returns are converted to R at the run's risk: R = return / risk, so under
        fractional sizing at that risk each resampled trade moves equity by its original return.
    method : {"iid", "block"}
        i.i.d. bootstrap (each trade drawn independently, with replacement) or the circular
        block bootstrap: blocks of ``block_length`` consecutive trades starting at a uniformly
        drawn trade, wrapping around the end, which keeps streaks and serial dependence.
    block_length : int
        Trades per block, 1 <= block_length <= len(trades). Only used by ``method="block"``.
    """

    trades: tuple[float, ...]
    method: Literal["iid", "block"] = "iid"
    block_length: int = 1
    kind: Literal["r", "returns"] = "r"
    source: str = field(default="", compare=True)

    def __post_init__(self) -> None:
        check_choice("bootstrap", self.method, ("iid", "block"))
        check_choice("kind", self.kind, ("r", "returns"))
        n = len(self.trades)
        if n == 0:
            raise ParameterError("trades", "a non-empty list of trade outcomes", [])
        if n > MAX_BOOTSTRAP_TRADES:
            raise ParameterError(
                "trades", f"at most {MAX_BOOTSTRAP_TRADES:,} trades", f"{n:,} trades"
            )
        arr = np.asarray(self.trades, dtype=np.float64)
        if not np.all(np.isfinite(arr)):
            bad = int(np.flatnonzero(~np.isfinite(arr))[0])
            raise ParameterError(f"trades[{bad}]", "a finite number", self.trades[bad])
        lo = -1.0 if self.kind == "returns" else -1e6
        if np.any(arr < lo):
            bad = int(np.flatnonzero(arr < lo)[0])
            raise ParameterError(
                f"trades[{bad}]", f"at least {lo:g}", self.trades[bad],
                "A return below -1 would lose more than the whole account.",
            )
        object.__setattr__(self, "trades", tuple(float(x) for x in arr))
        object.__setattr__(
            self, "block_length", check_int("block_length", self.block_length, 1, n)
        )

    def r_values(self, risk: float) -> np.ndarray:
        arr = np.asarray(self.trades, dtype=np.float64)
        return arr / risk if self.kind == "returns" else arr

    @property
    def edge(self) -> float:
        return float(np.mean(self.trades))


TradeModel = Bernoulli | Discrete | Bootstrap


@dataclass(frozen=True, slots=True, kw_only=True)
class Sizing:
    """How much is risked per trade.

    ``rule="fractional"``: R = risk x current equity. ``rule="fixed"``: R = risk x starting
    equity. ``risk`` is a fraction, 0 < risk <= 1.
    """

    risk: float
    rule: Literal["fractional", "fixed"] = "fractional"

    def __post_init__(self) -> None:
        hint = ""
        if isinstance(self.risk, (int, float)) and not isinstance(self.risk, bool):
            if 1 < self.risk <= 100:
                hint = f"Use {self.risk / 100:g} for {self.risk:g}% of equity."
        object.__setattr__(
            self, "risk", check_number("risk", self.risk, 0.0, 1.0, lo_incl=False, hint=hint)
        )
        check_choice("sizing", self.rule, ("fractional", "fixed"))


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
        object.__setattr__(self, "trades", check_int("trades", self.trades, 1, MAX_TRADES))
        hint = ""
        if isinstance(self.ruin_level, (int, float)) and 1 <= self.ruin_level <= 100:
            hint = "It is a fraction of starting equity: use 0.5 for 50%."
        object.__setattr__(
            self,
            "ruin_level",
            check_number("ruin_level", self.ruin_level, 0.0, 1.0, hi_incl=False, hint=hint),
        )
        if self.goal is not None:
            object.__setattr__(
                self,
                "goal",
                check_number(
                    "goal", self.goal, 1.0, 1e12, lo_incl=False,
                    hint="It is a multiple of starting equity: use 2 to double the account.",
                ),
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """Everything one simulation needs. ``seed=None`` means "draw one and report it"."""

    model: TradeModel
    sizing: Sizing
    account: Account
    paths: int = 10_000
    seed: int | None = None
    #: Behaviour / sizing / exit rules (:class:`ruin.behaviour.Behaviour`); None = plain.
    behaviour: object | None = None
    #: Leveraged price-path trade model (:class:`ruin.market.LeveragedTrade`); when set, it
    #: replaces ``model`` as the source of per-trade outcomes.
    market: object | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.model, (Bernoulli, Discrete, Bootstrap)):
            raise ParameterError("model", "a Bernoulli, Discrete or Bootstrap model", self.model)
        if self.market is not None:
            from .market import LeveragedTrade, check_scenario

            if not isinstance(self.market, LeveragedTrade):
                raise ParameterError("market", "a LeveragedTrade", self.market)
            check_scenario(self.market, self.sizing.risk)
        object.__setattr__(self, "paths", check_int("paths", self.paths, 1, MAX_PATHS))
        if self.seed is not None:
            object.__setattr__(self, "seed", check_int("seed", self.seed, 0, 2**63 - 1))

    def r_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """Outcome values in R and their probabilities (i.i.d. models)."""
        m = self.model
        if isinstance(m, Bootstrap):
            v = m.r_values(self.sizing.risk)
            return v, np.full(v.size, 1.0 / v.size)
        return np.asarray(m.values, dtype=np.float64), np.asarray(m.probs, dtype=np.float64)


def as_tuple(values: Sequence[float] | np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in np.asarray(values, dtype=np.float64).ravel())
