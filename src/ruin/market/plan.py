"""The leveraged trade's numbers for the kernels, precomputed under the account's sizing.

:func:`plan_market` turns a :class:`~ruin.market.trade.LeveragedTrade`, the sizing rule and
the account's barriers into a :class:`MarketPlan`: the step length, the solved drift, and
:class:`KernelPlan`, the named numbers every kernel reads (per unit of entry notional unless
stated; log prices ``y = side log(P / entry)``, in the trade's favour).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..brownian import p_up_first, two_barrier_probability
from ..engine.accounting import r_to_step, thresholds
from ..engine.kernels import MODEL_TWO_POINT, IidPlan
from ..errors import ParameterError
from ..margin import basis_terms
from .liquidation import liquidation_level, liquidation_ratio
from .settle import CloseTerms, close_position
from .step import STEP_WIDTHS
from .trade import LeveragedTrade

__all__ = [
    "KernelPlan",
    "MarketPlan",
    "TwoPoint",
    "plan_market",
    "close_terms",
    "MAX_STEPS_PER_TRADE",
    "expected_hold_days",
]

_TWO32 = 4294967296.0
_MAX_STEPS_PER_TRADE = 2_000_000  # hard cap (closed at market as a time exit)
MAX_STEPS_PER_TRADE = 100_000  # expected steps per trade allowed by plan_market


class KernelPlan(NamedTuple):
    """The numbers the leveraged kernels read (one compiled type for every plan)."""

    # the position
    side: float  # +1.0 long, -1.0 short
    stop: float  # stop distance, fraction of entry (one R per unit notional)
    y_take_profit: float
    y_stop: float  # < 0
    margin: float  # isolated margin, 1 / leverage
    mmr: float  # 0 on the entry basis (see ruin.margin.basis_terms)
    maintenance: float  # tier's maintenance amount / starting notional (basis_terms)
    fee: float  # per fill
    slippage: float  # per fill
    fill_rule: bool  # liquidation fills at the price (the venue keeps a fee); else margin lost
    liquidation_fee: float
    backstop_fraction: float  # of maintenance margin (0: no backstop)
    cross: bool  # the account equity backs the position
    positions: int  # concurrent positions per trade
    correlation: float  # of their shocks
    # the price path
    drift: float  # per day, in the trade's favour
    scale_exponent: float  # 2 drift / volatility^2 (the two-barrier formula's k)
    p_take_profit: float  # P(take-profit first) without liquidation
    step_variance: float  # volatility^2 x dt
    dt: float  # step, days
    adaptive: bool  # the step follows each day's volatility
    exit_width: float  # log distance between the lower exit and the take-profit
    discrete: bool  # stop and take-profit checked every dt only
    funding_rate: float  # per interval, on the notional; > 0: longs pay
    funding_interval: float  # days
    funding_per_day: int  # whole funding intervals per day, else 0
    max_hold: float  # time stop, days (0: none)
    max_steps: int  # steps after which a trade closes at market
    tails: bool
    tails_df: float
    tails_int_df: int  # integer degrees of freedom up to 30, else 0 (sampler choice)
    garch: bool
    garch_alpha: float
    garch_beta: float
    garch_omega: float  # volatility^2 (1 - alpha - beta)
    jumps: bool
    jumps_per_step: float  # (crash + pump) jump rate x dt
    jump_mean: float  # crash: log size
    jump_sd: float
    jump_floor: float  # the largest crash, log(1 + crash_cap)
    pump_share: float  # share of the jumps that are pumps (up), 0: crashes only
    pump_mean: float  # pump: log size
    pump_sd: float
    # the account
    fractional: bool
    risk: float
    x_floor: float
    ruin_x: float
    goal_x: float
    n_trades: int


class TwoPoint(NamedTuple):
    """Exact-exit trades as the account engine's two-point model (see :func:`_two_point`):
    the engine's plan, and the costs in R of a take-profit and of the lower exit."""

    iid: IidPlan
    aux_take_profit: np.ndarray
    aux_lower: np.ndarray
    lower_exit: int  # 1 stop, 2 liquidation


