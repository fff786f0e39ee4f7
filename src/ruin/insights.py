"""What the teaching page reads out of a run (no streamlit).

Every number and plain-words judgement the page shows beside the charts is decided here, so
the page only places it:

* :func:`headline` — the headline estimates with their 95% intervals and the Kelly fraction
  (closed form, or the leveraged position's);
* :func:`kelly_text`, :func:`sizing_warnings`, :func:`run_warnings`, :func:`growth_note` —
  the Kelly comparison, the "no edge" / "risk above Kelly" warnings and the growth note;
* :func:`theory_rows` / :func:`theory_table` — theory beside simulation, with the check
  whether the exact value sits inside the 95% interval (:func:`in_interval`);
* :func:`sweep_base` / :func:`risk_sweep` — the same scenario and seed at other risks;
* :func:`liquidation_views` — the liquidation-odds curve and the leverage x volatility grid;
* :func:`exit_mix_frame`, :func:`cost_breakdown`, :func:`compare_table`,
  :func:`paths_to_record`, :func:`lesson_table` — small frames and rules of the other
  sections.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from . import odds
from .metrics import Proportion, quantile_interval, wilson
from .params import Scenario
from .simulate import SimulationResult, simulate

__all__ = [
    "DAYS_PER_YEAR",
    "Headline",
    "LiquidationViews",
    "SWEEP_PATHS",
    "SWEEP_RISKS",
    "annualised",
    "compare_table",
    "cost_breakdown",
    "exit_mix_frame",
    "growth_note",
    "headline",
    "in_interval",
    "interval_text",
    "kelly_text",
    "lesson_table",
    "APPROXIMATION_LABELS",
    "approximation_notes",
    "median_note",
    "RULE_LABELS",
    "liquidation_distance_table",
    "liquidation_views",
    "paths_to_record",
    "pct",
    "risk_sweep",
    "run_warnings",
    "simulated_log_growth",
    "sizing_warnings",
    "sweep_base",
    "theory_rows",
    "theory_table",
]

#: Days a year of a perpetual (crypto trades every day): annual vol = daily x sqrt(365).
DAYS_PER_YEAR = 365
#: Accounts per risk level in the risk-per-trade sweep.
SWEEP_PATHS = 2000
#: Risks per trade (fractions of equity) of the sweep.
SWEEP_RISKS = (0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4)
#: Leverages of the liquidation-odds curve (those with ``leverage x mmr < 1`` are shown).
CURVE_LEVERAGES = (1, 2, 3, 5, 10, 20, 25, 50, 75, 100, 125, 200, 500, 1000)
#: Highest leverage in the leverage x volatility heat map.
GRID_MAX_LEVERAGE = 125
#: Annualised volatilities (rows of the heat map).
GRID_ANNUAL_VOLS = (0.2, 0.35, 0.5, 0.75, 1.0, 1.5)


# --------------------------------------------------------------------------- formatting


def pct(x: float | None, d: int = 1) -> str:
    """``0.1234 -> "12.3%"``; ``None`` or a non-finite value -> ``"—"``."""
    return "—" if x is None or not np.isfinite(x) else f"{x:.{d}%}"


def interval_text(lo: float, hi: float, fmt: str = ".1%") -> str:
    """``"95% interval 1.0% – 2.0%"``."""
    return f"95% interval {lo:{fmt}} – {hi:{fmt}}"


def annualised(daily_volatility: float) -> float:
    """Annualised volatility of a daily one: ``daily x sqrt(365)``."""
    return daily_volatility * np.sqrt(DAYS_PER_YEAR)


# --------------------------------------------------------------------------- headline


@dataclasses.dataclass(frozen=True, slots=True)
class Headline:
    """The page's headline estimates.

    Quantiles are ``(estimate, ci_low, ci_high)`` (:func:`ruin.metrics.quantile_interval`);
    ``liquidation`` is the Wilson estimate dict of P(at least one liquidation) or ``None``
    without the leveraged model; ``win_interval`` is ``None`` when no trade was taken;
    ``kelly`` is the growth-optimal risk per trade or ``None`` when no closed form applies.
    """

    ruin: Proportion
    mdd_median: tuple[float, float, float]
    mdd_95: tuple[float, float, float]
    final_median: tuple[float, float, float]
    liquidation: dict[str, float] | None
    win_rate: float
    win_interval: Proportion | None
    kelly: float | None


def headline(
    result: SimulationResult,
    summary: Mapping[str, Any],
    theory: Mapping[str, Any],
    position: Mapping[str, Any] | None,
) -> Headline:
    """Headline numbers of a run.

    The Kelly fraction is the leveraged position's (``position["kelly_risk"]``,
    :func:`ruin.market.describe_position`) when there is one, else the closed form's
    (``theory["kelly_fraction"]``, :func:`ruin.exact.theory`).
    """
    kelly = theory.get("kelly_fraction")
    if position is not None:
        kelly = position["kelly_risk"]
    liq = (summary.get("liquidation") or {}).get("path_probability")
    n_tr = int(result.trades_taken.sum())
    return Headline(
        ruin=result.ruin,
        mdd_median=quantile_interval(result.max_drawdown, 0.5),
        mdd_95=quantile_interval(result.max_drawdown, 0.95),
        final_median=quantile_interval(result.final_equity, 0.5),
        liquidation=liq if isinstance(liq, dict) and "estimate" in liq else None,
        win_rate=result.win_rate_realized,
        win_interval=wilson(int(result.wins.sum()), n_tr) if n_tr else None,
        kelly=kelly,
    )


def kelly_text(risk: float, kelly: float) -> tuple[str, str]:
    """(metric value, caption) comparing the risk per trade with the Kelly fraction.

    >>> kelly_text(0.03, 0.0125)
    ('1.25%', 'you risk 3.00% = 2.40× Kelly')
    >>> kelly_text(0.02, -0.1)
    ('no edge', 'you risk 2.00% = with no edge')
    """
    value = pct(kelly, 2) if kelly > 0 else "no edge"
    ratio = risk / kelly if kelly > 0 else float("inf")
    caption = f"you risk {risk:.2%} = " + (
        f"{ratio:.2f}× Kelly" if np.isfinite(ratio) else "with no edge"
    )
    return value, caption


def sizing_warnings(
    risk: float, theory: Mapping[str, Any], kelly: float | None, position: Mapping[str, Any] | None
) -> list[str]:
    """The "no edge" and "risk above Kelly" warnings (markdown), for non-leveraged runs.

    No edge: the closed form's mean trade ``theory["edge_r_per_trade"] <= 0``. Risk above
    Kelly: ``risk > kelly > 0``, with "the typical account shrinks" from 2x Kelly. The
    leveraged model words its own warnings (:func:`ruin.market.leverage_warnings`).
    """
    if position is not None:
        return []
    edge = theory.get("edge_r_per_trade")
    if edge is not None and edge <= 0:
        return [
            f"**No edge.** The average trade makes {edge:+.3f}R. Position sizing cannot "
            "turn a losing game into a winning one; it only changes how fast you lose."
        ]
    if kelly is not None and kelly > 0 and risk > kelly:
        return [
            f"**Risk above Kelly.** You risk {risk:.2%} per trade but the growth-optimal "
            f"stake is {kelly:.2%}. Beyond Kelly you take more risk for *less* growth"
            + (" — at 2× Kelly or more, the typical account shrinks." if risk >= 2 * kelly else ".")
        ]
    return []


def run_warnings(summary: Mapping[str, Any]) -> list[str]:
    """The run summary's own warnings as sentences: ``"**Warning:** Capitalised."``."""
    out = []
    for wmsg in summary.get("warnings", []) or []:
        text = str(wmsg)
        out.append(
            "**Warning:** " + text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
        )
    return out


