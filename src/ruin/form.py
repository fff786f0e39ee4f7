"""The teaching page's form in library terms (no streamlit).

The Streamlit page (``app.py`` + ``ui/``) shows widgets in percents; everything that decides
what those widgets *mean* lives here, so it can be read and unit-tested without a browser:

* the page's defaults (:data:`APP_DEFAULTS`), limits and share-link fields (:data:`FIELDS`);
* percent on screen <-> fraction in the core (:func:`to_ui`, :func:`from_ui`);
* how a preset or lesson fills the form (:func:`preset_form`), including the take-profit
  default ``payoff x stop`` (:func:`default_take_profit`);
* reading and writing share links (:func:`read_link`, :func:`write_link`);
* the precedence from form values + a preset's extra keys to the flat keys
  :func:`ruin.config.build_scenario` accepts (:func:`scenario_keys`) and the page's run
  limits (:func:`build_run`);
* the lessons page's "change the rules" inputs (:func:`lesson_rules`).

Precedence of a flat key, lowest first (see :func:`scenario_keys`):

=====================  =========================================================
1. preset extras       keys a preset sets that have no widget (behaviour rules,
                       ``drift``, ``trades_file`` ...)
2. form values         every widget whose key :func:`ruin.config.build_scenario`
                       knows, except the leverage keys
3. leverage section    :func:`market_keys` when the leverage toggle is on; with it
                       off every leverage key (also a preset's) is dropped
=====================  =========================================================

then: a leveraged run drops ``payoff`` (take-profit / stop sets it), a ``drift`` drops
``win_rate``, an uploaded file replaces a preset's ``trades_file``, and ``block_length`` /
``bootstrap`` are kept only where they mean something.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from . import market, share, venues
from .config import build_scenario, known_keys
from .engine.rng import resolve_seed
from .errors import ParameterError
from .params import Bootstrap, Scenario
from .studies.scenarios import ScenarioFile, list_scenarios, scenario_params
from .tradefile import read_trades_bytes

__all__ = [
    "APP_DEFAULTS",
    "ASSETS",
    "BIG_RUN",
    "DEFAULT_PRESET",
    "FIELDS",
    "LESSON_PERCENT",
    "LESSON_ZERO_OFF",
    "LEVERAGE_FIELDS",
    "LinkState",
    "MAX_UI_PATHS",
    "MAX_UI_TRADES",
    "MAX_WORK",
    "PERCENT",
    "REGIMES",
    "SEED_MAX",
    "VENUES",
    "asset_volatility",
    "build_run",
    "changed_inputs",
    "default_take_profit",
    "describe_extras",
    "fresh_seed",
    "lesson_link",
    "lesson_rules",
    "from_ui",
    "market_keys",
    "payoff_of",
    "preset_catalogue",
    "preset_form",
    "read_link",
    "scenario_keys",
    "to_ui",
    "write_link",
]

#: Flat parameters in core units (fractions). The page's defaults are a teaching case: a real
#: edge (45% winners paying 1.5R) sized a bit too hot for comfort.
APP_DEFAULTS: dict[str, Any] = {
    "win_rate": 0.45,
    "payoff": 1.5,
    "risk": 0.03,
    "sizing": "fractional",
    "trades": 500,
    "paths": 10_000,
    "seed": 12345,
    "ruin_level": 0.5,
    "goal": None,
    "bootstrap": "iid",
    "block_length": 5,
    "log": True,
    # leveraged perpetual-futures model (ruin.market); off by default
    "leveraged": False,
    "leverage": 10.0,
    "stop": 0.02,
    "take_profit": 0.03,
    "side": "long",
    "margin_mode": "isolated",
    "venue": "none",
    "asset": "none",
    "volatility": 0.03,
    "tails": False,
    "garch": False,
    "jumps": False,
    "funding_regime": "none",
    "fee_bps": None,
    "slippage_bps": None,
    "max_hold_days": None,
    "mmr": None,
}
MAX_UI_PATHS = 2_000_000
MAX_UI_TRADES = 100_000
MAX_WORK = 5_000_000_000  # paths x trades the page will run (about a minute on 2 cores)
BIG_RUN = 200_000_000  # paths x trades from which a run shows a progress bar
SEED_MAX = 2**31 - 1

VENUES: tuple[str, ...] = ("none", *venues.load_venues())
ASSETS: tuple[str, ...] = ("none", *venues.load_assets())
REGIMES: tuple[str, ...] = ("none", *venues.FUNDING_REGIMES)

_F = share.Field
#: Share-link fields of the account inputs (the ranges match the widgets).
ACCOUNT_FIELDS: dict[str, share.Field] = {
    "win_rate": _F("win_rate", "float", 0.01, 0.99),
    "payoff": _F("payoff", "float", 0.1, 10.0),
    "risk": _F("risk", "float", 0.001, 1.0),
    "sizing": _F("sizing", "choice", choices=("fractional", "fixed")),
    "trades": _F("trades", "int", 1, MAX_UI_TRADES),
    "paths": _F("paths", "int", 100, MAX_UI_PATHS),
    "seed": _F("seed", "int", 0, SEED_MAX),
    "ruin_level": _F("ruin_level", "float", 0.0, 0.99),
    "goal": _F("goal", "optional_float", 0.0, 1e6),
    "bootstrap": _F("bootstrap", "choice", choices=("iid", "block")),
    "block_length": _F("block_length", "int", 1, 10_000),
    "log": _F("log", "bool"),
}
#: Share-link fields of the leverage section.
LEVERAGE_FIELDS: dict[str, share.Field] = {
    "leveraged": _F("leveraged", "bool"),
    "leverage": _F("leverage", "float", 1.0, 1000.0),
    "stop": _F("stop", "float", 0.0005, 0.9),
    "take_profit": _F("take_profit", "float", 0.0005, 10.0),
    "side": _F("side", "choice", choices=("long", "short")),
    "margin_mode": _F("margin_mode", "choice", choices=("isolated", "cross")),
    "venue": _F("venue", "choice", choices=VENUES),
    "asset": _F("asset", "choice", choices=ASSETS),
    "volatility": _F("volatility", "float", 0.001, 0.5),
    "tails": _F("tails", "bool"),
    "garch": _F("garch", "bool"),
    "jumps": _F("jumps", "bool"),
    "funding_regime": _F("funding_regime", "choice", choices=REGIMES),
    "fee_bps": _F("fee_bps", "optional_float", 0.0, 1000.0),
    "slippage_bps": _F("slippage_bps", "optional_float", 0.0, 1000.0),
    "max_hold_days": _F("max_hold_days", "optional_float", 0.0, 365.0),
    "mmr": _F("mmr", "optional_float", 0.0, 0.5),
}
#: Every form input with a widget, in link order (widget key = ``"w_" + name``).
FIELDS: dict[str, share.Field] = {**ACCOUNT_FIELDS, **LEVERAGE_FIELDS}
#: Inputs shown in percent on screen (fractions in the core).
PERCENT = frozenset({"win_rate", "risk", "ruin_level", "stop", "take_profit", "volatility", "mmr"})

DEFAULT_PRESET = "default"
_DEFAULT_TITLE = "Real edge, sized a bit hot (page default)"
_ON = ("t", "on", "true", "1")
_OFF = ("normal", "off", "false", "0")


# --------------------------------------------------------------------------- units


def to_ui(key: str, value: Any) -> Any:
    """Core value -> widget value: fractions become percents, ``goal=None`` becomes 0.

    >>> to_ui("risk", 0.03), to_ui("goal", None), to_ui("fee_bps", None)
    (3.0, 0.0, None)
    """
    if value is None and key != "goal":
        return None
    if key in PERCENT:
        return round(float(value) * 100, 6)
    if key == "goal":
        return 0.0 if value is None else float(value)
    return value


def from_ui(key: str, value: Any) -> Any:
    """Widget value -> core value (the inverse of :func:`to_ui`).

    >>> from_ui("risk", 4.1), from_ui("goal", 0.0)
    (0.041, None)
    """
    if value is None:
        return None
    if key in PERCENT:
        return round(float(value) / 100, 10)  # 4.1% -> 0.041, not 0.040999999999999995
    if key == "goal":
        return None if not value else float(value)
    return value


def payoff_of(take_profit: float, stop: float) -> float:
    """Payoff on a win in R of a leveraged trade: take-profit distance / stop distance."""
    return take_profit / max(stop, 1e-9)


def asset_volatility(asset: str | None) -> float | None:
    """Daily volatility (fraction) of an asset preset; ``None`` for no preset or "none"."""
    if not asset or asset == "none":
        return None
    return float(venues.load_assets()[asset].daily_vol)


def fresh_seed() -> int:
    """A new random seed inside the page's seed range."""
    return int(resolve_seed(None) % SEED_MAX)


