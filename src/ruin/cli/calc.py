"""``ruin liquidation | size | funding | odds``: margin calculators and liquidation odds.

All inputs are fractions (``--mmr 0.005`` is 0.5%) except ``--fee-bps`` (basis points) and
prices/amounts in USD. ``--venue NAME --asset CLASS`` fills ``--mmr`` (and checks the
venue's maximum leverage) from the dated presets of :mod:`ruin.venues`.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..engine.work import CLI_MAX_WORK
from ..errors import ParameterError
from ..funding import funding_cost
from ..keys import KEYS, ODDS_KEYS
from ..margin import liquidation_price, liquidation_price_tiered, position_size
from ..venues import ASSET_CLASSES, load_assets, load_venues, venue
from .common import add_json_flag, emit, key_type

__all__ = ["add_commands"]

#: Readers of the calculators' flags that are flat keys (:data:`ruin.keys.KEYS`, and
#: :data:`ruin.keys.ODDS_KEYS` for ``ruin odds``): the same text rules and messages as
#: ``ruin simulate`` and the scenario files.
_RUN = {k: key_type(KEYS[k]) for k in ("leverage", "mmr", "risk", "stop", "fee_bps")}
_ODDS = {k: key_type(key) for k, key in ODDS_KEYS.items()}


def _add_venue_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--venue",
        choices=sorted(load_venues()),
        help="take --mmr and the maximum leverage from a venue preset",
    )
    p.add_argument(
        "--asset",
        choices=ASSET_CLASSES,
        help="asset class for --venue (default btc); its daily volatility where used",
    )


def _venue_mmr(args: argparse.Namespace) -> tuple[float, float | None]:
    """(mmr, max_leverage) from --mmr or --venue/--asset."""
    if args.venue is not None:
        v = venue(args.venue)
        mmr = v.mmr(_asset(args)) if args.mmr is None else args.mmr
        return mmr, v.max_leverage(_asset(args))
    if args.mmr is None:
        raise ParameterError("mmr", "given (e.g. --mmr 0.005) or taken from --venue", None)
    return args.mmr, None


def _asset(args: argparse.Namespace) -> str:
    return args.asset if args.asset is not None else "btc"


def _fmt_px(x: float) -> str:
    return f"{x:,.2f}" if x >= 1 else f"{x:.6g}"


# ----------------------------------------------------------------------- liquidation


def _render_liq(d: dict[str, Any]) -> str:
    lines = [
        f"{d['side']} {d['leverage']:g}x at {_fmt_px(d['entry'])}, MMR {d['mmr']:.4%}"
        + (f"  ({d['venue']}, {d['asset']}, as of {d['as_of']})" if "venue" in d else ""),
        f"  liquidation price      {_fmt_px(d['liquidation_price'])}"
        f"   (adverse move {d['adverse_move']:.3%})",
        f"  bankruptcy price       {_fmt_px(d['bankruptcy_price'])}",
        f"  guides' approximation  {_fmt_px(d['approx_liquidation_price'])}"
        f"   (adverse move {d['approx_adverse_move']:.3%}; Entry x (1 -+ 1/L +- MMR))",
    ]
    if d.get("bracket_note"):
        lines.append(f"  note: {d['bracket_note']}")
    return "\n".join(lines)


def run_liquidation(args: argparse.Namespace) -> None:
    mmr, max_lev = _venue_mmr(args)
    extra: dict[str, Any] = {}
    if args.venue is not None:
        v = venue(args.venue)
        extra = {
            "venue": v.name,
            "asset": _asset(args),
            "as_of": v.as_of,
            "calibration": v.calibration,
            "checked": v.checked,
            "unchecked": v.unchecked,
        }
        tiers = v.tiers_for(_asset(args))
        if args.qty is None and args.mmr is None and len(tiers) > 1:
            extra["bracket_note"] = (
                f"no --qty: the first bracket (notional below {tiers[0].cap:,.0f} USD, "
                f"{tiers[0].max_leverage:g}x, MMR {tiers[0].mmr:.2%}) was used; give --qty "
                f"for the bracket of your position"
            )
    if args.venue is not None and args.qty is not None and args.mmr is None:
        v = venue(args.venue)
        res = liquidation_price_tiered(
            args.entry,
            args.qty,
            args.leverage,
            v.tiers_for(_asset(args)),
            side=args.side,
            margin=args.margin,
            fees_paid=args.fees_paid,
            maintenance_basis=v.maintenance_basis,
        )
    else:
        basis = venue(args.venue).maintenance_basis if args.venue else "mark"
        res = liquidation_price(
            args.entry,
            args.leverage,
            mmr,
            side=args.side,
            maintenance_amount=args.maintenance_amount,
            qty=args.qty,
            margin=args.margin,
            fees_paid=args.fees_paid,
            max_leverage=max_lev,
            maintenance_basis=basis,
        )
    emit({**res.as_dict(), **extra}, args.json, _render_liq)


# ----------------------------------------------------------------------- size


def _render_size(d: dict[str, Any]) -> str:
    i = d["inputs"]
    warn = ""
    if not d["stop_before_liquidation"]:
        warn += (
            "\n  WARNING: your stop is beyond your liquidation price: you will be liquidated first"
        )
    elif d["thin_buffer"]:
        warn += (
            f"\n  WARNING: thin buffer: liquidation is only {d['buffer']:.3%} beyond the stop "
            f"(less than {d['min_buffer']:.3%}); a gap or a wick takes the margin"
        )
    fits = "" if d["margin_fits"] else "\n  WARNING: the margin is larger than your capital"
    vols = (
        f" = {d['buffer_daily_vols']:.2f} daily moves" if d["buffer_daily_vols"] is not None else ""
    )
    best = d["max_leverage_for_buffer"]
    best_txt = f"{best:.2f}x" if best is not None else "none (even 1x is too close)"
    bracket = (
        f", bracket max {d['bracket_max_leverage']:g}x"
        if d["bracket_max_leverage"] is not None
        else ""
    )
    venue = f"  ({d['venue']}, {d['asset']}, as of {d['as_of']})" if "venue" in d else ""
    return (
        f"capital {i['capital']:,.2f}, risk {i['risk']:.2%}, stop {i['stop']:.2%}, "
        f"{i['side']} {i['leverage']:g}x, MMR {i['mmr']:.3%}{bracket}, "
        f"fee {i['fee_bps']:g} bp/side{venue}\n"
        f"  risk                 {d['risk_usd']:,.2f}\n"
        f"  notional             {d['notional']:,.2f}   (account leverage "
        f"{d['account_leverage']:.2f}x)\n"
        f"  margin               {d['margin']:,.2f}   (entry fee paid from it)\n"
        f"  liquidation distance {d['liquidation_distance']:.3%}\n"
        f"  stop before liq.     {'yes' if d['stop_before_liquidation'] else 'NO'}\n"
        f"  buffer               {d['buffer']:.3%}{vols}   (liquidation distance - stop)\n"
        f"  max leverage keeping a {d['min_buffer']:.3%} buffer  {best_txt}\n"
        f"  loss if wrong        {d['loss']:,.2f}   ({d['loss_reason']})\n"
        f"  loss at stop (fees)  {d['loss_at_stop']:,.2f}\n"
        f"  notional so the loss with fees = risk  {d['fee_adjusted_notional']:,.2f}" + warn + fits
    )


def run_size(args: argparse.Namespace) -> None:
    extra: dict[str, Any] = {}
    kw: dict[str, Any] = {}
    fee_bps = args.fee_bps
    if args.venue is not None:
        v = venue(args.venue)
        extra = {
            "venue": v.name,
            "asset": _asset(args),
            "as_of": v.as_of,
            "checked": v.checked,
            "unchecked": v.unchecked,
        }
        if args.mmr is None:
            kw["tiers"] = v.tiers_for(_asset(args))
        else:
            kw["max_leverage"] = v.max_leverage(_asset(args))
        kw["maintenance_basis"] = v.maintenance_basis
        kw["liquidation_rule"] = "margin" if v.liquidation_loss == "all_margin" else "fill"
        kw["liquidation_fee"] = v.liquidation_fee
        if fee_bps is None:
            fee_bps = v.taker_fee * 1e4
    elif args.mmr is None:
        raise ParameterError("mmr", "given (e.g. --mmr 0.005) or taken from --venue", None)
    if args.asset is not None or args.venue is not None:
        kw["daily_vol"] = load_assets()[_asset(args)].daily_vol
    if args.liquidation_rule is not None:
        kw["liquidation_rule"] = args.liquidation_rule
    res = position_size(
        args.capital,
        args.risk,
        args.stop,
        args.leverage,
        args.mmr,
        side=args.side,
        fee_bps=0.0 if fee_bps is None else fee_bps,
        min_buffer=args.min_buffer,
        **kw,
    )
    emit({**res.as_dict(), **extra}, args.json, _render_size)


# ----------------------------------------------------------------------- funding


def _render_funding(d: dict[str, Any]) -> str:
    i = d["inputs"]
    side = i["side"]
    n, m = d["fraction_of_notional"], d["fraction_of_margin"]
    if d["payer"] == "nobody":
        who = "nobody pays (rate 0)"
    else:
        who = f"{d['payer']} pay, {d['receiver']} receive"
    verb = "pays" if n > 0 else ("receives" if n < 0 else "pays")
    lines = [
        f"{i['rate']:.4%} per {i['interval_hours']:g} h for {i['hours']:g} h "
        f"({d['payments']} payments), leverage {i['leverage']:g}x: {who}",
        f"  a {side} of fixed size {verb} {abs(n):.4%} of notional = {abs(m):.4%} of margin "
        f"(payments x rate at a constant price; no compounding)",
        f"  annualised (simple) {d['annualised_simple']:.2%}",
    ]
    if "venue" in d:
        lines.append(f"  {d['venue']}: anchor {d['anchor']:.5%} per interval; {d['venue_note']}")
    return "\n".join(lines)


def run_funding(args: argparse.Namespace) -> None:
    extra: dict[str, Any] = {}
    interval, rate = args.interval_hours, args.rate
    kw: dict[str, Any] = {}
    if args.venue is not None:
        v = venue(args.venue)
        interval = v.funding_interval_hours if interval is None else interval
        rate = v.funding_anchor if rate is None else rate
        kw = {"venue": v.name, "anchor": v.funding_anchor}
        extra["venue_note"] = v.funding_note
    if rate is None or interval is None:
        raise ParameterError(
            "rate / interval_hours", "given (--rate and --interval-hours) or from --venue", None
        )
    res = funding_cost(rate, interval, args.hours, args.leverage, side=args.side, **kw)
    emit({**res.as_dict(), **extra}, args.json, _render_funding)


# ----------------------------------------------------------------------- odds


def _render_odds(d: dict[str, Any]) -> str:
    mc = d["monte_carlo"]
    cf = d["closed_form"]
    mon = d["monitoring"]
    lines = [
        f"{d['side']} {d['leverage']:g}x, MMR {d['mmr']:.3%}, daily vol {d['volatility']:.3%}, "
        f"drift {d['drift']:g}/day, {d['horizon_days']:g} days, monitoring "
        + (mon if isinstance(mon, str) else f"every {mon:g} days"),
        f"  liquidation price (entry {d['entry']:g})  {d['liquidation_price']:.6g}"
        f"  (adverse move {d['adverse_move']:.3%})",
        f"  P(liquidation)  closed form, continuous     {cf['continuous']:.4f}",
    ]
    if "discrete_exact" in cf:
        lines.append(
            f"                  exact discrete ({cf['checks']} checks)  "
            f"{cf['discrete_exact']:.4f}  (+- {cf['discrete_abs_error']:.1e})"
        )
    lines.append(
        f"                  Monte Carlo                 {mc['estimate']:.4f}  "
        f"[{mc['ci_low']:.4f}, {mc['ci_high']:.4f}]"
    )
    lines.append(
        f"                  guides' price, one barrier, continuous  "
        f"{d['approx_closed_form']:.4f}  (at {d['approx_liquidation_price']:.6g}; no take-profit,"
        f" no discrete checks)"
    )
    for key, label in (
        ("take_profit_first", "P(take-profit first)"),
        ("neither", "P(neither by horizon)"),
    ):
        if key in d:
            x = d[key]
            m = x["monte_carlo"]
            lines.append(
                f"  {label:22s} closed form {x['closed_form']:.4f}   MC "
                f"{m['estimate']:.4f} [{m['ci_low']:.4f}, {m['ci_high']:.4f}]"
                + (f"   discrete {x['discrete_exact']:.4f}" if "discrete_exact" in x else "")
            )
    lines.append(
        f"  seed {d['seed']}  paths {d['paths']:,}  steps {d['steps']:,}"
        f"  ({d['elapsed_seconds']:.2f} s)"
    )
    return "\n".join(lines)


def run_odds(args: argparse.Namespace) -> None:
    from ..odds import liquidation_odds  # lazy: the other calculators never import numba

    mmr, max_lev = _venue_mmr(args)
    vol = args.volatility
    if args.annual_volatility is not None:
        if vol is not None:
            raise ParameterError(
                "volatility", "given once (--volatility daily or --annual-volatility)", vol
            )
        vol = args.annual_volatility / 365.0**0.5
    if vol is None:
        raise ParameterError(
            "volatility",
            "given (--volatility, daily sd of log returns, or --annual-volatility)",
            None,
        )
    res = liquidation_odds(
        args.leverage,
        mmr,
        vol,
        args.horizon_days,
        drift=args.drift,
        side=args.side,
        take_profit=args.take_profit,
        monitoring=args.monitoring,
        paths=args.paths,
        seed=args.seed,
        entry=args.entry,
        max_leverage=max_lev,
        max_work=args.max_work,
    )
    emit(res.as_dict(), args.json, _render_odds)


# ----------------------------------------------------------------------- parsers


def add_commands(sub: argparse._SubParsersAction) -> None:
    side = {"choices": ["long", "short"], "default": "long", "help": "position side"}

    p = sub.add_parser("liquidation", help="isolated liquidation and bankruptcy prices")
    p.add_argument("--entry", type=float, required=True, help="entry price, USD")
    p.add_argument("--leverage", type=_RUN["leverage"], required=True, help="leverage, e.g. 20")
    p.add_argument("--mmr", type=_RUN["mmr"], help="maintenance-margin rate, e.g. 0.0125")
    p.add_argument(
        "--maintenance-amount",
        type=float,
        default=0.0,
        help="tier maintenance amount (cum), USD; needs --qty",
    )
    p.add_argument("--qty", type=float, help="position size in coins")
    p.add_argument("--margin", type=float, help="isolated margin, USD (default qty*entry/L)")
    p.add_argument(
        "--fees-paid",
        type=float,
        default=0.0,
        help="fees and funding already paid from the margin, USD; needs --qty",
    )
    p.add_argument("--side", **side)
    _add_venue_flags(p)
    add_json_flag(p)
    p.set_defaults(func=run_liquidation)

    p = sub.add_parser("size", help="position size for a risk and stop; liquidation check")
    p.add_argument("--capital", type=float, required=True, help="account equity, USD")
    p.add_argument("--risk", type=_RUN["risk"], required=True, help="fraction risked, e.g. 0.02")
    p.add_argument("--stop", type=_RUN["stop"], required=True, help="stop distance, e.g. 0.05")
    p.add_argument("--leverage", type=_RUN["leverage"], required=True, help="leverage setting")
    p.add_argument("--mmr", type=_RUN["mmr"], help="maintenance-margin rate, e.g. 0.005")
    p.add_argument("--side", **side)
    p.add_argument(
        "--fee-bps",
        type=_RUN["fee_bps"],
        help="fee per side in basis points, on entry (paid from the margin) and exit "
        "notional (default: the venue's taker fee with --venue, else 0)",
    )
    p.add_argument(
        "--min-buffer",
        type=float,
        help="warn when liquidation is less than this beyond the stop (fraction of price; "
        "default one daily move of --asset, else half the stop)",
    )
    p.add_argument(
        "--liquidation-rule",
        choices=["margin", "fill"],
        help="what a liquidation costs: the whole margin, or the margin less what the venue "
        "returns at the fill (default: the venue's rule; margin without --venue)",
    )
    _add_venue_flags(p)
    add_json_flag(p)
    p.set_defaults(func=run_size)

    p = sub.add_parser("funding", help="funding cost of holding a position")
    p.add_argument(
        "--rate",
        type=float,
        help="funding rate per interval, e.g. 0.0001 for 0.01%%; positive: longs pay shorts "
        "(default with --venue: the venue's anchor, 0 on dYdX and GMX)",
    )
    p.add_argument(
        "--interval-hours", type=float, help="e.g. 8 or 1 (default with --venue: the venue's)"
    )
    p.add_argument("--hours", type=float, required=True, help="holding time in hours")
    p.add_argument("--leverage", type=_RUN["leverage"], default=1.0, help="for the cost per margin")
    p.add_argument("--side", **side)
    p.add_argument(
        "--venue", choices=sorted(load_venues()), help="the venue's funding interval and anchor"
    )
    add_json_flag(p)
    p.set_defaults(func=run_funding)

    p = sub.add_parser("odds", help="probability of touching liquidation within a horizon")
    p.add_argument("--leverage", type=_ODDS["leverage"], required=True)
    p.add_argument("--mmr", type=_ODDS["mmr"], help="maintenance-margin rate, e.g. 0.0125")
    p.add_argument(
        "--volatility",
        type=_ODDS["volatility"],
        help="daily standard deviation of log returns, e.g. 0.0314",
    )
    p.add_argument(
        "--annual-volatility",
        type=float,
        help="annualised volatility instead, e.g. 0.6 (daily = annual/sqrt(365))",
    )
    p.add_argument("--horizon-days", type=_ODDS["horizon_days"], required=True)
    p.add_argument(
        "--drift",
        type=_ODDS["drift"],
        default=0.0,
        help="the market's drift: log-price drift per day, positive = the price rises (helps a "
        "long, hurts a short; as in `ruin simulate`)",
    )
    p.add_argument("--side", **side)
    p.add_argument(
        "--take-profit", type=_ODDS["take_profit"], help="take-profit distance, e.g. 0.1"
    )
    p.add_argument(
        "--monitoring",
        type=_ODDS["monitoring"],
        default="continuous",
        help="'continuous' or the margin-check interval in days",
    )
    p.add_argument("--paths", type=_ODDS["paths"], default=20_000)
    p.add_argument(
        "--seed", type=_ODDS["seed"], help="random seed (omit to draw one; it is printed)"
    )
    p.add_argument(
        "--entry",
        type=_ODDS["entry"],
        default=1.0,
        help="entry price for reporting the liquidation price (default 1)",
    )
    _add_venue_flags(p)
    p.add_argument(
        "--max-work",
        type=float,
        default=CLI_MAX_WORK,
        help=f"refuse a Monte Carlo above this many path-steps (default {CLI_MAX_WORK:.0e})",
    )
    add_json_flag(p)
    p.set_defaults(func=run_odds)
