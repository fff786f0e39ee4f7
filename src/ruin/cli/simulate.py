"""``ruin simulate``: the account Monte Carlo from the command line.

Its flags are generated from the key table :data:`ruin.keys.KEYS` (``--win-rate`` ->
``win_rate``; help line, default and reader from the table), in sections by group: the trade
model, the account, the run, the behaviour rules and the leveraged price-path model.
``--scenario NAME|FILE`` (and ``--variant``) give the lower layers of
:data:`ruin.keys.PRECEDENCE`; flags typed on the command line override them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.result import DEFAULT_DRAWDOWN_LEVELS
from ..engine.work import CLI_MAX_WORK, check_work, format_seconds
from ..errors import ParameterError, check_number
from ..keys import GROUPS, KEYS, Key
from ..keys.docs import default_text
from .common import add_json_flag, emit, float_list, key_type

__all__ = [
    "add_commands",
    "add_key_flags",
    "flag_options",
    "flat_params",
    "scenario_layers",
]


def flag_options(key: Key) -> dict[str, Any]:
    """``add_argument`` options of a key's flag, all from the table: its reader
    (:func:`ruin.cli.common.key_type`), help line, default and an example as typed."""
    example = f"{key.flag}={key.example}" if key.example.startswith("-") else key.example
    shown = default_text(key)
    text = key.help
    if key.default is not None and "default" not in text:
        text += f" (default {shown})"
    if example:
        text += f"; e.g. {example}"
    opts: dict[str, Any] = {
        "dest": key.name,
        "default": None,
        "type": key_type(key),
        "help": text.replace("%", "%%"),
    }
    if key.kind == "choice":
        opts["metavar"] = "{" + ",".join(key.choices) + "}"
    elif key.metavar:
        opts["metavar"] = key.metavar
    if key.kind in ("garch", "jumps"):  # a bare --garch switches it on
        opts.update(nargs="?", const=True)
    return opts


def add_key_flags(p: argparse.ArgumentParser) -> list[str]:
    """One flag per key of :data:`ruin.keys.KEYS`, in sections by group; returns the keys."""
    for grp, title in GROUPS.items():
        keys = [k for k in KEYS.values() if k.group == grp]
        if keys:
            g = p.add_argument_group(title)
            for key in keys:
                g.add_argument(key.flag, **flag_options(key))
    return list(KEYS)


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


def scenario_layers(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """The ``scenario`` and ``variant`` layers of ``--scenario`` (and ``--variant``), or
    ``{}`` without one."""
    name = getattr(args, "scenario", None)
    variant = getattr(args, "variant", None)
    if name is None:
        if variant is not None:
            raise ParameterError("--variant", "used together with --scenario", variant)
        return {}
    from ..studies.scenarios import find_scenario, scenario_file_layers  # lazy: CLI start-up

    return scenario_file_layers(find_scenario(name), variant)


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


def flat_params(args: argparse.Namespace, keys: list[str]) -> dict[str, Any]:
    """The flags the user actually gave, as flat parameters."""
    return {k: getattr(args, k) for k in keys if getattr(args, k, None) is not None}


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
    th = d.get("theory", {})
    for k, v in th.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            lines.append(f"  theory: {k:28s} {v:.6g}")
        elif k == "note":
            lines.append(f"  theory: {v}")
    if th.get("exact_available") is False:
        lines.append("  theory: exact answer not available for these inputs")
    return "\n".join(lines)


def run_simulate(args: argparse.Namespace) -> None:
    # imported here, not at the top: only commands that simulate import numba (CLI start-up)
    from ..config import build_scenario
    from ..simulate import simulate

    # --scenario NAME|FILE (and --variant) give the lower layers; flags typed override them
    layers = {**scenario_layers(args), "cli": flat_params(args, list(KEYS))}
    scenario = build_scenario(layers=layers)
    levels = args.drawdown_levels if args.drawdown_levels else DEFAULT_DRAWDOWN_LEVELS
    work = float(scenario.paths) * float(scenario.account.trades)
    check_work(
        work,
        check_number("--max-work", args.max_work, 1.0, None),
        got=f"{scenario.paths:,} paths x {scenario.account.trades:,} trades = {work:,.0f}",
    )
    result = simulate(scenario, drawdown_levels=levels, record=0, progress=duration_notice())
    summary = result.summary()
    # exact / closed-form values beside the simulation
    if getattr(result.scenario, "market", None) is None:  # leveraged: see "position"
        summary["theory"] = exact_beside(result.scenario, levels)
    emit(summary, args.json, _render)


def exact_beside(scenario: Any, levels: tuple[float, ...]) -> dict[str, Any]:
    """The exact answers shown beside a simulation, or a note where the closed forms and
    lattice cannot handle the inputs (a risk of 1e-17, trades of 1e308 R at fixed size):
    the simulation is still shown."""
    from ..exact import theory

    try:
        with np.errstate(all="ignore"):
            return theory(scenario, drawdown_levels=levels)
    except (ArithmeticError, ValueError, MemoryError):
        return {"note": "exact answer not available for these inputs"}


def duration_notice(
    stream: Any = None, after: float = 2.0, worth: float = 10.0
) -> Callable[[int, int], None]:
    """A ``progress`` callback that prints, once, the expected duration of a long run (one
    line on stderr, after ``after`` seconds, if the run will take more than ``worth``)."""
    t0 = time.perf_counter()
    said = [False]

    def progress(done: int, total: int) -> None:
        elapsed = time.perf_counter() - t0
        if said[0] or elapsed < after or done >= total:
            return
        left = elapsed * (total - done) / max(done, 1)
        if elapsed + left > worth:
            print(
                f"ruin: {format_seconds(elapsed + left)} for this run "
                f"({format_seconds(left)} left; Ctrl-C stops it)",
                file=stream or sys.stderr,
                flush=True,
            )
        said[0] = True

    return progress


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="Monte Carlo of account paths: ruin, drawdown, growth",
        description="Every flag is a flat key of ruin.keys.KEYS (--win-rate -> win_rate), the "
        "same names as in scenario and sweep files. A value starting with '-' can be typed "
        "as it is (--drift -0.001) or as --flag=VALUE.",
    )
    add_scenario_flag(p)
    add_key_flags(p)
    p.add_argument(
        "--drawdown-levels",
        type=float_list,
        default=None,
        metavar="X,...",
        help="levels X for P(max drawdown >= X), e.g. 0.1,0.2,0.5",
    )
    add_max_work_flag(p)
    add_json_flag(p)
    p.set_defaults(func=run_simulate)


def add_max_work_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-work",
        type=float,
        default=CLI_MAX_WORK,
        help=f"refuse runs above this many path-trades (default {CLI_MAX_WORK:.0e}; "
        "a run prints its expected duration when it will take more than 10 s)",
    )
