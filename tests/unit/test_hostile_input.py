"""Issue 14, one named test per example: hostile or careless input loses nothing, leaks
nothing, prints no traceback, and every run can be stopped.

The random counterpart is ``tests/property/test_fuzz_input.py``.
"""

import datetime as dt
import io
import os
import stat
import types

import numpy as np
import polars as pl
import pytest

import ruin.sweep as sw
import ruin.sweep.executors as sweep_executors
from ruin.cli import main
from ruin.config import build_scenario
from ruin.engine import driver
from ruin.engine.work import APP_MAX_WORK, CLI_MAX_WORK
from ruin.errors import ParameterError
from ruin.exact import theory
from ruin.form import MAX_WORK
from ruin.odds import liquidation_odds
from ruin.params import Bootstrap
from ruin.parse import read_toml
from ruin.share import decode
from ruin.studies.scenarios import load_scenario
from ruin.sweep.spec import load_spec
from ruin.tradefile import MAX_ROWS, load_trades, read_trades_bytes

SPEC = (
    'method = "exact"\n[base]\ntrades = 20\npaths = 100\nseed = 3\nruin_level = 0.5\n'
    'sizing = "fixed"\n[axes]\nrisk = [0.05, 0.1]\n'
)


def one_line_error(capsys, argv, code=2):
    """Run the CLI; assert exit ``code`` and exactly one line on stderr; return that line."""
    assert main(argv) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


def tree(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture
def spec(tmp_path):
    p = tmp_path / "spec.toml"
    p.write_text(SPEC)
    return p


@pytest.fixture
def no_cells_run(monkeypatch):
    def boom(*a, **k):  # pragma: no cover - reached only if a refusal comes too late
        raise AssertionError("a cell ran before the destination was checked")

    monkeypatch.setattr(sweep_executors, "run_batch", boom)


# --- Security 1: ruin sweep --out destroys nothing ---------------------------------------


def test_sweep_out_existing_unrelated_file_is_refused(tmp_path, spec, capsys, no_cells_run):
    target = tmp_path / "existing.txt"
    target.write_text("my notes\n")
    before = tree(tmp_path)
    err = one_line_error(capsys, ["sweep", str(spec), "--out", str(target), "--no-progress"])
    assert "--out must be a new file or a previous output" in err and "--force" in err
    assert target.read_text() == "my notes\n" and tree(tmp_path) == before


def test_sweep_out_force_replaces_an_unrelated_file(tmp_path, spec, capsys):
    target = tmp_path / "existing.txt"
    target.write_text("my notes\n")
    assert main(["sweep", str(spec), "--out", str(target), "--force", "--no-progress"]) == 0
    assert pl.read_parquet(target).height == 2
    assert not (tmp_path / "existing.txt.parts").exists()


def test_sweep_out_previous_output_is_resumed_without_force(tmp_path, spec, capsys):
    out = tmp_path / "r.parquet"
    assert main(["sweep", str(spec), "--out", str(out), "--no-progress"]) == 0
    first = out.read_bytes()
    assert main(["sweep", str(spec), "--out", str(out), "--no-progress"]) == 0
    assert out.read_bytes() == first


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_sweep_out_special_files_are_refused_even_with_force(
    tmp_path, spec, capsys, no_cells_run, force
):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    err = one_line_error(capsys, ["sweep", str(spec), "--out", str(fifo), *force])
    assert "regular file" in err and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    err = one_line_error(capsys, ["sweep", str(spec), "--out", "/dev/null", *force])
    assert "regular file" in err and stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_sweep_out_folder_is_refused_before_any_cell_runs(tmp_path, spec, capsys, no_cells_run):
    folder = tmp_path / "results"
    folder.mkdir()
    before = tree(tmp_path)
    err = one_line_error(capsys, ["sweep", str(spec), "--out", str(folder), "--force"])
    assert "not a folder" in err
    assert tree(tmp_path) == before  # no .tmp file, no parts folder


def test_sweep_out_empty_and_under_a_file_are_refused(tmp_path, spec, capsys, no_cells_run):
    assert "--out must be a Parquet file name" in one_line_error(
        capsys, ["sweep", str(spec), "--out", ""]
    )
    (tmp_path / "existing_file").write_text("x")
    before = tree(tmp_path)
    err = one_line_error(
        capsys, ["sweep", str(spec), "--out", str(tmp_path / "existing_file" / "x.parquet")]
    )
    assert "is a file, not a folder" in err and tree(tmp_path) == before


def test_sweep_out_read_only_destination_is_refused_first(
    tmp_path, spec, capsys, no_cells_run, monkeypatch
):
    import tempfile

    def read_only(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    err = one_line_error(capsys, ["sweep", str(spec), "--out", str(tmp_path / "r.parquet")])
    assert "--out must be a writable destination" in err and "Permission denied" in err
    assert tree(tmp_path) == ["spec.toml"]


def test_sweep_parts_folder_holding_other_files_is_never_removed(
    tmp_path, spec, capsys, no_cells_run
):
    parts = tmp_path / "r.parquet.parts"
    parts.mkdir()
    (parts / "thesis.tex").write_text("years of work")
    err = one_line_error(capsys, ["sweep", str(spec), "--out", str(tmp_path / "r.parquet")])
    assert "holds only this sweep's parts" in err
    assert (parts / "thesis.tex").read_text() == "years of work"


# --- Security 2: sweep specs read only next to themselves, never echo a file -------------


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "../../../../etc/passwd", "/proc/self/environ", "sub/../../x.csv"]
)
def test_sweep_spec_trades_file_outside_its_folder_is_refused(tmp_path, capsys, path):
    spec = tmp_path / "s.toml"
    spec.write_text(
        f'[base]\ntrades = 10\npaths = 10\ntrades_file = "{path}"\n[axes]\nrisk = [0.1]\n'
    )
    err = one_line_error(capsys, ["sweep", str(spec)])
    assert "trades_file must be a path inside the spec's folder" in err
    assert "root:" not in err and "PATH=" not in err


