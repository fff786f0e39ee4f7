"""The leveraged trade as a price path, and the leveraged account simulation.

Every trade opens a position (long or short) and ends at the first of take-profit, stop,
liquidation or an optional maximum holding time. Its result is converted to R (the amount
risked at the stop), so the account bookkeeping is the same as for every other trade model.

Definitions (all prices relative to the entry price, ``u = P / P_entry``)
-------------------------------------------------------------------------
* **Position** ``y = side * log(u)``: the log move in the trade's favour (side +1 long,
  -1 short). Log price has drift ``drift`` per day *in the trade's direction* (the edge) and
  standard deviation ``volatility`` per square-root day (std of daily log returns).
* **Sizing on the stop**: notional ``N = R / stop``; isolated margin ``M = N / leverage``.
  A trade stopped exactly at the stop loses 1 R; one closed at take-profit wins
  ``take_profit / stop`` R (before costs).
* **Liquidation price** (exact isolated formula, :func:`liquidation_ratio`):
  liquidation when ``M - F + side * N * (u - 1) < mmr * N * u - maintenance_amount`` where
  ``F`` is what has been paid out of the margin (entry fee and slippage, funding). Long:
  ``u_liq = (1 - m + f - c) / (1 - mmr)``, short ``u_liq = (1 + m - f + c) / (1 + mmr)``
  with ``m = M / N = 1 / leverage``, ``f = F / N`` and ``c = maintenance_amount / N``.
  In cross mode the whole account equity ``E`` backs the position: ``m`` becomes ``E / N``.
* **Loss at liquidation**: ``liquidation_rule="margin"`` (Binance, Bybit and the default):
  the position is closed at the bankruptcy price and the whole isolated margin is lost
  (cross: the whole account). ``"fill"``: closed at the liquidation (or gap) price, the
  venue keeps ``liquidation_fee x notional`` and returns the rest. The trader never loses
  more than the margin (isolated) or the account (cross); a fill beyond the bankruptcy price
  books the excess as **bad debt** (absorbed by the venue's insurance fund).
* **Costs**: ``fee_bps`` and ``slippage_bps`` per fill, as basis points of the fill's notional
  (entry and exit); **funding** ``funding_rate`` per interval of ``funding_interval_hours`` on
  the notional at the funding time, paid by longs when positive (received when negative), at
  every funding time (multiples of the interval on the path's clock) while a position is open.
  Entry costs and funding are paid out of the isolated margin, so they move the liquidation
  price.

Simulation
----------
Without a time dimension (no maximum holding time, funding, jumps, fat tails, GARCH,
discrete monitoring or concurrent positions) the exit of Brownian motion between the two
barriers is sampled exactly: a Bernoulli draw with the two-barrier probability
:func:`two_barrier_probability`; where every trade then has the same result in R and the
costs follow from the counts (no costs, or fixed stakes), the account engine's Bernoulli
kernel runs it (:func:`_two_point_form`, same stream, same results as
:func:`_exact_kernel`). Otherwise the path is stepped on the path's clock (trades
follow each other):

* **Volatility per day.** Each day of the clock has its own variance: GARCH(1,1) on daily
  returns, ``h' = omega + alpha * r**2 + beta * h`` with ``omega = sigma**2 (1 - alpha -
  beta)`` and ``r`` the day's diffusive log return (jumps excluded), times, with Student-t
  shocks, the mixing factor ``(df - 2) / chi2_df`` drawn once per day, so a day's return
  is a unit-variance Student-t scaled by the day's volatility. Within a day the log price
  is Brownian motion with that variance (drift ``drift`` per day).
* **Steps.** With one position and continuous monitoring the step adapts to each day's
  volatility: the day is cut into equal steps of standard deviation at most half the
  distance between the lower exit and the take-profit (on the funding grid when whole
  funding intervals fit in a day). Otherwise the step is fixed: the check interval for
  discrete monitoring, else ``step_hours`` or a quarter-width rule at the preset
  volatility (capped at a day, aligned with days, funding times and the time stop). A step
  also ends at midnight, at the time stop and at the next crash jump; with funding, discrete
  checks or several positions, steps end on the clock's grid of multiples of the step
  (funding and checks fall on step ends), else steps count from the trade's start.
* **Barriers inside a step**: exact. Given the step's end point, the probabilities that the
  Brownian bridge leaves the strip through the lower or the upper exit first are the
  two-barrier image series (:func:`_first_exit_series`; not one barrier at a time, so no
  tie rule), decided by one uniform per step and position (``u < P(lower first)``: lower;
  ``1 - u < P(upper first)``: upper; always drawn, so runs that differ only in a barrier
  keep common random numbers, and a nearer barrier can only turn "neither" into itself,
  path by path). Cheap bounds settle almost every step without the series
  (:func:`_exit_first`). A position then closes at the bridge's **first-passage time**
  inside the step (:func:`_hit_fraction`: inverse Gaussian for one barrier, the other
  honoured by rejection); a trade ends when its last position closes, and the next trade
  starts there, so time in a trade (funding, jumps, the day's volatility) is not
  overstated. With discrete monitoring only liquidation is continuous (the one-barrier
  bridge), and stops and take-profits are checked at grid points.
* **Crash jumps** arrive as a Poisson process on the clock (rate per day; a step ends at
  each) and fill at the post-jump price (gaps through the stop; the venue's liquidation is
  checked before the trader's stop; a jump hits every open position at once).
* **Several positions** (:func:`_stepped_kernel`): correlated normal shocks per step;
  perfectly correlated positions share one path (one uniform, one exit time). Cross margin
  with several positions is checked at step ends (and right after a jump) with the
  Broadie-Glasserman-Kou shift of 0.5826 step standard deviations. The day's return that
  drives GARCH is the first open position's.
* Normals and exponentials come from 256-layer ziggurats on the path's stream
  (:func:`ruin.rng.zig_normal`); one position runs in a kernel with its whole state in
  registers (:func:`_single_kernel`), several in :func:`_stepped_kernel`.
* **Lanes.** With one position, continuous monitoring, no funding and no time stop (exits
  whose results are fixed for the run), :func:`_lanes_kernel` walks sixteen paths side by
  side and gives the same numbers bit for bit: each round, a vectorised loop takes every
  lane's step where it is plain (fast-path normals, the exit settled by the cheap bounds,
  the first-passage time kept on its first try) and books the trades that ended at a
  barrier; the scalar step (:func:`_step`) takes the rest (about one step in twenty: jumps,
  the series, rejections), and days start lane by lane. The bridge tests' ``exp(-m)`` is a
  polynomial (:func:`_exp_neg`, within an ulp of the C library's) so that the loop
  vectorises; both kernels use it.

Hyperliquid's backstop is modelled (``backstop_fraction``: a fill with equity below 2/3 of
maintenance margin, which only a gap can cause, loses the whole margin). Not modelled: GMX's
maintenance on entry notional and minimum collateral,
tier changes as the position grows (the tier is the one holding the starting position), and
random funding rates (the regime's mean rate is charged).

Random streams are keyed by ``(seed, path index)`` under spawn key 1, so results do not
depend on thread count or chunking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numba import int64, njit, prange, uint64

from .engine import acc_store
from .errors import ParameterError, check_choice, check_int, check_number
from .rng import (
    _TO_DOUBLE,
    _ZN_X,
    _u53,
    next_double,
    seed4,
    step4,
    stream_init,
    zig_exponential,
    zig_normal,
)

__all__ = [
    "LeveragedTrade",
    "MarketPlan",
    "EXIT_NAMES",
    "AUX_NAMES",
    "two_barrier_probability",
    "solve_drift",
    "liquidation_ratio",
    "adverse_move_to_liquidation",
    "describe_position",
    "leverage_warnings",
    "plan_market",
    "run_market",
    "check_scenario",
    "simulate_market",
    "market_summary",
    "build_market",
    "LEVERAGE_KEYS",
    "warm_up",
]

EXIT_TP, EXIT_STOP, EXIT_LIQ, EXIT_TIME = 0, 1, 2, 3
EXIT_NAMES = ("take_profit", "stop", "liquidation", "time")
AUX_FEES, AUX_SLIPPAGE, AUX_FUNDING, AUX_BAD_DEBT = 0, 1, 2, 3
AUX_NAMES = ("fees", "slippage", "funding", "bad_debt")
TOL = 1e-9
MAX_POSITIONS = 20
_MASK32 = uint64(0xFFFFFFFF)
_TWO32 = 4294967296.0
_MAX_STEPS_PER_TRADE = 2_000_000  # hard cap (closed at market as a time exit)
MAX_STEPS_PER_TRADE = 100_000  # expected steps per trade allowed by plan_market
_BGK = 0.5826  # -zeta(1/2) / sqrt(2 pi), Broadie, Glasserman & Kou (1997)
_STEP_WIDTHS = 2.0  # one-position adaptive steps: step sd = exit width / _STEP_WIDTHS


# --------------------------------------------------------------------------- closed forms
@njit(cache=True)
def _p_up_first(k, a, b):
    """P(Brownian motion with 2*drift/variance = k hits +b before -a), a, b > 0."""
    if a == np.inf:
        return 1.0 if k >= 0.0 else math.exp(k * b)
    w = a + b
    if abs(k * w) < 1e-12:
        return a / w
    if k > 0.0:
        return math.expm1(-k * a) / math.expm1(-k * w)
    return math.exp(k * b) * math.expm1(k * a) / math.expm1(k * w)


def two_barrier_probability(drift: float, volatility: float, down: float, up: float) -> float:
    """P(take-profit before stop) for Brownian motion with drift, continuous monitoring.

    Parameters
    ----------
    drift : float
        Drift of the position's log price per day (in the trade's favour).
    volatility : float
        Standard deviation of log price per square-root day, > 0.
    down, up : float
        Log distances from entry to the lower barrier (``a > 0``, may be ``inf``) and the
        upper barrier (``b > 0``).

    Returns
    -------
    float
        ``(1 - exp(k a)) / (exp(-k b) - exp(k a))`` with ``k = 2 drift / volatility**2``;
        ``a / (a + b)`` when the drift is 0.
    """
    k = 2.0 * drift / volatility**2
    return float(_p_up_first(k, float(down), float(up)))


def solve_drift(win_rate: float, volatility: float, down: float, up: float) -> float:
    """The drift per day that makes P(up barrier first) equal ``win_rate`` (scipy brentq)."""
    from scipy.optimize import brentq

    w = down + up
    alpha = down / w

    def f(kw: float) -> float:
        if abs(kw) < 1e-12:
            return alpha - win_rate
        return float(_p_up_first(kw / w, down, up)) - win_rate

    lo, hi = -700.0, 700.0
    if f(lo) > 0 or f(hi) < 0:
        raise ParameterError(
            "win_rate", "reachable with these barriers", win_rate,
            "The drift needed is too extreme for this stop and take-profit.",
        )
    kw = brentq(f, lo, hi, xtol=1e-14, rtol=1e-15, maxiter=500)
    return float(kw / w * volatility**2 / 2.0)


@njit(cache=True)
def _liq_u(side, m, f, c, mmr):
    """Price ratio u = P/P_entry at which the position is liquidated (0 or inf: never)."""
    if side > 0:
        u = (1.0 - m + f - c) / (1.0 - mmr)
        return max(u, 0.0)
    return (1.0 + m - f + c) / (1.0 + mmr)


@njit(cache=True)
def _liq_y(side, m, f, c, mmr):
    """Liquidation barrier in position space y = side * log(u) (-inf when unreachable)."""
    u = _liq_u(side, m, f, c, mmr)
    if u <= 0.0:
        return -np.inf
    return side * math.log(u)


def liquidation_ratio(
    leverage: float, mmr: float, *, side: Literal["long", "short"] = "long",
    paid: float = 0.0, maintenance: float = 0.0, backing: float | None = None,
) -> float:
    """Liquidation price as a multiple of the entry price.

    Parameters
    ----------
    leverage : float
        Notional / margin.
    mmr : float
        Maintenance margin rate.
    side : {"long", "short"}
    paid : float
        Fees and funding paid out of the margin, as a fraction of entry notional.
    maintenance : float
        Maintenance amount (tier deduction) as a fraction of entry notional.
    backing : float, optional
        Collateral backing the position as a fraction of notional (cross: account equity /
        notional); default ``1 / leverage``.
    """
    m = 1.0 / leverage if backing is None else backing
    return float(_liq_u(1 if side == "long" else -1, m, paid, maintenance, mmr))


def adverse_move_to_liquidation(leverage: float, mmr: float, side: str = "long") -> float:
    """Adverse price move (fraction of entry) that liquidates, no fees: e.g. 20x, 1.25% long
    gives 3.797%."""
    u = liquidation_ratio(leverage, mmr, side="long" if side == "long" else "short")
    return 1.0 - u if side == "long" else u - 1.0


# --------------------------------------------------------------------------- parameters
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
        S(self, "leverage", check_number(
            "leverage", self.leverage, 1.0, hi,
            hint=f"Leverage 1 is unleveraged; the maximum{where} is {hi:g}x."))
        S(self, "side", check_choice("side", self.side, ("long", "short")))
        S(self, "stop", check_number("stop", self.stop, 0.0, 1.0, lo_incl=False, hi_incl=False,
                                     hint="It is a fraction of the entry price: 0.02 = 2%."))
        hi_tp = 1.0 if self.side == "short" else 1e3
        S(self, "take_profit", check_number(
            "take_profit", self.take_profit, 0.0, hi_tp, lo_incl=False,
            hi_incl=self.side != "short"))
        if (self.win_rate is None) == (self.drift is None):
            raise ParameterError("win_rate / drift", "exactly one of the two (drift 0 = no edge)",
                                 f"win_rate={self.win_rate}, drift={self.drift}")
        if self.win_rate is not None:
            S(self, "win_rate", check_number("win_rate", self.win_rate, 0.0, 1.0,
                                             lo_incl=False, hi_incl=False))
        else:
            S(self, "drift", check_number("drift", self.drift, -1.0, 1.0,
                                          hint="It is per day: 0.001 = 0.1% a day."))
        S(self, "volatility", check_number(
            "volatility", self.volatility, 0.0, 1.0, lo_incl=False,
            hint="It is the std of daily log returns: 0.03 = 3% a day."))
        S(self, "mmr", check_number("mmr", self.mmr, 0.0, 1.0, hi_incl=False))
        if self.mmr >= 1.0 / self.leverage:
            raise ParameterError(
                "mmr", f"less than 1/leverage = {1.0 / self.leverage:.6g}", self.mmr,
                "A maintenance margin at or above the initial margin liquidates on entry.")
        S(self, "maintenance_amount", check_number("maintenance_amount",
                                                   self.maintenance_amount, 0.0, 1e12))
        S(self, "equity_usd", check_number("equity_usd", self.equity_usd, 0.0, 1e15,
                                           lo_incl=False))
        S(self, "margin_mode", check_choice("margin_mode", self.margin_mode,
                                            ("isolated", "cross")))
        S(self, "liquidation_rule", check_choice("liquidation_rule", self.liquidation_rule,
                                                 ("margin", "fill")))
        S(self, "liquidation_fee", check_number("liquidation_fee", self.liquidation_fee,
                                                0.0, 0.5))
        if self.backstop_fraction is not None:
            S(self, "backstop_fraction", check_number("backstop_fraction",
                                                      self.backstop_fraction, 0.0, 1.0))
        S(self, "fee_bps", check_number("fee_bps", self.fee_bps, 0.0, 1000.0))
        S(self, "slippage_bps", check_number("slippage_bps", self.slippage_bps, 0.0, 1000.0))
        S(self, "funding_rate", check_number(
            "funding_rate", self.funding_rate, -0.1, 0.1,
            hint="It is per funding interval: 0.0001 = 0.01% per 8 h."))
        S(self, "funding_interval_hours", check_number(
            "funding_interval_hours", self.funding_interval_hours, 0.0, 24.0 * 30,
            lo_incl=False))
        if self.tails_df is not None:
            S(self, "tails_df", check_number("tails", self.tails_df, 2.0, 1e6, lo_incl=False,
                                             hint="Student-t needs more than 2 degrees of "
                                             "freedom for a finite variance."))
        if self.garch is not None:
            if len(self.garch) != 2:
                raise ParameterError("garch", "two numbers alpha,beta", self.garch)
            a = check_number("garch alpha", self.garch[0], 0.0, 1.0, hi_incl=False)
            b = check_number("garch beta", self.garch[1], 0.0, 1.0, hi_incl=False)
            if a + b >= 1.0:
                raise ParameterError("garch", "alpha + beta < 1 (stationary variance)",
                                     self.garch)
            S(self, "garch", (a, b))
        S(self, "jump_rate", check_number("jump_rate", self.jump_rate, 0.0, 10.0,
                                          hint="Jumps per day: 0.00274 = about one a year."))
        S(self, "jump_mean", check_number("jump_mean", self.jump_mean, -3.0, 3.0))
        S(self, "jump_sd", check_number("jump_sd", self.jump_sd, 0.0, 3.0))
        if self.max_hold_days is not None:
            S(self, "max_hold_days", check_number("max_hold_days", self.max_hold_days,
                                                  0.0, 3650.0, lo_incl=False))
        S(self, "monitoring", check_choice("monitoring", self.monitoring,
                                           ("continuous", "discrete")))
        S(self, "check_hours", check_number("check_hours", self.check_hours, 0.0, 24.0 * 30,
                                            lo_incl=False))
        if self.step_hours is not None:
            S(self, "step_hours", check_number("step_hours", self.step_hours, 0.0, 24.0,
                                               lo_incl=False))
        S(self, "positions", check_int("positions", self.positions, 1, MAX_POSITIONS))
        S(self, "correlation", check_number("correlation", self.correlation, 0.0, 1.0))
        if self.entry_cost >= 1.0 / self.leverage - self.mmr and self.margin_mode == "isolated":
            raise ParameterError(
                "fee_bps + slippage_bps", f"less than the margin buffer 1/leverage - mmr = "
                f"{1.0 / self.leverage - self.mmr:.6g} of notional",
                self.entry_cost, "The entry costs alone would liquidate the position.")

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
            self.max_hold_days is not None or self.funding_rate != 0.0
            or self.jump_rate > 0.0 or self.tails_df is not None or self.garch is not None
            or self.monitoring == "discrete" or self.positions > 1
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
            "leverage", f"at least {market.positions * risk / market.stop:.4g} for this risk "
            f"and stop (margin must fit in the account)", market.leverage,
            f"Risking {risk:g} of equity with a {market.stop:g} stop needs "
            f"{need:.0%} of equity as isolated margin.")
    if market.margin_mode == "cross":
        lev_acc = market.positions * risk / market.stop
        if lev_acc >= 1.0 / market.mmr if market.mmr > 0 else False:
            raise ParameterError(
                "risk", f"such that account leverage {lev_acc:.3g} stays below 1/mmr",
                risk, "The account would be liquidated on entry.")


# --------------------------------------------------------------------------- the plan
@dataclass(frozen=True, slots=True)
class MarketPlan:
    """Numbers the kernels need (per unit notional unless stated)."""

    exact: bool
    fp: np.ndarray
    ip: np.ndarray
    dt_days: float
    nu: float
    p_tp: float
    #: When exact trades are a two-point model the account engine runs them (see
    #: :func:`_two_point_form`): ``(steps, rvals, thr32, aux_tp, aux_lower, lower_exit)``.
    two_point: tuple | None = None


# float parameter slots
(F_SIDE, F_S, F_YTP, F_YSL, F_M, F_MMR, F_C, F_FEE, F_SLIP, F_LIQFEE, F_NU, F_SIG2DT, F_DT,
 F_FUND, F_FUNDINT, F_MAXHOLD, F_TDF, F_GA, F_GB, F_GW, F_JLAM, F_JMU, F_JSD, F_RHO, F_RISK,
 F_XFLOOR, F_RUINX, F_GOALX, F_PTP, F_K2, F_BF, F_WIDTH) = range(32)
N_FP = 32
(I_K, I_CROSS, I_RULE, I_DISCRETE, I_FRACTIONAL, I_TAILS, I_GARCH, I_JUMPS, I_NTRADES,
 I_MAXSTEPS, I_ADAPT, I_FUNDPERDAY) = range(12)
N_IP = 12


def _barrier_width(mk: LeveragedTrade) -> float:
    """Log distance between the lower exit (stop or liquidation, the nearer) and the
    take-profit: the scale that sets the simulation step."""
    a, b = mk.barriers
    u_liq = liquidation_ratio(mk.leverage, mk.mmr, side=mk.side)
    d_liq = (-math.log(u_liq) if u_liq > 0 else math.inf) if mk.side == "long" \
        else math.log(u_liq)
    return max(min(a, d_liq) + b, 1e-6)


def _adaptive(mk: LeveragedTrade) -> bool:
    """One position, continuous monitoring, no step given: the step follows each day's
    volatility (see the module docstring)."""
    return mk.monitoring != "discrete" and mk.step_hours is None and mk.positions == 1


def _funding_per_day(mk: LeveragedTrade) -> int:
    """Funding times per day when a whole number of intervals fits in a day, else 0."""
    if mk.funding_rate == 0.0:
        return 0
    per_day = 24.0 / mk.funding_interval_hours
    return int(round(per_day)) if abs(per_day - round(per_day)) < 1e-9 else 0


def _choose_dt(mk: LeveragedTrade) -> float:
    """Simulation step in days (see module docstring); with an adaptive step, the step of a
    day whose volatility is the preset's."""
    if mk.monitoring == "discrete":
        dt = mk.check_hours / 24.0
    elif mk.step_hours is not None:
        dt = mk.step_hours / 24.0
    else:
        width = _barrier_width(mk)
        per_width = _STEP_WIDTHS if _adaptive(mk) else 4.0
        dt = min(1.0, (width / (per_width * mk.volatility)) ** 2)
        if mk.positions > 1 and mk.margin_mode == "cross":
            dt = min(dt, (width / (8.0 * mk.volatility)) ** 2)
        dt = 1.0 / math.ceil(1.0 / dt - 1e-9)  # whole steps per day
        if mk.funding_rate != 0.0:
            fi = mk.funding_interval_hours / 24.0
            dt = fi / math.ceil(fi / dt - 1e-9)
        if mk.max_hold_days is not None and not _adaptive(mk):
            dt = mk.max_hold_days / math.ceil(mk.max_hold_days / dt - 1e-9)
    return dt


