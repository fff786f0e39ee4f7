"""Scenario files: every built-in file loads and runs through the CLI; malformed files name
the file, the table and the key; flags override a scenario's values."""

import json
from pathlib import Path

import pytest

import ruin
from ruin import ParameterError, build_scenario, simulate
from ruin.cli import main
from ruin.studies.scenarios import (
    SCENARIOS_DIR,
    find_scenario,
    list_scenarios,
    load_scenario,
    presets,
)

FILES = sorted(SCENARIOS_DIR.glob("*.toml"))


def test_the_builtin_set_is_there():
    names = {f.stem for f in FILES}
    for n in ("scalping", "day_trading", "swing", "position"):
        assert n in names, n
    lessons = [n for n in names if n.startswith("lesson_")]
    assert len(lessons) >= 11


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_file_loads_and_runs_through_the_cli(path, capsys):
    sf = load_scenario(path)
    assert sf.title and sf.description and sf.kind in ("preset", "lesson")
    runs = [None] + [v for v, _ in sf.variants]
    for v in runs:
        argv = ["simulate", "--scenario", sf.name, "--paths", "50", "--trades", "20", "--json"]
        if v is not None:
            argv += ["--variant", v]
        assert main(argv) == 0, (sf.name, v, capsys.readouterr().err)
        d = json.loads(capsys.readouterr().out)
        assert d["paths"] == 50 and d["trades"] == 20
        if "seed" in sf.params:
            assert d["seed"] == sf.params["seed"]


