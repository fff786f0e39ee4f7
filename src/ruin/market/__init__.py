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
(:mod:`ruin.brownian`); where every trade then has the same result in R and the costs
follow from the counts (no costs, or fixed stakes), the account engine's Bernoulli kernel
runs it (same stream, same results as the exact kernel). Otherwise the path is stepped on
the path's clock (trades follow each other). Which kernel runs what:
:mod:`ruin.market.run`.

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
  two-barrier image series (:mod:`ruin.market.bridge`; not one barrier at a time, so no
  tie rule), decided by one uniform per step and position (``u < P(lower first)``: lower;
  ``1 - u < P(upper first)``: upper; always drawn, so runs that differ only in a barrier
  keep common random numbers, and a nearer barrier can only turn "neither" into itself,
  path by path). Cheap bounds settle almost every step without the series
  A position then closes at the bridge's **first-passage time**
  inside the step (inverse Gaussian for one barrier, the other
  honoured by rejection); a trade ends when its last position closes, and the next trade
  starts there, so time in a trade (funding, jumps, the day's volatility) is not
  overstated. With discrete monitoring only liquidation is continuous (the one-barrier
  bridge), and stops and take-profits are checked at grid points.
* **Crash jumps** arrive as a Poisson process on the clock (rate per day; a step ends at
  each) and fill at the post-jump price (gaps through the stop; the venue's liquidation is
  checked before the trader's stop; a jump hits every open position at once).
* **Several positions** (:mod:`ruin.market.kernels.portfolio`): correlated normal shocks per step;
  perfectly correlated positions share one path (one uniform, one exit time). Cross margin
  with several positions is checked at step ends (and right after a jump) with the
  Broadie-Glasserman-Kou shift of 0.5826 step standard deviations. The day's return that
  drives GARCH is the first open position's.
* Normals and exponentials come from 256-layer ziggurats on the path's stream
  (:func:`ruin.engine.rng.zig_normal`); one position runs in a kernel with its whole state
  in registers (:mod:`ruin.market.kernels.single`), several in
  :mod:`ruin.market.kernels.portfolio`.
* **Lanes.** With one position, continuous monitoring, no funding and no time stop (exits
  whose results are fixed for the run), :mod:`ruin.market.kernels.lanes` walks sixteen
  paths side by side and gives the same numbers bit for bit: each round, a vectorised loop
  takes every lane's step where it is plain (fast-path normals, the exit settled by the
  cheap bounds, the first-passage time kept on its first try) and books the trades that
  ended at a barrier; the scalar step takes the rest (jumps, the series, rejections), and
  days start lane by lane. The bridge tests' ``exp(-m)`` is a polynomial
  (:func:`ruin.market.bridge.exp_neg`, within one ulp of the C library's, with no table
  lookups: on AVX2 they were gathers that left the loop scalar) so that the loop
  vectorises; both kernels use it.

Hyperliquid's backstop is modelled (``backstop_fraction``: a fill with equity below 2/3 of
maintenance margin, which only a gap can cause, loses the whole margin). Not modelled: GMX's
maintenance on entry notional and minimum collateral,
tier changes as the position grows (the tier is the one holding the starting position), and
random funding rates (the regime's mean rate is charged).

Random streams are keyed by ``(seed, path index)`` (stream
:data:`ruin.engine.streams.MARKET`), so results do not depend on thread count or chunking.

Modules: :mod:`~ruin.market.trade` (the parameter object), :mod:`~ruin.market.flat` (flat
keys and presets), :mod:`~ruin.market.liquidation`, :mod:`~ruin.market.plan` (the kernels'
numbers), :mod:`~ruin.market.bridge` and :mod:`~ruin.market.step` (the price path),
:mod:`~ruin.market.settle` (close and book), :mod:`ruin.market.kernels`,
:mod:`~ruin.market.run` (kernel choice, the driver's run), :mod:`~ruin.market.report`.
"""

from typing import TYPE_CHECKING

from .._lazy import exports

# Public names load on first use (see ruin._lazy): importing a light submodule of this
# package does not import its kernels.
_WHERE = {
    "solve_drift": "ruin.brownian",
    "two_barrier_probability": "ruin.brownian",
    "adverse_move_to_liquidation": "ruin.margin",
    "LEVERAGE_DEFAULTS": "ruin.market.flat",
    "LEVERAGE_KEYS": "ruin.market.flat",
    "build_market": "ruin.market.flat",
    "liquidation_ratio": "ruin.market.liquidation",
    "MAX_STEPS_PER_TRADE": "ruin.market.plan",
    "KernelPlan": "ruin.market.plan",
    "MarketPlan": "ruin.market.plan",
    "plan_market": "ruin.market.plan",
    "describe_position": "ruin.market.report",
    "leverage_warnings": "ruin.market.report",
    "market_summary": "ruin.market.report",
    "market_path_run": "ruin.market.run",
    "run_market": "ruin.market.run",
    "warm_up": "ruin.market.run",
    "AUX_NAMES": "ruin.market.settle",
    "EXIT_NAMES": "ruin.market.settle",
    "MAX_POSITIONS": "ruin.market.trade",
    "LeveragedTrade": "ruin.market.trade",
    "check_scenario": "ruin.market.trade",
}

if TYPE_CHECKING:
    from ..brownian import solve_drift, two_barrier_probability
    from ..margin import adverse_move_to_liquidation
    from .flat import LEVERAGE_DEFAULTS, LEVERAGE_KEYS, build_market
    from .liquidation import liquidation_ratio
    from .plan import MAX_STEPS_PER_TRADE, KernelPlan, MarketPlan, plan_market
    from .report import describe_position, leverage_warnings, market_summary
    from .run import market_path_run, run_market, warm_up
    from .settle import AUX_NAMES, EXIT_NAMES
    from .trade import MAX_POSITIONS, LeveragedTrade, check_scenario

__getattr__, __dir__ = exports(__name__, _WHERE, globals())

__all__ = [
    "LeveragedTrade",
    "MarketPlan",
    "KernelPlan",
    "EXIT_NAMES",
    "AUX_NAMES",
    "MAX_POSITIONS",
    "MAX_STEPS_PER_TRADE",
    "two_barrier_probability",
    "solve_drift",
    "liquidation_ratio",
    "adverse_move_to_liquidation",
    "describe_position",
    "leverage_warnings",
    "plan_market",
    "run_market",
    "market_path_run",
    "check_scenario",
    "market_summary",
    "build_market",
    "LEVERAGE_KEYS",
    "LEVERAGE_DEFAULTS",
    "warm_up",
]
