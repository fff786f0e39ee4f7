"""Scenarios with behaviour rules, run through the one driver (see :mod:`ruin.behaviour`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.driver import PathRun
from ..engine.streams import TRADES, WIN_RATE
from ..errors import ParameterError
from ..metrics import quantiles
from ..outcomes import Bernoulli, TradeModel, iid_path_run, iid_plan
from .exits import exit_rule_model
from .kernel import run_behaviour
from .rules import Behaviour

if TYPE_CHECKING:
    from ..params import Scenario

__all__ = ["behaviour_path_run"]


def _beta_params(model: TradeModel, rules: Behaviour) -> tuple[float, float]:
    """Beta(w + 1, n - w + 1) of win-rate doubt, or (0, 0) when the win rate is certain."""
    if rules.win_rate_sample is None:
        return 0.0, 0.0
    if not isinstance(model, Bernoulli):
        raise ParameterError(
            "win_rate_sample", "used with the win rate / payoff model", type(model).__name__
        )
    n = rules.win_rate_sample
    w = int(round(model.win_rate * n))
    return float(w + 1), float(n - w + 1)


def behaviour_path_run(scenario: Scenario) -> PathRun:
    """The driver's run of a scenario whose ``behaviour`` is set.

    Exit rules replace the Bernoulli model by its derived :class:`~ruin.outcomes.Discrete`
    model; sizing rules and win-rate uncertainty run :func:`run_behaviour`. The summary
    gains a ``"behaviour"`` entry: the exit-rule outcome model, the quantiles of the largest
    risk used per path and of the per-path win rate.
    """
    rules: Behaviour = scenario.behaviour
    if scenario.market is not None:
        raise ParameterError(
            "behaviour rules",
            "used with the win rate / payoff, outcomes or "
            "trades-file models (not yet with the leveraged market model)",
            "a market scenario",
        )
    sizing, account = scenario.sizing, scenario.account
    extra: dict[str, Any] = {}
    model = scenario.model
    if rules.has_exit_rule:
        model = exit_rule_model(scenario.model, rules)
        extra["exit_rule_outcomes"] = {
            "values": list(model.values),
            "probs": list(model.probs),
            "edge": model.edge,
        }
    where = {
        "rule": sizing.rule,
        "risk": sizing.risk,
        "ruin_level": account.ruin_level,
        "goal": account.goal,
        "trades": account.trades,
    }
    if not rules.has_state:
        plain = iid_path_run(model, **where)

        def summarize_plain(outputs: Mapping[str, np.ndarray]) -> dict[str, Any]:
            used = quantiles(np.array([sizing.risk]), (0.5, 0.99))
            return {"behaviour": {**extra, "max_risk_used": used}}

        return PathRun(run_chunk=plain.run_chunk, streams=plain.streams, summarize=summarize_plain)
    beta_a, beta_b = _beta_params(model, rules)
    plan = iid_plan(model, **where)
    dd_cut = rules.drawdown_cut if rules.drawdown_cut is not None else 0.0
    settings = (
        float(rules.martingale),
        float(rules.anti_martingale),
        float(rules.risk_cap),
        float(dd_cut),
        float(rules.drawdown_factor),
        beta_a,
        beta_b,
    )

    def run_chunk(keys, offset, count, outputs, rec) -> None:
        (key0, key1), (beta_key0, beta_key1) = keys
        run_behaviour(
            key0,
            key1,
            beta_key0,
            beta_key1,
            np.int64(offset),
            np.int64(count),
            np.int64(plan.n_trades),
            plan.model,
            plan.rvals,
            plan.thr32,
            plan.accept,
            plan.alias,
            np.int64(plan.block_len),
            plan.fractional,
            plan.risk,
            plan.x_floor,
            plan.ruin_x,
            plan.goal_x,
            *settings,
            outputs["final_equity"],
            outputs["max_drawdown"],
            outputs["ruin_trade"],
            outputs["goal_trade"],
            outputs["longest_losing_streak"],
            outputs["longest_underwater"],
            outputs["wins"],
            outputs["trades_taken"],
            outputs["max_risk"],
            outputs["path_p"],
            rec,
        )

    def summarize(outputs: Mapping[str, np.ndarray]) -> dict[str, Any]:
        out = {**extra, "max_risk_used": quantiles(outputs["max_risk"], (0.5, 0.9, 0.99))}
        if beta_a > 0:
            path_p = outputs["path_p"]
            out["path_win_rate"] = {
                "mean": float(path_p.mean()),
                "quantiles": quantiles(path_p, (0.05, 0.25, 0.5, 0.75, 0.95)),
            }
            out["edge_negative_share"] = float(np.mean(path_p * model.payoff - (1 - path_p) < 0))
        return {"behaviour": out}

    return PathRun(
        run_chunk=run_chunk,
        streams=(TRADES, WIN_RATE),
        extra_outputs=(("max_risk", np.float64, ()), ("path_p", np.float64, ())),
        summarize=summarize,
    )
