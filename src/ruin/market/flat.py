"""Flat keys of the leveraged mode -> :class:`~ruin.market.trade.LeveragedTrade`.

The keys, their defaults and checks are the ``leverage`` group of :data:`ruin.keys.KEYS`; the
values arrive resolved and checked (a :class:`ruin.keys.Flat`). What this module adds is the
``preset`` layer of :data:`ruin.keys.PRECEDENCE`: the values a venue or asset preset fills in
where no face gave the key.
"""

from __future__ import annotations

from typing import Any

from .. import margin as mg
from .. import venues as vn
from ..keys import KEYS, Flat, defaults, group
from .trade import LeveragedTrade

__all__ = ["LEVERAGE_KEYS", "LEVERAGE_DEFAULTS", "build_market"]

#: Flat parameter names of the leveraged mode (CLI flags with underscores). Giving any of
#: them switches the leveraged mode on.
LEVERAGE_KEYS = group("leverage")

#: Defaults of the leveraged mode without presets (the table's): no costs, MMR 0.5%.
LEVERAGE_DEFAULTS: dict[str, Any] = {
    k: v for k, v in defaults("leverage").items() if v is not None and k != "tails"
}

#: Keys passed to :class:`LeveragedTrade` as resolved (given, a preset's, or the default).
_COPIED = (
    "leverage",
    "volatility",
    "side",
    "mmr",
    "margin_mode",
    "fee_bps",
    "slippage_bps",
    "funding_rate",
    "funding_interval_hours",
    "liquidation_rule",
    "liquidation_fee",
    "max_hold_days",
    "monitoring",
    "check_hours",
    "step_hours",
    "positions",
    "correlation",
    "equity_usd",
)


def build_market(flat: Flat) -> LeveragedTrade | None:
    """The :class:`LeveragedTrade` of the leveraged keys given in ``flat`` (None: none given).

    ``flat`` holds every key (see :func:`ruin.config.build_scenario`): ``win_rate`` and
    ``payoff`` set the edge and the take-profit unless ``drift`` or ``take_profit`` are given
    (:data:`ruin.keys.CONFLICTS` has already refused both at once).

    Presets: ``venue`` (hyperliquid, dydx, gmx_v2, binance, bybit) sets the maintenance rate
    and maintenance amount of the tier holding the starting position, the maximum leverage,
    the taker fee per fill, the funding interval and the neutral funding rate (or
    ``funding_regime``), and the liquidation loss rule and fee. ``asset`` (btc, eth, altcoin,
    memecoin; btc with a venue) sets the daily volatility, slippage, and the parameters used
    by ``tails="t"``, ``garch=True`` and ``jumps=True``. Keys a face gives override presets.
    Without a venue no fees, slippage, funding or liquidation fee are charged unless given.
    """
    if not flat.any_given(LEVERAGE_KEYS):
        return None
    kw: dict[str, Any] = {}
    labels: list[str] = []
    asset = _asset(flat)
    preset: dict[str, Any] = {}
    if asset is not None:
        labels.append(f"{asset.label}: {asset.calibration}, as of {asset.as_of}")
        kw["asset"] = asset.name
        preset.update(volatility=asset.daily_vol, slippage_bps=asset.slippage_bp)
    if flat.given("venue"):
        labels.insert(0, _venue_preset(flat, asset, preset, kw))
    elif flat.given("funding_regime"):
        regime = vn.FUNDING_REGIMES[flat["funding_regime"]]
        preset["funding_rate"] = regime.per_interval(float(flat["funding_interval_hours"]))
    flat = flat.with_layer("preset", preset)
    for key in _COPIED:
        if flat[key] is not None:
            kw[key] = flat[key]
    _edge_and_take_profit(flat, kw)
    _realism(flat, asset, kw)
    if labels:
        kw["calibration"] = "; ".join(labels)
    return LeveragedTrade(**kw)


def _asset(flat: Flat) -> vn.AssetPreset | None:
    """The asset preset: the given one, or btc when a venue is given without one."""
    name = flat["asset"] if flat.given("asset") else ("btc" if flat.given("venue") else None)
    return None if name is None else vn.load_assets()[name]


