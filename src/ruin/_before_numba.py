"""ruin's numba set-up, run just before numba is first imported rather than on ``import ruin``.

Two things must happen before any kernel is compiled or loaded: the 512-bit vector
preference (:mod:`ruin._vector_width`, read by numba at its import) and the check that drops
numba's on-disk cache when a source changed (:mod:`ruin._numba_cache`). Doing them when
``ruin`` is imported would cost every command the import of llvmlite and a hash of the
sources, even the calculators (``ruin liquidation``, ``size``, ``funding``) that never
touch numba. :func:`install` puts a finder at the front of ``sys.meta_path`` that runs them
the first time anything imports numba, then steps aside (the import itself proceeds as
usual). When numba is already imported, they run at once (as before).
"""

from __future__ import annotations

import sys
from importlib.abc import MetaPathFinder

__all__ = ["install", "set_up"]

_DONE = False


def set_up() -> None:
    """The set-up itself (once per process)."""
    global _DONE
    if _DONE:
        return
    _DONE = True
    from . import _vector_width
    from ._numba_cache import clear_if_sources_changed

    _vector_width.apply()
    clear_if_sources_changed()


class _NumbaHook(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):  # noqa: ARG002 - the finder protocol
        if name == "numba" or name.startswith("numba."):
            _remove()
            set_up()
        return None  # the ordinary finders import numba


_HOOK = _NumbaHook()


def _remove() -> None:
    if _HOOK in sys.meta_path:
        sys.meta_path.remove(_HOOK)


def install() -> None:
    """Run :func:`set_up` now if numba is imported already, else just before it is."""
    if "numba" in sys.modules:
        set_up()
    elif _HOOK not in sys.meta_path:
        sys.meta_path.insert(0, _HOOK)
