"""Where a flat value comes from, and which keys do not go together: two tables as data.

:data:`PRECEDENCE` lists the layers a value can come from, lowest first; :func:`resolve`
merges the layers a face hands in (a scenario file, its variant, explicit keys, command-line
flags) in that order, checks every value with its key (:class:`~ruin.keys.Key`) and returns a
:class:`Flat`: each key's value and the layer it came from. A key given by any layer is
*given*; a key no layer gives has the table's default and is not (``None`` means "not given"
in every layer). So "did the user set payoff?" is answered by :meth:`Flat.given`, never by
comparing a value with its default.

:data:`CONFLICTS` lists the combinations of given keys that are refused, each with one
message naming both keys (:func:`check_conflicts`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import ParameterError
from .checks import EDGE_NEEDED, EDGE_ONCE, apart_error, one_of_error
from .spec import Key
from .table import KEYS, group

__all__ = [
    "CONFLICTS",
    "LAYERS",
    "PRECEDENCE",
    "Flat",
    "Rule",
    "check_conflicts",
    "merge",
    "resolve",
]

#: The layers a flat value can come from, lowest precedence first: a key takes the value of
#: the highest layer that gives it.
PRECEDENCE: tuple[tuple[str, str], ...] = (
    ("default", "the key table's default (ruin.keys.KEYS)"),
    (
        "preset",
        "a venue or asset preset (ruin.venues): mmr and tier, fees, slippage, volatility, "
        "funding, liquidation rule; used only where no layer above gives the key",
    ),
    (
        "scenario",
        "a scenario file's [params]: ruin simulate --scenario, scenario = in a sweep, the "
        "keys without a widget of a preset chosen in the app",
    ),
    ("variant", "the chosen [[variants]] entry of that scenario file"),
    (
        "explicit",
        "keys given directly: build_scenario(params) in Python, a sweep's [base] and [axes], "
        "the app's form",
    ),
    ("cli", "flags typed on the command line"),
)
#: Layer names, lowest precedence first.
LAYERS: tuple[str, ...] = tuple(name for name, _ in PRECEDENCE)
_RANK = {name: i for i, name in enumerate(LAYERS)}
_FROM = {"scenario": "the scenario file", "variant": "the scenario's variant", "cli": "a flag"}


@dataclass(frozen=True, eq=False)
class Flat(Mapping[str, Any]):
    """Resolved flat values: ``flat[name]`` is the value of the highest layer that gives the
    key, else the table's default; :meth:`given` and :meth:`origin` say where it came from.

    Build one with :func:`resolve`.
    """

    chosen: dict[str, Any]
    origins: dict[str, str]
    table: Mapping[str, Key] = field(default_factory=lambda: KEYS)

    def __getitem__(self, name: str) -> Any:
        if name in self.chosen:
            return self.chosen[name]
        return self.table[name].default

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def origin(self, name: str) -> str:
        """The layer ``name`` came from (``"default"`` when none gave it)."""
        return self.origins.get(name, "default")

    def given(self, name: str) -> bool:
        """Whether a face gave ``name`` (a scenario file, a variant, explicit, a flag)."""
        return _RANK[self.origin(name)] > _RANK["preset"]

    def any_given(self, names: Any) -> list[str]:
        """The given keys among ``names``, in table order."""
        return [k for k in self.table if k in names and self.given(k)]

    def given_values(self) -> dict[str, Any]:
        """``{name: value}`` of the given keys, in table order."""
        return {k: self.chosen[k] for k in self.table if self.given(k)}

    def with_layer(self, layer: str, values: Mapping[str, Any]) -> Flat:
        """This with ``values`` as layer ``layer``: each replaces a key only where the key's
        current layer is lower (a preset never overrides what a face gave)."""
        rank = _RANK[layer]
        new_values, new_origins = dict(self.chosen), dict(self.origins)
        for name, value in values.items():
            if value is not None and _RANK[self.origin(name)] < rank:
                new_values[name] = value
                new_origins[name] = layer
        return Flat(new_values, new_origins, self.table)


def merge(layers: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The layers merged by :data:`PRECEDENCE` without checking (``None`` = not given)."""
    _check_layer_names(layers)
    out: dict[str, Any] = {}
    for layer in LAYERS:
        out.update({k: v for k, v in (layers.get(layer) or {}).items() if v is not None})
    return out


def _check_layer_names(layers: Mapping[str, Any]) -> None:
    for name in layers:
        if name not in _RANK or name in ("default", "preset"):
            raise ValueError(
                f"unknown layer {name!r}: a face hands in one of {LAYERS[2:]} "
                "(defaults and presets are filled in by ruin)"
            )


def resolve(layers: Mapping[str, Mapping[str, Any]], table: Mapping[str, Key] = KEYS) -> Flat:
    """Check every value of every layer with its key and merge them by :data:`PRECEDENCE`.

    Parameters
    ----------
    layers : mapping
        Layer name (``"scenario"``, ``"variant"``, ``"explicit"``, ``"cli"``) -> flat keys.
        ``None`` values are "not given".
    table : mapping of str to Key
        :data:`ruin.keys.KEYS` (a run) or :data:`ruin.keys.ODDS_KEYS` (one held position).

    Raises
    ------
    ParameterError
        For an unknown key, or a value its key refuses (checked before anything is derived
        from it).
    """
    _check_layer_names(layers)
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for layer in LAYERS:
        for name, value in (layers.get(layer) or {}).items():
            key = table.get(name)
            if key is None:
                raise ParameterError(
                    name, "a known parameter (" + ", ".join(sorted(table)) + ")", value
                )
            if value is None:
                continue
            values[name] = key.check(value)
            origins[name] = layer
    return Flat(values, origins, table)