def test_sweep_spec_trades_file_is_relative_to_the_spec(tmp_path, monkeypatch, capsys):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text("r\n1.5\n-1\n2\n-1\n")
    spec = tmp_path / "data" / "s.toml"
    spec.write_text(
        '[base]\ntrades = 10\npaths = 50\nseed = 1\ntrades_file = "t.csv"\n'
        "[axes]\nrisk = [0.1, 0.2]\n"
    )
    monkeypatch.chdir(tmp_path)  # not the spec's folder
    cells = sw.expand_cells(load_spec(str(spec)), 0)  # builds (and so reads) every cell
    assert [c.flat["trades_file"] for c in cells] == [str(tmp_path / "data" / "t.csv")] * 2
    assert [c.coords for c in cells] == [{"risk": 0.1}, {"risk": 0.2}]


def test_trade_file_errors_never_echo_the_file(tmp_path):
    secret = tmp_path / "env.csv"
    secret.write_text("AWS_SECRET_ACCESS_KEY=abcdefghijklmnop,other\n1,2\n")
    with pytest.raises(ParameterError) as exc:
        load_trades(secret)
    assert "AWS_SECRET" not in str(exc.value) and "abcdefgh" not in str(exc.value)
    long_cell = tmp_path / "t.csv"
    long_cell.write_text("r\n1\nTOKEN-0123456789abcdef\n")
    with pytest.raises(ParameterError, match="row 3 must be a finite number") as exc:
        load_trades(long_cell)
    assert "TOKEN" not in str(exc.value)


# --- Security 3: share links cannot inject Markdown --------------------------------------


