"""A class at once: N students open the app together and each moves a slider.

Run from the repository root (one command; about a minute on 2 cores)::

    .venv/bin/python benchmarks/bench_class.py           # 20 pages x 3 -> results/class.json
    .venv/bin/python benchmarks/bench_class.py --quick   # 4 pages, 1 repeat, no file

What it does:

1. starts ``streamlit run app.py`` (headless, loopback, a free port) and opens the default
   page once, so the numba kernels are loaded and the default scenario is cached
   ("warm server");
2. **warm sessions**: opens ``--sessions`` new browser tabs one after another on the default
   page (every number cached) and records, per session, the time to the first headline, to
   the whole page ready, and the server's CPU time for that session;
3. **one slider move** in a single tab (the page's risk slider, one step), timed to the new
   headline and to the last chart redrawn (``tests/browser/page_timing.py``);
   Then **the floor**: the same new sessions on :data:`FLOOR_PAGE` (the headline metric and
   one small chart, served by its own server), what any Streamlit page costs here;
4. **the class**, ``--repeats`` times: ``--pages`` tabs of one headless Chromium open the
   page together (each repeat on its own seed, so the first run of a repeat is not cached,
   as when a teacher hands out a new link), each waits until its page is ready, then moves
   the risk slider by ``1 + i % 10`` steps (ten different scenarios, each asked for by two
   students) and waits until its page is ready again with a new headline. Recorded per tab:
   time to ready after opening and time from the key press to the redrawn page.

Server CPU (user + system of the streamlit process) and browser CPU (all Chromium
processes) are read from ``/proc`` through psutil before and after each phase, so the
server's cost per session is reported apart from the browser's rendering, which shares the
same cores. Nothing is asserted; every repeat is stored with the commit, CPU model and
flags, date and load average in ``benchmarks/results/class.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "class.json"
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from page_timing import READ_JS, RESET_JS, TIMING_JS, slider_timings  # noqa: E402
from screenshot import CHROMIUM, CHROMIUM_ARGS, READY_JS  # noqa: E402

RISK_SLIDER = "Risk per trade"

#: The floor: the smallest page the same measurement can judge (the headline metric and one
#: small Altair chart), served by its own Streamlit server in the same way. Its new-session
#: time is what Streamlit and the browser cost on this machine before the app does anything.
FLOOR_PAGE = """
import altair as alt
import pandas as pd
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
st.title("Risk of ruin")
st.metric("Probability of ruin", "3.8%")
frame = pd.DataFrame({"trade": range(10), "equity": [1.0 + 0.01 * i for i in range(10)]})
st.altair_chart(alt.Chart(frame).mark_line().encode(x="trade", y="equity"))
"""


# --------------------------------------------------------------------------- machine


def cpu_info() -> dict[str, Any]:
    """CPU model, vector flags of interest, CPUs available, load average."""
    model, flags = platform.processor() or "unknown", []
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model in ("unknown", ""):
                model = line.split(":", 1)[1].strip()
            elif line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                have = set(line.split(":", 1)[1].split())
                flags = sorted(
                    f for f in have if f.startswith(("avx", "sse4", "fma", "amx")) or f == "bmi2"
                )
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "flags": flags,
        "cpus_available": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
    }


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return out + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


class CpuMeter:
    """CPU seconds of the server process and of every Chromium process, read from /proc.

    Chromium processes that exit between two readings take their CPU time with them, so
    tabs are closed only after a phase has been read.
    """

    def __init__(self, server_pid: int) -> None:
        self.server = psutil.Process(server_pid)

    def browser_procs(self) -> list[psutil.Process]:
        me = psutil.Process()
        procs = []
        for p in me.children(recursive=True):
            try:  # a Chromium helper may exit between the listing and this read
                if p.pid != self.server.pid and "chrom" in (p.name() or "").lower():
                    procs.append(p)
            except psutil.Error:
                pass
        return procs

    def read(self) -> dict[str, float]:
        return {
            "server": _cpu_seconds([self.server]),
            "browser": _cpu_seconds(self.browser_procs()),
        }


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log_path: Path, app: Path) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app.name,
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(cmd, cwd=app.parent, stdout=log, stderr=subprocess.STDOUT)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_health(port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer on port {port} within {timeout} s")


# --------------------------------------------------------------------------- one tab


async def wait_ready(page, timeout: float, settle: float = 0.3, headline_not: str | None = None):
    """Poll until the app is idle, every chart drawn (and the headline differs), for
    ``settle`` seconds. Returns (READY_JS info, monotonic time it first became ready)."""
    deadline = time.monotonic() + timeout
    since = None
    while True:
        info = await page.evaluate(READY_JS)
        rec = await page.evaluate(READ_JS)
        ok = bool(info.get("ready")) and info.get("charts", 0) > 0
        if ok and headline_not is not None:
            ok = rec is not None and rec["lastValue"] not in (None, headline_not)
        now = time.monotonic()
        if ok:
            since = since or now
            if now - since >= settle:
                return info, since
        else:
            since = None
        if now > deadline:
            raise TimeoutError(f"page not ready within {timeout} s: {info}")
        await asyncio.sleep(0.1)


async def move_slider(page, presses: int, old_url: str, timeout: float = 60.0) -> float:
    """Press ArrowRight ``presses`` times on the risk slider and commit it (blur).

    Returns the monotonic time of the commit. Retries the commit while the URL has not
    changed (a keyboard change can be lost while the page re-renders).
    """
    slider = page.get_by_test_id("stSlider").filter(has_text=RISK_SLIDER)
    thumb = slider.get_by_role("slider")
    deadline = time.monotonic() + timeout
    for attempt in range(4):
        await thumb.focus()
        for _ in range(presses if attempt == 0 else 0):
            await thumb.press("ArrowRight")
        t = time.monotonic()
        await thumb.press("Shift")
        await thumb.evaluate("e => e.blur()")
        until = max(time.monotonic() + 1, min(deadline, time.monotonic() + 15))
        while True:  # checked at least once after every attempt, however slow the presses
            if page.url != old_url:
                return t
            if time.monotonic() > until:
                break
            await asyncio.sleep(0.02)
    raise TimeoutError(f"slider move never reached the URL (still {old_url})")


async def headline(page) -> str | None:
    rec = await page.evaluate(READ_JS)
    return None if rec is None else rec["lastValue"]


async def student(ctx, url: str, presses: int, start: asyncio.Event, timeout: float) -> dict:
    """One tab: open, wait ready, move the risk slider, wait for the redrawn page."""
    page = await ctx.new_page()
    page.set_default_timeout(timeout * 1000)  # a loaded browser answers slowly
    out: dict[str, Any] = {"presses": presses}
    try:
        await start.wait()
        t0 = time.monotonic()
        await page.goto(url, wait_until="commit", timeout=timeout * 1000)
        info, t_ready = await wait_ready(page, timeout)
        out["open_to_ready_s"] = round(t_ready - t0, 3)
        rec = await page.evaluate(READ_JS)
        if rec and rec["firstHeadline"] is not None:
            out["open_to_headline_s"] = round(rec["firstHeadline"] / 1000, 3)
        before = rec["lastValue"] if rec else None
        await reset_marks_async(page)
        t_move = await move_slider(page, presses, page.url, timeout)
        info, t_ready = await wait_ready(page, timeout, headline_not=before)
        out["move_to_ready_s"] = round(t_ready - t_move, 3)
        rec = await page.evaluate(READ_JS)
        out.update({f"move_to_{k}": v for k, v in slider_timings(rec, before).items()})
        out["exceptions"] = info.get("exceptions", 0)
        out["charts"] = info.get("charts", 0)
        out["ok"] = out["exceptions"] == 0 and info.get("drawn") == info.get("charts")
    except Exception as err:  # noqa: BLE001 - a failed tab is a result, not a crash
        out["ok"] = False
        out["error"] = f"{type(err).__name__}: {err}"[:300]
    out["page"] = page
    return out


async def reset_marks_async(page) -> None:
    await page.evaluate(RESET_JS)


# --------------------------------------------------------------------------- phases


def _stats(xs: list[float]) -> dict[str, float] | None:
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {
        "n": len(xs),
        "min": round(min(xs), 3),
        "median": round(statistics.median(xs), 3),
        "max": round(max(xs), 3),
    }


async def warm_sessions(ctx, url: str, meter: CpuMeter, n: int, timeout: float) -> dict:
    rows = []
    for _ in range(n):
        page = await ctx.new_page()
        c0 = meter.read()
        t0 = time.monotonic()
        await page.goto(url, wait_until="commit", timeout=timeout * 1000)
        _, t_ready = await wait_ready(page, timeout, settle=0.5)
        c1 = meter.read()
        rec = await page.evaluate(READ_JS)
        rows.append(
            {
                "to_headline_s": round(rec["firstHeadline"] / 1000, 3)
                if rec and rec["firstHeadline"] is not None
                else None,
                "to_ready_s": round(t_ready - t0, 3),
                "server_cpu_s": round(c1["server"] - c0["server"], 3),
                "browser_cpu_s": round(c1["browser"] - c0["browser"], 3),
            }
        )
        await page.close()
    return {
        "sessions": rows,
        **{
            k: _stats([r[k] for r in rows])
            for k in ("to_headline_s", "to_ready_s", "server_cpu_s", "browser_cpu_s")
        },
    }


async def one_move(ctx, url: str, meter: CpuMeter, timeout: float, moves: int = 3) -> dict:
    page = await ctx.new_page()
    await page.goto(url, wait_until="commit", timeout=timeout * 1000)
    await wait_ready(page, timeout, settle=0.5)
    rows = []
    for _ in range(moves):
        before = await headline(page)
        await reset_marks_async(page)
        c0 = meter.read()
        t_move = await move_slider(page, 1, page.url, timeout)
        _, t_ready = await wait_ready(page, timeout, settle=1.0, headline_not=before)
        c1 = meter.read()
        rec = await page.evaluate(READ_JS)
        row = slider_timings(rec, before)
        row["to_ready_poll_s"] = round(t_ready - t_move, 3)
        row["server_cpu_s"] = round(c1["server"] - c0["server"], 3)
        rows.append(row)
    await page.close()
    return {
        "moves": rows,
        "headline_s": _stats([r["headline_s"] for r in rows]),
        "charts_s": _stats([r["charts_s"] for r in rows]),
        "server_cpu_s": _stats([r["server_cpu_s"] for r in rows]),
    }


async def class_repeat(browser, url: str, meter: CpuMeter, pages: int, timeout: float) -> dict:
    ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
    await ctx.add_init_script(TIMING_JS)
    start = asyncio.Event()
    c0 = meter.read()
    t0 = time.monotonic()
    tasks = [
        asyncio.create_task(student(ctx, url, 1 + i % 10, start, timeout)) for i in range(pages)
    ]
    await asyncio.sleep(0.5)  # every tab created; now they all open the link at once
    c0 = meter.read()
    t0 = time.monotonic()
    start.set()
    rows = await asyncio.gather(*tasks)
    wall = time.monotonic() - t0
    c1 = meter.read()
    for r in rows:
        await r.pop("page").close()
    await ctx.close()
    ok = [r for r in rows if r.get("ok")]
    return {
        "pages": pages,
        "all_ok": len(ok) == pages,
        "failed": [r.get("error") for r in rows if not r.get("ok")],
        "wall_s": round(wall, 2),
        "server_cpu_s": round(c1["server"] - c0["server"], 2),
        "browser_cpu_s": round(c1["browser"] - c0["browser"], 2),
        "server_cpu_per_session_s": round((c1["server"] - c0["server"]) / pages, 3),
        "browser_cpu_per_session_s": round((c1["browser"] - c0["browser"]) / pages, 3),
        "open_to_ready_s": _stats([r.get("open_to_ready_s") for r in rows]),
        "move_to_ready_s": _stats([r.get("move_to_ready_s") for r in rows]),
        "move_to_headline_s": _stats([r.get("move_to_headline_s") for r in rows]),
        "students": rows,
    }


async def floor_sessions(browser, args: argparse.Namespace) -> dict:
    """New sessions on :data:`FLOOR_PAGE` (its own server), measured as the app's are."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="bench-class-floor-") as folder:
        app = Path(folder) / "floor_app.py"
        app.write_text(FLOOR_PAGE)
        proc = start_server(port, Path(folder) / "streamlit.log", app)
        try:
            wait_health(port)
            meter = CpuMeter(proc.pid)
            ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
            await ctx.add_init_script(TIMING_JS)
            url = f"http://127.0.0.1:{port}/"
            page = await ctx.new_page()  # the server's first run
            await page.goto(url, wait_until="commit", timeout=args.timeout * 1000)
            await wait_ready(page, args.timeout, settle=0.5)
            await page.close()
            out = await warm_sessions(ctx, url, meter, args.sessions, args.timeout)
            await ctx.close()
        finally:
            stop_server(proc)
    return {"page": "FLOOR_PAGE: title, the headline metric, one 10-point line chart", **out}


