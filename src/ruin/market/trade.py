"""The leveraged trade: a validated parameter object (and its check against the sizing)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

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
        self._check_position()
        self._check_costs()
        self._check_path()
        if self.entry_cost >= 1.0 / self.leverage - self.mmr and self.margin_mode == "isolated":
            raise ParameterError(
                "fee_bps + slippage_bps",
                f"less than the margin buffer 1/leverage - mmr = "
                f"{1.0 / self.leverage - self.mmr:.6g} of notional",
                self.entry_cost,
                "The entry costs alone would liquidate the position.",
            )

    def _number(self, name: str, lo: float, hi: float | None, label: str = "", **kw: Any) -> None:
        """Validate the number field ``name`` (messages name it ``label`` or ``name``)."""
        value = check_number(label or name, getattr(self, name), lo, hi, **kw)
        object.__setattr__(self, name, value)

    def _choice(self, name: str, allowed: tuple[str, ...]) -> None:
        object.__setattr__(self, name, check_choice(name, getattr(self, name), allowed))

    def _check_position(self) -> None:
        """Leverage, side, stop, take-profit, the edge, volatility and the margin terms."""
        if self.max_leverage is not None:
            self._number("max_leverage", 1.0, 1e4)
        hi = self.max_leverage if self.max_leverage is not None else 1000.0
        where = f" on {self.venue}" if self.venue else ""
        self._number(
            "leverage", 1.0, hi, hint=f"Leverage 1 is unleveraged; the maximum{where} is {hi:g}x."
        )
        self._choice("side", ("long", "short"))
        self._number(
            "stop", 0.0, 1.0, lo_incl=False, hi_incl=False,
            hint="It is a fraction of the entry price: 0.02 = 2%.",
        )  # fmt: skip
        short = self.side == "short"
        self._number("take_profit", 0.0, 1.0 if short else 1e3, lo_incl=False, hi_incl=not short)
        if (self.win_rate is None) == (self.drift is None):
            raise ParameterError(
                "win_rate / drift",
                "exactly one of the two (drift 0 = no edge)",
                f"win_rate={self.win_rate}, drift={self.drift}",
            )
        if self.win_rate is not None:
            self._number("win_rate", 0.0, 1.0, lo_incl=False, hi_incl=False)
        else:
            self._number("drift", -1.0, 1.0, hint="It is per day: 0.001 = 0.1% a day.")
        self._number(
            "volatility", 0.0, 1.0, lo_incl=False,
            hint="It is the std of daily log returns: 0.03 = 3% a day.",
        )  # fmt: skip
        self._number("mmr", 0.0, 1.0, hi_incl=False)
        if self.mmr >= 1.0 / self.leverage:
            raise ParameterError(
                "mmr",
                f"less than 1/leverage = {1.0 / self.leverage:.6g}",
                self.mmr,
                "A maintenance margin at or above the initial margin liquidates on entry.",
            )
        self._number("maintenance_amount", 0.0, 1e12)
        self._number("equity_usd", 0.0, 1e15, lo_incl=False)
        self._choice("margin_mode", ("isolated", "cross"))
        self._choice("maintenance_basis", ("mark", "entry"))
        self._choice("liquidation_rule", ("margin", "fill"))
        self._number("liquidation_fee", 0.0, 0.5)
        if self.backstop_fraction is not None:
            self._number("backstop_fraction", 0.0, 1.0)

    def _check_costs(self) -> None:
        """Fees, slippage and funding."""
        self._number("fee_bps", 0.0, 1000.0)
        self._number("slippage_bps", 0.0, 1000.0)
        self._number(
            "funding_rate", -0.1, 0.1, hint="It is per funding interval: 0.0001 = 0.01% per 8 h."
        )
        self._number("funding_interval_hours", 0.0, 24.0 * 30, lo_incl=False)

    def _check_path(self) -> None:
        """Fat tails, GARCH, jumps, the time stop, monitoring, steps and several positions."""
        if self.tails_df is not None:
            self._number(
                "tails_df", 2.0, 1e6, label="tails", lo_incl=False,
                hint="Student-t needs more than 2 degrees of freedom for a finite variance.",
            )  # fmt: skip
        if self.garch is not None:
            if len(self.garch) != 2:
                raise ParameterError("garch", "two numbers alpha,beta", self.garch)
            a = check_number("garch alpha", self.garch[0], 0.0, 1.0, hi_incl=False)
            b = check_number("garch beta", self.garch[1], 0.0, 1.0, hi_incl=False)
            if a + b >= 1.0:
                raise ParameterError("garch", "alpha + beta < 1 (stationary variance)", self.garch)
            object.__setattr__(self, "garch", (a, b))
        self._number("jump_rate", 0.0, 10.0, hint="Jumps per day: 0.00274 = about one a year.")
        self._number("jump_mean", -3.0, 3.0)
        self._number("jump_sd", 0.0, 3.0)
        self._number("crash_cap", -1.0, 0.0, lo_incl=False, hi_incl=False)
        self._number("pump_rate", 0.0, 10.0, hint="Pumps per day: 0.00274 = about one a year.")
        self._number("pump_mean", -3.0, 3.0)
        self._number("pump_sd", 0.0, 3.0)
        if self.max_hold_days is not None:
            self._number("max_hold_days", 0.0, 3650.0, lo_incl=False)
        self._choice("monitoring", ("continuous", "discrete"))
        self._number("check_hours", 0.0, 24.0 * 30, lo_incl=False)
        if self.step_hours is not None:
            self._number("step_hours", 0.0, 24.0, lo_incl=False)
        object.__setattr__(
            self, "positions", check_int("positions", self.positions, 1, MAX_POSITIONS)
        )
        self._number("correlation", 0.0, 1.0)

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
