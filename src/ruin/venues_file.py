"""The dated presets file ``data/venues.toml``, read once.

Both :mod:`ruin.venues` (the presets themselves) and :mod:`ruin.keys` (the names a ``venue``,
``asset`` or ``funding_regime`` key accepts) read it from here, so the names on the command
line, in scenario files and in the app are exactly the presets the file holds.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["raw", "names"]


@cache
def raw() -> dict[str, Any]:
    """The parsed file (cached; do not modify)."""
    text = resources.files("ruin").joinpath("data/venues.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def names(table: str) -> tuple[str, ...]:
    """The preset names of one table: ``"venues"``, ``"assets"`` or ``"funding_regimes"``."""
    return tuple(raw()[table])
