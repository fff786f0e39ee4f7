"""The teaching page's form in library terms (no streamlit).

The Streamlit page (``app.py`` + ``ui/``) shows widgets in percents; everything that decides
what those widgets *mean* lives here, so it can be read and unit-tested without a browser:

* the page's defaults (:data:`APP_DEFAULTS`), limits and share-link fields (:data:`FIELDS`:
  each the key of :data:`ruin.keys.KEYS`, with the widget's bounds where a slider shows less
  than the key allows; the validity rule and its message are the key's);
* percent on screen <-> fraction in the core (:func:`to_ui`, :func:`from_ui`);
* how a preset or lesson fills the form (:func:`preset_form`), including the take-profit
  default ``payoff x stop`` (:func:`default_take_profit`);
* reading and writing share links (:func:`read_link`, :func:`write_link`);
* the form as layers of the one precedence table :data:`ruin.keys.PRECEDENCE`
  (:func:`scenario_layers`, :func:`scenario_keys`) and the page's run limits
  (:func:`build_run`);
* the lessons page's "change the rules" inputs (:func:`lesson_rules`).

Precedence is the library's (:data:`ruin.keys.PRECEDENCE`): a chosen preset's keys without a
widget (behaviour rules, ``drift``, ``trades_file`` ...) are the ``scenario`` layer, the
widgets (and the leverage section's :func:`market_keys`) the ``explicit`` layer, so a widget
beats the preset as a command-line flag beats a scenario file. What the page adds is which
widgets are *live*, because every widget always holds a value and an idle one must not count
as given (:data:`ruin.keys.CONFLICTS` would rightly refuse, say, a win rate beside a trade
file):

* leverage section off: no leverage key is handed in (also none of the preset's);
* leverage section on: the payoff slider is idle (take-profit / stop sets the payoff);
* a preset's ``drift`` sets the edge: the win-rate slider is idle;
* a preset's ``trades_file`` or ``outcomes`` is the trade model: win rate and payoff are
  idle; an upload replaces the preset's ``trades_file``;
* ``bootstrap`` only with a trade file, ``block_length`` only with block resampling;
* account rules: a blank or 0 trailing drawdown / daily loss limit / minimum of trading days
  is off, and their companions (lock, action, trades per day) count only beside a rule that
  is on (:func:`rule_keys`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from . import keys, market, share, venues
from .config import build_scenario
from .engine.rng import resolve_seed
from .engine.work import APP_MAX_WORK
from .errors import ParameterError
from .keys import KEYS, Key
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
    "RULES_FIELDS",
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
    "rule_keys",
    "scenario_keys",
    "scenario_layers",
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
    # account rules (ruin.rules): blank or 0 = off
    "trailing_drawdown": None,
    "trailing_lock": None,
    "daily_loss_limit": None,
    "daily_loss_action": "pause",
    "trades_per_day": 1,
    "min_trading_days": 0,
}
MAX_UI_PATHS = 2_000_000
MAX_UI_TRADES = 100_000
MAX_WORK = APP_MAX_WORK  # paths x trades the page will run (about a minute on 2 cores)
BIG_RUN = 200_000_000  # paths x trades from which a run shows a progress bar
SEED_MAX = 2**31 - 1

VENUES: tuple[str, ...] = ("none", *venues.load_venues())
ASSETS: tuple[str, ...] = ("none", *venues.load_assets())
REGIMES: tuple[str, ...] = ("none", *venues.FUNDING_REGIMES)


def _field(name: str, lo: float | None = None, hi: float | None = None, **page: Any) -> share.Field:
    """The link field of a flat key: the key's reader and check (:data:`ruin.keys.KEYS`),
    within the widget's bounds ``lo``..``hi`` where the widget shows less than the key allows.
    ``page`` changes only how "off" is spelled on this page (``optional``, ``choices`` with
    ``"none"``), never the key's range."""
    key = KEYS[name]
    if "choices" in page:
        page["choices"] = ("none", *key.choices)
    return share.Field(dataclasses.replace(key, **page) if page else key, lo, hi)


def _switch(name: str, help: str) -> share.Field:
    """A page-only on/off input (a checkbox that is not a flat key of its own)."""
    return share.Field(Key(name, "bool", group="page", default=False, help=help))


