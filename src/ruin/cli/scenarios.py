"""``ruin scenarios`` and ``ruin lesson``: list scenario files, run a lesson from the terminal.

``ruin simulate --scenario NAME`` (starting a run from a scenario file) lives with the other
flags of ``ruin simulate`` in :mod:`ruin.cli.simulate`.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..errors import ParameterError
from .common import add_json_flag, emit, json_safe

__all__ = ["add_commands"]


def _render_list(d: dict[str, Any]) -> str:
    rows = d["scenarios"]
    w = max((len(r["name"]) for r in rows), default=4)
    lines = [f"{'name':{w}s}  kind    description"]
    for r in rows:
        lines.append(f"{r['name']:{w}s}  {r['kind']:6s}  {r['title']}: {r['description']}")
    return "\n".join(lines)


def run_list(args: argparse.Namespace) -> None:
    from ..studies.scenarios import list_scenarios  # lazy: CLI start-up

    items = [s.as_dict() for s in list_scenarios(kind=args.kind)]
    if args.json:
        print(json.dumps(json_safe(items), indent=2, allow_nan=False))
        return
    emit({"scenarios": items}, False, _render_list)


def _render_lesson(d: dict[str, Any]) -> str:
    lines = [d["title"], "", "Question: " + d["question"], ""]
    if d.get("feedback"):
        lines += ["Your prediction: " + d["feedback"], ""]
    lines.append(f"seed {d['seed']}")
    m = d["answer_metric"]
    for row in d["variants"]:
        v = row[m]
        if v is None or v != v:  # None or NaN: not reported by this run
            shown = "n/a"
        else:
            shown = f"{v:.2%}" if d["unit"] == "percent" else f"{v:.3f}x"
        lines.append(
            f"  {row['variant']:32s} {m} {shown}   ruin "
            f"{row['ruin_probability']:.2%}   median equity "
            f"{row['median_final_equity']:.3f}x"
        )
    lines += ["", "Look at: " + d["look_at"], "", "Why: " + d["explanation"]]
    return "\n".join(lines)


def run_lesson_cmd(args: argparse.Namespace) -> None:
    from ..studies.lessons import grade, load_lesson, run_lesson  # lazy: CLI start-up

    lesson = load_lesson(args.name)
    result = run_lesson(lesson, paths=args.paths, seed=args.seed)
    pr = lesson.prediction
    feedback = None
    if args.predict is not None:
        guess: Any = args.predict
        if pr["kind"] == "slider":
            try:
                guess = float(args.predict)
            except ValueError:
                raise ParameterError(
                    "--predict", f"a number from {pr['min']:g} to {pr['max']:g}", args.predict
                ) from None
        feedback = grade(guess, result)
    out = {
        "name": lesson.name,
        "title": lesson.title,
        "question": lesson.question,
        "prediction": dict(pr),
        "unit": pr["unit"],
        "answer_metric": result.answer_metric,
        "answer": result.answer,
        "feedback": feedback,
        "seed": result.seed,
        "variants": result.frame.to_dicts(),
        "look_at": lesson.look_at,
        "explanation": lesson.explanation,
    }
    emit(out, args.json, _render_lesson)


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scenarios", help="list the preset and lesson scenario files")
    p.add_argument(
        "--kind", choices=["preset", "lesson"], default=None, help="only presets or only lessons"
    )
    add_json_flag(p)
    p.set_defaults(func=run_list)

    q = sub.add_parser("lesson", help="run a lesson: predict, simulate, compare")
    q.add_argument("name", help="lesson name (see `ruin scenarios --kind lesson`) or file")
    q.add_argument(
        "--predict", default=None, help="your prediction: a number (0.3 for 30%%) or a variant name"
    )
    q.add_argument("--paths", type=int, default=None, help="accounts per variant")
    q.add_argument("--seed", type=int, default=None, help="random seed (default: lesson's)")
    add_json_flag(q)
    q.set_defaults(func=run_lesson_cmd)
