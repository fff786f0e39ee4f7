"""The ``ruin`` command line: ``main(argv) -> int``.

Every subcommand prints a readable table, or one JSON object with ``--json``. Usage errors and
invalid values print one line to stderr and exit 2; nothing prints a traceback for user input.
Subcommands live in small modules that each expose ``add_commands(subparsers)``; a handler
returns the JSON-ready dict and a text renderer.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from .errors import ParameterError

__all__ = ["main", "entry", "UsageError", "add_json_flag", "float_list", "emit"]

# Modules contributing subcommands (each has add_commands(subparsers)).
COMMAND_MODULES = ["ruin.cli_simulate", "ruin.cli_sweep", "ruin.cli_calc", "ruin.cli_scenarios"]


class UsageError(Exception):
    """A command-line usage problem: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one clear line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def float_list(text: str) -> tuple[float, ...]:
    """argparse type for '0.1,0.2,0.5'."""
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers like 0.1,0.2,0.5; got {text!r}"
        ) from None


def add_json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _clean(obj: Any) -> Any:
    """JSON-safe: NaN/inf -> null, numpy scalars -> Python, tuples -> lists."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def emit(data: dict[str, Any], as_json: bool, render: Callable[[dict[str, Any]], str]) -> None:
    if as_json:
        print(json.dumps(_clean(data), indent=2, allow_nan=False))
    else:
        print(render(data))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ruin",
        description="Monte Carlo risk of ruin for (leveraged) trading, with exact answers "
        "beside the simulation.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 usage or invalid input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
        args.func(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except ParameterError as exc:
        print(f"ruin {getattr(args, 'command', '')}: error: {exc}".replace("  ", " "),
              file=sys.stderr)
        return 2
    except BrokenPipeError:  # pragma: no cover - e.g. `ruin ... | head`
        return 0
    return 0


def entry() -> None:  # console script
    sys.exit(main())
