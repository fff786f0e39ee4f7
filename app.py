"""ruin — Streamlit teaching app.

Thin on purpose: widgets -> flat parameters -> ``ruin.build_scenario`` -> cached
``ruin.simulate`` -> chart builders from ``ruin.charts``. No model maths lives here; the page
converts percents (UI) to fractions (core) and places what the library returns.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

import numpy as np
import polars as pl
import streamlit as st

import ruin
from ruin import ParameterError, build_scenario, charts, export, share, simulate
from ruin.config import known_keys
from ruin.engine.rng import resolve_seed
from ruin.metrics import quantile_interval
from ruin.params import Bootstrap, Scenario
from ruin.tradefile import MAX_FILE_BYTES, TEMPLATE_CSV, read_trades_bytes

st.set_page_config(page_title="ruin — risk of ruin", layout="wide")


def _optional(name: str) -> Any:
    """A ruin module that another part of the project may not have shipped yet."""
    try:
        return importlib.import_module(f"ruin.{name}")
    except ImportError:
        return None


exact = _optional("exact")
odds = _optional("odds")
margin = _optional("margin")
market = _optional("market")
scenarios_mod = _optional("scenarios")

# ----------------------------------------------------------------------------- parameters
# Flat parameters in core units (fractions). The page's defaults are a teaching case: a real
# edge (45% winners paying 1.5R) sized a bit too hot for comfort.
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

F = share.Field
FIELDS: dict[str, share.Field] = {
    "win_rate": F("win_rate", "float", 0.01, 0.99),
    "payoff": F("payoff", "float", 0.1, 10.0),
    "risk": F("risk", "float", 0.001, 1.0),
    "sizing": F("sizing", "choice", choices=("fractional", "fixed")),
    "trades": F("trades", "int", 1, MAX_UI_TRADES),
    "paths": F("paths", "int", 100, MAX_UI_PATHS),
    "seed": F("seed", "int", 0, SEED_MAX),
    "ruin_level": F("ruin_level", "float", 0.0, 0.99),
    "goal": F("goal", "optional_float", 0.0, 1e6),
    "bootstrap": F("bootstrap", "choice", choices=("iid", "block")),
    "block_length": F("block_length", "int", 1, 10_000),
    "log": F("log", "bool"),
}
VENUES = ("none", *(margin.load_venues() if margin is not None else ()))
ASSETS = ("none", *(margin.load_assets() if margin is not None else ()))
REGIMES = ("none", *(margin.FUNDING_REGIMES if margin is not None else ()))
LEVERAGE_FIELDS: dict[str, share.Field] = {
    "leveraged": F("leveraged", "bool"),
    "leverage": F("leverage", "float", 1.0, 1000.0),
    "stop": F("stop", "float", 0.0005, 0.9),
    "take_profit": F("take_profit", "float", 0.0005, 10.0),
    "side": F("side", "choice", choices=("long", "short")),
    "margin_mode": F("margin_mode", "choice", choices=("isolated", "cross")),
    "venue": F("venue", "choice", choices=VENUES),
    "asset": F("asset", "choice", choices=ASSETS),
    "volatility": F("volatility", "float", 0.001, 0.5),
    "tails": F("tails", "bool"),
    "garch": F("garch", "bool"),
    "jumps": F("jumps", "bool"),
    "funding_regime": F("funding_regime", "choice", choices=REGIMES),
    "fee_bps": F("fee_bps", "optional_float", 0.0, 1000.0),
    "slippage_bps": F("slippage_bps", "optional_float", 0.0, 1000.0),
    "max_hold_days": F("max_hold_days", "optional_float", 0.0, 365.0),
    "mmr": F("mmr", "optional_float", 0.0, 0.5),
}
if market is not None:
    FIELDS.update(LEVERAGE_FIELDS)
# Percents on screen, fractions in the core.
PERCENT = {"win_rate", "risk", "ruin_level", "stop", "take_profit", "volatility", "mmr"}


def _to_ui(key: str, value: Any) -> Any:
    if value is None and key != "goal":
        return None
    if key in PERCENT:
        return round(float(value) * 100, 6)
    if key == "goal":
        return 0.0 if value is None else float(value)
    return value


def _from_ui(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key in PERCENT:
        return round(float(value) / 100, 10)  # 4.1% -> 0.041, not 0.040999999999999995
    if key == "goal":
        return None if not value else float(value)
    return value


# ----------------------------------------------------------------------------- presets
# Fallback when ruin.scenarios (the scenarios/*.toml presets and lessons) is unavailable.
BUILTIN_PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "default": ("Real edge, sized a bit hot (page default)", {}),
    "coin_flip_no_edge": ("Coin flip with no edge, 2% risk",
                          {"win_rate": 0.5, "payoff": 1.0, "risk": 0.02}),
    "over_bet": ("Real edge, over-bet at 25% (2.5× Kelly)",
                 {"win_rate": 0.55, "payoff": 1.0, "risk": 0.25}),
}


@st.cache_data(show_spinner=False, ttl=60)
def presets() -> dict[str, tuple[str, dict[str, Any]]]:
    """Preset name -> (title, flat params), from ``ruin.scenarios`` (scenarios/*.toml)."""
    if scenarios_mod is None:
        return dict(BUILTIN_PRESETS)
    out: dict[str, tuple[str, dict[str, Any]]] = {"default": BUILTIN_PRESETS["default"]}
    for sf in scenarios_mod.list_scenarios():
        label = ("Lesson: " if sf.kind == "lesson" else "") + sf.title
        out[sf.name] = (label, dict(sf.params))
    return out


def _preset_label(name: str) -> str:
    return presets().get(name, (name, {}))[0]


def _preset_values(name: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(widget values, extra flat params without a widget) for a preset name."""
    flat = dict(presets().get(name, ("", {}))[1]) if name else {}
    if market is not None and any(k in market.LEVERAGE_KEYS for k in flat):
        flat["leveraged"] = True
        for k in ("tails", "garch", "jumps"):
            if k in flat and isinstance(flat[k], str) and flat[k].lower() in ("t", "on",
                                                                               "true", "1"):
                flat[k] = True
            elif k in flat and isinstance(flat[k], str) and flat[k].lower() in (
                    "normal", "off", "false", "0"):
                flat[k] = False
        if "volatility" not in flat and flat.get("asset"):
            flat["volatility"] = round(float(margin.load_assets()[flat["asset"]].daily_vol), 6)
        if "take_profit" not in flat:
            flat["take_profit"] = float(flat.get("payoff", APP_DEFAULTS["payoff"])) * float(
                flat.get("stop", APP_DEFAULTS["stop"]))
    widgets = {k: v for k, v in flat.items() if k in FIELDS
               and (FIELDS[k].kind != "bool" or isinstance(v, bool))}
    extras = {k: v for k, v in flat.items() if k not in widgets}
    return widgets, extras


# ----------------------------------------------------------------------------- state


def _set_widgets(params: dict[str, Any]) -> None:
    for key in FIELDS:
        if key in params:
            st.session_state[f"w_{key}"] = _to_ui(key, params[key])


def _url_base(preset: str | None) -> dict[str, Any]:
    """Defaults a share link is written against: the page's, overlaid by the preset's."""
    return {**APP_DEFAULTS, **_preset_values(preset)[0]}


def _init_state() -> None:
    """First run of a session: the URL (if any) sets every input; bad parts are reported."""
    if st.session_state.get("_init"):
        return
    query = {k: st.query_params.get_all(k) for k in st.query_params}
    notices: list[str] = []
    chosen = None
    if "preset" in query:
        field = share.Field("preset", "choice", choices=tuple(presets()))
        got, notices = share.decode({"preset": query.pop("preset")}, {"preset": None},
                                    {"preset": field})
        chosen = got["preset"]
    params, more = share.decode(query, _url_base(chosen), FIELDS)
    _set_widgets(params)
    st.session_state["w_preset"] = chosen
    st.session_state["_extras"] = _preset_values(chosen)[1]
    st.session_state["_notices"] = notices + more
    st.session_state["_init"] = True


def _apply_preset() -> None:
    widgets, extras = _preset_values(st.session_state.get("w_preset"))
    _set_widgets({**APP_DEFAULTS, **widgets})
    st.session_state["_extras"] = extras


def _clear_extras() -> None:
    st.session_state["_extras"] = {}
    st.session_state["w_preset"] = None


def _new_seed() -> None:
    st.session_state["w_seed"] = int(resolve_seed(None) % SEED_MAX)


def _pin() -> None:
    st.session_state["_pinned"] = st.session_state.get("_current_flat")


def _unpin() -> None:
    st.session_state.pop("_pinned", None)


def _asset_changed() -> None:
    a = st.session_state.get("w_asset")
    if margin is not None and a and a != "none":
        st.session_state["w_volatility"] = round(margin.load_assets()[a].daily_vol * 100, 4)
        # (the URL then carries volatility explicitly, so a link reproduces the run)


def leverage_sidebar() -> None:
    """The perpetual-futures inputs (percents on screen)."""
    st.subheader("Leverage (perpetual futures)")
    on = st.toggle("Trade a leveraged position on a simulated price path", key="w_leveraged",
                   help="Each trade opens a long or short perp position that ends at the "
                        "take-profit, the stop, liquidation or the time stop. Win rate is "
                        "then the chance of hitting the take-profit before the stop.")
    if not on:
        st.caption("Off: trades are simple win/lose bets in R.")
        return
    st.number_input("Leverage (×)", 1.0, 1000.0, step=1.0, key="w_leverage",
                    help="Position size divided by the margin put up. Higher leverage puts "
                         "the liquidation price closer to the entry.")
    c1, c2 = st.columns(2)
    c1.number_input("Stop (% from entry)", 0.05, 90.0, step=0.25, key="w_stop",
                    help="Price distance to the stop-loss. A stopped trade loses 1R.")
    c2.number_input("Take-profit (%)", 0.05, 1000.0, step=0.25, key="w_take_profit",
                    help="Price distance to the take-profit; payoff = take-profit ÷ stop.")
    ratio = st.session_state["w_take_profit"] / max(st.session_state["w_stop"], 1e-9)
    st.caption(f"Payoff on a win = {ratio:.2f}R "
               "(the payoff slider is not used in this mode).")
    c1, c2 = st.columns(2)
    c1.radio("Side", ["long", "short"], key="w_side", horizontal=True)
    c2.radio("Margin", ["isolated", "cross"], key="w_margin_mode", horizontal=True,
             help="Isolated: only the position's margin can be lost. Cross: the whole "
                  "account backs the position (later liquidation, bigger losses).")
    st.selectbox("Venue preset", VENUES, key="w_venue",
                 help="Maintenance margin tiers, fees and funding of a real venue "
                      "(illustrative calibration, dated).")
    st.selectbox("Asset preset", ASSETS, key="w_asset", on_change=_asset_changed,
                 help="Sets the volatility, slippage and the fat-tail / clustering / crash "
                      "parameters of a typical asset.")
    vol = st.slider("Volatility (% per day)", 0.1, 50.0, step=0.1, key="w_volatility",
                    help="Standard deviation of daily log returns. BTC is about 2.5% a day.")
    st.caption(f"= {vol * np.sqrt(365):.0f}% annualised (daily × √365).")
    st.checkbox("Fat tails (Student-t shocks)", key="w_tails",
                help="Big moves happen more often than a normal distribution says.")
    st.checkbox("Volatility clustering (GARCH)", key="w_garch",
                help="Calm and wild periods come in runs.")
    st.checkbox("Crash jumps", key="w_jumps", help="Rare sudden drops in price.")
    st.selectbox("Funding regime", REGIMES, key="w_funding_regime",
                 help="Typical funding paid by longs to shorts (bull: longs pay a lot).")
    c1, c2 = st.columns(2)
    c1.number_input("Fee (bps per fill)", 0.0, 1000.0, step=0.5, key="w_fee_bps",
                    placeholder="venue's", help="Blank: the venue's taker fee (or none).")
    c2.number_input("Slippage (bps)", 0.0, 1000.0, step=0.5, key="w_slippage_bps",
                    placeholder="asset's", help="Blank: the asset's typical slippage.")
    c1, c2 = st.columns(2)
    c1.number_input("Time stop (days)", 0.0, 365.0, step=0.5, key="w_max_hold_days",
                    placeholder="none", help="Close at market after this long. Blank: none.")
    c2.number_input("Maint. margin (%)", 0.0, 50.0, step=0.05, key="w_mmr",
                    placeholder="venue's", help="Maintenance margin rate. Blank: venue's "
                                                "tier (or 0.5%).")


def market_core(flat: dict[str, Any]) -> dict[str, Any]:
    """Leverage widgets -> the flat keys of ruin.market (empty when the mode is off)."""
    if market is None or not flat.get("leveraged"):
        return {}
    out = {k: flat[k] for k in ("leverage", "stop", "take_profit", "side", "margin_mode",
                                "volatility")}
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


# ----------------------------------------------------------------------------- engine calls


@st.cache_resource(show_spinner=False)
def warm_up() -> bool:
    """Compile (or load) the numba kernels once per server process."""
    simulate(build_scenario({"paths": 64, "trades": 8, "seed": 1}), record=4)
    if market is not None:  # the price-path kernels
        market.warm_up()
    return True


def _record_for(sc: Scenario) -> int:
    return int(max(50, min(1000, sc.paths, 2_000_000 // (sc.account.trades + 1))))


@st.cache_data(show_spinner=False, max_entries=48)
def run_cached(sc: Scenario) -> ruin.SimulationResult:
    return simulate(sc, record=_record_for(sc))


def run(sc: Scenario) -> ruin.SimulationResult:
    """Small runs: cached. Big runs: a progress bar (and a one-entry session cache)."""
    if sc.paths * sc.account.trades < BIG_RUN:
        return run_cached(sc)
    last = st.session_state.get("_big")
    if last is not None and last[0] == sc:
        return last[1]
    bar = st.progress(0.0, text=f"Simulating {sc.paths:,} accounts…")

    def tick(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Simulated {done:,} of {total:,} accounts")

    res = simulate(sc, record=_record_for(sc), progress=tick)
    bar.empty()
    st.session_state["_big"] = (sc, res)
    return res


@st.cache_data(show_spinner=False, max_entries=48)
def theory_cached(sc: Scenario) -> dict[str, Any]:
    if exact is None:
        return {}
    return exact.theory(sc)


SWEEP_PATHS = 2000
SWEEP_RISKS = (0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4)


def risk_sweep(sc: Scenario) -> pl.DataFrame:
    """The same scenario and seed at several risks per trade (2,000 paths each).

    Keyed on the scenario *without* its risk, so moving the risk slider reuses it.
    """
    base = dataclasses.replace(sc, paths=min(sc.paths, SWEEP_PATHS),
                               sizing=dataclasses.replace(sc.sizing, risk=SWEEP_RISKS[0]))
    return _risk_sweep(base)


@st.cache_data(show_spinner=False, max_entries=24)
def _risk_sweep(base: Scenario) -> pl.DataFrame:
    rows = []
    for f in SWEEP_RISKS:
        s = dataclasses.replace(base, sizing=dataclasses.replace(base.sizing, risk=f))
        r = simulate(s, record=0)
        p = r.ruin
        rows.append({"risk": f, "median_growth": max(float(np.median(r.final_equity)), 1e-6),
                     "p_ruin": p.estimate, "p_ruin_lo": p.ci_low, "p_ruin_hi": p.ci_high})
    return pl.DataFrame(rows)


# ----------------------------------------------------------------------------- formatting


def pct(x: float, d: int = 1) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.{d}%}"


def interval(lo: float, hi: float, fmt: str = ".1%") -> str:
    return f"95% interval {lo:{fmt}} – {hi:{fmt}}"


HELP = {
    "preset": "Ready-made scenarios that each teach one lesson. Picking one overwrites the "
              "inputs below (the seed stays).",
    "win_rate": "Share of trades that win. A loss costs 1R (the amount risked).",
    "payoff": "How many R a winning trade makes (reward:risk). 1.5 means a win pays 1.5× "
              "what a loss costs.",
    "risk": "Share of equity put at risk on each trade (1R). 2% is a common rule of thumb.",
    "sizing": "Fractional: risk a % of *current* equity (bets shrink after losses). Fixed: "
              "risk a % of *starting* equity every time (bets never shrink).",
    "trades": "How many trades each simulated account takes.",
    "paths": "How many accounts to simulate. More paths = narrower 95% intervals.",
    "seed": "The random seed. Same seed + same inputs = exactly the same numbers, so a "
            "link reproduces a run. Change it to see a different random sample.",
    "ruin_level": "An account counts as ruined when equity falls to this % of the start "
                  "(0% = completely bust). Ruin is permanent: that account stops trading.",
    "goal": "Optional: stop trading once equity reaches this multiple of the start "
            "(0 = no goal).",
    "log": "A log scale shows doubling and halving as equal steps.",
    "upload": "A CSV with a column 'r' (each trade's result in R) or 'return' (each trade's "
              "return on equity, 0.012 = +1.2%). Trades are resampled instead of using the "
              f"win-rate model. At most {MAX_FILE_BYTES // 2**20} MiB.",
}

# ----------------------------------------------------------------------------- page
warm_up()
_init_state()
preset_names = list(presets())
extras: dict[str, Any] = st.session_state.get("_extras", {})

st.title("Risk of ruin")
st.caption(
    "Simulate thousands of trading accounts that follow the same rules and see how often "
    "they blow up, how deep they fall and where they end. Every number is a Monte Carlo "
    "estimate with its 95% interval; exact answers sit beside it where they exist."
)
for note in st.session_state.get("_notices", []):
    st.warning(note)

with st.sidebar:
    st.header("Scenario")
    st.selectbox("Preset", preset_names, key="w_preset", on_change=_apply_preset,
                 help=HELP["preset"], index=None, placeholder="Pick a ready-made scenario…",
                 format_func=_preset_label)
    if extras:
        shown = ", ".join(f"{k} = {v}" for k, v in extras.items() if k != "trades_file")
        if "trades_file" in extras:
            shown = "its own trade file" + (", " + shown if shown else "")
        st.info(f"This preset also sets {shown}. These have no slider here.")
        st.button("Drop the preset's extra settings", on_click=_clear_extras)
    st.subheader("Trades")
    st.slider("Win rate (%)", 1.0, 99.0, step=0.5, key="w_win_rate", help=HELP["win_rate"])
    st.slider("Payoff on a win (R)", 0.1, 10.0, step=0.05, key="w_payoff",
              help=HELP["payoff"])
    with st.expander("Use my own trades instead (CSV upload)"):
        upload = st.file_uploader("Trade list (CSV or Parquet)", type=["csv", "parquet"],
                                  key="w_upload", help=HELP["upload"])
        st.download_button("Download a template CSV", TEMPLATE_CSV, "trades_template.csv",
                           "text/csv", on_click="ignore")
        st.radio("Resampling", ["iid", "block"], key="w_bootstrap", horizontal=True,
                 help="iid: each trade drawn independently. block: runs of consecutive "
                      "trades, which keeps losing streaks together.")
        st.number_input("Block length (trades)", 1, 10_000, step=1, key="w_block_length")
    st.subheader("Sizing and account")
    st.slider("Risk per trade (% of equity)", 0.1, 100.0, step=0.1, key="w_risk",
              help=HELP["risk"])
    st.radio("Sizing rule", ["fractional", "fixed"], key="w_sizing", horizontal=True,
             help=HELP["sizing"])
    st.slider("Ruin level (% of starting equity)", 0.0, 99.0, step=1.0, key="w_ruin_level",
              help=HELP["ruin_level"])
    st.number_input("Goal (× start, 0 = none)", 0.0, 1e6, step=0.5, key="w_goal",
                    help=HELP["goal"])
    st.subheader("Simulation")
    st.number_input("Trades per account", 1, MAX_UI_TRADES, step=50, key="w_trades",
                    help=HELP["trades"])
    st.number_input("Accounts (paths)", 100, MAX_UI_PATHS, step=1000, key="w_paths",
                    help=HELP["paths"])
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    c1.number_input("Seed", 0, SEED_MAX, step=1, key="w_seed", help=HELP["seed"])
    c2.button("New seed", on_click=_new_seed, help="Draw a fresh random seed.")
    if market is not None:
        leverage_sidebar()

flat: dict[str, Any] = {k: _from_ui(k, st.session_state[f"w_{k}"]) for k in FIELDS
                        if f"w_{k}" in st.session_state}
st.session_state["_current_flat"] = (flat, extras)

# Share: every input (core units) in the URL; only values that differ from the defaults.
preset_now = st.session_state.get("w_preset")
wanted = share.encode(flat, _url_base(preset_now), FIELDS)
if preset_now:
    wanted = {"preset": str(preset_now), **wanted}
if {k: st.query_params[k] for k in st.query_params} != wanted:
    st.query_params.from_dict(wanted)

def make_core(flat: dict[str, Any], extras: dict[str, Any]) -> dict[str, Any]:
    """Widget values (+ a preset's extra keys) -> the flat keys build_scenario accepts."""
    lev_core = market_core(flat)
    core = {**extras, **{k: v for k, v in flat.items() if k in known_keys()
                         and not (market is not None and k in market.LEVERAGE_KEYS)},
            **lev_core}
    if lev_core:
        core.pop("payoff", None)  # the take-profit sets the payoff
    elif market is not None:
        core = {k: v for k, v in core.items() if k not in market.LEVERAGE_KEYS}
    if "drift" in core:
        core.pop("win_rate", None)  # a preset's drift sets the edge instead
    if upload is not None:
        core.pop("trades_file", None)
    if core.get("bootstrap") != "block":
        core.pop("block_length", None)
    if "trades_file" not in core:
        core.pop("bootstrap", None)
    return core


core = make_core(flat, extras)


def build(params: dict[str, Any]) -> Scenario:
    """Flat params (+ the uploaded trades) -> Scenario; raises ParameterError."""
    sc = build_scenario(params)
    if upload is not None:
        data = upload.getvalue()
        values, kind = read_trades_bytes(data, name=upload.name)
        method = flat.get("bootstrap", "iid")
        model = Bootstrap(trades=values, method=method, kind=kind, source=upload.name,
                          block_length=flat.get("block_length", 1) if method == "block"
                          else 1)
        sc = dataclasses.replace(sc, model=model)
    work = sc.paths * sc.account.trades
    if work > MAX_WORK:
        raise ParameterError("paths × trades", f"at most {MAX_WORK:,.0f} on this page",
                             f"{sc.paths:,} × {sc.account.trades:,} = {work:,}",
                             "Use the command line (ruin simulate) for bigger runs.")
    return sc


try:
    scenario = build(core)
except ParameterError as err:
    field = getattr(err, "name", "input")
    st.error(f"**{field}** — {err}", icon="🚫")
    st.info("Fix the input named above; nothing was simulated.")
    st.stop()

result = run(scenario)
summary = result.summary()
theory = theory_cached(scenario)
if isinstance(scenario.model, Bootstrap):
    src = upload.name if upload is not None else str(scenario.model.source).split("/")[-1]
    st.success(f"Resampling {len(scenario.model.trades):,} trades from **{src}** "
               f"({scenario.model.method} bootstrap). The win-rate and payoff sliders are "
               "not used" + ("; uploaded trades are not part of the share link."
                             if upload is not None else "."))

# ----------------------------------------------------------------------------- headline
ruin_p = result.ruin
mdd_med = quantile_interval(result.max_drawdown, 0.5)
mdd_95 = quantile_interval(result.max_drawdown, 0.95)
fe_med = quantile_interval(result.final_equity, 0.5)
kelly = theory.get("kelly_fraction")
position = market.describe_position(scenario) if scenario.market is not None else None
if position is not None:
    kelly = position["kelly_risk"]
liq = (summary.get("liquidation") or {}).get("path_probability")

st.subheader("Headline numbers")
m = st.columns(4)
m[0].metric("Probability of ruin", pct(ruin_p.estimate),
            help=f"Share of accounts whose equity fell to {scenario.account.ruin_level:.0%} "
                 "of the start or below at some point. Ruin is permanent.")
m[0].caption(interval(ruin_p.ci_low, ruin_p.ci_high))
if isinstance(liq, dict) and "estimate" in liq:
    m[1].metric("P(at least one liquidation)", pct(liq["estimate"]),
                help="Share of accounts that had at least one position liquidated.")
    m[1].caption(interval(liq["ci_low"], liq["ci_high"]))
else:
    m[1].metric("P(at least one liquidation)", "—",
                help="Needs the leveraged price-path model (leverage section).")
    m[1].caption("no leverage model in this run")
m[2].metric("Median max drawdown", pct(mdd_med[0]),
            help="Half the accounts suffered a worse peak-to-trough fall than this.")
m[2].caption(interval(mdd_med[1], mdd_med[2]))
m[3].metric("95th-percentile max drawdown", pct(mdd_95[0]),
            help="One account in twenty fell further than this from its peak.")
m[3].caption(interval(mdd_95[1], mdd_95[2]))
m = st.columns(4)
m[0].metric("Median final equity", f"{fe_med[0]:.2f}×",
            help="Half the accounts ended below this multiple of their starting equity.")
m[0].caption(interval(fe_med[1], fe_med[2], ".2f"))
wr = result.win_rate_realized
m[1].metric("Realised win rate", pct(wr, 2),
            help="Share of simulated trades that won (should be close to the input).")
n_tr = int(result.trades_taken.sum())
if n_tr:
    w = ruin.wilson(int(result.wins.sum()), n_tr)
    m[1].caption(interval(w.ci_low, w.ci_high, ".2%"))
if kelly is not None:
    m[2].metric("Kelly fraction", pct(kelly, 2) if kelly > 0 else "no edge",
                help="The risk per trade that maximises long-run growth. Above it you take "
                     "more risk for less growth; at 2× Kelly growth is about zero.")
    ratio = scenario.sizing.risk / kelly if kelly > 0 else float("inf")
    m[2].caption(f"you risk {scenario.sizing.risk:.2%} = "
                 + (f"{ratio:.2f}× Kelly" if np.isfinite(ratio) else "with no edge"))
else:
    m[2].metric("Kelly fraction", "—", help="Exact theory module not available.")
m[3].metric("Seed", str(result.seed), help=HELP["seed"])
m[3].caption(f"{result.paths:,} paths × {result.trades:,} trades in "
             f"{result.elapsed_seconds:.2f} s")

# Warnings in plain words.
edge = theory.get("edge_r_per_trade") if position is None else None
if edge is not None and edge <= 0:
    st.warning(f"**No edge.** The average trade makes {edge:+.3f}R. Position sizing cannot "
               "turn a losing game into a winning one; it only changes how fast you lose.")
elif position is None and kelly is not None and kelly > 0 and scenario.sizing.risk > kelly:
    st.warning(f"**Risk above Kelly.** You risk {scenario.sizing.risk:.2%} per trade but "
               f"the growth-optimal stake is {kelly:.2%}. Beyond Kelly you take more risk "
               "for *less* growth" + (" — at 2× Kelly or more, the typical account shrinks."
                                       if scenario.sizing.risk >= 2 * kelly else "."))
for wmsg in summary.get("warnings", []) or []:
    text = str(wmsg)
    st.warning("**Warning:** " + text[:1].upper() + text[1:] + ("" if text.endswith(".")
                                                                else "."))

# ----------------------------------------------------------------------------- charts
log = st.toggle("Log scale for equity", key="w_log", help=HELP["log"])
goal = scenario.account.goal
bands, sample = charts.fan_frames(result, samples=8, floor=1e-3 if log else None)
fan = charts.fan_chart(bands, sample, log=log, ruin_level=scenario.account.ruin_level,
                       goal=goal)
st.altair_chart(fan, width="stretch")
st.caption("The shaded bands hold the middle 50% and 90% of accounts after each trade; the "
           "black line is the median account. Grey lines are individual accounts: the "
           "typical account is not the average one.")

c1, c2 = st.columns(2)
hist, exceed = charts.drawdown_frames(result.max_drawdown)
dd_chart = charts.drawdown_chart(hist, exceed, marks={"median": mdd_med[0],
                                                      "95th pct": mdd_95[0]})
c1.altair_chart(dd_chart, width="stretch")
c1.caption("Bars: how many accounts had each worst drawdown. Orange line: the chance of "
           "a drawdown at least that deep (read 50% on the right axis to find the median).")
fe_chart = charts.final_equity_chart(charts.final_equity_frame(result.final_equity),
                                     median=fe_med[0])
c2.altair_chart(fe_chart, width="stretch")
c2.caption("Where accounts finish, on a log scale. Compounding makes the distribution "
           "lopsided: a few huge winners pull the mean far above the median.")

c1, c2 = st.columns(2)
surv_chart = charts.survival_chart(charts.survival_frame(result.survival), marker=21,
                                   marker_label="first month (≈21 trades)")
c1.altair_chart(surv_chart, width="stretch")
c1.caption("Share of accounts still alive after each trade. Most ruin happens early, while "
           "the account is still close to the ruin line.")
streak_chart = charts.streak_chart(charts.streak_frame(result.longest_losing_streak))
c2.altair_chart(streak_chart, width="stretch")
ls = summary["longest_losing_streak"]
c2.caption(f"Even with these odds, the median account sees {ls['0.5']:.0f} losses in a row "
           f"and one in twenty sees {ls['0.95']:.0f}. Plan for streaks.")

lev_charts: dict[str, Any] = {}
if position is not None:
    mk = scenario.market
    st.subheader("Leverage and liquidation")
    c = st.columns(4)
    c[0].metric("Liquidation distance", pct(position["liquidation_distance"], 2),
                help="How far the price must move against you (from entry, after entry "
                     "costs) before the venue liquidates the position.")
    c[0].caption(f"stop is {position['stop_distance']:.2%} away"
                 + (" — beyond liquidation!" if position["stop_beyond_liquidation"] else ""))
    c[1].metric("Normal days to liquidation", f"{position['daily_moves_to_liquidation']:.2f}",
                help="Liquidation distance divided by one day's typical move (volatility).")
    c[1].caption(f"one normal day's move liquidates from "
                 f"{position['daily_move_liquidation_leverage']:.1f}×")
    c[2].metric("Position size", f"{position['notional_multiple']:.2f}× equity",
                help="Notional = risk ÷ stop. Leverage changes the margin, not the size.")
    c[2].caption(f"margin {position['margin_fraction']:.2%} of equity")
    costs = summary.get("costs") or {}
    c[3].metric("Costs per trade", f"{sum(float(v) for v in costs.values()):.3f} R",
                help="Average fees + slippage + funding per trade, in R.")
    c[3].caption(", ".join(f"{k} {float(v):.3f}R" for k, v in costs.items()) or "none")
    if position.get("calibration"):
        st.caption("Presets: " + str(position["calibration"]))
    c1, c2 = st.columns(2)
    exit_mix = summary.get("exit_mix") or {}
    if exit_mix:
        em = pl.DataFrame({"exit": list(exit_mix), "share": [
            float(v["estimate"] if isinstance(v, dict) else v) for v in exit_mix.values()]})
        lev_charts["Exit mix"] = charts.exit_mix_chart(em)
        c1.altair_chart(lev_charts["Exit mix"], width="stretch")
        c1.caption("How the simulated trades ended. Liquidations cost the whole margin; "
                   "time stops close wherever the price happens to be.")
    if odds is not None:
        horizon = float(mk.max_hold_days or 1.0)
        levs = [x for x in (1, 2, 3, 5, 10, 20, 25, 50, 75, 100, 125, 200, 500, 1000)
                if x * mk.mmr < 1]
        try:
            curve = odds.liquidation_grid(levs, [mk.volatility], [horizon], mmr=mk.mmr,
                                          side=mk.side)
            vols = [v / np.sqrt(365) for v in (0.2, 0.35, 0.5, 0.75, 1.0, 1.5)]
            grid = odds.liquidation_grid([x for x in levs if x <= 125], vols, [horizon],
                                         mmr=mk.mmr, side=mk.side).with_columns(
                (pl.col("volatility") * np.sqrt(365)).round(2).alias("annual_vol"))
        except ParameterError as err:
            c2.warning(f"Liquidation odds unavailable: {err}")
        else:
            lev_charts["Liquidation vs leverage"] = charts.liquidation_curve_chart(
                curve, leverage=mk.leverage, y="liquidation_probability",
                title=f"Chance the price touches liquidation within {horizon:g} day(s)")
            c2.altair_chart(lev_charts["Liquidation vs leverage"], width="stretch")
            c2.caption(f"At {mk.volatility:.2%} daily volatility, ignoring the stop "
                       "(closed form for a driftless random walk). Doubling leverage roughly "
                       "halves the distance to liquidation.")
            lev_charts["Leverage × volatility"] = charts.liquidation_heatmap(
                grid, y="annual_vol", value="liquidation_probability")
            st.altair_chart(lev_charts["Leverage × volatility"], width="stretch")
            st.caption(f"Same question over a grid: holding {horizon:g} day(s), which "
                       "leverage survives which market? Read across a row to see a calm "
                       "market turn dangerous as leverage rises.")

st.subheader("How much to risk per trade?")
c1, c2 = st.columns([3, 2])
sweep_chart = None
if scenario.market is None or st.session_state.get("_sweep_market") == scenario:
    sweep = risk_sweep(scenario)
    sweep_chart = charts.risk_sweep_chart(sweep, kelly=kelly, current=scenario.sizing.risk)
    c1.altair_chart(sweep_chart, width="stretch")
else:
    c1.info("A price-path sweep re-simulates every trade 12 times over; run it on demand.")
    if c1.button("Run the risk sweep", key="w_run_sweep"):
        st.session_state["_sweep_market"] = scenario
        st.rerun()
with c2:
    st.markdown(
        "The same scenario and seed re-run at other risks per trade "
        f"({SWEEP_PATHS:,} accounts each).\n\n"
        "* **Growth** (top) rises up to the *Kelly fraction* and falls after it: past "
        "Kelly you take more risk for *less* growth.\n"
        "* **Ruin** (bottom) keeps climbing with risk.\n"
        "* **Half Kelly** keeps most of the growth with far less pain, which is why "
        "professionals bet a fraction of Kelly: the edge you *think* you have is an "
        "estimate.")
    g_now = theory.get("growth_rate_per_trade_log")
    g_k = theory.get("growth_rate_at_kelly")
    if g_now is not None and g_k:
        st.info(f"At {scenario.sizing.risk:.2%} risk the typical account grows "
                f"{np.expm1(g_now * 100):+.1%} per 100 trades; at Kelly "
                f"({kelly:.2%}) it would grow {np.expm1(g_k * 100):+.1%}.")

st.subheader("Theory vs simulation")
st.caption("Exact or closed-form answers beside the Monte Carlo estimate and its 95% "
           "interval. If theory sits inside the interval, the simulation agrees. The popular "
           "formulas at the bottom are *approximations* — see how far off they can be.")
def theory_panel() -> None:
    rows: list[dict[str, str]] = []

    def add(name: str, sim: str, exact_val: Any, kind: str,
            ci: tuple[float, float] | None = None) -> None:
        check = ""
        if ci is not None and exact_val is not None:
            check = "✓ inside" if ci[0] - 1e-12 <= exact_val <= ci[1] + 1e-12 else "✗ outside"
        rows.append({"quantity": name, "simulation (95% interval)": sim,
                     "theory": "—" if exact_val is None else f"{exact_val:.4g}",
                     "kind": kind, "theory in interval?": check})

    def prop(d: dict[str, float]) -> tuple[str, tuple[float, float]]:
        return (f"{d['estimate']:.4f} [{d['ci_low']:.4f}, {d['ci_high']:.4f}]",
                (d["ci_low"], d["ci_high"]))

    txt, ci = prop(ruin_p.as_dict())
    add(f"P(ruin within {scenario.account.trades:,} trades)", txt,
        theory.get("ruin_probability_exact"), "exact (lattice DP)", ci)
    if goal is not None:
        gp = result.goal
        txt, ci = prop(gp.as_dict())
        add("P(reach goal)", txt, theory.get("goal_probability_exact"), "exact (lattice DP)",
            ci)
    add("mean final equity (×)", f"{summary['final_equity']['mean']:.4g}",
        theory.get("final_equity_mean_exact"), "exact (lattice DP)")
    pb = summary["final_equity"]["p_below_start"]
    txt, ci = prop(pb)
    add("P(final equity < start)", txt, theory.get("p_final_below_start_exact"), "exact", ci)
    for lv, v in (theory.get("drawdown_exceedance_exact") or {}).items():
        d = summary["drawdown_exceedance"].get(lv)
        if d is not None:
            txt, ci = prop(d)
            add(f"P(max drawdown ≥ {float(lv):.0%})", txt, v, "exact", ci)
    if "ruin_probability_infinite_horizon" in theory:
        add("P(ruin ever, infinite horizon)", "—",
            theory["ruin_probability_infinite_horizon"],
            "upper bound" if theory.get("ruin_probability_infinite_horizon_is_bound")
            else "closed form")
    if theory.get("growth_rate_per_trade_log") is not None:
        sim_g = float(np.mean(np.log(np.maximum(result.final_equity, 1e-300)))
                      / max(result.trades, 1)) if scenario.account.goal is None and \
            scenario.sizing.rule == "fractional" and not np.any(result.ruin_trade > 0) \
            else None
        add("log growth per trade", "—" if sim_g is None else f"{sim_g:.5f}",
            theory["growth_rate_per_trade_log"], "closed form")
    for name, v in (theory.get("approximations") or {}).items():
        add(name, "—", v, "approximation ⚠")
    if rows:
        st.dataframe(pl.DataFrame(rows), hide_index=True, width="stretch",
                     height=35 * (len(rows) + 1) + 3)  # every row visible, no inner scroll
    notes = theory.get("notes") or []
    for n in notes:
        st.caption("• " + n)
    if theory.get("approximation_notes"):
        with st.expander("What the approximations assume"):
            for k, v in theory["approximation_notes"].items():
                st.markdown(f"**{k}** — {v}")
    if not theory:
        st.caption("Exact answers are not available for this build.")


theory_panel()

# ----------------------------------------------------------------------------- compare
st.subheader("Compare A vs B")
pinned = st.session_state.get("_pinned")
c1, c2 = st.columns([1, 4])
c1.button("Pin current as A", on_click=_pin,
          help="Freeze the current inputs as scenario A, then change inputs: the page shows "
               "A and the current scenario B side by side on the same random numbers.")
if pinned is not None:
    c1.button("Clear A", on_click=_unpin)
    try:
        a_flat, a_extras = pinned
        a_core = make_core(a_flat, a_extras)
        a_core["seed"] = scenario.seed
        sc_a = build(a_core)
        res_a = run(sc_a)
    except ParameterError as err:
        c2.error(f"Pinned scenario A no longer runs: {err}")
    else:
        diff = {k: (a_flat.get(k), flat.get(k)) for k in FIELDS
                if k not in ("seed", "log") and a_flat.get(k) != flat.get(k)}

        def row(r: ruin.SimulationResult) -> dict[str, str]:
            return {"P(ruin)": pct(r.ruin.estimate),
                    "median max drawdown": pct(float(np.median(r.max_drawdown))),
                    "median final equity": f"{float(np.median(r.final_equity)):.3f}×",
                    "P(final < start)": pct(float(np.mean(r.final_equity < 1.0)))}

        ra, rb = row(res_a), row(result)
        table = pl.DataFrame({"metric": list(ra), "A (pinned)": list(ra.values()),
                              "B (current)": list(rb.values())})
        c2.dataframe(table, hide_index=True)
        c2.caption("Changed inputs: " + (", ".join(f"{k} {a!r} → {b!r}" for k, (a, b) in
                                                     diff.items()) or "none yet")
                   + f". Both use seed {scenario.seed}.")
        ba, _ = charts.fan_frames(res_a, samples=0, floor=1e-3 if log else None)
        bb, _ = charts.fan_frames(result, samples=0, floor=1e-3 if log else None)
        st.altair_chart(charts.compare_fan_chart([("A (pinned)", ba), ("B (current)", bb)],
                                                 log=log), width="stretch")
else:
    c2.caption("Pin the current inputs as A, then move any slider to compare.")

# ----------------------------------------------------------------------------- share / export
st.subheader("Share and export")
c1, c2 = st.columns(2)
with c1:
    qs = share.to_query_string(wanted)
    base = ""
    try:
        base = str(st.context.url or "").split("?")[0]
    except Exception:
        base = ""
    link = f"{base}?{qs}" if qs else (base or "?")
    st.markdown("**Share link** — opens this exact scenario, seed and numbers:")
    st.code(link, language=None)
    st.markdown("**Embed** in a course page:")
    sep = "&" if qs else ""
    st.code(f'<iframe src="{base}?embed=true{sep}{qs}" width="100%" height="900"></iframe>',
            language="html")
with c2:
    st.markdown("**Downloads**")
    sframe = export.summary_frame(summary)
    pframe = export.paths_frame(result)
    d = st.columns(3)
    d[0].download_button("Summary CSV", export.to_csv_bytes(sframe), "ruin_summary.csv",
                         "text/csv", on_click="ignore")
    d[1].download_button("Summary JSON", export.to_json_bytes(
        {**summary, "scenario": flat, "theory": theory}), "ruin_summary.json",
        "application/json", on_click="ignore")
    d[2].download_button("Summary Parquet", export.to_parquet_bytes(sframe),
                         "ruin_summary.parquet", "application/octet-stream", on_click="ignore")
    d = st.columns(3)
    d[0].download_button("Paths CSV", lambda: export.to_csv_bytes(pframe), "ruin_paths.csv",
                         "text/csv", on_click="ignore")
    d[1].download_button("Paths JSON", lambda: export.to_json_bytes(pframe),
                         "ruin_paths.json", "application/json", on_click="ignore")
    d[2].download_button("Paths Parquet", lambda: export.to_parquet_bytes(pframe),
                         "ruin_paths.parquet", "application/octet-stream", on_click="ignore")
    chart_map = {"Equity fan": fan, "Max drawdown": dd_chart, "Final equity": fe_chart,
                 "Survival": surv_chart, "Losing streaks": streak_chart,
                 "Risk sweep": sweep_chart, **lev_charts}
    chart_map = {k: v for k, v in chart_map.items() if v is not None}
    cc = st.columns([2, 1, 1], vertical_alignment="bottom")
    pick = cc[0].selectbox("Chart image", list(chart_map), key="w_chart_pick")
    ch = chart_map[pick]
    slug = pick.lower().replace(" ", "_")
    cc[1].download_button("PNG", lambda: export.chart_png(ch), f"{slug}.png", "image/png",
                          on_click="ignore")
    cc[2].download_button("SVG", lambda: export.chart_svg(ch).encode(), f"{slug}.svg",
                          "image/svg+xml", on_click="ignore")

# ----------------------------------------------------------------------------- formulas
with st.expander("Formulas and definitions"):
    st.markdown("**Outcomes in R.** A trade wins $b$ R (the payoff) with probability $p$ and "
                "loses 1 R otherwise. Fractional sizing risks $f$ of current equity:")
    st.latex(r"E_{t+1} = E_t\,(1 + f\,r_t),\qquad r_t \in \{b, -1\}")
    st.markdown("Fixed sizing risks $f$ of the starting equity $E_0$ every trade:")
    st.latex(r"E_{t+1} = \max\bigl(0,\; E_t + f\,E_0\, r_t\bigr)")
    st.markdown("**Ruin** is the first trade after which $E_t \\le \\ell E_0$ (the ruin "
                "level); it is permanent. **Maximum drawdown** is the worst fall from a "
                "running peak (the start counts as a peak):")
    st.latex(r"\mathrm{MDD} = \max_{t}\; \frac{\max_{s\le t} E_s - E_t}{\max_{s\le t} E_s}")
    st.markdown("**Kelly fraction** (growth-optimal risk) and the growth rate per trade:")
    st.latex(r"f^* = p - \frac{1-p}{b},\qquad g(f) = p\ln(1+bf) + (1-p)\ln(1-f)")
    st.markdown("**Gambler's ruin** (payoff 1, fixed stake, $i$ stakes above ruin, no "
                "target, $p > \\tfrac12$):")
    st.latex(r"P(\text{ruin}) = \left(\frac{1-p}{p}\right)^{i}")
    st.markdown("**95% Wilson interval** for a share $\\hat p$ of $n$ paths:")
    st.latex(r"\frac{\hat p + \frac{z^2}{2n} \pm z\sqrt{\frac{\hat p(1-\hat p)}{n} + "
             r"\frac{z^2}{4n^2}}}{1 + \frac{z^2}{n}},\qquad z = 1.96")
    st.markdown("**Liquidation price** of an isolated long at leverage $L$ with maintenance "
                "margin rate $m$ (no fees); trading guides use the approximation on the "
                "right:")
    st.latex(r"P_{\text{liq}} = P_0\,\frac{1 - 1/L}{1 - m}\;\approx\; P_0\,(1 - 1/L + m)")
    st.markdown("**Chance a driftless price touches a level** a fraction $d$ away within "
                "time $T$ at volatility $\\sigma$ (reflection principle):")
    st.latex(r"P(\text{touch}) = 2\,\Phi\!\left(-\frac{\ln(1/(1-d))}{\sigma\sqrt{T}}\right)")
