"""Fuzz of hostile and careless input (issue 14): random flags and values, random TOML, random
trade files and random query strings thrown at the CLI, ``build_scenario``, the scenario and
sweep-spec loaders, the trade-file reader, the share-link reader and the app.

What must hold for every input: the CLI exits 0 or 2, and 2 means exactly one line on stderr
(130 for Ctrl-C is tested by name); the library raises nothing but
:class:`~ruin.errors.ParameterError`; nothing is written outside the requested output (each
CLI call runs in an empty folder that must stay empty); memory stays bounded (every run is
capped by ``--max-work`` and the tests check the peak resident size); the app shows
``st.error`` or a result, never an exception.

Derandomised (``derandomize=True``): the same examples every run, so a failure reproduces;
hypothesis prints the failing example. Each block keeps to a few seconds.
"""

import io
import math
import os
import resource
import string
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruin import form
from ruin.cli import build_parser, main
from ruin.config import build_scenario, known_keys
from ruin.errors import ParameterError
from ruin.share import decode, from_query_string
from ruin.studies.scenarios import load_scenario
from ruin.sweep.spec import load_spec
from ruin.tradefile import read_trades_bytes

FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: Values careless or hostile users type: special floats, extremes, text, separators.
NASTY = [
    "",
    " ",
    "0",
    "-0",
    "1",
    "-1",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "1e-320",
    "1e-17",
    "9" * 40,
    "abc",
    ",,,,",
    "0.5,",
    "-1:0.6,2:0.4",
    "1:0.5,-1",
    "true",
    "none",
    "0x10",
    "1_000",
    "[1]",
    "{a=1}",
    "../../etc/passwd",
    "/proc/self/environ",
    "/dev/null",
    "é",
    "\u202e",
    "[x](https://evil.example)",
    "<script>",
]
values = st.one_of(
    st.sampled_from(NASTY),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**20), 10**20).map(str),
    st.text(string.printable, max_size=12),
)

SMALL = {"simulate": ["--paths", "60", "--trades", "15"], "odds": ["--paths", "200"]}
CAP = ["--max-work", "200000"]


