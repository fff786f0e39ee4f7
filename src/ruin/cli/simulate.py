"""``ruin simulate``: the account Monte Carlo from the command line.

Its flags map 1:1 to flat parameters (``--win-rate`` -> ``win_rate``): the account and trade
model, the behaviour rules (:data:`ruin.behaviour.BEHAVIOUR_KEYS`) and the leveraged
price-path model (:data:`ruin.market.LEVERAGE_KEYS`); ``--scenario NAME|FILE`` starts from a
scenario file and flags given on the command line override it.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..behaviour import BEHAVIOUR_KEYS
from ..config import build_scenario
from ..errors import ParameterError
from ..exact import theory
from ..market import LEVERAGE_KEYS
from ..rules import RULE_KEYS
from ..simulate import DEFAULT_DRAWDOWN_LEVELS, simulate
from ..studies.scenarios import find_scenario, scenario_params
from .common import add_json_flag, bool_arg, emit, float_list

__all__ = [
    "add_commands",
    "flat_params",
    "add_account_flags",
    "add_behaviour_flags",
    "BEHAVIOUR_FLAGS",
    "RULE_FLAGS",
    "add_rule_flags",
    "scenario_base",
]

# Flags whose value maps 1:1 to a flat parameter of ruin.config (dest = key).
ACCOUNT_FLAGS: list[tuple[str, dict[str, Any]]] = [
    ("--win-rate", {"type": float, "help": "P(win) per trade, e.g. 0.45"}),
    ("--payoff", {"type": float, "help": "R won on a win (reward:risk), e.g. 1.5"}),
    ("--risk", {"type": float, "help": "fraction risked per trade, e.g. 0.02 for 2%%"}),
    (
        "--sizing",
        {
            "choices": ["fractional", "fixed"],
            "help": "fractional: R = risk x current equity; fixed: risk x start",
        },
    ),
    ("--trades", {"type": int, "help": "trades per path N"}),
    ("--paths", {"type": int, "help": "number of simulated accounts"}),
    ("--seed", {"type": int, "help": "random seed (omit to draw one; it is printed)"}),
    (
        "--ruin-level",
        {"type": float, "help": "ruin when equity <= this fraction of start (0 = bust)"},
    ),
    ("--goal", {"type": float, "help": "stop when equity >= this multiple of start"}),
    ("--outcomes", {"help": "discrete outcome model 'R:prob,...', e.g. '-1:0.6,2:0.4'"}),
    ("--trades-file", {"help": "CSV/Parquet of your trades (column 'r' or 'return')"}),
    ("--bootstrap", {"choices": ["iid", "block"], "help": "resampling of --trades-file"}),
    ("--block-length", {"type": int, "help": "trades per block for --bootstrap block"}),
]


#: ``ruin simulate`` flags of the behaviour rules (dest = flat key of ruin.behaviour).
BEHAVIOUR_FLAGS: list[tuple[str, dict[str, Any]]] = [
    (
        "--martingale",
        {
            "type": float,
            "metavar": "M",
            "help": "multiply risk by M after each loss, reset after a win "
            "(revenge sizing), e.g. 2",
        },
    ),
    (
        "--anti-martingale",
        {
            "type": float,
            "metavar": "A",
            "help": "multiply risk by A after each win, reset after a loss",
        },
    ),
    ("--risk-cap", {"type": float, "help": "largest risk the rules may reach, e.g. 0.2"}),
    (
        "--drawdown-cut",
        {
            "type": float,
            "metavar": "X",
            "help": "cut risk while the drawdown is at least X, e.g. 0.2",
        },
    ),
    (
        "--drawdown-factor",
        {"type": float, "help": "risk multiplier in such a drawdown (default 0.5)"},
    ),
    (
        "--win-rate-sample",
        {
            "type": int,
            "metavar": "N",
            "help": "the win rate was measured on N trades: draw it per path "
            "from its Beta posterior",
        },
    ),
    (
        "--partial-tp",
        {"type": float, "metavar": "R", "help": "close part of the position at +R (exit rule)"},
    ),
    ("--partial-fraction", {"type": float, "help": "share closed at --partial-tp (default 0.5)"}),
    (
        "--breakeven",
        {
            "type": bool_arg,
            "metavar": "true|false",
            "help": "move the stop to entry after --partial-tp (default true)",
        },
    ),
    (
        "--scale-in-at",
        {
            "type": float,
            "metavar": "X",
            "help": "enter half, add half after an adverse move of X stop distances (0 < X < 1)",
        },
    ),
    (
        "--no-stop",
        {
            "type": float,
            "metavar": "D",
            "help": "remove the stop: liquidation D stop distances away is the only loss exit",
        },
    ),
    (
        "--liquidation-loss",
        {"type": float, "metavar": "L", "help": "R lost at liquidation with --no-stop (default D)"},
    ),
]
assert {f[2:].replace("-", "_") for f, _ in BEHAVIOUR_FLAGS} == set(BEHAVIOUR_KEYS)


#: ``ruin simulate`` flags of the account rules (dest = flat key of :mod:`ruin.rules`).
RULE_FLAGS: list[tuple[str, dict[str, Any]]] = [
    (
        "--trailing-drawdown",
        {
            "type": float,
            "metavar": "D",
            "help": "ruin when equity <= (1 - D) x its running peak, e.g. 0.1",
        },
    ),
    (
        "--trailing-lock",
        {
            "type": float,
            "metavar": "L",
            "help": "the trailing floor stops rising once the peak reaches L x start "
            "(1/(1-D) locks it at the start)",
        },
    ),
    (
        "--trades-per-day",
        {"type": int, "metavar": "K", "help": "trade slots per day (days for the rules below)"},
    ),
    (
        "--daily-loss-limit",
        {
            "type": float,
            "metavar": "X",
            "help": "a day's loss of X of the day's starting equity stops the day, e.g. 0.05",
        },
    ),
    (
        "--daily-loss-action",
        {
            "choices": ["pause", "end"],
            "help": "pause: no more trades that day (default); end: the account is failed",
        },
    ),
    (
        "--min-trading-days",
        {
            "type": int,
            "metavar": "N",
            "help": "challenge: a pass (--goal = profit target) counts from day N",
        },
    ),
]
assert {f[2:].replace("-", "_") for f, _ in RULE_FLAGS} == set(RULE_KEYS)


def add_rule_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "account rules: trailing drawdown, daily loss limit, prop-firm challenge",
        "A challenge: --goal is the profit target, --trades = max days x --trades-per-day; "
        "presets: `ruin scenarios` (challenge_*).",
    )
    for flag, kw in RULE_FLAGS:
        g.add_argument(flag, dest=flag[2:].replace("-", "_"), default=None, **kw)


def _render_rules(d: dict[str, Any]) -> list[str]:
    sh = d["stop_shares"]
    names = {
        "ruin_level": "ruin level",
        "trailing_drawdown": "trailing drawdown",
        "daily_loss_limit": "daily loss limit",
        "goal": "goal / pass",
        "horizon": "ran out of time",
    }
    lines = [
        "  stopped by                   "
        + "  ".join(f"{names[k]} {v['estimate']:.2%}" for k, v in sh.items() if v["estimate"])
    ]
    if "pass_probability" in d:
        pp = d["pass_probability"]
        lines.append(
            f"  challenge pass probability   {pp['estimate']:8.2%}  "
            f"[{pp['ci_low']:.2%}, {pp['ci_high']:.2%}]"
        )
        dp = d.get("days_to_pass")
        if dp:
            lines.append(
                f"  days to pass mean / median   {dp['mean']:.1f} / {dp['median']:.0f} "
                f"(90% within {dp['p90']:.0f})"
            )
    if d.get("paused_days_mean"):
        lines.append(f"  days cut by the daily limit  {d['paused_days_mean']:.2f} per account")
    return lines


def add_behaviour_flags(p: argparse.ArgumentParser) -> list[str]:
    """Add the behaviour flags to ``p``; returns their flat keys."""
    g = p.add_argument_group("behaviour and exit rules")
    keys = []
    for flag, kw in BEHAVIOUR_FLAGS:
        dest = flag[2:].replace("-", "_")
        g.add_argument(flag, dest=dest, default=None, **kw)
        keys.append(dest)
    return keys


def add_scenario_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scenario",
        metavar="NAME|FILE",
        default=None,
        help="start from a scenario (see `ruin scenarios`); flags override it",
    )
    p.add_argument(
        "--variant", default=None, help="with --scenario: run this named variant of the scenario"
    )


def scenario_base(args: argparse.Namespace) -> dict[str, Any]:
    """Flat parameters of ``--scenario`` (and ``--variant``), or ``{}`` without one."""
    name = getattr(args, "scenario", None)
    variant = getattr(args, "variant", None)
    if name is None:
        if variant is not None:
            raise ParameterError("--variant", "used together with --scenario", variant)
        return {}
    return scenario_params(find_scenario(name), variant)


# Leveraged price-path mode (ruin.market): any of these switches it on. Without --venue no
# fees, slippage, funding or liquidation fee are charged and --mmr (default 0.5%) is used.
LEVERAGE_FLAGS: list[tuple[str, dict[str, Any]]] = [
    ("--leverage", {"type": float, "help": "exchange leverage (notional / margin), >= 1"}),
    ("--stop", {"type": float, "help": "stop distance, fraction of entry price (0.01 = 1%%)"}),
    (
        "--take-profit",
        {"type": float, "help": "take-profit distance, fraction of entry (default payoff x stop)"},
    ),
    (
        "--drift",
        {
            "type": float,
            "help": "edge as log-price drift per day in the trade's favour (0 = no edge); "
            "instead of --win-rate",
        },
    ),
    ("--volatility", {"type": float, "help": "std of daily log returns (0.03 = 3%% a day)"}),
    ("--side", {"choices": ["long", "short"], "help": "position side"}),
    ("--mmr", {"type": float, "help": "maintenance margin rate (default 0.005)"}),
    ("--margin-mode", {"choices": ["isolated", "cross"], "help": "isolated or cross margin"}),
    (
        "--venue",
        {
            "help": "venue preset: hyperliquid, dydx, gmx_v2, binance, bybit "
            "(switches its fees, funding and liquidation rules on)"
        },
    ),
    ("--asset", {"help": "asset preset: btc, eth, altcoin, memecoin (volatility, slippage)"}),
    (
        "--funding-rate",
        {"type": float, "help": "funding per interval, fraction of notional; > 0 longs pay"},
    ),
    ("--funding-interval-hours", {"type": float, "help": "hours between funding payments"}),
    (
        "--funding-regime",
        {
            "choices": ["neutral", "bull", "bear"],
            "help": "funding level preset (with --venue or alone)",
        },
    ),
    ("--fee-bps", {"type": float, "help": "trading fee per fill, basis points of notional"}),
    ("--slippage-bps", {"type": float, "help": "slippage per fill, basis points"}),
    ("--liquidation-fee", {"type": float, "help": "fee at liquidation, fraction of notional"}),
    (
        "--liquidation-rule",
        {
            "choices": ["margin", "fill"],
            "help": "margin: lose the whole margin; fill: keep equity at the "
            "fill minus the liquidation fee",
        },
    ),
    ("--tails", {"help": "shocks: normal or t:DF (Student-t, DF > 2; 't' = asset preset)"}),
    (
        "--garch",
        {
            "nargs": "?",
            "const": True,
            "help": "GARCH(1,1) volatility clustering; optional daily 'ALPHA,BETA'",
        },
    ),
    (
        "--jumps",
        {
            "nargs": "?",
            "const": True,
            "help": "rare crash jumps; optional 'RATE_PER_DAY,MEAN,SD' (log sizes)",
        },
    ),
    ("--max-hold-days", {"type": float, "help": "close at market after this many days"}),
    (
        "--monitoring",
        {
            "choices": ["continuous", "discrete"],
            "help": "discrete: stop / take-profit checked only every --check-hours",
        },
    ),
    ("--check-hours", {"type": float, "help": "hours between checks (discrete monitoring)"}),
    ("--step-hours", {"type": float, "help": "simulation step (default from the barriers)"}),
    ("--positions", {"type": int, "help": "concurrent positions per trade (portfolio heat)"}),
    ("--correlation", {"type": float, "help": "correlation of concurrent positions, 0..1"}),
    ("--equity-usd", {"type": float, "help": "starting equity in USD (venue margin tiers)"}),
]


def add_leverage_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("leveraged price-path mode")
    for flag, kw in LEVERAGE_FLAGS:
        g.add_argument(flag, dest=flag[2:].replace("-", "_"), default=None, **kw)


def _check_leverage_edge(params: dict[str, Any]) -> None:
    """Leveraged mode: exactly one of win_rate and drift."""
    if not any(k in params for k in LEVERAGE_KEYS):
        return
    if ("win_rate" in params) == ("drift" in params):
        raise ParameterError(
            "--win-rate / --drift",
            "exactly one of the two in the leveraged mode",
            f"win_rate={params.get('win_rate')}, drift={params.get('drift')}",
            "Use --drift 0 for a trade with no edge.",
        )


def _render_leverage(d: dict[str, Any]) -> list[str]:
    liq, mix, pos = d["liquidation"], d["exit_mix"], d["position"]
    lines = [
        f"  liquidation per trade        {liq['per_trade']:.4%}   "
        f"P(>= 1 liquidation) {liq['path_probability']['estimate']:.2%}",
        "  exit mix                     " + "  ".join(f"{k} {v:.2%}" for k, v in mix.items()),
        f"  win rate input / realised    {d['win_rate_input']:.4f} / {d['win_rate_realized']:.4f}",
        f"  liquidation distance         {pos['liquidation_distance']:.2%} "
        f"(stop {pos['stop_distance']:.2%})",
        "  costs (x start equity)       "
        + "  ".join(f"{k} {v:.4f}" for k, v in d["costs"].items())
        + f"  bad debt {d['bad_debt']:.4f}",
    ]
    lines += [f"  warning: {w}" for w in d["warnings"]]
    return lines


def add_account_flags(p: argparse.ArgumentParser) -> None:
    for flag, kw in ACCOUNT_FLAGS:
        p.add_argument(flag, dest=flag[2:].replace("-", "_"), default=None, **kw)


def flat_params(args: argparse.Namespace, keys: list[str]) -> dict[str, Any]:
    """The flags the user actually gave, as flat parameters."""
    return {k: getattr(args, k) for k in keys if getattr(args, k, None) is not None}


def _render(d: dict[str, Any]) -> str:
    def pct(x: dict[str, float]) -> str:
        return f"{x['estimate']:8.2%}  [{x['ci_low']:.2%}, {x['ci_high']:.2%}]"

    lines = [
        f"seed {d['seed']}  paths {d['paths']:,}  trades {d['trades']:,}  "
        f"({d['elapsed_seconds']:.2f} s)",
        f"  probability of ruin          {pct(d['ruin_probability'])}",
    ]
    if "goal_probability" in d:
        lines.append(f"  probability of goal          {pct(d['goal_probability'])}")
    for lv, v in d["drawdown_exceedance"].items():
        lines.append(f"  P(max drawdown >= {float(lv):4.0%})     {pct(v)}")
    q = d["max_drawdown_quantiles"]
    lines.append(f"  max drawdown median / 95%    {q['0.5']:.1%} / {q['0.95']:.1%}")
    fe = d["final_equity"]
    lines.append(f"  final equity mean / median   {fe['mean']:.3f}x / {fe['median']:.3f}x")
    lines.append(f"  P(final equity < start)      {pct(fe['p_below_start'])}")
    lines.append(f"  realised win rate            {d['win_rate_realized']:.4f}")
    if "liquidation" in d:
        lines += _render_leverage(d)
    if "account_rules" in d:
        lines += _render_rules(d["account_rules"])
    for k, v in d.get("theory", {}).items():
        if isinstance(v, (int, float)):
            lines.append(f"  theory: {k:28s} {v:.6g}")
    return "\n".join(lines)


def run_simulate(args: argparse.Namespace) -> None:
    keys = [f[2:].replace("-", "_") for f, _ in ACCOUNT_FLAGS]
    keys += [f[2:].replace("-", "_") for f, _ in BEHAVIOUR_FLAGS]
    keys += [f[2:].replace("-", "_") for f, _ in LEVERAGE_FLAGS]
    keys += [f[2:].replace("-", "_") for f, _ in RULE_FLAGS]
    # --scenario NAME|FILE gives the base values; flags given on the command line override
    params = {**scenario_base(args), **flat_params(args, keys)}
    _check_leverage_edge(params)
    scenario = build_scenario(params)
    levels = args.drawdown_levels if args.drawdown_levels else DEFAULT_DRAWDOWN_LEVELS
    result = simulate(scenario, drawdown_levels=levels, record=0)
    summary = result.summary()
    # exact / closed-form values beside the simulation
    if getattr(result.scenario, "market", None) is None:  # leveraged: see "position"
        summary["theory"] = theory(result.scenario, drawdown_levels=levels)
    emit(summary, args.json, _render)


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simulate", help="Monte Carlo of account paths: ruin, drawdown, growth")
    add_account_flags(p)
    add_scenario_flag(p)
    add_behaviour_flags(p)
    add_rule_flags(p)
    add_leverage_flags(p)
    p.add_argument(
        "--drawdown-levels",
        type=float_list,
        default=None,
        help="levels X for P(max drawdown >= X), e.g. 0.1,0.2,0.5",
    )
    add_json_flag(p)
    p.set_defaults(func=run_simulate)
