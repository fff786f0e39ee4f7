"""Sweeps in one process: spec validation, per-cell seeds, flattening, resume, exact mode, CLI."""

import json
import math

import numpy as np
import polars as pl
import pytest

import ruin.sweep as sw
import ruin.sweep.executors as sweep_executors
from ruin.cli import main
from ruin.config import build_scenario
from ruin.errors import ParameterError
from ruin.exact import lattice_dp
from ruin.simulate import simulate

TINY = {
    "base": {"trades": 40, "paths": 300, "seed": 11, "ruin_level": 0.5},
    "axes": {"win_rate": [0.4, 0.5], "risk": [0.05, 0.1, 0.2]},
}


def write(tmp_path, text, name="spec.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


# --- spec validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[base]\ntrades = 10\n[axes]\nwin_rte = [0.4]\n", r"\[axes\] win_rte must be a known"),
        ("[base]\ntrades = 10\n[axes]\nrisk = []\n", r"\[axes\] risk must be a non-empty list"),
        ("[base]\ntrades = 10\n[axes]\nrisk = 0.1\n", r"\[axes\] risk must be a non-empty list"),
        ("[base]\ntrades = 10\n", r"\[axes\] must be a table"),
        ("[base]\ntrdes = 10\n[axes]\nrisk = [0.1]\n", r"\[base\] trdes must be a known"),
        ("paths = 10\n[axes]\nrisk = [0.1]\n", r"top-level key 'paths' must be one of"),
        ("[base]\nrisk = 0.1\n[axes]\nrisk = [0.1]\n", r"not also set in \[base\]"),
        ("[axes]\nrisk = [0.1, 0.1]\n", r"distinct values.*0.1 appears twice"),
        ("method = 'magic'\n[axes]\nrisk = [0.1]\n", r"method must be one of 'simulate'"),
        ("[axes\nrisk = [0.1]\n", r"spec.toml must be valid TOML"),
    ],
)
def test_malformed_spec_names_the_problem(tmp_path, text, match):
    with pytest.raises(ParameterError, match=match) as info:
        sw.load_spec(write(tmp_path, text))
    assert str(info.value).startswith("spec.toml")


def test_missing_spec_file(tmp_path):
    with pytest.raises(ParameterError, match="sweep spec must be an existing TOML file"):
        sw.load_spec(tmp_path / "nope.toml")


def test_invalid_cell_named_before_anything_runs(tmp_path, monkeypatch):
    spec = write(
        tmp_path,
        "[base]\ntrades = 10\nseed = 1\n[axes]\nrisk = [0.01, 0.02]\nwin_rate = [0.5, 1.2]\n",
    )

    def boom(*a, **k):  # pragma: no cover - must not be reached
        raise AssertionError("a cell ran before validation finished")

    monkeypatch.setattr(sweep_executors, "run_batch", boom)
    out = tmp_path / "r.parquet"
    with pytest.raises(ParameterError) as info:
        sw.run_sweep(spec, out=out, workers=1, progress=False)
    msg = str(info.value)
    # each axis value is checked once, by its key, when the spec is read (not cell by cell)
    assert "spec.toml: [axes] win_rate must be between 0 and 1" in msg and "got 1.2" in msg
    assert not out.exists() and not (tmp_path / "r.parquet.parts").exists()


def test_spec_reads_example_file():
    spec = sw.load_spec("benchmarks/sweeps/example.toml")
    assert spec.shape == (5, 4, 4) and spec.n_cells == 80
    assert spec.seed == 2026 and spec.method == "simulate"
    cells = sw.expand_cells(spec, spec.seed)
    assert len({c.cell_id for c in cells}) == 80
    assert len({c.flat["seed"] for c in cells}) == 80


# --- seeds and cells ---------------------------------------------------------------------


def test_cell_seed_depends_on_coordinates_not_order():
    a = sw.cell_seed(7, {"win_rate": 0.4, "risk": 0.1})
    assert a == sw.cell_seed(7, {"risk": 0.1, "win_rate": 0.4})
    assert a != sw.cell_seed(8, {"win_rate": 0.4, "risk": 0.1})
    assert a != sw.cell_seed(7, {"win_rate": 0.4, "risk": 0.2})
    assert 0 <= a < 2**63