# --------------------------------------------------------------------------- presets


def preset_catalogue(folder: Any = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """Preset name -> (menu label, flat params): the page default, then every scenario file.

    Lessons are listed too, labelled ``"Lesson: "``; ``folder`` defaults to the built-in
    scenarios (:func:`ruin.scenarios.list_scenarios`).
    """
    out: dict[str, tuple[str, dict[str, Any]]] = {DEFAULT_PRESET: (_DEFAULT_TITLE, {})}
    for sf in list_scenarios(folder):
        label = ("Lesson: " if sf.kind == "lesson" else "") + sf.title
        out[sf.name] = (label, dict(sf.params))
    return out


def default_take_profit(params: Mapping[str, Any]) -> float:
    """Take-profit distance when a preset gives none: ``payoff x stop``.

    A missing payoff or stop takes the page default, so a preset that sets only a stop keeps
    the page's 1.5R payoff.

    >>> default_take_profit({"payoff": 2.0, "stop": 0.01})
    0.02
    """
    payoff = float(params.get("payoff", APP_DEFAULTS["payoff"]))
    return payoff * float(params.get("stop", APP_DEFAULTS["stop"]))


def _as_bool(value: Any) -> Any:
    if isinstance(value, str):
        low = value.lower()
        if low in _ON:
            return True
        if low in _OFF:
            return False
    return value


def preset_form(params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a preset's flat params into (widget values, extra keys without a widget).

    A preset that names any leverage key turns the leverage section on, reads ``tails`` /
    ``garch`` / ``jumps`` words ("t", "on", "off", ...) as the checkboxes, takes the volatility
    of its ``asset`` when it gives none, and gets ``take_profit = payoff x stop``
    (:func:`default_take_profit`). Values a widget cannot show (``tails = "t:4"``) stay extras.
    """
    flat = dict(params)
    if any(k in market.LEVERAGE_KEYS for k in flat):
        flat["leveraged"] = True
        for k in ("tails", "garch", "jumps"):
            if k in flat:
                flat[k] = _as_bool(flat[k])
        if "volatility" not in flat and flat.get("asset"):
            flat["volatility"] = round(float(venues.load_assets()[flat["asset"]].daily_vol), 6)
        if "take_profit" not in flat:
            flat["take_profit"] = default_take_profit(flat)
    widgets = {
        k: v
        for k, v in flat.items()
        if k in FIELDS and (FIELDS[k].kind != "bool" or isinstance(v, bool))
    }
    extras = {k: v for k, v in flat.items() if k not in widgets}
    return widgets, extras


def describe_extras(extras: Mapping[str, Any]) -> str:
    """Plain words for a preset's extra keys: ``"its own trade file, martingale = 2"``."""
    shown = ", ".join(f"{k} = {v}" for k, v in extras.items() if k != "trades_file")
    if "trades_file" in extras:
        shown = "its own trade file" + (", " + shown if shown else "")
    return shown


# --------------------------------------------------------------------------- links


@dataclasses.dataclass(frozen=True, slots=True)
class LinkState:
    """What a share link sets: the preset (or ``None``), every form value, the preset's
    extra keys, and one notice per unknown or unreadable link parameter."""

    preset: str | None
    params: dict[str, Any]
    extras: dict[str, Any]
    notices: list[str]


def read_link(
    query: Mapping[str, Any], presets: Mapping[str, tuple[str, Mapping[str, Any]]]
) -> LinkState:
    """A share link's query -> :class:`LinkState`; never raises.

    ``query`` maps a key to its value or list of values (the last counts). The link's preset
    (if known) fills the form first; the other link values are read against the page
    defaults overlaid by that preset (:func:`ruin.share.decode`).
    """
    rest = dict(query)
    notices: list[str] = []
    chosen = None
    if "preset" in rest:
        field = share.Field("preset", "choice", choices=tuple(presets))
        got, notices = share.decode(
            {"preset": rest.pop("preset")}, {"preset": None}, {"preset": field}
        )
        chosen = got["preset"]
    widgets, extras = preset_form(presets[chosen][1] if chosen else {})
    params, more = share.decode(rest, {**APP_DEFAULTS, **widgets}, FIELDS)
    return LinkState(preset=chosen, params=params, extras=extras, notices=notices + more)


def write_link(
    flat: Mapping[str, Any], preset: str | None, preset_widgets: Mapping[str, Any]
) -> dict[str, str]:
    """The share link's query for the form values ``flat`` (core units).

    Only values that differ from the page defaults overlaid by the preset's widget values are
    written (in :data:`FIELDS` order), after ``preset=NAME`` when a preset is chosen.
    """
    wanted = share.encode(flat, {**APP_DEFAULTS, **preset_widgets}, FIELDS)
    if preset:
        wanted = {"preset": str(preset), **wanted}
    return wanted


def lesson_link(
    sf: ScenarioFile, variant: str | None, *, seed: int, paths: int, builtin: bool = True
) -> str:
    """The main page's share link (``"?preset=...&seed=..."``) that opens ``variant`` of the
    lesson ``sf`` with the lesson's seed: "explore this".

    A built-in lesson is in the page's preset menu, so the link names it and adds only what
    the variant changes; an author's own lesson (``builtin=False``) is written out in full.
    Values without a widget on the main page (behaviour rules, say) come from the preset.
    """
    base, _ = preset_form(sf.params)
    widgets, _ = preset_form(scenario_params(sf, variant))
    flat = {**APP_DEFAULTS, **widgets, "seed": int(seed), "paths": int(paths)}
    query = write_link(flat, sf.name if builtin else None, base if builtin else {})
    return "?" + share.to_query_string(query)


# --------------------------------------------------------------------------- flat keys


def market_keys(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Leverage-section values -> the flat keys of :mod:`ruin.market` (``{}`` when off).

    "none" venue/asset/regime and blank optional numbers are left out (the model's presets
    and defaults apply); ``tails`` becomes ``"t"`` (the asset's degrees of freedom) or
    ``"t:4"`` without an asset; a time stop of 0 means none.
    """
    if not flat.get("leveraged"):
        return {}
    out = {
        k: flat[k] for k in ("leverage", "stop", "take_profit", "side", "margin_mode", "volatility")
    }
    for k in ("venue", "asset", "funding_regime"):
        if flat.get(k) not in (None, "none"):
            out[k] = flat[k]
    if flat.get("tails"):
        out["tails"] = "t" if "asset" in out else "t:4"
    for k in ("garch", "jumps"):
        if flat.get(k):
            out[k] = True
    for k in ("fee_bps", "slippage_bps", "mmr"):
        if flat.get(k) is not None:
            out[k] = flat[k]
    if flat.get("max_hold_days"):
        out["max_hold_days"] = flat["max_hold_days"]
    return out


def scenario_keys(
    flat: Mapping[str, Any], extras: Mapping[str, Any], *, uploaded: bool = False
) -> dict[str, Any]:
    """Form values + a preset's extra keys -> the flat keys for ``build_scenario``.

    The precedence table is in this module's docstring. ``uploaded`` says the user uploaded
    a trade file, which replaces a preset's ``trades_file``.

    >>> scenario_keys({"risk": 0.02, "log": True}, {"risk": 0.05, "martingale": 2.0})
    {'risk': 0.02, 'martingale': 2.0}
    """
    lev = market_keys(flat)
    own = {k: v for k, v in flat.items() if k in known_keys() and k not in market.LEVERAGE_KEYS}
    core = {**extras, **own, **lev}
    if lev:
        core.pop("payoff", None)  # the take-profit sets the payoff
    else:
        core = {k: v for k, v in core.items() if k not in market.LEVERAGE_KEYS}
    if "drift" in core:
        core.pop("win_rate", None)  # a preset's drift sets the edge instead
    if uploaded:
        core.pop("trades_file", None)
    if core.get("bootstrap") != "block":
        core.pop("block_length", None)
    if "trades_file" not in core:
        core.pop("bootstrap", None)
    return core


def build_run(
    flat: Mapping[str, Any],
    extras: Mapping[str, Any],
    *,
    upload: tuple[str, bytes] | None = None,
    seed: int | None = None,
) -> Scenario:
    """The page's scenario: :func:`scenario_keys` -> ``build_scenario`` (+ an upload).

    Parameters
    ----------
    flat, extras
        Form values (core units) and the preset's extra keys.
    upload : (file name, bytes), optional
        A trade list (CSV or Parquet, :func:`ruin.tradefile.read_trades_bytes`) resampled
        with the form's ``bootstrap`` method and ``block_length``.
    seed : int, optional
        Overrides the form's seed (A vs B comparisons run on the current seed).

    Raises
    ------
    ParameterError
        Naming the offending input, or ``paths × trades`` above :data:`MAX_WORK`.
    """
    core = scenario_keys(flat, extras, uploaded=upload is not None)
    if seed is not None:
        core["seed"] = seed
    sc = build_scenario(core)
    if upload is not None:
        name, data = upload
        values, kind = read_trades_bytes(data, name=name)
        method = flat.get("bootstrap", "iid")
        model = Bootstrap(
            trades=values,
            method=method,
            kind=kind,
            source=name,
            block_length=flat.get("block_length", 1) if method == "block" else 1,
        )
        sc = dataclasses.replace(sc, model=model)
    work = sc.paths * sc.account.trades
    if work > MAX_WORK:
        raise ParameterError(
            "paths × trades",
            f"at most {MAX_WORK:,.0f} on this page",
            f"{sc.paths:,} × {sc.account.trades:,} = {work:,}",
            "Use the command line (ruin simulate) for bigger runs.",
        )
    return sc


def changed_inputs(
    a: Mapping[str, Any], b: Mapping[str, Any], skip: Sequence[str] = ("seed", "log")
) -> dict[str, tuple[Any, Any]]:
    """Form inputs that differ between two forms: ``{key: (value in a, value in b)}``."""
    return {k: (a.get(k), b.get(k)) for k in FIELDS if k not in skip and a.get(k) != b.get(k)}


# --------------------------------------------------------------------------- lessons page
#: "Change the rules" inputs of the lessons page where 0 means "off".
LESSON_ZERO_OFF = frozenset({"drawdown_cut", "win_rate_sample", "partial_tp"})
#: ... and those shown in percent.
LESSON_PERCENT = frozenset({"risk_cap", "drawdown_cut"})


def lesson_rules(
    values: Mapping[str, float | None], defaults: Mapping[str, float]
) -> dict[str, Any]:
    """The lessons page's "change the rules" inputs -> flat keys of its "your rules" variant.

    A value at its default (or 0 for a rule where 0 means off) is left out; percents become
    fractions; ``win_rate_sample`` is a whole number of trades.

    >>> lesson_rules({"martingale": 2.0, "risk_cap": 50.0, "partial_tp": 0.0},
    ...              {"martingale": 1.0, "risk_cap": 100.0, "partial_tp": 0.0})
    {'martingale': 2.0, 'risk_cap': 0.5}
    """
    out: dict[str, Any] = {}
    for key, default in defaults.items():
        v = values.get(key)
        if v is None or v == default or (key in LESSON_ZERO_OFF and v == 0):
            continue
        if key in LESSON_PERCENT:
            v = v / 100.0
        out[key] = int(v) if key == "win_rate_sample" else float(v)
    return out
