"""Running paths chunk by chunk: the memory check and the thread setting."""

from __future__ import annotations

import os
from contextlib import contextmanager

import numba

__all__ = ["memory_needed", "memory_limit", "numba_threads"]

_BYTES_PER_PATH = 8 + 8 + 4 * 6


def memory_needed(paths: int, trades: int, recorded: int) -> int:
    """Bytes the per-path results and recorded curves need (what the engine allocates)."""
    return paths * _BYTES_PER_PATH + recorded * (trades + 1) * 8


def memory_limit() -> int:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        total = 8 << 30
    return total // 2


@contextmanager
def numba_threads(n: int | None):
    """Run the block with ``n`` numba threads (``None``: leave the setting alone)."""
    if n is None:
        yield
        return
    old = numba.get_num_threads()
    numba.set_num_threads(max(1, min(int(n), numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(old)