def plan_market(mk: LeveragedTrade, *, risk: float, fractional: bool, ruin_x: float,
                goal_x: float, x_floor: float, trades: int) -> MarketPlan:
    """Precompute the kernel parameters for ``mk`` under the account's sizing."""
    a, b = mk.barriers
    nu = mk.nu
    fp = np.zeros(N_FP, np.float64)
    ip = np.zeros(N_IP, np.int64)
    dt = _choose_dt(mk) if mk.has_time else 1.0
    if mk.has_time:
        steps = _expected_hold_days(mk) / dt
        if steps > MAX_STEPS_PER_TRADE:
            raise ParameterError(
                "volatility", "large enough for trades to end in a reasonable number of steps",
                mk.volatility,
                f"A trade would last about {steps:,.0f} simulation steps; give --max-hold-days "
                f"or a shorter stop / take-profit.")
    fp[F_SIDE] = mk.sign
    fp[F_S] = mk.stop
    fp[F_YTP] = b
    fp[F_YSL] = -a
    fp[F_M] = 1.0 / mk.leverage
    fp[F_MMR] = mk.mmr
    fp[F_C] = mk.maintenance_fraction(risk)
    fp[F_FEE] = mk.fee_bps * 1e-4
    fp[F_SLIP] = mk.slippage_bps * 1e-4
    fp[F_LIQFEE] = mk.liquidation_fee
    fp[F_BF] = mk.backstop_fraction if mk.backstop_fraction is not None else 0.0
    fp[F_NU] = nu
    fp[F_SIG2DT] = mk.volatility**2 * dt
    fp[F_DT] = dt
    fp[F_FUND] = mk.funding_rate
    fp[F_FUNDINT] = mk.funding_interval_hours / 24.0
    fp[F_MAXHOLD] = mk.max_hold_days if mk.max_hold_days is not None else 0.0
    fp[F_TDF] = mk.tails_df if mk.tails_df is not None else 0.0
    if mk.garch is not None:
        al, be = mk.garch  # daily GARCH(1,1), updated once per day of the path clock
        fp[F_GA], fp[F_GB] = al, be
        fp[F_GW] = mk.volatility**2 * (1.0 - al - be)
    fp[F_JLAM] = mk.jump_rate * dt
    fp[F_JMU] = mk.jump_mean
    fp[F_JSD] = mk.jump_sd
    fp[F_RHO] = mk.correlation
    fp[F_RISK] = risk
    fp[F_XFLOOR] = x_floor
    fp[F_RUINX] = ruin_x
    fp[F_GOALX] = goal_x
    fp[F_K2] = 2.0 * nu / mk.volatility**2
    ip[I_K] = mk.positions
    ip[I_CROSS] = int(mk.margin_mode == "cross")
    ip[I_RULE] = int(mk.liquidation_rule == "fill")
    ip[I_DISCRETE] = int(mk.monitoring == "discrete")
    ip[I_FRACTIONAL] = int(fractional)
    ip[I_TAILS] = int(mk.tails_df is not None)
    ip[I_GARCH] = int(mk.garch is not None)
    ip[I_JUMPS] = int(mk.jump_rate > 0.0)
    ip[I_NTRADES] = trades
    ip[I_MAXSTEPS] = _MAX_STEPS_PER_TRADE
    if mk.has_time:
        fp[F_WIDTH] = _barrier_width(mk)
        ip[I_ADAPT] = int(_adaptive(mk))
        ip[I_FUNDPERDAY] = _funding_per_day(mk)
    p_tp = float(_p_up_first(fp[F_K2], a, b))
    fp[F_PTP] = p_tp
    plan = MarketPlan(not mk.has_time, fp, ip, dt, nu, p_tp)
    return MarketPlan(plan.exact, fp, ip, dt, nu, p_tp, _two_point_form(plan))


def _two_point_form(plan: MarketPlan) -> tuple | None:
    """The exact-exit trade as the account engine's two-point model, or None.

    Without a time dimension, with isolated margin (or cross margin under fractional sizing,
    where the margin is the equity, a constant number of R), every trade ends at the
    take-profit with probability ``p`` and at the lower exit (stop or liquidation) otherwise,
    with the same result in R each time: a Bernoulli trade. The engine's Bernoulli kernel
    walks it with the same random stream and threshold as :func:`_exact_kernel` (the low or
    high 32 bits of one draw per two trades, ``u < thr32``), so the results are the same; it
    is used when the per-trade amounts are recoverable from the counts alone (no costs, or
    fixed stakes, where every R is the same fraction of starting equity) and the take-profit
    is a gain and the lower exit a loss (so a win is a take-profit).
    """
    fp, ip = plan.fp, plan.ip
    fractional = ip[I_FRACTIONAL] == 1
    cross = ip[I_CROSS] == 1
    if not plan.exact or (cross and not fractional):
        return None
    side, s, risk = fp[F_SIDE], fp[F_S], fp[F_RISK]
    phi0 = fp[F_FEE] + fp[F_SLIP]
    bsm, bsc = fp[F_BF] * fp[F_MMR], fp[F_BF] * fp[F_C]
    m0 = s / risk if cross else fp[F_M]
    yl0 = float(_liq_y(side, m0, phi0, fp[F_C], fp[F_MMR]))
    liq0 = yl0 >= fp[F_YSL]
    lo0 = yl0 if liq0 else fp[F_YSL]
    p0 = float(_p_up_first(fp[F_K2], -lo0, fp[F_YTP]))
    thr32 = np.uint64(min(p0 * _TWO32, _TWO32))
    args = (side, m0, phi0, 0.0, s, fp[F_FEE], fp[F_SLIP], int(ip[I_RULE]), fp[F_LIQFEE], bsm,
            bsc)
    tp = _close(0, side, fp[F_YTP], *args[1:])
    lo = _close(2 if liq0 else 1, side, lo0, *args[1:])
    if not (tp[0] > 0.0 > lo[0]):
        return None
    aux_tp = np.array(tp[1:], np.float64)
    aux_lo = np.array(lo[1:], np.float64)
    if fractional and (np.any(aux_tp != 0.0) or np.any(aux_lo != 0.0)):
        return None
    rvals = np.array([lo[0], tp[0]], np.float64)
    steps = np.array([_dx(lo[0], fractional, risk), _dx(tp[0], fractional, risk)])
    return steps, rvals, thr32, aux_tp, aux_lo, 2 if liq0 else 1


# --------------------------------------------------------------------------- bookkeeping
@njit(inline="always", cache=True)
def _dx(r, fractional, risk):
    """State increment of a trade of ``r`` R: log(1 + risk r) (fractional) or r (fixed).

    A loss of the whole account (``1 + risk r`` zero up to round-off, below 1e-12) is -inf:
    round-off must not keep a liquidated cross account alive."""
    if fractional:
        g = _growth(r, risk)
        if g > 0.0:
            return math.log(g)
        return -np.inf
    return r


@njit(inline="always", cache=True)
def _growth(r, risk):
    """Equity factor ``1 + risk r`` of a trade, 0 when it is below 1e-12 (round-off of a
    total loss)."""
    g = 1.0 + risk * r
    return g if g > 1e-12 else 0.0


@njit(inline="always", cache=True)
def _book(x, dx, r, fractional, x_floor, peak, inv, tolp, mdd, streak, mstreak, uw, muw, c):
    """Apply a trade of ``r`` R (state increment ``dx``) to the account state (same rules
    as ruin.engine)."""
    x = max(x + dx, x_floor)
    if r < 0.0:
        streak += 1
    else:
        streak = 0
    mstreak = max(mstreak, streak)
    if x > peak:
        peak = x
        tolp = TOL * max(1.0, abs(peak))
        if not fractional:
            inv = 1.0 / (c + peak)
    if x == -np.inf:
        mdd = np.inf
    else:
        mdd = max(mdd, (peak - x) * inv)
    if x < peak - tolp:
        uw += 1
    else:
        uw = 0
    muw = max(muw, uw)
    return x, peak, inv, tolp, mdd, streak, mstreak, uw, muw


@njit(inline="always", cache=True)
def _equity(x, fractional, risk):
    if fractional:
        return math.exp(x)
    return max(0.0, 1.0 + risk * x)


@njit(inline="always", cache=True)
def _finish_path(i, x, peak, inv, tolp, mdd, mstreak, muw, nwin, n, t_ruin, t_goal,
                 fractional, risk, n_trades, rec, final_eq, max_dd, ruin_t, goal_t,
                 max_streak, max_uw, wins, taken):
    """Store path ``i``'s results with the engine's :func:`ruin.engine.acc_store`, and
    finish its recorded equity curve (start 1.0; flat after the last trade taken)."""
    if i < rec.shape[0]:
        rec[i, 0] = 1.0
        last = _equity(x, fractional, risk)
        for t2 in range(n + 1, n_trades + 1):
            rec[i, t2] = last
    acc_store(i, (x, peak, inv, tolp, mdd, 0, mstreak, 0, muw, nwin, n), t_ruin, t_goal,
              fractional, risk, final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins,
              taken)


@njit(cache=True)
def _close(code, side, yf, m_eff, phi, fund, s, fee, slip, rule, liqfee, bsm, bsc):
    """Result in R of a position closed at y = ``yf``: (r, fees, slippage, funding, bad).

    Liquidation with rule 1 (fill): the trader keeps ``max(0, equity - liqfee * notional)``
    unless equity is below the backstop level ``bsm * u - bsc`` (a fraction of maintenance
    margin), where the whole margin is lost."""
    u = math.exp(side * yf)
    if code == 2:  # liquidation
        eq = m_eff - phi + side * (u - 1.0)
        keep = 0.0
        if rule == 1 and eq >= bsm * u - bsc:
            keep = max(0.0, eq - liqfee * u)
        bad = max(0.0, -eq) / s
        return (-m_eff + keep) / s, fee / s, slip / s, fund / s, bad
    g = side * (u - 1.0) - phi - (fee + slip) * u
    return g / s, fee * (1.0 + u) / s, slip * (1.0 + u) / s, fund / s, 0.0


