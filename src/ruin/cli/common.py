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
from ..parse import parse_bool

__all__ = ["UsageError", "Parser", "add_json_flag", "bool_arg", "float_list", "emit", "json_safe"]


class UsageError(Exception):
    """A command-line usage problem: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors, and values that start with a minus sign read as values:
    ``--outcomes -1:0.6,2:0.4``, ``--garch -0.1,0.9,0.05`` and ``--win-rate -inf`` are typed
    as shown (plain argparse takes them for unknown flags)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # argparse's own check, widened from "-12" / "-.5" to any number-like text
        self._negative_number_matcher = _NEGATIVE_VALUE

    def error(self, message: str) -> NoReturn:  # one clear line, exit 2
        raise UsageError(f"{self.prog}: {message}")


_NEGATIVE_VALUE = re.compile(r"^-(?:\d|\.\d|inf(?:inity)?$|nan$)", re.IGNORECASE)


def float_list(text: str) -> tuple[float, ...]:
    """argparse type for '0.1,0.2,0.5'."""
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers like 0.1,0.2,0.5; got {text!r}"
        ) from None


def bool_arg(text: str) -> bool:
    """argparse type for ``true``/``false`` flags: the rule of :func:`ruin.parse.parse_bool`."""
    try:
        return parse_bool(text)
    except ParameterError:
        raise argparse.ArgumentTypeError(f"expected true or false; got {text!r}") from None


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