def growth_note(risk: float, theory: Mapping[str, Any], kelly: float | None) -> str | None:
    """How the typical account grows per 100 trades now and at Kelly (closed form only).

    ``None`` when there is no closed-form growth rate or no positive growth at Kelly.
    """
    g_now = theory.get("growth_rate_per_trade_log")
    g_k = theory.get("growth_rate_at_kelly")
    if g_now is None or not g_k:
        return None
    return (
        f"At {risk:.2%} risk the typical account grows "
        f"{np.expm1(g_now * 100):+.1%} per 100 trades; at Kelly "
        f"({kelly:.2%}) it would grow {np.expm1(g_k * 100):+.1%}."
    )


# --------------------------------------------------------------------------- theory


def in_interval(value: float | None, ci: tuple[float, float] | None) -> str:
    """``"✓ inside"`` / ``"✗ outside"`` the 95% interval (1e-12 slack), ``""`` without one.

    >>> in_interval(0.5, (0.4, 0.6)), in_interval(0.7, (0.4, 0.6)), in_interval(0.5, None)
    ('✓ inside', '✗ outside', '')
    """
    if ci is None or value is None:
        return ""
    return "✓ inside" if ci[0] - 1e-12 <= value <= ci[1] + 1e-12 else "✗ outside"


def simulated_log_growth(result: SimulationResult, scenario: Scenario) -> float | None:
    """Mean log growth per trade of the simulated accounts, where it compares with
    ``g(f)``: fractional sizing, no goal and no account ruined (else ``None``)."""
    if (
        scenario.account.goal is not None
        or scenario.sizing.rule != "fractional"
        or np.any(result.ruin_trade > 0)
    ):
        return None
    return float(np.mean(np.log(np.maximum(result.final_equity, 1e-300))) / max(result.trades, 1))


