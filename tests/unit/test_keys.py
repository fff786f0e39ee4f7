"""The key table (ruin.keys): every key through every face, one message per bad value, the
precedence and conflict tables, and named regressions of issues 12 and 14."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from pathlib import Path

import pytest

from ruin import form, margin, odds
from ruin.cli import build_parser, main
from ruin.cli.simulate import flat_params
from ruin.config import build_scenario
from ruin.errors import ParameterError
from ruin.keys import (
    CONFLICTS,
    KEYS,
    LAYERS,
    MAX_LEVERAGE,
    ODDS_KEYS,
    PRECEDENCE,
    conflicts_table,
    markdown_table,
    precedence_table,
    resolve,
)
from ruin.market import LeveragedTrade
from ruin.params import Bootstrap, Sizing
from ruin.studies.scenarios import load_scenario
from ruin.sweep import expand_cells, load_spec

SAMPLE = str(Path(__file__).resolve().parents[2] / "scenarios" / "data" / "sample_trades.csv")


def _context(name: str) -> dict[str, object]:
    """The other keys a key needs to be valid on its own (CONFLICTS and object rules)."""
    key = KEYS[name]
    ctx: dict[str, object] = {}
    if key.group == "leverage" and name != "drift":
        ctx["drift"] = 0.0
    ctx.update(
        {
            "bootstrap": {"trades_file": SAMPLE},
            "block_length": {"trades_file": SAMPLE, "bootstrap": "block"},
            "liquidation_loss": {"no_stop": 4.5},
            "check_hours": {"monitoring": "discrete"},
            "positions": {"leverage": 10.0},
            "trailing_lock": {"trailing_drawdown": 0.1},
            "daily_loss_action": {"daily_loss_limit": 0.05},
        }.get(name, {})
    )
    return ctx


def _example(name: str) -> object:
    key = KEYS[name]
    return SAMPLE if name == "trades_file" else key.parse(key.example)


def _text(name: str, value: object) -> str:
    """A value as typed on the command line (the key's own spelling)."""
    if isinstance(value, str) or name not in KEYS:
        return str(value)
    return KEYS[name].format(value)


def _toml(name: str, value: object) -> str:
    """A value as written in TOML (numbers and booleans bare, the rest as text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(_text(name, value))


def _simulate_parser() -> argparse.ArgumentParser:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["simulate"]


def _cli_argv(params: dict[str, object]) -> list[str]:
    return [f"{KEYS[k].flag}={_text(k, v)}" for k, v in params.items()]


def _cli_scenario(params: dict[str, object]):
    args = _simulate_parser().parse_args(_cli_argv(params))
    return build_scenario(layers={"cli": flat_params(args, list(KEYS))})


def _toml_scenario(tmp_path: Path, params: dict[str, object]):
    lines = ["[scenario]", 'title = "T"', 'description = "D"', 'kind = "preset"', "[params]"]
    if "trades_file" in params:  # a scenario file reads data next to it
        (tmp_path / "t.csv").write_text(Path(SAMPLE).read_text())
        params = {**params, "trades_file": "t.csv"}
    lines += [f"{k} = {_toml(k, v)}" for k, v in params.items()]
    f = tmp_path / "mine.toml"
    f.write_text("\n".join(lines) + "\n")
    return load_scenario(f).build()


def _sweep_cell(name: str, value: object, ctx: dict[str, object]):
    base = {k: v for k, v in {"trades": 5, "paths": 10, **ctx}.items() if k != name}
    spec = load_spec({"base": base, "axes": {name: [value]}})
    return expand_cells(spec, 1)[0]


# ------------------------------------------------------------------- every key, every face


@pytest.mark.parametrize("name", list(KEYS))
def test_every_key_is_a_simulate_flag_with_the_table_help(name):
    key = KEYS[name]
    actions = {a.dest: a for a in _simulate_parser()._actions}
    action = actions[name]
    assert action.option_strings == [key.flag]
    assert action.help.replace("%%", "%").startswith(key.help)
    assert key.help and key.group in ("model", "account", "run", "behaviour", "rules", "leverage")


@pytest.mark.parametrize("name", list(KEYS))
def test_every_key_is_accepted_by_every_face(name, tmp_path):
    value, ctx = _example(name), _context(name)
    params = {**ctx, name: value}
    want = build_scenario(params)
    assert _cli_scenario(params) == want
    assert _unsourced(_toml_scenario(tmp_path, params)) == _unsourced(want)
    cell = _sweep_cell(name, value if not isinstance(value, tuple) else _text(name, value), ctx)
    run = {"trades": 5, "paths": 10, **params, "seed": cell.flat["seed"]}
    assert build_scenario(cell.flat) == build_scenario(run)
    if name in form.FIELDS and form.FIELDS[name].key.kind not in ("bool",):
        field = {name: form.FIELDS[name]}
        got, notices = form.share.decode({name: _text(name, value)}, {}, field)
        assert not notices and got[name] == KEYS[name].check(value)


def _unsourced(sc):
    """The scenario without the trade file's name (a scenario file reads a copy)."""
    if isinstance(sc.model, Bootstrap):
        return dataclasses.replace(sc, model=dataclasses.replace(sc.model, source=""))
    return sc


def _bad(name: str) -> object:
    key = KEYS[name]
    if key.kind in ("float", "int"):
        if key.hi is not None:
            return key.hi * 2 + 1 if key.kind == "float" else int(key.hi) * 2 + 1
        return key.lo - 1
    return {
        "bool": "maybe",
        "choice": "nonsense",
        "tails": "cauchy",
        "garch": "0.5,0.6",
        "jumps": "1,2",
        "outcomes": "abc",
    }[key.kind]


BAD = [n for n in KEYS if KEYS[n].kind != "path"]


@pytest.mark.parametrize("name", BAD)
def test_a_bad_value_gives_the_same_message_through_every_face(name, tmp_path, capsys):
    bad, ctx = _bad(name), _context(name)
    with pytest.raises(ParameterError) as info:
        KEYS[name].check(bad)
    sentence = str(info.value)
    assert sentence.startswith(f"{name} must be ") and "got" in sentence
    params = {**ctx, name: bad}
    with pytest.raises(ParameterError) as py:
        build_scenario(params)
    assert str(py.value) == sentence
    assert main(["simulate", *_cli_argv(params)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"ruin simulate: argument {KEYS[name].flag}: {sentence}"
    )
    with pytest.raises(ParameterError) as toml:
        _toml_scenario(tmp_path, params)
    assert str(toml.value) == f"mine.toml: [params] {sentence}"
    with pytest.raises(ParameterError) as axis:
        _sweep_cell(name, bad, ctx)
    assert str(axis.value) == f"sweep: [axes] {sentence}"


@pytest.mark.parametrize("name", ["equity_usd", "risk", "leverage", "trades", "stop"])
def test_text_where_a_number_belongs_is_the_keys_message_before_float(name, tmp_path):
    ctx = _context(name)
    sentence = str(KEYS[name].error("abc"))
    assert sentence.startswith(f"{name} must be a ") and "got 'abc'" in sentence
    with pytest.raises(ParameterError) as toml:
        _toml_scenario(tmp_path, {**ctx, name: "abc"})
    assert str(toml.value) == f"mine.toml: [params] {sentence}"
    with pytest.raises(ParameterError) as axis:
        _sweep_cell(name, "abc", ctx)
    assert str(axis.value) == f"sweep: [axes] {sentence}"
    with pytest.raises(ParameterError) as py:
        build_scenario({**ctx, name: "abc"})
    assert str(py.value) == sentence


def test_parameter_objects_say_what_a_flag_says(capsys):
    with pytest.raises(ParameterError) as obj:
        Sizing(risk=5.0)
    assert main(["simulate", "--risk", "5"]) == 2
    cli = capsys.readouterr().err.strip()
    assert cli == f"ruin simulate: argument --risk: {obj.value}"
    assert str(obj.value) == (
        "risk must be greater than 0 and at most 1; got 5. Use 0.05 for 5% of equity."
    )
    got, notices = form.share.decode({"risk": "5"}, {}, {"risk": form.FIELDS["risk"]})
    assert str(obj.value) in notices[0]


# ------------------------------------------------------------------- precedence


def test_precedence_is_data_and_documented():
    assert LAYERS == ("default", "preset", "scenario", "variant", "explicit", "cli")
    assert [name for name, _ in PRECEDENCE] == list(LAYERS)
    table = precedence_table()
    for name in LAYERS:
        assert f"`{name}`" in table


def test_higher_layers_win_and_given_is_not_a_default_comparison():
    flat = resolve(
        {
            "scenario": {"risk": 0.05, "payoff": 1.5},
            "variant": {"risk": 0.04},
            "explicit": {"risk": 0.03},
            "cli": {"risk": 0.02},
        }
    )
    assert flat["risk"] == 0.02 and flat.origin("risk") == "cli"
    # payoff given at its default value is still *given*
    assert flat["payoff"] == KEYS["payoff"].default and flat.given("payoff")
    assert not flat.given("win_rate") and flat.origin("win_rate") == "default"


def test_a_preset_fills_only_what_no_face_gave():
    base = {"leverage": 5.0, "stop": 0.02, "venue": "hyperliquid", "drift": 0.0}
    tier = build_scenario(base).market.mmr
    assert tier > 0 and build_scenario({**base, "mmr": 0.001}).market.mmr == 0.001


def test_app_form_precedence_is_the_librarys():
    extras = {"risk": 0.05, "martingale": 2.0}
    widgets = {"risk": 0.02, "log": True}
    layers = form.scenario_layers(widgets, extras)
    assert layers == {"scenario": extras, "explicit": {"risk": 0.02}}
    assert form.scenario_keys(widgets, extras) == {"risk": 0.02, "martingale": 2.0}
    assert build_scenario(layers=layers).sizing.risk == 0.02


# ------------------------------------------------------------------- conflicts


def test_conflicts_table_lists_every_rule():
    text = conflicts_table()
    assert len(text.splitlines()) == len(CONFLICTS)
    for rule in CONFLICTS:
        assert rule.describe() in text


@pytest.mark.parametrize(
    ("params", "first", "second"),
    [
        ({"leverage": 10, "win_rate": 0.5, "drift": 0.0}, "drift", "win_rate"),
        (
            {"leverage": 10, "drift": 0.0, "stop": 0.02, "take_profit": 0.05, "payoff": 1.5},
            "take_profit",
            "payoff",
        ),  # fmt: skip
        ({"trades_file": SAMPLE, "leverage": 3}, "trades_file", "leverage"),
        ({"trades_file": SAMPLE, "outcomes": "-1:0.6,2:0.4"}, "outcomes", "trades_file"),
        ({"trades_file": SAMPLE, "win_rate": 0.5}, "win_rate", "trades_file"),
        ({"trades_file": SAMPLE, "payoff": 2.0}, "payoff", "trades_file"),
        ({"bootstrap": "block"}, "bootstrap", "trades_file"),
        ({"trades_file": SAMPLE, "block_length": 3}, "block_length", "bootstrap"),
        ({"martingale": 2.0, "leverage": 5}, "martingale", "leverage"),
        ({"leverage": 5, "drift": 0.0, "check_hours": 2}, "check_hours", "monitoring"),
        ({"leverage": 5}, "win_rate or drift", "drift"),
    ],
)
def test_each_conflict_names_both_keys_on_every_face(params, first, second, capsys):
    with pytest.raises(ParameterError) as info:
        build_scenario(params)
    msg = str(info.value)
    assert msg.startswith(f"{first} must be") and second in msg
    assert main(["simulate", *_cli_argv(params)]) == 2
    assert capsys.readouterr().err.strip() == f"ruin simulate: error: {msg}"


def test_take_profit_that_agrees_with_payoff_is_allowed():
    sc = build_scenario(
        {"leverage": 5, "drift": 0.0, "stop": 0.02, "take_profit": 0.04, "payoff": 2}
    )
    assert sc.market.take_profit == pytest.approx(0.04)


def test_conflict_between_file_and_flag_says_where_each_came_from(tmp_path):
    with pytest.raises(ParameterError, match="win_rate comes from the scenario file"):
        build_scenario(layers={"scenario": {"win_rate": 0.5}, "cli": {"trades_file": SAMPLE}})


# ------------------------------------------------------------------- named regressions


def test_win_rate_half_with_drift_zero_is_refused(capsys):
    # issue 12: `--win-rate 0.5 --drift 0` passed silently (0.5 is the default win rate)
    assert main(["simulate", "--leverage", "10", "--win-rate", "0.5", "--drift", "0"]) == 2
    assert "drift must be left out when win_rate is given" in capsys.readouterr().err


def test_take_profit_with_default_payoff_is_refused(capsys):
    # issue 12: `--take-profit 0.05 --stop 0.02 --payoff 1.5` ran at 2.5 R silently
    argv = ["--leverage", "10", "--drift", "0", "--take-profit", "0.05", "--stop", "0.02"]
    assert main(["simulate", *argv, "--payoff", "1.5"]) == 2
    assert "take_profit must be left out when payoff is given" in capsys.readouterr().err


def test_goal_nan_is_an_error_not_no_goal(capsys):
    with pytest.raises(ParameterError, match="omit it for no goal"):
        build_scenario({"goal": math.nan})
    assert main(["simulate", "--goal", "nan"]) == 2
    assert "goal must be a finite number" in capsys.readouterr().err
    assert build_scenario({"goal": None}).account.goal is None


def test_drawdown_levels_without_numbers_is_an_error(capsys):
    assert main(["simulate", "--drawdown-levels", ",,,"]) == 2
    assert "expected comma-separated numbers" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flag", "value", "name"),
    [
        ("--check-hours", "1e-9", "check_hours"),
        ("--funding-interval-hours", "1e-6", "funding_interval_hours"),
        ("--equity-usd", "nan", "equity_usd"),
        ("--equity-usd", "-5", "equity_usd"),
        ("--equity-usd", "1e300", "equity_usd"),
    ],
)
def test_each_key_is_blamed_for_its_own_value(flag, value, name, capsys):
    # issue 14: these blamed volatility, notional or leverage (derived quantities)
    argv = ["simulate", "--leverage", "10", "--drift", "0", "--monitoring", "discrete"]
    assert main([*argv, f"{flag}={value}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"ruin simulate: argument {flag}: {name} must be ")
    assert "volatility" not in err and "notional" not in err and "leverage" not in err


def test_negative_values_are_typed_as_shown_in_help(capsys):
    base = ["simulate", "--paths", "10", "--trades", "5", "--seed", "1", "--json"]
    assert main([*base, "--outcomes", "-1:0.6,2:0.4"]) == 0
    capsys.readouterr()
    args = _simulate_parser().parse_args(["--drift", "-0.001", "--funding-rate", "-1e-4"])
    assert args.drift == -0.001 and args.funding_rate == -1e-4
    args = _simulate_parser().parse_args(["--drift=-0.001", "--jumps", "0.01,-0.1,0.05"])
    assert args.drift == -0.001 and args.jumps == (0.01, -0.1, 0.05)


def test_one_leverage_ceiling_and_one_mmr_rule():
    over = MAX_LEVERAGE * 2
    messages = set()
    for face in (
        lambda: build_scenario({"leverage": over, "drift": 0.0}),
        lambda: LeveragedTrade(leverage=over, stop=0.01, take_profit=0.02, drift=0.0),
        lambda: margin.position_size(1000, 0.01, 0.02, over, 0.0001),
        lambda: odds.liquidation_probability(over, 0.005, 0.03, 7),
    ):
        with pytest.raises(ParameterError) as info:
            face()
        messages.add(str(info.value))
    with pytest.raises(ParameterError) as one:
        KEYS["leverage"].check(over)
    assert messages == {str(one.value)}
    mmr = set()
    for face in (
        lambda: build_scenario({"leverage": 20, "mmr": 0.06, "drift": 0.0}),
        lambda: LeveragedTrade(leverage=20, mmr=0.06, stop=0.01, take_profit=0.02, drift=0.0),
        lambda: margin.position_size(1000, 0.01, 0.02, 20, 0.06),
        lambda: odds.liquidation_probability(20, 0.06, 0.03, 7),
    ):
        with pytest.raises(ParameterError) as info:
            face()
        mmr.add(str(info.value))
    assert len(mmr) == 1 and next(iter(mmr)).startswith("mmr must be less than 1/leverage = 0.05")


def test_odds_keys_share_the_runs_ranges():
    for name in ("leverage", "mmr", "volatility", "drift", "side", "take_profit", "paths"):
        a, b = KEYS[name], ODDS_KEYS[name]
        assert (a.lo, a.hi, a.lo_incl, a.hi_incl, a.choices) == (
            b.lo,
            b.hi,
            b.lo_incl,
            b.hi_incl,
            b.choices,
        )


def test_bools_read_one_way_everywhere():
    from ruin.parse import parse_bool

    for word in ("yes", "ON", "1", "true"):
        assert KEYS["breakeven"].parse(word) is parse_bool(word) is True
        assert form.FIELDS["garch"].parse(word) is True
        assert KEYS["garch"].check(word) is True
    for word in ("no", "off", "0", "false"):
        assert KEYS["breakeven"].parse(word) is False
        assert KEYS["jumps"].check(word) is False


# ------------------------------------------------------------------- README


def test_readme_lists_every_key_as_the_table_does():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme
    assert precedence_table() in readme
    assert conflicts_table() in readme
    for key in KEYS.values():
        assert f"`{key.name}` (`{key.flag}`)" in readme