def test_scenarios_json_lists_every_file(capsys):
    assert main(["scenarios", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert {i["name"] for i in items} == {f.stem for f in FILES}
    for i in items:
        assert {"name", "kind", "title", "description"} <= set(i)
        assert i["kind"] in ("preset", "lesson")
    assert main(["scenarios", "--kind", "lesson"]) == 0
    out = capsys.readouterr().out
    assert "lesson_01_risk_rule" in out and "coin_flip_edge" not in out


def test_flags_override_the_scenario(capsys):
    sf = find_scenario("coin_flip_edge")
    assert (
        main(
            [
                "simulate",
                "--scenario",
                "coin_flip_edge",
                "--risk",
                "0.05",
                "--paths",
                "400",
                "--trades",
                "50",
                "--json",
            ]
        )
        == 0
    )
    d = json.loads(capsys.readouterr().out)
    want = simulate(
        build_scenario({**sf.params, "risk": 0.05, "paths": 400, "trades": 50}), record=0
    ).summary()
    assert d["seed"] == sf.params["seed"]
    assert d["ruin_probability"] == want["ruin_probability"]
    assert d["final_equity"]["median"] == pytest.approx(want["final_equity"]["median"])


def test_scenario_by_explicit_file_path(tmp_path, capsys):
    f = tmp_path / "mine.toml"
    f.write_text(
        '[scenario]\ntitle = "Mine"\ndescription = "x"\n\n[params]\nwin_rate = 0.6\n'
        "payoff = 1.0\nseed = 3\n"
    )
    assert (
        main(["simulate", "--scenario", str(f), "--paths", "30", "--trades", "10", "--json"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["seed"] == 3


def test_a_source_checkout_reads_the_top_level_scenarios_folder():
    # installed from a wheel, the package's own copy is used instead (tests/unit/test_install.py)
    root = Path(__file__).resolve().parents[2]
    assert Path(ruin.__file__).is_relative_to(root / "src")
    assert SCENARIOS_DIR == root / "scenarios"


def test_builtin_file_name_without_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert find_scenario("swing.toml").path == SCENARIOS_DIR / "swing.toml"
    with pytest.raises(ParameterError, match="scenario must be an existing .toml"):
        find_scenario("nope.toml")


def test_trades_file_resolves_inside_the_scenarios_folder():
    sf = find_scenario("my_trades_bootstrap")
    p = Path(sf.params["trades_file"])
    assert p.is_file() and p.resolve().is_relative_to(SCENARIOS_DIR.resolve())


def test_presets_for_the_app_menu():
    got = presets()
    titles = {load_scenario(f).title for f in FILES if load_scenario(f).kind == "preset"}
    assert set(got) == titles
    for flat in got.values():
        build_scenario(flat)


def test_unknown_scenario_name_lists_the_choices(capsys):
    with pytest.raises(ParameterError, match="scenario must be a scenario name .*coin_flip_edge"):
        find_scenario("no_such_thing")
    assert main(["simulate", "--scenario", "no_such_thing"]) == 2
    assert main(["simulate", "--variant", "x"]) == 2
    assert main(["simulate", "--scenario", "lesson_01_risk_rule", "--variant", "3%"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3
    assert "--variant must be used together with --scenario" in err[1]
    assert "variant must be one of '1%'" in err[2]


# ---------------------------------------------------------------------- malformed files

GOOD = """[scenario]
title = "T"
description = "D"
kind = "preset"

[params]
win_rate = 0.45
risk = 0.02
"""

LESSON = """[scenario]
title = "T"
description = "D"
kind = "lesson"

[params]
win_rate = 0.45

[[variants]]
name = "a"
risk = 0.01

[[variants]]
name = "b"
risk = 0.05

[lesson]
question = "Q?"
look_at = "L"
explanation = "E"
prediction = { kind = "slider", min = 0, max = 1, step = 0.1, answer_metric = \
"ruin_probability", answer_variant = "b" }
"""


@pytest.mark.parametrize(
    "text, match",
    [
        ("[scenario\ntitle = 1", r"bad.toml must be valid TOML; got .a syntax error \(Expected"),
        (
            GOOD.replace("win_rate = 0.45", 'win_rate = "high"'),
            r"bad.toml: \[params\] win_rate must be a number",
        ),
        (
            GOOD.replace("win_rate = 0.45", "win_rate = 55"),
            r"bad.toml: \[params\] win_rate must be between 0 and 1 \(exclusive\); "
            r"got 55\. Use 0.55",
        ),
        (
            GOOD.replace("risk = 0.02", "risk = 5"),
            r"bad.toml: \[params\] risk must be greater than 0 and at most 1; got 5\. Use 0.05",
        ),
        (
            GOOD.replace("risk = 0.02", "risk_percent = 2"),
            r"bad.toml: \[params\] risk_percent must be a known parameter",
        ),
        (GOOD + "\n[extras]\na = 1\n", r"bad.toml: \[top level\] extras must be a known key"),
        (
            GOOD.replace('kind = "preset"', 'kind = "preset"\nauthor = "me"'),
            r"bad.toml: \[scenario\] author must be a known key",
        ),
        (
            GOOD.replace('kind = "preset"', 'kind = "demo"'),
            r"bad.toml: \[scenario\] kind must be 'preset' or 'lesson'; got 'demo'",
        ),
        (GOOD.replace('title = "T"\n', ""), r"bad.toml: \[scenario\] title must be a text value"),
        (GOOD.replace('title = "T"', "title = 3"), r"bad.toml: \[scenario\] title must be a non"),
        (GOOD + "\n[[variants]]\nrisk = 0.1\n", r"bad.toml: \[\[variants\]\] #1 name must be"),
        (
            GOOD + '\n[[variants]]\nname = "x"\nmartingale = 0.5\n',
            r"bad.toml: \[\[variants\]\] #1 \(x\) martingale must be at least 1",
        ),
        (
            GOOD + '\n[[variants]]\nname = "x"\n[[variants]]\nname = "x"\n',
            r"bad.toml: \[\[variants\]\] #2 name must be unique",
        ),
        (
            GOOD.replace("risk = 0.02", 'trades_file = "../secrets.csv"'),
            r"bad.toml: \[params\] trades_file must be a path inside the scenario's folder",
        ),
        (
            GOOD.replace("risk = 0.02", 'trades_file = "/etc/passwd"'),
            r"bad.toml: \[params\] trades_file must be a path inside the scenario's folder",
        ),
        (
            GOOD.replace("risk = 0.02", "risk = [0.01, 0.02]"),
            r"bad.toml: \[params\] risk must be a single value",
        ),
        (GOOD + '\n[lesson]\nquestion = "Q"\n', r"bad.toml: \[lesson\] must be only in files"),
        (LESSON.replace('question = "Q?"\n', ""), r"bad.toml: \[lesson\] question must be a text"),
        (
            LESSON.replace('look_at = "L"', 'look_at = "L"\nhint = "h"'),
            r"bad.toml: \[lesson\] hint must be a known key",
        ),
        (
            LESSON.replace('kind = "slider"', 'kind = "guess"'),
            r"bad.toml: \[lesson.prediction\] kind must be 'slider' or 'choice'",
        ),
        (
            LESSON.replace('"ruin_probability"', '"happiness"'),
            r"bad.toml: \[lesson.prediction\] answer_metric must be one of",
        ),
        (
            LESSON.replace('answer_variant = "b"', 'answer_variant = "c"'),
            r"bad.toml: \[lesson.prediction\] answer_variant must be the name of one of",
        ),
        (
            LESSON.replace("max = 1,", "max = 0,"),
            r"bad.toml: \[lesson.prediction\] max must be greater than min",
        ),
        (
            LESSON.replace("step = 0.1", 'step = "small"'),
            r"bad.toml: \[lesson.prediction\] step must be a number",
        ),
        (
            LESSON.replace(
                'kind = "slider", min = 0, max = 1, step = 0.1',
                'kind = "choice", options = ["a", "zz"]',
            ),
            r"bad.toml: \[lesson.prediction\] options must be a list of at least two variant names",
        ),
        (LESSON.replace("\n[lesson]", "\n[lessonx]"), r"bad.toml: \[top level\] lessonx must be"),
    ],
)
def test_malformed_files_name_file_table_and_key(tmp_path, capsys, text, match):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(ParameterError, match=match):
        load_scenario(f)
    # the CLI prints the same message on one line and exits 2
    assert main(["simulate", "--scenario", str(f)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.toml" in err[0]


def test_good_lesson_text_loads(tmp_path):
    f = tmp_path / "ok.toml"
    f.write_text(LESSON)
    sf = load_scenario(f)
    assert sf.lesson["prediction"]["answer_variant"] == "b"
    assert [v for v, _ in sf.variants] == ["a", "b"]
    assert sf.build(variant="b").sizing.risk == 0.05


def test_trades_file_next_to_an_explicit_file_is_allowed(tmp_path):
    (tmp_path / "t.csv").write_text("r\n1\n-1\n2\n")
    f = tmp_path / "mine.toml"
    # win_rate goes: a trade file replaces the win/loss model (the two together are refused)
    f.write_text(GOOD.replace("win_rate = 0.45", 'trades_file = "t.csv"'))
    sf = load_scenario(f)
    assert sf.build().model.trades == (1.0, -1.0, 2.0)


def test_not_a_toml_file():
    with pytest.raises(ParameterError, match="scenario must be an existing .toml"):
        load_scenario(SCENARIOS_DIR / "data" / "sample_trades.csv")
    with pytest.raises(ParameterError, match="scenario must be an existing .toml"):
        list_scenarios(SCENARIOS_DIR / "nowhere") or load_scenario("nowhere.toml")
