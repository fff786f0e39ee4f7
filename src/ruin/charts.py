"""Altair chart builders for the app and reports: polars in, ``alt.Chart`` out.

Two kinds of function live here:

* ``*_frame`` helpers aggregate a :class:`ruin.SimulationResult` (or its arrays) into small
  polars frames -- quantile bands, binned histograms, thinned curves -- so no chart ever
  inlines more than a few thousand rows;
* chart builders take those frames and return Altair charts with labelled axes (units in the
  titles) and the Okabe-Ito colour-blind-safe palette.

Encodings are explicit channel objects (``alt.X("trade:Q")``, ``alt.Text(...)``,
``alt.ColorValue(...)``), never a shorthand string or a plain dict: Altair turns those into
channels through ``from_dict``, which rebuilds a hash table of its whole schema (about 60 ms)
on every call -- most of what a chart used to cost the page.

Layered charts get their size, title and scale resolution as arguments of ``alt.layer``,
not through ``.properties()`` / ``.resolve_scale()``: each of those methods deep-copies the
whole layered chart, every layer again (a slider move rebuilds every chart of the page).

The builders the app's main page draws (fan, drawdown, final equity, survival, streaks,
exit mix, liquidation odds, risk sweep, A vs B) use their polars frames as they are, as the
data of their layers: they never filter them or read values from them into the spec.
Everything else in a chart (titles, axis domains, marked values) comes from keyword options,
or from small frames of their own such as the ``*_marks`` frames. So a chart's Vega-Lite spec
is its options' structure with the frames' rows plugged in, and the app reuses one converted
spec for every new set of frames (``ui/specs.py``); ``tests/app/test_specs.py`` checks each
builder against this.

Nothing here imports streamlit; the app only places the charts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import numpy as np
import polars as pl

from .metrics import exceedance

__all__ = [
    "lesson_reveal_chart",
    "OKABE_ITO",
    "EXIT_COLOURS",
    "thin_index",
    "fan_frames",
    "fan_chart",
    "drawdown_frames",
    "drawdown_marks",
    "drawdown_chart",
    "final_equity_frame",
    "final_equity_marks",
    "bust_share",
    "final_equity_chart",
    "survival_frame",
    "survival_floor",
    "survival_chart",
    "variant_survival_chart",
    "streak_frame",
    "streak_chart",
    "exit_mix_chart",
    "liquidation_curve_chart",
    "liquidation_heatmap",
    "risk_sweep_marks",
    "risk_sweep_chart",
    "compare_fan_chart",
]

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
EXIT_COLOURS = {
    "take_profit": OKABE_ITO["green"],
    "stop": OKABE_ITO["orange"],
    "liquidation": OKABE_ITO["vermillion"],
    "time": OKABE_ITO["sky"],
}
#: Layers with their own y axes (a histogram and a probability line on one x axis).
_INDEPENDENT_Y = alt.Resolve(scale=alt.ScaleResolveMap(y="independent"))

_BAND_QS = ("0.05", "0.25", "0.5", "0.75", "0.95")


def thin_index(n: int, max_points: int = 600) -> np.ndarray:
    """Indices 0..n-1 thinned to at most ``max_points`` (first and last always kept)."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(np.int64))


# --------------------------------------------------------------------------- equity fan