# --------------------------------------------------------------------------- exact kernel
@njit(parallel=True, cache=True)
def _exact_kernel(key0, key1, offset, n_paths, fp, ip, final_eq, max_dd, ruin_t, goal_t,
                  max_streak, max_uw, wins, taken, exits, aux, rec):
    """Exact two-barrier exits: one 32-bit uniform per trade (no time dimension)."""
    side = fp[F_SIDE]
    s = fp[F_S]
    ytp = fp[F_YTP]
    ysl = fp[F_YSL]
    m = fp[F_M]
    mmr = fp[F_MMR]
    cc = fp[F_C]
    fee = fp[F_FEE]
    slip = fp[F_SLIP]
    liqfee = fp[F_LIQFEE]
    bf = fp[F_BF]
    bsm = bf * fp[F_MMR]
    bsc = bf * fp[F_C]
    k2 = fp[F_K2]
    risk = fp[F_RISK]
    x_floor = fp[F_XFLOOR]
    ruin_x = fp[F_RUINX]
    goal_x = fp[F_GOALX]
    cross = ip[I_CROSS] == 1
    rule = ip[I_RULE]
    fractional = ip[I_FRACTIONAL] == 1
    n_trades = ip[I_NTRADES]
    n_rec = rec.shape[0]
    phi0 = fee + slip
    c = 0.0 if fractional else 1.0 / risk
    ruin_cut = ruin_x + (TOL * max(1.0, abs(ruin_x)) if ruin_x > -np.inf else 0.0)
    goal_cut = goal_x - (TOL * max(1.0, abs(goal_x)) if goal_x < np.inf else 0.0)
    dynamic = cross and not fractional
    # constant outcomes (isolated, or cross with fractional sizing: equity / R = 1 / risk)
    m0 = s / risk if cross else m
    yl0 = _liq_y(side, m0, phi0, cc, mmr)
    liq0 = yl0 >= ysl
    lo0 = yl0 if liq0 else ysl
    p0 = _p_up_first(k2, -lo0, ytp)
    thr0 = uint64(min(p0 * _TWO32, _TWO32))
    rt, ft, st_, _, _ = _close(0, side, ytp, m0, phi0, 0.0, s, fee, slip, rule, liqfee, bsm, bsc)
    rl, fl, sl, _, bl = _close(2 if liq0 else 1, side, lo0, m0, phi0, 0.0, s, fee, slip, rule,
                               liqfee, bsm, bsc)
    dxt = _dx(rt, fractional, risk)
    dxl = _dx(rl, fractional, risk)
    grt = _growth(rt, risk)
    grl = _growth(rl, risk)
    for i in prange(n_paths):
        s0, s1, s2, s3 = seed4(key0, key1, offset + i)
        x = 0.0
        eqm = 1.0
        peak = 0.0
        inv = 1.0 if fractional else 1.0 / c
        tolp = TOL
        mdd = 0.0
        streak = 0
        mstreak = 0
        uw = 0
        muw = 0
        nwin = 0
        t_ruin = -1
        t_goal = -1
        n = 0
        n_tp = 0
        n_liq = 0
        sc_tp = 0.0
        sc_lo = 0.0
        aux_d = np.zeros(4)
        w = uint64(0)
        for t in range(n_trades):
            if (t & 1) == 0:
                w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
                uu = w & _MASK32
            else:
                uu = w >> uint64(32)
            scale = risk * eqm if fractional else risk
            if dynamic:
                me = s * (1.0 / risk + x)
                yl = _liq_y(side, me, phi0, cc, mmr)
                isliq = yl >= ysl
                lo = yl if isliq else ysl
                p = _p_up_first(k2, -lo, ytp)
                thr = uint64(min(p * _TWO32, _TWO32))
                if uu < thr:
                    r, f_, sp_, _, b_ = _close(0, side, ytp, me, phi0, 0.0, s, fee, slip,
                                               rule, liqfee, bsm, bsc)
                    n_tp += 1
                else:
                    r, f_, sp_, _, b_ = _close(2 if isliq else 1, side, lo, me, phi0, 0.0, s,
                                               fee, slip, rule, liqfee, bsm, bsc)
                    n_liq += np.int64(isliq)
                aux_d[0] += f_ * scale
                aux_d[1] += sp_ * scale
                aux_d[3] += b_ * scale
            else:
                if uu < thr0:
                    r = rt
                    dx = dxt
                    gr = grt
                    n_tp += 1
                    sc_tp += scale
                else:
                    r = rl
                    dx = dxl
                    gr = grl
                    sc_lo += scale
            if dynamic:
                dx = _dx(r, fractional, risk)
                gr = _growth(r, risk)
            n += 1
            nwin += np.int64(r > 0.0)
            x, peak, inv, tolp, mdd, streak, mstreak, uw, muw = _book(
                x, dx, r, fractional, x_floor, peak, inv, tolp, mdd, streak, mstreak, uw,
                muw, c)
            if fractional:
                eqm = eqm * gr
            if n_rec > 0 and i < n_rec:
                rec[i, t + 1] = _equity(x, fractional, risk)
            if x <= ruin_cut:
                t_ruin = t + 1
                break
            if x >= goal_cut:
                t_goal = t + 1
                break
        _finish_path(i, x, peak, inv, tolp, mdd, mstreak, muw, nwin, n, t_ruin, t_goal,
                     fractional, risk, n_trades, rec, final_eq, max_dd, ruin_t, goal_t,
                     max_streak, max_uw, wins, taken)
        exits[i, 0] = n_tp
        if dynamic:
            exits[i, 1] = n - n_tp - n_liq
            exits[i, 2] = n_liq
            for k in range(4):
                aux[i, k] = aux_d[k]
        else:
            n_lo = n - n_tp
            exits[i, 1] = 0 if liq0 else n_lo
            exits[i, 2] = n_lo if liq0 else 0
            aux[i, 0] = ft * sc_tp + fl * sc_lo
            aux[i, 1] = st_ * sc_tp + sl * sc_lo
            aux[i, 2] = 0.0
            aux[i, 3] = bl * sc_lo
        exits[i, 3] = 0


# --------------------------------------------------------------------------- stepped kernel
@njit(inline="always", cache=True)
def _normal(st, sp):
    """Standard normal by Box-Muller, keeping the second variate in ``sp`` (spare)."""
    if sp[0] > 0.0:
        sp[0] = 0.0
        return sp[1]
    u1 = 1.0 - next_double(st)
    u2 = next_double(st)
    r = math.sqrt(-2.0 * math.log(u1))
    a = 2.0 * math.pi * u2
    sp[0] = 1.0
    sp[1] = r * math.sin(a)
    return r * math.cos(a)


@njit(inline="always", cache=True)
def _cross(d0, d1, v):
    """Brownian-bridge probability of touching a barrier at distances d0 (start) and d1
    (end) on the same side, step variance v: ``exp(-2 d0 d1 / v)``; 1 if d1 <= 0."""
    if d1 <= 0.0:
        return 1.0
    arg = 2.0 * d0 * d1 / v
    if arg > 40.0:  # probability below 5e-18, far under a uniform's resolution
        return 0.0
    return math.exp(-arg)


@njit(inline="always", cache=True)
def _step_end(clock, dt, on_grid, day_end, next_jump, maxhold, elapsed):
    """Where a step starting at ``clock`` ends: at the next point of the clock's grid of
    multiples of ``dt`` (``on_grid``: funding times and discrete checks lie on it) or
    ``dt`` after the start, cut at midnight (``day_end``), at the next crash jump and at the
    time stop (``maxhold`` days after the trade opened, ``elapsed`` ago). Returns ``(end,
    length, jump_now, grid)``: ``jump_now`` if the step ends at the jump, ``grid`` if it
    ends on a grid point (a check of discrete monitoring)."""
    grid = on_grid
    if on_grid:
        end = (math.floor(clock / dt + 1e-6) + 1.0) * dt
    else:
        end = clock + dt
    if end > day_end - 1e-6 * dt:
        if end > day_end + 1e-6 * dt:  # midnight comes before the grid point
            grid = False
        end = day_end
    jump_now = next_jump < end
    if jump_now:
        end = next_jump
        grid = False
    ln = end - clock
    if maxhold > 0.0 and maxhold - elapsed < ln - 1e-12:
        ln = maxhold - elapsed
        end = clock + ln
        jump_now = False
        grid = False
    return end, ln, jump_now, grid


@njit(cache=True)
def _cross_check(K, opn, y, phi, fac, side, s, mmr, cc, er, rtot, shift, rho, rule, liqfee,
                 fee, slip, scale, ex, ax, bf):
    """Cross account with several positions: liquidate all open positions when equity
    (minus ``shift`` standard deviations of a step's equity change) is below maintenance.
    Returns ``(liquidated, round result in R so far)``."""
    eqr = er + rtot
    mmr_r = 0.0
    notl = 0.0
    nsq = 0.0
    for j in range(K):
        if opn[j]:
            u = math.exp(side * y[j])
            eqr += (side * (u - 1.0) - phi[j]) / s
            mmr_r += (mmr * u - cc) / s
            notl += u / s
            nsq += (u / s) ** 2
    eq_sd = math.sqrt(rho * notl * notl + (1.0 - rho) * nsq)
    if eqr - shift * eq_sd >= mmr_r:
        return False, rtot
    keep = 0.0
    if rule == 1 and eqr >= bf * mmr_r:
        keep = max(0.0, eqr - liqfee * notl)
    for j in range(K):
        if opn[j]:
            ex[2] += 1
            ax[0] += fee / s * scale
            ax[1] += slip / s * scale
            ax[2] += fac[j] / s * scale
            opn[j] = False
    ax[3] += max(0.0, -eqr) * scale
    return True, keep - er


@njit(parallel=True, cache=True)
def _stepped_kernel(key0, key1, offset, n_paths, fp, ip, final_eq, max_dd, ruin_t, goal_t,
                    max_streak, max_uw, wins, taken, exits, aux, rec):
    """Stepped price paths of several concurrent positions (see the module docstring): exact
    two-barrier exits inside each step (:func:`_exit_first`) at their first-passage times
    (:func:`_hit_fraction`; a trade ends when its last position closes), crash jumps at
    their Poisson times (a step ends at each), steps on the clock's grid of multiples of
    ``dt`` (funding times and discrete checks fall on it), cut at midnight."""
    side = fp[F_SIDE]
    s = fp[F_S]
    ytp = fp[F_YTP]
    ysl = fp[F_YSL]
    m = fp[F_M]
    mmr = fp[F_MMR]
    cc = fp[F_C]
    fee = fp[F_FEE]
    slip = fp[F_SLIP]
    liqfee = fp[F_LIQFEE]
    bf = fp[F_BF]
    bsm = bf * fp[F_MMR]
    bsc = bf * fp[F_C]
    nu = fp[F_NU]
    sig2dt = fp[F_SIG2DT]
    dt = fp[F_DT]
    fund = fp[F_FUND]
    fint = fp[F_FUNDINT]
    maxhold = fp[F_MAXHOLD]
    tdf = fp[F_TDF]
    ga = fp[F_GA]
    gb = fp[F_GB]
    gw = fp[F_GW]
    jlam = fp[F_JLAM]
    jmu = fp[F_JMU]
    jsd = fp[F_JSD]
    rho = fp[F_RHO]
    risk = fp[F_RISK]
    x_floor = fp[F_XFLOOR]
    ruin_x = fp[F_RUINX]
    goal_x = fp[F_GOALX]
    K = ip[I_K]
    cross = ip[I_CROSS] == 1
    rule = ip[I_RULE]
    discrete = ip[I_DISCRETE] == 1
    fractional = ip[I_FRACTIONAL] == 1
    tails = ip[I_TAILS] == 1
    garch = ip[I_GARCH] == 1
    jumps = ip[I_JUMPS] == 1
    n_trades = ip[I_NTRADES]
    max_steps = ip[I_MAXSTEPS]
    n_rec = rec.shape[0]
    phi0 = fee + slip
    c = 0.0 if fractional else 1.0 / risk
    ruin_cut = ruin_x + (TOL * max(1.0, abs(ruin_x)) if ruin_x > -np.inf else 0.0)
    goal_cut = goal_x - (TOL * max(1.0, abs(goal_x)) if goal_x < np.inf else 0.0)
    sq_rho = math.sqrt(rho)
    sq_1rho = math.sqrt(1.0 - rho)
    jfloor = math.log(0.05)
    cross_many = cross and K > 1
    lam_day = jlam / dt  # crash jumps per day
    t_int = int(tdf) if (tails and tdf == math.floor(tdf) and tdf <= 30.0) else 0
    for i in prange(n_paths):
        st = np.empty(4, np.uint64)
        stream_init(key0, key1, offset + i, st)
        sp = np.zeros(2)
        y = np.zeros(K)
        opn = np.zeros(K, np.bool_)
        phi = np.zeros(K)
        fac = np.zeros(K)
        ylq = np.zeros(K)
        ex = np.zeros(4, np.int64)
        ax = np.zeros(4)
        x = 0.0
        peak = 0.0
        inv = 1.0 if fractional else 1.0 / c
        tolp = TOL
        mdd = 0.0
        streak = 0
        mstreak = 0
        uw = 0
        muw = 0
        nwin = 0
        t_ruin = -1
        t_goal = -1
        n = 0
        h = sig2dt / dt  # GARCH conditional variance per day
        eday = 0.0  # the day's diffusive return so far (first open position)
        day = -1
        hv = sig2dt
        sd = math.sqrt(hv)
        vday = sig2dt / dt
        clock = 0.0
        next_jump = np.inf  # clock time of the next crash jump (a Poisson process)
        if jumps:
            next_jump = -math.log(1.0 - next_double(st)) / lam_day
        for t in range(n_trades):
            er = 1.0 / risk if fractional else 1.0 / risk + x  # equity in R
            scale = risk * _equity(x, fractional, risk) if fractional else risk
            m_eff = s * er if cross else m
            rtot = 0.0
            for j in range(K):
                y[j] = 0.0
                opn[j] = True
                phi[j] = phi0
                fac[j] = 0.0
                ylq[j] = -np.inf if cross_many else _liq_y(side, m_eff, phi0, cc, mmr)
            nopen = K
            elapsed = 0.0
            steps = 0
            while nopen > 0:
                steps += 1
                d = math.floor(clock + 1e-9)
                if d != day:  # a new day on the path clock: GARCH update, t mixing
                    if garch and day >= 0:
                        h = gw + ga * eday * eday + gb * h
                    eday = 0.0
                    day = d
                    vday, st[0], st[1], st[2], st[3] = _day_variance(
                        h, tails, tdf, t_int, st[0], st[1], st[2], st[3])
                    hv = vday * dt
                    sd = math.sqrt(hv)
                # checks of discrete monitoring happen at grid points only
                end, ln, jump_now, grid = _step_end(clock, dt, True, d + 1.0, next_jump,
                                                    maxhold, elapsed)
                if abs(ln - dt) <= 1e-9 * dt:
                    v = hv
                    sdv = sd
                else:
                    ln = max(ln, 1e-12)
                    v = vday * ln
                    sdv = math.sqrt(v)
                nudt = nu * ln
                tov = 2.0 / v
                fmax = 0.0  # latest exit inside the step (fraction of it)
                at_end = False  # a position closed at the step's end
                zc = _normal(st, sp) if (K > 1 and rho > 0.0) else 0.0
                # perfectly correlated positions share one path, so one bridge uniform
                ucommon = next_double(st) if (K > 1 and rho == 1.0) else -1.0
                jump = 0.0
                if jump_now:  # (still pending if every position leaves before it)
                    jump = max(jmu + jsd * _normal(st, sp), jfloor)
                    next_jump = end - math.log(1.0 - next_double(st)) / lam_day
                eps0 = 0.0
                first = True
                for j in range(K):
                    if not opn[j]:
                        continue
                    if K > 1:
                        z = sq_rho * zc + sq_1rho * _normal(st, sp)
                    else:
                        z = _normal(st, sp)
                    e = sdv * z
                    if first:
                        eps0 = e
                        first = False
                    y0 = y[j]
                    y1 = y0 + nudt + e
                    code = -1
                    yf = 0.0
                    d0 = 0.0
                    wid = np.inf
                    lq = ylq[j]
                    if not discrete:
                        # one uniform: the lower exit if uu < P(lower first), take-profit if
                        # 1 - uu < P(upper first) (monotone in both barriers on common
                        # random numbers)
                        uu = ucommon if ucommon >= 0.0 else next_double(st)
                        code, yf, d0, wid = _strip_exit(y0, y1, lq, ysl, ytp, tov, uu)
                    elif lq > -np.inf:
                        pl = _cross(y0 - lq, y1 - lq, v)
                        ud = ucommon if ucommon >= 0.0 else next_double(st)
                        if ud < pl:
                            code = 2
                            yf = lq
                            d0 = y0 - lq
                    if code >= 0:  # inside the step, at the bridge's first-passage time
                        if ucommon < 0.0 or fmax == 0.0:
                            frac, st[0], st[1], st[2], st[3] = _hit_fraction(
                                d0, abs(yf - y1), v, wid, st[0], st[1], st[2], st[3])
                            fmax = max(fmax, frac)
                        # (perfectly correlated positions share one path: one exit time)
                    if code < 0 and jump != 0.0:
                        y1 += side * jump
                        if cross_many:
                            pass  # the account is checked first, below
                        elif y1 <= lq:
                            code = 2
                            yf = y1
                        elif not discrete and y1 <= ysl:
                            code = 1
                            yf = y1
                        elif not discrete and y1 >= ytp:
                            code = 0
                            yf = y1
                        at_end = at_end or code >= 0
                    if code < 0 and discrete and grid:
                        if y1 <= ysl:
                            code = 1
                            yf = y1
                        elif y1 >= ytp:
                            code = 0
                            yf = y1
                        at_end = at_end or code >= 0
                    y[j] = y1
                    if code >= 0:
                        r, f_, sp_, fu_, b_ = _close(code, side, yf, m_eff, phi[j], fac[j], s,
                                                     fee, slip, rule, liqfee, bsm, bsc)
                        rtot += r
                        nwin += np.int64(r > 0.0)
                        ex[code] += 1
                        ax[0] += f_ * scale
                        ax[1] += sp_ * scale
                        ax[2] += fu_ * scale
                        ax[3] += b_ * scale
                        opn[j] = False
                        nopen -= 1
                if cross_many and jump != 0.0 and nopen > 0:
                    # a crash moves every position at once: the venue liquidates the account
                    # at the post-jump prices if it is below maintenance; otherwise stops and
                    # take-profits fill at the gapped prices
                    done, rtot = _cross_check(K, opn, y, phi, fac, side, s, mmr, cc, er, rtot,
                                              0.0, rho, rule, liqfee, fee, slip, scale, ex, ax, bf)
                    at_end = True
                    if done:
                        nopen = 0
                    elif not discrete:
                        for j in range(K):
                            if opn[j] and (y[j] <= ysl or y[j] >= ytp):
                                code = 1 if y[j] <= ysl else 0
                                r, f_, sp_, fu_, b_ = _close(
                                    code, side, y[j], m_eff, phi[j], fac[j], s, fee, slip, rule,
                                    liqfee, bsm, bsc)
                                rtot += r
                                nwin += np.int64(r > 0.0)
                                ex[code] += 1
                                ax[0] += f_ * scale
                                ax[1] += sp_ * scale
                                ax[2] += fu_ * scale
                                opn[j] = False
                                nopen -= 1
                elapsed += ln
                c_old = clock
                clock = end
                # funding at every funding time that fell inside this step
                if fund != 0.0 and nopen > 0:
                    nf = math.floor(clock / fint + 1e-9) - math.floor(c_old / fint + 1e-9)
                    if nf > 0:
                        for j in range(K):
                            if opn[j]:
                                pay = side * fund * nf * math.exp(side * y[j])
                                phi[j] += pay
                                fac[j] += pay
                                if not cross_many:
                                    ylq[j] = _liq_y(side, m_eff, phi[j], cc, mmr)
                                    if y[j] <= ylq[j]:
                                        r, f_, sp_, fu_, b_ = _close(
                                            2, side, y[j], m_eff, phi[j], fac[j], s, fee,
                                            slip, rule, liqfee, bsm, bsc)
                                        rtot += r
                                        nwin += np.int64(r > 0.0)
                                        ex[2] += 1
                                        ax[0] += f_ * scale
                                        ax[1] += sp_ * scale
                                        ax[2] += fu_ * scale
                                        ax[3] += b_ * scale
                                        opn[j] = False
                                        nopen -= 1
                                        at_end = True
                # cross margin with several positions: account check at the step end, with
                # the Broadie-Glasserman-Kou shift (a check at step ends only behaves like a
                # continuous check of a barrier moved 0.5826 sd(one step) closer)
                if cross_many and nopen > 0:
                    done, rtot = _cross_check(K, opn, y, phi, fac, side, s, mmr, cc, er, rtot,
                                              _BGK * sdv, rho, rule, liqfee, fee,
                                              slip, scale, ex, ax, bf)
                    if done:
                        nopen = 0
                        at_end = True
                if nopen > 0 and (maxhold > 0.0 and elapsed >= maxhold - 1e-9
                                  or steps >= max_steps):
                    for j in range(K):
                        if opn[j]:
                            r, f_, sp_, fu_, b_ = _close(3, side, y[j], m_eff, phi[j], fac[j],
                                                         s, fee, slip, rule, liqfee, bsm, bsc)
                            rtot += r
                            nwin += np.int64(r > 0.0)
                            ex[3] += 1
                            ax[0] += f_ * scale
                            ax[1] += sp_ * scale
                            ax[2] += fu_ * scale
                            opn[j] = False
                    nopen = 0
                    at_end = True
                if nopen == 0 and not at_end:  # the last position left inside the step
                    clock = c_old + ln * fmax
                    eday += eps0 * math.sqrt(fmax)
                    if jump_now:
                        next_jump = end
                else:
                    eday += eps0
            n += 1
            x, peak, inv, tolp, mdd, streak, mstreak, uw, muw = _book(
                x, _dx(rtot, fractional, risk), rtot, fractional, x_floor, peak, inv, tolp,
                mdd, streak, mstreak, uw, muw, c)
            if n_rec > 0 and i < n_rec:
                rec[i, t + 1] = _equity(x, fractional, risk)
            if x <= ruin_cut:
                t_ruin = t + 1
                break
            if x >= goal_cut:
                t_goal = t + 1
                break
        _finish_path(i, x, peak, inv, tolp, mdd, mstreak, muw, nwin, n, t_ruin, t_goal,
                     fractional, risk, n_trades, rec, final_eq, max_dd, ruin_t, goal_t,
                     max_streak, max_uw, wins, taken)
        for k in range(4):
            exits[i, k] = ex[k]
            aux[i, k] = ax[k]


