"""The behaviour rules as a parameter object, and their flat keys (see :mod:`ruin.behaviour`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ParameterError, check_int, check_number

__all__ = ["Behaviour", "BEHAVIOUR_KEYS", "build_behaviour"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Behaviour:
    """Sizing, behaviour and exit rules on top of a scenario (all neutral by default).

    Parameters
    ----------
    martingale : float
        Risk multiplier after each loss (reset after a win), >= 1; 1 = off.
    anti_martingale : float
        Risk multiplier after each win (reset after a loss), >= 1; 1 = off.
    risk_cap : float
        Largest risk per trade the rules may reach, 0 < risk_cap <= 1.
    drawdown_cut : float or None
        Drawdown level X, 0 < X < 1, at and beyond which risk is multiplied by
        ``drawdown_factor``.
    drawdown_factor : float
        Risk multiplier while in a drawdown >= X, 0 < factor <= 1.
    win_rate_sample : int or None
        Trades the win rate was measured on (1..1,000,000); draws P(win) per path from Beta.
    partial_tp, partial_fraction, breakeven, scale_in_at, no_stop, liquidation_loss
        Exit rules (see the module docstring); ``None`` = off.
    """

    martingale: float = 1.0
    anti_martingale: float = 1.0
    risk_cap: float = 1.0
    drawdown_cut: float | None = None
    drawdown_factor: float = 0.5
    win_rate_sample: int | None = None
    partial_tp: float | None = None
    partial_fraction: float = 0.5
    breakeven: bool = True
    scale_in_at: float | None = None
    no_stop: float | None = None
    liquidation_loss: float | None = None

    def __post_init__(self) -> None:
        def num(name: str, *a: Any, **kw: Any) -> None:
            object.__setattr__(self, name, check_number(name, getattr(self, name), *a, **kw))

        num("martingale", 1.0, 100.0, hint="Use 2 to double the risk after each loss.")
        num("anti_martingale", 1.0, 100.0, hint="Use 2 to double the risk after each win.")
        if self.martingale > 1.0 and self.anti_martingale > 1.0:
            raise ParameterError(
                "anti_martingale",
                "1 (off) when martingale is above 1",
                self.anti_martingale,
                "Choose one of the two rules.",
            )
        num("risk_cap", 0.0, 1.0, lo_incl=False, hint="Use 0.2 to cap risk at 20% of equity.")
        if self.drawdown_cut is not None:
            num(
                "drawdown_cut",
                0.0,
                1.0,
                lo_incl=False,
                hi_incl=False,
                hint="Use 0.2 to cut risk in a 20% drawdown.",
            )
        num("drawdown_factor", 0.0, 1.0, lo_incl=False)
        if self.win_rate_sample is not None:
            object.__setattr__(
                self,
                "win_rate_sample",
                check_int("win_rate_sample", self.win_rate_sample, 1, 1_000_000),
            )
        if self.partial_tp is not None:
            num("partial_tp", 0.0, 1e6, lo_incl=False)
        num("partial_fraction", 0.0, 1.0, lo_incl=False, hi_incl=False)
        if not isinstance(self.breakeven, bool):
            raise ParameterError("breakeven", "true or false", self.breakeven)
        if self.scale_in_at is not None:
            num(
                "scale_in_at",
                0.0,
                1.0,
                lo_incl=False,
                hi_incl=False,
                hint="It is a fraction of the stop distance: 0.5 adds halfway to the stop.",
            )
        if self.no_stop is not None:
            num(
                "no_stop",
                1.0,
                1e4,
                hint="It is the move to liquidation in stop distances, e.g. 4.43 for 10x "
                "with MMR 1.25% and a 2% stop.",
            )
        if self.liquidation_loss is not None:
            if self.no_stop is None:
                raise ParameterError(
                    "liquidation_loss", "used only together with no_stop", self.liquidation_loss
                )
            num("liquidation_loss", 0.0, 1e4, lo_incl=False)
        rules = [
            k for k in ("partial_tp", "scale_in_at", "no_stop") if getattr(self, k) is not None
        ]
        if len(rules) > 1:
            raise ParameterError(
                rules[1],
                f"not combined with {rules[0]} (one exit rule at a time)",
                getattr(self, rules[1]),
            )
        if self.win_rate_sample is not None and rules:
            raise ParameterError(
                rules[0], "not combined with win_rate_sample", getattr(self, rules[0])
            )

    @property
    def has_exit_rule(self) -> bool:
        return any(getattr(self, k) is not None for k in ("partial_tp", "scale_in_at", "no_stop"))

    @property
    def has_state(self) -> bool:
        """True when the compiled per-path kernel is needed (sizing rules or uncertainty)."""
        return (
            self.martingale > 1.0
            or self.anti_martingale > 1.0
            or self.drawdown_cut is not None
            or self.win_rate_sample is not None
        )


#: Flat keys (CLI flags with underscores) read by :func:`ruin.config.build_scenario`.
BEHAVIOUR_KEYS = frozenset(
    f
    for f in Behaviour.__dataclass_fields__  # type: ignore[attr-defined]
)


def build_behaviour(params: Mapping[str, Any]) -> Behaviour | None:
    """The :class:`Behaviour` of the behaviour keys given in ``params`` (None: none given)."""
    given = {k: params[k] for k in BEHAVIOUR_KEYS if params.get(k) is not None}
    return Behaviour(**given) if given else None