def fan_frames(
    result: Any, *, samples: int = 8, max_points: int = 600, floor: float | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Quantile bands and a few sample equity curves, thinned along the trade axis.

    Parameters
    ----------
    result : SimulationResult
        Needs ``sample_paths`` (recorded x (N + 1) equity multiples).
    samples : int
        How many recorded paths to draw individually.
    max_points : int
        Most trade indices kept per curve.
    floor : float, optional
        Clip equity below this (for a log axis, where 0 cannot be drawn).

    Returns
    -------
    bands : polars.DataFrame
        ``trade, q05, q25, q50, q75, q95`` (equity as a multiple of start).
    paths : polars.DataFrame
        ``trade, path, equity`` for ``samples`` paths (long format).
    """
    rec = np.asarray(result.sample_paths, dtype=np.float64)
    if rec.ndim != 2 or rec.shape[0] == 0:
        empty = pl.DataFrame(
            schema={
                "trade": pl.Int64,
                **{f"q{q}": pl.Float64 for q in ("05", "25", "50", "75", "95")},
            }
        )
        return empty, pl.DataFrame(
            schema={"trade": pl.Int64, "path": pl.Int64, "equity": pl.Float64}
        )
    idx = thin_index(rec.shape[1], max_points)
    # Per-trade quantiles with numpy's inverted_cdf rule (the value at rank ceil(n*q)),
    # from one sort of the thinned columns instead of one sort per quantile.
    srt = np.sort(rec[:, idx], axis=0)
    n = srt.shape[0]
    names = ("q05", "q25", "q50", "q75", "q95")
    cols: dict[str, Any] = {"trade": idx.astype(np.int64)}
    for name, q in zip(names, _BAND_QS, strict=True):
        v = srt[max(0, int(np.ceil(n * float(q) - 1e-9)) - 1)]
        cols[name] = np.maximum(v, floor) if floor is not None else v
    bands = pl.DataFrame(cols)
    k = min(samples, rec.shape[0])
    sub = rec[:k][:, idx]
    if floor is not None:
        sub = np.maximum(sub, floor)
    paths = pl.DataFrame(
        {
            "trade": np.tile(idx.astype(np.int64), k),
            "path": np.repeat(np.arange(k, dtype=np.int64), idx.size),
            "equity": sub.ravel(),
        }
    )
    return bands, paths


def fan_chart(
    bands: pl.DataFrame,
    paths: pl.DataFrame | None = None,
    *,
    log: bool = False,
    ruin_level: float | None = None,
    goal: float | None = None,
    height: int = 340,
    title: str = "Equity paths: where most accounts end up",
) -> alt.LayerChart:
    """Fan of 5-95% and 25-75% bands, the median, sample paths and the ruin line."""
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    x = alt.X("trade:Q", title="Trade number")
    y_title = "Equity (multiple of start" + (", log scale)" if log else ")")
    band_dom = ["5–95% of paths", "25–75% of paths", "Median path", "Sample paths"]
    band_rng = [OKABE_ITO["sky"], OKABE_ITO["blue"], OKABE_ITO["black"], OKABE_ITO["grey"]]
    colour = alt.Color(
        "what:N",
        scale=alt.Scale(domain=band_dom, range=band_rng),
        legend=alt.Legend(title=None, orient="top"),
    )
    base = alt.Chart(bands)
    outer = (
        base.transform_calculate(what="'5–95% of paths'")
        .mark_area(opacity=0.3)
        .encode(
            x,
            alt.Y("q05:Q", scale=scale, title=y_title),
            alt.Y2("q95:Q"),
            colour,
            tooltip=[
                alt.Tooltip("trade:Q", title="trade"),
                alt.Tooltip("q05:Q", title="5th pct", format=".3f"),
                alt.Tooltip("q95:Q", title="95th pct", format=".3f"),
            ],
        )
    )
    inner = (
        base.transform_calculate(what="'25–75% of paths'")
        .mark_area(opacity=0.45)
        .encode(x, alt.Y("q25:Q", scale=scale), alt.Y2("q75:Q"), colour)
    )
    median = (
        base.transform_calculate(what="'Median path'")
        .mark_line(strokeWidth=2.5)
        .encode(
            x,
            alt.Y("q50:Q", scale=scale),
            colour,
            tooltip=[alt.Tooltip("trade:Q"), alt.Tooltip("q50:Q", title="median", format=".3f")],
        )
    )
    layers: list[Any] = [outer, inner]
    if paths is not None and paths.height:
        layers.append(
            alt.Chart(paths)
            .transform_calculate(what="'Sample paths'")
            .mark_line(strokeWidth=0.8, opacity=0.7)
            .encode(x, alt.Y("equity:Q", scale=scale), alt.Detail("path:N"), colour)
        )
    layers.append(median)
    rules = []
    if ruin_level is not None and (ruin_level > 0 or not log):
        rules.append({"level": float(ruin_level), "label": f"ruin at {ruin_level:.0%} of start"})
    if goal is not None:
        rules.append({"level": float(goal), "label": f"goal {goal:g}× start"})
    if rules:
        rf = pl.DataFrame(rules)
        layers.append(
            alt.Chart(rf)
            .mark_rule(color=OKABE_ITO["vermillion"], strokeDash=[6, 4], strokeWidth=2)
            .encode(y=alt.Y("level:Q", scale=scale))
        )
        layers.append(
            alt.Chart(rf)
            .mark_text(align="left", dx=4, dy=-7, color=OKABE_ITO["vermillion"])
            .encode(y=alt.Y("level:Q", scale=scale), x=alt.XValue(2), text=alt.Text("label:N"))
        )
    return alt.layer(*layers, height=height, title=title)


# --------------------------------------------------------------------------- drawdown


def drawdown_frames(
    max_drawdown: np.ndarray, *, bins: int = 40
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Histogram of maximum drawdown and the exceedance curve ``P(MDD >= x)``.

    Returns ``hist`` (``dd_lo, dd_hi, share`` in percent of equity / share of paths) and
    ``exceed`` (``dd`` in percent, ``p`` = P(MDD >= dd), inclusive).
    """
    mdd = np.asarray(max_drawdown, dtype=np.float64)
    top = float(min(1.0, max(mdd.max(initial=0.0) * 1.02, 0.02)))
    edges = np.linspace(0.0, top, bins + 1)
    counts, _ = np.histogram(mdd, bins=edges)
    n = max(mdd.size, 1)
    hist = pl.DataFrame({"dd_lo": edges[:-1] * 100, "dd_hi": edges[1:] * 100, "share": counts / n})
    levels = np.linspace(0.0, top, 101)
    exceed = pl.DataFrame({"dd": levels * 100, "p": exceedance(mdd, levels)})
    return hist, exceed


def drawdown_marks(marks: dict[str, float]) -> pl.DataFrame:
    """Labelled drawdown fractions (``{"median": 0.2}``) as the ``label, dd`` (percent)
    frame :func:`drawdown_chart` draws as vertical rules."""
    return pl.DataFrame(
        {"label": list(marks), "dd": [100 * float(v) for v in marks.values()]},
        schema={"label": pl.String, "dd": pl.Float64},
    )


def drawdown_chart(
    hist: pl.DataFrame,
    exceed: pl.DataFrame,
    marks: pl.DataFrame | None = None,
    *,
    height: int = 300,
) -> alt.LayerChart:
    """Bars: share of paths per drawdown bin; line: P(MDD >= x) on the right axis.

    ``marks`` (:func:`drawdown_marks`) are drawn as labelled vertical rules.
    """
    x = alt.X("dd_lo:Q", title="Maximum drawdown (% of peak equity)", bin="binned")
    bars = (
        alt.Chart(hist)
        .mark_bar(color=OKABE_ITO["sky"], opacity=0.8)
        .encode(
            x,
            alt.X2("dd_hi:Q"),
            alt.Y(
                "share:Q",
                title="Share of paths in bin",
                axis=alt.Axis(format="%", titleColor="#2b7bb9"),
            ),
            tooltip=[
                alt.Tooltip("dd_lo:Q", title="from %", format=".1f"),
                alt.Tooltip("dd_hi:Q", title="to %", format=".1f"),
                alt.Tooltip("share:Q", title="share", format=".2%"),
            ],
        )
    )
    line = (
        alt.Chart(exceed)
        .mark_line(color=OKABE_ITO["vermillion"], strokeWidth=2.5)
        .encode(
            alt.X("dd:Q"),
            alt.Y(
                "p:Q",
                title="P(max drawdown ≥ x)",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", titleColor=OKABE_ITO["vermillion"]),
            ),
            tooltip=[
                alt.Tooltip("dd:Q", title="drawdown ≥ %", format=".1f"),
                alt.Tooltip("p:Q", title="probability", format=".2%"),
            ],
        )
    )
    layers: list[Any] = [bars, line]
    if marks is not None and marks.height:
        rule = (
            alt.Chart(marks)
            .mark_rule(color=OKABE_ITO["black"], strokeDash=[4, 3])
            .encode(alt.X("dd:Q"))
        )
        text = (
            alt.Chart(marks)
            .mark_text(align="left", dx=3, y=8, color=OKABE_ITO["black"])
            .encode(alt.X("dd:Q"), alt.Text("label:N"))
        )
        layers += [rule, text]
    return alt.layer(
        *layers,
        resolve=_INDEPENDENT_Y,
        height=height,
        title="Maximum drawdown: histogram and chance of at least x",
    )


# --------------------------------------------------------------------------- final equity


def final_equity_frame(final_equity: np.ndarray, *, bins: int = 40) -> pl.DataFrame:
    """Histogram of final equity on log-spaced bins (multiple of start).

    Zero equity (a fixed stake that went bust) cannot sit on a log axis; it gets its own
    bin labelled ``bust`` with ``lo = hi = 0``. Columns ``lo, hi, share, label``.
    """
    fe = np.asarray(final_equity, dtype=np.float64)
    n = max(fe.size, 1)
    pos = fe[fe > 0]
    rows_lo: list[float] = []
    rows_hi: list[float] = []
    shares: list[float] = []
    labels: list[str] = []
    if pos.size:
        lo, hi = float(pos.min()), float(pos.max())
        if hi <= lo * 1.0001:
            lo, hi = lo * 0.95, hi * 1.05
        edges = np.geomspace(lo, hi * 1.0000001, bins + 1)
        counts, _ = np.histogram(pos, bins=edges)
        rows_lo += edges[:-1].tolist()
        rows_hi += edges[1:].tolist()
        shares += (counts / n).tolist()
        labels += ["equity"] * bins
    zero = int(np.count_nonzero(fe <= 0))
    if zero:
        rows_lo.append(0.0)
        rows_hi.append(0.0)
        shares.append(zero / n)
        labels.append("bust")
    return pl.DataFrame(
        {"lo": rows_lo, "hi": rows_hi, "share": shares, "label": labels},
        schema={"lo": pl.Float64, "hi": pl.Float64, "share": pl.Float64, "label": pl.String},
    )


def final_equity_marks(median: float | None = None) -> pl.DataFrame:
    """The start (1x) and, when positive, the median final equity as the ``x, label`` frame
    :func:`final_equity_chart` marks."""
    marks = {"start": 1.0}
    if median is not None and median > 0:
        marks[f"median {median:.2f}×"] = float(median)
    return pl.DataFrame({"x": list(marks.values()), "label": list(marks)})


def bust_share(frame: pl.DataFrame) -> float:
    """Share of paths in the ``bust`` bin of a :func:`final_equity_frame` (0 without one)."""
    return float(frame.filter(pl.col("label") == "bust")["share"].sum())


def final_equity_chart(
    frame: pl.DataFrame,
    marks: pl.DataFrame | None = None,
    *,
    bust: float = 0.0,
    height: int = 300,
) -> alt.LayerChart:
    """Log-x histogram of final equity (the ``equity`` rows of a :func:`final_equity_frame`)
    with ``marks`` (:func:`final_equity_marks`) drawn as rules; ``bust`` (:func:`bust_share`),
    the share at zero that a log axis cannot show, is named in the title."""
    title = "Final equity after the last trade"
    if bust > 0:
        title += f" ({bust:.1%} of paths went bust, not shown)"
    log_x = alt.Scale(type="log")
    bars = (
        alt.Chart(frame)
        .transform_filter(alt.FieldEqualPredicate(field="label", equal="equity"))
        .mark_bar(color=OKABE_ITO["green"], opacity=0.85)
        .encode(
            alt.X(
                "lo:Q",
                bin="binned",
                scale=log_x,
                title="Final equity (multiple of start, log scale)",
            ),
            alt.X2("hi:Q"),
            alt.Y("share:Q", title="Share of paths", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("lo:Q", title="from ×", format=".3f"),
                alt.Tooltip("hi:Q", title="to ×", format=".3f"),
                alt.Tooltip("share:Q", format=".2%"),
            ],
        )
    )
    layers: list[Any] = [bars]
    if marks is not None and marks.height:
        layers.append(
            alt.Chart(marks)
            .mark_rule(strokeDash=[4, 3], color=OKABE_ITO["black"])
            .encode(x=alt.X("x:Q", scale=log_x))
        )
        layers.append(
            alt.Chart(marks)
            .mark_text(align="left", dx=3, y=8)
            .encode(x=alt.X("x:Q", scale=log_x), text=alt.Text("label:N"))
        )
    return alt.layer(*layers, height=height, title=title)


# --------------------------------------------------------------------------- survival


def survival_frame(survival: np.ndarray, *, max_points: int = 600) -> pl.DataFrame:
    """``trade, survival`` (share of paths not yet ruined after each trade), thinned."""
    s = np.asarray(survival, dtype=np.float64)
    idx = thin_index(s.size, max_points)
    return pl.DataFrame({"trade": idx.astype(np.int64), "survival": s[idx]})


def survival_floor(survival: np.ndarray) -> float:
    """Where :func:`survival_chart`'s y axis should start: a 5% step with room below the
    lowest survival, at most 90% (a 99.5% survival should not look like a crash)."""
    s = np.asarray(survival, dtype=np.float64)
    low = float(s.min()) if s.size else 1.0
    return float(max(0.0, min(0.9, np.floor((low - 0.02) * 20) / 20)))


def survival_chart(
    frame: pl.DataFrame,
    *,
    low: float = 0.0,
    marker: int | None = None,
    marker_label: str = "first month",
    height: int = 300,
) -> alt.LayerChart:
    """Step line of the share of accounts still alive, its y axis from ``low`` (e.g.
    :func:`survival_floor`) to 100%; optional vertical marker at trade ``marker``."""
    line = (
        alt.Chart(frame)
        .mark_line(interpolate="step-after", color=OKABE_ITO["blue"], strokeWidth=2.5)
        .encode(
            alt.X("trade:Q", title="Trade number"),
            alt.Y(
                "survival:Q",
                title="Share of accounts not ruined",
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[float(low), 1.0]),
            ),
            tooltip=[alt.Tooltip("trade:Q"), alt.Tooltip("survival:Q", format=".2%")],
        )
    )
    layers: list[Any] = [line]
    if marker is not None:
        mf = pl.DataFrame({"trade": [int(marker)], "label": [marker_label]})
        layers.append(
            alt.Chart(mf)
            .mark_rule(strokeDash=[4, 3], color=OKABE_ITO["orange"], strokeWidth=2)
            .encode(alt.X("trade:Q"))
        )
        layers.append(
            alt.Chart(mf)
            .mark_text(align="left", dx=4, y=10, color=OKABE_ITO["orange"])
            .encode(alt.X("trade:Q"), alt.Text("label:N"))
        )
    return alt.layer(*layers, height=height, title="Survival: accounts not yet ruined")


