"""The ``ruin`` command line: ``main(argv) -> int``.

Every subcommand prints a readable table, or one JSON object with ``--json``. Usage errors and
invalid values print one line to stderr and exit 2; nothing prints a traceback for user input.
Subcommands live in small modules that each expose ``add_commands(subparsers)``:
:mod:`~ruin.cli.simulate` (``simulate``), :mod:`~ruin.cli.sweep` (``sweep``),
:mod:`~ruin.cli.calc` (``liquidation``, ``size``, ``funding``, ``odds``) and
:mod:`~ruin.cli.scenarios` (``scenarios``, ``lesson``) and :mod:`~ruin.cli.warmup`
(``warmup``); a handler returns the JSON-ready dict
and a text renderer (:mod:`~ruin.cli.common`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..errors import ParameterError
from . import calc, scenarios, simulate, sweep, warmup
from .common import Parser, UsageError, add_json_flag, emit, float_list

__all__ = ["main", "entry", "UsageError", "add_json_flag", "float_list", "emit"]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="ruin",
        description="Monte Carlo risk of ruin for (leveraged) trading, with exact answers "
        "beside the simulation.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for module in (simulate, sweep, calc, scenarios, warmup):
        module.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 usage or invalid input, 130 Ctrl-C)."""
    args = None
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
        args.func(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except ParameterError as exc:
        print(
            f"ruin {getattr(args, 'command', '')}: error: {exc}".replace("  ", " "), file=sys.stderr
        )
        return 2
    except BrokenPipeError:  # pragma: no cover - e.g. `ruin ... | head`
        return 0
    except KeyboardInterrupt:  # Ctrl-C: one line, the shell's 128 + SIGINT
        print(
            f"ruin {getattr(args, 'command', '')}: interrupted.".replace("  ", " "), file=sys.stderr
        )
        return 130
    except RecursionError:
        print(
            f"ruin {getattr(args, 'command', '')}: error: an input nested too deeply to read.",
            file=sys.stderr,
        )
        return 2
    return 0


def entry() -> None:  # console script
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C while Python starts or imports
        print("ruin: interrupted.", file=sys.stderr)
        sys.exit(130)
