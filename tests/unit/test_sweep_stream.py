"""Sweeps of millions of cells start at once: cells are streamed, not expanded up front.

Issue 14: a sweep of 8e6 cells validated cell by cell before running anything (about 24
minutes and 6 GB). Now axis values are checked once per axis, the combinations that can
clash on a small probe set (:func:`ruin.sweep.cells.check_cells`), the cell count and the
work come from the axes, and cells are built only as their batch is formed.
"""

import itertools
import tracemalloc

import polars as pl
import pytest

import ruin.sweep as sw
import ruin.sweep.executors as sweep_executors
from ruin.cli import main
from ruin.errors import ParameterError
from ruin.sweep.cells import check_cells, iter_batches, iter_cells, sweep_work

#: 50 x 50 x 40 x 80 = 8,000,000 cells.
HUGE = {
    "base": {"paths": 1000, "seed": 3, "ruin_level": 0.5},
    "axes": {
        "win_rate": [round(0.30 + 0.005 * i, 4) for i in range(50)],
        "payoff": [round(1.0 + 0.02 * i, 4) for i in range(50)],
        "risk": [round(0.001 * (i + 1), 4) for i in range(40)],
        "trades": [10 * (i + 1) for i in range(80)],
    },
}


def test_huge_sweep_is_counted_checked_and_planned_lazily():
    tracemalloc.start()
    try:
        spec = sw.load_spec(HUGE)
        assert spec.n_cells == 8_000_000
        checked = check_cells(spec, 3)
        work = sweep_work(spec)
        first = next(iter_batches(iter_cells(spec, 3), 100))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert checked < 20_000  # a probe set, not the grid
    # paths x trades summed over the grid: 1000 x (10 + 20 + ... + 800) x 50 x 50 x 40
    assert work == pytest.approx(1000 * 10 * 80 * 81 / 2 * 50 * 50 * 40)
    assert [c.index for c in first] == list(range(100))
    assert first[1].coords == {"win_rate": 0.3, "payoff": 1.0, "risk": 0.001, "trades": 20}
    assert peak < 50 * 2**20, f"{peak / 2**20:.1f} MB"


def test_huge_sweep_refused_by_the_work_limit_before_anything_runs(tmp_path, monkeypatch, capsys):
    def boom(*a, **k):  # pragma: no cover - must not be reached
        raise AssertionError("a cell ran")

    monkeypatch.setattr(sweep_executors, "run_batch", boom)
    with pytest.raises(ParameterError, match=r"sweep work must be at most .*8,000,000 cells"):
        sw.run_sweep(HUGE, out=tmp_path / "h.parquet", progress=False)
    assert not list(tmp_path.iterdir())  # nothing written
    spec = tmp_path / "huge.toml"
    axes = "\n".join(f"{k} = {v!r}" for k, v in HUGE["axes"].items())
    spec.write_text(f"[base]\npaths = 1000\nseed = 3\n[axes]\n{axes}\n")
    args = ["sweep", str(spec), "--out", str(tmp_path / "h.parquet"), "--no-progress"]
    assert main([*args, "--max-work", "1e9"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "8,000,000 cells" in err[0] and "--max-work" in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.toml"]


def test_large_grid_clash_reported_before_anything_runs(monkeypatch):
    """take_profit and payoff clash unless take_profit = payoff x stop: a pair rule, found
    by the probe set of a 24,000-cell grid (past the cell-by-cell limit) before any cell."""
    spec = {
        "base": {"leverage": 5, "stop": 0.02, "win_rate": 0.5, "trades": 10, "paths": 10},
        "axes": {
            "risk": [round(0.001 * (i + 1), 4) for i in range(100)],
            "ruin_level": [round(0.1 + 0.01 * i, 3) for i in range(60)],
            "payoff": [2.0, 3.0],
            "take_profit": [0.04, 0.06],
        },
    }
    assert sw.load_spec(spec).n_cells > sw.cells.FULL_CHECK_CELLS
    monkeypatch.setattr(sweep_executors, "run_batch", lambda *a, **k: 1 / 0)
    with pytest.raises(ParameterError, match=r"cell \(risk=0.001, ruin_level=0.1, payoff=2.0, "):
        sw.run_sweep(spec, progress=False)


def test_streamed_resume_of_an_extended_grid_equals_a_clean_run(tmp_path, monkeypatch):
    """Finished cells are found by id while streaming: a stale part (a cell no longer in the
    grid) is dropped, and a cell whose index moved (an axis gained a value) keeps its row."""
    base = {"trades": 30, "paths": 200, "seed": 5}
    small = {"base": base, "axes": {"risk": [0.05, 0.2, 0.3], "win_rate": [0.45, 0.55]}}
    grown = {"base": base, "axes": {"risk": [0.05, 0.1, 0.2], "win_rate": [0.45, 0.55]}}
    clean = tmp_path / "clean.parquet"
    sw.run_sweep(grown, out=clean, workers=1, progress=False, batch_size=2)

    out = tmp_path / "out.parquet"
    real, calls = sw.run_batch, []

    def flaky(cells, **kw):
        calls.append(len(cells))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(cells, **kw)

    monkeypatch.setattr(sweep_executors, "run_batch", flaky)
    with pytest.raises(KeyboardInterrupt):  # risk 0.05 and 0.2 done, 0.3 not
        sw.run_sweep(small, out=out, workers=1, progress=False, batch_size=2)
    monkeypatch.setattr(sweep_executors, "run_batch", real)
    stats = {}
    df = sw.run_sweep(grown, out=out, workers=1, progress=False, batch_size=2, stats=stats)
    assert stats["cells"] == 6 and stats["cells_run"] == 2  # only risk 0.1 runs
    assert df.equals(pl.read_parquet(clean))
    assert out.read_bytes() == clean.read_bytes()


def test_local_pool_takes_batches_as_they_come(monkeypatch):
    """The executors consume the batch stream lazily, a few batches per worker ahead."""
    pulled = []

    def batches():
        for i in itertools.count():
            if i == 3:
                return
            pulled.append(i)
            yield i

    seen = []
    monkeypatch.setattr(sweep_executors, "_payload", lambda b: b)
    monkeypatch.setattr(sweep_executors, "run_batch", lambda b, threads: [b])
    sweep_executors._run_local(batches(), 1, 1, lambda b, rows: seen.append((len(pulled), b)))
    assert seen == [(1, 0), (2, 1), (3, 2)]


def test_cli_announces_a_big_sweep_before_it_runs(tmp_path, capsys, monkeypatch):
    def ctrl_c(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_executors, "run_batch", ctrl_c)
    spec = tmp_path / "big.toml"
    seeds = list(range(6000))
    spec.write_text(
        f"[base]\npaths = 100\ntrades = 10\n[axes]\nrisk = [0.01, 0.02]\nseed = {seeds}\n"
    )
    with pytest.raises(SystemExit) as info:
        main(["sweep", str(spec), "--workers", "1", "--no-progress"])
    assert info.value.code == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("ruin sweep: 12,000 cells, 12,000,000 path-trades (Ctrl-C")
    assert err[1].startswith("ruin sweep: interrupted")