def variant_survival_chart(frame: pl.DataFrame, *, height: int = 280) -> alt.Chart:
    """Survival of several variants of one lesson, one line each (the lessons page).

    ``frame`` columns: ``variant``, ``survival`` (share not ruined) and ``day`` (calendar
    days, when the lesson has a trading calendar) or ``trade`` (trade number).
    """
    x = (
        alt.X("day:Q", title="calendar days since the start")
        if "day" in frame.columns
        else alt.X("trade:Q", title="trade number")
    )
    return (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=x,
            y=alt.Y("survival:Q", title="share of accounts not ruined", axis=alt.Axis(format="%")),
            color=alt.Color(
                "variant:N",
                title="variant",
                scale=alt.Scale(scheme="tableau10"),
                sort=list(dict.fromkeys(frame["variant"].to_list())),  # the lesson's order
            ),
        )
        .properties(height=height)
    )


def lesson_reveal_chart(
    frame: pl.DataFrame,
    *,
    metric: str,
    label: str,
    unit: str,
    guess: float | str | None = None,
    answer_variant: str | None = None,
    height: int = 260,
) -> alt.LayerChart:
    """The picture that answers a lesson's question: the metric per variant as bars, its 95%
    interval as an error bar (probabilities), and the student's guess drawn on it.

    ``frame`` is :attr:`ruin.studies.lessons.LessonResult.frame` (``variant``, ``metric`` and,
    for probabilities, ``metric_ci_low`` / ``metric_ci_high``). A slider guess (a number) is a
    dashed rule labelled "your guess"; a choice guess (a variant name) is the outlined bar.
    ``answer_variant`` (the row the slider asks about) is drawn darker than the others.
    """
    percent = unit == "percent"
    cols = ["variant", metric]
    ci = f"{metric}_ci_low" in frame.columns and frame[f"{metric}_ci_low"].is_not_nan().any()
    if ci:
        cols += [f"{metric}_ci_low", f"{metric}_ci_high"]
    data = frame.select(cols).rename({metric: "value"})
    if ci:
        data = data.rename({f"{metric}_ci_low": "lo", f"{metric}_ci_high": "hi"})
    data = data.with_columns(
        top=pl.max_horizontal("value", "hi") if ci else pl.col("value"),
        asked=pl.col("variant") == (answer_variant or ""),
        picked=pl.col("variant") == (guess if isinstance(guess, str) else ""),
        text=pl.col("value").map_elements(
            lambda v: f"{v:.1%}" if percent else f"{v:.2f}x", return_dtype=pl.String
        ),
    )
    fmt = ".0%" if percent else ".2f"
    order = list(frame["variant"])
    x = alt.X("variant:N", title=None, sort=order, axis=alt.Axis(labelAngle=0))
    y_title = label
    base = alt.Chart(data)
    bars = base.mark_bar(size=48).encode(
        x=x,
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=fmt)),
        color=alt.condition("datum.asked", alt.value("#1f4e79"), alt.value("#6f9fd8")),
        stroke=alt.condition("datum.picked", alt.value("#d62728"), alt.value(None)),
        strokeWidth=alt.condition("datum.picked", alt.value(3), alt.value(0)),
        tooltip=[
            alt.Tooltip("variant:N"),
            alt.Tooltip("value:Q", format=".1%" if percent else ".2f"),
        ],
    )
    text = base.mark_text(dy=-9, fontSize=13, fontWeight="bold").encode(
        x=x, y="top:Q", text="text:N"
    )
    layers: list[Any] = [bars, text]
    if ci:
        layers.append(
            base.mark_errorbar(ticks={"size": 14}, color="black").encode(
                x=x, y=alt.Y("lo:Q", title=y_title), y2="hi:Q"
            )
        )
    if isinstance(guess, (int, float)) and not isinstance(guess, bool):
        g = pl.DataFrame({"guess": [float(guess)], "label": ["your guess"]})
        rule = alt.Chart(g).mark_rule(color="#d62728", strokeDash=[6, 4], size=3)
        layers.append(rule.encode(y="guess:Q"))
        layers.append(
            alt.Chart(g)
            .mark_text(align="left", dx=4, dy=-6, color="#d62728", fontWeight="bold")
            .encode(y="guess:Q", x=alt.value(2), text="label:N")
        )
    return alt.layer(*layers, height=height)


