"""``ruin scenarios`` and ``ruin lesson``: list scenario files, run a lesson from the terminal.

Also holds the behaviour-rule flags of ``ruin simulate`` (``--martingale``, ``--risk-cap``,
``--win-rate-sample`` ...) and the ``--scenario`` loader it uses, so scenario files, flags
and the app share one set of names (:data:`ruin.behaviour.BEHAVIOUR_KEYS`).
"""

from __future__ import annotations

import argparse
from typing import Any

from ..behaviour import BEHAVIOUR_KEYS
from ..errors import ParameterError
from ..studies.scenarios import find_scenario, list_scenarios, scenario_params
from .common import add_json_flag, emit

__all__ = ["add_commands", "add_behaviour_flags", "BEHAVIOUR_FLAGS", "scenario_base"]


def _bool(text: str) -> bool:
    t = text.strip().lower()
    if t in ("true", "yes", "1", "on"):
        return True
    if t in ("false", "no", "0", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false; got {text!r}")


#: ``ruin simulate`` flags of the behaviour rules (dest = flat key of ruin.behaviour).
BEHAVIOUR_FLAGS: list[tuple[str, dict[str, Any]]] = [
    ("--martingale", {"type": float, "metavar": "M",
                      "help": "multiply risk by M after each loss, reset after a win "
                      "(revenge sizing), e.g. 2"}),
    ("--anti-martingale", {"type": float, "metavar": "A",
                           "help": "multiply risk by A after each win, reset after a loss"}),
    ("--risk-cap", {"type": float, "help": "largest risk the rules may reach, e.g. 0.2"}),
    ("--drawdown-cut", {"type": float, "metavar": "X",
                        "help": "cut risk while the drawdown is at least X, e.g. 0.2"}),
    ("--drawdown-factor", {"type": float,
                           "help": "risk multiplier in such a drawdown (default 0.5)"}),
    ("--win-rate-sample", {"type": int, "metavar": "N",
                           "help": "the win rate was measured on N trades: draw it per path "
                           "from its Beta posterior"}),
    ("--partial-tp", {"type": float, "metavar": "R",
                      "help": "close part of the position at +R (exit rule)"}),
    ("--partial-fraction", {"type": float,
                            "help": "share closed at --partial-tp (default 0.5)"}),
    ("--breakeven", {"type": _bool, "metavar": "true|false",
                     "help": "move the stop to entry after --partial-tp (default true)"}),
    ("--scale-in-at", {"type": float, "metavar": "X",
                       "help": "enter half, add half after an adverse move of X stop "
                       "distances (0 < X < 1)"}),
    ("--no-stop", {"type": float, "metavar": "D",
                   "help": "remove the stop: liquidation D stop distances away is the only "
                   "loss exit"}),
    ("--liquidation-loss", {"type": float, "metavar": "L",
                            "help": "R lost at liquidation with --no-stop (default D)"}),
]
assert {f[2:].replace("-", "_") for f, _ in BEHAVIOUR_FLAGS} == set(BEHAVIOUR_KEYS)


def add_behaviour_flags(p: argparse.ArgumentParser) -> list[str]:
    """Add the behaviour flags to ``p``; returns their flat keys."""
    g = p.add_argument_group("behaviour and exit rules")
    keys = []
    for flag, kw in BEHAVIOUR_FLAGS:
        dest = flag[2:].replace("-", "_")
        g.add_argument(flag, dest=dest, default=None, **kw)
        keys.append(dest)
    return keys


def add_scenario_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scenario", metavar="NAME|FILE", default=None,
                   help="start from a scenario (see `ruin scenarios`); flags override it")
    p.add_argument("--variant", default=None,
                   help="with --scenario: run this named variant of the scenario")


def scenario_base(args: argparse.Namespace) -> dict[str, Any]:
    """Flat parameters of ``--scenario`` (and ``--variant``), or ``{}`` without one."""
    name = getattr(args, "scenario", None)
    variant = getattr(args, "variant", None)
    if name is None:
        if variant is not None:
            raise ParameterError("--variant", "used together with --scenario", variant)
        return {}
    return scenario_params(find_scenario(name), variant)


def _render_list(d: dict[str, Any]) -> str:
    rows = d["scenarios"]
    w = max((len(r["name"]) for r in rows), default=4)
    lines = [f"{'name':{w}s}  kind    description"]
    for r in rows:
        lines.append(f"{r['name']:{w}s}  {r['kind']:6s}  {r['title']}: {r['description']}")
    return "\n".join(lines)


def run_list(args: argparse.Namespace) -> None:
    items = [s.as_dict() for s in list_scenarios(kind=args.kind)]
    if args.json:
        import json

        from .common import _clean

        print(json.dumps(_clean(items), indent=2, allow_nan=False))
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
        lines.append(f"  {row['variant']:32s} {m} {shown}   ruin "
                     f"{row['ruin_probability']:.2%}   median equity "
                     f"{row['median_final_equity']:.3f}x")
    lines += ["", "Look at: " + d["look_at"], "", "Why: " + d["explanation"]]
    return "\n".join(lines)


def run_lesson_cmd(args: argparse.Namespace) -> None:
    from ..studies.lessons import grade, load_lesson, run_lesson

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
                raise ParameterError("--predict", f"a number from {pr['min']:g} to "
                                     f"{pr['max']:g}", args.predict) from None
        feedback = grade(guess, result)
    out = {
        "name": lesson.name, "title": lesson.title, "question": lesson.question,
        "prediction": dict(pr), "unit": pr["unit"], "answer_metric": result.answer_metric,
        "answer": result.answer, "feedback": feedback, "seed": result.seed,
        "variants": result.frame.to_dicts(), "look_at": lesson.look_at,
        "explanation": lesson.explanation,
    }
    emit(out, args.json, _render_lesson)


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scenarios", help="list the preset and lesson scenario files")
    p.add_argument("--kind", choices=["preset", "lesson"], default=None,
                   help="only presets or only lessons")
    add_json_flag(p)
    p.set_defaults(func=run_list)

    q = sub.add_parser("lesson", help="run a lesson: predict, simulate, compare")
    q.add_argument("name", help="lesson name (see `ruin scenarios --kind lesson`) or file")
    q.add_argument("--predict", default=None,
                   help="your prediction: a number (0.3 for 30%%) or a variant name")
    q.add_argument("--paths", type=int, default=None, help="accounts per variant")
    q.add_argument("--seed", type=int, default=None, help="random seed (default: lesson's)")
    add_json_flag(q)
    q.set_defaults(func=run_lesson_cmd)