#: Share-link fields of the account inputs (widget bounds inside the keys' ranges).
ACCOUNT_FIELDS: dict[str, share.Field] = {
    "win_rate": _field("win_rate", 0.01, 0.99),
    "payoff": _field("payoff", 0.1, 10.0),
    "risk": _field("risk", 0.001, 1.0),
    "sizing": _field("sizing"),
    "trades": _field("trades", 1, MAX_UI_TRADES),
    "paths": _field("paths", 100, MAX_UI_PATHS),
    "seed": _field("seed", 0, SEED_MAX, optional=False),
    "ruin_level": _field("ruin_level", 0.0, 0.99),
    "goal": _field("goal", None, 1e6),
    "bootstrap": _field("bootstrap"),
    "block_length": _field("block_length", 1, 10_000),
    "log": share.Field(Key("log", "bool", default=True, help="log scale for the equity fan")),
}
#: Share-link fields of the leverage section ("none" venue/asset/regime and a blank number
#: mean "not given": the presets and defaults apply).
LEVERAGE_FIELDS: dict[str, share.Field] = {
    "leveraged": _switch("leveraged", "the leveraged price-path model"),
    "leverage": _field("leverage"),
    "stop": _field("stop", 0.0005, 0.9),
    "take_profit": _field("take_profit", 0.0005, 10.0, optional=False),
    "side": _field("side"),
    "margin_mode": _field("margin_mode"),
    "venue": _field("venue", optional=False, choices=()),
    "asset": _field("asset", optional=False, choices=()),
    "volatility": _field("volatility", 0.001, 0.5),
    "tails": _switch("tails", "Student-t shocks (the asset's degrees of freedom, else 4)"),
    "garch": _switch("garch", "GARCH(1,1) volatility clustering"),
    "jumps": _switch("jumps", "rare crash jumps"),
    "funding_regime": _field("funding_regime", optional=False, choices=()),
    "fee_bps": _field("fee_bps"),
    "slippage_bps": _field("slippage_bps"),
    "max_hold_days": _field("max_hold_days", None, 365.0),
    "mmr": _field("mmr", None, 0.5, optional=True),
}
#: Share-link fields of the account rules (:mod:`ruin.rules`): trailing drawdown, daily loss
#: limit and a challenge's minimum trading days; blank or 0 means off (:func:`rule_keys`).
RULES_FIELDS: dict[str, share.Field] = {
    "trailing_drawdown": _field("trailing_drawdown", 0.0, 0.99),
    "trailing_lock": _field("trailing_lock", 1.0, 1e6),
    "daily_loss_limit": _field("daily_loss_limit", 0.0, 0.99),
    "daily_loss_action": _field("daily_loss_action", optional=False),
    "trades_per_day": _field("trades_per_day", 1, 10_000, optional=False),
    "min_trading_days": _field("min_trading_days", 0, 100_000, optional=False),
}
#: Every form input with a widget, in link order (widget key = ``"w_" + name``).
FIELDS: dict[str, share.Field] = {**ACCOUNT_FIELDS, **LEVERAGE_FIELDS, **RULES_FIELDS}
#: Inputs shown in percent on screen (fractions in the core): the table's percent keys.
PERCENT = frozenset(k for k, f in FIELDS.items() if f.key.percent)

DEFAULT_PRESET = "default"
_DEFAULT_TITLE = "Real edge, sized a bit hot (page default)"


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


def _as_checkbox(key: str, value: Any) -> Any:
    """A preset's ``tails`` / ``garch`` / ``jumps`` as its checkbox, read by the key
    (``tails = "t"`` is on, ``"normal"`` off; ``garch = "on"`` on): ``True`` / ``False``, or
    the value itself where the checkbox cannot show it (``tails = "t:4"``, GARCH numbers)."""
    try:
        v = KEYS[key].check(value)
    except ParameterError:
        return value
    if key == "tails":
        return {"t": True, "normal": False}.get(v, value) if isinstance(v, str) else value
    return v if isinstance(v, bool) else value


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
                flat[k] = _as_checkbox(k, flat[k])
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
        field = share.Field(Key("preset", "choice", choices=tuple(presets)))
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