def test_cells_row_major_and_seeds_survive_reordering():
    spec = sw.load_spec(TINY)
    cells = sw.expand_cells(spec, 11)
    assert [c.coords for c in cells[:3]] == [
        {"win_rate": 0.4, "risk": 0.05},
        {"win_rate": 0.4, "risk": 0.1},
        {"win_rate": 0.4, "risk": 0.2},
    ]
    flipped = sw.expand_cells(
        sw.load_spec(
            {"base": TINY["base"], "axes": {"risk": [0.2, 0.1, 0.05], "win_rate": [0.5, 0.4]}}
        ),
        11,
    )
    by_coords = {json.dumps(c.coords, sort_keys=True): c.flat["seed"] for c in cells}
    for c in flipped:
        assert by_coords[json.dumps(c.coords, sort_keys=True)] == c.flat["seed"]


def test_plan_batches_amortises_and_balances():
    spec = sw.load_spec(
        {
            "base": {"trades": 10, "paths": 100, "seed": 1},
            "axes": {"risk": [0.001 * i for i in range(1, 401)]},
        }
    )
    cells = sw.expand_cells(spec, 1)
    batches = sw.plan_batches(cells, workers=2)
    # 400 cheap cells (1,000 path-trades each), 2 workers: balance caps at 50 cells/batch
    assert [len(b) for b in batches] == [50] * 8
    assert [c.index for b in batches for c in b] == list(range(400))
    assert [len(b) for b in sw.plan_batches(cells, workers=2, batch_size=150)] == [150, 150, 100]
    heavy = sw.load_spec(
        {
            "base": {"trades": 1000, "paths": 100_000, "seed": 1},
            "axes": {"risk": [0.01, 0.02, 0.03]},
        }
    )
    assert [len(b) for b in sw.plan_batches(sw.expand_cells(heavy, 1), workers=8)] == [1, 1, 1]


def test_summary_row_flattens_the_contract():
    sc = build_scenario(
        {
            "win_rate": 0.45,
            "payoff": 1.5,
            "risk": 0.1,
            "trades": 50,
            "paths": 500,
            "seed": 3,
            "goal": 2.0,
        }
    )
    s = simulate(sc, record=0).summary()
    row = sw.summary_row(s)
    assert row["ruin_probability"] == s["ruin_probability"]["estimate"]
    assert row["ruin_probability_ci_high"] == s["ruin_probability"]["ci_high"]
    assert row["goal_probability_ci_low"] == s["goal_probability"]["ci_low"]
    assert row["max_drawdown_p95"] == s["max_drawdown_quantiles"]["0.95"]
    assert row["final_equity_median"] == s["final_equity"]["median"]
    assert row["final_equity_p5"] == s["final_equity"]["quantiles"]["0.05"]
    assert row["p_drawdown_ge_0.2"] == s["drawdown_exceedance"]["0.2"]["estimate"]
    assert row["longest_losing_streak_p90"] == s["longest_losing_streak"]["0.9"]
    assert "seed" not in row and "elapsed_seconds" not in row
    assert all(not isinstance(v, dict) for v in row.values())


# --- running ------------------------------------------------------------------------------


def test_cell_reproduces_with_plain_simulate():
    df = sw.run_sweep(TINY, workers=1, progress=False)
    assert df.height == 6 and df["cell"].to_list() == list(range(6))
    assert df.columns[:2] == ["win_rate", "risk"]
    assert (df["method"] == "simulate").all()
    for r in df.iter_rows(named=True):
        sc = build_scenario(
            {**TINY["base"], "win_rate": r["win_rate"], "risk": r["risk"], "seed": r["seed"]}
        )
        s = simulate(sc, record=0).summary()
        assert r["ruin_probability"] == s["ruin_probability"]["estimate"]
        assert r["max_drawdown_p50"] == s["max_drawdown_quantiles"]["0.5"]
    # more risk, more ruin (on this grid the gaps dwarf the noise)
    p = df.filter(pl.col("win_rate") == 0.4)["ruin_probability"].to_list()
    assert p[0] < p[1] < p[2]


