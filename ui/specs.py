"""Charts converted once per scenario and shared by every session.

``st.altair_chart`` turns an Altair chart into Vega-Lite on every script run: Altair builds
the spec and checks it against its JSON schema, then Streamlit writes each data frame as
Arrow. That costs tens of milliseconds per chart, paid again by every session and on every
rerun, although the chart of a given scenario never changes. Here the conversion runs once
per *key* (the chart's name, :func:`scenario_key` and whatever else it depends on, e.g. the
log scale) and the finished spec, its data already Arrow bytes, is cached for all sessions;
the page sends it with ``st.vega_lite_chart``, which draws exactly what ``st.altair_chart``
would. The Altair object itself is only built again when someone downloads the chart.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Hashable
from contextlib import nullcontext
from typing import Any

import altair as alt
import streamlit as st

try:  # no schema check of every Altair object as it is built (see below)
    from altair.utils.schemapi import disable_debug_mode
except ImportError:  # pragma: no cover - another Altair: objects check themselves
    disable_debug_mode = None

try:  # Streamlit's own pieces of its Altair -> Vega-Lite conversion (data as Arrow bytes)
    from streamlit.elements.vega_charts import _altair_globals_lock, _to_arrow_dataset
except ImportError:  # pragma: no cover - another Streamlit: plain st.altair_chart
    _altair_globals_lock = _to_arrow_dataset = None

# Altair checks every schema object against its JSON schema when it is built ("debug mode");
# for the page's charts that was about a tenth of their cost on each new scenario. The
# builders of ruin.charts are validated whole by tests/unit/test_charts.py instead.
if disable_debug_mode is not None:
    disable_debug_mode()

#: Most cached chart specs (about 10 per scenario and log choice, ~20-150 kB each).
MAX_SPECS = 600


def scenario_key(scenario: Any) -> str:
    """A short digest of a scenario (every field, the seed and any uploaded trades).

    Frozen parameter objects pickle to the same bytes for equal values, so equal scenarios
    share their cached charts across sessions.
    """
    return hashlib.blake2b(pickle.dumps(scenario, protocol=5), digest_size=16).hexdigest()


def to_vega_lite(chart: Any) -> dict[str, Any]:
    """The Vega-Lite spec ``st.altair_chart`` would send for ``chart``, without the schema
    check: Streamlit's conversion (theme "none", every data frame as Arrow bytes under a
    content-hashed name) with ``to_dict(validate=False)``. The check is most of the cost;
    ``tests/unit/test_charts.py`` validates every chart builder and ``tests/app/test_specs.py``
    compares this with Streamlit's own conversion."""
    datasets: dict[str, Any] = {}
    alt.data_transformers.register("to_arrow_dataset", _to_arrow_dataset)
    with _altair_globals_lock:  # altair's theme and transformer are process globals
        theme = alt.theme.enable("none") if alt.theme.active == "default" else nullcontext()
        with theme, alt.data_transformers.enable("to_arrow_dataset", datasets=datasets):
            spec = chart.to_dict(validate=False)
    have = spec.get("datasets")
    spec["datasets"] = {**have, **datasets} if isinstance(have, dict) else datasets
    return spec


@st.cache_data(show_spinner=False, max_entries=MAX_SPECS)
def _spec(key: Hashable, _build: Callable[[], Any]) -> dict[str, Any]:
    return to_vega_lite(_build())


def show(where: Any, key: tuple, build: Callable[[], Any]) -> None:
    """Draw the chart ``build()`` in ``where`` (a container, column or ``st``).

    ``key`` must name everything the chart depends on; the first session that shows it
    builds and converts it, every later one (any session) reuses the spec.
    """
    if _to_arrow_dataset is None:
        where.altair_chart(build(), width="stretch")
        return
    where.vega_lite_chart(_spec(key, build), width="stretch")