def test_share_link_markdown_key_is_escaped():
    key = "[Your session expired - log in again](https://evil.example/login)"
    _, notices = decode({key: "1"}, {}, {})
    assert len(notices) == 1
    text = notices[0]
    assert "](" not in text and "https://" not in text and "\\[" in text


def test_share_link_long_key_is_capped_and_many_keys_give_one_notice():
    _, notices = decode({"k" * 100_000: "1"}, {}, {})
    assert len(notices) == 1 and len(notices[0]) < 200
    _, notices = decode({f"bogus{i}": "1" for i in range(300)}, {}, {})
    assert len(notices) == 1 and "297 more" in notices[0]


# --- Security 4: Parquet row bombs are refused from the metadata ------------------------


def _parquet(df):
    buf = io.BytesIO()
    df.write_parquet(buf)
    return buf.getvalue()


def test_parquet_row_count_is_refused_before_loading():
    data = _parquet(pl.DataFrame({"r": np.zeros(MAX_ROWS + 1)}))
    assert len(data) < 100_000  # small on disk, large in memory
    with pytest.raises(ParameterError, match=r"at most 1,000,000 trades; got '1,000,001 rows'"):
        read_trades_bytes(data, name="bomb.parquet")


def test_sweeps_page_refuses_too_many_rows(monkeypatch):
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    page = str(Path(__file__).resolve().parents[2] / "views" / "Sweeps.py")
    data = _parquet(pl.DataFrame({"a": np.zeros(1_000_001), "b": np.zeros(1_000_001)}))
    upload = types.SimpleNamespace(name="bomb.parquet", getvalue=lambda: data)
    monkeypatch.setattr(st, "file_uploader", lambda *a, **k: upload)
    at = AppTest.from_file(page, default_timeout=120).run()
    assert not at.exception
    assert "at most 1,000,000 rows" in at.error[0].value


# --- Runs that cannot be stopped or never end -------------------------------------------


def test_driver_chunks_are_sized_by_work_not_paths():
    calls = []

    def run_chunk(keys, offset, count, outputs, rec):
        calls.append(count)
        for a in outputs.values():
            a[:] = 0

    sc = types.SimpleNamespace(paths=10, account=types.SimpleNamespace(trades=1_000_000), seed=1)
    driver.run(sc, driver.PathRun(run_chunk=run_chunk), record=0)
    assert calls[0] == 2  # 2**21 path-trades, not 262,144 paths of a million trades
    assert sum(calls) == 10


def test_simulate_refuses_a_run_above_the_work_limit(capsys):
    err = one_line_error(
        capsys, ["simulate", "--paths", "50000000", "--trades", "1000000", "--win-rate", "0.5"]
    )
    assert "work limit" in err and "--max-work" in err
    err = one_line_error(
        capsys, ["simulate", "--paths", "1000", "--trades", "1000", "--max-work", "1000"]
    )
    assert "1,000 paths x 1,000 trades" in err


def test_odds_refuses_huge_horizons_and_paths(capsys):
    base = ["odds", "--leverage", "10", "--mmr", "0.005", "--volatility", "0.03"]
    err = one_line_error(
        capsys, [*base, "--horizon-days", "3650", "--monitoring", "0.01", "--paths", "50000000"]
    )
    assert "paths x steps" in err and "--max-work" in err
    err = one_line_error(capsys, [*base, "--horizon-days", "36500", "--paths", "50000000"])
    assert "--max-work" in err
    with pytest.raises(ParameterError, match="work limit"):
        liquidation_odds(10, 0.005, 0.03, 30, paths=1000, max_work=100)