async def run(args: argparse.Namespace) -> dict:
    from playwright.async_api import async_playwright

    port = _free_port()
    log = Path(tempfile.gettempdir()) / f"bench-class-streamlit-{port}.log"
    t_start = time.monotonic()
    proc = start_server(port, log, args.app.resolve())
    base = f"http://127.0.0.1:{port}/"
    result: dict[str, Any] = {}
    try:
        wait_health(port)
        meter = CpuMeter(proc.pid)
        with tempfile.TemporaryDirectory(prefix="bench-class-") as prof:
            async with async_playwright() as p:
                browser = await p.chromium.launch(
                    executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS
                )
                ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
                await ctx.add_init_script(TIMING_JS)
                # warm the server: kernels loaded, default page cached
                page = await ctx.new_page()
                await page.goto(base, wait_until="commit", timeout=args.timeout * 1000)
                await wait_ready(page, args.timeout * 5, settle=0.5)
                result["server_start_to_first_ready_s"] = round(time.monotonic() - t_start, 2)
                await page.close()
                result["warm_sessions"] = await warm_sessions(
                    ctx, base, meter, args.sessions, args.timeout
                )
                result["slider_move"] = await one_move(ctx, base, meter, args.timeout)
                await ctx.close()
                result["floor_new_session"] = await floor_sessions(browser, args)
                reps = []
                for r in range(args.repeats):
                    url = f"{base}?seed={args.seed + r}"
                    load = os.getloadavg()
                    rep = await class_repeat(browser, url, meter, args.pages, args.timeout)
                    rep["seed"] = args.seed + r
                    rep["load_average_before"] = [round(x, 2) for x in load]
                    reps.append(rep)
                    print(
                        f"repeat {r + 1}: {args.pages} pages, all ok {rep['all_ok']}, "
                        f"open->ready median {_fmt(rep['open_to_ready_s'], 'median')} s, "
                        f"move->redrawn median {_fmt(rep['move_to_ready_s'], 'median')} s "
                        f"max {_fmt(rep['move_to_ready_s'], 'max')} s; server CPU "
                        f"{rep['server_cpu_per_session_s']:.3f} s/session, browser CPU "
                        f"{rep['browser_cpu_per_session_s']:.3f} s/session",
                        flush=True,
                    )
                result["class"] = reps
                await browser.close()
        del prof
    finally:
        stop_server(proc)
    return result


