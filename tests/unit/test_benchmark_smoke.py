"""The engine benchmark runs in quick mode and its two implementations agree.

No timing is asserted: the machine is shared. The naive numpy baseline is also checked
exactly against the engine's given-outcome mode on a common matrix of outcomes.
"""

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
from given_outcomes import simulate_given

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_engine.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_engine", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_quick_benchmark_runs_and_agrees(tmp_path, capsys):
    bench = _load()
    out = tmp_path / "engine.json"
    assert bench.main(["--quick", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "path-trades/s" in text and "ratio engine / naive" in text
    r = json.loads(out.read_text())
    assert r["quick"] is True and r["ruin_agree_4se"] is True
    assert abs(r["ruin_engine"] - r["ruin_naive"]) <= 4 * r["ruin_difference_se"]
    for key in (
        "naive_path_trades_per_s",
        "engine_path_trades_per_s",
        "ratio_engine_over_naive",
        "big_engine_wall_seconds",
    ):
        assert math.isfinite(r[key]) and r[key] > 0
    # median drawdown and mean streak agree statistically too (loose: 5% relative)
    assert abs(r["mdd_median_engine"] - r["mdd_median_naive"]) < 0.05 * r["mdd_median_naive"]
    assert abs(r["streak_mean_engine"] - r["streak_mean_naive"]) < 0.05 * r["streak_mean_naive"]


def test_naive_baseline_equals_engine_on_common_outcomes():
    bench = _load()
    rng = np.random.default_rng(11)
    win = rng.random((400, 300)) < bench.WIN
    nv = bench.naive_from_wins(win)
    r = np.where(win, bench.PAYOFF, -1.0)
    eng = simulate_given(r, risk=bench.RISK, ruin_level=bench.RUIN)
    assert (eng["ruin_trade"] > 0).any()
    np.testing.assert_array_equal(nv["ruin_trade"], eng["ruin_trade"])
    np.testing.assert_array_equal(nv["longest_losing_streak"], eng["longest_losing_streak"])
    np.testing.assert_allclose(nv["max_drawdown"], eng["max_drawdown"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(nv["final_equity"], eng["final_equity"], rtol=1e-9)


def test_perf_profile_names_numba_functions_and_keeps_the_timed_window():
    """benchmarks/perf_market.py's bookkeeping (perf itself is not needed): numba's mangled
    names read as dotted paths, and only samples inside the timed calls count, each given to
    the compiled function whose code holds it."""
    spec = importlib.util.spec_from_file_location("perf_market", BENCH.parent / "perf_market.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mangled = "_ZN4ruin6market7kernels5lanes11_lanes_stepB4v163B54c8tJTIeFIjxE5ArrayIdLi1E"
    assert mod.readable(mangled) == "ruin.market.kernels.lanes._lanes_step"
    assert mod.readable("NRT_incref") == "NRT_incref"
    child = {"window": [10.0, 20.0], "symbols": [[0x1000, mangled], [0x2000, "NRT_incref"]]}
    jit, py = "(/tmp/perf-1.map)", "(/usr/lib/libpython3.11.so.1.0)"
    samples = [
        (11.0, 0x1010, jit),
        (12.0, 0x1FFF, jit),
        (13.0, 0x2004, jit),
        (14.0, 0x7777, py),
        (9.0, 0x1010, jit),  # before the timed calls (compiling): not counted
        (21.0, 0x2004, jit),  # after
    ]
    r = mod.attribute(samples, child)
    assert r["samples"] == 4
    assert r["compiled"] == {"ruin.market.kernels.lanes._lanes_step": 0.5, "NRT_incref": 0.25}
    assert r["outside_compiled_code"] == {"libpython3.11.so.1.0": 0.25}