def test_app_and_cli_share_one_work_estimate():
    assert MAX_WORK == APP_MAX_WORK == 5_000_000_000 and CLI_MAX_WORK > APP_MAX_WORK


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--paths", "100", "--trades", "10"],
        [
            "odds",
            "--leverage",
            "10",
            "--mmr",
            "0.005",
            "--volatility",
            "0.03",
            "--horizon-days",
            "3",
        ],
    ],
)
def test_ctrl_c_exits_130_with_one_line(capsys, monkeypatch, argv):
    import importlib

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    # the CLI imports them in its handlers (start-up), so patch them in their modules
    # (``ruin.simulate`` as an attribute is the function: the package's lazy export)
    monkeypatch.setattr(importlib.import_module("ruin.simulate"), "simulate", interrupted)
    monkeypatch.setattr(importlib.import_module("ruin.odds"), "liquidation_odds", interrupted)
    line = one_line_error(capsys, argv, code=130)
    assert line == f"ruin {argv[0]}: interrupted."


def test_duration_notice_is_printed_once_for_long_runs(monkeypatch):
    import ruin.cli.simulate as cs

    clock = iter([0.0, 3.0, 4.0, 5.0])
    monkeypatch.setattr(cs.time, "perf_counter", lambda: next(clock))
    out = io.StringIO()
    notice = cs.duration_notice(out)
    notice(10, 1000)
    notice(20, 1000)
    notice(30, 1000)
    assert out.getvalue().count("\n") == 1 and "Ctrl-C stops it" in out.getvalue()


# --- Tracebacks -> one line --------------------------------------------------------------


@pytest.mark.parametrize("sizing", ["fractional", "fixed"])
def test_tiny_risk_exact_answer_not_available(sizing):
    sc = build_scenario(
        {
            "win_rate": 0.5,
            "payoff": 1.5,
            "risk": 1e-17,
            "sizing": sizing,
            "trades": 50,
            "paths": 100,
            "seed": 1,
        }
    )
    th = theory(sc)
    if th.get("exact_available") is False:
        assert "not available for these inputs" in th["notes"][0]
    else:  # the closed forms coped: then every number is finite or None
        assert all(v is None or np.isfinite(v) for v in th.values() if isinstance(v, float))


def test_tiny_risk_cli_still_shows_the_simulation(capsys):
    assert (
        main(
            [
                "simulate",
                "--risk",
                "1e-17",
                "--sizing",
                "fixed",
                "--paths",
                "200",
                "--trades",
                "20",
                "--seed",
                "1",
            ]
        )
        == 0
    )
    out = capsys.readouterr()
    assert "probability of ruin" in out.out and "Traceback" not in out.err


def test_huge_trade_values_are_refused():
    with pytest.raises(ParameterError, match=r"trades\[1\] must be at most 1e\+06"):
        Bootstrap(trades=(1.0, 1e308))
    with pytest.raises(ParameterError, match="at most 10000"):
        Bootstrap(trades=(0.01, 1e5), kind="returns")


def test_parquet_struct_r_column_is_refused():
    data = _parquet(pl.DataFrame({"r": [{"a": 1.0}, {"a": 2.0}]}))
    with pytest.raises(ParameterError, match=r"column 'r' must be numbers.*Struct"):
        read_trades_bytes(data, name="s.parquet")


@pytest.mark.parametrize(
    ("values", "kind"),
    [([True, False], "Boolean"), ([dt.date(2020, 1, 1), dt.date(2020, 1, 2)], "Date")],
)
def test_boolean_and_date_trade_columns_are_refused(values, kind):
    data = _parquet(pl.DataFrame({"r": values}))
    with pytest.raises(ParameterError, match=f"must be numbers .*got 'a {kind} column'"):
        read_trades_bytes(data, name="t.parquet")


