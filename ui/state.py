"""Session state of the page: the link sets the form once, callbacks change it, the form
goes back into the link. Widget keys are ``"w_" + name`` of :data:`ruin.form.FIELDS`.

Other keys: ``_init`` (the link was read), ``_extras`` (the preset's keys without a widget),
``_notices`` (unreadable link parts), ``_current_flat`` / ``_pinned`` (compare),
``_big`` (the last big run), ``_sweep_market`` (a leveraged sweep asked for) and
``_formulas_open`` (the formulas expander is open; :mod:`ui.formulas`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ruin import form


@st.cache_data(show_spinner=False, ttl=60)
def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """Preset name -> (menu label, flat params) (:func:`ruin.form.preset_catalogue`)."""
    return form.preset_catalogue()


def preset_label(name: str) -> str:
    return presets().get(name, (name, {}))[0]


def preset_form(name: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(widget values, extra keys) of a preset by name (``None``: nothing)."""
    return form.preset_form(presets().get(name, ("", {}))[1] if name else {})


def _set_widgets(params: dict[str, Any]) -> None:
    for key in form.FIELDS:
        if key in params:
            st.session_state[f"w_{key}"] = form.to_ui(key, params[key])


def init_from_link() -> None:
    """First run of a session: the URL (if any) sets every input; bad parts are noticed."""
    if st.session_state.get("_init"):
        return
    link = form.read_link({k: st.query_params.get_all(k) for k in st.query_params}, presets())
    _set_widgets(link.params)
    st.session_state["w_preset"] = link.preset
    st.session_state["_extras"] = link.extras
    st.session_state["_notices"] = link.notices
    st.session_state["_init"] = True


def extras() -> dict[str, Any]:
    return st.session_state.get("_extras", {})


def notices() -> list[str]:
    return st.session_state.get("_notices", [])


def read_form() -> dict[str, Any]:
    """The form in core units (every widget key present in the session).

    Also kept as ``_current_flat`` (with the preset extras) for "Pin current as A".
    """
    flat = {
        k: form.from_ui(k, st.session_state[f"w_{k}"])
        for k in form.FIELDS
        if f"w_{k}" in st.session_state
    }
    st.session_state["_current_flat"] = (flat, extras())
    return flat


def write_link(flat: dict[str, Any]) -> dict[str, str]:
    """Put the form into the URL (only changed values); returns the query."""
    preset = st.session_state.get("w_preset")
    wanted = form.write_link(flat, preset, preset_form(preset)[0])
    if {k: st.query_params[k] for k in st.query_params} != wanted:
        st.query_params.from_dict(wanted)
    return wanted


# --------------------------------------------------------------------------- callbacks


def apply_preset() -> None:
    widgets, more = preset_form(st.session_state.get("w_preset"))
    _set_widgets({**form.APP_DEFAULTS, **widgets})
    st.session_state["_extras"] = more


def clear_extras() -> None:
    st.session_state["_extras"] = {}
    st.session_state["w_preset"] = None


def new_seed() -> None:
    st.session_state["w_seed"] = form.fresh_seed()


def pin() -> None:
    st.session_state["_pinned"] = st.session_state.get("_current_flat")


def unpin() -> None:
    st.session_state.pop("_pinned", None)


def pinned() -> tuple[dict[str, Any], dict[str, Any]] | None:
    return st.session_state.get("_pinned")


def asset_changed() -> None:
    vol = form.asset_volatility(st.session_state.get("w_asset"))
    if vol is not None:
        # the URL then carries volatility explicitly, so a link reproduces the run
        st.session_state["w_volatility"] = round(vol * 100, 4)