# --------------------------------------------------------------------------- conflicts


@dataclass(frozen=True, slots=True)
class Rule:
    """One combination of keys that is refused.

    ``kind``:

    * ``"apart"``: no key of ``keys`` together with a key of ``other``
      (``unless="agree"``: unless take_profit = payoff x stop);
    * ``"needs"``: a key of ``keys`` only with ``other[0]`` given (and equal to ``value`` when
      one is set);
    * ``"one_of"``: when a key of ``other`` is given, at least one of ``keys`` must be.
    """

    kind: Literal["apart", "needs", "one_of"]
    keys: tuple[str, ...]
    other: tuple[str, ...]
    why: str
    value: Any = None
    unless: str = ""

    def check(self, flat: Flat) -> None:
        """Raise the rule's error if ``flat`` breaks it."""
        mine = flat.any_given(self.keys)
        if self.kind == "one_of":
            trigger = flat.any_given(self.other)
            if trigger and not mine:
                raise one_of_error(self.keys, self.why)
            return
        if not mine:
            return
        key = mine[0]
        if self.kind == "apart":
            theirs = flat.any_given(self.other)
            if theirs and not (self.unless == "agree" and _agree(flat)):
                err = apart_error(key, theirs[0], self.why, flat[key])
                raise _with_origins(err, flat, key, theirs[0])
            return
        other = self.other[0]
        if not flat.given(other) or (self.value is not None and flat[other] != self.value):
            need = other if self.value is None else f"{other} = {self.value!r}"
            raise ParameterError(key, f"given only with {need} ({self.why})", flat[key])

    def describe(self) -> str:
        """The rule in words (the README table)."""
        a = " / ".join(self.keys) if len(self.keys) < 6 else _group_name(self.keys)
        b = " / ".join(self.other) if len(self.other) < 6 else _group_name(self.other)
        if self.kind == "apart":
            extra = " (unless take_profit = payoff x stop)" if self.unless == "agree" else ""
            return f"{a} not with {b}{extra}: {self.why}"
        if self.kind == "needs":
            need = b if self.value is None else f"{b} = {self.value!r}"
            return f"{a} only with {need}: {self.why}"
        return f"{a}: at least one when {b} is given: {self.why}"


def _group_name(names: tuple[str, ...]) -> str:
    for g in ("leverage", "behaviour"):
        if frozenset(names) == group(g):
            return f"any {g} key"
    return " / ".join(names)


def _agree(flat: Flat) -> bool:
    tp, implied = float(flat["take_profit"]), float(flat["payoff"]) * float(flat["stop"])
    return abs(tp - implied) <= 1e-9 * max(1.0, tp)


def _with_origins(err: ParameterError, flat: Flat, key: str, other: str) -> ParameterError:
    where = [f"{k} comes from {_FROM[o]}" for k in (other, key) if (o := flat.origin(k)) in _FROM]
    if not where or flat.origin(key) == flat.origin(other):
        return err
    return ParameterError(err.name, err.allowed, err.got, err.hint + " (" + "; ".join(where) + ".)")


def _in_table_order(names: frozenset[str]) -> tuple[str, ...]:
    return tuple(k for k in KEYS if k in names)


_LEVERAGE = _in_table_order(group("leverage"))
_BEHAVIOUR = _in_table_order(group("behaviour"))
_RULES = _in_table_order(group("rules"))

#: Combinations of given keys that are refused, checked in this order by
#: :func:`check_conflicts` (rules inside one parameter object, such as martingale with
#: anti_martingale or mmr < 1/leverage, are checked by the object with the same message).
CONFLICTS: tuple[Rule, ...] = (
    Rule("apart", ("outcomes",), ("trades_file",), "one trade model at a time"),
    Rule(
        "apart",
        ("win_rate", "payoff"),
        ("trades_file", "outcomes"),
        "they set the win/loss model, which the trade file or outcome table replaces",
    ),
    Rule(
        "apart",
        ("trades_file", "outcomes"),
        _LEVERAGE,
        "the leveraged model makes its own trades from price paths",
    ),
    Rule(
        "apart",
        _BEHAVIOUR,
        _LEVERAGE,
        "the behaviour rules act on the win/loss model's R outcomes",
    ),
    Rule(
        "apart",
        _RULES,
        _BEHAVIOUR,
        "the account rules run on the i.i.d. models (win rate and payoff, outcomes or a trade "
        "file) and the leveraged model, not yet with the behaviour rules",
    ),
    Rule("needs", ("trailing_lock",), ("trailing_drawdown",), "it locks the trailing floor"),
    Rule("needs", ("daily_loss_action",), ("daily_loss_limit",), "it is what the limit does"),
    Rule("apart", ("drift",), ("win_rate",), EDGE_ONCE),
    Rule(
        "apart",
        ("take_profit",),
        ("payoff",),
        "a leveraged trade's payoff is take_profit / stop",
        unless="agree",
    ),
    Rule("apart", ("funding_rate",), ("funding_regime",), "a funding regime sets the rate"),
    Rule("needs", ("bootstrap",), ("trades_file",), "it resamples a trade file"),
    Rule(
        "needs",
        ("block_length",),
        ("bootstrap",),
        "blocks are drawn by the block bootstrap",
        value="block",
    ),
    Rule(
        "needs",
        ("check_hours",),
        ("monitoring",),
        "checks matter only under discrete monitoring",
        value="discrete",
    ),
    Rule("one_of", ("win_rate", "drift"), _LEVERAGE, EDGE_NEEDED),
)


def check_conflicts(flat: Flat, rules: tuple[Rule, ...] = CONFLICTS) -> None:
    """Raise the first broken rule's error (naming both keys)."""
    for rule in rules:
        rule.check(flat)
