"""Flat keys of the leveraged mode -> :class:`~ruin.market.trade.LeveragedTrade`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import margin as mg
from .. import venues as vn
from ..errors import ParameterError, check_choice, check_number
from .trade import LeveragedTrade

# --------------------------------------------------------------------------- flat keys
#: Flat parameter names of the leveraged mode (CLI flags with underscores). Giving any of
#: them switches the leveraged mode on.
LEVERAGE_KEYS = frozenset(
    {
        "leverage",
        "stop",
        "take_profit",
        "drift",
        "volatility",
        "side",
        "mmr",
        "margin_mode",
        "venue",
        "asset",
        "funding_rate",
        "funding_interval_hours",
        "funding_regime",
        "fee_bps",
        "slippage_bps",
        "liquidation_fee",
        "liquidation_rule",
        "tails",
        "garch",
        "jumps",
        "max_hold_days",
        "monitoring",
        "check_hours",
        "step_hours",
        "positions",
        "correlation",
        "equity_usd",
    }
)

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
            raise ParameterError("tails", "'normal' or 't:DF' (t needs DF without --asset)", value)
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


def build_market(p: Mapping[str, Any], defaults: Mapping[str, Any]) -> LeveragedTrade | None:
    """The :class:`LeveragedTrade` of the leveraged keys in ``p`` (None when none is given).

    ``p`` is the whole flat mapping with the account keys' ``defaults`` filled in (see
    :func:`ruin.config.build_scenario`): ``win_rate`` and ``payoff`` set the edge and the
    take-profit unless ``drift`` or ``take_profit`` are given.

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
        return None

    q = {**LEVERAGE_DEFAULTS, **given}
    kw: dict[str, Any] = {}
    labels: list[str] = []
    asset = _apply_asset(given, q, kw, labels, mg)
    stop = check_number("stop", q["stop"], 0.0, 1.0, lo_incl=False, hi_incl=False)
    if given.get("venue") is not None:
        _apply_venue(given, q, kw, labels, asset, float(p["risk"]), stop, mg)
    elif "funding_regime" in given and "funding_rate" not in given:
        regime = vn.FUNDING_REGIMES[
            check_choice("funding_regime", given["funding_regime"], tuple(vn.FUNDING_REGIMES))
        ]
        q["funding_rate"] = regime.per_interval(float(q.get("funding_interval_hours", 8.0)))
    for key in ("liquidation_rule", "liquidation_fee", "funding_interval_hours"):
        if key in given:
            kw[key] = given[key]
    _edge_and_take_profit(p, given, defaults, stop, kw)
    _realism(given, asset, kw)
    for key in _COPIED:
        if key in q:
            kw[key] = q[key]
    kw["stop"] = stop
    if labels:
        kw["calibration"] = "; ".join(labels)
    return LeveragedTrade(**kw)


#: Keys passed to :class:`LeveragedTrade` as given (or as a preset set them).
_COPIED = ("leverage", "volatility", "side", "mmr", "margin_mode", "fee_bps", "slippage_bps",
           "funding_rate", "max_hold_days", "monitoring", "check_hours", "step_hours",
           "positions", "correlation", "equity_usd")  # fmt: skip


def _apply_asset(
    given: Mapping[str, Any], q: dict[str, Any], kw: dict[str, Any], labels: list[str], mg: Any
) -> Any:
    """The asset preset (btc when a venue is given without one): volatility, slippage."""
    asset_name = given.get("asset")
    if given.get("venue") is not None and asset_name is None:
        asset_name = "btc"
    if asset_name is None:
        return None
    assets = vn.load_assets()
    asset = assets[check_choice("asset", str(asset_name).lower(), tuple(assets))]
    labels.append(f"{asset.label}: {asset.calibration}, as of {asset.as_of}")
    kw["asset"] = asset.name
    q.setdefault("volatility", asset.daily_vol)
    if "volatility" not in given:
        q["volatility"] = asset.daily_vol
    if "slippage_bps" not in given and "asset" in given:
        q["slippage_bps"] = asset.slippage_bp
    return asset


