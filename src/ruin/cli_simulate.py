"""``ruin simulate``: the account Monte Carlo from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from .cli import add_json_flag, emit, float_list
from .config import build_scenario
from .simulate import DEFAULT_DRAWDOWN_LEVELS, simulate

__all__ = ["add_commands", "flat_params", "add_account_flags"]

# Flags whose value maps 1:1 to a flat parameter of ruin.config (dest = key).
ACCOUNT_FLAGS: list[tuple[str, dict[str, Any]]] = [
    ("--win-rate", {"type": float, "help": "P(win) per trade, e.g. 0.45"}),
    ("--payoff", {"type": float, "help": "R won on a win (reward:risk), e.g. 1.5"}),
    ("--risk", {"type": float, "help": "fraction risked per trade, e.g. 0.02 for 2%%"}),
    ("--sizing", {"choices": ["fractional", "fixed"],
                  "help": "fractional: R = risk x current equity; fixed: risk x start"}),
    ("--trades", {"type": int, "help": "trades per path N"}),
    ("--paths", {"type": int, "help": "number of simulated accounts"}),
    ("--seed", {"type": int, "help": "random seed (omit to draw one; it is printed)"}),
    ("--ruin-level", {"type": float,
                      "help": "ruin when equity <= this fraction of start (0 = bust)"}),
    ("--goal", {"type": float, "help": "stop when equity >= this multiple of start"}),
    ("--outcomes", {"help": "discrete outcome model 'R:prob,...', e.g. '-1:0.6,2:0.4'"}),
    ("--trades-file", {"help": "CSV/Parquet of your trades (column 'r' or 'return')"}),
    ("--bootstrap", {"choices": ["iid", "block"], "help": "resampling of --trades-file"}),
    ("--block-length", {"type": int, "help": "trades per block for --bootstrap block"}),
]


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
    lines.append(
        f"  max drawdown median / 95%    {q['0.5']:.1%} / {q['0.95']:.1%}"
    )
    fe = d["final_equity"]
    lines.append(f"  final equity mean / median   {fe['mean']:.3f}x / {fe['median']:.3f}x")
    lines.append(f"  P(final equity < start)      {pct(fe['p_below_start'])}")
    lines.append(f"  realised win rate            {d['win_rate_realized']:.4f}")
    for k, v in d.get("theory", {}).items():
        if isinstance(v, (int, float)):
            lines.append(f"  theory: {k:28s} {v:.6g}")
    return "\n".join(lines)


def run_simulate(args: argparse.Namespace) -> None:
    keys = [f[2:].replace("-", "_") for f, _ in ACCOUNT_FLAGS]
    from .cli_scenarios import BEHAVIOUR_FLAGS, scenario_base

    keys += [f[2:].replace("-", "_") for f, _ in BEHAVIOUR_FLAGS]
    # --scenario NAME|FILE gives the base values; flags given on the command line override
    scenario = build_scenario({**scenario_base(args), **flat_params(args, keys)})
    levels = args.drawdown_levels if args.drawdown_levels else DEFAULT_DRAWDOWN_LEVELS
    result = simulate(scenario, drawdown_levels=levels, record=0)
    summary = result.summary()
    from .exact import theory  # exact / closed-form values beside the simulation

    summary["theory"] = theory(result.scenario, drawdown_levels=levels)
    emit(summary, args.json, _render)


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simulate", help="Monte Carlo of account paths: ruin, drawdown, growth")
    add_account_flags(p)
    from .cli_scenarios import add_behaviour_flags, add_scenario_flag

    add_scenario_flag(p)
    add_behaviour_flags(p)
    p.add_argument("--drawdown-levels", type=float_list, default=None,
                   help="levels X for P(max drawdown >= X), e.g. 0.1,0.2,0.5")
    add_json_flag(p)
    p.set_defaults(func=run_simulate)
