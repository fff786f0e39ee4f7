"""Write ``tests/golden/golden.json`` (run only when numbers move on purpose, and say why in
the same commit): ``.venv/bin/python tests/golden/regenerate.py``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import record  # noqa: E402

if __name__ == "__main__":
    path = Path(__file__).resolve().parent / "golden.json"
    data = record.record_all()
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(
        f"wrote {path} ({len(data['simulate'])} simulate cases, {len(data['commands'])} commands)"
    )
