"""The leveraged trade: a validated parameter object (and its check against the sizing)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ..brownian import solve_drift
from ..errors import ParameterError, check_choice, check_number
from ..keys import (
    KEYS,
    MAX_POSITIONS,
    ODDS_KEYS,
    PARTS,
    check,
    check_edge,
    check_leverage,
    check_mmr,
)

__all__ = ["LeveragedTrade", "MAX_POSITIONS", "check_scenario"]

#: Fields of :class:`LeveragedTrade` that are flat keys of the same name (checked by them).
_FLAT_FIELDS = (
    "side",
    "stop",
    "take_profit",
    "volatility",
    "equity_usd",
    "margin_mode",
    "liquidation_rule",
    "liquidation_fee",
    "fee_bps",
    "slippage_bps",
    "funding_rate",
    "funding_interval_hours",
    "max_hold_days",
    "monitoring",
    "check_hours",
    "step_hours",
    "positions",
    "correlation",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class LeveragedTrade:
    """A leveraged trade on a simulated price path (all rates are fractions, not percents).

    Parameters
    ----------
    leverage : float
        Exchange leverage L = notional / isolated margin, 1 <= L <= ``max_leverage``.
    stop, take_profit : float
        Stop and take-profit distances as fractions of the entry price (0 < stop < 1).
    win_rate, drift : float or None
        Exactly one: the win rate P(take-profit before stop) without liquidation, from which
        the drift is solved, or the market's drift: the drift per day of the log price
        (positive: the price rises, which helps a long and hurts a short), the same meaning
        as in ``ruin odds``. :attr:`nu` is the drift in the trade's favour.
    volatility : float
        Standard deviation of daily log returns of the diffusion (0.03 = 3% a day, about 57%
        a year). Jumps come on top of it: they are not compensated, so with jumps the total
        daily variance is ``volatility**2 + jump_variance_per_day`` and the market drifts by
        ``jump_drift_per_day`` more.
    side : {"long", "short"}
    mmr : float
        Maintenance margin rate, 0 <= mmr < 1/leverage.
    maintenance_basis : {"mark", "entry"}
        Maintenance on the current notional (Binance, Hyperliquid, dYdX) or on the notional
        at entry (GMX v2, Bybit), as :func:`ruin.margin.liquidation_price`.
    maintenance_amount : float
        Tier deduction (USD) at the account's starting position size.
    equity_usd : float
        Starting account equity in USD (only used for tiers).
    margin_mode : {"isolated", "cross"}
    liquidation_rule : {"margin", "fill"}
        What is lost at liquidation (see module docstring).
    liquidation_fee : float
        Fee on liquidation, fraction of notional (rule ``"fill"``).
    backstop_fraction : float or None
        Rule ``"fill"``: if equity at the fill is below this fraction of maintenance margin
        (Hyperliquid 2/3, after a gap), the whole margin is lost (backstop liquidation).
    fee_bps, slippage_bps : float
        Per fill, basis points of notional.
    funding_rate : float
        Funding per interval as a fraction of notional; > 0: longs pay.
    funding_interval_hours : float
    tails_df : float or None
        Student-t degrees of freedom (> 2) for the shocks; ``None``: normal.
    garch : tuple of float or None
        Daily GARCH(1,1) ``(alpha, beta)``, alpha + beta < 1; ``None``: constant volatility.
    jump_rate, jump_mean, jump_sd : float
        Crash jumps (the price gaps down): Poisson rate per day, mean and sd of the normal
        jump in log price, floored at ``log(1 + crash_cap)``.
    crash_cap : float
        The largest crash as a simple return, -1 < crash_cap < 0 (-0.95: -95%).
    pump_rate, pump_mean, pump_sd : float
        Pumps and squeezes (the price gaps up, so shorts gap too): Poisson rate per day, mean
        and sd of the normal jump in log price.
    max_hold_days : float or None
        Close at market after this long.
    monitoring : {"continuous", "discrete"}
        Continuous: stop and take-profit act whenever the price touches them. Discrete: the
        trader's stop and take-profit are checked only every ``check_hours`` (closes),
        filled at that price; the venue still liquidates continuously.
    check_hours : float
    step_hours : float or None
        Simulation step when a time dimension is needed; default chosen from the barriers.
    positions : int
        Concurrent positions per trade (portfolio heat), each risking ``risk``.
    correlation : float
        Correlation of the positions' shocks, 0 <= rho <= 1 (crash jumps are shared).
    max_leverage : float or None
        The venue's maximum leverage.
    venue, asset, calibration : str
        Labels of the presets used (calibration: "illustrative, as of <date>").
    """

    leverage: float = 1.0
    stop: float = 0.01
    take_profit: float = 0.015
    win_rate: float | None = None
    drift: float | None = None
    volatility: float = 0.03
    side: Literal["long", "short"] = "long"
    mmr: float = 0.005
    maintenance_basis: Literal["mark", "entry"] = "mark"
    maintenance_amount: float = 0.0
    equity_usd: float = 10_000.0
    margin_mode: Literal["isolated", "cross"] = "isolated"
    liquidation_rule: Literal["margin", "fill"] = "margin"
    liquidation_fee: float = 0.0
    backstop_fraction: float | None = None
    fee_bps: float = 0.0
    slippage_bps: float = 0.0
    funding_rate: float = 0.0
    funding_interval_hours: float = 8.0
    tails_df: float | None = None
    garch: tuple[float, float] | None = None
    jump_rate: float = 0.0
    jump_mean: float = -0.10
    jump_sd: float = 0.05
    crash_cap: float = -0.95
    pump_rate: float = 0.0
    pump_mean: float = 0.10
    pump_sd: float = 0.05
    max_hold_days: float | None = None
    monitoring: Literal["continuous", "discrete"] = "continuous"
    check_hours: float = 1.0
    step_hours: float | None = None
    positions: int = 1
    correlation: float = 0.0
    max_leverage: float | None = None
    venue: str = ""
    asset: str = ""
    calibration: str = ""

    def __post_init__(self) -> None:
        S = object.__setattr__
        if self.max_leverage is not None:
            S(self, "max_leverage", ODDS_KEYS["max_leverage"].check(self.max_leverage))
        where = self.venue or "this venue"
        S(self, "leverage", check_leverage(self.leverage, self.max_leverage, where=where))
        for name in _FLAT_FIELDS:  # each by its flat key's one check (ruin.keys)
            S(self, name, check(name, getattr(self, name)))
        if self.side == "short" and self.take_profit >= 1.0:
            raise ParameterError(
                "take_profit",
                "greater than 0 and less than 1 for a short (a price cannot fall below 0)",
                self.take_profit,
            )
        win_rate, drift = check_edge(self.win_rate, self.drift)
        S(self, "win_rate", win_rate)
        S(self, "drift", drift)
        S(self, "mmr", check_mmr(self.mmr, self.leverage))
        S(
            self,
            "maintenance_amount",
            check_number("maintenance_amount", self.maintenance_amount, 0.0, 1e12),
        )
        if self.backstop_fraction is not None:
            S(
                self,
                "backstop_fraction",
                check_number("backstop_fraction", self.backstop_fraction, 0.0, 1.0),
            )
        if self.tails_df is not None:
            S(self, "tails_df", KEYS["tails"].check(self.tails_df))
        if self.garch is not None:
            garch = KEYS["garch"].check(self.garch)
            if isinstance(garch, bool):
                raise ParameterError("garch", "two numbers (alpha, beta)", self.garch)
            S(self, "garch", garch)
        for name in ("jump_rate", "jump_mean", "jump_sd", "pump_rate", "pump_mean", "pump_sd"):
            S(self, name, PARTS[name].check(getattr(self, name)))
        S(
            self,
            "crash_cap",
            check_number("crash_cap", self.crash_cap, -1.0, 0.0, lo_incl=False, hi_incl=False),
        )
        S(
            self,
            "maintenance_basis",
            check_choice("maintenance_basis", self.maintenance_basis, ("mark", "entry")),
        )
        if self.entry_cost >= 1.0 / self.leverage - self.mmr and self.margin_mode == "isolated":
            raise ParameterError(
                "fee_bps + slippage_bps",
                f"less than the margin buffer 1/leverage - mmr = "
                f"{1.0 / self.leverage - self.mmr:.6g} of notional",
                self.entry_cost,
                "The entry costs alone would liquidate the position.",
            )

    # ---- derived quantities
    @property
    def sign(self) -> int:
        return 1 if self.side == "long" else -1

    @property
    def entry_cost(self) -> float:
        """Fee plus slippage of one fill as a fraction of notional."""
        return (self.fee_bps + self.slippage_bps) * 1e-4

    @property
    def payoff(self) -> float:
        """Take-profit distance / stop distance (R won at take-profit before costs)."""
        return self.take_profit / self.stop

    @property
    def barriers(self) -> tuple[float, float]:
        """Log distances (down, up) from entry to the stop and the take-profit."""
        if self.side == "long":
            return -math.log1p(-self.stop), math.log1p(self.take_profit)
        return math.log1p(self.stop), -math.log1p(-self.take_profit)

    @property
    def nu(self) -> float:
        """The drift per day in the trade's favour (solved from the win rate if given; from
        the market's ``drift``: ``side x drift``)."""
        if self.drift is not None:
            return float(self.sign * self.drift)
        a, b = self.barriers
        return solve_drift(float(self.win_rate), self.volatility, a, b)

    @property
    def has_time(self) -> bool:
        """Whether the trade needs a time dimension (stepped simulation)."""
        return bool(
            self.max_hold_days is not None
            or self.funding_rate != 0.0
            or self.jump_rate > 0.0
            or self.pump_rate > 0.0
            or self.tails_df is not None
            or self.garch is not None
            or self.monitoring == "discrete"
            or self.positions > 1
        )

    @property
    def jump_variance_per_day(self) -> float:
        """Variance per day the jumps add to the diffusion's ``volatility**2`` (the floor
        ignored): ``rate x (mean**2 + sd**2)`` of crashes plus pumps."""
        return self.jump_rate * (self.jump_mean**2 + self.jump_sd**2) + self.pump_rate * (
            self.pump_mean**2 + self.pump_sd**2
        )

    @property
    def jump_drift_per_day(self) -> float:
        """Market drift per day of log price the jumps add (``rate x mean``, crashes plus
        pumps; negative: the price drifts down)."""
        return self.jump_rate * self.jump_mean + self.pump_rate * self.pump_mean

    def maintenance_fraction(self, risk: float) -> float:
        """Maintenance amount as a fraction of the starting notional (tiers)."""
        if self.maintenance_amount == 0.0:
            return 0.0
        notional = risk * self.equity_usd / self.stop
        return self.maintenance_amount / notional


def check_scenario(market: LeveragedTrade, risk: float) -> None:
    """Validate the market model against the account's sizing (called by Scenario)."""
    need = market.positions * risk / (market.leverage * market.stop)
    if market.margin_mode == "isolated" and need > 1.0 + 1e-12:
        raise ParameterError(
            "leverage",
            f"at least {market.positions * risk / market.stop:.4g} for this risk "
            f"and stop (margin must fit in the account)",
            market.leverage,
            f"Risking {risk:g} of equity with a {market.stop:g} stop needs "
            f"{need:.0%} of equity as isolated margin.",
        )
    if market.margin_mode == "cross":
        lev_acc = market.positions * risk / market.stop
        if lev_acc >= 1.0 / market.mmr if market.mmr > 0 else False:
            raise ParameterError(
                "risk",
                f"such that account leverage {lev_acc:.3g} stays below 1/mmr",
                risk,
                "The account would be liquidated on entry.",
            )
