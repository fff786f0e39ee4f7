import json

import pytest

from ruin.cli import main


def _json(capsys, argv):
    rc = main([*argv, "--json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return json.loads(out.out)


def _fails(capsys, argv, *fragments):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    for f in fragments:
        assert f in err[0], err[0]
    assert "Traceback" not in err[0]


def test_liquidation_json(capsys):
    d = _json(capsys, ["liquidation", "--entry", "100000", "--leverage", "20", "--mmr", "0.0125"])
    for k in ("liquidation_price", "bankruptcy_price", "adverse_move", "approx_liquidation_price"):
        assert k in d
    assert d["liquidation_price"] == pytest.approx(96_202.53, abs=0.005)
    assert d["bankruptcy_price"] == pytest.approx(95_000)
    assert d["approx_liquidation_price"] == pytest.approx(96_250)
    s = _json(
        capsys,
        [
            "liquidation",
            "--entry",
            "100000",
            "--leverage",
            "20",
            "--mmr",
            "0.0125",
            "--side",
            "short",
        ],
    )
    assert s["liquidation_price"] == pytest.approx(103_703.70, abs=0.005)


def test_liquidation_with_maintenance_amount_and_venue(capsys):
    d = _json(
        capsys,
        [
            "liquidation",
            "--entry",
            "50000",
            "--leverage",
            "10",
            "--mmr",
            "0.005",
            "--maintenance-amount",
            "50",
            "--qty",
            "1.2",
        ],
    )
    # (M + cum - q Pe) / (q MMR - q) with M = 6,000
    assert d["liquidation_price"] == pytest.approx((6_000 + 50 - 60_000) / (1.2 * 0.005 - 1.2))
    v = _json(capsys, ["liquidation", "--entry", "100000", "--leverage", "20", "--venue", "dydx"])
    assert v["adverse_move"] == pytest.approx(0.03846, abs=5e-6)
    assert v["as_of"] and v["calibration"] == "illustrative calibration"
    # Bybit's own (entry-notional) formula reproduces its documented example
    b = _json(capsys, ["liquidation", "--entry", "20000", "--leverage", "50", "--venue", "bybit"])
    assert b["liquidation_price"] == pytest.approx(19_700.0)
    # tiered: Binance with a size, bracket recomputed at the liquidation notional
    t = _json(
        capsys,
        [
            "liquidation",
            "--entry",
            "50000",
            "--leverage",
            "2",
            "--qty",
            "1.1",
            "--venue",
            "binance",
        ],
    )
    assert t["mmr"] == 0.004 and t["maintenance_amount"] == 0.0


def test_liquidation_text(capsys):
    assert main(["liquidation", "--entry", "100000", "--leverage", "20", "--mmr", "0.0125"]) == 0
    out = capsys.readouterr().out
    assert "96,202.53" in out and "bankruptcy" in out and "approximation" in out


def test_size_textbook(capsys):
    d = _json(
        capsys,
        [
            "size",
            "--capital",
            "10000",
            "--risk",
            "0.02",
            "--stop",
            "0.05",
            "--leverage",
            "5",
            "--mmr",
            "0.005",
        ],
    )
    for k in (
        "risk_usd",
        "notional",
        "margin",
        "liquidation_distance",
        "stop_before_liquidation",
        "loss_at_stop",
    ):
        assert k in d
    assert (d["risk_usd"], d["notional"], d["margin"]) == (200.0, 4000.0, 800.0)
    assert d["stop_before_liquidation"] is True
    f = _json(
        capsys,
        [
            "size",
            "--capital",
            "10000",
            "--risk",
            "0.02",
            "--stop",
            "0.05",
            "--leverage",
            "5",
            "--mmr",
            "0.005",
            "--fee-bps",
            "5",
        ],
    )
    assert f["loss_at_stop"] == pytest.approx(203.9)


def test_size_warns_when_liquidation_comes_first(capsys):
    assert (
        main(
            [
                "size",
                "--capital",
                "10000",
                "--risk",
                "0.02",
                "--stop",
                "0.05",
                "--leverage",
                "20",
                "--venue",
                "hyperliquid",
            ]
        )
        == 0
    )
    assert "liquidated first" in capsys.readouterr().out


def test_funding_json(capsys):
    d = _json(
        capsys,
        [
            "funding",
            "--rate",
            "0.0001",
            "--interval-hours",
            "8",
            "--hours",
            "720",
            "--leverage",
            "10",
        ],
    )
    # a fixed-size long pays payments x rate of its notional: no compounding
    assert d["fraction_of_notional"] == pytest.approx(0.009)
    assert d["fraction_of_margin"] == pytest.approx(0.09)
    assert (d["payer"], d["receiver"], d["side"]) == ("longs", "shorts", "long")


def test_odds_json_continuous(capsys):
    d = _json(
        capsys,
        [
            "odds",
            "--leverage",
            "10",
            "--mmr",
            "0.0125",
            "--volatility",
            "0.0314",
            "--horizon-days",
            "30",
            "--paths",
            "2000",
            "--seed",
            "4",
        ],
    )
    for k in ("liquidation_price", "closed_form", "monte_carlo", "approx_closed_form", "seed"):
        assert k in d
    assert set(d["monte_carlo"]) == {"estimate", "ci_low", "ci_high"}
    assert d["closed_form"]["continuous"] == pytest.approx(0.5896, abs=2e-4)
    assert d["seed"] == 4 and "take_profit_first" not in d
    assert d["liquidation_price"] == pytest.approx(1 - 0.0886, abs=1e-4)


def test_odds_json_discrete_take_profit_and_drawn_seed(capsys):
    d = _json(
        capsys,
        [
            "odds",
            "--leverage",
            "10",
            "--mmr",
            "0.0125",
            "--annual-volatility",
            "0.6",
            "--horizon-days",
            "30",
            "--take-profit",
            "0.1",
            "--monitoring",
            "1",
            "--paths",
            "2000",
            "--side",
            "short",
            "--drift",
            "0.001",
        ],
    )
    assert "discrete_exact" in d["closed_form"] and "continuous" in d["closed_form"]
    for k in ("take_profit_first", "neither"):
        assert "closed_form" in d[k] and "discrete_exact" in d[k]
        assert set(d[k]["monte_carlo"]) == {"estimate", "ci_low", "ci_high"}
    assert isinstance(d["seed"], int)


def test_odds_text(capsys):
    assert (
        main(
            [
                "odds",
                "--leverage",
                "5",
                "--mmr",
                "0.01",
                "--volatility",
                "0.03",
                "--horizon-days",
                "10",
                "--paths",
                "1000",
                "--seed",
                "1",
                "--take-profit",
                "0.05",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "closed form" in out and "Monte Carlo" in out and "take-profit" in out


@pytest.mark.parametrize(
    ("argv", "frags"),
    [
        (
            ["liquidation", "--entry", "100", "--leverage", "0.5", "--mmr", "0.01"],
            ["leverage must be at least 1", "got 0.5"],
        ),
        (
            ["liquidation", "--entry", "100", "--leverage", "20", "--mmr", "0.06"],
            ["mmr must be", "instant liquidation"],
        ),
        (
            ["liquidation", "--entry", "-5", "--leverage", "20", "--mmr", "0.01"],
            ["entry must be greater than 0"],
        ),
        (
            ["liquidation", "--entry", "100", "--leverage", "50", "--venue", "hyperliquid"],
            ["at most 40"],
        ),
        (["liquidation", "--entry", "100", "--leverage", "5"], ["mmr must be given"]),
        (["liquidation", "--entry", "abc", "--leverage", "5"], ["--entry"]),
        (
            [
                "size",
                "--capital",
                "1000",
                "--risk",
                "0.02",
                "--stop",
                "0",
                "--leverage",
                "5",
                "--mmr",
                "0.005",
            ],
            ["stop must be"],
        ),
        (
            [
                "size",
                "--capital",
                "1000",
                "--risk",
                "0.02",
                "--stop",
                "-0.1",
                "--leverage",
                "5",
                "--mmr",
                "0.005",
            ],
            ["stop must be"],
        ),
        (
            ["funding", "--rate", "0.0001", "--interval-hours", "0", "--hours", "10"],
            ["interval_hours"],
        ),
        (
            [
                "odds",
                "--leverage",
                "10",
                "--mmr",
                "0.01",
                "--volatility",
                "-1",
                "--horizon-days",
                "30",
            ],
            ["volatility must be"],
        ),
        (
            [
                "odds",
                "--leverage",
                "10",
                "--mmr",
                "0.01",
                "--volatility",
                "0.03",
                "--horizon-days",
                "30",
                "--monitoring",
                "60",
            ],
            ["monitoring must be"],
        ),
        (
            [
                "odds",
                "--leverage",
                "10",
                "--mmr",
                "0.01",
                "--volatility",
                "0.03",
                "--horizon-days",
                "30",
                "--monitoring",
                "hourly",
            ],
            ["--monitoring"],
        ),
        (
            [
                "odds",
                "--leverage",
                "10",
                "--mmr",
                "0.01",
                "--volatility",
                "0.03",
                "--horizon-days",
                "30",
                "--take-profit",
                "0",
            ],
            ["take_profit must be"],
        ),
        (
            [
                "odds",
                "--leverage",
                "10",
                "--mmr",
                "0.01",
                "--volatility",
                "0.03",
                "--horizon-days",
                "30",
                "--paths",
                "0",
            ],
            ["paths must be"],
        ),
        (
            ["odds", "--leverage", "10", "--mmr", "0.01", "--horizon-days", "30"],
            ["volatility must be given"],
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, frags):
    _fails(capsys, argv, *frags)
