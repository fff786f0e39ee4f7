"""Lessons: scenarios with a question to predict first, what to look at, and an explanation.

A lesson is a scenario file with ``kind = "lesson"`` (see :mod:`ruin.studies.scenarios`). The
student answers the prediction (a number on a slider, or a choice between the lesson's variants),
:func:`run_lesson` runs every variant on the same seed (so differences come from the
parameters, not from noise), and :func:`grade` says in plain words how far off the guess was.

Examples
--------
>>> from ruin.studies.lessons import load_lesson, run_lesson, grade
>>> lesson = load_lesson("lesson_01_risk_rule")
>>> result = run_lesson(lesson, paths=500, seed=1)
>>> result.frame.columns[:2]
['variant', 'ruin_probability']
>>> grade(0.3, result).startswith("You guessed 30%")
True
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ..engine.rng import resolve_seed
from ..errors import ParameterError, check_int, check_number
from ..params import Bernoulli
from ..simulate import SimulationResult, simulate
from .scenarios import (
    LESSON_METRICS,
    MAX_FILE_BYTES,
    ScenarioFile,
    find_scenario,
    list_scenarios,
    load_scenario,
)

__all__ = [
    "LESSONS_DIR_ENV",
    "Grade",
    "grade_parts",
    "lesson_from_bytes",
    "author_folder",
    "Lesson",
    "LessonResult",
    "load_lessons",
    "load_lesson",
    "run_lesson",
    "grade",
    "metric_value",
    "METRIC_LABELS",
]

#: Plain-language names of the metrics a lesson can ask about.
METRIC_LABELS = {
    "ruin_probability": "share of accounts ruined",
    "survival_probability": "share of accounts that survive",
    "goal_probability": "share of accounts that reach the goal",
    "median_final_equity": "median final equity (multiple of start)",
    "mean_final_equity": "mean final equity (multiple of start)",
    "p_below_start": "share of accounts below their starting equity",
    "median_max_drawdown": "median maximum drawdown",
    "liquidation_probability": "share of accounts liquidated at least once",
    "liquidation_share": "share of trades that end in liquidation",
}
assert set(METRIC_LABELS) == set(LESSON_METRICS)

#: Name of the extra variant made by ``run_lesson(..., your_rules=...)``.
YOUR_RULES = "your rules"

#: Frame columns holding a probability (each with ``_ci_low`` / ``_ci_high`` columns).
_PROB_METRICS = (
    "ruin_probability",
    "survival_probability",
    "goal_probability",
    "p_below_start",
    "liquidation_probability",
)


@dataclass(frozen=True, slots=True)
class Lesson:
    """A lesson: its scenario file plus the teaching text and the prediction to make."""

    scenario: ScenarioFile

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def title(self) -> str:
        return self.scenario.title

    @property
    def description(self) -> str:
        return self.scenario.description

    @property
    def question(self) -> str:
        return self.scenario.lesson["question"]  # type: ignore[index]

    @property
    def look_at(self) -> str:
        return self.scenario.lesson["look_at"]  # type: ignore[index]

    @property
    def explanation(self) -> str:
        return self.scenario.lesson["explanation"]  # type: ignore[index]

    @property
    def prediction(self) -> dict[str, Any]:
        """``kind`` ("slider"/"choice"), ``answer_metric``, ``unit``, and min/max/step or
        options/answer."""
        return self.scenario.lesson["prediction"]  # type: ignore[index]

    @property
    def reveal(self) -> str:
        """The picture that reveals the answer: ``"bars"`` (the asked metric per variant with
        the guess drawn on it) or ``"survival"`` (those bars and the survival curves)."""
        return (self.scenario.lesson or {}).get("reveal", "bars")

    @property
    def variant_names(self) -> tuple[str, ...]:
        return tuple(n for n, _ in self.scenario.variants) or ("base",)


@dataclass(frozen=True)
class LessonResult:
    """The runs of one lesson.

    Attributes
    ----------
    lesson : Lesson
    seed : int
        The seed every variant used.
    frame : polars.DataFrame
        One row per variant: ``variant``, each metric of :data:`METRIC_LABELS` (probabilities
        with ``_ci_low`` / ``_ci_high``), ``win_rate_realized``, ``max_risk_used`` (largest
        risk any path used, as a fraction of equity), ``kelly_fraction`` (Bernoulli models,
        else null) and ``risk``.
    survival : polars.DataFrame
        ``variant``, ``trade``, ``survival``: share of accounts not ruined after each trade
        (at most about 200 points per variant); with the lesson's ``trades_per_day`` also
        ``day`` (calendar days since the start).
    answer : float or str
        The right answer: the metric's value for a slider, the winning variant for a choice.
    answer_metric : str
    results : dict
        The :class:`~ruin.simulate.SimulationResult` of each variant.
    """

    lesson: Lesson
    seed: int
    frame: pl.DataFrame
    survival: pl.DataFrame
    answer: float | str
    answer_metric: str
    results: dict[str, SimulationResult] = field(repr=False)


#: Environment variable naming a folder of a course author's own lesson files; the lessons
#: page serves them after the built-in ones (validated with the same messages).
LESSONS_DIR_ENV = "RUIN_LESSONS_DIR"


def author_folder() -> Path | None:
    """The folder named by ``RUIN_LESSONS_DIR`` (None when unset or empty).

    Raises
    ------
    ParameterError
        When the variable names something that is not a folder.
    """
    text = os.environ.get(LESSONS_DIR_ENV, "").strip()
    if not text:
        return None
    p = Path(text).expanduser()
    if not p.is_dir():
        raise ParameterError(LESSONS_DIR_ENV, "a folder of lesson .toml files", text)
    return p


def load_lessons(folder: str | Path | None = None) -> list[Lesson]:
    """Every lesson in ``folder`` (default: the built-in ``scenarios/``), sorted by name."""
    return [Lesson(s) for s in list_scenarios(folder, kind="lesson")]


def lesson_from_bytes(name: str, data: bytes) -> Lesson:
    """A lesson from an uploaded TOML file's ``name`` and bytes, validated like the built-in
    ones (the message names the file, the table and the key).

    A ``trades_file`` must sit beside a lesson file, so an uploaded lesson cannot use one.
    """
    fname = Path(str(name)).name or "lesson.toml"
    if not fname.endswith(".toml"):
        raise ParameterError("lesson file", "a .toml file", fname)
    if len(data) > MAX_FILE_BYTES:
        raise ParameterError(fname, f"at most {MAX_FILE_BYTES // 1024} KiB", "a larger file")
    with tempfile.TemporaryDirectory(prefix="ruin-lesson-") as tmp:
        path = Path(tmp) / fname
        path.write_bytes(data)
        sf = load_scenario(path)
    if sf.kind != "lesson":
        raise ParameterError(
            f"{fname}: [scenario] kind", "'lesson' (with a [lesson] table)", sf.kind
        )
    return Lesson(sf)


def load_lesson(name_or_file: str | Path) -> Lesson:
    """One lesson by name (``"lesson_01_risk_rule"``) or file."""
    sf = find_scenario(name_or_file)
    if sf.kind != "lesson":
        raise ParameterError(
            "lesson", "a scenario with kind = 'lesson'", f"{sf.name} (kind {sf.kind!r})"
        )
    return Lesson(sf)


def metric_value(summary: dict[str, Any], name: str) -> float:
    """The value of lesson metric ``name`` in a ``SimulationResult.summary()`` dict (NaN when
    the run does not report it, e.g. a goal probability without a goal)."""

    def est(key: str) -> float:
        v = summary.get(key)
        return float(v["estimate"]) if isinstance(v, dict) and "estimate" in v else math.nan

    if name == "ruin_probability":
        return est("ruin_probability")
    if name == "survival_probability":
        return 1.0 - est("ruin_probability")
    if name == "goal_probability":
        return est("goal_probability")
    if name == "median_final_equity":
        return float(summary["final_equity"]["median"])
    if name == "mean_final_equity":
        return float(summary["final_equity"]["mean"])
    if name == "p_below_start":
        return float(summary["final_equity"]["p_below_start"]["estimate"])
    if name == "median_max_drawdown":
        return float(summary["max_drawdown_quantiles"]["0.5"])
    liq = summary.get("liquidation")  # leveraged market model only
    if name == "liquidation_probability":
        v = liq.get("path_probability") if isinstance(liq, dict) else None
        return float(v["estimate"]) if isinstance(v, dict) else math.nan
    if name == "liquidation_share":
        v = liq.get("per_trade") if isinstance(liq, dict) else None
        return float(v) if v is not None else math.nan
    raise ParameterError("answer_metric", "one of " + ", ".join(LESSON_METRICS), name)


def _interval(summary: dict[str, Any], name: str) -> tuple[float, float]:
    key = {"survival_probability": "ruin_probability"}.get(name, name)
    if name == "p_below_start":
        v = summary["final_equity"]["p_below_start"]
    elif name == "liquidation_probability":
        v = (summary.get("liquidation") or {}).get("path_probability")
    else:
        v = summary.get(key)
    if not isinstance(v, dict):
        return math.nan, math.nan
    lo, hi = float(v["ci_low"]), float(v["ci_high"])
    return (1.0 - hi, 1.0 - lo) if name == "survival_probability" else (lo, hi)


def run_lesson(
    lesson: Lesson,
    *,
    paths: int | None = None,
    seed: int | None = None,
    record: int = 0,
    your_rules: dict[str, Any] | None = None,
) -> LessonResult:
    """Run every variant of ``lesson`` on the same seed.

    Parameters
    ----------
    lesson : Lesson
    paths : int, optional
        Accounts per variant (default: the lesson's ``paths``).
    seed : int, optional
        Default: the lesson's ``seed``; if it has none, one is drawn and reported.
    record : int
        Equity curves kept per variant (for charts).
    your_rules : dict, optional
        Flat parameters (e.g. ``{"martingale": 2}``) for one more variant, ``"your rules"``:
        the answer variant (or the first one) with these values on top.

    Returns
    -------
    LessonResult
    """
    over: dict[str, Any] = {}
    if paths is not None:
        over["paths"] = check_int("paths", paths, 1, 50_000_000)
    base_seed = seed if seed is not None else lesson.scenario.params.get("seed")
    over["seed"] = resolve_seed(
        None if base_seed is None else check_int("seed", base_seed, 0, 2**63 - 1)
    )
    rows: list[dict[str, Any]] = []
    surv: list[pl.DataFrame] = []
    tpd = lesson.scenario.lesson.get("trades_per_day") if lesson.scenario.lesson else None
    results: dict[str, SimulationResult] = {}
    variants: list[tuple[str | None, dict[str, Any]]] = [
        (v, over) for v, _ in lesson.scenario.variants
    ] or [(None, over)]
    if your_rules:
        ref = lesson.prediction.get("answer_variant") or variants[0][0]
        variants.append((ref, {**over, **your_rules, "_name": YOUR_RULES}))
    for v, ov in variants:
        ov = dict(ov)
        name = ov.pop("_name", None) or (v if v is not None else "base")
        sc = lesson.scenario.build(ov, variant=v)
        res = simulate(sc, record=record)
        results[name] = res
        s = res.summary()
        row: dict[str, Any] = {"variant": name}
        for m in LESSON_METRICS:
            row[m] = metric_value(s, m)
            if m in _PROB_METRICS:
                row[f"{m}_ci_low"], row[f"{m}_ci_high"] = _interval(s, m)
        row["win_rate_realized"] = float(s["win_rate_realized"])
        ar = s.get("account_rules")
        if ar is not None:  # what stopped the accounts (trailing drawdown, daily limit, time)
            for k in ("trailing_drawdown", "daily_loss_limit", "horizon"):
                row[f"stopped_{k}"] = float(ar["stop_shares"][k]["estimate"])
        mr = (s.get("behaviour") or {}).get("max_risk_used")
        row["max_risk_used"] = float(max(mr.values())) if mr else float(sc.sizing.risk)
        row["risk"] = float(sc.sizing.risk)
        m0 = sc.model
        row["kelly_fraction"] = (
            m0.win_rate - (1 - m0.win_rate) / m0.payoff
            if isinstance(m0, Bernoulli)
            and sc.behaviour is None
            and sc.market is None
            and sc.rules is None
            else None
        )
        rows.append(row)
        curve = res.survival
        idx = np.unique(np.linspace(0, curve.size - 1, min(curve.size, 201)).astype(np.int64))
        sv = pl.DataFrame({"variant": [name] * idx.size, "trade": idx, "survival": curve[idx]})
        if tpd:
            sv = sv.with_columns(day=pl.col("trade") / tpd)
        surv.append(sv)
    frame = pl.DataFrame(rows, infer_schema_length=None)
    metric = lesson.prediction["answer_metric"]
    pr = lesson.prediction
    answer: float | str
    if pr["kind"] == "choice":
        vals = {o: float(frame.filter(pl.col("variant") == o)[metric][0]) for o in pr["options"]}
        pick = max if pr["answer"] == "max" else min
        answer = pick(vals, key=lambda k: vals[k])
    else:
        target = pr.get("answer_variant") or frame["variant"][0]
        answer = float(frame.filter(pl.col("variant") == target)[metric][0])
    return LessonResult(
        lesson=lesson,
        seed=int(over["seed"]),
        frame=frame,
        survival=pl.concat(surv),
        answer=answer,
        answer_metric=metric,
        results=results,
    )


def _fmt(x: float, unit: str) -> str:
    return f"{x:.0%}" if unit == "percent" else f"{x:.2f}x"


@dataclass(frozen=True, slots=True)
class Grade:
    """The guess, the answer and how far off, for showing side by side.

    ``guess`` / ``answer`` / ``low`` / ``high`` / ``gap`` are display text (``"30%"``,
    ``"97.0%"``, ``"67 percentage points too low"``); ``right`` says whether the guess counts
    as right (a choice) or within 5% of the slider's span; ``text`` is :func:`grade`'s
    sentence.
    """

    guess: str
    answer: str
    interval: str
    gap: str
    right: bool
    text: str


def grade_parts(prediction: float | str, result: LessonResult) -> Grade:
    """:func:`grade` split into the parts the lessons page shows next to each other."""
    text = grade(prediction, result)
    pr = result.lesson.prediction
    metric = result.answer_metric
    frame = result.frame
    if pr["kind"] == "choice":
        right = prediction == result.answer
        return Grade(
            guess=str(prediction),
            answer=str(result.answer),
            interval="",
            gap="right" if right else "not this one",
            right=right,
            text=text,
        )
    unit = pr["unit"]
    guess, ans = float(prediction), float(result.answer)
    target = pr.get("answer_variant") or frame["variant"][0]
    interval = ""
    if f"{metric}_ci_low" in frame.columns:
        row = frame.filter(pl.col("variant") == target)
        lo, hi = float(row[f"{metric}_ci_low"][0]), float(row[f"{metric}_ci_high"][0])
        if math.isfinite(lo):
            interval = f"95% interval {lo:.1%} to {hi:.1%}"
    diff = guess - ans
    right = abs(diff) <= max(0.05 * (pr["max"] - pr["min"]), 1e-12)
    if math.isnan(ans):
        gap = "not reported"
    elif unit == "percent":
        gap = f"{abs(diff) * 100:.0f} points too {'high' if diff > 0 else 'low'}"
    else:
        gap = f"{abs(diff):.2f}x too {'high' if diff > 0 else 'low'}"
    if right and not math.isnan(ans):
        gap = "spot on (" + gap + ")"
    answer = f"{ans:.1%}" if unit == "percent" else f"{ans:.2f}x"
    return Grade(
        guess=_fmt(guess, unit), answer=answer, interval=interval, gap=gap, right=right, text=text
    )


def grade(prediction: float | str, result: LessonResult) -> str:
    """Plain-language feedback on a prediction.

    Parameters
    ----------
    prediction : float or str
        A slider value (a fraction for percent metrics, e.g. 0.3 for 30%; a multiple for
        equity metrics) or the chosen variant's name.
    result : LessonResult

    Returns
    -------
    str
        What was guessed, what the simulation found (with its 95% interval for
        probabilities) and how far off the guess was.

    Raises
    ------
    ParameterError
        A slider value outside the slider's range, or a choice not among the options.
    """
    pr = result.lesson.prediction
    metric = result.answer_metric
    label = METRIC_LABELS[metric]
    frame = result.frame
    if pr["kind"] == "choice":
        if prediction not in pr["options"]:
            raise ParameterError(
                "prediction", "one of " + ", ".join(repr(o) for o in pr["options"]), prediction
            )
        vals = ", ".join(
            f"{o}: {_fmt(float(frame.filter(pl.col('variant') == o)[metric][0]), pr['unit'])}"
            for o in pr["options"]
        )
        if prediction == result.answer:
            best = "highest" if pr["answer"] == "max" else "lowest"
            return f"Right: {prediction!r} has the {best} {label} ({vals})."
        return (
            f"Not this time: you picked {prediction!r}, but {result.answer!r} has the "
            f"{'highest' if pr['answer'] == 'max' else 'lowest'} {label} ({vals})."
        )
    guess = check_number("prediction", prediction, pr["min"], pr["max"])
    ans = float(result.answer)
    unit = pr["unit"]
    target = pr.get("answer_variant") or frame["variant"][0]
    ci = ""
    if f"{metric}_ci_low" in frame.columns:
        row = frame.filter(pl.col("variant") == target)
        lo, hi = float(row[f"{metric}_ci_low"][0]), float(row[f"{metric}_ci_high"][0])
        if math.isfinite(lo):
            ci = f" (95% interval {lo:.0%} to {hi:.0%})"
    head = (
        f"You guessed {_fmt(guess, unit)}; the simulation gives {_fmt(ans, unit)}{ci} for "
        f"the {label}" + (f" ({target})" if len(frame) > 1 else "") + "."
    )
    if math.isnan(ans):
        return head + " This run does not report that number."
    diff = guess - ans
    span = pr["max"] - pr["min"]
    if unit == "percent":
        gap = f"{abs(diff) * 100:.0f} percentage points"
    else:
        gap = f"{abs(diff):.2f}x"
    if abs(diff) <= max(0.05 * span, 1e-12):
        verdict = f"Spot on: within {gap}."
    elif abs(diff) <= 0.15 * span:
        verdict = f"Close: {gap} too {'high' if diff > 0 else 'low'}."
    else:
        verdict = f"Far off: {gap} too {'high' if diff > 0 else 'low'}. " + (
            "Most people underestimate how often this goes wrong."
            if diff < 0
            and metric in ("ruin_probability", "p_below_start", "liquidation_probability")
            else "Look at the table to see why."
        )
    return f"{head} {verdict}"