@dataclass(frozen=True, slots=True)
class MarketPlan:
    """A leveraged run's plan: exact exits or stepped paths, and the kernels' numbers."""

    exact: bool  # no time dimension: one draw per trade decides the exit
    kernel: KernelPlan
    dt_days: float
    nu: float
    p_tp: float
    #: When exact trades are a two-point model the account engine runs them.
    two_point: TwoPoint | None = None


def close_terms(plan: KernelPlan) -> CloseTerms:
    """What closing one of ``plan``'s positions costs (see :func:`~.settle.close_position`)."""
    return CloseTerms(
        plan.side,
        plan.stop,
        plan.fee,
        plan.slippage,
        plan.fill_rule,
        plan.liquidation_fee,
        plan.backstop_fraction * plan.mmr,
        plan.backstop_fraction * plan.maintenance,
    )


def _barrier_width(mk: LeveragedTrade) -> float:
    """Log distance between the lower exit (stop or liquidation, the nearer) and the
    take-profit: the scale that sets the simulation step."""
    a, b = mk.barriers
    mmr, maintenance = basis_terms(mk.mmr, 0.0, mk.maintenance_basis)
    u_liq = liquidation_ratio(mk.leverage, mmr, side=mk.side, maintenance=maintenance)
    d_liq = (-math.log(u_liq) if u_liq > 0 else math.inf) if mk.side == "long" else math.log(u_liq)
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
        per_width = STEP_WIDTHS if _adaptive(mk) else 4.0
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


def plan_market(
    mk: LeveragedTrade,
    *,
    rule: str,
    risk: float,
    ruin_level: float,
    goal: float | None,
    trades: int,
) -> MarketPlan:
    """Precompute the kernels' numbers for ``mk`` under the account's sizing rule, risk and
    barriers (``trades`` per path)."""
    a, b = mk.barriers
    nu = mk.nu
    dt = _choose_dt(mk) if mk.has_time else 1.0
    if mk.has_time:
        steps = expected_hold_days(mk) / dt
        if steps > MAX_STEPS_PER_TRADE:
            raise ParameterError(
                "volatility",
                "large enough for trades to end in a reasonable number of steps",
                mk.volatility,
                f"A trade would last about {steps:,.0f} simulation steps; give --max-hold-days "
                f"or a shorter stop / take-profit.",
            )
    x_floor, ruin_x, goal_x = thresholds(rule, risk, ruin_level, goal)
    garch = mk.garch if mk.garch is not None else (0.0, 0.0)
    mmr, maintenance = basis_terms(mk.mmr, mk.maintenance_fraction(risk), mk.maintenance_basis)
    jump_rate = mk.jump_rate + mk.pump_rate
    tails_df = mk.tails_df if mk.tails_df is not None else 0.0
    tails = mk.tails_df is not None
    scale_exponent = 2.0 * nu / mk.volatility**2
    p_tp = float(p_up_first(scale_exponent, a, b))
    kernel = KernelPlan(
        side=float(mk.sign),
        stop=float(mk.stop),
        y_take_profit=float(b),
        y_stop=float(-a),
        margin=1.0 / mk.leverage,
        mmr=float(mmr),
        maintenance=float(maintenance),
        fee=mk.fee_bps * 1e-4,
        slippage=mk.slippage_bps * 1e-4,
        fill_rule=mk.liquidation_rule == "fill",
        liquidation_fee=float(mk.liquidation_fee),
        backstop_fraction=float(mk.backstop_fraction or 0.0),
        cross=mk.margin_mode == "cross",
        positions=int(mk.positions),
        correlation=float(mk.correlation),
        drift=float(nu),
        scale_exponent=float(scale_exponent),
        p_take_profit=p_tp,
        step_variance=float(mk.volatility**2 * dt),
        dt=float(dt),
        adaptive=bool(mk.has_time and _adaptive(mk)),
        exit_width=float(_barrier_width(mk)) if mk.has_time else 0.0,
        discrete=mk.monitoring == "discrete",
        funding_rate=float(mk.funding_rate),
        funding_interval=mk.funding_interval_hours / 24.0,
        funding_per_day=int(_funding_per_day(mk)) if mk.has_time else 0,
        max_hold=float(mk.max_hold_days or 0.0),
        max_steps=_MAX_STEPS_PER_TRADE,
        tails=tails,
        tails_df=float(tails_df),
        tails_int_df=int(tails_df)
        if (tails and tails_df == math.floor(tails_df) and tails_df <= 30.0)
        else 0,
        garch=mk.garch is not None,
        garch_alpha=float(garch[0]),
        garch_beta=float(garch[1]),
        # daily GARCH(1,1), updated once per day of the path clock
        garch_omega=float(mk.volatility**2 * (1.0 - garch[0] - garch[1]))
        if mk.garch is not None
        else 0.0,
        jumps=jump_rate > 0.0,
        jumps_per_step=float(jump_rate * dt),
        jump_mean=float(mk.jump_mean),
        jump_sd=float(mk.jump_sd),
        jump_floor=math.log1p(mk.crash_cap),
        pump_share=float(mk.pump_rate / jump_rate) if jump_rate > 0.0 else 0.0,
        pump_mean=float(mk.pump_mean),
        pump_sd=float(mk.pump_sd),
        fractional=rule == "fractional",
        risk=float(risk),
        x_floor=float(x_floor),
        ruin_x=float(ruin_x),
        goal_x=float(goal_x),
        n_trades=int(trades),
    )
    exact = not mk.has_time
    two_point = _two_point(kernel) if exact else None
    return MarketPlan(exact, kernel, dt, nu, p_tp, two_point)


