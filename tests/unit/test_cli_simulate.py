import json

from ruin.cli import main


def test_simulate_json_contract(capsys):
    rc = main(
        [
            "simulate",
            "--win-rate",
            "0.45",
            "--payoff",
            "1.5",
            "--risk",
            "0.02",
            "--trades",
            "200",
            "--paths",
            "2000",
            "--seed",
            "5",
            "--goal",
            "2",
            "--json",
        ]
    )
    assert rc == 0
    d = json.loads(capsys.readouterr().out)
    for key in (
        "seed",
        "paths",
        "trades",
        "ruin_probability",
        "goal_probability",
        "drawdown_exceedance",
        "max_drawdown_quantiles",
        "final_equity",
        "longest_losing_streak",
        "trades_to_ruin",
        "win_rate_realized",
        "elapsed_seconds",
    ):
        assert key in d
    assert d["seed"] == 5 and d["paths"] == 2000 and d["trades"] == 200
    assert set(d["max_drawdown_quantiles"]) == {"0.5", "0.9", "0.95", "0.99"}
    r = d["ruin_probability"]
    assert 0 <= r["ci_low"] <= r["estimate"] <= r["ci_high"] <= 1


def test_bad_risk_exits_2_with_one_line(capsys):
    assert main(["simulate", "--risk", "5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0] == (
        "ruin simulate: argument --risk: risk must be greater than 0 and at most 1; got 5. "
        "Use 0.05 for 5% of equity."
    )


def test_unparseable_flag_exits_2(capsys):
    assert main(["simulate", "--paths", "many"]) == 2
    assert "--paths" in capsys.readouterr().err