def _venue_preset(
    flat: Flat, asset: vn.AssetPreset | None, preset: dict[str, Any], kw: dict[str, Any]
) -> str:
    """Fill ``preset`` (flat keys) and ``kw`` (fields without a flat key) from the venue;
    returns the venue's calibration label."""
    v = vn.venue(flat["venue"])
    kw["venue"] = v.name
    tiers = v.tiers_for(asset.name if asset is not None else "btc")
    notional = float(flat["risk"]) * float(flat["equity_usd"]) / float(flat["stop"])
    mmr_t, cum_t = mg.maintenance(notional, tiers)
    tier = next(t for t in tiers if t.mmr == mmr_t and t.maintenance_amount == cum_t)
    kw["max_leverage"] = tier.max_leverage
    if not flat.given("mmr"):
        kw["maintenance_amount"] = cum_t
    kw["backstop_fraction"] = v.backstop_fraction
    kw["maintenance_basis"] = v.maintenance_basis
    regime = vn.FUNDING_REGIMES[flat["funding_regime"] or "neutral"]
    rate = regime.per_interval(v.funding_interval_hours)
    if regime.name == "neutral":  # the venue's own anchor (dYdX, GMX: 0, premium only)
        rate = v.funding_anchor
    if v.funding_cap is not None:
        rate = max(-v.funding_cap, min(v.funding_cap, rate))
    preset.update(
        mmr=mmr_t,
        fee_bps=v.taker_fee * 1e4,
        liquidation_rule="margin" if v.liquidation_loss == "all_margin" else "fill",
        liquidation_fee=v.liquidation_fee,
        funding_interval_hours=v.funding_interval_hours,
        funding_rate=rate,
    )
    return f"{v.label}: {v.calibration}, as of {v.as_of}"


def _edge_and_take_profit(flat: Flat, kw: dict[str, Any]) -> None:
    """Edge: the drift if given, else the win rate. Take-profit: given, else payoff x stop."""
    stop = flat["stop"]
    if flat.given("drift"):
        kw["drift"] = flat["drift"]
    else:
        kw["win_rate"] = flat["win_rate"]
    if flat.given("take_profit"):
        kw["take_profit"] = flat["take_profit"]
    else:
        kw["take_profit"] = flat["payoff"] * stop
    kw["stop"] = stop


def _realism(flat: Flat, asset: vn.AssetPreset | None, kw: dict[str, Any]) -> None:
    """Fat tails, GARCH and crash jumps: on (the asset's numbers, or generic ones) or given."""
    tails = flat["tails"]
    if tails == "t":
        if asset is None:
            raise KEYS["tails"].error(
                tails, "'normal' or 't:DF' ('t' takes the degrees of freedom of an asset preset)"
            )
        kw["tails_df"] = float(asset.t_df)
    elif tails != "normal":
        kw["tails_df"] = tails
    garch = flat["garch"]
    if garch is True:
        kw["garch"] = (asset.garch_alpha, asset.garch_beta) if asset is not None else (0.10, 0.85)
    elif garch:
        kw["garch"] = garch
    jumps = flat["jumps"]
    if jumps is True:
        if asset is not None:
            kw.update(
                jump_rate=asset.crash_intensity_per_day,
                jump_mean=asset.crash_size,
                jump_sd=asset.crash_sd,
                crash_cap=asset.crash_cap,
                pump_rate=asset.pump_intensity_per_day,
                pump_mean=asset.pump_size,
                pump_sd=asset.pump_sd,
            )
        else:  # one crash of -10% and one pump of +8% a year
            kw.update(jump_rate=1.0 / 365.0, jump_mean=-0.10, jump_sd=0.05)
            kw.update(pump_rate=1.0 / 365.0, pump_mean=0.08, pump_sd=0.04)
    elif jumps:
        kw.update(jump_rate=jumps[0], jump_mean=jumps[1], jump_sd=jumps[2])
        if len(jumps) == 6:
            kw.update(pump_rate=jumps[3], pump_mean=jumps[4], pump_sd=jumps[5])
