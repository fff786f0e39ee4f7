"""The key, precedence and conflict tables in Markdown (the README's "Parameters" section is
this text; a test keeps the two equal)."""

from __future__ import annotations

from typing import Any

from .layers import CONFLICTS, PRECEDENCE
from .spec import Key
from .table import GROUPS, KEYS

__all__ = ["markdown_table", "precedence_table", "conflicts_table", "default_text"]


def default_text(key: Key) -> str:
    """The default as shown in ``--help`` and the README (``off`` for an optional key)."""
    d: Any = key.default
    if d is None:
        return "off" if key.optional else "—"
    if isinstance(d, bool):
        return "true" if d else "false"
    if isinstance(d, float):
        return f"{d:g}"
    return str(d)


def markdown_table() -> str:
    """Every key of :data:`ruin.keys.KEYS`: flag, allowed values, default, unit, meaning."""
    lines = []
    for grp, title in GROUPS.items():
        keys = [k for k in KEYS.values() if k.group == grp]
        if not keys:
            continue
        lines += [
            "",
            f"**{title[0].upper() + title[1:]}**",
            "",
            "| key (flag) | allowed | default | unit | meaning |",
            "|---|---|---|---|---|",
        ]
        for k in keys:
            unit = k.unit or ("fraction" if k.percent else "")
            lines.append(
                f"| `{k.name}` (`{k.flag}`) | {k.describe()} | {default_text(k)} | {unit} | "
                f"{k.help} |"
            )
    return "\n".join(lines[1:])


def precedence_table() -> str:
    """:data:`ruin.keys.PRECEDENCE`, lowest first."""
    rows = ["| layer (lowest first) | what it is |", "|---|---|"]
    rows += [f"| `{name}` | {text} |" for name, text in PRECEDENCE]
    return "\n".join(rows)


def conflicts_table() -> str:
    """:data:`ruin.keys.CONFLICTS` in words."""
    return "\n".join(f"* {rule.describe()}" for rule in CONFLICTS)
