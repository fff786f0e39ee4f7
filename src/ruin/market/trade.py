"""The leveraged trade: a validated parameter object (and its check against the sizing)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ..brownian import solve_drift
from ..errors import ParameterError, check_choice, check_int, check_number

MAX_POSITIONS = 20


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
        the drift is solved, or the drift per day of log price in the trade's favour.
    volatility : float
        Standard deviation of daily log returns (0.03 = 3% a day, about 57% a year).
    side : {"long", "short"}
    mmr : float
        Maintenance margin rate, 0 <= mmr < 1/leverage.
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
        Crash jumps: Poisson rate per day, mean and sd of the jump in log price (a jump is
        floored at -95%).
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
            S(self, "max_leverage", check_number("max_leverage", self.max_leverage, 1.0, 1e4))
        hi = self.max_leverage if self.max_leverage is not None else 1000.0
        where = f" on {self.venue}" if self.venue else ""
        S(
            self,
            "leverage",
            check_number(
                "leverage",
                self.leverage,
                1.0,
                hi,
                hint=f"Leverage 1 is unleveraged; the maximum{where} is {hi:g}x.",
            ),
        )
        S(self, "side", check_choice("side", self.side, ("long", "short")))
        S(
            self,
            "stop",
            check_number(
                "stop",
                self.stop,
                0.0,
                1.0,
                lo_incl=False,
                hi_incl=False,
                hint="It is a fraction of the entry price: 0.02 = 2%.",
            ),
        )
        hi_tp = 1.0 if self.side == "short" else 1e3
        S(
            self,
            "take_profit",
            check_number(
                "take_profit",
                self.take_profit,
                0.0,
                hi_tp,
                lo_incl=False,
                hi_incl=self.side != "short",
            ),
        )
        if (self.win_rate is None) == (self.drift is None):
            raise ParameterError(
                "win_rate / drift",
                "exactly one of the two (drift 0 = no edge)",
                f"win_rate={self.win_rate}, drift={self.drift}",
            )
        if self.win_rate is not None:
            S(
                self,
                "win_rate",
                check_number("win_rate", self.win_rate, 0.0, 1.0, lo_incl=False, hi_incl=False),
            )
        else:
            S(
                self,
                "drift",
                check_number(
                    "drift", self.drift, -1.0, 1.0, hint="It is per day: 0.001 = 0.1% a day."
                ),
            )
        S(
            self,
            "volatility",
            check_number(
                "volatility",
                self.volatility,
                0.0,
                1.0,
                lo_incl=False,
                hint="It is the std of daily log returns: 0.03 = 3% a day.",
            ),
        )
        S(self, "mmr", check_number("mmr", self.mmr, 0.0, 1.0, hi_incl=False))
        if self.mmr >= 1.0 / self.leverage:
            raise ParameterError(
                "mmr",
                f"less than 1/leverage = {1.0 / self.leverage:.6g}",
                self.mmr,
                "A maintenance margin at or above the initial margin liquidates on entry.",
            )
        S(
            self,
            "maintenance_amount",
            check_number("maintenance_amount", self.maintenance_amount, 0.0, 1e12),
        )
        S(self, "equity_usd", check_number("equity_usd", self.equity_usd, 0.0, 1e15, lo_incl=False))
        S(self, "margin_mode", check_choice("margin_mode", self.margin_mode, ("isolated", "cross")))
        S(
            self,
            "liquidation_rule",
            check_choice("liquidation_rule", self.liquidation_rule, ("margin", "fill")),
        )
        S(self, "liquidation_fee", check_number("liquidation_fee", self.liquidation_fee, 0.0, 0.5))
        if self.backstop_fraction is not None:
            S(
                self,
                "backstop_fraction",
                check_number("backstop_fraction", self.backstop_fraction, 0.0, 1.0),
            )
        S(self, "fee_bps", check_number("fee_bps", self.fee_bps, 0.0, 1000.0))
        S(self, "slippage_bps", check_number("slippage_bps", self.slippage_bps, 0.0, 1000.0))
        S(
            self,
            "funding_rate",
            check_number(
                "funding_rate",
                self.funding_rate,
                -0.1,
                0.1,
                hint="It is per funding interval: 0.0001 = 0.01% per 8 h.",
            ),
        )
        S(
            self,
            "funding_interval_hours",
            check_number(
                "funding_interval_hours", self.funding_interval_hours, 0.0, 24.0 * 30, lo_incl=False
            ),
        )
        if self.tails_df is not None:
            S(
                self,
                "tails_df",
                check_number(
                    "tails",
                    self.tails_df,
                    2.0,
                    1e6,
                    lo_incl=False,
                    hint="Student-t needs more than 2 degrees of freedom for a finite variance.",
                ),
            )
        if self.garch is not None:
            if len(self.garch) != 2:
                raise ParameterError("garch", "two numbers alpha,beta", self.garch)
            a = check_number("garch alpha", self.garch[0], 0.0, 1.0, hi_incl=False)
            b = check_number("garch beta", self.garch[1], 0.0, 1.0, hi_incl=False)
            if a + b >= 1.0:
                raise ParameterError("garch", "alpha + beta < 1 (stationary variance)", self.garch)
            S(self, "garch", (a, b))
        S(
            self,
            "jump_rate",
            check_number(
                "jump_rate",
                self.jump_rate,
                0.0,
                10.0,
                hint="Jumps per day: 0.00274 = about one a year.",
            ),
        )
        S(self, "jump_mean", check_number("jump_mean", self.jump_mean, -3.0, 3.0))
        S(self, "jump_sd", check_number("jump_sd", self.jump_sd, 0.0, 3.0))
        if self.max_hold_days is not None:
            S(
                self,
                "max_hold_days",
                check_number("max_hold_days", self.max_hold_days, 0.0, 3650.0, lo_incl=False),
            )
        S(
            self,
            "monitoring",
            check_choice("monitoring", self.monitoring, ("continuous", "discrete")),
        )
        S(
            self,
            "check_hours",
            check_number("check_hours", self.check_hours, 0.0, 24.0 * 30, lo_incl=False),
        )
        if self.step_hours is not None:
            S(
                self,
                "step_hours",
                check_number("step_hours", self.step_hours, 0.0, 24.0, lo_incl=False),
            )
        S(self, "positions", check_int("positions", self.positions, 1, MAX_POSITIONS))
        S(self, "correlation", check_number("correlation", self.correlation, 0.0, 1.0))
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
        """The drift per day in the trade's favour (solved from the win rate if given)."""
        if self.drift is not None:
            return float(self.drift)
        a, b = self.barriers
        return solve_drift(float(self.win_rate), self.volatility, a, b)

    @property
    def has_time(self) -> bool:
        """Whether the trade needs a time dimension (stepped simulation)."""
        return bool(
            self.max_hold_days is not None
            or self.funding_rate != 0.0
            or self.jump_rate > 0.0
            or self.tails_df is not None
            or self.garch is not None
            or self.monitoring == "discrete"
            or self.positions > 1
        )

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