@pytest.mark.parametrize("path", ["/proc/self/mem", "/proc/self/pagemap", "/dev/zero"])
def test_special_files_are_refused_as_trade_files(tmp_path, path):
    if not os.path.exists(path):  # /proc is Linux's; CI (Linux) must run every case
        if os.environ.get("CI") or os.environ.get("RUIN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{path} is not on this system")
        pytest.skip(f"{path} is not on this system")
    with pytest.raises(ParameterError, match="regular file"):
        load_trades(path)
    link = tmp_path / "trades.csv"
    link.symlink_to(path)
    with pytest.raises(ParameterError, match="regular file"):
        load_trades(link)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    with pytest.raises(ParameterError, match="regular file"):
        load_trades(fifo)


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 3000 + "]" * 3000 + "\n",
        "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
        "[" + ".".join(["a"] * 5000) + "]\n",
    ],
    ids=["arrays", "inline-tables", "dotted-name"],
)
def test_deeply_nested_toml_is_one_error(tmp_path, capsys, text):
    p = tmp_path / "deep.toml"
    p.write_text(text)
    with pytest.raises(ParameterError, match="nested at most 32 levels"):
        read_toml(p, "deep.toml", 1 << 20)
    with pytest.raises(ParameterError):
        load_scenario(p)
    err = one_line_error(capsys, ["sweep", str(p)])
    assert "nested" in err
    err = one_line_error(capsys, ["simulate", "--scenario", str(p)])
    assert "nested" in err


def test_sweep_spec_date_axis_value_is_one_error(tmp_path, capsys):
    p = tmp_path / "s.toml"
    p.write_text("[base]\ntrades = 10\n[axes]\nrisk = [2024-01-01]\n")
    err = one_line_error(capsys, ["sweep", str(p)])
    assert "[axes] risk must be a list of numbers, text or true/false; got 'a date value'" in err


def test_sweep_spec_not_utf8_is_one_error(tmp_path, capsys):
    p = tmp_path / "s.toml"
    p.write_bytes(b"[base]\ntrades = 10 # \xff\xfe\n[axes]\nrisk = [0.1]\n")
    err = one_line_error(capsys, ["sweep", str(p)])
    assert "must be UTF-8 text" in err


# --- Silently wrong -----------------------------------------------------------------------


def test_lesson_slider_with_infinite_range_is_refused(tmp_path):
    from pathlib import Path

    real = Path(__file__).resolve().parents[2] / "scenarios" / "lesson_01_risk_rule.toml"
    text = real.read_text()
    assert "min = 0.0, max = 1.0" in text
    p = tmp_path / "l.toml"
    p.write_text(text.replace("min = 0.0, max = 1.0", "min = -inf, max = inf"))
    with pytest.raises(ParameterError, match="must be a finite number"):
        load_scenario(p)


def test_sweep_axis_100_and_100_0_are_duplicates():
    with pytest.raises(ParameterError, match="distinct values"):
        load_spec({"base": {"paths": 10}, "axes": {"trades": [100, 100.0]}})


def test_unreachable_scheduler_does_not_blame_memory(monkeypatch):
    from ruin.sweep import executors

    class Client:
        def __init__(self, *a, **k):
            raise MemoryError("Unable to allocate 3.07 EiB for an array")

    import distributed

    monkeypatch.setattr(distributed, "Client", Client)
    monkeypatch.setattr(executors, "_probe", lambda address, timeout: None)
    with pytest.raises(ParameterError) as exc:
        executors._connect("tcp://127.0.0.1:9", 1.0)
    assert "EiB" not in str(exc.value) and "not as a Dask scheduler" in str(exc.value)


# --- Messages that blame the wrong thing ----------------------------------------------------


def test_values_starting_with_a_minus_are_typed_as_shown():
    from ruin.cli import build_parser

    args = build_parser().parse_args(["simulate", "--outcomes", "-1:0.6,2:0.4", "--drift", "-0.1"])
    assert args.drift == -0.1 and args.outcomes is not None  # values, not unknown flags
    # -inf is read as a value too: its error is the key's range, not argparse's "expected one
    # argument" (test_win_rate_minus_inf_is_a_range_error_not_a_usage_error)


def test_win_rate_minus_inf_is_a_range_error_not_a_usage_error(capsys):
    err = one_line_error(capsys, ["simulate", "--win-rate", "-inf", "--paths", "10"])
    assert "win_rate" in err and "expected one argument" not in err
