"""Sweep viewer: heat maps of a `ruin sweep` result file (any two axes, faceted by a third).

Thin page: upload the Parquet file that `ruin sweep SPEC --out FILE.parquet` wrote, pick the
axes and the output; the chart comes from `ruin.sweep.charts.sweep_heatmap`.
"""

from __future__ import annotations

import io

import polars as pl
import streamlit as st

from ruin import ParameterError
from ruin.sweep.charts import sweep_axes, sweep_heatmap, sweep_values
from ruin.tradefile import parquet_rows

MAX_BYTES = 25 * 1024 * 1024
#: Most cells (rows) and columns the page loads: counted from the Parquet metadata first, so
#: a small compressed file of hundreds of millions of rows is refused before it is decoded.
MAX_ROWS = 1_000_000
MAX_COLUMNS = 500


def main() -> None:
    st.set_page_config(page_title="ruin — sweeps", layout="wide")
    st.title("Sweep results")
    st.caption(
        "A sweep runs one scenario over a grid of parameter values (`ruin sweep SPEC --out "
        "results.parquet`, see the README). Upload its Parquet file to map any output over two "
        "axes, one panel per value of a third. Each cell is its own simulation with its own "
        "seed, so a cell can be replayed with `ruin simulate`."
    )

    upload = st.file_uploader("Sweep result (.parquet)", type=["parquet"], key="sweep_file")
    if upload is None:
        st.info("Upload a sweep result file to see its heat maps.")
        return

    data = upload.getvalue()
    if len(data) > MAX_BYTES:
        st.error(f"Sweep file must be at most 25 MiB; got {len(data) / 2**20:.1f} MiB.")
        return
    try:
        rows = parquet_rows(data, f"Sweep file {upload.name}")
        columns = len(pl.read_parquet_schema(io.BytesIO(data)))
        if rows > MAX_ROWS or columns > MAX_COLUMNS:
            st.error(
                f"Sweep file must have at most {MAX_ROWS:,} rows and {MAX_COLUMNS} columns; "
                f"got {rows:,} rows and {columns:,} columns."
            )
            return
        df = pl.read_parquet(io.BytesIO(data))
        axes = sweep_axes(df)
        values = sweep_values(df)
    except (pl.exceptions.PolarsError, OSError, ParameterError) as exc:
        why = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        st.error(f"Sweep file could not be read as a sweep result: {why}")
        return

    if len(axes) < 2 or not values:
        st.error(
            f"Sweep file {upload.name} must have at least two axes with several values and one "
            f"numeric output; found axes {axes or 'none'} and outputs {values or 'none'}."
        )
        return

    c1, c2, c3, c4 = st.columns(4)
    x = c1.selectbox("Horizontal axis", axes, index=0, key="sweep_x")
    y = c2.selectbox("Vertical axis", [a for a in axes if a != x], index=0, key="sweep_y")
    rest = [a for a in axes if a not in (x, y)]
    facet = c3.selectbox(
        "Panels (third axis)", ["(none)", *rest], index=1 if rest else 0, key="sweep_facet"
    )
    default_value = values.index("ruin_probability") if "ruin_probability" in values else 0
    value = c4.selectbox("Output", values, index=default_value, key="sweep_value")

    # Axes that are neither shown nor faceted are held at one value each.
    fixed = [a for a in rest if a != facet]
    view = df
    for a in fixed:
        choices = sorted(df.get_column(a).unique().to_list())
        pick = st.select_slider(f"Hold {a} at", options=choices, key=f"sweep_hold_{a}")
        view = view.filter(pl.col(a) == pick)

    try:
        chart = sweep_heatmap(view, x, y, value, None if facet == "(none)" else facet)
    except ParameterError as exc:
        st.error(str(exc))
        return
    st.altair_chart(chart)
    st.caption(
        f"{view.height:,} of {df.height:,} cells shown. Hover a cell for its value, "
        "its 95% interval (simulated cells) and whether it was simulated or exact."
    )
    st.dataframe(view, hide_index=True)


# A guard, not a top-level script: worker processes started with "spawn" re-import the
# main module as __mp_main__, and must not re-run the page.
if __name__ == "__main__":
    main()
