"""The real page in headless Chromium: loads, draws, reacts to a slider, no exception boxes.

Starts ``streamlit run app.py`` on a free loopback port, drives it with Playwright using the
system Chromium (never ``playwright install``), and saves full-page screenshots and timings
to ``artifacts/`` at the repository root. With ``RUIN_REQUIRE_BROWSER=1`` (set by
``./dev test``) a missing Chromium or Playwright fails the test instead of skipping it.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
# Three groups, each on one pytest-xdist worker with its own app server and browser (module
# fixtures are per worker): the main page's tests, and the lessons' tests in two halves. The
# browser tests spend about half their time waiting for the page (settle periods, polling),
# so the groups overlap their waits; on one worker they were the suite's critical path
# (about 270 s). ./dev test runs one worker more than the CPUs to fill those waits.
PAGE = pytest.mark.xdist_group("browser-page")
LESSONS = pytest.mark.xdist_group("browser-lessons")
REVEALS = pytest.mark.xdist_group("browser-reveals")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
REQUIRED = os.environ.get("RUIN_REQUIRE_BROWSER") == "1"


def _unavailable(why: str) -> None:
    if REQUIRED:
        pytest.fail(f"browser test required (RUIN_REQUIRE_BROWSER=1) but {why}")
    pytest.skip(why)


try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

sys.path.insert(0, str(Path(__file__).parent))

from page_timing import READ_JS, reset_marks, slider_timings  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _streamlit_server():
    """``streamlit run app.py`` on a free port; yields its URL, start time and log file."""
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
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
        ],
        cwd=ROOT,
        env={**os.environ, "RUIN_CHECK_SPECS": "0"},  # timings of the page as deployed
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    t0 = time.monotonic()
    try:
        yield {"url": f"http://127.0.0.1:{port}/", "started": t0, "log": log.name}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server():
    with _streamlit_server() as srv:
        yield srv


@pytest.fixture(scope="module")
def page():
    if sync_playwright is None:
        _unavailable("the playwright package is not installed")
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium is missing at {CHROMIUM} (apt-get install chromium)")
    from page_timing import TIMING_JS
    from screenshot import launch

    with tempfile.TemporaryDirectory(prefix="ruin-chromium-") as prof, sync_playwright() as p:
        ctx = launch(p, 1400, 900, profile_dir=prof)
        ctx.add_init_script(TIMING_JS)  # in-page clocks: headline and chart changes
        pg = ctx.pages[0] if ctx.pages else ctx.new_page()
        yield pg
        ctx.close()


def _headline(pg) -> str:
    box = pg.get_by_test_id("stMetric").filter(has_text="Probability of ruin").first
    return box.get_by_test_id("stMetricValue").inner_text()


def _url_risk(pg) -> str:
    from urllib.parse import parse_qs, urlparse

    return parse_qs(urlparse(pg.url).query).get("risk", ["0.03"])[-1]


def _nudge(pg, thumb, old: str, presses: int, attempts: int = 4) -> float:
    """Press ArrowRight on a slider and commit it; returns when the URL's risk changed.

    Streamlit's slider commits a keyboard change on the next event (here a blur); on a busy
    machine a commit can be lost while the page re-renders, so the commit is retried.
    Returns the monotonic time of the attempt that went through.
    """
    for i in range(attempts):
        thumb.focus()
        t = time.monotonic()
        for _ in range(presses if i == 0 else 0):
            thumb.press("ArrowRight")
        thumb.press("Shift")
        thumb.evaluate("e => e.blur()")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if _url_risk(pg) != old:
                return t
            time.sleep(0.02)
    raise TimeoutError(f"slider change never reached the URL (risk stayed {old}): {pg.url}")


def _chart_marks(pg) -> list[str]:
    """What each chart on the page draws: the SVG of its marks."""
    return pg.locator('[data-testid="stVegaLiteChart"] svg.marks').evaluate_all(
        "els => els.map(e => e.innerHTML)"
    )


def _full_screenshot(pg, path: Path) -> None:
    from screenshot import CONTENT_HEIGHT_JS, wait_until_ready

    h = min(int(pg.evaluate(CONTENT_HEIGHT_JS)), 16000)
    if h > 900:
        pg.set_viewport_size({"width": 1400, "height": h})
        time.sleep(0.3)
        wait_until_ready(pg, timeout=60, settle=0.5)
    pg.screenshot(path=str(path), full_page=True)
    pg.set_viewport_size({"width": 1400, "height": 900})


@PAGE
def test_page_draws_and_slider_updates_headline(server, page):
    from screenshot import goto_with_retry, wait_until_ready

    ARTIFACTS.mkdir(exist_ok=True)
    # generous: a fresh checkout compiles the numba kernels at the page's warm-up
    goto_with_retry(page, server["url"], time.monotonic() + 300)
    info = wait_until_ready(page, timeout=300, settle=1.0)
    first_render = time.monotonic() - server["started"] - 1.0  # minus the settle period
    assert info["exceptions"] == 0
    assert info["charts"] >= 6 and info["drawn"] == info["charts"]
    assert page.locator('[data-testid="stVegaLiteChart"] svg.marks').count() >= 6
    before = _headline(page)
    assert before.endswith("%")
    # a move must redraw the charts, not only the headline (each chart's cached spec is keyed
    # by the scenario, ui/specs.py)
    drawn = _chart_marks(page)

    slider = page.get_by_test_id("stSlider").filter(has_text="Risk per trade")
    thumb = slider.get_by_role("slider")
    _nudge(page, thumb, "0.03", presses=10)  # 3.0% -> 4.0% in 0.1% steps
    info = wait_until_ready(page, timeout=60, settle=1.5)
    risk1 = _url_risk(page)
    assert float(risk1) > 0.03
    assert info["exceptions"] == 0 and info["drawn"] == info["charts"]
    after = _headline(page)
    assert after != before, (before, after)
    # more risk per trade, same seed: ruin is at least as likely
    assert float(after.rstrip("%")) >= float(before.rstrip("%")), (before, after)
    assert page.get_by_test_id("stException").count() == 0
    redrawn = _chart_marks(page)
    assert len(redrawn) == len(drawn)
    changed = [a != b for a, b in zip(drawn, redrawn, strict=True)]
    assert changed[:3] == [True, True, True], changed  # fan, drawdown, final equity
    shown = slider.get_by_test_id("stSliderThumbValue").inner_text()
    assert float(shown) == pytest.approx(float(risk1) * 100)  # URL and slider agree

    # More steps, timed by the page's own clock (page_timing.py): key press -> new headline,
    # key press -> last chart redrawn. Recorded, never asserted (the machine is shared).
    moves = []
    risk = risk1
    for _ in range(3):
        shown_before = _headline(page)
        reset_marks(page)
        t_move = _nudge(page, thumb, risk, presses=1)
        wait_until_ready(page, timeout=60, settle=0.0)
        rerun = time.monotonic() - t_move
        wait_until_ready(page, timeout=60, settle=1.0)
        assert _headline(page).endswith("%")
        risk = _url_risk(page)
        moves.append(
            {
                "poll_ready_s": round(rerun, 3),
                **slider_timings(page.evaluate(READ_JS), shown_before),
            }
        )

    _full_screenshot(page, ARTIFACTS / "app_full.png")
    sessions = [_warm_session(page.context, server["url"]) for _ in range(3)]
    record = {
        "first_render_s": round(first_render, 2),
        "warm_new_session": sessions,
        "slider_moves": moves,
        "slider_rerun_s": moves[-1]["poll_ready_s"],
        "headline_before": before,
        "headline_after": after,
        "machine": _machine(),
        "note": "timings recorded on a shared machine, never asserted",
    }
    (ARTIFACTS / "browser_timings.json").write_text(json.dumps(record, indent=1) + "\n")
    print(
        f"first render {first_render:.2f}s (server start to drawn charts); warm new session: "
        f"headline {[s['headline_s'] for s in sessions]} s, ready "
        f"{[s['ready_s'] for s in sessions]} s; slider move: headline "
        f"{[m['headline_s'] for m in moves]} s, all charts {[m['charts_s'] for m in moves]} s"
    )


def _warm_session(ctx, url: str) -> dict:
    """A new session on the warm server (new tab, same browser): seconds from navigation to
    the first headline and to the whole page ready."""
    from screenshot import wait_until_ready

    pg = ctx.new_page()
    try:
        t0 = time.monotonic()
        pg.goto(url, wait_until="commit")
        wait_until_ready(pg, timeout=60, settle=0.0)
        ready = time.monotonic() - t0
        rec = pg.evaluate(READ_JS)
        first = rec["firstHeadline"] if rec else None
        return {
            "headline_s": None if first is None else round(first / 1000, 3),
            "ready_s": round(ready, 3),
        }
    finally:
        pg.close()


def _machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cpus_available": len(os.sched_getaffinity(0)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


@PAGE
def test_shared_link_and_embed(server, page):
    from screenshot import goto_with_retry, wait_until_ready

    url = server["url"] + "?embed=true&preset=day_trading&seed=777"
    goto_with_retry(page, url, time.monotonic() + 60)
    info = wait_until_ready(page, timeout=180, settle=1.0)
    assert info["exceptions"] == 0 and info["drawn"] == info["charts"] >= 6
    assert page.get_by_test_id("stToolbar").count() == 0  # embed mode hides the chrome
    seed = page.get_by_test_id("stMetric").filter(has_text="Seed").first
    assert seed.get_by_test_id("stMetricValue").inner_text() == "777"
    assert "embed=true" in page.url and "seed=777" in page.url
    assert page.get_by_text("Leverage and liquidation").count() >= 1
    assert page.get_by_test_id("stSidebarNav").count() == 0  # an embed shows no page list
    _full_screenshot(page, ARTIFACTS / "app_embed_leverage.png")


@PAGE
def test_formulas_are_typeset_once_their_expander_opens(server, page):
    """The formulas expander draws nothing until opened (ui/formulas.py); a click reruns the
    page and the formulas appear, typeset by KaTeX, with no exception."""
    from screenshot import goto_with_retry, wait_until_ready

    goto_with_retry(page, server["url"] + "?seed=4242", time.monotonic() + 60)
    wait_until_ready(page, timeout=180, settle=0.5)
    assert page.locator(".katex").count() == 0
    box = page.get_by_test_id("stExpander").filter(has_text="Formulas and definitions")
    box.locator("summary").click()
    page.locator(".katex").nth(4).wait_for(timeout=60_000)
    info = wait_until_ready(page, timeout=60, settle=0.5)
    assert info["exceptions"] == 0
    assert box.locator(".katex").count() >= 5
    assert box.get_by_text("Kelly fraction").count() >= 1


def _page_list(pg) -> list[str]:
    links = pg.get_by_test_id("stSidebarNav").get_by_test_id("stSidebarNavLink")
    return [x.get_by_test_id("stMarkdownContainer").inner_text().strip() for x in links.all()]


@PAGE
@pytest.mark.parametrize(
    ("path", "current", "heading"),
    [
        ("", "Simulator", "Risk of ruin"),
        ("Lessons?lesson=lesson_06_revenge_trading", "Lessons", "Lessons: predict first"),
        ("Sweeps", "Sweeps", "Sweep results"),
    ],
)
def test_page_list_says_what_each_page_is(server, page, path, current, heading):
    """The sidebar's page list names the pages (not "app"); each URL path opens its page and
    marks it current. The sidebar's top is saved as artifacts/page_list_<page>.png."""
    from screenshot import goto_with_retry, wait_until_ready

    ARTIFACTS.mkdir(exist_ok=True)
    goto_with_retry(page, server["url"] + path, time.monotonic() + 300)
    info = wait_until_ready(page, timeout=300, settle=1.0)
    assert info["exceptions"] == 0
    assert _page_list(page) == ["Simulator", "Lessons", "Sweeps"]
    mine = page.get_by_test_id("stSidebarNav").locator("a[aria-current=page]")
    assert mine.get_by_test_id("stMarkdownContainer").inner_text().strip() == current
    main = page.get_by_test_id("stMain")
    assert main.get_by_test_id("stHeading").first.inner_text().startswith(heading)
    page.screenshot(
        path=str(ARTIFACTS / f"page_list_{current.lower()}.png"),
        clip={"x": 0, "y": 0, "width": 700, "height": 450},
    )


