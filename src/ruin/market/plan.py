"""Precomputed kernel parameters of a leveraged trade under the account's sizing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..brownian import _p_up_first, two_barrier_probability
from ..errors import ParameterError
from .liquidation import _liq_y, liquidation_ratio
from .settle import _close, _dx
from .trade import LeveragedTrade

_TWO32 = 4294967296.0
_MAX_STEPS_PER_TRADE = 2_000_000  # hard cap (closed at market as a time exit)
MAX_STEPS_PER_TRADE = 100_000  # expected steps per trade allowed by plan_market
_BGK = 0.5826  # -zeta(1/2) / sqrt(2 pi), Broadie, Glasserman & Kou (1997)
_STEP_WIDTHS = 2.0  # one-position adaptive steps: step sd = exit width / _STEP_WIDTHS


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