def _fmt(stats: dict | None, key: str) -> str:
    return "—" if not stats else f"{stats[key]:.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=20, help="students (browser tabs) at once")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sessions", type=int, default=5, help="warm sessions opened one by one")
    ap.add_argument("--seed", type=int, default=101, help="seed of the first repeat's link")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per page step")
    ap.add_argument("--chromium", default=CHROMIUM)
    ap.add_argument(
        "--app",
        type=Path,
        default=ROOT / "app.py",
        help="the page to serve, run from its folder (e.g. an older checkout's app.py)",
    )
    ap.add_argument("--quick", action="store_true", help="4 pages, 1 repeat, no file")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    if args.quick:
        args.pages, args.repeats, args.sessions = 4, 1, 2
    load_before = [round(x, 2) for x in os.getloadavg()]
    t0 = time.monotonic()
    res = asyncio.run(run(args))
    record = {
        "benchmark": "bench_class",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": cpu_info(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "settings": {
            "app": str(args.app),
            "pages": args.pages,
            "repeats": args.repeats,
            "sessions": args.sessions,
            "quick": args.quick,
        },
        "wall_seconds": round(time.monotonic() - t0, 1),
        **res,
    }
    ws, mv = res["warm_sessions"], res["slider_move"]
    print(
        f"warm new session: first headline median {_fmt(ws['to_headline_s'], 'median')} s, "
        f"ready {_fmt(ws['to_ready_s'], 'median')} s, server CPU "
        f"{_fmt(ws['server_cpu_s'], 'median')} s/session; slider move: headline "
        f"{_fmt(mv['headline_s'], 'median')} s, all charts {_fmt(mv['charts_s'], 'median')} s"
    )
    fl = res["floor_new_session"]
    print(
        f"floor page, new session: headline median {_fmt(fl['to_headline_s'], 'median')} s, "
        f"ready {_fmt(fl['to_ready_s'], 'median')} s, server CPU "
        f"{_fmt(fl['server_cpu_s'], 'median')} s, browser CPU "
        f"{_fmt(fl['browser_cpu_s'], 'median')} s"
    )
    meds = [r["move_to_ready_s"]["median"] for r in res["class"] if r["move_to_ready_s"]]
    maxs = [r["move_to_ready_s"]["max"] for r in res["class"] if r["move_to_ready_s"]]
    if meds:
        record["class_summary"] = {
            "move_to_ready_median_s": _stats(meds),
            "move_to_ready_max_s": _stats(maxs),
            "all_ok": all(r["all_ok"] for r in res["class"]),
        }
        print(
            f"class of {args.pages}: move -> redrawn page median {statistics.median(meds):.2f} s "
            f"(repeats {meds}), max {max(maxs):.2f} s; load average {record['load_average_after']}"
        )
    if not args.quick:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, indent=1) + "\n")
        print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
