"""Heat maps of sweep results: polars in (a sweep table or its Parquet file), Altair out.

:func:`sweep_heatmap` shows any output column of a :func:`ruin.sweep.run_sweep` table over
any two axes, optionally faceted by a third, with the perceptually uniform, colour-blind-safe
viridis scale, labelled axes (units in the titles) and the Monte Carlo interval in the
tooltip. Nothing here imports streamlit.
"""

from __future__ import annotations

import os
from typing import Any

import altair as alt
import polars as pl

from ..config import known_keys
from ..errors import ParameterError

__all__ = [
    "sweep_heatmap",
    "sweep_axes",
    "sweep_values",
    "AXIS_TITLES",
    "VALUE_TITLES",
    "MAX_CELLS",
]

#: Most cells one heat map inlines (Altair refuses more than 5,000 rows by default).
MAX_CELLS = 5_000

#: Axis titles with units for the flat parameter names; (title, d3 number format).
AXIS_TITLES: dict[str, tuple[str, str]] = {
    "win_rate": ("Win rate (P(win) per trade)", ".0%"),
    "payoff": ("Payoff (R won per win)", "~g"),
    "risk": ("Risk per trade (% of equity)", ".1%"),
    "trades": ("Horizon (trades)", ",d"),
    "paths": ("Simulated paths", ",d"),
    "ruin_level": ("Ruin level (% of starting equity)", ".0%"),
    "goal": ("Goal (× starting equity)", "~g"),
    "leverage": ("Leverage (×)", "~g"),
    "volatility": ("Volatility (std of daily log returns)", ".1%"),
    "horizon_days": ("Horizon (days)", "~g"),
    "mmr": ("Maintenance margin rate", ".2%"),
    "stop": ("Stop distance (% of entry)", ".1%"),
    "block_length": ("Block length (trades)", "d"),
}

#: Titles for common output columns; (title, format, is a probability).
VALUE_TITLES: dict[str, tuple[str, str, bool]] = {
    "ruin_probability": ("P(ruin)", ".1%", True),
    "goal_probability": ("P(goal)", ".1%", True),
    "liquidation_probability": ("P(liquidation)", ".1%", True),
    "p_liquidation": ("P(liquidation)", ".1%", True),
    "liquidation_probability_closed_form": ("P(liquidation), closed form", ".1%", True),
    "liquidation_path_probability": ("P(account hit by a liquidation)", ".1%", True),
    "liquidation_per_trade": ("Liquidations per trade", ".1%", True),
    "liquidation": ("P(liquidation)", ".1%", True),
    "final_equity_p_below_start": ("P(final equity < start)", ".1%", True),
    "max_drawdown_p50": ("Median max drawdown (% of peak)", ".1%", False),
    "max_drawdown_p95": ("95th pct max drawdown (% of peak)", ".1%", False),
    "final_equity_median": ("Median final equity (× start)", ".3f", False),
    "final_equity_mean": ("Mean final equity (× start)", ".3f", False),
    "win_rate_realized": ("Realised win rate", ".1%", False),
}


def _axis_title(name: str) -> tuple[str, str | None]:
    if name in AXIS_TITLES:
        return AXIS_TITLES[name]
    return name.replace("_", " "), None


def _value_title(name: str) -> tuple[str, str, bool]:
    if name in VALUE_TITLES:
        return VALUE_TITLES[name]
    if name.startswith("p_drawdown_ge_"):
        lv = name.removeprefix("p_drawdown_ge_")
        try:
            lv = f"{float(lv):.0%}"
        except ValueError:
            pass
        return f"P(max drawdown ≥ {lv})", ".1%", True
    if name.endswith("_probability") or name.startswith("p_"):
        return name.replace("_", " "), ".1%", True
    return name.replace("_", " "), ".3g", False


def _column(df: pl.DataFrame, role: str, name: Any) -> str:
    if not isinstance(name, str) or name not in df.columns:
        raise ParameterError(
            role, "a column of the sweep table (" + ", ".join(df.columns) + ")", name
        )
    return name