@LESSONS
def test_a_lesson_link_is_the_first_visit_of_a_fresh_server(page):
    """A teacher restarts the server and shares a lesson link: the first student's page list
    names every page. (With a ``pages/`` folder beside ``app.py``, Streamlit ran the lesson
    script in its old multipage mode until some session had opened ``/``, and listed the
    folder's pages: "app", "Lessons", "Sweeps".)"""
    from screenshot import goto_with_retry, wait_until_ready

    with _streamlit_server() as fresh:
        url = fresh["url"] + "Lessons?lesson=lesson_06_revenge_trading&paths=2000"
        goto_with_retry(page, url, time.monotonic() + 300)
        info = wait_until_ready(page, timeout=300, settle=0.5)
        assert info["exceptions"] == 0
        assert _page_list(page) == ["Simulator", "Lessons", "Sweeps"]
        main = page.get_by_test_id("stMain")
        assert main.get_by_test_id("stHeading").first.inner_text().startswith("Lessons")


@PAGE
def test_displayed_headline_is_the_librarys_value_for_the_url(server, page):
    from screenshot import goto_with_retry, wait_until_ready

    from ruin import form
    from ruin.insights import pct
    from ruin.simulate import simulate

    query = {"paths": "2000", "risk": "0.05", "win_rate": "0.45", "payoff": "1.5", "seed": "7"}
    url = server["url"] + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    goto_with_retry(page, url, time.monotonic() + 60)
    info = wait_until_ready(page, timeout=180, settle=1.0)
    assert info["exceptions"] == 0
    link = form.read_link(query, form.preset_catalogue())
    p = simulate(form.build_run(link.params, link.extras), record=0).ruin.estimate
    assert _headline(page) == pct(p)


