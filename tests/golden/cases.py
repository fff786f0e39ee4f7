"""The golden regression cases: every kernel, sizing rule, behaviour rule, venue, margin mode,
market realism switch, several positions, discrete monitoring, bootstrap, and the calculators.

``SIMULATE`` cases are flat parameter mappings (the keys shared by the CLI, TOML, sweeps and
the app). Each is recorded twice: the ``ruin simulate --json`` summary (through the real CLI,
minus ``elapsed_seconds``) and a SHA-256 of every per-path array of ``ruin.simulate`` with a
few recorded sample paths (so the recording kernels are covered as well).

``COMMANDS`` are other CLI invocations whose ``--json`` output is recorded whole.

A change that moves numbers on purpose regenerates ``golden.json`` in the same commit
(``python tests/golden/regenerate.py``) and says which cases moved and why.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TRADES_R = str(HERE / "trades_r.csv")
TRADES_RETURNS = str(HERE / "trades_returns.csv")

_BASE = {"trades": 200, "paths": 3000, "seed": 11}
_LEV = {"trades": 150, "paths": 2000, "seed": 21}

SIMULATE: dict[str, dict] = {
    # --- account engine, i.i.d. models
    "bernoulli_fractional": {**_BASE, "win_rate": 0.45, "payoff": 1.5, "risk": 0.02},
    "bernoulli_fractional_goal": {**_BASE, "win_rate": 0.5, "payoff": 1.2, "risk": 0.05,
                                  "goal": 2.0, "ruin_level": 0.3},
    "bernoulli_fixed_bust": {**_BASE, "win_rate": 0.45, "payoff": 1.5, "risk": 0.05,
                             "sizing": "fixed", "ruin_level": 0.0},
    "discrete_outcomes": {**_BASE, "outcomes": "-1:0.5,0.5:0.2,2:0.3", "risk": 0.03},
    "discrete_fixed_goal": {**_BASE, "outcomes": "-1.5:0.3,-1:0.3,2.5:0.4", "risk": 0.02,
                            "sizing": "fixed", "goal": 1.5},
    "bootstrap_iid": {**_BASE, "trades_file": TRADES_R, "risk": 0.02},
    "bootstrap_block": {**_BASE, "trades_file": TRADES_R, "risk": 0.02, "bootstrap": "block",
                        "block_length": 7},
    "bootstrap_returns_fixed": {**_BASE, "trades_file": TRADES_RETURNS, "risk": 0.01,
                                "sizing": "fixed"},
    # --- behaviour rules
    "martingale_cap": {**_BASE, "win_rate": 0.5, "payoff": 1.0, "risk": 0.01,
                       "martingale": 2.0, "risk_cap": 0.2},
    "anti_martingale_fixed": {**_BASE, "win_rate": 0.45, "payoff": 1.5, "risk": 0.01,
                              "anti_martingale": 1.5, "risk_cap": 0.1, "sizing": "fixed"},
    "drawdown_cut": {**_BASE, "win_rate": 0.45, "payoff": 1.5, "risk": 0.03,
                     "drawdown_cut": 0.2, "drawdown_factor": 0.5},
    "win_rate_sample": {**_BASE, "win_rate": 0.5, "payoff": 1.5, "risk": 0.02,
                        "win_rate_sample": 40},
    "partial_tp_breakeven": {**_BASE, "win_rate": 0.45, "payoff": 2.0, "risk": 0.02,
                             "partial_tp": 1.0, "partial_fraction": 0.5, "breakeven": True},
    "scale_in": {**_BASE, "win_rate": 0.45, "payoff": 1.5, "risk": 0.02, "scale_in_at": 0.5},
    "no_stop": {**_BASE, "win_rate": 0.45, "payoff": 1.5, "risk": 0.02, "no_stop": 3.0},
    # --- leveraged model: exact exits (engine's Bernoulli kernel / exact kernel)
    "lev_exact_win_rate": {**_LEV, "leverage": 20.0, "stop": 0.02, "win_rate": 0.45,
                           "risk": 0.01},
    "lev_stop_beyond_liq": {**_LEV, "leverage": 20.0, "stop": 0.06, "drift": 0.0,
                            "risk": 0.02},
    "lev_exact_fixed_costs": {**_LEV, "leverage": 10.0, "stop": 0.02, "win_rate": 0.45,
                              "risk": 0.02, "sizing": "fixed", "fee_bps": 5.0,
                              "slippage_bps": 2.0},
    "lev_short_drift": {**_LEV, "leverage": 5.0, "stop": 0.03, "take_profit": 0.06,
                        "drift": 0.001, "side": "short", "risk": 0.01},
    # --- one-position kernel and its lanes
    "lev_t_garch_jumps": {**_LEV, "leverage": 10.0, "stop": 0.01, "take_profit": 0.015,
                          "volatility": 0.026, "win_rate": 0.5, "risk": 0.01,
                          "tails": "t:4", "garch": "0.1,0.85", "jumps": "0.05,-0.08,0.04"},
    "lev_wide_t_garch_jumps_fixed": {**_LEV, "leverage": 5.0, "stop": 0.02,
                                     "take_profit": 0.04, "volatility": 0.035,
                                     "win_rate": 0.4, "risk": 0.01, "sizing": "fixed",
                                     "tails": "t:4", "garch": True, "jumps": True},
    "lev_hyperliquid_eth_realism": {**_LEV, "venue": "hyperliquid", "asset": "eth",
                                    "leverage": 10.0, "stop": 0.01, "win_rate": 0.45,
                                    "risk": 0.01, "tails": "t", "garch": True, "jumps": True},
    "lev_cross": {**_LEV, "leverage": 20.0, "stop": 0.02, "win_rate": 0.45, "risk": 0.02,
                  "margin_mode": "cross", "garch": True},
    "lev_cross_fixed": {**_LEV, "leverage": 20.0, "stop": 0.02, "win_rate": 0.45,
                        "risk": 0.02, "margin_mode": "cross", "sizing": "fixed",
                        "jumps": "0.2,-0.1,0.05"},
    "lev_time_stop": {**_LEV, "leverage": 10.0, "stop": 0.03, "win_rate": 0.45, "risk": 0.01,
                      "max_hold_days": 0.5},
    "lev_discrete_monitoring": {**_LEV, "leverage": 10.0, "stop": 0.02, "win_rate": 0.45,
                                "risk": 0.01, "monitoring": "discrete", "check_hours": 4.0},
    "lev_binance_short_bull": {**_LEV, "venue": "binance", "asset": "btc", "leverage": 20.0,
                               "stop": 0.02, "win_rate": 0.45, "risk": 0.01, "side": "short",
                               "funding_regime": "bull"},
    "lev_dydx_altcoin": {**_LEV, "venue": "dydx", "asset": "altcoin", "leverage": 5.0,
                         "stop": 0.04, "win_rate": 0.45, "risk": 0.01},
    "lev_gmx_memecoin_jumps": {**_LEV, "venue": "gmx_v2", "asset": "memecoin",
                               "leverage": 5.0, "stop": 0.08, "win_rate": 0.4,
                               "risk": 0.01, "jumps": True},
    "lev_bybit_eth_step": {**_LEV, "venue": "bybit", "asset": "eth", "leverage": 10.0,
                           "stop": 0.02, "win_rate": 0.45, "risk": 0.01, "step_hours": 2.0},
    # --- several positions (portfolio kernel)
    "portfolio_isolated": {**_LEV, "venue": "hyperliquid", "asset": "altcoin",
                           "leverage": 10.0, "stop": 0.05, "win_rate": 0.45, "risk": 0.01,
                           "max_hold_days": 3.0, "positions": 3, "correlation": 0.8,
                           "jumps": True, "trades": 60, "paths": 600},
    "portfolio_cross": {**_LEV, "venue": "hyperliquid", "asset": "altcoin",
                        "leverage": 10.0, "stop": 0.05, "win_rate": 0.45, "risk": 0.01,
                        "max_hold_days": 3.0, "positions": 3, "correlation": 0.8,
                        "margin_mode": "cross", "jumps": True, "trades": 60, "paths": 600},
    # --- presets
    "preset_swing": {"scenario": "swing", "paths": 1500},
    "preset_day_trading": {"scenario": "day_trading", "paths": 1500},
    "preset_scalping": {"scenario": "scalping", "paths": 1000},
    "preset_position": {"scenario": "position", "paths": 1000},
}

COMMANDS: dict[str, list[str]] = {
    "odds_continuous": ["odds", "--leverage", "10", "--mmr", "0.0125", "--volatility",
                        "0.0314", "--horizon-days", "30", "--paths", "4000", "--seed", "1"],
    "odds_two_barrier_short_drift": ["odds", "--leverage", "20", "--mmr", "0.005",
                                     "--volatility", "0.02", "--horizon-days", "10",
                                     "--take-profit", "0.05", "--side", "short", "--drift",
                                     "0.002", "--paths", "4000", "--seed", "2"],
    "odds_discrete": ["odds", "--leverage", "25", "--mmr", "0.01", "--volatility", "0.03",
                      "--horizon-days", "5", "--monitoring", "0.25", "--paths", "4000",
                      "--seed", "3"],
    "odds_venue": ["odds", "--leverage", "10", "--venue", "hyperliquid", "--asset", "eth",
                   "--annual-volatility", "0.7", "--horizon-days", "7", "--paths", "4000",
                   "--seed", "4"],
    "liquidation_long": ["liquidation", "--entry", "100000", "--leverage", "20", "--mmr",
                         "0.0125"],
    "liquidation_short_fees": ["liquidation", "--entry", "3000", "--leverage", "20",
                               "--mmr", "0.005", "--side", "short", "--qty", "1",
                               "--fees-paid", "4.5"],
    "liquidation_binance_tier": ["liquidation", "--entry", "100000", "--leverage", "10",
                                 "--venue", "binance", "--qty", "20"],
    "size_basic": ["size", "--capital", "10000", "--risk", "0.02", "--stop", "0.05",
                   "--leverage", "5", "--mmr", "0.005", "--fee-bps", "5"],
    "size_liq_first": ["size", "--capital", "10000", "--risk", "0.01", "--stop", "0.06",
                       "--leverage", "20", "--mmr", "0.0125"],
    "size_venue": ["size", "--capital", "1000000", "--risk", "0.02", "--stop", "0.01",
                   "--leverage", "50", "--venue", "binance"],
    "funding_basic": ["funding", "--rate", "0.0001", "--interval-hours", "8", "--hours",
                      "720", "--leverage", "10"],
    "funding_negative": ["funding", "--rate", "-0.0005", "--interval-hours", "1", "--hours",
                         "720", "--leverage", "5"],
    "lesson_01": ["lesson", "lesson_01_risk_rule", "--paths", "500", "--predict", "0.2"],
    "lesson_04": ["lesson", "lesson_04_1000x", "--paths", "300"],
    "lesson_08": ["lesson", "lesson_08_portfolio_heat", "--paths", "200",
                  "--predict", "five, cross"],
    "scenarios_list": ["scenarios"],
}


def simulate_argv(params: dict) -> list[str]:
    """``ruin simulate`` flags for a flat mapping (``--key=value`` so that values starting
    with '-' are not read as flags; ``True`` switches give the bare flag)."""
    argv = ["simulate"]
    for key, value in params.items():
        flag = "--" + key.replace("_", "-")
        if value is True and key in ("garch", "jumps"):
            argv.append(flag)
        elif isinstance(value, bool):
            argv.append(f"{flag}={'true' if value else 'false'}")
        else:
            argv.append(f"{flag}={value}")
    return argv + ["--json"]
