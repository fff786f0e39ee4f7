"""Lessons: texts load, every variant runs on one seed, answers come from the runs, and the
grading wording is worked by hand."""

import json
import math

import polars as pl
import pytest

from ruin import ParameterError
from ruin.cli import main
from ruin.studies.lessons import (
    LessonResult,
    grade,
    load_lesson,
    load_lessons,
    metric_value,
    run_lesson,
)

LESSONS = load_lessons()


def test_all_thirteen_lessons_with_their_texts():
    nums = sorted(int(x.name.split("_")[1]) for x in LESSONS)
    assert nums == list(range(1, 14))
    for x in LESSONS:
        for text in (x.title, x.description, x.question, x.look_at, x.explanation):
            assert isinstance(text, str) and len(text) > 20, (x.name, text)
        pr = x.prediction
        assert pr["kind"] in ("slider", "choice")
        if pr["kind"] == "choice":
            assert set(pr["options"]) <= set(x.variant_names)
        elif pr["answer_variant"] is not None:
            assert pr["answer_variant"] in x.variant_names


def test_lesson_one_runs_every_risk_on_one_seed_with_kelly_marked():
    res = run_lesson(load_lesson("lesson_01_risk_rule"), paths=400, seed=7)
    f = res.frame
    assert f["variant"].to_list() == ["1%", "2%", "5%", "10%", "25%"]
    assert f["risk"].to_list() == [0.01, 0.02, 0.05, 0.10, 0.25]
    assert f["kelly_fraction"].to_list() == pytest.approx([0.5 - 0.5 / 1.5] * 5)
    assert res.seed == 7 and all(r.seed == 7 for r in res.results.values())
    # slider answer = the metric of the answer variant, read from that run
    want = res.results["25%"].summary()["ruin_probability"]["estimate"]
    assert res.answer == pytest.approx(want)
    # same random numbers: paths alive to the end in two variants won the same trades
    a, b = res.results["1%"], res.results["2%"]
    full = (a.trades_taken == 200) & (b.trades_taken == 200)
    assert full.sum() > 300 and (a.wins[full] == b.wins[full]).all()
    # more risk than Kelly: more ruin, here far more
    assert f["ruin_probability"][4] > f["ruin_probability"][1]
    surv = res.survival
    assert set(surv.columns) == {"variant", "trade", "survival"}
    assert surv.filter(pl.col("trade") == 0)["survival"].to_list() == [1.0] * 5


def test_choice_answer_is_the_best_option():
    res = run_lesson(load_lesson("lesson_11_scaling_out"), paths=300, seed=3)
    vals = dict(zip(res.frame["variant"], res.frame["median_final_equity"], strict=True))
    assert res.answer == max(vals, key=vals.get)
    ok = grade(res.answer, res)
    assert ok.startswith("Right:")
    other = next(v for v in vals if v != res.answer)
    bad = grade(other, res)
    assert bad.startswith(f"Not this time: you picked {other!r}, but {res.answer!r}")


def test_default_seed_is_the_lessons_and_your_rules_adds_a_variant():
    lesson = load_lesson("lesson_06_revenge_trading")
    res = run_lesson(lesson, paths=200, your_rules={"drawdown_cut": 0.1})
    assert res.seed == lesson.scenario.params["seed"]
    assert res.frame["variant"].to_list() == ["steady 1%", "double after a loss", "your rules"]
    # "your rules" = the answer variant (martingale x2, cap 20%) plus the drawdown cut
    sc = res.results["your rules"].scenario
    assert sc.behaviour.martingale == 2.0 and sc.behaviour.drawdown_cut == 0.1


def test_calendar_days_for_lessons_with_trades_per_day():
    res = run_lesson(load_lesson("lesson_09_first_month"), paths=100)
    s = res.survival
    assert "day" in s.columns
    assert (s["day"] * 3.0 - s["trade"]).abs().max() < 1e-12


def _fake(kind="slider", answer=0.62, **pr):
    """A LessonResult with a hand-made frame, to test the wording of grade()."""
    lesson = load_lesson("lesson_01_risk_rule" if kind == "slider" else "lesson_11_scaling_out")
    frame = pl.DataFrame(
        {
            "variant": ["a", "b"],
            "ruin_probability": [0.1, answer],
            "ruin_probability_ci_low": [0.05, answer - 0.02],
            "ruin_probability_ci_high": [0.15, answer + 0.02],
        }
    )
    prediction = {
        "kind": "slider",
        "min": 0.0,
        "max": 1.0,
        "step": 0.05,
        "answer_metric": "ruin_probability",
        "answer_variant": "b",
        "unit": "percent",
        **pr,
    }
    lesson.scenario.lesson["prediction"] = prediction  # a private copy (fresh load)
    return LessonResult(
        lesson=lesson,
        seed=1,
        frame=frame,
        survival=pl.DataFrame(),
        answer=answer,
        answer_metric="ruin_probability",
        results={},
    )


