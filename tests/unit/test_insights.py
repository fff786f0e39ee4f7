"""What the page reads out of a run (ruin.insights): warnings, theory table, risk sweep,
liquidation views and the small frames of the other sections."""

import dataclasses
import json

import numpy as np
import polars as pl
import pytest

from ruin import build_scenario, charts, describe_position, insights, simulate, theory
from ruin.insights import pct


def _run(**params):
    sc = build_scenario({"paths": 400, "trades": 60, "seed": 5, **params})
    res = simulate(sc, record=0)
    return sc, res, res.summary(), theory(sc)


def test_formatting():
    assert pct(0.1234) == "12.3%" and pct(0.1234, 2) == "12.34%"
    assert pct(None) == "—" and pct(float("nan")) == "—" and pct(float("inf")) == "—"
    assert insights.interval_text(0.01, 0.02) == "95% interval 1.0% – 2.0%"
    assert insights.interval_text(0.9, 1.25, ".2f") == "95% interval 0.90 – 1.25"
    assert insights.annualised(0.03) == pytest.approx(0.03 * 365**0.5)


def test_kelly_text():
    assert insights.kelly_text(0.03, 0.0125) == ("1.25%", "you risk 3.00% = 2.40× Kelly")
    assert insights.kelly_text(0.02, 0.0) == ("no edge", "you risk 2.00% = with no edge")
    assert insights.kelly_text(0.02, -0.1)[0] == "no edge"


def test_sizing_warnings_no_edge_and_above_kelly():
    no_edge = insights.sizing_warnings(0.02, {"edge_r_per_trade": -0.05}, -0.05, None)
    assert len(no_edge) == 1 and no_edge[0].startswith("**No edge.**") and "-0.050R" in no_edge[0]
    zero = insights.sizing_warnings(0.02, {"edge_r_per_trade": 0.0}, 0.0, None)
    assert zero[0].startswith("**No edge.**")
    hot = insights.sizing_warnings(0.03, {"edge_r_per_trade": 0.1}, 0.02, None)
    assert hot[0].startswith("**Risk above Kelly.**") and hot[0].endswith("*less* growth.")
    very = insights.sizing_warnings(0.04, {"edge_r_per_trade": 0.1}, 0.02, None)
    assert very[0].endswith("the typical account shrinks.")  # 2x Kelly or more
    assert insights.sizing_warnings(0.01, {"edge_r_per_trade": 0.1}, 0.02, None) == []
    assert insights.sizing_warnings(0.01, {}, None, None) == []
    # the leveraged model words its own warnings
    assert insights.sizing_warnings(0.5, {"edge_r_per_trade": -1.0}, 0.1, {"k": 1}) == []


def test_run_warnings_are_sentences():
    got = insights.run_warnings({"warnings": ["costs eat most of the edge", "Done."]})
    assert got == ["**Warning:** Costs eat most of the edge.", "**Warning:** Done."]
    assert insights.run_warnings({}) == [] and insights.run_warnings({"warnings": None}) == []


def test_growth_note_by_hand():
    g_now, g_k = np.log(1.001), np.log(1.002)
    note = insights.growth_note(
        0.03, {"growth_rate_per_trade_log": g_now, "growth_rate_at_kelly": g_k}, 0.0125
    )
    assert note == (
        f"At 3.00% risk the typical account grows {1.001**100 - 1:+.1%} per 100 "
        f"trades; at Kelly (1.25%) it would grow {1.002**100 - 1:+.1%}."
    )
    assert insights.growth_note(0.03, {}, None) is None
    assert (
        insights.growth_note(
            0.03, {"growth_rate_per_trade_log": -0.1, "growth_rate_at_kelly": 0.0}, 0.0
        )
        is None
    )


def test_in_interval_with_round_off_slack():
    assert insights.in_interval(0.5, (0.4, 0.6)) == "✓ inside"
    assert insights.in_interval(0.4 - 1e-13, (0.4, 0.6)) == "✓ inside"
    assert insights.in_interval(0.6 + 1e-9, (0.4, 0.6)) == "✗ outside"
    assert insights.in_interval(None, (0.4, 0.6)) == "" and insights.in_interval(0.5, None) == ""


def test_headline_numbers():
    sc, res, summary, th = _run(win_rate=0.45, payoff=1.5, risk=0.03)
    h = insights.headline(res, summary, th, None)
    assert h.ruin == res.ruin and h.liquidation is None
    assert h.kelly == pytest.approx(0.45 - 0.55 / 1.5)
    assert h.mdd_median[0] == pytest.approx(float(np.median(res.max_drawdown)))
    assert h.mdd_median[1] <= h.mdd_median[0] <= h.mdd_median[2]
    assert h.final_median[0] == pytest.approx(float(np.median(res.final_equity)))
    assert h.win_interval.ci_low <= h.win_rate <= h.win_interval.ci_high