# --------------------------------------------------------------------------- streaks / exits


def streak_frame(streaks: np.ndarray) -> pl.DataFrame:
    """Distribution of the longest losing streak per path: ``streak, share, at_least``."""
    s = np.asarray(streaks, dtype=np.int64)
    n = max(s.size, 1)
    counts = np.bincount(s, minlength=1) if s.size else np.zeros(1, np.int64)
    share = counts / n
    at_least = share[::-1].cumsum()[::-1]
    return pl.DataFrame(
        {"streak": np.arange(counts.size, dtype=np.int64), "share": share, "at_least": at_least}
    )


def streak_chart(frame: pl.DataFrame, *, height: int = 300) -> alt.Chart:
    """Bars: share of paths whose longest losing run had exactly k losses (streak lengths
    no path had are left out)."""
    return (
        alt.Chart(frame)
        .transform_filter(alt.FieldGTPredicate(field="share", gt=0))
        .mark_bar(color=OKABE_ITO["purple"])
        .encode(
            alt.X("streak:O", title="Longest losing streak in the run (trades in a row)"),
            alt.Y("share:Q", title="Share of paths", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("streak:O", title="streak"),
                alt.Tooltip("share:Q", title="exactly", format=".2%"),
                alt.Tooltip("at_least:Q", title="at least this long", format=".2%"),
            ],
        )
        .properties(height=height, title="Losing streaks: the longest run of losses per account")
    )


