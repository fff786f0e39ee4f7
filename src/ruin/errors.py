"""One error type for bad input, with messages a student can act on.

Every boundary (parameter objects, CLI parsing, scenario files, uploads) raises
:class:`ParameterError`, a :class:`ValueError` that names the parameter, what is allowed and
what arrived. The CLI prints its message and exits 2; the app shows it with ``st.error``.
"""

from __future__ import annotations

import math
from numbers import Real

__all__ = ["ParameterError", "check_choice", "check_int", "check_number", "describe_range", "shown"]


class ParameterError(ValueError):
    """Invalid user input. ``str(err)`` is a complete one-line message.

    Attributes
    ----------
    name : str
        The parameter (as the user knows it, e.g. ``"risk"`` or ``"win_rate"``).
    allowed : str
        Human wording of the allowed range.
    got : object
        The value received.
    """

    def __init__(self, name: str, allowed: str, got: object, hint: str = "") -> None:
        self.name = name
        self.allowed = allowed
        self.got = got
        self.hint = hint
        msg = f"{name} must be {allowed}; got {shown(got)}."
        if hint:
            msg += f" {hint}"
        super().__init__(msg)


def shown(value: object) -> str:
    """How a received value reads in a message: ``repr``, except that a whole float shows as
    the number typed (``5.0`` -> ``5``), so ``--risk 5``, ``risk = 5`` and ``Sizing(risk=5.0)``
    give the same sentence."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        if abs(value) < 1e16:
            return str(int(value))
    return repr(value)


def describe_range(lo: float | None, hi: float | None, lo_incl: bool, hi_incl: bool) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'at least' if lo_incl else 'greater than'} {lo:g}")
    if hi is not None:
        parts.append(f"{'at most' if hi_incl else 'less than'} {hi:g}")
    if len(parts) == 2 and not lo_incl and not hi_incl:
        return f"between {lo:g} and {hi:g} (exclusive)"
    return " and ".join(parts) if parts else "a finite number"


def check_number(
    name: str,
    value: object,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_incl: bool = True,
    hi_incl: bool = True,
    hint: str = "",
) -> float:
    """Validate a finite real number in a range and return it as ``float``."""
    allowed = describe_range(lo, hi, lo_incl, hi_incl)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ParameterError(name, f"a number {allowed}", value, hint)
    v = float(value)
    if not math.isfinite(v):
        raise ParameterError(name, f"a finite number {allowed}", value, hint)
    if lo is not None and (v < lo or (v == lo and not lo_incl)):
        raise ParameterError(name, allowed, value, hint)
    if hi is not None and (v > hi or (v == hi and not hi_incl)):
        raise ParameterError(name, allowed, value, hint)
    return v


def check_int(
    name: str, value: object, lo: int | None = None, hi: int | None = None, hint: str = ""
) -> int:
    """Validate an integer in ``[lo, hi]`` (floats with an integral value are accepted)."""
    allowed = describe_range(lo, hi, True, True)
    ok = isinstance(value, int) and not isinstance(value, bool)
    if not ok and isinstance(value, float) and value.is_integer():
        value, ok = int(value), True
    if not ok:
        raise ParameterError(name, f"a whole number {allowed}", value, hint)
    v = int(value)  # type: ignore[arg-type]
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ParameterError(name, f"a whole number {allowed}", value, hint)
    return v


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ParameterError(name, "one of " + ", ".join(repr(c) for c in choices), value)
    return str(value)
