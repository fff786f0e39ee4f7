"""Fault injection for the sweep tests: a batch task that kills its worker process once.

It lives here, not in the library: ``ruin.sweep.run_sweep(..., _task=...)`` runs it instead
of :func:`ruin.sweep.batch.run_batch` (worker processes import it from this folder, which
pytest puts on ``sys.path`` and spawned workers inherit)."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from ruin.sweep.batch import run_batch


def _run_batch_dying_once(cells: Any, *, threads: int | None = 1, marker: str) -> Any:
    if not os.path.exists(marker):
        Path(marker).touch()
        os._exit(17)  # the worker process dies, as a machine failure would
    return run_batch(cells, threads=threads)


def dying_once(marker: str) -> Any:
    """A picklable batch task that kills its worker the first time (``marker`` is created)."""
    return functools.partial(_run_batch_dying_once, marker=marker)