def rule_keys(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Account-rule inputs -> the flat keys of :mod:`ruin.rules` (``{}`` when none is on).

    A blank or 0 trailing drawdown, daily loss limit or minimum of trading days is off; the
    lock goes with the trailing drawdown, the action with the daily limit, and the trades per
    day with any rule that is on (they make the days).

    >>> rule_keys({"trailing_drawdown": 0.1, "trailing_lock": None, "daily_loss_limit": 0.0,
    ...            "daily_loss_action": "pause", "trades_per_day": 3, "min_trading_days": 0})
    {'trailing_drawdown': 0.1, 'trades_per_day': 3}
    """
    out: dict[str, Any] = {}
    if flat.get("trailing_drawdown"):
        out["trailing_drawdown"] = flat["trailing_drawdown"]
        if flat.get("trailing_lock"):
            out["trailing_lock"] = flat["trailing_lock"]
    if flat.get("daily_loss_limit"):
        out["daily_loss_limit"] = flat["daily_loss_limit"]
        if flat.get("daily_loss_action"):
            out["daily_loss_action"] = flat["daily_loss_action"]
    if flat.get("min_trading_days"):
        out["min_trading_days"] = flat["min_trading_days"]
    if out and flat.get("trades_per_day"):
        out["trades_per_day"] = flat["trades_per_day"]
    return out


def scenario_layers(
    flat: Mapping[str, Any], extras: Mapping[str, Any], *, uploaded: bool = False
) -> dict[str, dict[str, Any]]:
    """Form values + a preset's extra keys -> layers of :data:`ruin.keys.PRECEDENCE`.

    The preset's keys without a widget are the ``scenario`` layer (as ``ruin simulate
    --scenario`` reads them) and the page's widgets the ``explicit`` layer, so a widget beats
    the preset, as a flag beats a file. The page holds a value in every widget, so only the
    widgets that mean something for the chosen model are handed in (see the module
    docstring); ``uploaded`` says the user uploaded a trade file, which replaces a preset's
    ``trades_file``.
    """
    scenario = {k: v for k, v in extras.items() if k in KEYS}
    widgets = {
        k: v
        for k, v in flat.items()
        if k in KEYS and k not in market.LEVERAGE_KEYS and k not in RULES_FIELDS
    }
    widgets.update(rule_keys(flat))
    lev = market_keys(flat)
    if lev:
        widgets.update(lev)
        widgets.pop("payoff", None)  # the take-profit sets the payoff
    else:  # leverage section off: no leveraged model, also not a preset's
        scenario = {k: v for k, v in scenario.items() if k not in market.LEVERAGE_KEYS}
    if "drift" in scenario:
        widgets.pop("win_rate", None)  # a preset's drift sets the edge instead
    if uploaded:
        scenario.pop("trades_file", None)
    if "trades_file" in scenario or "outcomes" in scenario:
        widgets.pop("win_rate", None)  # the preset's own trade model replaces the sliders
        widgets.pop("payoff", None)
    if "trades_file" not in scenario:
        widgets.pop("bootstrap", None)
    if widgets.get("bootstrap") != "block":
        widgets.pop("block_length", None)
    return {"scenario": scenario, "explicit": widgets}


def scenario_keys(
    flat: Mapping[str, Any], extras: Mapping[str, Any], *, uploaded: bool = False
) -> dict[str, Any]:
    """The flat keys the page hands to ``build_scenario``: :func:`scenario_layers` merged by
    :data:`ruin.keys.PRECEDENCE` (:func:`ruin.keys.merge`).

    >>> scenario_keys({"risk": 0.02, "log": True}, {"risk": 0.05, "martingale": 2.0})
    {'risk': 0.02, 'martingale': 2.0}
    """
    return keys.merge(scenario_layers(flat, extras, uploaded=uploaded))


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
        Naming the offending input (the keys' own messages, :mod:`ruin.keys`), or
        ``paths × trades`` above :data:`MAX_WORK`.
    """
    layers = scenario_layers(flat, extras, uploaded=upload is not None)
    if seed is not None:
        layers["explicit"]["seed"] = seed
    sc = build_scenario(layers=layers)
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
#: ... and those shown in percent (the table's percent keys among the behaviour rules).
LESSON_PERCENT = frozenset(k for k in keys.group("behaviour") if KEYS[k].percent)


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
