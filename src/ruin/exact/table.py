"""The theory table: every exact or closed-form value that exists for a :class:`Scenario`.

:func:`theory` is the ``theory`` key of the CLI JSON and the app's *Theory vs simulation*
table; :func:`exact_ruin_curve` is P(ruined by trade t), t = 0..N, for the survival chart.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine import TOL
from ..errors import ParameterError, check_number
from ..params import Bernoulli, Bootstrap, Scenario
from .approximations import APPROXIMATION_NOTES, approximations
from .closed_form import _lattice_units, fixed_stake_ruin, gamblers_ruin, gamblers_ruin_duration
from .drawdown import discrete_drawdown_exceedance_exact, drawdown_exceedance_exact
from .growth import kelly_fraction, kelly_fraction_discrete, log_growth, log_growth_discrete
from .lattice import MAX_DP_TRADES, _fixed_lattice, discrete_lattice_dp, lattice_dp
from .trailing import trailing_drawdown_exact

__all__ = ["theory", "exact_ruin_curve", "THEORY_DD_BUDGET"]

#: Cell-steps the drawdown DPs may use inside :func:`theory` (keeps the CLI fast).
THEORY_DD_BUDGET = 60_000_000

_DEFAULT_LEVELS = (0.1, 0.2, 0.3, 0.5)


def _market(scenario: Scenario) -> Any:
    return getattr(scenario, "market", None)


def exact_ruin_curve(scenario: Scenario) -> np.ndarray | None:
    """Exact P(ruined by trade t), t = 0..N, for a Bernoulli scenario (else ``None``).

    ``None`` when no exact DP applies: non-Bernoulli models, a price-path ``market`` model,
    behaviour rules, or N > :data:`MAX_DP_TRADES`. ``1 - curve`` is the survival curve the
    simulation estimates with ``SimulationResult.survival``.
    """
    m = scenario.model
    if not isinstance(m, Bernoulli) or _market(scenario) is not None:
        return None
    if getattr(scenario, "behaviour", None) is not None:
        return None
    acc = scenario.account
    if acc.trades > MAX_DP_TRADES:
        return None
    if getattr(scenario, "rules", None) is not None:
        tr = _trailing_exact(scenario)
        return None if tr is None or tr["by_trade"] is None else tr["by_trade"].copy()
    res = lattice_dp(
        m.win_rate,
        m.payoff,
        scenario.sizing.risk,
        sizing=scenario.sizing.rule,
        trades=acc.trades,
        ruin_level=acc.ruin_level,
        goal=acc.goal,
    )
    return res.ruin_by_trade.copy()


def _trailing_exact(scenario: Scenario) -> dict[str, Any] | None:
    """Exact trailing-drawdown ruin (:func:`ruin.exact.trailing_drawdown_exact`) when the
    scenario's only account rule is an unlocked trailing drawdown on a Bernoulli account
    without a static ruin level; else None."""
    r = scenario.rules
    m = scenario.model
    if (
        r is None
        or not isinstance(m, Bernoulli)
        or r.trailing_drawdown is None
        or r.trailing_lock is not None
        or r.daily_loss_limit is not None
        or scenario.account.ruin_level > 0.0
        or scenario.account.trades > MAX_DP_TRADES
    ):
        return None
    return trailing_drawdown_exact(
        m.win_rate,
        m.payoff,
        scenario.sizing.risk,
        sizing=scenario.sizing.rule,
        trades=scenario.account.trades,
        drawdown=r.trailing_drawdown,
        goal=scenario.account.goal,
        budget=THEORY_DD_BUDGET,
    )


def theory(
    scenario: Scenario, *, drawdown_levels: Sequence[float] = _DEFAULT_LEVELS
) -> dict[str, Any]:
    """Exact and closed-form values for ``scenario``: the ``theory`` key of the CLI JSON.

    Keys present depend on what exists (``notes`` explains what is missing and why):

    * ``edge_r_per_trade``: expected outcome of one trade in R.
    * ``kelly_fraction``: growth-optimal risk (Bernoulli ``p - q/b``; other models numeric
      over 0..1); ``growth_rate_per_trade_log`` = E log(1 + risk r) at the chosen risk (the
      growth rate of fractional sizing, nats per trade); ``growth_rate_at_kelly``.
    * Bernoulli only (exact lattice DP, same barriers as the engine):
      ``ruin_probability_exact`` (ruin within N trades), ``goal_probability_exact``,
      ``final_equity_mean_exact``, ``p_final_below_start_exact``,
      ``drawdown_exceedance_exact`` ({level: P(MDD >= level) or None}).
    * Infinite horizon: ``ruin_probability_infinite_horizon`` (fixed stake: root
      ``x^units``, gambler's ruin with a goal for payoff 1; ``..._is_bound`` says whether it
      is the upper bound for a non-integer payoff) and ``expected_trades_gamblers_ruin``.
    * ``approximations`` (name -> value) and ``approximation_notes`` (name -> what it
      assumes): the popular formulas, to be shown next to the exact value.
    * ``exact_available``: ``False`` (and only ``notes``) where the inputs overflow the
      closed forms and the lattice (:data:`NOT_AVAILABLE`); the simulation still answers.

    Parameters
    ----------
    scenario : Scenario
    drawdown_levels : sequence of float
        Levels X for the exact ``P(MDD >= X)``.

    Returns
    -------
    dict
        JSON-ready (floats, strings, lists, nested dicts; ``None`` where not computed).
    """
    levels = tuple(
        float(check_number("drawdown_levels", lv, 0.0, 1.0, lo_incl=False))
        for lv in drawdown_levels
    )
    # every field but paths and seed matters (including fields extensions add)
    key = (dataclasses.replace(scenario, paths=1, seed=0), levels)
    try:
        hash(key)
    except TypeError:  # pragma: no cover - an unhashable extension field
        return _theory_or_note(scenario, levels)
    return copy.deepcopy(_theory_cached(key, scenario, levels))


#: The note :func:`theory` returns where the closed forms or the lattice cannot handle the
#: inputs (a risk of 1e-17 needs a lattice of 10**17 states; trades of 1e308 R overflow).
NOT_AVAILABLE = (
    "Exact answer not available for these inputs (the closed forms and the lattice overflow "
    "or would need too many states, e.g. a risk near 0 or trade values near the float "
    "limit); only the simulation answers this scenario."
)


def _theory_or_note(scenario: Scenario, levels: tuple[float, ...]) -> dict[str, Any]:
    try:
        with np.errstate(all="ignore"):
            return _theory(scenario, levels)
    except (ArithmeticError, ValueError, MemoryError):
        return {"exact_available": False, "notes": [NOT_AVAILABLE]}


_THEORY_CACHE: dict[Any, dict[str, Any]] = {}


def _theory_cached(key: Any, scenario: Scenario, levels: tuple[float, ...]) -> dict[str, Any]:
    hit = _THEORY_CACHE.get(key)
    if hit is None:
        hit = _theory_or_note(scenario, levels)
        if len(_THEORY_CACHE) > 128:
            _THEORY_CACHE.clear()
        _THEORY_CACHE[key] = hit
    return hit


def closed_forms(scenario: Scenario) -> dict[str, float]:
    """The quick part of :func:`theory`: ``edge_r_per_trade``, ``kelly_fraction``,
    ``growth_rate_per_trade_log`` and ``growth_rate_at_kelly``, the same values under the
    same keys. Closed forms (Bernoulli) or a one-dimensional maximisation (other outcome
    models): no lattice, so a page can show them before the exact answers are done.

    Empty where :func:`theory` has none of them: the leveraged market model, behaviour rules,
    or inputs that overflow the closed forms.
    """
    if _market(scenario) is not None or getattr(scenario, "behaviour", None) is not None:
        return {}
    try:
        with np.errstate(all="ignore"):
            return _closed_forms(scenario, *scenario.r_outcomes())
    except (ArithmeticError, ValueError, MemoryError):
        return {}


def _closed_forms(scenario: Scenario, values: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    m = scenario.model
    f = scenario.sizing.risk
    out = {"edge_r_per_trade": float(np.dot(values, probs))}
    if isinstance(m, Bernoulli):
        p, b = m.win_rate, m.payoff
        kf = kelly_fraction(p, b)
        out["kelly_fraction"] = kf
        out["growth_rate_per_trade_log"] = log_growth(f, p, b)
        out["growth_rate_at_kelly"] = log_growth(kf, p, b) if kf > 0 else 0.0
    else:
        kf = kelly_fraction_discrete(values, probs)
        out["kelly_fraction"] = kf
        out["growth_rate_per_trade_log"] = log_growth_discrete(f, values, probs)
        out["growth_rate_at_kelly"] = log_growth_discrete(kf, values, probs) if kf > 0 else 0.0
    return out


def _theory(scenario: Scenario, levels: tuple[float, ...]) -> dict[str, Any]:
    m = scenario.model
    f = scenario.sizing.risk
    rule = scenario.sizing.rule
    acc = scenario.account
    notes: list[str] = []
    out: dict[str, Any] = {}
    if _market(scenario) is not None:
        notes.append(
            "A leveraged price-path market model sets each trade's outcome (stops, "
            "liquidation, fees), so the Bernoulli/discrete closed forms and lattice DPs do "
            "not apply; only the simulation answers this scenario."
        )
        out["notes"] = notes
        return out
    if getattr(scenario, "behaviour", None) is not None:
        notes.append(
            "Behaviour rules (state-dependent sizing, win-rate uncertainty or exit rules) "
            "change the sizing or the outcome model, so the plain closed forms and lattice "
            "DPs do not apply; only the simulation answers this scenario."
        )
        out["notes"] = notes
        return out
    values, probs = scenario.r_outcomes()
    out.update(_closed_forms(scenario, values, probs))
    kf = out["kelly_fraction"]
    if isinstance(m, Bernoulli):
        if kf <= 0:
            notes.append(
                "No edge (p*b - q <= 0): the Kelly fraction is not positive, the "
                "growth-optimal stake is zero."
            )
        elif f > kf:
            notes.append(
                f"Risk {f:g} is above the Kelly fraction {kf:.4g}: more risk for "
                "less growth" + (" (negative growth)." if f >= 2 * kf else ".")
            )
    else:
        kind = (
            "bootstrap of your trades (i.i.d. resampling)"
            if isinstance(m, Bootstrap)
            else "discrete outcome model"
        )
        notes.append(f"Kelly and growth for the {kind} by numeric maximisation of E log(1 + f r).")
        if isinstance(m, Bootstrap) and m.kind == "returns":
            notes.append(
                f"Trades given as returns are R = return / risk ({f:g}); at risk "
                "f every return is scaled by f / risk, so kelly_fraction / risk is "
                "the growth-optimal multiple of your original position sizes."
            )
        if isinstance(m, Bootstrap) and m.method == "block":
            notes.append(
                "Block bootstrap keeps serial dependence; Kelly and growth above "
                "treat trades as independent."
            )
    if rule == "fixed":
        notes.append(
            "growth_rate_per_trade_log is the growth rate fractional sizing at the "
            "same risk would have; a fixed stake does not compound."
        )

    if getattr(scenario, "rules", None) is not None:
        tr = _trailing_exact(scenario)
        if tr is not None and tr["probability"] is not None:
            out["ruin_probability_exact"] = tr["probability"]
            notes.append(
                "Trailing drawdown: ruin is the first trade whose drawdown from the running "
                f"peak reaches {scenario.rules.trailing_drawdown:g}; exact by the lattice DP "
                f"({tr['method']})."
            )
        else:
            notes.append(
                "Account rules (a trailing drawdown with a lock or a static ruin level, a "
                "daily loss limit, a challenge): "
                + (tr["note"] if tr is not None and tr["note"] else "no exact answer here")
                + "; the plain closed forms and lattice DPs do not apply, only the "
                "simulation answers this scenario."
            )
    elif isinstance(m, Bernoulli):
        _bernoulli_exact(out, notes, m, f, rule, acc, levels)
    else:
        _discrete_exact(out, notes, m, values, probs, f, rule, acc, levels)
    out["notes"] = notes
    return out


def _discrete_exact(out, notes, m, values, probs, f, rule, acc, levels) -> None:
    """Exact lattice answers for discrete / i.i.d. bootstrap outcomes with a fixed stake."""
    why = ""
    if rule != "fixed":
        why = (
            "with fractional sizing the log equity depends on how many times each "
            "outcome occurred (one dimension per outcome)"
        )
    elif isinstance(m, Bootstrap) and m.method == "block":
        why = "the block bootstrap is not i.i.d."
    elif acc.trades > MAX_DP_TRADES:
        why = f"N is above {MAX_DP_TRADES:,} trades"
    elif _fixed_lattice(np.unique(values)) is None:
        why = "the outcomes are not multiples of a common 1/k R (k <= 1000)"
    if not why:
        try:
            res = discrete_lattice_dp(
                values, probs, f, trades=acc.trades, ruin_level=acc.ruin_level, goal=acc.goal
            )
        except ParameterError as e:
            why = str(e)
    if why:
        notes.append(
            f"No exact ruin or drawdown DP for this model: {why}; the simulation is the answer."
        )
        return
    out["ruin_probability_exact"] = res.ruin_probability
    if acc.goal is not None:
        out["goal_probability_exact"] = res.goal_probability
    out["final_equity_mean_exact"] = res.final_equity_mean
    out["p_final_below_start_exact"] = res.p_final_below_start
    dd: dict[str, float | None] = {f"{lv:g}": None for lv in levels}
    left = float(THEORY_DD_BUDGET)
    missing: dict[str, list[float]] = {}  # why a level is not exact -> the levels
    for lv in sorted(set(levels)):
        r = discrete_drawdown_exceedance_exact(
            values,
            probs,
            f,
            trades=acc.trades,
            level=lv,
            ruin_level=acc.ruin_level,
            goal=acc.goal,
            budget=int(left),
        )
        left -= r["cost"] if r["probability"] is not None else 0.0
        dd[f"{lv:g}"] = r["probability"]
        if r["probability"] is None:
            missing.setdefault(r["note"], []).append(lv)
    out["drawdown_exceedance_exact"] = dd
    notes.extend(_drawdown_notes(missing))
    notes.append(
        "Fixed stake with outcomes on a lattice of R: ruin, goal, final equity and "
        "drawdown by exact lattice DP."
    )


def _drawdown_notes(missing: dict[str, list[float]], tail: str = "") -> list[str]:
    """One note per reason a drawdown level has no exact answer, naming all its levels (the
    page showed the same sentence once per level before)."""
    return [
        f"P(MDD >= x) for x = {', '.join(f'{lv:g}' for lv in levels)} not exact here: {why}{tail}."
        for why, levels in missing.items()
    ]


def _bernoulli_exact(out, notes, m: Bernoulli, f: float, rule: str, acc, levels) -> None:
    p, b = m.win_rate, m.payoff
    N = acc.trades
    if N <= MAX_DP_TRADES:
        res = lattice_dp(p, b, f, sizing=rule, trades=N, ruin_level=acc.ruin_level, goal=acc.goal)
        out["ruin_probability_exact"] = res.ruin_probability
        if acc.goal is not None:
            out["goal_probability_exact"] = res.goal_probability
        out["final_equity_mean_exact"] = res.final_equity_mean
        out["p_final_below_start_exact"] = res.p_final_below_start
        dd: dict[str, float | None] = {f"{lv:g}": None for lv in levels}
        left = float(THEORY_DD_BUDGET)  # shared by the levels, lowest (cheapest) first
        missing: dict[str, list[float]] = {}  # why a level is not exact -> the levels
        for lv in sorted(set(levels)):
            r = drawdown_exceedance_exact(
                p,
                b,
                f,
                sizing=rule,
                trades=N,
                level=lv,
                ruin_level=acc.ruin_level,
                goal=acc.goal,
                budget=int(left),
            )
            left -= r["cost"] if r["probability"] is not None else 0.0
            dd[f"{lv:g}"] = r["probability"]
            if r["probability"] is None:
                missing.setdefault(r["note"], []).append(lv)
        out["drawdown_exceedance_exact"] = dd
        notes.extend(
            _drawdown_notes(
                missing, " (call ruin.exact.drawdown_exceedance_exact with a larger budget)"
            )
        )
    else:
        notes.append(
            f"N = {N:,} trades is above {MAX_DP_TRADES:,}: the exact finite-horizon DP is skipped."
        )

    if rule == "fixed":
        units = (1.0 - acc.ruin_level) / f
        if abs(b - 1.0) <= 1e-12:
            i = _lattice_units(units)
            target = None
            if acc.goal is not None:
                g = (acc.goal - 1.0) / f
                target = i + max(1, math.ceil(g - TOL * max(1.0, g)))
            out["ruin_probability_infinite_horizon"] = gamblers_ruin(p, i, target)
            out["ruin_probability_infinite_horizon_is_bound"] = False
            out["expected_trades_gamblers_ruin"] = gamblers_ruin_duration(p, i, target)
            notes.append(
                f"Payoff 1 with a fixed stake is the gambler's ruin: start {i} "
                "units above ruin"
                + (f", target {target}" if target else "")
                + "; infinite-horizon values by closed form."
            )
        elif acc.goal is None:
            fs = fixed_stake_ruin(p, b, units)
            out["fixed_stake_root"] = fs["root"]
            out["ruin_probability_infinite_horizon"] = fs["ruin_probability"]
            out["ruin_probability_infinite_horizon_is_bound"] = not fs["exact"]
            if not fs["exact"]:
                out["ruin_probability_infinite_horizon_lower_bound"] = fs["lower_bound"]
                notes.append(
                    "Non-integer payoff: the barrier can be overshot, so x^units is "
                    "an upper bound and x^(units+1) a lower bound."
                )
        else:
            notes.append(
                "Infinite-horizon ruin with a goal has no closed form for payoff "
                "!= 1; see ruin_probability_exact for the N-trade answer."
            )
    elif acc.ruin_level == 0.0:
        if f < 1.0:
            out["ruin_probability_infinite_horizon"] = 0.0
            out["ruin_probability_infinite_horizon_is_bound"] = False
            notes.append("Fractional sizing with ruin_level 0 never reaches zero equity.")
        else:
            out["ruin_probability_infinite_horizon"] = 1.0
            out["ruin_probability_infinite_horizon_is_bound"] = False
    out["approximations"] = approximations(p, b, f, ruin_level=acc.ruin_level, sizing=rule)
    out["approximation_notes"] = {k: APPROXIMATION_NOTES[k] for k in out["approximations"]}
    if "ruin_probability_exact" in out:
        notes.append(
            "Approximations are infinite-horizon formulas; compare them with "
            "ruin_probability_infinite_horizon where given, and with "
            "ruin_probability_exact (N trades) to see the horizon effect."
        )