def exit_mix_chart(frame: pl.DataFrame, *, height: int = 220) -> alt.Chart:
    """Horizontal bars of how trades ended; ``frame`` has ``exit`` (the names of
    :data:`EXIT_COLOURS`) and ``share`` columns."""
    dom, rng = list(EXIT_COLOURS), list(EXIT_COLOURS.values())
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            alt.Y("exit:N", title="How the trade ended", sort=dom),
            alt.X("share:Q", title="Share of trades", axis=alt.Axis(format="%")),
            alt.Color("exit:N", scale=alt.Scale(domain=dom, range=rng), legend=None),
            tooltip=[alt.Tooltip("exit:N"), alt.Tooltip("share:Q", format=".2%")],
        )
        .properties(height=height, title="How trades ended")
    )


# --------------------------------------------------------------------------- leverage


def liquidation_curve_chart(
    frame: pl.DataFrame,
    *,
    leverage: float | None = None,
    x: str = "leverage",
    y: str = "p_liquidation",
    height: int = 300,
    title: str | None = None,
) -> alt.LayerChart:
    """P(liquidation) against leverage, the user's leverage marked with a rule."""
    line = (
        alt.Chart(frame)
        .mark_line(color=OKABE_ITO["vermillion"], strokeWidth=2.5, point=True)
        .encode(
            alt.X(f"{x}:Q", title="Leverage (×)", scale=alt.Scale(type="log")),
            alt.Y(
                f"{y}:Q",
                title="Probability of liquidation",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[
                alt.Tooltip(f"{x}:Q", title="leverage", format=".1f"),
                alt.Tooltip(f"{y}:Q", title="P(liquidation)", format=".2%"),
            ],
        )
    )
    layers: list[Any] = [line]
    if leverage is not None:
        mf = pl.DataFrame({x: [float(leverage)], "label": [f"your {leverage:g}×"]})
        layers.append(
            alt.Chart(mf)
            .mark_rule(strokeDash=[4, 3], color=OKABE_ITO["black"])
            .encode(alt.X(f"{x}:Q"))
        )
        layers.append(
            alt.Chart(mf)
            .mark_text(align="left", dx=4, y=10)
            .encode(alt.X(f"{x}:Q"), alt.Text("label:N"))
        )
    return alt.layer(*layers, height=height, title=title or "Liquidation odds against leverage")


def liquidation_heatmap(
    frame: pl.DataFrame,
    *,
    x: str = "leverage",
    y: str = "volatility",
    value: str = "p_liquidation",
    height: int = 320,
    x_title: str = "Leverage (×)",
    y_title: str = "Annualised volatility",
    y_format: str = ".0%",
) -> alt.LayerChart:
    """Heat map of liquidation odds over a leverage x volatility grid (viridis, labelled)."""
    base = alt.Chart(frame).encode(
        alt.X(f"{x}:O", title=x_title),
        alt.Y(f"{y}:O", title=y_title, sort="descending", axis=alt.Axis(format=y_format)),
    )
    rect = base.mark_rect().encode(
        alt.Color(
            f"{value}:Q",
            title="P(liquidation)",
            scale=alt.Scale(scheme="viridis", domain=[0, 1]),
            legend=alt.Legend(format="%"),
        ),
        tooltip=[
            alt.Tooltip(f"{x}:O"),
            alt.Tooltip(f"{y}:O", format=y_format),
            alt.Tooltip(f"{value}:Q", format=".1%"),
        ],
    )
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text(f"{value}:Q", format=".0%"),
        color=alt.ColorValue("white", condition={"test": f"datum.{value} > 0.5", "value": "black"}),
    )
    return alt.layer(rect, text, height=height, title="Liquidation odds by leverage and volatility")