def test_headline_of_a_leveraged_run_uses_the_position():
    sc, res, summary, th = _run(leverage=10.0, stop=0.02, volatility=0.03, win_rate=0.5, trades=30)
    pos = describe_position(sc)
    h = insights.headline(res, summary, th, pos)
    assert h.kelly == pos["kelly_risk"]
    assert h.liquidation is not None and 0.0 <= h.liquidation["estimate"] <= 1.0


def test_simulated_log_growth():
    sc, res, _, _ = _run(win_rate=0.6, payoff=1.0, risk=0.01, ruin_level=0.0)
    assert not np.any(res.ruin_trade > 0)
    want = float(np.mean(np.log(res.final_equity))) / 60
    assert insights.simulated_log_growth(res, sc) == pytest.approx(want, rel=1e-12)
    fixed = dataclasses.replace(sc, sizing=dataclasses.replace(sc.sizing, rule="fixed"))
    assert insights.simulated_log_growth(res, fixed) is None
    sc2, res2, _, _ = _run(win_rate=0.4, payoff=1.0, risk=0.2, ruin_level=0.5)
    assert np.any(res2.ruin_trade > 0) and insights.simulated_log_growth(res2, sc2) is None


def test_theory_rows_put_exact_answers_beside_the_simulation():
    sc, res, summary, th = _run(win_rate=0.5, payoff=1.0, risk=0.1, sizing="fixed", goal=1.5)
    rows = insights.theory_rows(sc, res, summary, th)
    by = {r["quantity"]: r for r in rows}
    ruin_row = by["P(ruin within 60 trades)"]
    assert ruin_row["kind"] == "exact (lattice DP)"
    assert ruin_row["theory"] == f"{th['ruin_probability_exact']:.4g}"
    assert ruin_row["theory in interval?"] in ("✓ inside", "✗ outside")
    p = res.ruin
    assert ruin_row["simulation (95% interval)"] == (
        f"{p.estimate:.4f} [{p.ci_low:.4f}, {p.ci_high:.4f}]"
    )
    assert "P(reach goal)" in by and "P(final equity < start)" in by
    assert by["mean final equity (×)"]["theory in interval?"] == ""  # no interval
    frame = insights.theory_table(sc, res, summary, th)
    assert frame.columns == [
        "quantity",
        "simulation (95% interval)",
        "theory",
        "kind",
        "theory in interval?",
    ]
    assert frame.height == len(rows)
    # no goal -> no goal row; approximations are labelled as such
    sc, res, summary, th = _run(win_rate=0.55, payoff=1.0, risk=0.02)
    rows = insights.theory_rows(sc, res, summary, th)
    assert all(r["quantity"] != "P(reach goal)" for r in rows)
    for name in th.get("approximations") or {}:
        label = insights.APPROXIMATION_LABELS.get(name, (name, ""))[0]  # in words
        assert {"quantity": label, "kind": "approximation ⚠"}.items() <= next(
            r for r in rows if r["quantity"] == label
        ).items()


def test_sweep_base_ignores_the_risk_and_caps_paths():
    a = build_scenario({"risk": 0.03, "paths": 10_000, "seed": 1})
    b = build_scenario({"risk": 0.2, "paths": 10_000, "seed": 1})
    assert insights.sweep_base(a) == insights.sweep_base(b)  # one cache entry for both
    base = insights.sweep_base(a)
    assert base.paths == insights.SWEEP_PATHS and base.sizing.risk == insights.SWEEP_RISKS[0]
    assert insights.sweep_base(build_scenario({"paths": 500})).paths == 500


def test_risk_sweep_reruns_the_same_seed_at_each_risk():
    base = insights.sweep_base(build_scenario({"paths": 300, "trades": 40, "seed": 3}))
    frame = insights.risk_sweep(base, risks=(0.01, 0.2))
    assert frame.columns == ["risk", "median_growth", "p_ruin", "p_ruin_lo", "p_ruin_hi"]
    assert frame["risk"].to_list() == [0.01, 0.2]
    direct = simulate(
        build_scenario({"paths": 300, "trades": 40, "seed": 3, "risk": 0.2}), record=0
    )
    row = frame.row(1, named=True)
    assert row["p_ruin"] == direct.ruin.estimate
    assert row["median_growth"] == max(float(np.median(direct.final_equity)), 1e-6)
    assert row["p_ruin_lo"] <= row["p_ruin"] <= row["p_ruin_hi"]
    assert insights.risk_sweep(base).height == len(insights.SWEEP_RISKS)


