"""Charts converted once per scenario and shared by every session.

``st.altair_chart`` turns an Altair chart into Vega-Lite on every script run: Altair builds
the spec and checks it against its JSON schema, then Streamlit writes each data frame as
Arrow. That costs tens of milliseconds per chart, paid again by every session and on every
rerun, although the chart of a given scenario never changes. Here the conversion runs once
per *key* (the chart's name, :func:`scenario_key` and whatever else it depends on, e.g. the
log scale) and the finished spec, its data already Arrow bytes, is cached for all sessions;
the page sends it with ``st.vega_lite_chart``, which draws exactly what ``st.altair_chart``
would. The Altair object itself is only built again when someone downloads the chart.

A *new* scenario (every slider move) needs new specs, but rarely a new chart structure: the
builders of :mod:`ruin.charts` use their frames as they are and take everything else from
options, so a spec is its builder's options with the frames' rows plugged in. The first spec
of each (builder, options, frame columns) is kept as a template; a later one only converts its
frames to Arrow and puts their names in the template's places. Altair (building the layered
chart, its deep copies and ``to_dict``) was half the script time of a slider move.
``RUIN_CHECK_SPECS=1`` (set by the test suite) builds every templated spec again with Altair
and fails if the two differ.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import threading
from collections.abc import Callable, Hashable
from contextlib import nullcontext
from typing import Any

import altair as alt
import polars as pl
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
#: Most spec templates kept (one per builder, options and frame columns; a few kB each).
MAX_TEMPLATES = 256


def scenario_key(scenario: Any) -> str:
    """A short digest of a scenario (every field, the seed and any uploaded trades).

    Frozen parameter objects pickle to the same bytes for equal values, so equal scenarios
    share their cached charts across sessions.
    """
    return _digest(scenario)


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


def _digest(value: Any) -> str:
    return hashlib.blake2b(pickle.dumps(value, protocol=5), digest_size=16).hexdigest()


class _Template:
    """A converted spec without its frames' data: ``text`` is the spec as JSON with a
    placeholder where each frame's dataset name was (in argument order), ``other`` the
    datasets the builder made from its options (e.g. a ruin line)."""

    __slots__ = ("other", "text")

    def __init__(self, spec: dict[str, Any], names: tuple[str, ...]) -> None:
        datasets = dict(spec.pop("datasets"))
        self.other = {k: v for k, v in datasets.items() if k not in names}
        text = json.dumps(spec)
        for i, name in enumerate(names):
            text = text.replace(name, _slot(i))
        self.text = text

    def fill(self, names: tuple[str, ...], datasets: dict[str, Any]) -> dict[str, Any]:
        text = self.text
        for i, name in enumerate(names):  # one pass per slot: a new name is never replaced
            text = text.replace(_slot(i), name)
        spec = json.loads(text)
        spec["datasets"] = {**self.other, **datasets}
        return spec


def _slot(i: int) -> str:
    return f"@ruin-frame-{i}@"


_templates: dict[str, _Template] = {}
_templates_lock = threading.Lock()


def from_parts(chart: Callable[..., Any], parts: dict[str, Any]) -> dict[str, Any]:
    """The spec of ``chart(**parts)``, from a template when one fits.

    ``parts`` are the builder's keyword arguments: polars frames (its data) and options
    (everything else). A template fits when the builder, the options and each frame's
    columns, types and emptiness are the same.
    """
    frames = {k: v for k, v in parts.items() if isinstance(v, pl.DataFrame)}
    options = {k: v for k, v in parts.items() if k not in frames}
    datasets: dict[str, Any] = {}
    names = tuple(_to_arrow_dataset(f, datasets)["name"] for f in frames.values())
    shapes = [(k, str(f.schema), f.height == 0) for k, f in frames.items()]
    tkey = _digest((chart.__module__, chart.__qualname__, shapes, options))
    distinct = len(set(names)) == len(names)
    template = _templates.get(tkey) if distinct else None
    if template is None:
        spec = to_vega_lite(chart(**parts))
        # no frames (e.g. A vs B, whose frames sit in a list): nothing to plug in, and the
        # spec is already cached by its key
        if names and distinct and set(names) <= set(spec.get("datasets", {})):
            with _templates_lock:
                if len(_templates) >= MAX_TEMPLATES:
                    _templates.pop(next(iter(_templates)))
                _templates[tkey] = _Template(dict(spec), names)
        return spec
    spec = template.fill(names, datasets)
    if os.environ.get("RUIN_CHECK_SPECS") == "1":
        fresh = to_vega_lite(chart(**parts))
        if spec != fresh:
            raise AssertionError(
                f"{chart.__qualname__}: the templated spec differs from Altair's; the builder "
                "reads its frames or makes data from them (see ruin.charts)"
            )
    return spec


@st.cache_data(show_spinner=False, max_entries=MAX_SPECS)
def _spec(
    key: Hashable, _chart: Callable[..., Any], _parts: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    return from_parts(_chart, _parts())


def show(
    where: Any, key: tuple, chart: Callable[..., Any], parts: Callable[[], dict[str, Any]]
) -> Callable[[], Any]:
    """Draw ``chart(**parts())`` in ``where`` (a container, column or ``st``); returns the
    chart's builder (for downloads).

    ``key`` must name everything the chart depends on; the first session that shows it
    builds and converts it (:func:`from_parts`), every later one (any session) reuses the
    spec, and ``parts`` is not called.
    """

    def build() -> Any:
        return chart(**parts())

    if _to_arrow_dataset is None:
        where.altair_chart(build(), width="stretch")
    else:
        where.vega_lite_chart(_spec(key, chart, parts), width="stretch")
    return build
