"""The behaviour rules as a parameter object, and their flat keys (see :mod:`ruin.behaviour`)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ParameterError
from ..keys import Flat, check, group

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
        for name in self.__dataclass_fields__:  # each field by its flat key's one check
            object.__setattr__(self, name, check(name, getattr(self, name)))
        if self.martingale > 1.0 and self.anti_martingale > 1.0:
            raise ParameterError(
                "anti_martingale",
                "1 (off) when martingale is above 1",
                self.anti_martingale,
                "Choose one of the two rules.",
            )
        if self.liquidation_loss is not None and self.no_stop is None:
            raise ParameterError(
                "liquidation_loss", "used only together with no_stop", self.liquidation_loss
            )
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


#: Flat keys (CLI flags with underscores) read by :func:`ruin.config.build_scenario`: the
#: ``behaviour`` group of :data:`ruin.keys.KEYS`, one per field of :class:`Behaviour`.
BEHAVIOUR_KEYS = group("behaviour")
assert BEHAVIOUR_KEYS == set(Behaviour.__dataclass_fields__)  # type: ignore[attr-defined]


def build_behaviour(flat: Flat) -> Behaviour | None:
    """The :class:`Behaviour` of the behaviour keys given in ``flat`` (None: none given)."""
    given = {k: flat[k] for k in flat.any_given(BEHAVIOUR_KEYS)}
    return Behaviour(**given) if given else None