# --------------------------------------------------------------------------- one position
@njit(cache=True)
def _day_variance(h, tails, tdf, t_int, s0, s1, s2, s3):
    """Variance per day of a new day: ``h`` (GARCH's conditional variance, or sigma^2) times
    the Student-t mixing factor ``(df - 2) / chi2_df`` (a normal variance mixture with unit
    variance, so a day's diffusive return is a scaled Student-t). Returns ``(v, s0..s3)``."""
    if not tails:
        return h, s0, s1, s2, s3
    if t_int > 0:  # integer degrees of freedom: chi-square from uniforms (and a normal)
        prod = 1.0
        for _q in range(t_int // 2):
            w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
            prod *= 1.0 - _u53(w)
        chi = -2.0 * math.log(prod)
        if t_int % 2 == 1:
            z, s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
            chi += z * z
        return h * (tdf - 2.0) / chi, s0, s1, s2, s3
    a = 0.5 * tdf  # Gamma(a, 1), a >= 1 (Marsaglia & Tsang 2000); chi2 = 2 gamma
    d = a - 1.0 / 3.0
    cc = 1.0 / math.sqrt(9.0 * d)
    while True:
        z, s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
        v = 1.0 + cc * z
        if v <= 0.0:
            continue
        v = v * v * v
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        u = _u53(w)
        if u < 1.0 - 0.0331 * z**4 or \
                math.log(max(u, 1e-300)) < 0.5 * z * z + d * (1.0 - v + math.log(v)):
            return h * 0.5 * (tdf - 2.0) / (d * v), s0, s1, s2, s3


@njit(cache=True)
def _first_exit_series(d0, d1, width, tov):
    """Probability that a Brownian bridge leaves the strip of ``width`` through one barrier
    before the other, given its start and end distances ``d0 > 0`` and ``d1`` to that
    barrier (``d1 <= 0``: it ends beyond it); ``tov = 2 / v`` with ``v`` the bridge's
    variance. The image series (reflections at both barriers)::

        sum_k>=0  exp(-(d0 + k W)(d1 + k W) tov) - exp(-(k + 1) W ((k + 1) W + d1 - d0) tov)

    The k-th terms shrink like ``exp(-k^2 W^2 tov)``; terms are added until both exponents
    pass 40. Clipped to [0, 1].
    """
    total = 0.0
    k = 0.0
    while True:
        e1 = (d0 + k * width) * (d1 + k * width) * tov
        e2 = (k + 1.0) * width * ((k + 1.0) * width + d1 - d0) * tov
        if e1 <= 40.0:
            total += math.exp(-e1)
        if e2 <= 40.0:
            total -= math.exp(-e2)
        if (e1 > 40.0 and e2 > 40.0 and k > 0.0) or k > 1000.0:
            break
        k += 1.0
    return min(1.0, max(0.0, total))


@njit(inline="always", cache=True)
def _exp_poly(m):
    """``1 + m + m^2/2 + m^3/6 + m^4/24 <= exp(m)`` for ``m >= 0``: ``p < 1 / _exp_poly(m)``
    is necessary for ``p < exp(-m)`` (tested as ``p * _exp_poly(m) < 1``, no division)."""
    return 1.0 + m * (1.0 + m * (0.5 + m * (1.0 / 6.0 + m * (1.0 / 24.0))))


_POW2_NEG = np.array([2.0**-k for k in range(64)])  # 2^-k, k = 0..63
_EXP2_32 = np.array([2.0 ** (-i / 32.0) for i in range(32)])  # 2^(-i/32), i = 0..31
_LN2_32_HI = 6.93147180369123816490e-01 / 32.0  # ln 2 / 32 in two parts (fdlibm's split
_LN2_32_LO = 1.90821492927058770002e-10 / 32.0  # of ln 2): k * _LN2_32_HI is exact


@njit(inline="always", cache=True)
def _exp_neg(m):
    """``exp(-m)`` for the barrier probabilities: 0 for ``m > 40`` (below 5e-18, under a
    uniform's resolution), 1 for ``m <= 0``. Plain arithmetic and table lookups (so the
    lane loop vectorises, where the C library's ``exp`` would be called lane by lane):
    ``-m = r - k ln 2 / 32`` with ``|r| <= ln 2 / 64``, ``exp(r)`` by its Taylor polynomial
    to degree 6 (truncation below 4e-18 relative), times ``2^-(k // 32)`` and
    ``2^-((k % 32) / 32)`` from tables. Within two units in the last place of
    ``math.exp`` (tested); the kernels use it alike, so lanes and the scalar kernel agree
    bit for bit."""
    mc = min(max(m, 0.0), 40.0)
    k = math.floor(mc * (32.0 / 0.6931471805599453) + 0.5)
    kf = float(k)
    r = (kf * _LN2_32_HI - mc) + kf * _LN2_32_LO
    p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (
        1.0 / 120.0 + r * (1.0 / 720.0))))))
    return 0.0 if m > 40.0 else _POW2_NEG[k >> 5] * _EXP2_32[k & 31] * p


@njit(inline="always", cache=True)
def _first_through(d0, d1, e0, width, tov, u):
    """Is ``u < P(first exit through this barrier)`` for an interior end (``d1 > 0``), given
    ``u < e0 = exp(-d0 d1 tov)`` (the one-barrier touch probability)? The series is
    ``e0 - C`` with ``0 <= C <= exp(-width (width + d1 - d0) tov)`` (its terms alternate
    and shrink), so it is summed only when ``u`` falls in that thin band."""
    if (e0 - u) * _exp_poly(width * (width + d1 - d0) * tov) > 1.0:
        return True
    return u < _first_exit_series(d0, d1, width, tov)


@njit(inline="always", cache=True)
def _exit_first(a0, a1, b0, b1, tov, u):
    """Which barrier a Brownian bridge leaves the strip through first: 0 (neither), 1 (the
    lower) or 2 (the upper). ``a0, a1``: start and end distances above the lower barrier,
    ``b0, b1``: below the upper (``a0, b0 > 0``; an end may lie outside); ``tov = 2 / v``;
    ``u``: the step's uniform. Exact (the two-barrier image series of
    :func:`_first_exit_series`, not one barrier at a time): ``u < P(lower first)`` ->
    lower, ``1 - u < P(upper first)`` -> upper, so a nearer lower barrier turns "neither"
    into "lower" and "upper" into "neither", path by path (common random numbers).

    Cheap bounds decide almost every step without the series: ``P(first) <= exp(-m) <=
    1 /`` :func:`_exp_poly` ``(m)`` with ``m = d0 d1 tov`` (the one-barrier touch
    probability), then :func:`_first_through`.
    """
    width = a0 + b0
    if a1 <= 0.0:  # ended at or below the lower barrier: it left; was the upper first?
        if (1.0 - u) * _exp_poly(b0 * b1 * tov) >= 1.0:
            return 1
        return 2 if 1.0 - u < _first_exit_series(b0, b1, width, tov) else 1
    if b1 <= 0.0:
        if u * _exp_poly(a0 * a1 * tov) >= 1.0:
            return 2
        return 1 if u < _first_exit_series(a0, a1, width, tov) else 2
    ml = a0 * a1 * tov
    if u * _exp_poly(ml) < 1.0:
        el = _exp_neg(ml)
        if u < el and _first_through(a0, a1, el, width, tov, u):
            return 1
    mu = b0 * b1 * tov
    if (1.0 - u) * _exp_poly(mu) < 1.0:
        eu = _exp_neg(mu)
        if 1.0 - u < eu and _first_through(b0, b1, eu, width, tov, 1.0 - u):
            return 2
    return 0


@njit(inline="always", cache=True)
def _strip_exit(y0, y1, lq, ysl, ytp, tov, u):
    """A step from log price ``y0`` to ``y1`` with both exits continuous: the lower exit is
    the nearer of liquidation ``lq`` (code 2) and the stop ``ysl`` (code 1), the upper the
    take-profit ``ytp`` (code 0); :func:`_exit_first` decides with the uniform ``u``.
    Returns ``(code, yf, d0, width)``: the exit (-1: neither), its log price, the start's
    distance to it and the strip's width."""
    if lq >= ysl:
        lo = lq
        lcode = 2
    else:
        lo = ysl
        lcode = 1
    width = ytp - lo
    first = _exit_first(y0 - lo, y1 - lo, ytp - y0, ytp - y1, tov, u)
    if first == 1:
        return lcode, lo, y0 - lo, width
    if first == 2:
        return 0, ytp, ytp - y0, width
    return -1, 0.0, 0.0, width


@njit(cache=True)
def _strip_ratio(d0, width, t):
    """First-passage density to a barrier at time ``t`` (variance units) from distance
    ``d0`` with a second barrier ``width`` beyond the start, divided by the density without
    it: ``sum_k (d0 + 2kW) / d0 exp(-((d0 + 2kW)^2 - d0^2) / 2t)`` over all integers k
    (images; k = 0 gives 1). In [0, 1]: the probability that a path first reaching the
    barrier at ``t`` did not leave through the other one before."""
    r = 1.0
    k = 1.0
    while k < 1000.0:
        dm = d0 - 2.0 * k * width
        dp = d0 + 2.0 * k * width
        em = (dm * dm - d0 * d0) / (2.0 * t)
        ep = (dp * dp - d0 * d0) / (2.0 * t)
        if em <= 40.0:
            r += dm / d0 * math.exp(-em)
        if ep <= 40.0:
            r += dp / d0 * math.exp(-ep)
        if em > 40.0 and ep > 40.0:
            break
        k += 1.0
    return min(1.0, max(0.0, r))


