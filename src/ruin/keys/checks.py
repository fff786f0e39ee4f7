"""The checks that use the key table: one flat key, and the rules that tie two values of one
object together, once each.

The parameter objects check their fields with the table's keys (:func:`check`), so an object
built in Python says exactly what a flag or a file would. :func:`check_leverage` (one ceiling,
:data:`~ruin.keys.table.MAX_LEVERAGE`, or a venue's tier maximum), :func:`check_mmr`
(``mmr < 1/leverage``) and :func:`check_edge` (a leveraged trade has exactly one of
``win_rate`` and ``drift``); the messages of the flat-key conflict rules
(:func:`apart_error`, :func:`one_of_error`) are shared with :data:`ruin.keys.CONFLICTS`.
"""

from __future__ import annotations

from typing import Any

from ..errors import ParameterError
from .table import KEYS, PARTS

__all__ = [
    "EDGE_NEEDED",
    "EDGE_ONCE",
    "apart_error",
    "check",
    "check_edge",
    "check_leverage",
    "check_mmr",
    "edge_conflict",
    "one_of_error",
]


def check(name: str, value: Any) -> Any:
    """``KEYS[name].check(value)``: the one check of a flat key (see :class:`Key`)."""
    key = KEYS.get(name) or PARTS.get(name)
    if key is None:
        raise ParameterError(name, "a known parameter (see `ruin simulate --help`)", value)
    return key.check(value)


def check_leverage(
    value: Any, max_leverage: float | None = None, *, where: str = "this venue"
) -> float:
    """Leverage within the table's range, and at most ``max_leverage`` (a venue's tier
    maximum) when one is given."""
    lev = KEYS["leverage"].check(value)
    if max_leverage is not None and lev > max_leverage:
        raise ParameterError(
            "leverage",
            f"at least 1 and at most {max_leverage:g} (the maximum on {where})",
            value,
            "Lower the leverage, or choose another venue.",
        )
    return lev


def check_mmr(value: Any, leverage: float | None = None) -> float:
    """Maintenance margin rate within the table's range, and below ``1 / leverage``: at or
    above the initial margin a position is liquidated the instant it opens."""
    mmr = KEYS["mmr"].check(value)
    if leverage is not None and mmr >= 1.0 / leverage:
        raise ParameterError(
            "mmr",
            f"less than 1/leverage = {1.0 / leverage:.6g} at {leverage:g}x",
            value,
            "With mmr >= 1/leverage the position is liquidated the instant it opens "
            "(instant liquidation); lower the leverage or the mmr.",
        )
    return mmr


def check_edge(win_rate: Any, drift: Any) -> tuple[float | None, float | None]:
    """A leveraged trade's edge: exactly one of ``win_rate`` and ``drift`` (the other None).

    The same messages as the flat-key rules of :data:`ruin.keys.CONFLICTS`.
    """
    if win_rate is not None and drift is not None:
        raise edge_conflict(drift)
    if win_rate is None and drift is None:
        raise one_of_error(("win_rate", "drift"), EDGE_NEEDED)
    if win_rate is not None:
        return KEYS["win_rate"].check(win_rate), None
    return None, KEYS["drift"].check(drift)


#: Why a leveraged trade takes one of win_rate and drift (a rule of :data:`ruin.keys.CONFLICTS`).
EDGE_ONCE = "the edge is set once: win_rate, or drift with 0 = no edge"
#: ... and why it needs one of them.
EDGE_NEEDED = "the trade needs an edge; drift 0 = no edge"


def apart_error(key: str, other: str, why: str, value: Any) -> ParameterError:
    """``KEY must be left out when OTHER is given (WHY); got VALUE.``: two keys that do not
    go together (the message of every "apart" rule of :data:`ruin.keys.CONFLICTS`)."""
    return ParameterError(
        key, f"left out when {other} is given ({why})", value, f"Give {other} or {key}, not both."
    )


def one_of_error(keys: tuple[str, ...], why: str) -> ParameterError:
    """``A or B must be given in the leveraged mode (WHY); got None.``"""
    return ParameterError(
        " or ".join(keys),
        f"given in the leveraged mode ({why})",
        None,
        f"Give {keys[0]} (e.g. 0.45) or {keys[1]} (e.g. 0).",
    )


def edge_conflict(drift: Any) -> ParameterError:
    """The error for a leveraged trade given both a win rate and a drift."""
    return apart_error("drift", "win_rate", EDGE_ONCE, drift)