def _prop(d: Mapping[str, float]) -> tuple[str, tuple[float, float]]:
    return (
        f"{d['estimate']:.4f} [{d['ci_low']:.4f}, {d['ci_high']:.4f}]",
        (d["ci_low"], d["ci_high"]),
    )


def theory_rows(
    scenario: Scenario,
    result: SimulationResult,
    summary: Mapping[str, Any],
    theory: Mapping[str, Any],
) -> list[dict[str, str]]:
    """Rows of the *Theory vs simulation* table (all text).

    Columns: ``quantity``, ``simulation (95% interval)``, ``theory`` (4 significant digits,
    "—" when none), ``kind`` (exact, closed form, upper bound, approximation) and
    ``theory in interval?`` (:func:`in_interval`).
    """
    rows: list[dict[str, str]] = []

    def add(
        name: str, sim: str, exact_val: Any, kind: str, ci: tuple[float, float] | None = None
    ) -> None:
        rows.append(
            {
                "quantity": name,
                "simulation (95% interval)": sim,
                "theory": "—" if exact_val is None else f"{exact_val:.4g}",
                "kind": kind,
                "theory in interval?": in_interval(exact_val, ci),
            }
        )

    txt, ci = _prop(result.ruin.as_dict())
    add(
        f"P(ruin within {scenario.account.trades:,} trades)",
        txt,
        theory.get("ruin_probability_exact"),
        "exact (lattice DP)",
        ci,
    )
    if scenario.account.goal is not None:
        txt, ci = _prop(result.goal.as_dict())
        add("P(reach goal)", txt, theory.get("goal_probability_exact"), "exact (lattice DP)", ci)
    add(
        "mean final equity (×)",
        f"{summary['final_equity']['mean']:.4g}",
        theory.get("final_equity_mean_exact"),
        "exact (lattice DP)",
    )
    txt, ci = _prop(summary["final_equity"]["p_below_start"])
    add("P(final equity < start)", txt, theory.get("p_final_below_start_exact"), "exact", ci)
    for lv, v in (theory.get("drawdown_exceedance_exact") or {}).items():
        d = summary["drawdown_exceedance"].get(lv)
        if d is not None:
            txt, ci = _prop(d)
            add(f"P(max drawdown ≥ {float(lv):.0%})", txt, v, "exact", ci)
    if "ruin_probability_infinite_horizon" in theory:
        add(
            "P(ruin ever, infinite horizon)",
            "—",
            theory["ruin_probability_infinite_horizon"],
            "upper bound"
            if theory.get("ruin_probability_infinite_horizon_is_bound")
            else "closed form",
        )
    if theory.get("growth_rate_per_trade_log") is not None:
        sim_g = simulated_log_growth(result, scenario)
        add(
            "log growth per trade",
            "—" if sim_g is None else f"{sim_g:.5f}",
            theory["growth_rate_per_trade_log"],
            "closed form",
        )
    for name, v in (theory.get("approximations") or {}).items():
        label, _ = APPROXIMATION_LABELS.get(name, (name, ""))
        add(label, "—", v, "approximation ⚠")
    return rows