@njit(cache=True)
def _hit_fraction(d0, c, v, width, s0, s1, s2, s3):
    """When, as a fraction of the step, a Brownian bridge of variance ``v`` starting ``d0``
    from a barrier and ending ``c = |d1|`` from it first reaches it, given that it leaves
    the strip of ``width`` (``inf``: no second barrier) through this barrier first.

    Without the second barrier the hitting time ``t`` of the bridge has ``x = t / (v - t)``
    inverse Gaussian with mean ``mu = d0 / c`` and shape ``d0^2 / v`` (Levy when ``c = 0``),
    sampled by Michael, Schucany & Haas (1976): with ``r = z^2 v / (2 d0 c)`` and
    ``q = 1 + r + sqrt(r^2 + 2r)`` the root is ``x = mu / q`` (taken when
    ``u (q + 1) <= q``), else ``mu q``; the fraction ``x / (1 + x)`` is then
    ``d0 / (c q + d0)`` or ``d0 q / (c + d0 q)``. The second barrier is honoured by
    rejection: a time is kept with probability :func:`_strip_ratio` (the ratio of the two
    first-passage densities; the density of the bridge's end given the time cancels).
    Returns ``(fraction, s0..s3)``.
    """
    frac = 1.0
    for _try in range(1000):
        z, s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        vy = v * z * z
        if c <= 1e-12 * d0:  # Levy: x = d0^2 / (v z^2)
            frac = d0 * d0 / (d0 * d0 + vy)
        else:
            r = vy / (2.0 * d0 * c)
            q = 1.0 + r + math.sqrt(r * (r + 2.0))
            if _u53(w) * (q + 1.0) <= q:
                frac = d0 / (c * q + d0)
            else:
                frac = d0 * q / (c + d0 * q)
        if width == np.inf:
            break
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        u = _u53(w)
        t = v * frac
        # the ratio is 1 - T + (terms < T / 10), T = (2W - d0) / d0 exp(-2 W (W - d0) / t)
        # (the nearest image): keep the time at once when u < 1 - 2T, which is almost always
        dp = d0 * _exp_poly(2.0 * width * (width - d0) / t)  # T <= (2W - d0) / dp
        if u * dp < dp - 2.0 * (2.0 * width - d0):
            break
        if u < _strip_ratio(d0, width, t):
            break
    return frac, s0, s1, s2, s3


@njit(inline="always", cache=True)
def _new_day(clock, next_day, h, eday, dtd, s0, s1, s2, s3, cday):
    """A new day on the path clock (``clock >= next_day``): GARCH's update on the last
    day's return ``eday``, the day's variance (Student-t mixing) and the steps that follow
    it. ``cday = (garch, gw, ga, gb, tails, tdf, t_int, adapt, width, fpd, nu)``. Returns
    ``(h, eday, day_end, next_day, vday, dtd, v_f, sd_f, tov_f, nudt_f, s0..s3)``: the
    step of ``dtd`` days has variance ``v_f`` (sd ``sd_f``, ``tov_f = 2 / v_f``) and drift
    ``nudt_f``."""
    garch, gw, ga, gb, tails, tdf, t_int, adapt, width, fpd, nu = cday
    if garch and next_day > 0.0:
        h = gw + ga * eday * eday + gb * h
    eday = 0.0
    day_end = math.floor(clock + 1e-9) + 1.0
    next_day = day_end - 1e-9  # the next day starts at clock >= next_day (round-off)
    vday, s0, s1, s2, s3 = _day_variance(h, tails, tdf, t_int, s0, s1, s2, s3)
    if adapt:  # step sd = width / _STEP_WIDTHS at this day's volatility
        nd = math.ceil(min(1e6, vday * (_STEP_WIDTHS / width) ** 2) - 1e-9)
        nd = max(1.0, nd)
        if fpd > 0:  # funding times on the step grid
            nd = fpd * math.ceil(nd / fpd)
        dtd = 1.0 / nd
    v_f = vday * dtd
    return (h, eday, day_end, next_day, vday, dtd, v_f, math.sqrt(v_f), 2.0 / v_f, nu * dtd,
            s0, s1, s2, s3)


@njit(inline="always", cache=True)
def _step(y, clock, eday, elapsed, steps, next_jump, phi, fac, lq, s0, s1, s2, s3,
          dtd, day_end, vday, v_f, sd_f, tov_f, nudt_f, m_eff, cstep):
    """One step of one position (the day already started): the price moves by a normal
    shock over the step (cut at midnight, the next jump and the time stop, see
    :func:`_step_end`), exits inside the step are decided exactly (:func:`_exit_first`) and
    happen at their first-passage times (:func:`_hit_fraction`), then a jump at the step's
    end, discrete checks, funding and the time stop. ``cstep = (side, ytp, ysl, nu,
    on_grid, discrete, maxhold, jmu, jsd, jfloor, lam_day, fund, fint, cc, mmr,
    max_steps)``. Returns ``(code, yf, y, clock, eday, elapsed, steps, next_jump, phi, fac,
    lq, s0..s3)``: ``code`` -1 (still open) or the exit (``yf``: the log price it closed at).
    """
    (side, ytp, ysl, nu, on_grid, discrete, maxhold, jmu, jsd, jfloor, lam_day, fund, fint,
     cc, mmr, max_steps) = cstep
    steps += 1
    code = -1
    yf = 0.0
    end, ln, jump_now, grid = _step_end(clock, dtd, on_grid, day_end, next_jump, maxhold,
                                        elapsed)
    if abs(ln - dtd) <= 1e-9 * dtd:
        v = v_f
        sd = sd_f
        tov = tov_f
        nudt = nudt_f
    else:
        ln = max(ln, 1e-12)
        v = vday * ln
        sd = math.sqrt(v)
        tov = 2.0 / v
        nudt = nu * ln
    z, s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
    e = sd * z
    y0 = y
    y1 = y0 + nudt + e
    # one uniform per step decides the exits inside it (always drawn, so runs that differ
    # only in a barrier keep common random numbers)
    w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
    ux = _u53(w)
    d0 = 0.0
    wid = np.inf  # the strip's width when both exits are continuous
    if not discrete:
        code, yf, d0, wid = _strip_exit(y0, y1, lq, ysl, ytp, tov, ux)
    elif lq > -np.inf and ux < _cross(y0 - lq, y1 - lq, v):
        code = 2
        yf = lq
        d0 = y0 - lq
    if code >= 0:  # left inside the step: at the bridge's first-passage time
        frac, s0, s1, s2, s3 = _hit_fraction(d0, abs(yf - y1), v, wid, s0, s1, s2, s3)
        eday += (yf - y0) - nudt * frac
        elapsed += ln * frac
        clock += ln * frac
        return (code, yf, y, clock, eday, elapsed, steps, next_jump, phi, fac, lq,
                s0, s1, s2, s3)
    eday += e
    if jump_now:  # a crash jump at the step's end; gaps fill at the new price
        zj, s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
        y1 += side * max(jmu + jsd * zj, jfloor)
        ej, s0, s1, s2, s3 = zig_exponential(s0, s1, s2, s3)
        next_jump = end + ej / lam_day
        if y1 <= lq:
            code = 2
            yf = y1
        elif not discrete and y1 <= ysl:
            code = 1
            yf = y1
        elif not discrete and y1 >= ytp:
            code = 0
            yf = y1
    if code < 0 and discrete and grid:
        if y1 <= ysl:  # a check (a grid point, not a jump or a day's end)
            code = 1
            yf = y1
        elif y1 >= ytp:
            code = 0
            yf = y1
    y = y1
    elapsed += ln
    c_old = clock
    clock = end
    if code < 0 and fund != 0.0:  # funding at every funding time inside this step
        nf = math.floor(clock / fint + 1e-9) - math.floor(c_old / fint + 1e-9)
        if nf > 0:
            pay = side * fund * nf * math.exp(side * y)
            phi += pay
            fac += pay
            lq = _liq_y(side, m_eff, phi, cc, mmr)
            if y <= lq:
                code = 2
                yf = y
    if code < 0 and (maxhold > 0.0 and elapsed >= maxhold - 1e-9 or steps >= max_steps):
        code = 3
        yf = y
    return code, yf, y, clock, eday, elapsed, steps, next_jump, phi, fac, lq, s0, s1, s2, s3


@njit(inline="always", cache=True)
def _settle(code, yf, m_eff, phi, fac, csettle, cr, cdx, cgr, x, peak, inv, tolp, mdd,
            streak, mstreak, uw, muw, nwin, n, eqm, ex0, ex1, ex2, ex3, ax0, ax1, ax2, ax3):
    """Close the trade (exit ``code`` at log price ``yf``) and book it on the account.
    Exits exactly at a barrier with no funding paid have the precomputed results ``cr``
    (state increments ``cdx``, equity factors ``cgr``) unless the margin follows the equity
    (``const`` false). ``csettle = (const, side, ytp, ysl, lq0, s, fee, slip, rule, liqfee,
    bsm, bsc, fractional, risk, x_floor, c)``. Returns the account state and the counters."""
    (const, side, ytp, ysl, lq0, s, fee, slip, rule, liqfee, bsm, bsc, fractional, risk,
     x_floor, c) = csettle
    scale = risk * eqm if fractional else risk
    if const and code < 3 and fac == 0.0 and yf == (ytp if code == 0 else (
            ysl if code == 1 else lq0)):
        r = cr[code, 0]
        f_ = cr[code, 1]
        sp_ = cr[code, 2]
        fu_ = cr[code, 3]
        b_ = cr[code, 4]
        dx = cdx[code]
        gr = cgr[code]
    else:
        r, f_, sp_, fu_, b_ = _close(code, side, yf, m_eff, phi, fac, s, fee, slip, rule,
                                     liqfee, bsm, bsc)
        dx = _dx(r, fractional, risk)
        gr = _growth(r, risk)
    eqm *= gr
    nwin += np.int64(r > 0.0)
    if code == 0:
        ex0 += 1
    elif code == 1:
        ex1 += 1
    elif code == 2:
        ex2 += 1
    else:
        ex3 += 1
    ax0 += f_ * scale
    ax1 += sp_ * scale
    ax2 += fu_ * scale
    ax3 += b_ * scale
    n += 1
    x, peak, inv, tolp, mdd, streak, mstreak, uw, muw = _book(
        x, dx, r, fractional, x_floor, peak, inv, tolp, mdd, streak, mstreak, uw, muw, c)
    return (x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n, eqm,
            ex0, ex1, ex2, ex3, ax0, ax1, ax2, ax3)


@njit(inline="always", cache=True)
def _single_setup(fp, ip):
    """Constants of the one-position kernels: ``(cday, cstep, csettle, cr, cdx, cgr, m0,
    lq0, phi0, jumps, lam_day, dt, n_trades, ruin_cut, goal_cut)`` (see :func:`_new_day`,
    :func:`_step`, :func:`_settle`)."""
    side = fp[F_SIDE]
    s = fp[F_S]
    ytp = fp[F_YTP]
    ysl = fp[F_YSL]
    m = fp[F_M]
    mmr = fp[F_MMR]
    cc = fp[F_C]
    fee = fp[F_FEE]
    slip = fp[F_SLIP]
    liqfee = fp[F_LIQFEE]
    bf = fp[F_BF]
    bsm = bf * fp[F_MMR]
    bsc = bf * fp[F_C]
    nu = fp[F_NU]
    dt = fp[F_DT]
    fund = fp[F_FUND]
    maxhold = fp[F_MAXHOLD]
    tdf = fp[F_TDF]
    lam_day = fp[F_JLAM] / fp[F_DT]  # crash jumps per day
    risk = fp[F_RISK]
    ruin_x = fp[F_RUINX]
    goal_x = fp[F_GOALX]
    cross = ip[I_CROSS] == 1
    discrete = ip[I_DISCRETE] == 1
    fractional = ip[I_FRACTIONAL] == 1
    tails = ip[I_TAILS] == 1
    phi0 = fee + slip
    t_int = int(tdf) if (tails and tdf == math.floor(tdf) and tdf <= 30.0) else 0
    cday = (ip[I_GARCH] == 1, fp[F_GW], fp[F_GA], fp[F_GB], tails, tdf, t_int,
            ip[I_ADAPT] == 1, fp[F_WIDTH], ip[I_FUNDPERDAY], nu)
    cstep = (side, ytp, ysl, nu, discrete or fund != 0.0, discrete, maxhold, fp[F_JMU],
             fp[F_JSD], math.log(0.05), lam_day, fund, fp[F_FUNDINT], cc, mmr,
             ip[I_MAXSTEPS])
    # Exits at a barrier before any funding have the same result in R every trade unless the
    # margin follows the equity (cross margin with fixed stakes): precompute them
    # (take-profit, stop, liquidation), with their state increments and equity factors.
    const = not (cross and not fractional)
    m0 = s * (1.0 / risk) if cross else m
    lq0 = _liq_y(side, m0, phi0, cc, mmr)
    cr = np.zeros((3, 5))
    cdx = np.zeros(3)
    cgr = np.zeros(3)
    for k in range(3):
        yk = ytp if k == 0 else (ysl if k == 1 else lq0)
        if k < 2 or lq0 > -np.inf:
            r_, f_, sp_, fu_, b_ = _close(k, side, yk, m0, phi0, 0.0, s, fee, slip,
                                          ip[I_RULE], liqfee, bsm, bsc)
            cr[k, 0] = r_
            cr[k, 1] = f_
            cr[k, 2] = sp_
            cr[k, 3] = fu_
            cr[k, 4] = b_
            cdx[k] = _dx(r_, fractional, risk)
            cgr[k] = _growth(r_, risk)
    csettle = (const, side, ytp, ysl, lq0, s, fee, slip, ip[I_RULE], liqfee, bsm, bsc,
               fractional, risk, fp[F_XFLOOR], 0.0 if fractional else 1.0 / risk)
    ruin_cut = ruin_x + (TOL * max(1.0, abs(ruin_x)) if ruin_x > -np.inf else 0.0)
    goal_cut = goal_x - (TOL * max(1.0, abs(goal_x)) if goal_x < np.inf else 0.0)
    return (cday, cstep, csettle, cr, cdx, cgr, m0, lq0, phi0, ip[I_JUMPS] == 1, lam_day,
            dt, ip[I_NTRADES], ruin_cut, goal_cut)


@njit(inline="always", cache=True)
def _path_start(key0, key1, index, jumps, lam_day):
    """A path's stream and the clock time of its first crash jump (a Poisson process)."""
    s0, s1, s2, s3 = seed4(key0, key1, index)
    next_jump = np.inf
    if jumps:
        ej, s0, s1, s2, s3 = zig_exponential(s0, s1, s2, s3)
        next_jump = ej / lam_day
    return next_jump, s0, s1, s2, s3


@njit(parallel=True, cache=True)
def _single_kernel(key0, key1, offset, n_paths, fp, ip, final_eq, max_dd, ruin_t, goal_t,
                   max_streak, max_uw, wins, taken, exits, aux, rec):
    """One position at a time, stepped, with the whole state in scalars.

    The model of :func:`_stepped_kernel` with one position (isolated, or cross where the
    account backs it), with exact exits inside each step (the two-barrier bridge series,
    :func:`_exit_first`) at their first-passage times (:func:`_hit_fraction`), crash jumps
    at their Poisson times, ziggurat normals, and the day's variance computed once per day
    (:func:`_new_day`, :func:`_step`, :func:`_settle`; :func:`_lanes_kernel` walks the same
    paths sixteen at a time).
    """
    (cday, cstep, csettle, cr, cdx, cgr, m0, lq0, phi0, jumps, lam_day, dt, n_trades,
     ruin_cut, goal_cut) = _single_setup(fp, ip)
    const = csettle[0]
    fractional = csettle[12]
    risk = csettle[13]
    c = csettle[15]
    s = csettle[5]
    side = cstep[0]
    mmr = cstep[14]
    cc = cstep[13]
    n_rec = rec.shape[0]
    for i in prange(n_paths):
        next_jump, s0, s1, s2, s3 = _path_start(key0, key1, offset + i, jumps, lam_day)
        ex0 = ex1 = ex2 = ex3 = 0
        ax0 = ax1 = ax2 = ax3 = 0.0
        x = 0.0
        peak = 0.0
        inv = 1.0 if fractional else 1.0 / c
        tolp = TOL
        mdd = 0.0
        streak = 0
        mstreak = 0
        uw = 0
        muw = 0
        nwin = 0
        t_ruin = -1
        t_goal = -1
        n = 0
        h = fp[F_SIG2DT] / dt  # GARCH conditional variance per day
        vday = h
        eday = 0.0  # the day's diffusive return so far
        next_day = 0.0
        day_end = 0.0
        dtd = dt
        v_f = sd_f = tov_f = nudt_f = 0.0
        clock = 0.0
        eqm = 1.0  # equity multiple (fractional sizing), kept by multiplication
        for t in range(n_trades):
            if const:
                m_eff = m0
                lq = lq0
            else:
                m_eff = s * (1.0 / risk + x)  # cross margin, fixed stakes: equity in R
                lq = _liq_y(side, m_eff, phi0, cc, mmr)
            y = 0.0
            phi = phi0
            fac = 0.0
            elapsed = 0.0
            steps = 0
            while True:
                if clock >= next_day:
                    (h, eday, day_end, next_day, vday, dtd, v_f, sd_f, tov_f, nudt_f,
                     s0, s1, s2, s3) = _new_day(clock, next_day, h, eday, dtd, s0, s1, s2, s3,
                                                cday)
                (code, yf, y, clock, eday, elapsed, steps, next_jump, phi, fac, lq,
                 s0, s1, s2, s3) = _step(y, clock, eday, elapsed, steps, next_jump, phi, fac,
                                         lq, s0, s1, s2, s3, dtd, day_end, vday, v_f, sd_f,
                                         tov_f, nudt_f, m_eff, cstep)
                if code >= 0:
                    break
            (x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, n, eqm,
             ex0, ex1, ex2, ex3, ax0, ax1, ax2, ax3) = _settle(
                code, yf, m_eff, phi, fac, csettle, cr, cdx, cgr, x, peak, inv, tolp, mdd,
                streak, mstreak, uw, muw, nwin, n, eqm, ex0, ex1, ex2, ex3, ax0, ax1, ax2,
                ax3)
            if n_rec > 0 and i < n_rec:
                rec[i, t + 1] = _equity(x, fractional, risk)
            if x <= ruin_cut:
                t_ruin = t + 1
                break
            if x >= goal_cut:
                t_goal = t + 1
                break
        _finish_path(i, x, peak, inv, tolp, mdd, mstreak, muw, nwin, n, t_ruin, t_goal,
                     fractional, risk, n_trades, rec, final_eq, max_dd, ruin_t, goal_t,
                     max_streak, max_uw, wins, taken)
        _store_counts(i, exits, aux, ex0, ex1, ex2, ex3, ax0, ax1, ax2, ax3)