def _apply_venue(
    given: Mapping[str, Any],
    q: dict[str, Any],
    kw: dict[str, Any],
    labels: list[str],
    asset: Any,
    risk: float,
    stop: float,
    mg: Any,
) -> None:
    """The venue preset: the tier of the starting position (maintenance, maximum leverage),
    the taker fee, the liquidation rule and fee, the funding interval and rate."""
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
    kw["maintenance_basis"] = v.maintenance_basis
    kw["liquidation_rule"] = "margin" if v.liquidation_loss == "all_margin" else "fill"
    kw["liquidation_fee"] = v.liquidation_fee
    kw["backstop_fraction"] = v.backstop_fraction
    kw["funding_interval_hours"] = v.funding_interval_hours
    if "funding_rate" not in given:
        regime = vn.FUNDING_REGIMES[
            check_choice(
                "funding_regime", given.get("funding_regime", "neutral"), tuple(vn.FUNDING_REGIMES)
            )
        ]
        rate = regime.per_interval(v.funding_interval_hours)
        if regime.name == "neutral":  # the venue's own anchor (dYdX, GMX: 0, premium only)
            rate = v.funding_anchor
        if v.funding_cap is not None:
            rate = max(-v.funding_cap, min(v.funding_cap, rate))
        q["funding_rate"] = rate


def _edge_and_take_profit(
    p: Mapping[str, Any],
    given: Mapping[str, Any],
    defaults: Mapping[str, Any],
    stop: float,
    kw: dict[str, Any],
) -> None:
    """The edge (drift, or the win rate; exactly one) and the take-profit (explicit, or
    payoff x stop; both must agree)."""
    if "drift" in given:
        if p.get("win_rate") != defaults["win_rate"]:
            raise ParameterError(
                "win_rate / drift",
                "only one of the two in the leveraged mode (drift 0 = no edge)",
                f"win_rate={p.get('win_rate')}, drift={given['drift']}",
            )
        kw["drift"] = given["drift"]
    else:
        kw["win_rate"] = p["win_rate"]
    payoff = p.get("payoff", defaults["payoff"])
    if "take_profit" in given:
        tp = check_number("take_profit", given["take_profit"], 0.0, 1e3, lo_incl=False)
        if payoff != defaults["payoff"] and abs(tp - float(payoff) * stop) > 1e-9 * max(1, tp):
            raise ParameterError(
                "take_profit",
                f"payoff x stop = {float(payoff) * stop:g} when both are given",
                tp,
                "Give --take-profit or --payoff, or make them agree.",
            )
    else:
        tp = check_number("payoff", payoff, 0.0, 1e6, lo_incl=False) * stop
    kw["take_profit"] = tp


def _realism(given: Mapping[str, Any], asset: Any, kw: dict[str, Any]) -> None:
    """Fat tails, GARCH and crash jumps (``True``: the asset's parameters or defaults)."""
    tdf = _parse_tails(given.get("tails"), asset.t_df if asset is not None else None)
    if tdf is not None:
        kw["tails_df"] = tdf
    g = given.get("garch")
    if g is not None and not (isinstance(g, (bool, str)) and not _truthy(g)):
        if isinstance(g, bool) or (
            isinstance(g, str) and g.strip().lower() in ("1", "true", "yes", "on")
        ):
            kw["garch"] = (
                (asset.garch_alpha, asset.garch_beta) if asset is not None else (0.10, 0.85)
            )
        else:
            kw["garch"] = _parse_pair("garch", g)
    j = given.get("jumps")
    if j is not None and _truthy(j):
        if isinstance(j, bool) or str(j).strip().lower() in ("1", "true", "yes", "on"):
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
        else:
            parts = str(j).split(",")
            usage = "'on', 'RATE,MEAN,SD' (crashes) or 'RATE,MEAN,SD,UP_RATE,UP_MEAN,UP_SD'"
            if len(parts) not in (3, 6):
                raise ParameterError("jumps", usage + " (per day, log sizes)", j)
            try:
                v = [float(x) for x in parts]
            except ValueError:
                raise ParameterError("jumps", usage, j) from None
            kw.update(jump_rate=v[0], jump_mean=v[1], jump_sd=v[2])
            if len(v) == 6:
                kw.update(pump_rate=v[3], pump_mean=v[4], pump_sd=v[5])