def _flags() -> dict[str, list[str]]:
    """Subcommand -> its option flags, read from the real parser (new flags are fuzzed too)."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    out = {}
    for name, p in sub.choices.items():
        flags = [
            s
            for a in p._actions
            for s in a.option_strings
            if s.startswith("--") and s not in ("--help", "--json", "--force")
        ]
        out[name] = flags
    return out


FLAGS = _flags()
RSS_LIMIT_KIB = 3 * 1024 * 1024  # 3 GiB peak resident for the whole test process


def _peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@st.composite
def cli_calls(draw):
    command = draw(st.sampled_from(sorted(c for c in FLAGS if c not in ("sweep", "lesson"))))
    argv = [command, *SMALL.get(command, [])]
    for _ in range(draw(st.integers(1, 4))):
        flag = draw(st.sampled_from(FLAGS[command]))
        value = draw(values)
        argv += [f"{flag}={value}"] if draw(st.booleans()) else [flag, value]
    if "--max-work" in FLAGS[command]:
        argv += CAP  # the last one counts: every run stays small
    return argv


@settings(FUZZ, max_examples=80)
@given(argv=cli_calls())
def test_cli_random_flags(argv, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("cli")
    old = os.getcwd()
    os.chdir(folder)
    try:
        code = main(argv)
    finally:
        os.chdir(old)
    cap = capsys.readouterr()
    assert code in (0, 2), (argv, code, cap.err)
    if code == 2:
        lines = cap.err.strip().splitlines()
        assert len(lines) == 1, (argv, cap.err)
    assert "Traceback" not in cap.err
    assert list(folder.iterdir()) == [], argv  # nothing written anywhere
    assert _peak_rss_kib() < RSS_LIMIT_KIB


# --- random TOML ---------------------------------------------------------------------------

KEYS = sorted(known_keys())
toml_scalars = st.one_of(
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(
        lambda f: (
            "nan" if math.isnan(f) else ("inf" if f > 0 else "-inf") if math.isinf(f) else repr(f)
        )
    ),
    st.sampled_from(["true", "false", '"abc"', '""', "1979-05-27", "07:32:00", '"../x.csv"']),
    st.sampled_from(['"/etc/passwd"', '"fixed"', '"block"', "[]", "[1, 2]", "{a = 1}"]),
)


@st.composite
def deep_value(draw):
    depth = draw(st.sampled_from([1, 5, 40, 3000]))
    kind = draw(st.sampled_from(["[", "{"]))
    if kind == "[":
        return "[" * depth + "1" + "]" * depth
    return "{a = " * depth + "1" + "}" * depth


@st.composite
def toml_params(draw):
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        key = draw(st.one_of(st.sampled_from(KEYS), st.text(string.ascii_lowercase, min_size=1)))
        value = draw(st.one_of(toml_scalars, deep_value()))
        lines.append(f"{key} = {value}")
    return lines


def _check_build(flat):
    try:
        build_scenario(flat)
    except ParameterError:
        pass


@settings(FUZZ, max_examples=80)
@given(lines=toml_params(), dotted=st.sampled_from([0, 3, 5000]))
def test_scenario_files_and_build_scenario(lines, dotted, tmp_path_factory):
    import tomllib

    folder = tmp_path_factory.mktemp("scn")
    head = '[scenario]\ntitle = "t"\ndescription = "d"\n'
    table = "[params]" if not dotted else "[" + ".".join(["params"] + ["a"] * dotted) + "]"
    text = head + table + "\n" + "\n".join(lines) + "\n"
    p = folder / "s.toml"
    p.write_text(text)
    try:
        load_scenario(p)
    except ParameterError:
        pass
    try:
        flat = tomllib.loads("\n".join(lines))
    except (tomllib.TOMLDecodeError, RecursionError):
        return
    if all(k in KEYS for k in flat) and not any(isinstance(v, (dict, list)) for v in flat.values()):
        _check_build({**flat, "paths": 50, "trades": 10})
    assert sorted(x.name for x in folder.iterdir()) == ["s.toml"]


@st.composite
def sweep_specs(draw):
    base = draw(toml_params())
    axes = []
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(KEYS + ["bogus"]))
        items = draw(st.lists(toml_scalars, max_size=4))
        axes.append(f"{key} = [{', '.join(items)}]")
    top = draw(st.sampled_from(["", 'kind = "odds"\n', 'method = "exact"\n', "batch_size = -1\n"]))
    return top + "[base]\n" + "\n".join(base) + "\n[axes]\n" + "\n".join(axes) + "\n"


@settings(FUZZ, max_examples=80)
@given(text=sweep_specs(), raw=st.binary(max_size=40))
def test_sweep_spec_loader(text, raw, tmp_path_factory):
    folder = tmp_path_factory.mktemp("spec")
    for name, data in (("s.toml", text.encode()), ("b.toml", raw)):
        p = folder / name
        p.write_bytes(data)
        try:
            load_spec(p)
        except ParameterError:
            pass
    assert sorted(x.name for x in folder.iterdir()) == ["b.toml", "s.toml"]


# --- random trade files ------------------------------------------------------------------


columns = st.sampled_from(
    [
        pl.Series("r", [1.5, -1.0]),
        pl.Series("r", [True, False]),
        pl.Series("r", ["1", "x"]),
        pl.Series("r", [1e308, -1.0]),
        pl.Series("r", [None, 1.0]),
        pl.Series("return", [0.01, -2.0]),
        pl.Series("r", [[1.0], [2.0]]),
        pl.Series("r", [{"a": 1}, {"a": 2}]),
        pl.Series("r", np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]")),
        pl.Series("pnl", [1.0, 2.0]),
    ]
)


@settings(FUZZ, max_examples=80)
@given(
    col=columns,
    csv=st.text(string.printable, max_size=200),
    raw=st.binary(max_size=200),
    parquet=st.booleans(),
)
def test_trade_files(col, csv, raw, parquet):
    buf = io.BytesIO()
    pl.DataFrame([col]).write_parquet(buf)
    inputs = [(buf.getvalue(), "t.parquet"), (csv.encode(), "t.csv"), (raw, "t.csv")]
    inputs.append((raw, "t.parquet" if parquet else "t.csv"))
    for data, name in inputs:
        try:
            values, kind = read_trades_bytes(data, name=name)
        except ParameterError:
            continue
        assert kind in ("r", "returns") and all(math.isfinite(v) for v in values)


# --- random query strings ------------------------------------------------------------------


@settings(FUZZ, max_examples=150)
@given(
    pairs=st.lists(
        st.tuples(
            st.one_of(st.sampled_from(sorted(form.FIELDS) + ["preset"]), st.text(max_size=60)),
            st.one_of(values, st.text(max_size=300)),
        ),
        max_size=30,
    )
)
def test_share_links(pairs):
    query = {}
    for k, v in pairs:
        query.setdefault(k, []).append(v)
    state = form.read_link(query, {"default": ("Default", {})})
    assert len(state.notices) <= len(form.FIELDS) + 2
    for note in state.notices:
        assert "\n" not in note and len(note) < 600 and "](" not in note
    decode(from_query_string("&".join(f"{k}={v}" for k, v in pairs)), {}, {})


# --- the app -------------------------------------------------------------------------------


APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.mark.parametrize("seed", range(2))
def test_app_with_random_links(seed):
    """A handful of random hostile links (AppTest is slow): notices or st.error, never an
    exception."""
    from streamlit.testing.v1 import AppTest

    rng = np.random.default_rng(seed)
    keys = [*sorted(form.FIELDS), "preset", "[x](https://evil.example)", "k" * 500]
    at = AppTest.from_file(APP, default_timeout=300)
    for k in rng.choice(keys, size=6, replace=False):
        at.query_params[str(k)] = str(rng.choice(NASTY[:20]))
    at.query_params["paths"] = "100"
    at.query_params["trades"] = "20"
    at.query_params["leveraged"] = "0"  # the leveraged kernels are the app tests' to compile
    at.run()
    assert not at.exception
    for w in at.warning:
        assert "](" not in w.value
