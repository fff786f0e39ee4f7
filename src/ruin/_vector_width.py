"""Let LLVM use 512-bit vectors for ruin's kernels on CPUs that have AVX-512.

LLVM's tuning for recent Intel server CPUs (Skylake-X to Emerald Rapids) sets
``prefer-256-bit``: loops are vectorised with 256-bit registers even where 512-bit ones
exist. The account engine's Bernoulli lane loop is bound by vector instruction
throughput, and 512-bit vectors run it faster (``benchmarks/bench_engine.py``; the README
has the measured figures). Results are bit-identical either way: numba does not
reassociate floating point without ``fastmath``, so the vector width only changes speed.

numba reads ``NUMBA_CPU_FEATURES`` when it is imported, so this must run before numba is
imported: ``ruin/__init__`` arranges that (:mod:`ruin._before_numba`) without importing
numba or llvmlite itself, so commands that need no kernel stay fast. It does nothing when
numba is already imported, when ``NUMBA_CPU_FEATURES`` is set already (the user's choice
wins), when the CPU has no AVX-512, or when ``RUIN_PREFER_512=0``. It applies to every numba
function compiled in the process (a tuning flag: it changes speed, not results). Compiled
kernels are cached per CPU feature string, so both settings can share a cache directory.
"""

from __future__ import annotations

import os
import sys


def prefer_512_bit_vectors() -> bool:
    """Set ``NUMBA_CPU_FEATURES`` to the host's features plus ``-prefer-256-bit``; returns
    whether it was set."""
    if "numba" in sys.modules or "NUMBA_CPU_FEATURES" in os.environ:
        return False
    if os.environ.get("RUIN_PREFER_512", "1") == "0":
        return False
    try:
        import llvmlite.binding as llvm

        features = llvm.get_host_cpu_features().flatten()
    except Exception:  # noqa: BLE001 - no feature query on this platform: leave numba's default
        return False
    if "+avx512f" not in features.split(","):
        return False
    os.environ["NUMBA_CPU_FEATURES"] = features + ",-prefer-256-bit"
    return True


#: Whether :func:`apply` set the 512-bit preference in this process.
PREFER_512 = False


def apply() -> bool:
    """Run :func:`prefer_512_bit_vectors` once, recording the outcome in :data:`PREFER_512`."""
    global PREFER_512
    PREFER_512 = prefer_512_bit_vectors()
    return PREFER_512
