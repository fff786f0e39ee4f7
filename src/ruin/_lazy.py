"""Package namespaces that import their modules on first use (PEP 562).

A package's ``__init__`` lists where each public name lives; ``from ruin.market import
plan_market`` then imports :mod:`ruin.market.plan` only, and importing a light submodule
(``ruin.market.flat``) never compiles-in the kernels beside it. That keeps numba out of the
commands that need no kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["exports"]


def exports(
    package: str, where: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: ``where`` maps each public name to the
    module (full name) that defines it; ``namespace`` is the package's
    ``globals()`` (a loaded name is stored there, so it is looked up once)."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:  # a submodule (``ruin.market`` after a bare ``import ruin``)
            if name.startswith("__"):
                raise AttributeError(f"module {package!r} has no attribute {name!r}")
            try:
                value = import_module(f"{package}.{name}")
            except ModuleNotFoundError as err:
                if err.name != f"{package}.{name}":
                    raise
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
            namespace[name] = value
            return value
        value = getattr(import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *where})

    return __getattr__, __dir__