def test_same_results_whatever_the_batching():
    a = sw.run_sweep(TINY, workers=1, progress=False, batch_size=1)
    b = sw.run_sweep(TINY, workers=1, progress=False, batch_size=4)
    assert a.equals(b)


def test_extending_an_axis_keeps_the_old_cells(tmp_path):
    a = sw.run_sweep(TINY, workers=1, progress=False)
    bigger = {
        "base": TINY["base"],
        "axes": {"win_rate": [0.4, 0.45, 0.5], "risk": [0.05, 0.1, 0.2]},
    }
    b = sw.run_sweep(bigger, workers=1, progress=False)
    keep = b.filter(pl.col("win_rate") != 0.45).drop("cell")
    assert keep.equals(a.drop("cell"))


class Interrupt(Exception):
    pass


def test_resume_after_interruption_gives_the_same_file(tmp_path, monkeypatch):
    clean = tmp_path / "clean.parquet"
    sw.run_sweep(TINY, out=clean, workers=1, progress=False, batch_size=2)
    assert not (tmp_path / "clean.parquet.parts").exists()

    out = tmp_path / "resumed.parquet"
    real = sw.run_batch
    calls = []

    def flaky(cells, **kw):
        calls.append(len(cells))
        if len(calls) == 2:
            raise Interrupt  # like Ctrl-C in the middle of the sweep
        return real(cells, **kw)

    monkeypatch.setattr(sweep_executors, "run_batch", flaky)
    with pytest.raises(Interrupt):
        sw.run_sweep(TINY, out=out, workers=1, progress=False, batch_size=2)
    parts = sorted((tmp_path / "resumed.parquet.parts").glob("part-*.parquet"))
    assert len(parts) == 1 and not out.exists()
    monkeypatch.setattr(sweep_executors, "run_batch", real)

    stats = {}
    df = sw.run_sweep(TINY, out=out, workers=1, progress=False, batch_size=2, stats=stats)
    assert stats["cells_run"] == 4 and stats["cells"] == 6
    assert out.read_bytes() == clean.read_bytes()
    assert df.equals(pl.read_parquet(clean))
    assert not (tmp_path / "resumed.parquet.parts").exists()
    # running it again finds every cell done
    again = {}
    sw.run_sweep(TINY, out=out, workers=1, progress=False, stats=again)
    assert again["cells_run"] == 0 and out.read_bytes() == clean.read_bytes()


def test_unseeded_sweep_keeps_its_drawn_seed_when_resumed(tmp_path, monkeypatch):
    spec = {"base": {"trades": 20, "paths": 100}, "axes": {"risk": [0.1, 0.2, 0.3]}}
    out = tmp_path / "u.parquet"
    real = sw.run_batch

    def stop_second(cells, **kw):
        if cells[0][0] == 1:
            raise Interrupt
        return real(cells, **kw)

    monkeypatch.setattr(sweep_executors, "run_batch", stop_second)
    first = {}
    with pytest.raises(Interrupt):
        sw.run_sweep(spec, out=out, workers=1, progress=False, batch_size=1, stats=first)
    state = json.loads((tmp_path / "u.parquet.parts" / "sweep.json").read_text())
    monkeypatch.setattr(sweep_executors, "run_batch", real)
    stats = {}
    df = sw.run_sweep(spec, out=out, workers=1, progress=False, batch_size=1, stats=stats)
    assert stats["sweep_seed"] == state["seed"] and stats["cells_run"] == 2
    assert df["seed"].to_list() == [
        sw.cell_seed(state["seed"], {"risk": r}) for r in (0.1, 0.2, 0.3)
    ]


