"""The ruin rules traders live under: trailing drawdown, daily loss limit, prop-firm challenge.

Definitions (the contract shared by the engine, the exact answer, the CLI and the app)
------------------------------------------------------------------------------------
* **Trailing drawdown** ``trailing_drawdown = d``: the account is ruined when its closed-trade
  equity is at or below ``(1 - d)`` x its running peak (the start counts as a peak), checked
  after each trade. With ``trailing_lock = L`` the peak used stops rising once it reaches
  ``L`` x start (``L = 1 / (1 - d)`` locks the floor at the starting balance, as many prop
  firms do). Without a lock and without a goal, "ruined by the trailing drawdown" is exactly
  "maximum drawdown >= d" (:func:`ruin.exact.trailing_drawdown_exact`).
* **Daily loss limit** ``daily_loss_limit = x`` with ``trades_per_day``: trades are grouped
  into days of ``trades_per_day`` trade slots; when a day's loss reaches ``x`` of the equity
  at the day's start, the rest of that day is not traded (``daily_loss_action = "pause"``)
  or the account ends (``"end"``: a challenge's fail). The horizon ``trades`` counts slots,
  so paused slots are days that pass without trades.
* **Prop-firm challenge**: the goal is the profit target, the trailing drawdown and the daily
  loss limit (``"end"``) are the fail rules, ``trades = max days x trades_per_day`` is the
  time allowed, and ``min_trading_days`` the fewest trading days before a pass counts. Pass
  probability = goal probability; a pass on day D counts on day ``max(D, min_trading_days)``
  (the trader is assumed to place only minimal trades after reaching the target). The
  summary's ``account_rules`` entry reports the share of accounts each rule stopped
  (``stop_shares``) and the days to pass.

The rules run with the i.i.d. trade models (Bernoulli, discrete, bootstrap) in their own
kernel (:mod:`ruin.engine.rules`; the plain Bernoulli lanes are not touched) and with the
leveraged model in its kernels (:mod:`ruin.market.run`), both through the one definition of
the per-trade checks (:func:`ruin.engine.rules.after_trade`). With the leveraged model a
day is ``trades_per_day`` trade slots as here; a paused slot places no trade, and the price
model's clock (which runs only while a trade is open) does not move.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .engine.driver import PathRun
from .engine.rules import STOP_NAMES, RuleTerms, run_rule_paths
from .engine.streams import TRADES
from .errors import ParameterError, check_choice, check_int, check_number
from .metrics import wilson

__all__ = [
    "AccountRules",
    "RULE_KEYS",
    "RULE_DEFAULTS",
    "RULE_OUTPUTS",
    "build_rules",
    "rule_terms",
    "rules_path_run",
    "rules_summary",
    "STOP_NAMES",
]

#: Flat keys of the account rules and their defaults (all off).
RULE_DEFAULTS: dict[str, Any] = {
    "trailing_drawdown": None,
    "trailing_lock": None,
    "trades_per_day": None,
    "daily_loss_limit": None,
    "daily_loss_action": None,
    "min_trading_days": None,
}
RULE_KEYS = frozenset(RULE_DEFAULTS)
#: Per-path outputs of a run under the rules (the driver's ``extra_outputs``).
RULE_OUTPUTS = (("stop_rule", np.int8, ()), ("paused_days", np.int32, ()))


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountRules:
    """Trailing drawdown, daily loss limit and challenge rules (see the module docstring).

    Parameters
    ----------
    trailing_drawdown : float or None
        d, 0 < d < 1: ruin when equity <= (1 - d) x running peak.
    trailing_lock : float or None
        Peak level (multiple of start, > 1) at which the trailing floor stops rising.
    trades_per_day : int
        Trade slots per day (1..10,000).
    daily_loss_limit : float or None
        x, 0 < x < 1: a day's loss of x of the day's starting equity stops the day.
    daily_loss_action : {"pause", "end"}
        What the daily loss limit does: pause the day or end the account.
    min_trading_days : int
        Fewest trading days before a pass (a goal) counts (0..100,000).
    """

    trailing_drawdown: float | None = None
    trailing_lock: float | None = None
    trades_per_day: int = 1
    daily_loss_limit: float | None = None
    daily_loss_action: Literal["pause", "end"] = "pause"
    min_trading_days: int = 0

    def __post_init__(self) -> None:
        if self.trailing_drawdown is not None:
            object.__setattr__(
                self,
                "trailing_drawdown",
                check_number(
                    "trailing_drawdown",
                    self.trailing_drawdown,
                    0.0,
                    1.0,
                    lo_incl=False,
                    hi_incl=False,
                    hint="A fraction of the peak: use 0.1 for 10%.",
                ),
            )
        if self.trailing_lock is not None:
            if self.trailing_drawdown is None:
                raise ParameterError(
                    "trailing_lock", "used with trailing_drawdown", self.trailing_lock
                )
            object.__setattr__(
                self,
                "trailing_lock",
                check_number(
                    "trailing_lock",
                    self.trailing_lock,
                    1.0,
                    1e12,
                    lo_incl=False,
                    hint="A multiple of start: 1 / (1 - d) locks the floor at the start.",
                ),
            )
        object.__setattr__(
            self, "trades_per_day", check_int("trades_per_day", self.trades_per_day, 1, 10_000)
        )
        if self.daily_loss_limit is not None:
            object.__setattr__(
                self,
                "daily_loss_limit",
                check_number(
                    "daily_loss_limit",
                    self.daily_loss_limit,
                    0.0,
                    1.0,
                    lo_incl=False,
                    hi_incl=False,
                    hint="A fraction of the day's starting equity: use 0.05 for 5%.",
                ),
            )
        check_choice("daily_loss_action", self.daily_loss_action, ("pause", "end"))
        object.__setattr__(
            self,
            "min_trading_days",
            check_int("min_trading_days", self.min_trading_days, 0, 100_000),
        )


def build_rules(p: Mapping[str, Any]) -> AccountRules | None:
    """The account rules of flat parameters ``p`` (None when no rule key is set)."""
    given = {k: p[k] for k in RULE_KEYS if p.get(k) is not None}
    if not given:
        return None
    if "daily_loss_action" in given and "daily_loss_limit" not in given:
        raise ParameterError(
            "daily_loss_action", "used with daily_loss_limit", given["daily_loss_action"]
        )
    return AccountRules(**given)


def rule_terms(rules: AccountRules, fractional: bool, risk: float) -> RuleTerms:
    """The kernels' numbers of ``rules`` (the lock as a state level of
    :mod:`ruin.engine.accounting`: log equity, or R won with fixed stakes)."""
    lock = rules.trailing_lock
    if lock is None:
        lock_x = math.inf
    elif fractional:
        lock_x = math.log(lock)
    else:
        lock_x = (lock - 1.0) / risk
    return RuleTerms(
        float(rules.trailing_drawdown or 0.0),
        float(lock_x),
        int(rules.trades_per_day),
        float(rules.daily_loss_limit or 0.0),
        rules.daily_loss_action == "end",
    )


def rules_summary(rules: AccountRules, goal: bool, outputs: Mapping[str, np.ndarray]) -> dict:
    """The summary's ``account_rules`` entry: stop shares, paused days, pass and days to
    pass (with a goal)."""
    codes = outputs["stop_rule"]
    n = int(codes.size)
    counts = np.bincount(codes.astype(np.int64), minlength=len(STOP_NAMES))
    shares = {name: wilson(int(counts[i]), n).as_dict() for i, name in enumerate(STOP_NAMES)}
    out: dict[str, Any] = {
        "stop_shares": shares,
        "trades_per_day": rules.trades_per_day,
        "paused_days_mean": float(outputs["paused_days"].mean()) if n else math.nan,
    }
    if goal:
        gt = outputs["goal_trade"]
        hit = gt[gt > 0].astype(np.float64)
        days = np.maximum(np.ceil(hit / rules.trades_per_day), rules.min_trading_days)
        out["pass_probability"] = shares["goal"]
        out["days_to_pass"] = (
            {
                "mean": float(days.mean()),
                "median": float(np.median(days)),
                "p90": float(np.quantile(days, 0.9)),
            }
            if days.size
            else None
        )
    return {"account_rules": out}


def rules_path_run(scenario: Any) -> PathRun:
    """The driver's run of an i.i.d. model under ``scenario.rules`` (a leveraged scenario
    under rules is run by :func:`ruin.market.run.market_path_run`, which takes them too)."""
    from .outcomes import iid_plan

    rules: AccountRules = scenario.rules
    if scenario.market is not None:
        raise ValueError("a leveraged scenario is run by ruin.market.run.market_path_run")
    if scenario.behaviour is not None:
        raise ParameterError(
            "trailing_drawdown / daily_loss_limit",
            "used with the i.i.d. trade models (win rate and payoff, outcomes or a trade "
            "file) or the leveraged model; not yet with the behaviour rules",
            "both",
        )
    acc = scenario.account
    plan = iid_plan(
        scenario.model,
        rule=scenario.sizing.rule,
        risk=scenario.sizing.risk,
        ruin_level=acc.ruin_level,
        goal=acc.goal,
        trades=acc.trades,
    )
    fractional = plan.fractional
    terms = rule_terms(rules, fractional, plan.risk)

    def run_chunk(keys, offset, count, outputs, rec):
        ((key0, key1),) = keys
        run_rule_paths(
            plan.model,
            fractional,
            key0,
            key1,
            np.int64(offset),
            np.int64(count),
            np.int64(plan.n_trades),
            plan.steps,
            plan.rvals,
            plan.thr32,
            plan.accept,
            plan.alias,
            np.int64(plan.block_len),
            plan.risk,
            plan.x_floor,
            plan.ruin_x,
            plan.goal_x,
            terms.trail_d,
            terms.lock_x,
            np.int64(terms.tpd),
            terms.day_lim,
            terms.day_end,
            outputs["final_equity"],
            outputs["max_drawdown"],
            outputs["ruin_trade"],
            outputs["goal_trade"],
            outputs["longest_losing_streak"],
            outputs["longest_underwater"],
            outputs["wins"],
            outputs["trades_taken"],
            outputs["stop_rule"],
            outputs["paused_days"],
            rec,
        )

    return PathRun(
        run_chunk=run_chunk,
        streams=(TRADES,),
        extra_outputs=RULE_OUTPUTS,
        summarize=functools.partial(rules_summary, rules, acc.goal is not None),
    )
