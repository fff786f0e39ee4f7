"""What every ``ruin`` subcommand shares: the usage error, the parser class, ``--json`` and
output (a readable table, or one JSON object)."""

from __future__ import annotations

import argparse
import json
import math
import re
from collections.abc import Callable
from typing import Any, NoReturn

from ..errors import ParameterError
from ..keys import Key
from ..parse import parse_bool

__all__ = [
    "NEGATIVE_VALUE",
    "UsageError",
    "Parser",
    "add_json_flag",
    "bool_arg",
    "emit",
    "float_list",
    "json_safe",
    "key_type",
]


class UsageError(Exception):
    """A command-line usage problem: printed as one line, exit status 2."""


#: What argparse reads as a value, not as a flag, after ``--flag``: anything that starts like a
#: number with a minus sign (``-0.001``, ``-1e-4``, ``-inf``, ``-1:0.6,2:0.4``), so negative
#: values can be typed as shown in ``--help`` (``--flag=-1`` works as well).
NEGATIVE_VALUE = re.compile(r"^-(?:\d|\.\d|inf(?:inity)?$|nan$)", re.IGNORECASE)


class Parser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` with one-line usage errors and negative values as values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_VALUE  # argparse's own hook for this

    def error(self, message: str) -> NoReturn:  # one clear line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def key_type(key: Key) -> Callable[[str], Any]:
    """argparse ``type`` reading a flag's text with its key (:meth:`ruin.keys.Key.parse`):
    a bad value gives the key's one message, e.g. ``argument --risk: risk must be greater than
    0 and at most 1; got 5. Use 0.05 for 5% of equity.``"""

    def read(text: str) -> Any:
        try:
            return key.parse(text)
        except ParameterError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    read.__name__ = key.name
    return read


def float_list(text: str) -> tuple[float, ...]:
    """argparse type for '0.1,0.2,0.5' (at least one number)."""
    try:
        values = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        values = ()
    if not values:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers like 0.1,0.2,0.5; got {text!r}"
        )
    return values


def bool_arg(text: str) -> bool:
    """argparse type for ``true``/``false`` flags: the rule of :func:`ruin.parse.parse_bool`."""
    try:
        return parse_bool(text)
    except ParameterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")


def json_safe(obj: Any) -> Any:
    """JSON-safe: NaN/inf -> null, numpy scalars -> Python, tuples -> lists."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def emit(data: dict[str, Any], as_json: bool, render: Callable[[dict[str, Any]], str]) -> None:
    if as_json:
        print(json.dumps(json_safe(data), indent=2, allow_nan=False))
    else:
        print(render(data))
