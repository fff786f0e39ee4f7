"""``ruin liquidation | size | funding | odds``: margin calculators and liquidation odds.

All inputs are fractions (``--mmr 0.005`` is 0.5%) except ``--fee-bps`` (basis points) and
prices/amounts in USD. ``--venue NAME --asset CLASS`` fills ``--mmr`` (and checks the
venue's maximum leverage) from the dated presets of :mod:`ruin.venues`.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import ParameterError
from ..margin import funding_cost, liquidation_price, liquidation_price_tiered, position_size
from ..venues import ASSET_CLASSES, load_venues, venue
from .common import add_json_flag, emit

__all__ = ["add_commands"]


def _monitoring(text: str) -> str | float:
    if text == "continuous":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected 'continuous' or a check interval in days like 1 or 0.25; got {text!r}"
        ) from None


def _add_venue_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--venue",
        choices=sorted(load_venues()),
        help="take --mmr and the maximum leverage from a venue preset",
    )
    p.add_argument(
        "--asset",
        choices=ASSET_CLASSES,
        default="btc",
        help="asset class for --venue (default btc)",
    )


def _venue_mmr(args: argparse.Namespace) -> tuple[float, float | None]:
    """(mmr, max_leverage) from --mmr or --venue/--asset."""
    if args.venue is not None:
        v = venue(args.venue)
        mmr = v.mmr(args.asset) if args.mmr is None else args.mmr
        return mmr, v.max_leverage(args.asset)
    if args.mmr is None:
        raise ParameterError("mmr", "given (e.g. --mmr 0.005) or taken from --venue", None)
    return args.mmr, None


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
    return "\n".join(lines)


def run_liquidation(args: argparse.Namespace) -> None:
    mmr, max_lev = _venue_mmr(args)
    extra: dict[str, Any] = {}
    if args.venue is not None:
        v = venue(args.venue)
        extra = {
            "venue": v.name,
            "asset": args.asset,
            "as_of": v.as_of,
            "calibration": v.calibration,
        }
    if args.venue is not None and args.qty is not None and args.mmr is None:
        v = venue(args.venue)
        res = liquidation_price_tiered(
            args.entry,
            args.qty,
            args.leverage,
            v.tiers_for(args.asset),
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
    warn = (
        ""
        if d["stop_before_liquidation"]
        else "\n  WARNING: your stop is beyond your liquidation price: you will be liquidated first"
    )
    fits = "" if d["margin_fits"] else "\n  WARNING: the margin is larger than your capital"
    return (
        f"capital {i['capital']:,.2f}, risk {i['risk']:.2%}, stop {i['stop']:.2%}, "
        f"{i['side']} {i['leverage']:g}x, MMR {i['mmr']:.3%}, fee {i['fee_bps']:g} bp/side\n"
        f"  risk                 {d['risk_usd']:,.2f}\n"
        f"  notional             {d['notional']:,.2f}   (account leverage "
        f"{d['account_leverage']:.2f}x)\n"
        f"  margin               {d['margin']:,.2f}\n"
        f"  liquidation distance {d['liquidation_distance']:.3%}\n"
        f"  stop before liq.     {'yes' if d['stop_before_liquidation'] else 'NO'}\n"
        f"  loss at stop (fees)  {d['loss_at_stop']:,.2f}\n"
        f"  notional so the loss with fees = risk  {d['fee_adjusted_notional']:,.2f}" + warn + fits
    )


def run_size(args: argparse.Namespace) -> None:
    mmr, max_lev = _venue_mmr(args)
    res = position_size(
        args.capital,
        args.risk,
        args.stop,
        args.leverage,
        mmr,
        side=args.side,
        fee_bps=args.fee_bps,
        max_leverage=max_lev,
    )
    emit(res.as_dict(), args.json, _render_size)


# ----------------------------------------------------------------------- funding


def _render_funding(d: dict[str, Any]) -> str:
    i, n, m = d["inputs"], d["fraction_of_notional"], d["fraction_of_margin"]
    return (
        f"{i['rate']:.4%} per {i['interval_hours']:g} h for {i['hours']:g} h "
        f"({d['payments']} payments), leverage {i['leverage']:g}x\n"
        f"  of notional  simple {n['simple']:.4%}   compounded {n['compounded']:.4%}\n"
        f"  of margin    simple {m['simple']:.4%}   compounded {m['compounded']:.4%}\n"
        f"  annualised (simple) {d['annualised_simple']:.2%}"
    )


def run_funding(args: argparse.Namespace) -> None:
    res = funding_cost(args.rate, args.interval_hours, args.hours, args.leverage)
    emit(res.as_dict(), args.json, _render_funding)


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
        f"                  guides' approx. price       {d['approx_closed_form']:.4f}"
        f"  (at {d['approx_liquidation_price']:.6g})"
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
    )
    emit(res.as_dict(), args.json, _render_odds)


# ----------------------------------------------------------------------- parsers


def add_commands(sub: argparse._SubParsersAction) -> None:
    side = {"choices": ["long", "short"], "default": "long", "help": "position side"}

    p = sub.add_parser("liquidation", help="isolated liquidation and bankruptcy prices")
    p.add_argument("--entry", type=float, required=True, help="entry price, USD")
    p.add_argument("--leverage", type=float, required=True, help="leverage, e.g. 20")
    p.add_argument("--mmr", type=float, help="maintenance-margin rate, e.g. 0.0125")
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
    p.add_argument("--risk", type=float, required=True, help="fraction risked, e.g. 0.02")
    p.add_argument("--stop", type=float, required=True, help="stop distance, e.g. 0.05")
    p.add_argument("--leverage", type=float, required=True, help="leverage setting")
    p.add_argument("--mmr", type=float, help="maintenance-margin rate, e.g. 0.005")
    p.add_argument("--side", **side)
    p.add_argument(
        "--fee-bps",
        type=float,
        default=0.0,
        help="fee per side in basis points, on entry and exit notional",
    )
    _add_venue_flags(p)
    add_json_flag(p)
    p.set_defaults(func=run_size)

    p = sub.add_parser("funding", help="funding cost of holding a position")
    p.add_argument(
        "--rate",
        type=float,
        required=True,
        help="funding rate per interval, e.g. 0.0001 for 0.01%%",
    )
    p.add_argument("--interval-hours", type=float, required=True, help="e.g. 8 or 1")
    p.add_argument("--hours", type=float, required=True, help="holding time in hours")
    p.add_argument("--leverage", type=float, default=1.0, help="for the cost per margin")
    add_json_flag(p)
    p.set_defaults(func=run_funding)

    p = sub.add_parser("odds", help="probability of touching liquidation within a horizon")
    p.add_argument("--leverage", type=float, required=True)
    p.add_argument("--mmr", type=float, help="maintenance-margin rate, e.g. 0.0125")
    p.add_argument(
        "--volatility", type=float, help="daily standard deviation of log returns, e.g. 0.0314"
    )
    p.add_argument(
        "--annual-volatility",
        type=float,
        help="annualised volatility instead, e.g. 0.6 (daily = annual/sqrt(365))",
    )
    p.add_argument("--horizon-days", type=float, required=True)
    p.add_argument("--drift", type=float, default=0.0, help="log-price drift per day")
    p.add_argument("--side", **side)
    p.add_argument("--take-profit", type=float, help="take-profit distance, e.g. 0.1")
    p.add_argument(
        "--monitoring",
        type=_monitoring,
        default="continuous",
        help="'continuous' or the margin-check interval in days",
    )
    p.add_argument("--paths", type=int, default=20_000)
    p.add_argument("--seed", type=int, help="random seed (omit to draw one; it is printed)")
    p.add_argument(
        "--entry",
        type=float,
        default=1.0,
        help="entry price for reporting the liquidation price (default 1)",
    )
    _add_venue_flags(p)
    add_json_flag(p)
    p.set_defaults(func=run_odds)
