"""What a flat key is: :class:`Key`, its reader of text and its one check.

A :class:`Key` describes one flat parameter (``risk``, ``leverage``, ``tails`` ...): its kind,
its allowed range or choices, its default, its help line and where it belongs. Two methods
decide what a value means wherever it arrives:

* :meth:`Key.check` takes a typed value (Python, TOML, a sweep axis) and returns it
  normalised (a ``float`` for a number, the canonical spelling of a choice ...), or raises
  :class:`~ruin.errors.ParameterError` naming the key, what is allowed and what arrived;
* :meth:`Key.parse` takes text (a command-line flag, a share-link value) and reads it the same
  way: a number where a number belongs (text that is not one is refused with the key's own
  message, before anything calls ``float()``), a boolean by :func:`ruin.parse.parse_bool`,
  ``none`` / ``off`` for "not given" where the key is optional; then :meth:`Key.check`.

So ``--risk 5``, ``risk = 5`` in a scenario file, ``?risk=5`` in a link and
``Sizing(risk=5)`` all give one sentence::

    risk must be greater than 0 and at most 1; got 5. Use 0.05 for 5% of equity.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any, Literal

from ..errors import ParameterError, check_int, check_number, describe_range
from ..parse import parse_bool

__all__ = ["Key", "Kind", "Group", "OFF_WORDS", "outcome_pairs"]

#: How a key's value is read and checked:
#:
#: ``float`` / ``int`` (a number in a range), ``bool`` (true/false words), ``choice`` (one of
#: ``choices``, any case), ``text`` (non-empty text), ``path`` (a file name), ``outcomes``
#: (``'R:prob,...'``), ``tails`` (``normal``, ``t`` or ``t:DF``), ``garch`` (on/off or
#: ``'ALPHA,BETA'``), ``jumps`` (on/off or ``'RATE,MEAN,SD'``), ``step`` (``continuous`` or a
#: number of days).
Kind = Literal[
    "float", "int", "bool", "choice", "text", "path", "outcomes", "tails", "garch", "jumps", "step"
]
#: Where a key belongs (the ``--help`` sections and the README table).
Group = Literal["model", "account", "run", "behaviour", "rules", "leverage", "odds", "part", "page"]

#: Text that means "not given" for an optional key (a share link's ``goal=none``).
OFF_WORDS = ("none", "off", "")

_MAX_TEXT = 4096  # longest text value read (a file name, an outcome table)


@dataclass(frozen=True, slots=True)
class Key:
    """One flat parameter: how it is read, checked, shown and documented.

    Parameters
    ----------
    name : str
        The flat name (``win_rate``); the flag is ``--win-rate``.
    kind : Kind
        See :data:`Kind`.
    lo, hi : float, optional
        Allowed range of a number (inclusive unless ``lo_incl`` / ``hi_incl`` say otherwise);
        for ``tails`` the degrees of freedom, for ``step`` the number of days.
    choices : tuple of str
        Allowed values of a ``choice`` (matched in any case, returned as spelled here).
    group : Group
    default : object
        The value used when no layer gives the key (``None``: off / not used).
    optional : bool
        ``None`` is a valid value ("off"); in text, ``none`` / ``off`` / empty.
    help : str
        One line for ``--help``, the README and the app.
    hint : str
        Advice added to every error message of this key.
    percent : bool
        A fraction shown in percent in the app; a value between 1 and 100 (a percent typed
        where a fraction belongs) gets the hint ``Use 0.05 for 5%...``.
    percent_of : str
        What the percent is of, for that hint (``" of equity"``).
    unit : str
        Unit shown beside the value (``"R"``, ``"days"``, ``"bp"``, ``"USD"`` ...).
    example : str
        A valid value as typed on the command line (used in ``--help`` and the tests).
    metavar : str
        The ``--help`` placeholder (default from the kind).
    parts : tuple of Key
        ``garch`` / ``jumps``: the keys of their numbers (``garch_alpha``, ``garch_beta``;
        ``jump_rate``, ``jump_mean``, ``jump_sd``), each with its own range.
    """

    name: str
    kind: Kind = "float"
    lo: float | None = None
    hi: float | None = None
    lo_incl: bool = True
    hi_incl: bool = True
    choices: tuple[str, ...] = ()
    group: Group = "page"
    default: Any = None
    optional: bool = False
    help: str = ""
    hint: str = ""
    percent: bool = False
    percent_of: str = ""
    unit: str = ""
    example: str = ""
    metavar: str = ""
    parts: tuple[Key, ...] = ()

    # ------------------------------------------------------------------ descriptions
    @property
    def flag(self) -> str:
        """The command-line flag, ``--win-rate``."""
        return "--" + self.name.replace("_", "-")

    @property
    def allowed(self) -> str:
        """Plain words for what the key accepts (the middle of its error messages)."""
        if self.kind in ("float", "int"):
            rng = describe_range(self.lo, self.hi, self.lo_incl, self.hi_incl)
            return ("a whole number " if self.kind == "int" else "a number ") + rng
        if self.kind == "bool":
            return "true or false (also yes/no, on/off, 1/0)"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "outcomes":
            return "a list like '-1:0.55,2:0.45' (R value:probability)"
        if self.kind == "tails":
            return f"'normal', 't' (the asset's) or 't:DF' with DF {self._range()}, e.g. t:4"
        if self.kind == "garch":
            return "on, off or 'ALPHA,BETA' (daily, each at least 0, ALPHA + BETA < 1)"
        if self.kind == "jumps":
            return (
                "on, off, 'RATE,MEAN,SD' (crashes) or 'RATE,MEAN,SD,UP_RATE,UP_MEAN,UP_SD' "
                "(crashes and pumps; per day, log jump sizes), e.g. 0.01,-0.1,0.05"
            )
        if self.kind == "step":
            return f"'continuous' or a check interval in days {self._range()}"
        if self.kind == "path":
            return "a file name"
        return "a non-empty text value"

    def _range(self) -> str:
        return describe_range(self.lo, self.hi, self.lo_incl, self.hi_incl)

    def _hint(self, value: object) -> str:
        if (
            self.percent
            and isinstance(value, Real)
            and not isinstance(value, bool)
            and self.hi is not None
            and self.hi <= 1
            and 1 <= float(value) <= 100
            and not (float(value) == 1 and self.hi == 1 and self.hi_incl)
        ):
            v = float(value)
            return f"Use {v / 100:g} for {v:g}%{self.percent_of}."
        return self.hint

    def error(self, value: object, allowed: str | None = None) -> ParameterError:
        """The key's error for ``value`` (``allowed`` defaults to :attr:`allowed`)."""
        return ParameterError(self.name, allowed or self.allowed, value, self._hint(value))

    # ------------------------------------------------------------------ checking
    def check(self, value: Any) -> Any:
        """``value`` (typed: Python, TOML, a sweep axis) normalised, or the key's error.

        ``None`` passes for an optional key (off). Numbers come back as ``float`` / ``int``,
        choices in their canonical spelling, ``bool`` words as ``bool``; ``garch`` and
        ``jumps`` as ``True`` / ``False`` or a tuple of numbers; ``tails`` as ``"normal"``,
        ``"t"`` or the degrees of freedom (``float``).
        """
        if value is None:
            if self.optional:
                return None
            raise self.error(value)
        kind = self.kind
        if kind == "float":
            return self._number(value)
        if kind == "int":
            return check_int(self.name, value, self._int(self.lo), self._int(self.hi), self.hint)
        if kind == "bool":
            return parse_bool(value, self.name)
        if kind == "choice":
            return self._choice(value)
        if kind == "step":
            if isinstance(value, str) and value.strip().lower() == "continuous":
                return "continuous"
            if isinstance(value, str):
                raise self.error(value)
            return self._number(value)
        if kind in ("text", "path"):
            if isinstance(value, os.PathLike):
                value = os.fspath(value)
            if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT:
                raise self.error(value)
            return value
        if kind == "outcomes":
            if hasattr(value, "values") and hasattr(value, "probs"):
                return value  # a Discrete model, validated by itself
            outcome_pairs(value)
            return value
        if kind == "tails":
            return self._tails(value)
        if kind in ("garch", "jumps"):
            return self._switch_or_numbers(value)
        raise AssertionError(kind)  # pragma: no cover - every kind is handled above

    def _int(self, bound: float | None) -> int | None:
        return None if bound is None else int(bound)

    def _number(self, value: Any) -> float:
        return check_number(
            self.name,
            value,
            self.lo,
            self.hi,
            lo_incl=self.lo_incl,
            hi_incl=self.hi_incl,
            hint=self._hint(value),
        )

    def _choice(self, value: Any) -> str:
        if isinstance(value, str):
            word = value.strip().lower()
            for c in self.choices:
                if c.lower() == word:
                    return c
        raise self.error(value)

    def _tails(self, value: Any) -> str | float:
        if isinstance(value, Real) and not isinstance(value, bool):
            return self._df(value, value)
        if isinstance(value, str):
            text = value.strip().lower()
            if text in ("normal", "t"):
                return text
            if text.startswith("t:"):
                try:
                    df = float(text[2:])
                except ValueError:
                    raise self.error(value) from None
                return self._df(df, value)
        raise self.error(value)

    def _df(self, df: Any, value: Any) -> float:
        if not (isinstance(df, Real) and math.isfinite(float(df))):
            raise self.error(value)
        ok_lo = self.lo is None or df > self.lo or (df == self.lo and self.lo_incl)
        ok_hi = self.hi is None or df < self.hi or (df == self.hi and self.hi_incl)
        if not (ok_lo and ok_hi):
            raise ParameterError(self.name, f"t:DF with DF {self._range()}", value, self.hint)
        return float(df)

    def _switch_or_numbers(self, value: Any) -> bool | tuple[float, ...]:
        """``garch`` / ``jumps``: on / off, or their numbers (checked by their parts)."""
        if isinstance(value, bool):
            return value
        n = len(self.parts)
        # jumps: crashes only (3 numbers) or crashes and pumps (6)
        counts = (3, 6) if self.kind == "jumps" else (n,)
        items: Sequence[Any]
        if isinstance(value, str):
            try:
                return parse_bool(value, self.name)
            except ParameterError:
                pass
            items = value.split(",")
            if len(items) not in counts:
                raise self.error(value)
            try:
                items = [float(x) for x in items]
            except ValueError:
                raise self.error(value) from None
        elif isinstance(value, (list, tuple)) and len(value) in counts:
            items = value
        else:
            raise self.error(value)
        out = tuple(part.check(x) for part, x in zip(self.parts[: len(items)], items, strict=True))
        if n == 2 and out[0] + out[1] >= 1.0:
            raise ParameterError(
                self.name, "ALPHA,BETA with ALPHA + BETA < 1 (stationary variance)", value
            )
        return out

    # ------------------------------------------------------------------ reading text
    def parse(self, text: Any) -> Any:
        """Read a text value (a flag, a link) the key's way, then :meth:`check` it.

        Anything that is not text goes straight to :meth:`check`.
        """
        if not isinstance(text, str):
            return self.check(text)
        t = text.strip()
        if len(t) > _MAX_TEXT:
            raise self.error(t[:40] + "...")
        if self.optional and t.lower() in OFF_WORDS:
            return None
        if self.kind in ("float", "step") and not (
            self.kind == "step" and t.lower() == "continuous"
        ):
            try:
                number = float(t)
            except ValueError:
                raise self.error(text) from None
            return self.check(number)
        if self.kind == "int":
            try:
                whole: int | float = int(t)
            except ValueError:
                try:
                    whole = float(t)  # "2.0" is a whole number; "2.5" is refused by check
                except ValueError:
                    raise self.error(text) from None
            return self.check(whole)
        return self.check(t if self.kind not in ("text", "path") else text)

    def format(self, value: Any) -> str:
        """The text that :meth:`parse` reads back as ``value`` (shortest exact form)."""
        if value is None:
            return "none"
        if isinstance(value, bool):
            return "true" if value else "false"
        if self.kind == "int":
            return str(int(value))
        if self.kind == "tails" and isinstance(value, float):
            return f"t:{value!r}"
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, tuple):
            return ",".join(repr(float(x)) for x in value)
        return str(value)

    def describe(self) -> str:
        """Range or choices in short form for tables: ``(0, 1]``, ``long, short``."""
        if self.kind in ("float", "int") or (
            self.kind in ("tails", "step") and (self.lo is not None or self.hi is not None)
        ):
            lo = "-inf" if self.lo is None else f"{self.lo:g}"
            hi = "inf" if self.hi is None else f"{self.hi:g}"
            left = "[" if self.lo_incl and self.lo is not None else "("
            right = "]" if self.hi_incl and self.hi is not None else ")"
            span = f"{left}{lo}, {hi}{right}"
            return {
                "tails": f"normal, t or t:DF with DF in {span}",
                "step": f"continuous or {span}",
            }.get(self.kind, span)
        if self.kind == "choice":
            return ", ".join(self.choices)
        return {
            "bool": "true, false",
            "outcomes": "R:prob,...",
            "garch": "on, off or ALPHA,BETA",
            "jumps": "on, off, RATE,MEAN,SD or RATE,MEAN,SD,UP_RATE,UP_MEAN,UP_SD",
            "path": "file",
            "text": "text",
        }[self.kind]


def outcome_pairs(text: Any) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """``"-1:0.5, 1.5:0.3, 3:0.2"`` -> ``((-1.0, 1.5, 3.0), (0.5, 0.3, 0.2))``.

    The syntax check of the ``outcomes`` key; the values and probabilities are checked by
    :class:`ruin.outcomes.Discrete`.
    """
    if not isinstance(text, str) or not text.strip():
        raise ParameterError("outcomes", "a list like '-1:0.55,2:0.45' (R value:probability)", text)
    values, probs = [], []
    for i, part in enumerate(p for p in text.split(",") if p.strip()):
        if ":" not in part:
            raise ParameterError(
                "outcomes", "a list like '-1:0.55,2:0.45' (R value:probability)", text
            )
        v, p = part.split(":", 1)
        try:
            values.append(float(v))
            probs.append(float(p))
        except ValueError:
            raise ParameterError(
                f"outcomes item {i + 1}", "two numbers 'R:probability'", part.strip()
            ) from None
    if not values:
        raise ParameterError("outcomes", "a list like '-1:0.55,2:0.45' (R value:probability)", text)
    return tuple(values), tuple(probs)
