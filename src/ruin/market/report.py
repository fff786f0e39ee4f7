"""Plain numbers and warnings about a leveraged setup, and the summary additions."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..brownian import two_barrier_probability
from ..margin import basis_terms
from .liquidation import liquidation_ratio
from .plan import MarketPlan, expected_hold_days
from .settle import AUX_BAD_DEBT, AUX_FEES, AUX_FUNDING, AUX_SLIPPAGE, EXIT_LIQ, EXIT_NAMES
from .trade import LeveragedTrade


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
        volatility), ``drift_per_day`` (the market's: positive = the price rises),
        ``drift_in_trade_favour_per_day``, ``jump_variance_per_day`` and
        ``jump_drift_per_day`` (what the jumps add on top of ``volatility``: not
        compensated), ``win_rate_without_liquidation``, ``kelly_risk``.
    """
    mk: LeveragedTrade = scenario.market
    risk = scenario.sizing.risk
    backing = risk and (mk.stop / risk if mk.margin_mode == "cross" else 1.0 / mk.leverage)
    mmr, maintenance = basis_terms(mk.mmr, mk.maintenance_fraction(risk), mk.maintenance_basis)
    u = liquidation_ratio(
        mk.leverage,
        mmr,
        side=mk.side,
        paid=mk.entry_cost,
        maintenance=maintenance,
        backing=backing,
    )
    dist = (1.0 - u) if mk.side == "long" else (u - 1.0)
    a, b = mk.barriers
    nu = mk.nu
    p = two_barrier_probability(nu, mk.volatility, a, b)
    # the liquidation formula solved for the leverage whose liquidation is one daily move
    # (volatility, as a fraction of price) away, before costs and tiers:
    # 1/L = mmr + vol (1 - side mmr) - maintenance (the short's 1 + mmr, not the long's)
    m0, c0 = basis_terms(mk.mmr, 0.0, mk.maintenance_basis)
    lev_day = 1.0 / (m0 + mk.volatility * (1.0 - mk.sign * m0) - c0)
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
        "drift_per_day": mk.sign * nu,
        "drift_in_trade_favour_per_day": nu,
        "jump_variance_per_day": mk.jump_variance_per_day,
        "jump_drift_per_day": mk.jump_drift_per_day,
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
            f"(stop {mk.stop:.2%} away, liquidation {d['liquidation_distance']:.2%} away)"
        )
    risk = scenario.sizing.risk
    if d["kelly_risk"] <= 0:
        out.append("the trade has no edge before costs: any risk per trade loses over time")
    elif risk > d["kelly_risk"]:
        out.append(
            f"risk per trade {risk:.2%} is above the Kelly fraction "
            f"{d['kelly_risk']:.2%}: more risk lowers long-run growth"
        )
    if mk.leverage >= d["daily_move_liquidation_leverage"]:
        out.append(
            f"at {mk.leverage:g}x one ordinary day's move ({mk.volatility:.2%}) liquidates "
            f"the position (that happens from {d['daily_move_liquidation_leverage']:.1f}x)"
        )
    p = d["win_rate_without_liquidation"]
    gross = p * mk.payoff - (1.0 - p)
    cost = 2.0 * mk.entry_cost / mk.stop
    if mk.funding_rate != 0.0:
        hold = expected_hold_days(mk)
        cost += mk.sign * mk.funding_rate * hold * 24.0 / mk.funding_interval_hours / mk.stop
    if cost > 0 and gross > 0 and cost >= 0.5 * gross:
        out.append(
            f"costs (about {cost:.2f} R per trade) eat "
            f"{'all' if cost >= gross else 'most'} of the edge ({gross:.2f} R)"
        )
    if mk.jump_rate > 0.0 or mk.pump_rate > 0.0:
        out.append(
            f"jumps come on top of the volatility ({mk.volatility:.2%} a day is the diffusion "
            f"only; not compensated): they add {d['jump_variance_per_day'] / mk.volatility**2:.0%}"
            f" to the daily variance and {d['jump_drift_per_day']:+.4%} a day to the price's "
            f"drift"
        )
    if mk.positions > 1 and mk.correlation >= 0.7:
        out.append(
            f"{mk.positions} positions with correlation {mk.correlation:g} act like one "
            f"big position: they tend to be stopped or liquidated together"
        )
    return out


def market_summary(
    scenario: Any, plan: MarketPlan, exits: np.ndarray, aux: np.ndarray, wins: np.ndarray
) -> dict[str, Any]:
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
    from ..metrics import wilson

    mk: LeveragedTrade = scenario.market
    n_pos = int(exits.sum())
    liq = exits[:, EXIT_LIQ]
    n = exits.shape[0]
    mix = {
        name: (float(exits[:, k].sum() / n_pos) if n_pos else float("nan"))
        for k, name in enumerate(EXIT_NAMES)
    }
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
        "drift_per_day": mk.sign * plan.nu,
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