#: Human names of the popular approximations (keys of :func:`ruin.exact.approximations`)
#: and a line on what each assumes (the full notes: ``APPROXIMATION_NOTES``).
APPROXIMATION_LABELS: dict[str, tuple[str, str]] = {
    "classic_(1-edge)/(1+edge)^units": (
        "Classic formula ((1 − edge)/(1 + edge))^units",
        "a coin that pays 1 for 1 (edge = win rate − loss rate), a fixed stake, forever; it "
        "ignores the payoff, so with 50% winners or fewer it says 1 (certain ruin) even when "
        "the payoff gives a real edge",
    ),
    "payoff_adjusted_(1-edge)/(1+edge)^units": (
        "Classic formula with the expectancy in R",
        "the classic formula with edge = expected R per trade plugged in; no derivation "
        "behind it; fixed stake, forever",
    ),
    "(q/(p*payoff))^units": (
        "Web-calculator formula (loss rate / (win rate × payoff))^units",
        "the formula of many online calculators; fixed stake, forever; not a solution of "
        "any ruin equation unless the payoff is 1",
    ),
    "diffusion_exp(-2*mu*units/sigma^2)": (
        "Brownian (diffusion) approximation",
        "trades replaced by a smooth random walk with the same mean and variance; forever; "
        "ignores how far the last loss overshoots the ruin line",
    ),
    "lundberg_bound_fractional": (
        "Lundberg bound (fractional sizing)",
        "an upper bound for an infinite horizon: the true ruin chance is at most this",
    ),
}


