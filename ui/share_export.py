"""Share and export: the share link, the embed code, downloads of results and charts."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ruin import SimulationResult, export, share


def _page_url() -> str:
    try:
        return str(st.context.url or "").split("?")[0]
    except Exception:  # noqa: BLE001 - no browser context (bare AppTest run)
        return ""


def render(
    query: dict[str, str],
    flat: dict[str, Any],
    result: SimulationResult,
    summary: dict[str, Any],
    theory: dict[str, Any],
    chart_map: dict[str, Any],
) -> None:
    """``chart_map``: chart title -> zero-argument builder of its Altair chart."""
    st.subheader("Share and export")
    left, right = st.columns(2)
    with left:
        qs = share.to_query_string(query)
        base = _page_url()
        link = f"{base}?{qs}" if qs else (base or "?")
        # Inline code, not st.code: the browser's syntax highlighter was the most expensive
        # part of drawing the whole page (about a quarter of its CPU, profiled in Chromium).
        st.markdown(f"**Share link** — opens this exact scenario, seed and numbers:\n\n`{link}`")
        sep = "&" if qs else ""
        embed = f'<iframe src="{base}?embed=true{sep}{qs}" width="100%" height="900"></iframe>'
        st.markdown(f"**Embed** in a course page:\n\n`{embed}`")
    with right:
        _downloads(flat, result, summary, theory, chart_map)


@st.fragment
def _downloads(
    flat: dict[str, Any],
    result: SimulationResult,
    summary: dict[str, Any],
    theory: dict[str, Any],
    chart_map: dict[str, Any],
) -> None:
    """A fragment: picking another chart image re-runs this panel only, not the page."""
    st.markdown("**Downloads**")
    sframe = export.summary_frame(summary)
    pframe = export.paths_frame(result)
    row = st.columns(3)
    row[0].download_button(
        "Summary CSV",
        export.to_csv_bytes(sframe),
        "ruin_summary.csv",
        "text/csv",
        on_click="ignore",
    )
    row[1].download_button(
        "Summary JSON",
        export.to_json_bytes({**summary, "scenario": flat, "theory": theory}),
        "ruin_summary.json",
        "application/json",
        on_click="ignore",
    )
    row[2].download_button(
        "Summary Parquet",
        export.to_parquet_bytes(sframe),
        "ruin_summary.parquet",
        "application/octet-stream",
        on_click="ignore",
    )
    row = st.columns(3)
    row[0].download_button(
        "Paths CSV",
        lambda: export.to_csv_bytes(pframe),
        "ruin_paths.csv",
        "text/csv",
        on_click="ignore",
    )
    row[1].download_button(
        "Paths JSON",
        lambda: export.to_json_bytes(pframe),
        "ruin_paths.json",
        "application/json",
        on_click="ignore",
    )
    row[2].download_button(
        "Paths Parquet",
        lambda: export.to_parquet_bytes(pframe),
        "ruin_paths.parquet",
        "application/octet-stream",
        on_click="ignore",
    )
    shown = {k: v for k, v in chart_map.items() if v is not None}
    row = st.columns([2, 1, 1], vertical_alignment="bottom")
    pick = row[0].selectbox("Chart image", list(shown), key="w_chart_pick")
    build = shown[pick]  # the Altair chart is built again only for a download
    slug = pick.lower().replace(" ", "_")
    row[1].download_button(
        "PNG", lambda: export.chart_png(build()), f"{slug}.png", "image/png", on_click="ignore"
    )
    row[2].download_button(
        "SVG",
        lambda: export.chart_svg(build()).encode(),
        f"{slug}.svg",
        "image/svg+xml",
        on_click="ignore",
    )