# --------------------------------------------------------------------------- risk sweep


def risk_sweep_marks(kelly: float | None = None, current: float | None = None) -> pl.DataFrame:
    """Full and half Kelly (when the edge is positive) and the current risk, as the
    ``risk, label`` frame :func:`risk_sweep_chart` marks."""
    marks: list[tuple[float, str]] = []
    if kelly is not None and kelly > 0:
        marks += [(float(kelly), "full Kelly"), (float(kelly) / 2, "half Kelly")]
    if current is not None:
        marks.append((float(current), "yours"))
    return pl.DataFrame(
        {"risk": [r for r, _ in marks], "label": [lab for _, lab in marks]},
        schema={"risk": pl.Float64, "label": pl.String},
    )


def risk_sweep_chart(
    frame: pl.DataFrame, marks: pl.DataFrame | None = None, *, height: int = 200
) -> alt.VConcatChart:
    """Median growth and P(ruin) against risk per trade, ``marks`` (:func:`risk_sweep_marks`:
    full / half Kelly and yours) drawn as rules.

    ``frame`` columns: ``risk`` (fraction), ``median_growth`` (median final equity, multiple
    of start), ``p_ruin``, ``p_ruin_lo``, ``p_ruin_hi``.
    """
    x = alt.X("risk:Q", title="Risk per trade (% of equity)", axis=alt.Axis(format="%"))
    growth = (
        alt.Chart(frame)
        .mark_line(point=True, color=OKABE_ITO["green"], strokeWidth=2.5)
        .encode(
            x,
            alt.Y(
                "median_growth:Q", title="Median final equity (×, log)", scale=alt.Scale(type="log")
            ),
            tooltip=[
                alt.Tooltip("risk:Q", format=".2%"),
                alt.Tooltip("median_growth:Q", title="median final ×", format=".3f"),
            ],
        )
    )
    ci = (
        alt.Chart(frame)
        .mark_area(opacity=0.25, color=OKABE_ITO["vermillion"])
        .encode(
            x,
            alt.Y(
                "p_ruin_lo:Q",
                title="Probability of ruin",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            alt.Y2("p_ruin_hi:Q"),
        )
    )
    ruin = (
        alt.Chart(frame)
        .mark_line(point=True, color=OKABE_ITO["vermillion"], strokeWidth=2.5)
        .encode(
            x,
            alt.Y("p_ruin:Q"),
            tooltip=[
                alt.Tooltip("risk:Q", format=".2%"),
                alt.Tooltip("p_ruin:Q", title="P(ruin)", format=".2%"),
            ],
        )
    )
    top: list[Any] = [growth]
    bottom: list[Any] = [ci, ruin]
    if marks is not None and marks.height:
        colour = alt.Color(
            "label:N",
            scale=alt.Scale(
                domain=["full Kelly", "half Kelly", "yours"],
                range=[OKABE_ITO["blue"], OKABE_ITO["sky"], OKABE_ITO["black"]],
            ),
            legend=alt.Legend(title=None, orient="top"),
        )
        rule = (
            alt.Chart(marks)
            .mark_rule(strokeDash=[5, 3], strokeWidth=2)
            .encode(alt.X("risk:Q"), colour)
        )
        top.append(rule)
        bottom.append(rule)
    return alt.vconcat(
        alt.layer(*top, height=height, title="Median growth vs risk per trade"),
        alt.layer(*bottom, height=height, title="Probability of ruin vs risk per trade (95% band)"),
    )


# --------------------------------------------------------------------------- compare


def compare_fan_chart(
    bands: Sequence[tuple[str, pl.DataFrame]], *, log: bool = False, height: int = 320
) -> alt.LayerChart:
    """Median and 5-95% band of several scenarios on one axis (e.g. pinned A vs current B)."""
    frames = [b.with_columns(pl.lit(name).alias("scenario")) for name, b in bands]
    data = pl.concat(frames, how="vertical") if frames else pl.DataFrame()
    names = [n for n, _ in bands]
    rng = [OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"], OKABE_ITO["purple"]]
    colour = alt.Color(
        "scenario:N",
        scale=alt.Scale(domain=names, range=rng[: len(names)]),
        legend=alt.Legend(title=None, orient="top"),
    )
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    base = alt.Chart(data)
    area = base.mark_area(opacity=0.2).encode(
        alt.X("trade:Q", title="Trade number"),
        alt.Y("q05:Q", scale=scale, title="Equity (multiple of start)"),
        alt.Y2("q95:Q"),
        colour,
    )
    med = base.mark_line(strokeWidth=2.5).encode(
        alt.X("trade:Q"),
        alt.Y("q50:Q", scale=scale),
        colour,
        tooltip=[
            alt.Tooltip("scenario:N"),
            alt.Tooltip("trade:Q"),
            alt.Tooltip("q50:Q", format=".3f"),
        ],
    )
    return alt.layer(
        area, med, height=height, title="A vs B on the same random numbers: median and 5–95% band"
    )