def approximation_notes(theory: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(human name, what it assumes) for each approximation in ``theory``; a value of 1 is
    explained where it appears."""
    out = []
    for key, v in (theory.get("approximations") or {}).items():
        label, line = APPROXIMATION_LABELS.get(key, (key, ""))
        full = (theory.get("approximation_notes") or {}).get(key, "")
        text = (line[:1].upper() + line[1:] + ". " if line else "") + (
            f"Details: {full}" if full else ""
        )
        if isinstance(v, (int, float)) and v >= 1.0:
            text += " Here it gives 1: the formula says ruin is certain; compare the simulation."
        out.append((label, text))
    return out


def theory_table(
    scenario: Scenario,
    result: SimulationResult,
    summary: Mapping[str, Any],
    theory: Mapping[str, Any],
) -> pl.DataFrame:
    """:func:`theory_rows` as a polars frame (empty frame when there are no rows)."""
    return pl.DataFrame(theory_rows(scenario, result, summary, theory))


# --------------------------------------------------------------------------- risk sweep


def sweep_base(scenario: Scenario) -> Scenario:
    """The scenario the risk sweep is keyed on: at most :data:`SWEEP_PATHS` paths and the
    first sweep risk in place of its own, so moving the risk slider reuses a cached sweep."""
    return dataclasses.replace(
        scenario,
        paths=min(scenario.paths, SWEEP_PATHS),
        sizing=dataclasses.replace(scenario.sizing, risk=SWEEP_RISKS[0]),
    )


def risk_sweep(base: Scenario, risks: tuple[float, ...] = SWEEP_RISKS) -> pl.DataFrame:
    """The same scenario and seed re-run at each risk per trade (no paths recorded).

    Returns
    -------
    polars.DataFrame
        One row per risk: ``risk``, ``median_growth`` (median final equity, floored at
        1e-6 for the log axis), ``p_ruin`` and its Wilson interval ``p_ruin_lo``,
        ``p_ruin_hi`` — the frame :func:`ruin.charts.risk_sweep_chart` draws.
    """
    rows = []
    for f in risks:
        s = dataclasses.replace(base, sizing=dataclasses.replace(base.sizing, risk=f))
        r = simulate(s, record=0)
        p = r.ruin
        rows.append(
            {
                "risk": f,
                "median_growth": max(float(np.median(r.final_equity)), 1e-6),
                "p_ruin": p.estimate,
                "p_ruin_lo": p.ci_low,
                "p_ruin_hi": p.ci_high,
            }
        )
    return pl.DataFrame(rows)


def paths_to_record(scenario: Scenario) -> int:
    """Equity curves the page records for its charts: 50 to 1,000, at most ~2 M points."""
    return int(max(50, min(1000, scenario.paths, 2_000_000 // (scenario.account.trades + 1))))


# --------------------------------------------------------------------------- leverage


@dataclasses.dataclass(frozen=True, slots=True)
class LiquidationViews:
    """Closed-form liquidation odds around a leveraged trade (:func:`ruin.odds`).

    ``horizon`` is in days; ``curve`` has one row per leverage at the trade's volatility;
    ``grid`` holds leverage x volatility with an ``annual_vol`` column (rounded to 0.01).
    """

    horizon: float
    curve: pl.DataFrame
    grid: pl.DataFrame


def liquidation_views(market: Any) -> LiquidationViews:
    """Liquidation odds of a :class:`ruin.market.LeveragedTrade`'s setup, ignoring its stop.

    The horizon is the time stop (1 day without one). The curve spans
    :data:`CURVE_LEVERAGES` below ``1 / mmr``; the grid spans those up to
    :data:`GRID_MAX_LEVERAGE` against :data:`GRID_ANNUAL_VOLS`.

    Raises
    ------
    ParameterError
        When the closed form refuses the setup (e.g. a volatility out of range).
    """
    horizon = float(market.max_hold_days or 1.0)
    levs = [x for x in CURVE_LEVERAGES if x * market.mmr < 1]
    curve = odds.liquidation_grid(
        levs, [market.volatility], [horizon], mmr=market.mmr, side=market.side
    )
    vols = [v / np.sqrt(DAYS_PER_YEAR) for v in GRID_ANNUAL_VOLS]
    grid = odds.liquidation_grid(
        [x for x in levs if x <= GRID_MAX_LEVERAGE],
        vols,
        [horizon],
        mmr=market.mmr,
        side=market.side,
    ).with_columns((pl.col("volatility") * np.sqrt(DAYS_PER_YEAR)).round(2).alias("annual_vol"))
    return LiquidationViews(horizon=horizon, curve=curve, grid=grid)


def exit_mix_frame(summary: Mapping[str, Any]) -> pl.DataFrame | None:
    """``exit`` / ``share`` of how the simulated trades ended (``None`` without a mix)."""
    mix = summary.get("exit_mix") or {}
    if not mix:
        return None
    return pl.DataFrame(
        {
            "exit": list(mix),
            "share": [float(v["estimate"] if isinstance(v, dict) else v) for v in mix.values()],
        }
    )


def cost_breakdown(summary: Mapping[str, Any]) -> tuple[float, str]:
    """(total costs per trade in R, ``"fees 0.010R, ..."`` or ``"none"``)."""
    costs = summary.get("costs") or {}
    total = sum(float(v) for v in costs.values())
    return total, ", ".join(f"{k} {float(v):.3f}R" for k, v in costs.items()) or "none"


# --------------------------------------------------------------------------- compare


def _compare_row(r: SimulationResult) -> dict[str, str]:
    return {
        "P(ruin)": pct(r.ruin.estimate),
        "median max drawdown": pct(float(np.median(r.max_drawdown))),
        "median final equity": f"{float(np.median(r.final_equity)):.3f}×",
        "P(final < start)": pct(float(np.mean(r.final_equity < 1.0))),
    }


def compare_table(a: SimulationResult, b: SimulationResult) -> pl.DataFrame:
    """A vs B: P(ruin), median max drawdown, median final equity, P(final < start)."""
    ra, rb = _compare_row(a), _compare_row(b)
    return pl.DataFrame(
        {"metric": list(ra), "A (pinned)": list(ra.values()), "B (current)": list(rb.values())}
    )


# --------------------------------------------------------------------------- lessons page


#: Words for the lesson table's columns (what a student reads), and how each is shown.
LESSON_COLUMNS: dict[str, tuple[str, str]] = {
    "variant": ("Variant", "text"),
    "ruin_probability": ("Accounts ruined", "percent"),
    "goal_probability": ("Accounts that reached the goal", "percent"),
    "survival_probability": ("Accounts that survive", "percent"),
    "liquidation_probability": ("Accounts liquidated at least once", "percent"),
    "liquidation_share": ("Share of trades liquidated", "percent"),
    "p_below_start": ("Accounts below start at the end", "percent"),
    "median_final_equity": ("Median final equity", "multiple"),
    "mean_final_equity": ("Mean final equity", "multiple"),
    "median_max_drawdown": ("Median worst drawdown", "percent"),
    "win_rate_realized": ("Win rate (realised)", "percent"),
    "max_risk_used": ("Largest risk used (of equity)", "percent"),
    "kelly_fraction": ("Kelly fraction", "percent"),
    "stopped_trailing_drawdown": ("Failed: trailing drawdown", "percent"),
    "stopped_daily_loss_limit": ("Failed/stopped: daily loss limit", "percent"),
    "stopped_horizon": ("Ran out of time", "percent"),
}


def _shown(value: Any, how: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if how == "percent":
        return f"{float(value):.1%}"
    if how == "multiple":
        return f"{float(value):.2f}×"
    return str(value)


def lesson_table(frame: pl.DataFrame, metric: str | None = None) -> pl.DataFrame:
    """The lesson's result as a student reads it: worded column names, percents and
    multiples as text ("Share of trades liquidated": "97.0%").

    The asked ``metric`` comes first after the variant; liquidation columns only when some
    variant is leveraged; the goal column only when a variant has a goal; the Kelly fraction
    only when a closed form gave one.
    """
    cols = [
        "variant",
        "ruin_probability",
        "p_below_start",
        "median_final_equity",
        "median_max_drawdown",
        "win_rate_realized",
        "max_risk_used",
    ]
    if frame["liquidation_probability"].is_not_nan().any():
        cols[2:2] = ["liquidation_probability", "liquidation_share"]
    if "goal_probability" in frame.columns and frame["goal_probability"].is_not_nan().any():
        cols.insert(2, "goal_probability")
    if frame["kelly_fraction"].is_not_null().any():
        cols.append("kelly_fraction")
    cols[2:2] = [
        c
        for c in ("stopped_trailing_drawdown", "stopped_daily_loss_limit", "stopped_horizon")
        if c in frame.columns and frame[c].is_not_null().any()
    ]
    if metric is not None and metric in frame.columns:
        cols = ["variant", metric, *[c for c in cols[1:] if c != metric]]
    return pl.DataFrame(
        {
            LESSON_COLUMNS[c][0]: [_shown(v, LESSON_COLUMNS[c][1]) for v in frame[c].to_list()]
            for c in cols
        }
    )


#: Leverages of the guides' table (lesson 12).
GUIDE_LEVERAGES = (2.0, 5.0, 10.0, 25.0, 50.0)


def liquidation_distance_table(
    leverages: tuple[float, ...] = GUIDE_LEVERAGES, mmrs: tuple[float, ...] = (0.005, 0.0125)
) -> pl.DataFrame:
    """The trading guides' leverage -> liquidation-distance table beside the exact distance.

    Columns: leverage; the guides' ``0.9 / L``; the exact long distance
    ``(1/L - MMR) / (1 - MMR)`` (:func:`ruin.margin.adverse_move_to_liquidation`) with the
    maintenance at 10% of the initial margin (``MMR = 0.1 / L``, the guides' assumption),
    and at each fixed rate in ``mmrs``; and the common approximation ``1/L - MMR`` at the
    last rate. Percent text; "liquidated at entry" where the rate is at or above 1/L.
    """
    from .margin import adverse_move_to_liquidation

    def exact(lev: float, mmr: float) -> str:
        if mmr >= 1.0 / lev:
            return "at entry"
        return f"{adverse_move_to_liquidation(lev, mmr):.1%}"

    last = mmrs[-1]
    cols: dict[str, list[str]] = {
        "Leverage": [f"{lev:g}x" for lev in leverages],
        "Guides: 0.9 / leverage": [f"{0.9 / lev:.1%}" for lev in leverages],
        "Exact, maintenance 10% of margin": [exact(lev, 0.1 / lev) for lev in leverages],
    }
    for mmr in mmrs:
        cols[f"Exact at MMR {mmr:.2%}"] = [exact(lev, mmr) for lev in leverages]
    cols[f"Approx. 1/L - MMR at {last:.2%}"] = [
        f"{max(0.0, 1.0 / lev - last):.1%}" for lev in leverages
    ]
    return pl.DataFrame(cols)


#: What stopped an account under the account rules (:data:`ruin.rules.STOP_NAMES`), in words.
RULE_LABELS: dict[str, str] = {
    "goal": "Reached the goal (pass)",
    "trailing_drawdown": "Trailing drawdown hit",
    "daily_loss_limit": "Daily loss limit hit",
    "ruin_level": "Ruin level hit",
    "horizon": "Ran out of trades / days",
}


def median_note(final_median: tuple[float, float, float], scenario: Scenario) -> str | None:
    """Why a median final equity can have an interval of zero width (else None).

    With a fixed set of outcomes per trade (two for the Bernoulli model), final equity takes
    only a few values (N + 1 for a two-outcome model with no barrier hit), so many accounts
    end on exactly the same value and the median and its 95% interval sit on that one
    lattice point: ``7.71x, interval 7.71-7.71`` is right, not a bug.
    """
    med, lo, hi = final_median
    if scenario.market is not None or not (lo == hi == med):
        return None
    return (
        f"exactly {med:.2f}× for the middle accounts: with win/loss trades, equity after "
        "N trades takes only a few values, so the median and its 95% interval sit on one"
    )