# --------------------------------------------------------------------------- lessons page


def _run_lesson(pg, url: str) -> dict:
    from screenshot import goto_with_retry, wait_until_ready

    goto_with_retry(pg, url, time.monotonic() + 300)
    wait_until_ready(pg, timeout=300, settle=1.0)
    pg.get_by_role("button", name="Run the lesson").click()
    return wait_until_ready(pg, timeout=600, settle=1.5)


def _lesson_names() -> list[str]:
    return sorted(p.stem for p in (ROOT / "scenarios").glob("lesson_*.toml"))


@pytest.mark.parametrize(
    "name",
    # every other lesson in a third group (its own worker, server and browser)
    [pytest.param(n, marks=REVEALS if i % 2 else LESSONS) for i, n in enumerate(_lesson_names())],
)
def test_each_lesson_reveals_with_a_picture(server, page, name):
    """Every lesson, embedded from its link, reveals the bars with the guess on them; the
    screenshot of each reveal goes to artifacts/ (looked at before a lesson ships)."""
    ARTIFACTS.mkdir(exist_ok=True)
    info = _run_lesson(page, server["url"] + f"Lessons?lesson={name}&embed=true&paths=1000")
    assert info["exceptions"] == 0, name
    assert page.get_by_test_id("stException").count() == 0
    assert (
        page.get_by_test_id("stSidebar").count() == 0
        or not page.get_by_test_id("stSidebar").is_visible()
    )
    assert page.get_by_test_id("stMetric").filter(has_text="Your guess").count() == 1
    assert page.locator('[data-testid="stVegaLiteChart"] svg.marks').count() >= 1
    assert page.get_by_text("Explore this on the main page").count() == 1
    _full_screenshot(page, ARTIFACTS / f"lesson_reveal_{name}.png")