@njit(inline="always", cache=True)
def _store_counts(i, exits, aux, ex0, ex1, ex2, ex3, ax0, ax1, ax2, ax3):
    """Path ``i``'s exit counts and cost totals."""
    exits[i, 0] = ex0
    exits[i, 1] = ex1
    exits[i, 2] = ex2
    exits[i, 3] = ex3
    aux[i, 0] = ax0
    aux[i, 1] = ax1
    aux[i, 2] = ax2
    aux[i, 3] = ax3


@njit(cache=True)
def _step_call(y, clock, eday, elapsed, steps, next_jump, phi, fac, lq, s0, s1, s2, s3,
               dtd, day_end, vday, v_f, sd_f, tov_f, nudt_f, m_eff, cstep):
    """:func:`_step` as a called function: the lane kernel's rare steps run one compiled
    copy instead of inlining another (which doubled the kernel's compile time)."""
    return _step(y, clock, eday, elapsed, steps, next_jump, phi, fac, lq, s0, s1, s2, s3,
                 dtd, day_end, vday, v_f, sd_f, tov_f, nudt_f, m_eff, cstep)


@njit(cache=True)
def _new_day_call(clock, next_day, h, eday, dtd, s0, s1, s2, s3, cday):
    """:func:`_new_day` as a called function (see :func:`_step_call`)."""
    return _new_day(clock, next_day, h, eday, dtd, s0, s1, s2, s3, cday)


@njit(cache=True)
def _settle_call(code, yf, m_eff, phi, fac, csettle, cr, cdx, cgr, x, peak, inv, tolp, mdd,
                 streak, mstreak, uw, muw, nwin, n, eqm, ex0, ex1, ex2, ex3, ax0, ax1, ax2,
                 ax3):
    """:func:`_settle` as a called function (see :func:`_step_call`)."""
    return _settle(code, yf, m_eff, phi, fac, csettle, cr, cdx, cgr, x, peak, inv, tolp, mdd,
                   streak, mstreak, uw, muw, nwin, n, eqm, ex0, ex1, ex2, ex3, ax0, ax1, ax2,
                   ax3)


# --------------------------------------------------------------------------- lanes
_LANES = 16  # one-position paths stepped side by side (the step loop vectorises)
_GRAIN = 64  # paths per parallel work item
# rows of the lane state: floats, stream words and integers
(_Y, _CLOCK, _NEXTDAY, _DAYEND, _H, _VDAY, _EDAY, _DTD, _VF, _SDF, _TOVF, _NUDTF, _NJUMP,
 _ELAPSED, _X, _PEAK, _INV, _TOLP, _MDD, _EQM, _AX0, _AX1, _AX2, _AX3, _YF) = range(25)
_NF = 25
(_PATH, _STEPS, _N, _STREAK, _MSTREAK, _UW, _MUW, _NWIN, _EX0, _EX1, _EX2, _EX3,
 _CODE) = range(13)
_NI = 13
_FLAGGED = -2  # the step needs the scalar code (see _lanes_step)
_BOOKED = -3  # the trade ended and is booked (see _lanes_settle)
_DONE = -4  # ... and it was the path's last


@njit(inline="always", cache=True)
def _lanes_step(F, U, IS, lo, lcode, ytp, nu, max_steps):
    """One step of every lane where it is plain, branch-free (the loop over lanes vectorises).

    A plain step is :func:`_step`'s arithmetic, bit for bit, when nothing rare happens: the
    ziggurat normals take their fast path, no jump falls in the step, the exit decision is
    settled by the cheap bounds of :func:`_exit_first` (no exit with the end inside the
    strip, or an exit with the end beyond the barrier) and an exit's first-passage time is
    kept by the cheap screen of :func:`_hit_fraction` on its first try. Such lanes take the
    step (``IS[_CODE]``: -1 still open, else the exit, at ``F[_YF]``); the others are left
    untouched with ``IS[_CODE] = _FLAGGED`` (the caller runs :func:`_step` on them, from
    the same stream state, so every path draws what :func:`_single_kernel` draws). Needs
    continuous monitoring, no funding, no time stop and a fixed lower exit ``lo``.
    """
    wid = ytp - lo
    L = _LANES
    for j in range(L):
        s0 = U[0 * L + j]
        s1 = U[1 * L + j]
        s2 = U[2 * L + j]
        s3 = U[3 * L + j]
        y = F[_Y * L + j]
        clock = F[_CLOCK * L + j]
        dtd = F[_DTD * L + j]
        day_end = F[_DAYEND * L + j]
        eday = F[_EDAY * L + j]
        elapsed = F[_ELAPSED * L + j]
        steps = IS[_STEPS * L + j]
        end = clock + dtd
        if end > day_end - 1e-6 * dtd:
            end = day_end
        jump_now = F[_NJUMP * L + j] < end
        ln = end - clock
        full = abs(ln - dtd) <= 1e-9 * dtd
        lnq = ln if full else max(ln, 1e-12)
        vq = F[_VDAY * L + j] * lnq
        v = F[_VF * L + j] if full else vq
        sd = F[_SDF * L + j] if full else math.sqrt(vq)
        tov = F[_TOVF * L + j] if full else 2.0 / vq
        nudt = F[_NUDTF * L + j] if full else nu * lnq
        # the step's normal (the ziggurat's fast path) and exit uniform
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        k = int(w & uint64(0xFF))
        z = float(int64(w) >> int64(11)) * _TO_DOUBLE * 2.0 * _ZN_X[k]
        ok = abs(z) < _ZN_X[k + 1]
        e = sd * z
        y1 = y + nudt + e
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        ux = _u53(w)
        a0 = y - lo
        a1 = y1 - lo
        b0 = ytp - y
        b1 = ytp - y1
        ml = a0 * a1 * tov
        mu = b0 * b1 * tov
        keep_up = ux * _exp_poly(ml) >= 1.0  # the lower exit cannot have been first
        keep_lo = (1.0 - ux) * _exp_poly(mu) >= 1.0  # nor the upper
        below = a1 <= 0.0
        above = b1 <= 0.0
        inner = (not below) & (not above)
        # an end inside the strip: the bridge may have touched a barrier on the way; one
        # exp per lane (the touch probability of the barrier that may have been touched;
        # ends near both are left to the scalar step)
        width = a0 + b0
        both = (not keep_up) & (not keep_lo)
        touch = _exp_neg(ml if not keep_up else mu)
        lt = inner & (not keep_up) & (ux < touch)
        l_sure = (touch - ux) * _exp_poly(width * (width + a1 - a0) * tov) > 1.0
        in_lo = lt & l_sure
        ut = inner & (not lt) & keep_up & (not keep_lo) & (1.0 - ux < touch)
        u_sure = (touch - (1.0 - ux)) * _exp_poly(width * (width + b1 - b0) * tov) > 1.0
        in_up = ut & u_sure
        out_lo = (below & keep_lo) | in_lo
        out_up = (above & (not below) & keep_up) | in_up
        stay = inner & (not lt) & (not ut) & (not both)
        # an exit: its first-passage time (inverse Gaussian, the screen of _hit_fraction)
        d0 = a0 if out_lo else b0
        yf = lo if out_lo else ytp
        c = abs(yf - y1)
        w, t0, t1, t2, t3 = step4(s0, s1, s2, s3)
        k = int(w & uint64(0xFF))
        z2 = float(int64(w) >> int64(11)) * _TO_DOUBLE * 2.0 * _ZN_X[k]
        ok2 = abs(z2) < _ZN_X[k + 1]
        w, t0, t1, t2, t3 = step4(t0, t1, t2, t3)
        uq = _u53(w)
        vy = v * z2 * z2
        r = vy / (2.0 * d0 * c)
        q = 1.0 + r + math.sqrt(r * (r + 2.0))
        frac = d0 / (c * q + d0) if uq * (q + 1.0) <= q else d0 * q / (c + d0 * q)
        w, t0, t1, t2, t3 = step4(t0, t1, t2, t3)
        ur = _u53(w)
        dp = d0 * _exp_poly(2.0 * wid * (wid - d0) / (v * frac))
        kept = ur * dp < dp - 2.0 * (2.0 * wid - d0)
        out = (out_lo | out_up) & ok2 & (c > 1e-12 * d0) & kept
        plain = (IS[_PATH * L + j] >= 0) & ok & (not jump_now) & (steps + 1 < max_steps) & (
            out | stay)
        go = plain & stay
        F[_Y * L + j] = y1 if go else y
        F[_EDAY * L + j] = (eday + e if stay else eday + ((yf - y) - nudt * frac)) if plain \
            else eday
        F[_ELAPSED * L + j] = (elapsed + lnq if stay else elapsed + lnq * frac) if plain \
            else elapsed
        F[_CLOCK * L + j] = (end if stay else clock + lnq * frac) if plain else clock
        F[_YF * L + j] = yf
        IS[_CODE * L + j] = (-1 if stay else (lcode if out_lo else 0)) if plain else _FLAGGED
        IS[_STEPS * L + j] = steps + 1 if plain else steps
        U[0 * L + j] = (s0 if stay else t0) if plain else U[0 * L + j]
        U[1 * L + j] = (s1 if stay else t1) if plain else U[1 * L + j]
        U[2 * L + j] = (s2 if stay else t2) if plain else U[2 * L + j]
        U[3 * L + j] = (s3 if stay else t3) if plain else U[3 * L + j]