def sweep_heatmap(
    df: pl.DataFrame | str | os.PathLike[str],
    x: str,
    y: str,
    value: str,
    facet: str | None = None,
    *,
    columns: int = 3,
    labels: bool | None = None,
    title: str | None = None,
    height: int = 220,
    cell_width: int = 56,
) -> alt.LayerChart | alt.FacetChart:
    """Heat map of ``value`` over sweep axes ``x`` and ``y``, one panel per ``facet`` value.

    Parameters
    ----------
    df : polars.DataFrame or path
        A sweep table (:func:`ruin.sweep.run_sweep`) or the Parquet file ``ruin sweep``
        wrote. Other axes must be fixed (filter them first) so that each (x, y, facet)
        identifies one cell.
    x, y : str
        Axis columns for the horizontal and vertical positions (shown as ordered
        categories, y increasing upwards).
    value : str
        Output column for the colour, e.g. ``"ruin_probability"``; probabilities use a fixed
        0-100% scale so panels and charts compare. ``<value>_ci_low`` / ``_ci_high`` and
        ``method`` appear in the tooltip when present.
    facet : str, optional
        A third axis: one panel per value, ``columns`` panels per row.
    labels : bool, optional
        Print the value in each cell (default: when a panel has at most 100 cells).
    title : str, optional
        Chart title (default: "<value> by <x> and <y>").
    height : int
        Panel height in pixels (at least 22 per row of cells).
    cell_width : int
        Width of one cell in pixels.

    Returns
    -------
    altair.LayerChart or altair.FacetChart

    Raises
    ------
    ParameterError
        Unknown columns, repeated roles, cells that are not unique, or more than
        :data:`MAX_CELLS` cells.
    """
    df = _cells_table(df, x, y, value, facet)
    data = _chart_data(df, x, y, value, facet)

    x_title, x_fmt = _axis_title(x)
    y_title, y_fmt = _axis_title(y)
    v_title, v_fmt, is_prob = _value_title(value)
    scale = alt.Scale(scheme="viridis", domain=[0, 1]) if is_prob else alt.Scale(scheme="viridis")
    legend = alt.Legend(title=v_title, format=v_fmt)
    x_axis = alt.Axis(format=x_fmt, labelAngle=0) if x_fmt else alt.Axis(labelAngle=0)
    y_axis = alt.Axis(format=y_fmt) if y_fmt else alt.Axis()
    tooltip = _tooltip(data, x, y, facet, v_title, v_fmt)
    base = alt.Chart().encode(
        alt.X("x:O", title=x_title, axis=x_axis, sort="ascending"),
        alt.Y("y:O", title=y_title, axis=y_axis, sort="descending"),
    )
    rect = base.mark_rect().encode(
        alt.Color("value:Q", scale=scale, legend=legend), tooltip=tooltip
    )
    layers = [rect]
    per_panel = df.select(pl.col(x).n_unique() * pl.col(y).n_unique()).item()
    if labels if labels is not None else per_panel <= 100:
        # light text on the dark (low) end of viridis, dark text on the bright end
        vals = data["value"].drop_nulls()
        mid = 0.5 if is_prob or vals.is_empty() else (float(vals.min()) + float(vals.max())) / 2
        layers.append(
            base.mark_text(fontSize=10).encode(
                text=alt.Text("value:Q", format=".0%" if is_prob else ".3~g"),
                color=alt.condition(
                    f"datum.value > {mid!r}", alt.value("black"), alt.value("white")
                ),
            )
        )
    heading = (
        title
        or f"{v_title} by {x_title.split(' (')[0].lower()} and {y_title.split(' (')[0].lower()}"
    )
    n_y = max(1, int(df[y].n_unique()))
    chart = alt.layer(*layers, data=data).properties(
        width=alt.Step(cell_width), height=max(height, 22 * n_y)
    )
    if facet:
        f_title, f_fmt = _axis_title(facet)
        header = alt.Header(format=f_fmt) if f_fmt else alt.Header()
        return chart.facet(
            facet=alt.Facet("facet:O", title=f_title, header=header), columns=columns
        ).properties(title=heading)
    return chart.properties(title=heading)


