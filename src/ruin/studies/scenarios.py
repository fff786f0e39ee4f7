"""Scenario files: presets and lessons as TOML data (read with the standard library).

A scenario file describes one run with the same flat parameter names as the CLI flags
(``--win-rate`` -> ``win_rate``), validated by :func:`ruin.config.build_scenario`, so a file,
a command line and the app accept exactly the same values with the same messages. Layout::

    [scenario]
    title = "Day trading, BTC, 10x"
    description = "One line for `ruin scenarios`."
    kind = "preset"                    # or "lesson"

    [params]                           # flat keys, as on the command line
    win_rate = 0.45
    risk = 0.01

    [[variants]]                       # optional: named overrides run on the same seed
    name = "2%"
    risk = 0.02

    [lesson]                           # lessons only; see ruin.studies.lessons
    question = "..."
    look_at = "..."
    explanation = "..."
    prediction = { kind = "slider", min = 0, max = 1, step = 0.05,
                   answer_metric = "ruin_probability", answer_variant = "2%" }

Files are data only: nothing in them is executed, and a ``trades_file`` inside a scenario is
resolved relative to the file's own folder and must stay inside it. Every problem raises
:class:`~ruin.errors.ParameterError` naming the file, the table and the key::

    swing.toml: [params] win_rate must be between 0 and 1 (exclusive); got 55.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..config import build_scenario, known_keys
from ..errors import ParameterError, check_number
from ..keys import merge
from ..params import Scenario
from ..parse import read_toml

__all__ = [
    "SCENARIOS_DIR",
    "builtin_folder",
    "ScenarioFile",
    "LESSON_METRICS",
    "REVEALS",
    "list_scenarios",
    "load_scenario",
    "find_scenario",
    "scenario_file_layers",
    "scenario_params",
    "presets",
]


def builtin_folder() -> Path:
    """The folder of the built-in presets and lessons.

    The project's top-level ``scenarios/`` folder is the source. A built wheel carries a copy
    of it as the package data ``ruin/studies/builtin/`` (``force-include`` in
    ``pyproject.toml``), and an installed package reads that copy. A source checkout (an
    editable install, or ``src`` on ``sys.path``) has no copy inside ``src/ruin/studies`` and
    reads the top-level ``scenarios/`` folder itself, so an edit there shows at once.
    """
    packaged = resources.files(__package__).joinpath("builtin")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "scenarios"


#: The folder of the built-in presets and lessons (see :func:`builtin_folder`).
SCENARIOS_DIR = builtin_folder()

MAX_FILE_BYTES = 256 * 1024
KINDS = ("preset", "lesson")
SCENARIO_KEYS = {"title", "description", "kind"}
LESSON_KEYS = {"question", "look_at", "explanation", "prediction", "trades_per_day", "reveal"}
#: The pictures a lesson can reveal its answer with (``[lesson] reveal``): the asked metric per
#: variant as bars with the guess drawn on it (default); those bars and the survival curves;
#: or those bars and the leverage -> liquidation-distance table (guides' rule vs exact).
REVEALS = ("bars", "survival", "liquidation_distance")
PREDICTION_KEYS = {
    "kind",
    "min",
    "max",
    "step",
    "options",
    "answer_metric",
    "answer_variant",
    "answer",
    "unit",
}
#: Metrics a lesson may ask students to predict (names of ``ruin.studies.lessons.metric_value``).
LESSON_METRICS = (
    "ruin_probability",
    "survival_probability",
    "goal_probability",
    "median_final_equity",
    "mean_final_equity",
    "p_below_start",
    "median_max_drawdown",
    "liquidation_probability",
    "liquidation_share",
)


@dataclass(frozen=True, slots=True)
class ScenarioFile:
    """A validated scenario file.

    Attributes
    ----------
    name : str
        File name without ``.toml`` (what ``--scenario`` accepts).
    path : Path
        Where it was read from.
    kind : {"preset", "lesson"}
    title, description : str
    params : dict
        Flat parameters of the base run (``trades_file`` already resolved to a path).
    variants : tuple of (str, dict)
        Named parameter overrides, each run on the base run's seed.
    lesson : dict or None
        ``question``, ``look_at``, ``explanation`` and ``prediction`` (lessons only), and
        optionally ``trades_per_day`` (puts the survival curve on a calendar-day axis).
    """

    name: str
    path: Path
    kind: str
    title: str
    description: str
    params: dict[str, Any]
    variants: tuple[tuple[str, dict[str, Any]], ...] = ()
    lesson: dict[str, Any] | None = field(default=None)

    def build(
        self, overrides: Mapping[str, Any] | None = None, variant: str | None = None
    ) -> Scenario:
        """The :class:`Scenario` of the base run (or a variant), with ``overrides`` on top
        (the ``scenario``, ``variant`` and ``explicit`` layers of :data:`ruin.keys.PRECEDENCE`)."""
        return build_scenario(
            overrides, layers=scenario_file_layers(self, variant), source=str(self.path)
        )

    def as_dict(self) -> dict[str, Any]:
        """The ``ruin scenarios --json`` entry."""
        return {
            "name": self.name,
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "path": str(self.path),
            "variants": [v for v, _ in self.variants],
        }


def scenario_params(sf: ScenarioFile, variant: str | None = None) -> dict[str, Any]:
    """Flat parameters of the base run, or of the named variant (base + its overrides)."""
    return merge(scenario_file_layers(sf, variant))


def scenario_file_layers(sf: ScenarioFile, variant: str | None = None) -> dict[str, dict[str, Any]]:
    """The ``scenario`` layer (the file's ``[params]``) and, for a named variant, the
    ``variant`` layer (its overrides) of :data:`ruin.keys.PRECEDENCE`."""
    layers = {"scenario": dict(sf.params)}
    if variant is not None:
        names = [v for v, _ in sf.variants]
        if variant not in names:
            raise ParameterError(
                f"{sf.path.name}: variant",
                "one of " + ", ".join(repr(n) for n in names)
                if names
                else "absent (this file has no variants)",
                variant,
            )
        layers["variant"] = dict(dict(sf.variants)[variant])
    return layers


def _err(
    fname: str, where: str, key: str, allowed: str, got: object, hint: str = ""
) -> ParameterError:
    return ParameterError(f"{fname}: {where} {key}".rstrip(), allowed, got, hint)


def _text(fname: str, table: str, d: Mapping[str, Any], key: str, required: bool = True) -> str:
    v = d.get(key)
    if v is None:
        if required:
            raise _err(fname, f"[{table}]", key, "a text value (it is required)", None)
        return ""
    if not isinstance(v, str) or (required and not v.strip()):
        raise _err(fname, f"[{table}]", key, "a non-empty text value", v)
    return v.strip()


def _unknown(fname: str, table: str, d: Mapping[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(d) - allowed)
    if extra:
        raise _err(
            fname,
            f"[{table}]",
            extra[0],
            "a known key (" + ", ".join(sorted(allowed)) + ")",
            d[extra[0]],
        )


def _resolve_trades_file(fname: str, where: str, value: object, folder: Path) -> str:
    if not isinstance(value, str) or not value:
        raise _err(fname, where, "trades_file", "a file name inside the scenario's folder", value)
    p = Path(value)
    target = (folder / p).resolve()
    if p.is_absolute() or not target.is_relative_to(folder.resolve()):
        raise _err(
            fname,
            where,
            "trades_file",
            f"a path inside the scenario's folder ({folder})",
            value,
            "Scenario files may only read data stored next to them.",
        )
    return str(target)


def _check_params(
    fname: str,
    where: str,
    d: Mapping[str, Any],
    folder: Path,
    base: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    if not isinstance(d, Mapping):
        raise _err(fname, where, "", "a table of parameter = value lines", d)
    out: dict[str, Any] = {}
    known = known_keys()
    for k, v in d.items():
        if k not in known:
            raise _err(fname, where, k, "a known parameter (see `ruin simulate --help`)", v)
        if isinstance(v, (dict, list)):
            raise _err(fname, where, k, "a single value (number, text or true/false)", v)
        out[k] = _resolve_trades_file(fname, where, v, folder) if k == "trades_file" else v
    layers = {"scenario": dict(base), "variant": out} if base is not None else {"scenario": out}
    try:
        build_scenario(layers=layers)
    except ParameterError as exc:
        raise ParameterError(
            f"{fname}: {where} {exc.name}", exc.allowed, exc.got, exc.hint
        ) from None
    return out


def _check_lesson(fname: str, d: object, variants: list[str]) -> dict[str, Any]:
    if not isinstance(d, Mapping):
        raise _err(fname, "[lesson]", "", "a table", d)
    _unknown(fname, "lesson", d, LESSON_KEYS)
    out: dict[str, Any] = {
        k: _text(fname, "lesson", d, k) for k in ("question", "look_at", "explanation")
    }
    tpd = d.get("trades_per_day")
    if tpd is not None:
        try:
            out["trades_per_day"] = check_number("trades_per_day", tpd, 0.0, 1e4, lo_incl=False)
        except ParameterError as exc:
            raise _err(fname, "[lesson]", "trades_per_day", exc.allowed, tpd) from None
    reveal = d.get("reveal", "bars")
    if reveal not in REVEALS:
        raise _err(fname, "[lesson]", "reveal", "one of " + ", ".join(map(repr, REVEALS)), reveal)
    out["reveal"] = reveal
    pr = d.get("prediction")
    where = "[lesson.prediction]"
    if not isinstance(pr, Mapping):
        raise _err(
            fname,
            "[lesson]",
            "prediction",
            "a table with kind, answer_metric and min/max/step (slider) or options (choice)",
            pr,
        )
    _unknown(fname, "lesson.prediction", pr, PREDICTION_KEYS)
    kind = pr.get("kind")
    if kind not in ("slider", "choice"):
        raise _err(fname, where, "kind", "'slider' or 'choice'", kind)
    metric = pr.get("answer_metric")
    if metric not in LESSON_METRICS:
        raise _err(fname, where, "answer_metric", "one of " + ", ".join(LESSON_METRICS), metric)
    p: dict[str, Any] = {"kind": kind, "answer_metric": metric}
    av = pr.get("answer_variant")
    if av is not None and av not in variants:
        raise _err(
            fname,
            where,
            "answer_variant",
            "the name of one of the [[variants]] (" + ", ".join(variants) + ")",
            av,
        )
    p["answer_variant"] = av
    unit = pr.get(
        "unit",
        "percent" if metric not in ("median_final_equity", "mean_final_equity") else "multiple",
    )
    if unit not in ("percent", "multiple"):
        raise _err(fname, where, "unit", "'percent' or 'multiple'", unit)
    p["unit"] = unit
    if kind == "slider":
        for k in ("min", "max", "step"):
            v = pr.get(k)
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise _err(
                    fname, where, k, "a number (slider predictions need min, max and step)", v
                )
            if not math.isfinite(v) or abs(v) > 1e12:
                raise _err(fname, where, k, "a finite number (a slider has ends)", v)
            p[k] = float(v)
        if not p["min"] < p["max"]:
            raise _err(fname, where, "max", f"greater than min ({p['min']:g})", p["max"])
        if not 0 < p["step"] <= p["max"] - p["min"]:
            raise _err(
                fname,
                where,
                "step",
                f"greater than 0 and at most max - min ({p['max'] - p['min']:g})",
                p["step"],
            )
        for k in ("options", "answer"):
            if k in pr:
                raise _err(fname, where, k, "absent for a slider", pr[k])
    else:
        opts = pr.get("options")
        if (
            not isinstance(opts, list)
            or len(opts) < 2
            or not all(isinstance(o, str) and o in variants for o in opts)
        ):
            raise _err(
                fname,
                where,
                "options",
                "a list of at least two variant names (" + ", ".join(variants) + ")",
                opts,
            )
        ans = pr.get("answer", "max")
        if ans not in ("max", "min"):
            raise _err(
                fname,
                where,
                "answer",
                "'max' or 'min' (the option whose metric is largest or smallest is right)",
                ans,
            )
        p.update(options=tuple(opts), answer=ans)
        for k in ("min", "max", "step"):
            if k in pr:
                raise _err(fname, where, k, "absent for a choice", pr[k])
    out["prediction"] = p
    return out


def load_scenario(path: str | Path) -> ScenarioFile:
    """Read and validate one scenario file.

    Raises
    ------
    ParameterError
        Naming the file, the table and the key, for unreadable TOML, unknown tables or keys,
        wrong types, values out of range, or a ``trades_file`` outside the file's folder.
    """
    p = Path(path)
    fname = p.name
    if p.suffix != ".toml" or not p.is_file():
        raise ParameterError("scenario", "an existing .toml scenario file", str(path))
    data = read_toml(p, fname, MAX_FILE_BYTES)
    _unknown(fname, "top level", data, {"scenario", "params", "variants", "lesson"})
    head = data.get("scenario")
    if not isinstance(head, Mapping):
        raise _err(fname, "[scenario]", "", "a table with title, description and kind", head)
    _unknown(fname, "scenario", head, SCENARIO_KEYS)
    title = _text(fname, "scenario", head, "title")
    desc = _text(fname, "scenario", head, "description")
    kind = head.get("kind", "preset")
    if kind not in KINDS:
        raise _err(fname, "[scenario]", "kind", "'preset' or 'lesson'", kind)
    folder = p.resolve().parent
    params = _check_params(fname, "[params]", data.get("params", {}), folder)
    raw_variants = data.get("variants", [])
    if not isinstance(raw_variants, list):
        raise _err(fname, "[[variants]]", "", "an array of tables ([[variants]])", raw_variants)
    variants: list[tuple[str, dict[str, Any]]] = []
    for i, v in enumerate(raw_variants, 1):
        where = f"[[variants]] #{i}"
        if not isinstance(v, Mapping):
            raise _err(fname, where, "", "a table", v)
        name = v.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _err(fname, where, "name", "a non-empty text value", name)
        if name in (n for n, _ in variants):
            raise _err(fname, where, "name", "unique among the variants", name)
        over = _check_params(
            fname, f"{where} ({name})", {k: x for k, x in v.items() if k != "name"}, folder, params
        )
        variants.append((name, over))
    lesson = None
    if kind == "lesson":
        if "lesson" not in data:
            raise _err(
                fname,
                "[lesson]",
                "",
                "present in a lesson (question, look_at, explanation, prediction)",
                None,
            )
        lesson = _check_lesson(fname, data["lesson"], [n for n, _ in variants])
    elif "lesson" in data:
        raise _err(fname, "[lesson]", "", "only in files with kind = 'lesson'", "a table")
    return ScenarioFile(
        name=p.stem,
        path=p,
        kind=kind,
        title=title,
        description=desc,
        params=params,
        variants=tuple(variants),
        lesson=lesson,
    )


def list_scenarios(
    folder: str | Path | None = None, *, kind: str | None = None
) -> list[ScenarioFile]:
    """Every ``*.toml`` in ``folder`` (default :data:`SCENARIOS_DIR`), sorted by name."""
    d = Path(folder) if folder is not None else SCENARIOS_DIR
    out = [load_scenario(f) for f in sorted(d.glob("*.toml"))]
    return [s for s in out if kind is None or s.kind == kind]


def find_scenario(name_or_file: str | Path) -> ScenarioFile:
    """A built-in scenario by name (``"swing"``), or a file the user points to explicitly."""
    text = str(name_or_file)
    p = Path(text)
    if p.suffix == ".toml" or "/" in text or "\\" in text:
        if not p.exists() and p.parent == Path(".") and (SCENARIOS_DIR / p.name).is_file():
            p = SCENARIOS_DIR / p.name  # "swing.toml" means the built-in one
        return load_scenario(p)
    f = SCENARIOS_DIR / f"{text}.toml"
    if not f.is_file():
        names = sorted(x.stem for x in SCENARIOS_DIR.glob("*.toml"))
        raise ParameterError(
            "scenario",
            "a scenario name (" + ", ".join(names) + ") or a .toml file",
            text,
            "List them with `ruin scenarios`.",
        )
    return load_scenario(f)


def presets(folder: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """``{title: flat parameters}`` of the preset files (the app's preset menu).

    A preset that does not load (say, it needs a model this build lacks) is left out.
    """
    out: dict[str, dict[str, Any]] = {}
    d = Path(folder) if folder is not None else SCENARIOS_DIR
    for f in sorted(d.glob("*.toml")):
        try:
            sf = load_scenario(f)
        except ParameterError:
            continue
        if sf.kind == "preset":
            out[sf.title] = dict(sf.params)
    return out
