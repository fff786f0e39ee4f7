"""A fresh clone's ``./dev app``: seconds from the command to the first page with its charts.

Run from the repository root (needs Chromium at /usr/bin/chromium, as the browser test)::

    .venv/bin/python benchmarks/bench_fresh_app.py     # 2 repeats -> results/fresh_app.json
    .venv/bin/python benchmarks/bench_fresh_app.py --repeat 1 --out /tmp/f.json

Each repeat clones the repository's committed ``HEAD`` into a new folder (no ``.venv``, no
numba cache), runs ``./dev app`` there on a free port and opens the page in headless
Chromium: ``page_served_s`` is when the server first answered (the install and Streamlit's
start), ``first_charts_s`` when every chart of the default page is drawn (the kernels
compiled on the way, with the page's progress box showing). Target: at most 90 s.

Packages come from whatever index ``./dev`` reaches, through uv's download cache, which is
warm after the first install on a machine: the first repeat on a new machine also pays the
downloads. The CPU model, the commit and the load average are stored with the result.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "browser"))
from _meta import RESULTS, ROOT, finish, machine, stats  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_run() -> dict:
    """Clone, ``./dev app``, and time the first page and its charts in Chromium."""
    from playwright.sync_api import sync_playwright
    from screenshot import goto_with_retry, launch, wait_until_ready

    with tempfile.TemporaryDirectory(prefix="ruin-fresh-") as folder:
        clone = Path(folder) / "ruin"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        port = _free_port()
        log = open(Path(folder) / "app.log", "w")  # noqa: SIM115 - closed below
        t0 = time.monotonic()
        proc = subprocess.Popen(
            ["./dev", "app", "--server.port", str(port), "--server.headless", "true"],
            cwd=clone,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            with tempfile.TemporaryDirectory() as prof, sync_playwright() as p:
                ctx = launch(p, 1400, 900, profile_dir=prof)
                page = ctx.pages[0] if ctx.pages else ctx.new_page()
                goto_with_retry(page, f"http://127.0.0.1:{port}/", time.monotonic() + 600)
                served = time.monotonic() - t0
                info = wait_until_ready(page, timeout=600, settle=0.5)
                charts = time.monotonic() - t0 - 0.5  # minus the settle period
                ctx.close()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
            log.close()
    return {"page_served_s": served, "first_charts_s": charts, "page": info}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--out", type=Path, default=RESULTS / "fresh_app.json")
    args = ap.parse_args(argv)
    info = machine()
    runs = []
    for i in range(args.repeat):
        runs.append(one_run())
        r = runs[-1]
        print(
            f"[{i + 1}/{args.repeat}] page served {r['page_served_s']:.1f} s, charts drawn "
            f"{r['first_charts_s']:.1f} s ({r['page']['drawn']}/{r['page']['charts']} charts, "
            f"{r['page']['exceptions']} exceptions)"
        )
    result = {
        "meta": finish(info),
        "method": "fresh git clone of HEAD, ./dev app, headless Chromium; seconds from the "
        "command; uv's download cache as the machine has it",
        "page_served_s": stats([r["page_served_s"] for r in runs]),
        "first_charts_s": stats([r["first_charts_s"] for r in runs]),
        "pages": [r["page"] for r in runs],
        "target_s": 90,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
