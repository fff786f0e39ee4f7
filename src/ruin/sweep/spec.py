"""Sweep specs: read and check the TOML (or mapping) that describes a parameter grid."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..config import known_keys
from ..errors import ParameterError, check_choice, check_int
from ..keys import KEYS, Key
from ..keys import ODDS_KEYS as KEY_ODDS
from ..parse import check_depth, read_toml

__all__ = [
    "SweepSpec",
    "load_spec",
    "METHODS",
    "KINDS",
    "SPEC_KEYS",
    "ODDS_KEYS",
    "ODDS_REQUIRED",
    "resolve_trades_file",
]

METHODS = ("simulate", "exact")
KINDS = ("account", "odds")
SPEC_KEYS = ("name", "description", "kind", "method", "batch_size", "base", "axes")
#: Flat keys of an ``kind = "odds"`` sweep: :func:`ruin.odds.liquidation_odds` arguments
#: (:data:`ruin.keys.ODDS_KEYS`).
ODDS_KEYS = tuple(KEY_ODDS)
ODDS_REQUIRED = ("leverage", "mmr", "volatility", "horizon_days")


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: base parameters, axes and options.

    Attributes
    ----------
    base : dict
        Flat parameters shared by every cell (``seed`` is the sweep seed; None: drawn).
    axes : dict of str to tuple
        Parameter name -> values, in the spec's order (the first axis varies slowest).
    method : {"simulate", "exact"}
        ``"exact"``: cells with an exact answer use it instead of simulating.
    kind : {"account", "odds"}
        ``"account"``: each cell is a :func:`ruin.simulate.simulate` run of the account model
        (keys of :func:`ruin.config.build_scenario`); ``"odds"``: each cell is
        :func:`ruin.odds.liquidation_odds` of one held position (keys :data:`ODDS_KEYS`).
    batch_size : int or None
        Cells per task (None: chosen from the cells' cost and the number of workers).
    name, description, source : str
        Free text; ``source`` (the file name) prefixes error messages.
    """

    base: dict[str, Any]
    axes: dict[str, tuple[Any, ...]]
    method: Literal["simulate", "exact"] = "simulate"
    batch_size: int | None = None
    kind: Literal["account", "odds"] = "account"
    name: str = ""
    description: str = ""
    source: str = field(default="sweep", compare=False)
    folder: str = field(default="", compare=False)

    @property
    def seed(self) -> int | None:
        return self.base.get("seed")

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(v) for v in self.axes.values())

    @property
    def n_cells(self) -> int:
        return math.prod(self.shape)


def _where(source: str, what: str) -> str:
    return f"{source}: {what}" if source else what


#: Largest sweep spec file read.
MAX_SPEC_BYTES = 4 * 1024 * 1024
_SCALARS = (bool, int, float, str)


def _read_spec(spec: str | os.PathLike[str] | Mapping[str, Any]) -> tuple[dict[str, Any], str, str]:
    """(parsed spec, source name for messages, folder of the file or "")."""
    if isinstance(spec, Mapping):
        check_depth("sweep", spec)
        return dict(spec), "sweep", ""
    path = Path(spec)
    if not str(spec):
        raise ParameterError("sweep spec", "a TOML file name", "''")
    data = read_toml(path, "sweep spec" if not path.is_file() else path.name, MAX_SPEC_BYTES)
    return data, path.name, str(path.parent)


def resolve_trades_file(where: str, value: Any, folder: str) -> str:
    """The scenario files' rule for a spec's ``trades_file``: a path relative to the spec,
    inside its folder; returns the path to open (a spec given as a mapping, with no folder,
    names paths as its caller wrote them)."""
    if not isinstance(value, str) or not value:
        raise ParameterError(where, "a file name inside the spec's folder", value)
    if not folder:
        return value
    p = Path(value)
    root = Path(folder).resolve()
    target = (root / p).resolve()
    if p.is_absolute() or not target.is_relative_to(root):
        raise ParameterError(
            where,
            f"a path inside the spec's folder ({root})",
            value,
            "Sweep specs, like scenario files, may only read data stored next to them.",
        )
    return str(target)


def _same_key(v: Any) -> str:
    """Identity of an axis value: 100 and 100.0 are the same cell."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        f = float(v)
        if math.isfinite(f) and f == v:
            return json.dumps(f)
    return json.dumps(v, default=str)


def _check_value(where: str, name: str, value: Any, table: Mapping[str, Key]) -> Any:
    """One value of ``[base]`` or an axis, checked once by its key (:mod:`ruin.keys`); the
    message is the key's, prefixed with where it stands in the spec."""
    if name not in table:  # ``scenario``: a preset name, checked when it is read
        return value
    try:
        return table[name].check(value)
    except ParameterError as exc:
        raise ParameterError(f"{where} {exc.name}", exc.allowed, exc.got, exc.hint) from None