@LESSONS
def test_uploaded_lesson_runs_and_a_bad_one_is_named(server, page, tmp_path):
    from screenshot import goto_with_retry, wait_until_ready

    src = (ROOT / "scenarios" / "lesson_01_risk_rule.toml").read_text()
    good = tmp_path / "my_week1.toml"
    good.write_text(
        src.replace("Lesson 1:", "Uploaded lesson:").replace(
            'description = "', 'description = "Uploaded lesson says: ', 1
        )
    )
    bad = tmp_path / "my_week2.toml"
    bad.write_text(src.replace('answer_metric = "ruin_probability"', 'answer_metric = "ruin"'))
    goto_with_retry(page, server["url"] + "Lessons", time.monotonic() + 300)
    wait_until_ready(page, timeout=300, settle=1.0)
    page.get_by_text("For course authors: try your own lesson file").click()
    page.locator("input[type=file]").last.set_input_files(str(bad))
    wait_until_ready(page, timeout=120, settle=1.5)
    err = page.get_by_test_id("stAlert").filter(has_text="was not loaded").inner_text()
    assert "my_week2.toml" in err and "[lesson.prediction] answer_metric" in err
    page.locator("input[type=file]").last.set_input_files(str(good))
    wait_until_ready(page, timeout=120, settle=1.5)
    page.get_by_role("button", name="Run the lesson").click()
    info = wait_until_ready(page, timeout=600, settle=1.5)
    assert info["exceptions"] == 0
    # the uploaded lesson is the one picked and run (its own description is shown)
    assert page.get_by_text("Uploaded lesson says:").count() >= 1
    assert page.get_by_test_id("stMetric").filter(has_text="Your guess").count() == 1
    _full_screenshot(page, ARTIFACTS / "lesson_uploaded.png")


@PAGE
def test_trailing_drawdown_headline_matches_the_library(server, page):
    from screenshot import goto_with_retry, wait_until_ready

    from ruin import build_scenario, simulate
    from ruin.studies.scenarios import find_scenario

    goto_with_retry(
        page, server["url"] + "?preset=challenge_two_step_phase1&paths=2000", time.monotonic() + 300
    )
    info = wait_until_ready(page, timeout=600, settle=1.5)
    assert info["exceptions"] == 0
    params = {**find_scenario("challenge_two_step_phase1").params, "paths": 2000}
    want = simulate(build_scenario(params), record=0).ruin.estimate
    assert _headline(page) == f"{want:.1%}"
    assert page.get_by_text("Account rules: what stopped each account").count() == 1
    _full_screenshot(page, ARTIFACTS / "app_challenge_preset.png")