def _two_point(plan: KernelPlan) -> TwoPoint | None:
    """The exact-exit trade as the account engine's two-point model, or None.

    Without a time dimension, with isolated margin (or cross margin under fractional sizing,
    where the margin is the equity, a constant number of R), every trade ends at the
    take-profit with probability ``p`` and at the lower exit (stop or liquidation) otherwise,
    with the same result in R each time: a Bernoulli trade. The engine's Bernoulli kernel
    walks it with the same random stream and threshold as the exact kernel
    (:mod:`ruin.market.kernels.exact`: the low or high 32 bits of one draw per two trades,
    ``u < thr32``), so the results are the same; it is used when the per-trade amounts are
    recoverable from the counts alone (no costs, or fixed stakes, where every R is the same
    fraction of starting equity) and the take-profit is a gain and the lower exit a loss (so
    a win is a take-profit).
    """
    if plan.cross and not plan.fractional:
        return None
    paid = plan.fee + plan.slippage
    margin = plan.stop / plan.risk if plan.cross else plan.margin
    y_liq = float(liquidation_level(plan.side, margin, paid, plan.maintenance, plan.mmr))
    liquidated = y_liq >= plan.y_stop
    lower = y_liq if liquidated else plan.y_stop
    p0 = float(p_up_first(plan.scale_exponent, -lower, plan.y_take_profit))
    thr32 = np.uint64(min(p0 * _TWO32, _TWO32))
    terms = close_terms(plan)
    tp = close_position(0, plan.y_take_profit, margin, paid, 0.0, terms)
    lo = close_position(2 if liquidated else 1, lower, margin, paid, 0.0, terms)
    if not (tp[0] > 0.0 > lo[0]):
        return None
    aux_tp = np.array(tp[1:], np.float64)
    aux_lo = np.array(lo[1:], np.float64)
    if plan.fractional and (np.any(aux_tp != 0.0) or np.any(aux_lo != 0.0)):
        return None
    rvals = np.array([lo[0], tp[0]], np.float64)
    steps = np.array(
        [r_to_step(lo[0], plan.fractional, plan.risk), r_to_step(tp[0], plan.fractional, plan.risk)]
    )
    iid = IidPlan(
        MODEL_TWO_POINT,
        plan.n_trades,
        steps,
        rvals,
        thr32,
        np.ones(2),
        np.zeros(2, np.int64),
        1,
        plan.fractional,
        plan.risk,
        plan.x_floor,
        plan.ruin_x,
        plan.goal_x,
    )
    return TwoPoint(iid, aux_tp, aux_lo, 2 if liquidated else 1)


def expected_hold_days(mk: LeveragedTrade) -> float:
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