def _cells_table(
    df: pl.DataFrame | str | os.PathLike[str], x: str, y: str, value: str, facet: str | None
) -> pl.DataFrame:
    """The sweep table (read from Parquet if a path), checked: known and distinct columns,
    one row per (x, y, facet) cell, at most :data:`MAX_CELLS` cells."""
    if not isinstance(df, pl.DataFrame):
        try:
            df = pl.read_parquet(df)
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise ParameterError(
                "sweep file",
                "a readable Parquet file",
                str(df),
                str(exc).splitlines()[0] if str(exc) else "",
            ) from None
    roles = {"x": x, "y": y, "value": value}
    if facet is not None:
        roles["facet"] = facet
    for role, name in roles.items():
        _column(df, role, name)
    if len(set(roles.values())) != len(roles):
        raise ParameterError(
            "x, y, value and facet", "four different columns", tuple(roles.values())
        )
    keys = [x, y] + ([facet] if facet else [])
    dup = df.group_by(keys).len().filter(pl.col("len") > 1)
    if dup.height:
        axis_cols = df.columns[: df.columns.index("cell")] if "cell" in df.columns else []
        others = [c for c in axis_cols if c not in keys and df[c].n_unique() > 1]
        raise ParameterError(
            "sweep_heatmap cells",
            "one row per (" + ", ".join(keys) + ")",
            f"{dup.height} combinations with several rows",
            (
                "Filter the other axes first (" + ", ".join(others) + ") or facet by one."
                if others
                else "Filter the table to one row per cell."
            ),
        )
    if df.height > MAX_CELLS:
        raise ParameterError(
            "sweep_heatmap cells",
            f"at most {MAX_CELLS:,} cells",
            f"{df.height:,}",
            "Filter the table or facet less.",
        )
    return df


def _chart_data(df: pl.DataFrame, x: str, y: str, value: str, facet: str | None) -> pl.DataFrame:
    """The columns the chart draws, under safe field names (x, y, value, facet, ci_low,
    ci_high, method); NaN values become nulls (empty cells)."""
    # Safe field names (sweep columns such as p_drawdown_ge_0.2 contain dots).
    sel = {"x": pl.col(x), "y": pl.col(y), "value": pl.col(value).cast(pl.Float64)}
    if facet:
        sel["facet"] = pl.col(facet)
    for suffix in ("ci_low", "ci_high"):
        if f"{value}_{suffix}" in df.columns:
            sel[suffix] = pl.col(f"{value}_{suffix}").cast(pl.Float64)
    if "method" in df.columns:
        sel["method"] = pl.col("method")
    return df.select(**sel).with_columns(
        pl.when(pl.col("value").is_nan()).then(None).otherwise(pl.col("value")).alias("value")
    )


def _tooltip(
    data: pl.DataFrame, x: str, y: str, facet: str | None, v_title: str, v_fmt: str
) -> list[alt.Tooltip]:
    """Tooltip: the cell's axis values with units, the value and its interval, the method."""
    x_title, x_fmt = _axis_title(x)
    y_title, y_fmt = _axis_title(y)
    tooltip = [
        alt.Tooltip("x:O", title=x_title, format=x_fmt)
        if x_fmt
        else alt.Tooltip("x:O", title=x_title),
        alt.Tooltip("y:O", title=y_title, format=y_fmt)
        if y_fmt
        else alt.Tooltip("y:O", title=y_title),
    ]
    if facet:
        f_title, f_fmt = _axis_title(facet)
        tooltip.append(
            alt.Tooltip("facet:O", title=f_title, format=f_fmt)
            if f_fmt
            else alt.Tooltip("facet:O", title=f_title)
        )
    tooltip.append(alt.Tooltip("value:Q", title=v_title, format=v_fmt))
    if "ci_low" in data.columns:
        tooltip += [
            alt.Tooltip("ci_low:Q", title="95% CI low", format=v_fmt),
            alt.Tooltip("ci_high:Q", title="95% CI high", format=v_fmt),
        ]
    if "method" in data.columns:
        tooltip.append(alt.Tooltip("method:N", title="method"))
    return tooltip


_NOT_OUTPUTS = frozenset({"cell", "cell_id", "seed", "method"})


def sweep_axes(df: pl.DataFrame) -> list[str]:
    """The sweep's axes: parameter columns (flat keys or odds inputs) with several values."""
    params = set(known_keys()) | set(AXIS_TITLES)
    return [
        c
        for c in df.columns
        if c in params and c not in _NOT_OUTPUTS and df.get_column(c).n_unique() > 1
    ]


def sweep_values(df: pl.DataFrame) -> list[str]:
    """Numeric output columns that can colour a heat map (not axes, ids or interval ends)."""
    axes = set(sweep_axes(df))
    return [
        c
        for c in df.columns
        if c not in axes
        and c not in _NOT_OUTPUTS
        and not c.endswith(("_ci_low", "_ci_high"))
        and df.schema[c].is_numeric()
        and df.get_column(c).null_count() < df.height
    ]