@njit(parallel=True, cache=True)
def _lanes_kernel(key0, key1, offset, n_paths, fp, ip, final_eq, max_dd, ruin_t, goal_t,
                  max_streak, max_uw, wins, taken, exits, aux):
    """:func:`_single_kernel`'s paths, sixteen at a time, bit for bit (same draws, same
    arithmetic). Each round: :func:`_lanes_step` steps every lane where the step is plain
    (vectorised); the scalar :func:`_step` takes the steps it flagged; :func:`_lanes_settle`
    books the trades that ended at a barrier (vectorised) and :func:`_settle` the others
    (gaps); a lane whose path ended stores it and takes the next path of its block; new
    days start (:func:`_new_day`). For one position with continuous monitoring, no
    funding, no time stop and exits whose results are fixed for the run (``const``); no
    recorded paths. The lane state is three flat arrays, field ``k`` of lane ``j`` at
    ``k * _LANES + j`` (the scalar code reads a lane through the strided view
    ``A[j::_LANES]``)."""
    for b in prange((n_paths + _GRAIN - 1) // _GRAIN):
        _lanes_block(b, key0, key1, offset, n_paths, fp, ip, final_eq, max_dd, ruin_t,
                     goal_t, max_streak, max_uw, wins, taken, exits, aux)


@njit(cache=True, error_model="numpy")
def _lanes_block(b, key0, key1, offset, n_paths, fp, ip, final_eq, max_dd, ruin_t, goal_t,
                 max_streak, max_uw, wins, taken, exits, aux):
    """Paths ``b * _GRAIN`` onwards (one block) of :func:`_lanes_kernel`, a function of its
    own: inside the ``prange`` body numba's parallel passes took most of the compile time.
    ``error_model="numpy"``: no zero-division checks, which would stop the lane loops from
    vectorising (a plain step's inverse Gaussian divides by zero in lanes it discards)."""
    (cday, cstep, csettle, cr, cdx, cgr, m0, lq0, phi0, jumps, lam_day, dt, n_trades,
     ruin_cut, goal_cut) = _single_setup(fp, ip)
    fractional = csettle[12]
    risk = csettle[13]
    x_floor = csettle[14]
    c = csettle[15]
    ytp = cstep[1]
    ysl = cstep[2]
    nu = cstep[3]
    max_steps = cstep[15]
    lo = lq0 if lq0 >= ysl else ysl
    lcode = 2 if lq0 >= ysl else 1
    sig2 = fp[F_SIG2DT] / dt
    no_rec = np.empty((0, 1), np.float64)
    L = _LANES
    F = np.zeros(_NF * L)
    U = np.zeros(4 * L, np.uint64)
    IS = np.zeros(_NI * L, np.int64)
    nxt = b * _GRAIN
    hi = min(n_paths, nxt + _GRAIN)
    live = 0
    IS[_PATH * L:(_PATH + 1) * L] = -1
    while True:
        for j in range(L):  # lanes without a path take the next one of the block
            if IS[_PATH * L + j] >= 0 or nxt >= hi:
                continue
            Fj = F[j::L]
            Ij = IS[j::L]
            Uj = U[j::L]
            Fj[:] = 0.0
            Ij[:] = 0
            Ij[_PATH] = nxt
            Fj[_NJUMP], Uj[0], Uj[1], Uj[2], Uj[3] = _path_start(key0, key1, offset + nxt,
                                                                 jumps, lam_day)
            Fj[_INV] = 1.0 if fractional else 1.0 / c
            Fj[_TOLP] = TOL
            Fj[_EQM] = 1.0
            (Fj[_H], Fj[_EDAY], Fj[_DAYEND], Fj[_NEXTDAY], Fj[_VDAY], Fj[_DTD], Fj[_VF],
             Fj[_SDF], Fj[_TOVF], Fj[_NUDTF], Uj[0], Uj[1], Uj[2], Uj[3]) = _new_day_call(
                0.0, 0.0, sig2, 0.0, dt, Uj[0], Uj[1], Uj[2], Uj[3], cday)
            nxt += 1
            live += 1
        if live == 0:
            break
        _lanes_step(F, U, IS, lo, lcode, ytp, nu, max_steps)
        for j in range(L):  # the steps _lanes_step left to the scalar code
            if IS[_PATH * L + j] < 0 or IS[_CODE * L + j] != _FLAGGED:
                continue
            Fj = F[j::L]
            Ij = IS[j::L]
            Uj = U[j::L]
            (Ij[_CODE], Fj[_YF], Fj[_Y], Fj[_CLOCK], Fj[_EDAY], Fj[_ELAPSED], Ij[_STEPS],
             Fj[_NJUMP], phi, fac, lq, Uj[0], Uj[1], Uj[2], Uj[3]) = _step_call(
                Fj[_Y], Fj[_CLOCK], Fj[_EDAY], Fj[_ELAPSED], Ij[_STEPS], Fj[_NJUMP],
                phi0, 0.0, lq0, Uj[0], Uj[1], Uj[2], Uj[3], Fj[_DTD], Fj[_DAYEND],
                Fj[_VDAY], Fj[_VF], Fj[_SDF], Fj[_TOVF], Fj[_NUDTF], m0, cstep)
        _lanes_settle(F, IS, cr, cdx, cgr, ytp, ysl, lq0, fractional, risk, x_floor, c,
                      ruin_cut, goal_cut, n_trades)
        for j in range(L):  # exits off a barrier, ended paths, new days
            code = IS[_CODE * L + j]
            if IS[_PATH * L + j] < 0 or (code < 0 and code != _DONE
                                          and F[_CLOCK * L + j] < F[_NEXTDAY * L + j]):
                continue
            Fj = F[j::L]
            Ij = IS[j::L]
            Uj = U[j::L]
            if code >= 0:  # a gap through a barrier (or the step cap): its own result
                (Fj[_X], Fj[_PEAK], Fj[_INV], Fj[_TOLP], Fj[_MDD], Ij[_STREAK],
                 Ij[_MSTREAK], Ij[_UW], Ij[_MUW], Ij[_NWIN], Ij[_N], Fj[_EQM], Ij[_EX0],
                 Ij[_EX1], Ij[_EX2], Ij[_EX3], Fj[_AX0], Fj[_AX1], Fj[_AX2],
                 Fj[_AX3]) = _settle_call(
                    code, Fj[_YF], m0, phi0, 0.0, csettle, cr, cdx, cgr, Fj[_X],
                    Fj[_PEAK], Fj[_INV], Fj[_TOLP], Fj[_MDD], Ij[_STREAK], Ij[_MSTREAK],
                    Ij[_UW], Ij[_MUW], Ij[_NWIN], Ij[_N], Fj[_EQM], Ij[_EX0], Ij[_EX1],
                    Ij[_EX2], Ij[_EX3], Fj[_AX0], Fj[_AX1], Fj[_AX2], Fj[_AX3])
                Fj[_Y] = 0.0  # the next trade
                Fj[_ELAPSED] = 0.0
                Ij[_STEPS] = 0
                if _path_done(Fj[_X], Ij[_N], ruin_cut, goal_cut, n_trades):
                    code = _DONE
            if code == _DONE:  # the path ended: store it; the lane takes the next one
                x = Fj[_X]
                n = Ij[_N]
                t_ruin = n if x <= ruin_cut else -1
                t_goal = n if (t_ruin < 0 and x >= goal_cut) else -1
                _finish_path(Ij[_PATH], x, Fj[_PEAK], Fj[_INV], Fj[_TOLP], Fj[_MDD],
                             Ij[_MSTREAK], Ij[_MUW], Ij[_NWIN], n, t_ruin, t_goal,
                             fractional, risk, n_trades, no_rec, final_eq, max_dd, ruin_t,
                             goal_t, max_streak, max_uw, wins, taken)
                _store_counts(Ij[_PATH], exits, aux, Ij[_EX0], Ij[_EX1], Ij[_EX2],
                              Ij[_EX3], Fj[_AX0], Fj[_AX1], Fj[_AX2], Fj[_AX3])
                Ij[_PATH] = -1
                live -= 1
            elif Fj[_CLOCK] >= Fj[_NEXTDAY]:
                (Fj[_H], Fj[_EDAY], Fj[_DAYEND], Fj[_NEXTDAY], Fj[_VDAY], Fj[_DTD],
                 Fj[_VF], Fj[_SDF], Fj[_TOVF], Fj[_NUDTF], Uj[0], Uj[1], Uj[2],
                 Uj[3]) = _new_day_call(Fj[_CLOCK], Fj[_NEXTDAY], Fj[_H], Fj[_EDAY],
                                   Fj[_DTD], Uj[0], Uj[1], Uj[2], Uj[3], cday)


@njit(inline="always", cache=True)
def _path_done(x, n, ruin_cut, goal_cut, n_trades):
    """Whether a path ends after its ``n``-th trade (state ``x``): ruin, goal or the last
    trade."""
    return (x <= ruin_cut) | (x >= goal_cut) | (n == n_trades)


@njit(inline="always", cache=True)
def _pick(code, a0, a1, a2):
    """``a0``, ``a1`` or ``a2`` for exit code 0, 1 or 2 (selects, where a table lookup
    would be a gather that LLVM will not vectorise)."""
    return a0 if code == 0 else (a1 if code == 1 else a2)


@njit(inline="always", cache=True)
def _lanes_settle(F, IS, cr, cdx, cgr, ytp, ysl, lq0, fractional, risk, x_floor, c,
                  ruin_cut, goal_cut, n_trades):
    """Book, branch-free, the trades that ended exactly at a barrier (their results are the
    precomputed ``cr``, ``cdx``, ``cgr``): :func:`_settle` and :func:`_book`'s arithmetic,
    bit for bit; such lanes get ``IS[_CODE] = _BOOKED`` and start their next trade. Other
    exits (gaps, the time stop) are left to :func:`_settle`. The trip count is read from
    the state's size: with the constant 16, LLVM unrolled the loop fully instead of
    vectorising it."""
    L = _LANES
    r0, r1, r2 = cr[0, 0], cr[1, 0], cr[2, 0]
    f0, f1, f2 = cr[0, 1], cr[1, 1], cr[2, 1]
    p0, p1, p2 = cr[0, 2], cr[1, 2], cr[2, 2]
    u0, u1, u2 = cr[0, 3], cr[1, 3], cr[2, 3]
    b0, b1, b2 = cr[0, 4], cr[1, 4], cr[2, 4]
    for j in range(IS.shape[0] // _NI):
        # every load first (unconditional), then selects: the loop vectorises
        code = IS[_CODE * L + j]
        yf = F[_YF * L + j]
        x0 = F[_X * L + j]
        peak0 = F[_PEAK * L + j]
        tolp0 = F[_TOLP * L + j]
        inv0 = F[_INV * L + j]
        mdd0 = F[_MDD * L + j]
        eqm = F[_EQM * L + j]
        streak0 = IS[_STREAK * L + j]
        uw0 = IS[_UW * L + j]
        tab = (IS[_PATH * L + j] >= 0) & (code >= 0) & (code < 3) & (
            yf == _pick(code, ytp, ysl, lq0))
        r = _pick(code, r0, r1, r2)
        scale = risk * eqm if fractional else risk
        x = max(x0 + _pick(code, cdx[0], cdx[1], cdx[2]), x_floor)
        up = x > peak0
        peak = x if up else peak0
        tolp = TOL * max(1.0, abs(peak)) if up else tolp0
        inv = 1.0 / (c + peak) if (up & (not fractional)) else inv0
        mdd = np.inf if x == -np.inf else max(mdd0, (peak - x) * inv)
        streak = streak0 + 1 if r < 0.0 else 0
        uw = uw0 + 1 if x < peak - tolp else 0
        F[_X * L + j] = x if tab else x0
        F[_PEAK * L + j] = peak if tab else peak0
        F[_TOLP * L + j] = tolp if tab else tolp0
        F[_INV * L + j] = inv if tab else inv0
        F[_MDD * L + j] = mdd if tab else mdd0
        F[_EQM * L + j] = eqm * _pick(code, cgr[0], cgr[1], cgr[2]) if tab else eqm
        F[_AX0 * L + j] += _pick(code, f0, f1, f2) * scale if tab else 0.0
        F[_AX1 * L + j] += _pick(code, p0, p1, p2) * scale if tab else 0.0
        F[_AX2 * L + j] += _pick(code, u0, u1, u2) * scale if tab else 0.0
        F[_AX3 * L + j] += _pick(code, b0, b1, b2) * scale if tab else 0.0
        F[_Y * L + j] = 0.0 if tab else F[_Y * L + j]
        F[_ELAPSED * L + j] = 0.0 if tab else F[_ELAPSED * L + j]
        IS[_STEPS * L + j] = 0 if tab else IS[_STEPS * L + j]
        IS[_STREAK * L + j] = streak if tab else streak0
        IS[_MSTREAK * L + j] = max(IS[_MSTREAK * L + j], streak if tab else 0)
        IS[_UW * L + j] = uw if tab else uw0
        IS[_MUW * L + j] = max(IS[_MUW * L + j], uw if tab else 0)
        IS[_NWIN * L + j] += np.int64(tab & (r > 0.0))
        n = IS[_N * L + j] + np.int64(tab)
        IS[_N * L + j] = n
        IS[_EX0 * L + j] += np.int64(tab & (code == 0))
        IS[_EX1 * L + j] += np.int64(tab & (code == 1))
        IS[_EX2 * L + j] += np.int64(tab & (code == 2))
        done = _path_done(x, n, ruin_cut, goal_cut, n_trades)
        IS[_CODE * L + j] = (_DONE if done else _BOOKED) if tab else code


def run_market(plan: MarketPlan, key0, key1, offset: int, count: int, outs: tuple,
               exits: np.ndarray, aux: np.ndarray, rec: np.ndarray) -> None:
    """Run the kernel for paths ``offset .. offset + count - 1`` into the given arrays."""
    if plan.two_point is not None:
        _run_two_point(plan, key0, key1, offset, count, outs, exits, aux, rec)
        return
    if plan.exact:
        kern = _exact_kernel
    elif _lanes_apply(plan):
        n_rec = min(rec.shape[0], count)  # recorded paths run alone, the rest in lanes
        if n_rec:
            _single_kernel(key0, key1, np.int64(offset), np.int64(n_rec), plan.fp, plan.ip,
                           *outs, exits, aux, rec)
        if count > n_rec:
            sl = slice(n_rec, None)
            _lanes_kernel(key0, key1, np.int64(offset + n_rec), np.int64(count - n_rec),
                          plan.fp, plan.ip, *(o[sl] for o in outs), exits[sl], aux[sl])
        return
    elif plan.ip[I_K] == 1:
        kern = _single_kernel
    else:
        kern = _stepped_kernel
    kern(key0, key1, np.int64(offset), np.int64(count), plan.fp, plan.ip, *outs, exits, aux,
         rec)


def _lanes_apply(plan: MarketPlan) -> bool:
    """Whether :func:`_lanes_kernel` can walk the plan's paths: one position, continuous
    monitoring, no funding, no time stop, and exits whose results are fixed for the run
    (not cross margin with fixed stakes)."""
    fp, ip = plan.fp, plan.ip
    return bool(ip[I_K] == 1 and ip[I_DISCRETE] == 0 and fp[F_FUND] == 0.0
                and fp[F_MAXHOLD] == 0.0 and not (ip[I_CROSS] == 1 and ip[I_FRACTIONAL] == 0)
                and ip[I_NTRADES] > 0)


def _run_two_point(plan: MarketPlan, key0, key1, offset: int, count: int, outs: tuple,
                   exits: np.ndarray, aux: np.ndarray, rec: np.ndarray) -> None:
    """Exact-exit trades through the account engine's Bernoulli kernel (see
    :func:`_two_point_form`); exits and per-trade amounts from the win / trade counts."""
    from . import engine

    steps, rvals, thr32, aux_tp, aux_lo, lower = plan.two_point
    fp, ip = plan.fp, plan.ip
    fractional = bool(ip[I_FRACTIONAL] == 1)
    risk = float(fp[F_RISK])
    args = (key0, key1, np.int64(offset), np.int64(count), np.int64(ip[I_NTRADES]), steps,
            rvals, thr32, np.ones(2), np.zeros(2, np.int64), np.int64(1), risk,
            float(fp[F_XFLOOR]), float(fp[F_RUINX]), float(fp[F_GOALX]))
    if rec.shape[0]:
        engine.run_record(engine.MODEL_TWO_POINT, fractional, *args, *outs, rec)
    else:
        engine.KERNELS[(engine.MODEL_TWO_POINT, fractional)](*args, *outs)
    wins = outs[6].astype(np.int64)
    lows = outs[7].astype(np.int64) - wins
    exits[:] = 0
    exits[:, 0] = wins
    exits[:, lower] = lows
    # no costs under fractional sizing; fixed stakes: every R is ``risk`` of starting equity
    aux[:] = (wins[:, None] * aux_tp[None, :] + lows[:, None] * aux_lo[None, :]) * risk


# --------------------------------------------------------------------------- helpers
def describe_position(scenario: Any) -> dict[str, Any]:
    """Plain numbers about the position for the app and the CLI (no maths needed there).

    Returns
    -------
    dict
        ``notional_multiple`` (notional / equity = risk / stop, per position),
        ``margin_fraction`` (isolated margin / equity), ``liquidation_price`` (multiple of
        entry, at entry after entry costs), ``liquidation_distance`` (adverse move as a
        fraction of entry), ``stop_distance``, ``stop_beyond_liquidation`` (bool),
        ``daily_move_liquidation_leverage`` (leverage at which a one-standard-deviation daily
        move liquidates), ``daily_moves_to_liquidation`` (liquidation distance / daily
        volatility), ``drift_per_day``, ``win_rate_without_liquidation``, ``kelly_risk``.
    """
    mk: LeveragedTrade = scenario.market
    risk = scenario.sizing.risk
    backing = risk and (mk.stop / risk if mk.margin_mode == "cross" else 1.0 / mk.leverage)
    u = liquidation_ratio(mk.leverage, mk.mmr, side=mk.side, paid=mk.entry_cost,
                          maintenance=mk.maintenance_fraction(risk), backing=backing)
    dist = (1.0 - u) if mk.side == "long" else (u - 1.0)
    a, b = mk.barriers
    nu = mk.nu
    p = two_barrier_probability(nu, mk.volatility, a, b)
    lev_day = 1.0 / (mk.mmr + mk.volatility * (1.0 - mk.mmr))
    kelly = p - (1.0 - p) / mk.payoff
    return {
        "side": mk.side,
        "leverage": mk.leverage,
        "margin_mode": mk.margin_mode,
        "notional_multiple": risk / mk.stop,
        "margin_fraction": risk / (mk.stop * mk.leverage),
        "liquidation_price": u,
        "liquidation_distance": dist,
        "stop_distance": mk.stop,
        "take_profit_distance": mk.take_profit,
        "stop_beyond_liquidation": bool(dist <= mk.stop),
        "daily_move_liquidation_leverage": lev_day,
        "daily_moves_to_liquidation": dist / mk.volatility,
        "drift_per_day": nu,
        "win_rate_without_liquidation": p,
        "kelly_risk": kelly,
        "venue": mk.venue or None,
        "asset": mk.asset or None,
        "calibration": mk.calibration or None,
    }


def leverage_warnings(scenario: Any) -> list[str]:
    """Plain-words warnings about the leveraged setup (empty list when nothing stands out)."""
    mk: LeveragedTrade = scenario.market
    d = describe_position(scenario)
    out: list[str] = []
    if d["stop_beyond_liquidation"]:
        out.append(
            f"your stop is beyond your liquidation price: you will be liquidated first "
            f"(stop {mk.stop:.2%} away, liquidation {d['liquidation_distance']:.2%} away)")
    risk = scenario.sizing.risk
    if d["kelly_risk"] <= 0:
        out.append("the trade has no edge before costs: any risk per trade loses over time")
    elif risk > d["kelly_risk"]:
        out.append(f"risk per trade {risk:.2%} is above the Kelly fraction "
                   f"{d['kelly_risk']:.2%}: more risk lowers long-run growth")
    if mk.leverage >= d["daily_move_liquidation_leverage"]:
        out.append(
            f"at {mk.leverage:g}x one ordinary day's move ({mk.volatility:.2%}) liquidates "
            f"the position (that happens from {d['daily_move_liquidation_leverage']:.1f}x)")
    p = d["win_rate_without_liquidation"]
    gross = p * mk.payoff - (1.0 - p)
    cost = 2.0 * mk.entry_cost / mk.stop
    if mk.funding_rate != 0.0:
        hold = _expected_hold_days(mk)
        cost += mk.sign * mk.funding_rate * hold * 24.0 / mk.funding_interval_hours / mk.stop
    if cost > 0 and gross > 0 and cost >= 0.5 * gross:
        out.append(f"costs (about {cost:.2f} R per trade) eat "
                   f"{'all' if cost >= gross else 'most'} of the edge ({gross:.2f} R)")
    if mk.positions > 1 and mk.correlation >= 0.7:
        out.append(f"{mk.positions} positions with correlation {mk.correlation:g} act like one "
                   f"big position: they tend to be stopped or liquidated together")
    return out


def _expected_hold_days(mk: LeveragedTrade) -> float:
    """Mean exit time (days) of Brownian motion with drift between the stop and take-profit."""
    a, b = mk.barriers
    nu, s2 = mk.nu, mk.volatility**2
    if abs(nu) < 1e-12:
        t = a * b / s2
    else:
        p = two_barrier_probability(nu, mk.volatility, a, b)
        t = (p * b - (1.0 - p) * a) / nu
    if mk.max_hold_days is not None:
        t = min(t, mk.max_hold_days)
    return t


# --------------------------------------------------------------------------- simulation
def simulate_market(
    scenario: Any,
    *,
    drawdown_levels: tuple[float, ...],
    record: int = 200,
    threads: int | None = None,
    progress: Any = None,
    chunk: int = 1 << 16,
) -> Any:
    """Run the leveraged account Monte Carlo for ``scenario`` (``scenario.market`` set).

    Same arguments and result type as :func:`ruin.simulate.simulate`; the summary gains
    ``liquidation``, ``exit_mix``, ``costs``, ``bad_debt``, ``win_rate_input``,
    ``position`` and ``warnings`` (see :func:`market_summary`).
    """
    import time

    from .errors import check_number
    from .rng import resolve_seed, seed_keys
    from .simulate import SimulationResult, _memory_limit, memory_needed, numba_threads

    for lv in drawdown_levels:
        check_number("drawdown_levels", lv, 0.0, 1.0, lo_incl=False)
    mk: LeveragedTrade = scenario.market
    n, N = scenario.paths, scenario.account.trades
    n_rec = max(0, min(int(record), n))
    need = memory_needed(n, N, n_rec) + n * 64
    if need > _memory_limit():
        raise ParameterError(
            "paths x trades", "a run that fits in memory", f"{n:,} paths x {N:,} trades",
            "Use fewer paths or record fewer sample paths.")
    fractional = scenario.sizing.rule == "fractional"
    risk = scenario.sizing.risk
    x_floor, ruin_x, goal_x = _thresholds(fractional, risk, scenario.account)
    plan = plan_market(mk, risk=risk, fractional=fractional, ruin_x=ruin_x, goal_x=goal_x,
                       x_floor=x_floor, trades=N)
    seed = resolve_seed(scenario.seed)
    k0, k1 = seed_keys(seed, 1)
    outs = (np.empty(n, np.float64), np.empty(n, np.float64), np.empty(n, np.int32),
            np.empty(n, np.int32), np.empty(n, np.int32), np.empty(n, np.int32),
            np.empty(n, np.int32), np.empty(n, np.int32))
    exits = np.empty((n, 4), np.int64)
    aux = np.empty((n, 4), np.float64)
    rec = np.empty((n_rec, N + 1), np.float64)
    no_rec = np.empty((0, N + 1), np.float64)
    chunk = max(1, int(chunk))
    t0 = time.perf_counter()
    with numba_threads(threads):
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            sl = slice(start, stop)
            run_market(plan, k0, k1, start, stop - start, tuple(a[sl] for a in outs),
                       exits[sl], aux[sl], no_rec)
            if progress is not None:
                progress(stop, n)
        if n_rec:
            tmp = tuple(np.empty(n_rec, a.dtype) for a in outs)
            run_market(plan, k0, k1, 0, n_rec, tmp, np.empty((n_rec, 4), np.int64),
                       np.empty((n_rec, 4)), rec)
    elapsed = time.perf_counter() - t0
    res = SimulationResult(
        scenario=scenario, seed=seed, final_equity=outs[0], max_drawdown=outs[1],
        ruin_trade=outs[2], goal_trade=outs[3], longest_losing_streak=outs[4],
        longest_underwater=outs[5], wins=outs[6], trades_taken=outs[7], sample_paths=rec,
        elapsed_seconds=elapsed, drawdown_levels=tuple(float(x) for x in drawdown_levels),
    )
    res.extra.update(market_summary(scenario, plan, exits, aux, outs[6]))
    # per-path exit counts (paths x 4, EXIT_NAMES) and costs (paths x 4, AUX_NAMES, fractions
    # of starting equity) for charts and tests
    object.__setattr__(res, "exits", exits)
    object.__setattr__(res, "aux", aux)
    return res


def _thresholds(fractional: bool, risk: float, account: Any) -> tuple[float, float, float]:
    """State thresholds as in the account engine (log equity or net R)."""
    if fractional:
        x_floor = -np.inf
        ruin_x = math.log(account.ruin_level) if account.ruin_level > 0 else -np.inf
        goal_x = math.log(account.goal) if account.goal is not None else np.inf
    else:
        x_floor = -1.0 / risk
        ruin_x = (account.ruin_level - 1.0) / risk
        goal_x = (account.goal - 1.0) / risk if account.goal is not None else np.inf
    return float(x_floor), float(ruin_x), float(goal_x)


def market_summary(scenario: Any, plan: MarketPlan, exits: np.ndarray, aux: np.ndarray,
                   wins: np.ndarray) -> dict[str, Any]:
    """The leveraged additions to the JSON summary.

    * ``liquidation``: ``per_trade`` (liquidations / positions opened), ``count``,
      ``path_probability`` (Wilson interval of P(at least one liquidation on a path)).
    * ``exit_mix``: share of all positions closed at take-profit, stop, liquidation, time.
    * ``win_rate_realized``: positions with a positive net result / positions (pooled);
      ``win_rate_input``: the win rate given (or implied by the drift) without liquidation.
    * ``costs``: mean per path of fees, slippage and funding paid, as fractions of starting
      equity (funding received counts negative); ``bad_debt``: mean per path of losses beyond
      the bankruptcy price absorbed by the venue, as a fraction of starting equity.
    """
    from .metrics import wilson

    mk: LeveragedTrade = scenario.market
    n_pos = int(exits.sum())
    liq = exits[:, EXIT_LIQ]
    n = exits.shape[0]
    mix = {name: (float(exits[:, k].sum() / n_pos) if n_pos else float("nan"))
           for k, name in enumerate(EXIT_NAMES)}
    out: dict[str, Any] = {
        "leveraged": True,
        "liquidation": {
            "per_trade": float(liq.sum() / n_pos) if n_pos else float("nan"),
            "count": int(liq.sum()),
            "path_probability": wilson(int(np.count_nonzero(liq > 0)), n).as_dict(),
        },
        "exit_mix": mix,
        "win_rate_realized": float(wins.sum(dtype=np.int64) / n_pos) if n_pos else float("nan"),
        "win_rate_input": mk.win_rate if mk.win_rate is not None else plan.p_tp,
        "drift_per_day": plan.nu,
        "costs": {
            "fees": float(aux[:, AUX_FEES].mean()),
            "slippage": float(aux[:, AUX_SLIPPAGE].mean()),
            "funding": float(aux[:, AUX_FUNDING].mean()),
        },
        "bad_debt": float(aux[:, AUX_BAD_DEBT].mean()),
        "positions_opened": n_pos,
        "step_hours": plan.dt_days * 24.0 if not plan.exact else None,
        "monitoring": mk.monitoring,
        "position": describe_position(scenario),
        "warnings": leverage_warnings(scenario),
    }
    return out


# --------------------------------------------------------------------------- flat keys
#: Flat parameter names of the leveraged mode (CLI flags with underscores). Giving any of
#: them switches the leveraged mode on.
LEVERAGE_KEYS = frozenset({
    "leverage", "stop", "take_profit", "drift", "volatility", "side", "mmr", "margin_mode",
    "venue", "asset", "funding_rate", "funding_interval_hours", "funding_regime", "fee_bps",
    "slippage_bps", "liquidation_fee", "liquidation_rule", "tails", "garch", "jumps",
    "max_hold_days", "monitoring", "check_hours", "step_hours", "positions", "correlation",
    "equity_usd",
})

#: Defaults of the leveraged mode without presets: no costs, MMR 0.5%.
LEVERAGE_DEFAULTS: dict[str, Any] = {
    "leverage": 1.0,
    "stop": 0.01,
    "volatility": 0.03,
    "side": "long",
    "mmr": 0.005,
    "margin_mode": "isolated",
    "equity_usd": 10_000.0,
}


def _parse_tails(value: Any, preset_df: float | None) -> float | None:
    if value is None or value == "normal":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().lower()
    if text == "t":
        if preset_df is None:
            raise ParameterError("tails", "'normal' or 't:DF' (t needs DF without --asset)",
                                 value)
        return float(preset_df)
    if text.startswith("t:"):
        try:
            return float(text[2:])
        except ValueError:
            pass
    raise ParameterError("tails", "'normal' or 't:DF' with DF > 2, e.g. t:4", value)


def _parse_pair(name: str, value: Any) -> tuple[float, float]:
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return float(value[0]), float(value[1])
    try:
        a, b = (float(v) for v in str(value).split(","))
        return a, b
    except ValueError:
        raise ParameterError(name, "two numbers 'a,b'", value) from None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "off", "none")
    return bool(value)


def build_market(p: dict[str, Any]) -> dict[str, Any]:
    """``config`` extension: flat keys -> ``{"market": LeveragedTrade}`` (or ``{}``).

    Presets: ``venue`` (hyperliquid, dydx, gmx_v2, binance, bybit) sets the maintenance rate
    and maintenance amount of the tier holding the starting position, the maximum leverage,
    the taker fee per fill, the funding interval and the neutral funding rate (or
    ``funding_regime``), and the liquidation loss rule and fee. ``asset`` (btc, eth, altcoin,
    memecoin) sets the daily volatility, slippage, and the parameters used by ``tails="t"``,
    ``garch=True`` and ``jumps=True``. Explicit keys override presets. Without a venue no
    fees, slippage, funding or liquidation fee are charged unless given.
    """
    given = {k: v for k, v in p.items() if k in LEVERAGE_KEYS and v is not None}
    if not given:
        return {}
    from . import margin as mg
    from . import venues as vn
    from .config import DEFAULTS

    q = {**LEVERAGE_DEFAULTS, **given}
    risk = float(p["risk"])
    kw: dict[str, Any] = {}
    labels: list[str] = []
    asset = None
    asset_name = given.get("asset")
    if given.get("venue") is not None and asset_name is None:
        asset_name = "btc"
    if asset_name is not None:
        assets = vn.load_assets()
        asset = assets[check_choice("asset", str(asset_name).lower(), tuple(assets))]
        labels.append(f"{asset.label}: {asset.calibration}, as of {asset.as_of}")
        kw["asset"] = asset.name
        q.setdefault("volatility", asset.daily_vol)
        if "volatility" not in given:
            q["volatility"] = asset.daily_vol
        if "slippage_bps" not in given and "asset" in given:
            q["slippage_bps"] = asset.slippage_bp
    stop = check_number("stop", q["stop"], 0.0, 1.0, lo_incl=False, hi_incl=False)
    if given.get("venue") is not None:
        v = vn.venue(str(given["venue"]).lower())
        labels.insert(0, f"{v.label}: {v.calibration}, as of {v.as_of}")
        kw["venue"] = v.name
        tiers = v.tiers_for(asset.name if asset is not None else "btc")
        notional = risk * float(q["equity_usd"]) / stop
        mmr_t, cum_t = mg.maintenance(notional, tiers)
        tier = next(t for t in tiers if t.mmr == mmr_t and t.maintenance_amount == cum_t)
        kw["max_leverage"] = tier.max_leverage
        if "mmr" not in given:
            q["mmr"] = mmr_t
            kw["maintenance_amount"] = cum_t
        q.setdefault("fee_bps", v.taker_fee * 1e4)
        if "fee_bps" not in given:
            q["fee_bps"] = v.taker_fee * 1e4
        if "slippage_bps" not in given and asset is not None:
            q["slippage_bps"] = asset.slippage_bp
        kw["liquidation_rule"] = "margin" if v.liquidation_loss == "all_margin" else "fill"
        kw["liquidation_fee"] = v.liquidation_fee
        kw["backstop_fraction"] = v.backstop_fraction
        kw["funding_interval_hours"] = v.funding_interval_hours
        if "funding_rate" not in given:
            regime = vn.FUNDING_REGIMES[check_choice(
                "funding_regime", given.get("funding_regime", "neutral"),
                tuple(vn.FUNDING_REGIMES))]
            rate = regime.per_interval(v.funding_interval_hours)
            if v.funding_cap is not None:
                rate = max(-v.funding_cap, min(v.funding_cap, rate))
            q["funding_rate"] = rate
    elif "funding_regime" in given and "funding_rate" not in given:
        regime = vn.FUNDING_REGIMES[check_choice("funding_regime", given["funding_regime"],
                                                 tuple(vn.FUNDING_REGIMES))]
        q["funding_rate"] = regime.per_interval(float(q.get("funding_interval_hours", 8.0)))
    for key in ("liquidation_rule", "liquidation_fee", "funding_interval_hours"):
        if key in given:
            kw[key] = given[key]
    # edge: drift or win rate (exactly one)
    if "drift" in given:
        if p.get("win_rate") != DEFAULTS["win_rate"]:
            raise ParameterError("win_rate / drift", "only one of the two in the leveraged "
                                 "mode (drift 0 = no edge)",
                                 f"win_rate={p.get('win_rate')}, drift={given['drift']}")
        kw["drift"] = given["drift"]
    else:
        kw["win_rate"] = p["win_rate"]
    # take-profit: explicit, or payoff x stop; both must agree
    payoff = p.get("payoff", DEFAULTS["payoff"])
    if "take_profit" in given:
        tp = check_number("take_profit", given["take_profit"], 0.0, 1e3, lo_incl=False)
        if payoff != DEFAULTS["payoff"] and abs(tp - float(payoff) * stop) > 1e-9 * max(1, tp):
            raise ParameterError(
                "take_profit", f"payoff x stop = {float(payoff) * stop:g} when both are "
                f"given", tp, "Give --take-profit or --payoff, or make them agree.")
    else:
        tp = check_number("payoff", payoff, 0.0, 1e6, lo_incl=False) * stop
    kw["take_profit"] = tp
    # market realism
    tdf = _parse_tails(given.get("tails"), asset.t_df if asset is not None else None)
    if tdf is not None:
        kw["tails_df"] = tdf
    g = given.get("garch")
    if g is not None and not (isinstance(g, (bool, str)) and not _truthy(g)):
        if isinstance(g, bool) or (isinstance(g, str) and g.strip().lower() in ("1", "true",
                                                                                "yes", "on")):
            kw["garch"] = ((asset.garch_alpha, asset.garch_beta) if asset is not None
                           else (0.10, 0.85))
        else:
            kw["garch"] = _parse_pair("garch", g)
    j = given.get("jumps")
    if j is not None and _truthy(j):
        if isinstance(j, bool) or str(j).strip().lower() in ("1", "true", "yes", "on"):
            if asset is not None:
                kw.update(jump_rate=asset.crash_intensity_per_day, jump_mean=asset.crash_size,
                          jump_sd=asset.crash_sd)
            else:
                kw.update(jump_rate=1.0 / 365.0, jump_mean=-0.10, jump_sd=0.05)
        else:
            parts = str(j).split(",")
            if len(parts) != 3:
                raise ParameterError("jumps", "'on' or 'RATE_PER_DAY,MEAN,SD' (log sizes)", j)
            try:
                r_, m_, s_ = (float(x) for x in parts)
            except ValueError:
                raise ParameterError("jumps", "'on' or 'RATE_PER_DAY,MEAN,SD'", j) from None
            kw.update(jump_rate=r_, jump_mean=m_, jump_sd=s_)
    for key in ("leverage", "volatility", "side", "mmr", "margin_mode", "fee_bps",
                "slippage_bps", "funding_rate", "max_hold_days", "monitoring", "check_hours",
                "step_hours", "positions", "correlation", "equity_usd"):
        if key in q:
            kw[key] = q[key]
    kw["stop"] = stop
    if labels:
        kw["calibration"] = "; ".join(labels)
    return {"market": LeveragedTrade(**kw)}


def warm_up() -> None:
    """Compile (or load from the cache) the leveraged kernels with tiny runs (exact exits,
    the one-position kernel and its lanes); call once at app start so the first real run is
    fast."""
    from .params import Account, Bernoulli, Scenario, Sizing
    from .simulate import simulate

    for extra in ({}, {"max_hold_days": 5.0}, {"garch": (0.1, 0.85)}):
        sc = Scenario(model=Bernoulli(win_rate=0.5, payoff=1.5), sizing=Sizing(risk=0.01),
                      account=Account(trades=4), paths=4, seed=0,
                      market=LeveragedTrade(leverage=2.0, drift=0.0, **extra))
        simulate(sc, record=2)


def _register() -> None:
    from .config import register_extension

    register_extension(LEVERAGE_KEYS, build_market)


_register()