def test_exact_mode_uses_the_lattice_dp():
    spec = {
        "method": "exact",
        "base": {"trades": 60, "ruin_level": 0.5, "seed": 4},
        "axes": {"win_rate": [0.45, 0.55], "sizing": ["fractional", "fixed"]},
    }
    df = sw.run_sweep(spec, workers=1, progress=False)
    assert (df["method"] == "exact").all()
    assert df["seed"].null_count() == 4 and df["paths"].null_count() == 4
    for r in df.iter_rows(named=True):
        ref = lattice_dp(r["win_rate"], 1.5, 0.01, sizing=r["sizing"], trades=60, ruin_level=0.5)
        assert r["ruin_probability"] == pytest.approx(ref.ruin_probability, abs=1e-15)
        assert r["ruin_probability_ci_low"] == r["ruin_probability_ci_high"]


def test_exact_mode_falls_back_to_simulation_where_no_exact_answer():
    spec = {
        "base": {"trades": 30, "paths": 200, "seed": 2, "risk": 0.1},
        "axes": {"outcomes": ["-1:0.5,1.5:0.5", "-1:0.6,2:0.4"]},
    }
    df = sw.run_sweep(spec, workers=1, progress=False, method="exact")
    assert df["method"].to_list() == ["simulate", "simulate"]
    assert df["seed"].null_count() == 0


def test_exact_and_simulated_agree_within_noise():
    base = {"trades": 80, "paths": 4000, "seed": 9, "ruin_level": 0.6}
    spec = {"base": base, "axes": {"risk": [0.05, 0.1]}}
    mc = sw.run_sweep(spec, workers=1, progress=False)
    ex = sw.run_sweep(spec, workers=1, progress=False, method="exact")
    for p_mc, p_ex in zip(mc["ruin_probability"], ex["ruin_probability"], strict=True):
        se = math.sqrt(max(p_ex * (1 - p_ex), 1e-4) / 4000)
        assert abs(p_mc - p_ex) < 4 * se


def test_bad_options_are_parameter_errors():
    with pytest.raises(ParameterError, match="workers must be a whole number at least 1"):
        sw.run_sweep(TINY, workers=0, progress=False)
    with pytest.raises(ParameterError, match="method must be one of"):
        sw.run_sweep(TINY, method="guess", progress=False)
    with pytest.raises(ParameterError, match="batch_size"):
        sw.run_sweep(TINY, batch_size=0, progress=False)


def test_progress_bar_reports_cells(capsys):
    sw.run_sweep(TINY, workers=1, progress=True)
    err = capsys.readouterr().err
    assert "6/6" in err and "cells" in err and "/s" in err


# --- CLI ---------------------------------------------------------------------------------


def test_cli_sweep_writes_parquet(tmp_path, capsys):
    spec = write(
        tmp_path,
        "name = 'tiny'\n[base]\ntrades = 30\npaths = 200\nseed = 5\n"
        "[axes]\nrisk = [0.05, 0.1]\npayoff = [1.0, 2.0]\n",
    )
    out = tmp_path / "res.parquet"
    rc = main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--no-progress"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "4 cells" in text and str(out) in text and "P(ruin)" in text
    df = pl.read_parquet(out)
    assert df.height == 4 and df.columns[:2] == ["risk", "payoff"]
    assert df["seed"].n_unique() == 4


