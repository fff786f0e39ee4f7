"""Keep numba's on-disk cache honest when ruin's sources change.

numba caches each compiled function next to its source (``__pycache__/*.nbi`` index,
``*.nbc`` machine code) and reuses it while *that* source file is unchanged. A kernel also
carries inlined copies of helpers from other files (``inline="always"``, and LLVM inlining
of small functions), and numba does not notice when one of those files is edited: the
kernel would keep running the old helper. So, once per process, before any kernel is
loaded, :func:`clear_if_sources_changed` hashes every ``*.py`` file of the package and, when
the hash differs from the one stored with the cache, deletes the package's cached kernels
(they are compiled again on first use) and stores the new hash.

Installed copies whose folders cannot be written are left alone (nothing there changes).
With ``NUMBA_CACHE_DIR`` set the caches live outside the package and the user manages
them; ``RUIN_KEEP_NUMBA_CACHE=1`` turns the check off.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["clear_if_sources_changed", "sources_digest"]

_ROOT = Path(__file__).resolve().parent
_STAMP = _ROOT / "__pycache__" / "numba-sources.sha256"


def sources_digest(root: Path = _ROOT) -> str:
    """SHA-256 of the package's Python sources (names and contents, in a fixed order)."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def clear_if_sources_changed() -> bool:
    """Delete the package's numba cache files if the sources changed; True if it did."""
    if os.environ.get("NUMBA_CACHE_DIR") or os.environ.get("RUIN_KEEP_NUMBA_CACHE") == "1":
        return False
    try:
        digest = sources_digest()
        if _STAMP.is_file() and _STAMP.read_text().strip() == digest:
            return False
        for path in list(_ROOT.rglob("*.nbi")) + list(_ROOT.rglob("*.nbc")):
            path.unlink(missing_ok=True)
        _STAMP.parent.mkdir(exist_ok=True)
        tmp = _STAMP.with_name(f"{_STAMP.name}.{os.getpid()}")
        tmp.write_text(digest + "\n")
        tmp.replace(_STAMP)
    except OSError:  # a read-only installation: its sources cannot change under it
        return False
    return True