@pytest.mark.parametrize(
    "guess, verdict",
    [
        (
            0.3,
            "Far off: 32 percentage points too low. "
            "Most people underestimate how often this goes wrong.",
        ),
        (0.5, "Close: 12 percentage points too low."),
        (0.6, "Spot on: within 2 percentage points."),
        (0.75, "Close: 13 percentage points too high."),
        (1.0, "Far off: 38 percentage points too high. Look at the table to see why."),
    ],
)
def test_grade_slider_wording(guess, verdict):
    text = grade(guess, _fake())
    assert text.startswith(
        f"You guessed {guess:.0%}; the simulation gives 62% (95% interval "
        "60% to 64%) for the share of accounts ruined (b)."
    )
    assert text.endswith(verdict)


def test_grade_refuses_out_of_range_or_unknown_answers():
    with pytest.raises(ParameterError, match="prediction must be at least 0 and at most 1"):
        grade(30, _fake())
    res = run_lesson(load_lesson("lesson_07_no_stop"), paths=100)
    with pytest.raises(ParameterError, match="prediction must be one of '2% stop', 'no stop'"):
        grade("tight stop", res)


def test_metric_value_reads_the_summary():
    s = {
        "ruin_probability": {"estimate": 0.25, "ci_low": 0.2, "ci_high": 0.3},
        "final_equity": {
            "median": 1.5,
            "mean": 2.0,
            "p_below_start": {"estimate": 0.4, "ci_low": 0, "ci_high": 1},
        },
        "max_drawdown_quantiles": {"0.5": 0.33},
        "liquidation": {"per_trade": 0.2, "path_probability": {"estimate": 0.9}},
    }
    assert metric_value(s, "ruin_probability") == 0.25
    assert metric_value(s, "survival_probability") == 0.75
    assert metric_value(s, "median_final_equity") == 1.5
    assert metric_value(s, "mean_final_equity") == 2.0
    assert metric_value(s, "p_below_start") == 0.4
    assert metric_value(s, "median_max_drawdown") == 0.33
    assert metric_value(s, "liquidation_probability") == 0.9
    assert metric_value(s, "liquidation_share") == 0.2
    assert math.isnan(metric_value(s, "goal_probability"))
    del s["liquidation"]
    assert math.isnan(metric_value(s, "liquidation_share"))


def test_a_preset_is_not_a_lesson():
    with pytest.raises(ParameterError, match="lesson must be a scenario with kind = 'lesson'"):
        load_lesson("coin_flip_edge")


def test_cli_lesson(capsys):
    assert (
        main(
            [
                "lesson",
                "lesson_10_win_rate_uncertainty",
                "--predict",
                "0.2",
                "--paths",
                "300",
                "--json",
            ]
        )
        == 0
    )
    d = json.loads(capsys.readouterr().out)
    assert d["feedback"].startswith("You guessed 20%")
    assert [r["variant"] for r in d["variants"]] == [
        "known exactly",
        "measured on 40 trades",
        "measured on 400 trades",
    ]
    assert d["answer"] == pytest.approx(d["variants"][1]["p_below_start"])
    assert main(["lesson", "lesson_07_no_stop", "--paths", "100"]) == 0
    out = capsys.readouterr().out
    assert "Question:" in out and "Why:" in out
    assert main(["lesson", "lesson_01_risk_rule", "--predict", "lots", "--paths", "50"]) == 2
    assert main(["lesson", "lesson_01_risk_rule", "--predict", "3", "--paths", "50"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "--predict must be a number" in err[0]
    assert "prediction must be at least 0 and at most 1; got 3." in err[1]


def test_uploaded_lesson_is_checked_like_the_built_in_ones():
    from pathlib import Path

    from ruin.errors import ParameterError
    from ruin.studies.lessons import lesson_from_bytes

    src = (
        Path(__file__).resolve().parents[2] / "scenarios" / "lesson_01_risk_rule.toml"
    ).read_bytes()
    lesson = lesson_from_bytes("week1.toml", src)
    assert lesson.name == "week1" and lesson.reveal == "bars"
    bad = src.replace(b'answer_metric = "ruin_probability"', b'answer_metric = "ruin"')
    with pytest.raises(ParameterError, match=r"week2\.toml: \[lesson\.prediction\] answer_metric"):
        lesson_from_bytes("week2.toml", bad)
    with pytest.raises(ParameterError, match="reveal"):
        lesson_from_bytes("w3.toml", src.replace(b"[lesson]\n", b'[lesson]\nreveal = "pie"\n'))


def test_explore_link_opens_the_variant_with_the_lesson_seed():
    from ruin.form import lesson_link

    lesson = load_lesson("lesson_01_risk_rule")
    link = lesson_link(lesson.scenario, "25%", seed=9, paths=2000)
    assert link.startswith("?preset=lesson_01_risk_rule&")
    assert "risk=0.25" in link and "seed=9" in link and "paths=2000" in link
