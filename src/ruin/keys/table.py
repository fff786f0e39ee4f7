"""The table of every flat key.

:data:`KEYS` holds every flat parameter of a run (``ruin simulate`` flags, scenario and sweep
TOML, share links, the app, :func:`ruin.build_scenario`), :data:`ODDS_KEYS` those of one held
position (``ruin odds``, ``kind = "odds"`` sweeps) and :data:`PARTS` the numbers inside
``garch`` and ``jumps``. The checks that use the table (one key, or two values of one object
together) are :mod:`ruin.keys.checks`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..venues_file import names
from .spec import Group, Key

__all__ = [
    "GROUPS",
    "KEYS",
    "ODDS_KEYS",
    "PARTS",
    "MAX_HORIZON_DAYS",
    "MAX_LEVERAGE",
    "MAX_PATHS",
    "MAX_POSITIONS",
    "MAX_SEED",
    "MAX_TRADES",
    "defaults",
    "group",
]

#: The one leverage ceiling (a venue's tier maximum, where a venue is given, is lower).
MAX_LEVERAGE = 1000.0
MAX_PATHS = 50_000_000
MAX_TRADES = 1_000_000
MAX_POSITIONS = 20
MAX_SEED = 2**63 - 1
MAX_HORIZON_DAYS = 36_500.0

#: The ``--help`` sections, in order, with their titles.
GROUPS: dict[Group, str] = {
    "model": "trade model (win rate and payoff, an outcome table, or your own trades)",
    "account": "account: sizing, horizon and barriers",
    "run": "run",
    "behaviour": "behaviour and exit rules (on the win/loss model)",
    "rules": "account rules: trailing drawdown, daily loss limit, prop-firm challenge "
    "(i.i.d. and leveraged models)",
    "leverage": "leveraged price-path mode (any of these switches it on)",
    "odds": "one held position (ruin odds, kind = 'odds' sweeps)",
}

_K = Key

#: Numbers inside ``garch`` and ``jumps`` (also the fields of :class:`ruin.market.LeveragedTrade`).
PARTS: dict[str, Key] = {
    k.name: k
    for k in (
        _K("garch_alpha", lo=0.0, hi=1.0, hi_incl=False, group="part", help="GARCH(1,1) alpha"),
        _K("garch_beta", lo=0.0, hi=1.0, hi_incl=False, group="part", help="GARCH(1,1) beta"),
        _K(
            "jump_rate",
            lo=0.0,
            hi=10.0,
            group="part",
            help="crash jumps per day",
            hint="Jumps per day: 0.00274 = about one a year.",
        ),
        _K("jump_mean", lo=-3.0, hi=3.0, group="part", help="mean jump in log price"),
        _K("jump_sd", lo=0.0, hi=3.0, group="part", help="standard deviation of a jump"),
        _K(
            "pump_rate",
            lo=0.0,
            hi=10.0,
            group="part",
            help="pumps (upward jumps) per day",
            hint="Pumps per day: 0.00274 = about one a year.",
        ),
        _K("pump_mean", lo=-3.0, hi=3.0, group="part", help="mean pump in log price"),
        _K("pump_sd", lo=0.0, hi=3.0, group="part", help="standard deviation of a pump"),
    )
}

_MODEL = (
    _K(
        "win_rate",
        lo=0.0,
        hi=1.0,
        lo_incl=False,
        hi_incl=False,
        group="model",
        default=0.5,
        percent=True,
        example="0.45",
        help="P(win) per trade; leveraged: P(take-profit before stop) without liquidation",
    ),
    _K(
        "payoff",
        lo=0.0,
        hi=1e6,
        lo_incl=False,
        group="model",
        default=1.5,
        unit="R",
        example="1.5",
        help="R won on a win (reward:risk); leveraged: take-profit = payoff x stop",
    ),
    _K(
        "outcomes",
        "outcomes",
        group="model",
        optional=True,
        example="-1:0.6,2:0.4",
        metavar="R:P,...",
        help="discrete outcome table 'R:probability,...' instead of win rate and payoff",
    ),
    _K(
        "trades_file",
        "path",
        group="model",
        optional=True,
        metavar="FILE",
        help="CSV/Parquet of your own trades (column 'r' or 'return'), resampled",
    ),
    _K(
        "bootstrap",
        "choice",
        choices=("iid", "block"),
        group="model",
        default="iid",
        example="block",
        help="resampling of the trade file: iid, or block (keeps streaks)",
    ),
    _K(
        "block_length",
        "int",
        lo=1,
        hi=1_000_000,
        group="model",
        default=5,
        unit="trades",
        example="4",
        help="trades per block with bootstrap = block",
    ),
)

_ACCOUNT = (
    _K(
        "risk",
        lo=0.0,
        hi=1.0,
        lo_incl=False,
        group="account",
        default=0.01,
        percent=True,
        percent_of=" of equity",
        example="0.02",
        help="fraction of equity risked per trade (R); 0.02 = 2%",
    ),
    _K(
        "sizing",
        "choice",
        choices=("fractional", "fixed"),
        group="account",
        default="fractional",
        example="fixed",
        help="fractional: R = risk x current equity; fixed: risk x starting equity",
    ),
    _K(
        "trades",
        "int",
        lo=1,
        hi=MAX_TRADES,
        group="account",
        default=500,
        unit="trades",
        example="200",
        help="trades per path N",
    ),
    _K(
        "ruin_level",
        lo=0.0,
        hi=1.0,
        hi_incl=False,
        group="account",
        default=0.5,
        percent=True,
        percent_of=" of starting equity",
        example="0.3",
        help="ruin when equity <= this fraction of the start (0 = bust)",
    ),
    _K(
        "goal",
        lo=1.0,
        hi=1e12,
        lo_incl=False,
        group="account",
        optional=True,
        unit="x start",
        example="2",
        hint="It is a multiple of starting equity (2 doubles the account); omit it for no goal.",
        help="stop trading when equity >= this multiple of the start (omit: no goal)",
    ),
)

_RUN = (
    _K(
        "paths",
        "int",
        lo=1,
        hi=MAX_PATHS,
        group="run",
        default=10_000,
        example="2000",
        help="number of simulated accounts",
    ),
    _K(
        "seed",
        "int",
        lo=0,
        hi=MAX_SEED,
        group="run",
        optional=True,
        example="7",
        help="random seed (omit to draw one; it is printed)",
    ),
)

_BEHAVIOUR = (
    _K(
        "martingale",
        lo=1.0,
        hi=100.0,
        group="behaviour",
        default=1.0,
        example="2",
        metavar="M",
        hint="Use 2 to double the risk after each loss.",
        help="multiply risk by M after each loss, reset after a win (revenge sizing)",
    ),
    _K(
        "anti_martingale",
        lo=1.0,
        hi=100.0,
        group="behaviour",
        default=1.0,
        example="2",
        metavar="A",
        hint="Use 2 to double the risk after each win.",
        help="multiply risk by A after each win, reset after a loss",
    ),
    _K(
        "risk_cap",
        lo=0.0,
        hi=1.0,
        lo_incl=False,
        group="behaviour",
        default=1.0,
        percent=True,
        percent_of=" of equity",
        example="0.2",
        hint="Use 0.2 to cap risk at 20% of equity.",
        help="largest risk per trade the rules may reach",
    ),
    _K(
        "drawdown_cut",
        lo=0.0,
        hi=1.0,
        lo_incl=False,
        hi_incl=False,
        group="behaviour",
        optional=True,
        percent=True,
        percent_of=" drawdown",
        example="0.2",
        metavar="X",
        hint="Use 0.2 to cut risk in a 20% drawdown.",
        help="cut risk while the drawdown is at least X",
    ),
    _K(
        "drawdown_factor",
        lo=0.0,
        hi=1.0,
        lo_incl=False,
        group="behaviour",
        default=0.5,
        example="0.25",
        help="risk multiplier while in such a drawdown",
    ),
    _K(
        "win_rate_sample",
        "int",
        lo=1,
        hi=1_000_000,
        group="behaviour",
        optional=True,
        unit="trades",
        example="40",
        metavar="N",
        help="the win rate was measured on N trades: draw it per path from its Beta posterior",
    ),
    _K(
        "partial_tp",
        lo=0.0,
        hi=1e6,
        lo_incl=False,
        group="behaviour",
        optional=True,
        unit="R",
        example="1",
        metavar="R",
        help="close part of the position at +R (exit rule)",
    ),
    _K(
        "partial_fraction",
        lo=0.0,
        hi=1.0,
        lo_incl=False,
        hi_incl=False,
        group="behaviour",
        default=0.5,
        example="0.5",
        help="share of the position closed at partial_tp",
    ),
    _K(
        "breakeven",
        "bool",
        group="behaviour",
        default=True,
        example="false",
        help="move the stop to entry after partial_tp",
    ),
    _K(
        "scale_in_at",
        lo=0.0,
        hi=1.0,
        lo_incl=False,
        hi_incl=False,
        group="behaviour",
        optional=True,
        example="0.5",
        metavar="X",
        hint="It is a fraction of the stop distance: 0.5 adds halfway to the stop.",
        help="enter half, add half after an adverse move of X stop distances",
    ),
    _K(
        "no_stop",
        lo=1.0,
        hi=1e4,
        group="behaviour",
        optional=True,
        example="4.5",
        metavar="D",
        hint="It is the move to liquidation in stop distances, e.g. 4.43 for 10x "
        "with MMR 1.25% and a 2% stop.",
        help="remove the stop: liquidation D stop distances away is the only loss exit",
    ),
    _K(
        "liquidation_loss",
        lo=0.0,
        hi=1e4,
        lo_incl=False,
        group="behaviour",
        optional=True,
        unit="R",
        example="5",
        metavar="L",
        help="R lost at liquidation with no_stop (default D: the venue returns what is "
        "left, as Hyperliquid; the whole margin on Binance/Bybit is 1/(leverage x stop))",
    ),
)

_RULES = (
    _K(
        "trailing_drawdown",
        lo=0.0,
        hi=1.0,
        lo_incl=False,
        hi_incl=False,
        group="rules",
        optional=True,
        percent=True,
        example="0.1",
        metavar="D",
        hint="A fraction of the peak: use 0.1 for 10%.",
        help="ruin when equity <= (1 - D) x its running peak (closed trades)",
    ),
    _K(
        "trailing_lock",
        lo=1.0,
        hi=1e12,
        lo_incl=False,
        group="rules",
        optional=True,
        example="1.1",
        metavar="L",
        hint="A multiple of start: 1 / (1 - d) locks the floor at the start.",
        help="the trailing floor stops rising once the peak reaches L x start",
    ),
    _K(
        "trades_per_day",
        "int",
        lo=1,
        hi=10_000,
        group="rules",
        optional=True,
        example="3",
        metavar="N",
        help="trade slots per day (days for the daily loss limit and the challenge; default 1)",
    ),
    _K(
        "daily_loss_limit",
        lo=0.0,
        hi=1.0,
        lo_incl=False,
        hi_incl=False,
        group="rules",
        optional=True,
        percent=True,
        example="0.05",
        metavar="X",
        hint="A fraction of the day's starting equity: use 0.05 for 5%.",
        help="a day's loss of X of the day's starting equity stops trading that day",
    ),
    _K(
        "daily_loss_action",
        "choice",
        choices=("pause", "end"),
        group="rules",
        optional=True,
        example="end",
        help="at the daily loss limit: pause the day, or end the account (default pause)",
    ),
    _K(
        "min_trading_days",
        "int",
        lo=0,
        hi=100_000,
        group="rules",
        optional=True,
        example="5",
        metavar="N",
        help="fewest trading days before a pass (goal) counts (default 0)",
    ),
)

_LEVERAGE = (
    _K(
        "leverage",
        lo=1.0,
        hi=MAX_LEVERAGE,
        group="leverage",
        default=1.0,
        unit="x",
        example="20",
        hint="Leverage is notional / margin: 1 means no leverage.",
        help="exchange leverage (notional / margin)",
    ),
    _K(
        "stop",
        lo=0.0,
        hi=1.0,
        lo_incl=False,
        hi_incl=False,
        group="leverage",
        default=0.01,
        percent=True,
        percent_of=" of the entry price",
        example="0.02",
        hint="It is a fraction of the entry price: 0.02 = 2%.",
        help="stop distance, fraction of the entry price",
    ),
    _K(
        "take_profit",
        lo=0.0,
        hi=1000.0,
        lo_incl=False,
        group="leverage",
        optional=True,
        percent=True,
        example="0.03",
        help="take-profit distance, fraction of entry (default payoff x stop)",
    ),
    _K(
        "drift",
        lo=-1.0,
        hi=1.0,
        group="leverage",
        optional=True,
        example="-0.001",
        hint="It is per day: 0.001 = 0.1% a day.",
        help="the market's drift: log-price drift per day, positive = the price rises "
        "(helps a long, hurts a short; as in `ruin odds`); 0 = no edge; instead of win_rate",
    ),
    _K(
        "volatility",
        lo=0.0,
        hi=1.0,
        lo_incl=False,
        group="leverage",
        default=0.03,
        percent=True,
        example="0.03",
        hint="It is the std of daily log returns: 0.03 = 3% a day.",
        help="std of daily log returns (default 0.03, or the asset's)",
    ),
    _K(
        "side",
        "choice",
        choices=("long", "short"),
        group="leverage",
        default="long",
        example="short",
        help="position side",
    ),
    _K(
        "mmr",
        lo=0.0,
        hi=1.0,
        hi_incl=False,
        group="leverage",
        default=0.005,
        percent=True,
        example="0.005",
        hint="Use 0.005 for a 0.5% maintenance-margin rate.",
        help="maintenance margin rate (default 0.005, or the venue tier's)",
    ),
    _K(
        "margin_mode",
        "choice",
        choices=("isolated", "cross"),
        group="leverage",
        default="isolated",
        example="cross",
        help="isolated or cross margin",
    ),
    _K(
        "venue",
        "choice",
        choices=names("venues"),
        group="leverage",
        optional=True,
        example="hyperliquid",
        help="venue preset: its fees, funding, tiers and liquidation rules",
    ),
    _K(
        "asset",
        "choice",
        choices=names("assets"),
        group="leverage",
        optional=True,
        example="eth",
        help="asset preset: volatility, slippage, tails, GARCH and jumps (btc with a venue)",
    ),
    _K(
        "funding_rate",
        lo=-0.1,
        hi=0.1,
        group="leverage",
        optional=True,
        example="-0.0001",
        hint="It is per funding interval: 0.0001 = 0.01% per 8 h.",
        help="funding per interval, fraction of notional; > 0 longs pay (default 0, or the "
        "venue's)",
    ),
    _K(
        "funding_interval_hours",
        lo=0.01,
        hi=720.0,
        group="leverage",
        default=8.0,
        unit="h",
        example="8",
        help="hours between funding payments (default 8, or the venue's)",
    ),
    _K(
        "funding_regime",
        "choice",
        choices=names("funding_regimes"),
        group="leverage",
        optional=True,
        example="bull",
        help="funding level preset (with a venue, or alone)",
    ),
    _K(
        "fee_bps",
        lo=0.0,
        hi=1000.0,
        group="leverage",
        optional=True,
        unit="bp",
        example="5",
        help="trading fee per fill, basis points of notional (default 0, or the venue's)",
    ),
    _K(
        "slippage_bps",
        lo=0.0,
        hi=1000.0,
        group="leverage",
        optional=True,
        unit="bp",
        example="2",
        help="slippage per fill, basis points (default 0, or the asset's)",
    ),
    _K(
        "liquidation_fee",
        lo=0.0,
        hi=0.5,
        group="leverage",
        optional=True,
        example="0.01",
        help="fee at liquidation, fraction of notional (default 0, or the venue's)",
    ),
    _K(
        "liquidation_rule",
        "choice",
        choices=("margin", "fill"),
        group="leverage",
        optional=True,
        example="fill",
        help="margin: lose the whole margin; fill: keep equity at the fill minus the fee",
    ),
    _K(
        "tails",
        "tails",
        lo=2.0,
        hi=1e6,
        lo_incl=False,
        group="leverage",
        default="normal",
        example="t:4",
        metavar="normal|t|t:DF",
        hint="Student-t needs more than 2 degrees of freedom for a finite variance.",
        help="shocks: normal, or Student-t with DF degrees of freedom (t: the asset's)",
    ),
    _K(
        "garch",
        "garch",
        group="leverage",
        optional=True,
        example="0.1,0.85",
        metavar="ALPHA,BETA",
        parts=(PARTS["garch_alpha"], PARTS["garch_beta"]),
        help="GARCH(1,1) volatility clustering: on (the asset's or 0.1,0.85) or ALPHA,BETA",
    ),
    _K(
        "jumps",
        "jumps",
        group="leverage",
        optional=True,
        example="0.01,-0.1,0.05",
        metavar="RATE,MEAN,SD",
        parts=tuple(
            PARTS[k]
            for k in ("jump_rate", "jump_mean", "jump_sd", "pump_rate", "pump_mean", "pump_sd")
        ),
        help="rare price gaps: on (the asset's crashes and pumps), RATE,MEAN,SD of crashes, or "
        "RATE,MEAN,SD,UP_RATE,UP_MEAN,UP_SD with pumps (per day, log sizes); the volatility "
        "excludes jumps",
    ),
    _K(
        "max_hold_days",
        lo=0.0,
        hi=3650.0,
        lo_incl=False,
        group="leverage",
        optional=True,
        unit="days",
        example="3",
        help="close at market after this many days",
    ),
    _K(
        "monitoring",
        "choice",
        choices=("continuous", "discrete"),
        group="leverage",
        default="continuous",
        example="discrete",
        help="discrete: stop and take-profit checked only every check_hours",
    ),
    _K(
        "check_hours",
        lo=0.01,
        hi=720.0,
        group="leverage",
        default=1.0,
        unit="h",
        example="4",
        help="hours between checks with monitoring = discrete",
    ),
    _K(
        "step_hours",
        lo=0.01,
        hi=24.0,
        group="leverage",
        optional=True,
        unit="h",
        example="2",
        help="simulation step (default from the barriers)",
    ),
    _K(
        "positions",
        "int",
        lo=1,
        hi=MAX_POSITIONS,
        group="leverage",
        default=1,
        example="3",
        help="concurrent positions per trade (portfolio heat), each risking risk",
    ),
    _K(
        "correlation",
        lo=0.0,
        hi=1.0,
        group="leverage",
        default=0.0,
        example="0.8",
        help="correlation of the concurrent positions' shocks",
    ),
    _K(
        "equity_usd",
        lo=0.0,
        hi=1e15,
        lo_incl=False,
        group="leverage",
        default=10_000.0,
        unit="USD",
        example="25000",
        help="starting equity in USD (picks the venue's margin tier)",
    ),
)

#: Every flat key of a run, by name, in ``--help`` order.
KEYS: dict[str, Key] = {
    k.name: k for k in (*_MODEL, *_ACCOUNT, *_RUN, *_BEHAVIOUR, *_RULES, *_LEVERAGE)
}

_ODDS_OWN = (
    _K(
        "horizon_days",
        lo=0.0,
        hi=MAX_HORIZON_DAYS,
        lo_incl=False,
        group="odds",
        unit="days",
        example="30",
        help="how long the position is held",
    ),
    _K(
        "monitoring",
        "step",
        lo=0.0,
        hi=MAX_HORIZON_DAYS,
        lo_incl=False,
        group="odds",
        default="continuous",
        example="0.25",
        hint="Use 'continuous' or a check interval in days no longer than the horizon.",
        help="'continuous', or the margin-check interval in days",
    ),
    _K(
        "entry",
        lo=0.0,
        lo_incl=False,
        group="odds",
        default=1.0,
        unit="USD",
        example="100000",
        hint="Entry is a price in USD.",
        help="entry price for reporting the liquidation price",
    ),
    _K(
        "max_leverage",
        lo=1.0,
        hi=MAX_LEVERAGE,
        group="odds",
        optional=True,
        unit="x",
        example="50",
        help="the venue's maximum leverage",
    ),
)


def _odds(name: str, **changes: Any) -> Key:
    return dataclasses.replace(KEYS[name], group="odds", **changes)


#: The keys of one held position (:func:`ruin.odds.liquidation_odds`): the run's keys where
#: the names agree (same range and message), with their own defaults, plus the odds' own.
ODDS_KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        _odds("leverage", default=None),
        _odds("mmr", default=None),
        _odds("volatility", default=None),
        _ODDS_OWN[0],
        _odds("drift", default=0.0, optional=False),
        _odds("side"),
        _odds("take_profit"),
        _ODDS_OWN[1],
        _odds("paths", default=20_000),
        _odds("seed"),
        _ODDS_OWN[2],
        _ODDS_OWN[3],
    )
}


def group(name: Group) -> frozenset[str]:
    """The names of the keys of one group of :data:`KEYS`."""
    return frozenset(k.name for k in KEYS.values() if k.group == name)


def defaults(which: Group | None = None) -> dict[str, Any]:
    """The table's defaults (``None``: off / not used), of one group or of every key."""
    return {k.name: k.default for k in KEYS.values() if which is None or k.group == which}