def _check_axis(
    where: str,
    name: str,
    values: Any,
    base: Mapping[str, Any],
    allowed: set[str],
    table: Mapping[str, Key],
) -> tuple[Any, ...]:
    """One ``[axes]`` entry: a known parameter not in ``[base]``, with a non-empty list of
    distinct values, each checked once by the parameter's key (not again per cell)."""
    at = f"{where} {name}"
    if name not in allowed:
        raise ParameterError(at, "a known parameter (" + ", ".join(sorted(allowed)) + ")", values)
    if name in base:
        raise ParameterError(
            at,
            "a parameter not also set in [base]",
            values,
            f"Remove {name} from [base] or from [axes].",
        )
    if not isinstance(values, list) or not values:
        raise ParameterError(at, "a non-empty list of values", values)
    for v in values:
        if not isinstance(v, _SCALARS):
            raise ParameterError(
                at, "a list of numbers, text or true/false", f"a {type(v).__name__} value"
            )
    seen: set[str] = set()
    for v in values:
        k = _same_key(_check_value(where, name, v, table))
        if k in seen:
            raise ParameterError(at, "a list of distinct values", values, f"{v!r} appears twice.")
        seen.add(k)
    return tuple(values)


def load_spec(spec: str | os.PathLike[str] | Mapping[str, Any] | SweepSpec) -> SweepSpec:
    """Read and validate a sweep spec (a TOML path, or the parsed mapping).

    The spec's structure is checked here (known top-level keys, ``[axes]`` entries that are
    non-empty lists of distinct scalar values naming known parameters), and every value of
    ``[base]`` and of each axis once, by its key (:mod:`ruin.keys`); the combinations of a
    cell are checked by :func:`expand_cells`.

    Parameters
    ----------
    spec : path, mapping or SweepSpec
        A ``.toml`` file, or the mapping it would parse to.

    Returns
    -------
    SweepSpec

    Raises
    ------
    ParameterError
        Naming the file, table and key, e.g. ``sweep.toml: [axes] risk must be a non-empty
        list of values; got [].``
    """
    if isinstance(spec, SweepSpec):
        return spec
    data, source, folder = _read_spec(spec)
    for key in data:
        if key not in SPEC_KEYS:
            raise ParameterError(
                _where(source, f"top-level key {key!r}"),
                "one of " + ", ".join(SPEC_KEYS) + " (parameters go in [base] or [axes])",
                data[key],
            )
    base = data.get("base", {})
    axes = data.get("axes")
    if not isinstance(base, Mapping):
        raise ParameterError(_where(source, "[base]"), "a table of parameters", base)
    if not isinstance(axes, Mapping) or not axes:
        raise ParameterError(
            _where(source, "[axes]"),
            "a table mapping parameter names to lists of values",
            axes if axes is not None else "nothing",
            "Add e.g. [axes] risk = [0.01, 0.02, 0.05].",
        )
    kind = check_choice(_where(source, "kind"), data.get("kind", "account"), KINDS)
    table = KEY_ODDS if kind == "odds" else KEYS
    allowed = set(ODDS_KEYS) if kind == "odds" else known_keys() | {"scenario"}
    for key in base:
        if key not in allowed:
            raise ParameterError(
                _where(source, f"[base] {key}"),
                "a known parameter (" + ", ".join(sorted(allowed)) + ")",
                base[key],
            )
        if not isinstance(base[key], _SCALARS):
            raise ParameterError(
                _where(source, f"[base] {key}"),
                "a single value (number, text or true/false)",
                f"a {type(base[key]).__name__} value",
            )
        _check_value(_where(source, "[base]"), key, base[key], table)
    clean_axes = {
        str(name): _check_axis(_where(source, "[axes]"), name, values, base, allowed, table)
        for name, values in axes.items()
    }
    if "trades_file" in base:
        resolve_trades_file(_where(source, "[base] trades_file"), base["trades_file"], folder)
    for v in clean_axes.get("trades_file", ()):
        resolve_trades_file(_where(source, "[axes] trades_file"), v, folder)
    method = check_choice(_where(source, "method"), data.get("method", "simulate"), METHODS)
    batch_size = data.get("batch_size")
    if batch_size is not None:
        batch_size = check_int(_where(source, "batch_size"), batch_size, 1, 1_000_000)
    seed = base.get("seed")
    if seed is not None:
        check_int(_where(source, "[base] seed"), seed, 0, 2**63 - 1)
    n = math.prod(len(v) for v in clean_axes.values())
    if n > 10_000_000:
        raise ParameterError(_where(source, "[axes]"), "at most 10,000,000 cells", f"{n:,} cells")
    return SweepSpec(
        base=dict(base),
        axes=clean_axes,
        method=method,  # type: ignore[arg-type]
        batch_size=batch_size,
        kind=kind,  # type: ignore[arg-type]
        name=str(data.get("name", "")),
        description=str(data.get("description", "")),
        source=source,
        folder=folder,
    )