def test_cli_sweep_json_and_exact(tmp_path, capsys):
    spec = write(tmp_path, "[base]\ntrades = 30\nseed = 5\n[axes]\nrisk = [0.05, 0.1]\n")
    assert main(["sweep", str(spec), "--exact", "--workers", "1", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["methods"] == {"exact": 2} and d["cells"] == 2 and d["sweep_seed"] == 5


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--workers", "0"], "workers must be a whole number at least 1"),
        (["--connect-timeout", "-1"], "connect_timeout must be greater than 0"),
        (["--batch-size", "0"], "batch_size must be"),
    ],
)
def test_cli_bad_options_exit_2(tmp_path, capsys, args, match):
    spec = write(tmp_path, "[axes]\nrisk = [0.05]\n")
    assert main(["sweep", str(spec), "--no-progress", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and match in err[0]


def test_cli_bad_cell_exits_2_naming_axis_and_value(tmp_path, capsys):
    spec = write(tmp_path, "[base]\ntrades = 10\n[axes]\nrisk = [0.02, 5]\n", "grid.toml")
    assert main(["sweep", str(spec), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0] == (
        "ruin sweep: error: grid.toml: [axes] risk must be greater than 0 and at most 1; got 5. "
        "Use 0.05 for 5% of equity."
    )


def test_cli_unreachable_scheduler_exits_2_quickly(tmp_path, capsys):
    import socket
    import time

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = write(tmp_path, "[axes]\nrisk = [0.05]\n")
    t0 = time.perf_counter()
    rc = main(
        [
            "sweep",
            str(spec),
            "--scheduler",
            f"tcp://127.0.0.1:{port}",
            "--connect-timeout",
            "1",
            "--no-progress",
        ]
    )
    assert rc == 2 and time.perf_counter() - t0 < 20
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "scheduler must be a reachable Dask scheduler address" in err[0]
    assert f"127.0.0.1:{port}" in err[0]


def test_cell_numbers_are_finite_where_defined():
    df = sw.run_sweep(TINY, workers=1, progress=False)
    for c in ("ruin_probability", "max_drawdown_p50", "final_equity_median"):
        assert np.isfinite(df[c].to_numpy()).all()


# --- liquidation-odds sweeps and scenario presets -----------------------------------------


ODDS = {
    "kind": "odds",
    "base": {"mmr": 0.0125, "paths": 3000, "seed": 8},
    "axes": {"leverage": [5.0, 20.0], "volatility": [0.02, 0.04], "horizon_days": [7, 30]},
}


def test_odds_sweep_exact_is_the_closed_form():
    from ruin.odds import liquidation_probability

    df = sw.run_sweep(ODDS, workers=1, progress=False, method="exact")
    assert df.height == 8 and (df["method"] == "exact").all()
    for r in df.iter_rows(named=True):
        ref = liquidation_probability(r["leverage"], 0.0125, r["volatility"], r["horizon_days"])
        assert r["liquidation_probability"] == pytest.approx(ref, rel=1e-12)


def test_odds_sweep_simulated_near_closed_form_and_monotone():
    df = sw.run_sweep(ODDS, workers=1, progress=False)
    assert (df["method"] == "simulate").all() and df["seed"].n_unique() == 8
    for r in df.iter_rows(named=True):
        p = r["liquidation_probability_closed_form"]
        se = math.sqrt(max(p * (1 - p), 1e-3) / 3000)
        # the Monte Carlo is bridge-corrected (continuous monitoring, exact in law): no slack
        assert abs(r["liquidation_probability"] - p) < 4 * se
        assert r["liquidation_probability_ci_low"] <= r["liquidation_probability"]
    hi = df.filter(pl.col("leverage") == 20.0)["liquidation_probability_closed_form"]
    lo = df.filter(pl.col("leverage") == 5.0)["liquidation_probability_closed_form"]
    assert (hi.to_numpy() > lo.to_numpy()).all()


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        (
            {
                "kind": "odds",
                "base": {"mmr": 0.01, "volatility": 0.02, "horizon_days": 7},
                "axes": {"win_rate": [0.5]},
            },
            r"\[axes\] win_rate must be a known parameter",
        ),
        (
            {
                "kind": "odds",
                "base": {"mmr": 0.01, "volatility": 0.02},
                "axes": {"leverage": [5.0]},
            },
            r"horizon_days must be given in \[base\] or \[axes\]",
        ),
        (
            {
                "kind": "odds",
                "base": {"mmr": 0.01, "volatility": 0.02, "horizon_days": 7},
                "axes": {"leverage": [5.0, 0.5]},
            },
            r"\[axes\] leverage must be at least 1 and at most 1000; got 0.5",
        ),
        ({"kind": "bonds", "axes": {"risk": [0.1]}}, r"kind must be one of 'account', 'odds'"),
        (
            {
                "kind": "odds",
                "base": {"mmr": 0.01, "volatility": 0.02, "leverage": 5.0},
                "axes": {"horizon_days": [7], "monitoring": [1.0, 30.0]},
            },
            r"cell \(horizon_days=7, monitoring=30.0\): monitoring must be 'continuous' or a check "
            r"interval in days no longer than 7 \(the horizon\); got 30\.$",
        ),
        (
            {
                "kind": "odds",
                "base": {"mmr": 0.01, "volatility": 0.02, "horizon_days": 7, "side": "short"},
                "axes": {"leverage": [5.0], "take_profit": [0.1, 1.5]},
            },
            r"cell \(leverage=5.0, take_profit=1.5\): take_profit must be greater than 0 and less "
            r"than 1 for a short",
        ),
    ],
)
def test_odds_spec_errors(spec, match):
    with pytest.raises(ParameterError, match=match):
        sw.run_sweep(spec, workers=1, progress=False)


def test_scenario_preset_in_base():
    from ruin.studies.scenarios import find_scenario, scenario_params

    preset = scenario_params(find_scenario("coin_flip_edge"))
    spec = {
        "base": {"scenario": "coin_flip_edge", "paths": 300, "trades": 40},
        "axes": {"risk": [0.02, 0.1]},
    }
    stats = {}
    df = sw.run_sweep(spec, workers=1, progress=False, stats=stats)
    assert stats["sweep_seed"] == preset["seed"]  # the preset's seed seeds the sweep
    for r in df.iter_rows(named=True):
        flat = {**preset, "paths": 300, "trades": 40, "risk": r["risk"], "seed": r["seed"]}
        s = simulate(build_scenario(flat), record=0).summary()
        assert r["ruin_probability"] == s["ruin_probability"]["estimate"]
    with pytest.raises(
        ParameterError,
        match=r"^sweep: \[base\] scenario must be a "
        r"scenario name",
    ):
        sw.run_sweep({"base": {"scenario": "no_such"}, "axes": {"risk": [0.02]}}, progress=False)
    with pytest.raises(ParameterError, match=r"cell \(scenario='no_such'\): scenario must"):
        sw.run_sweep(
            {"base": {"seed": 1}, "axes": {"scenario": ["swing", "no_such"]}}, progress=False
        )


def test_seed_axis_gives_replicates_with_their_own_streams():
    spec = {"base": {"trades": 30, "paths": 200, "risk": 0.1}, "axes": {"seed": [1, 2, 3]}}
    df = sw.run_sweep(spec, workers=1, progress=False)
    assert df["seed"].to_list() == [1, 2, 3]
    assert df["cell_seed"].n_unique() == 3
    # reproducible without a sweep seed: the axis values key the streams (sweep seed 0)
    assert df["cell_seed"].to_list() == [sw.cell_seed(0, {"seed": k}) for k in (1, 2, 3)]
    assert df["ruin_probability"].n_unique() > 1  # different streams, different estimates


def test_cli_ctrl_c_keeps_finished_cells(tmp_path, capsys, monkeypatch):
    spec = write(
        tmp_path, "[base]\ntrades = 20\npaths = 100\nseed = 3\n[axes]\nrisk = [0.05, 0.1, 0.2]\n"
    )
    out = tmp_path / "r.parquet"
    real = sw.run_batch

    def ctrl_c_on_second(cells, **kw):
        if cells[0][0] == 1:
            raise KeyboardInterrupt
        return real(cells, **kw)

    monkeypatch.setattr(sweep_executors, "run_batch", ctrl_c_on_second)
    with pytest.raises(SystemExit) as info:
        main(
            [
                "sweep",
                str(spec),
                "--out",
                str(out),
                "--workers",
                "1",
                "--batch-size",
                "1",
                "--no-progress",
            ]
        )
    assert info.value.code == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"ruin sweep: interrupted; finished cells are kept in {out}.parts; run "
        "the same command again to resume."
    ]
    assert len(list((tmp_path / "r.parquet.parts").glob("part-*.parquet"))) == 1
    monkeypatch.setattr(sweep_executors, "run_batch", real)
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["cells_run"] == 2 and pl.read_parquet(out).height == 3