def test_paths_to_record_by_hand():
    def rec(paths, trades):
        return insights.paths_to_record(build_scenario({"paths": paths, "trades": trades}))

    assert rec(10_000, 500) == 1000  # capped at 1,000 curves
    assert rec(300, 500) == 300  # every path
    assert rec(10_000, 9_999) == 200  # 2e6 points / 10,000 per curve
    assert rec(10_000, 100_000) == 50 and rec(100, 500) == 100


def test_liquidation_views_values():
    mk = build_scenario(
        {"leverage": 10.0, "stop": 0.02, "volatility": 0.03, "win_rate": 0.5}
    ).market
    v = insights.liquidation_views(mk)
    assert v.horizon == 1.0
    assert v.curve["leverage"].to_list() == [1, 2, 3, 5, 10, 20, 25, 50, 75, 100, 125]
    assert set(v.curve["volatility"].to_list()) == {0.03}
    assert v.grid["leverage"].max() == 125
    assert sorted(set(v.grid["annual_vol"].to_list())) == list(insights.GRID_ANNUAL_VOLS)
    assert v.grid.height == 11 * len(insights.GRID_ANNUAL_VOLS)
    p = v.curve["liquidation_probability"].to_list()
    assert all(a <= b + 1e-15 for a, b in zip(p, p[1:], strict=False))  # more leverage, more risk
    held = build_scenario(
        {"leverage": 10.0, "stop": 0.02, "max_hold_days": 7.0, "mmr": 0.02, "win_rate": 0.5}
    ).market
    v7 = insights.liquidation_views(held)
    assert v7.horizon == 7.0 and v7.curve["leverage"].max() == 25  # 50 x 0.02 = 1


def test_exit_mix_costs_and_compare_frames():
    assert insights.exit_mix_frame({}) is None
    mix = insights.exit_mix_frame({"exit_mix": {"take_profit": {"estimate": 0.4}, "stop": 0.6}})
    assert mix.to_dict(as_series=False) == {"exit": ["take_profit", "stop"], "share": [0.4, 0.6]}
    assert insights.cost_breakdown({}) == (0.0, "none")
    total, text = insights.cost_breakdown({"costs": {"fees": 0.01, "funding": 0.02}})
    assert total == pytest.approx(0.03) and text == "fees 0.010R, funding 0.020R"
    _, res, _, _ = _run()
    table = insights.compare_table(res, res)
    assert table.columns == ["metric", "A (pinned)", "B (current)"]
    assert table["A (pinned)"].to_list() == table["B (current)"].to_list()
    assert table["metric"].to_list() == [
        "P(ruin)",
        "median max drawdown",
        "median final equity",
        "P(final < start)",
    ]
    assert table["A (pinned)"][0] == pct(res.ruin.estimate)


def test_lesson_table_columns():
    base = {
        "variant": ["a"],
        "ruin_probability": [0.1],
        "p_below_start": [0.2],
        "median_final_equity": [1.1],
        "median_max_drawdown": [0.3],
        "win_rate_realized": [0.5],
        "max_risk_used": [0.02],
        "liquidation_probability": [float("nan")],
        "liquidation_share": [float("nan")],
        "kelly_fraction": [None],
    }
    plain = insights.lesson_table(pl.DataFrame(base))
    assert plain.columns == [
        "Variant",
        "Accounts ruined",
        "Accounts below start at the end",
        "Median final equity",
        "Median worst drawdown",
        "Win rate (realised)",
        "Largest risk used (of equity)",
    ]
    assert plain.row(0) == ("a", "10.0%", "20.0%", "1.10×", "30.0%", "50.0%", "2.0%")
    lev = insights.lesson_table(
        pl.DataFrame(
            {
                **base,
                "liquidation_probability": [0.3],
                "liquidation_share": [0.9704],
                "kelly_fraction": [0.05],
            }
        ),
        metric="liquidation_share",
    )
    assert lev.columns[1] == "Share of trades liquidated"
    assert lev["Share of trades liquidated"][0] == "97.0%"
    assert "Accounts liquidated at least once" in lev.columns
    assert lev.columns[-1] == "Kelly fraction"


def test_variant_survival_chart_axis_follows_the_calendar():
    by_trade = pl.DataFrame({"variant": ["a", "a"], "trade": [0, 1], "survival": [1.0, 0.9]})
    spec = charts.variant_survival_chart(by_trade).to_dict()
    assert spec["encoding"]["x"]["field"] == "trade"
    assert spec["encoding"]["color"]["field"] == "variant"
    by_day = by_trade.rename({"trade": "day"})
    spec = charts.variant_survival_chart(by_day).to_dict()
    assert spec["encoding"]["x"]["field"] == "day"
    assert "share of accounts not ruined" in json.dumps(spec)
