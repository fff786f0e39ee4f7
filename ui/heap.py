"""The server's garbage collector: no full collection after every script run.

Streamlit runs ``gc.collect(2)`` after each script run unless ``runner.postScriptGC`` is
false. In this app's server that full collection walks about 250,000 long-lived objects
(numba and llvmlite, Altair's schema, polars, scipy, the compiled kernels) and cost about
0.3 s of CPU per run, most of what a session or a slider move cost the server, holding the
GIL meanwhile, so every other session waited. ``.streamlit/config.toml`` turns it off, and
:func:`freeze_once` moves what exists after the first page is drawn (modules, kernels,
caches) into the permanent generation, so that Python's own automatic collections, which
still run, no longer walk it (a full collection then takes a few milliseconds).
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_once() -> None:
    """Collect once, then freeze the survivors (once per server process)."""
    global _frozen
    if _frozen:
        return
    gc.collect()
    gc.freeze()
    _frozen = True
