"""In-page timings of the Streamlit app, taken by the browser's own clock.

:data:`TIMING_JS` is installed with ``context.add_init_script`` before a page loads. It
watches the page with a ``MutationObserver`` and records, in ``performance.now()``
milliseconds (0 = the start of the navigation):

* ``firstHeadline`` — when the headline metric *Probability of ruin* first shows a value;
* ``headline`` — every change of that value, as ``[t, value]``;
* ``keydown`` — the last key pressed anywhere on the page (a slider move starts there);
* ``chartMutation`` — the last change inside any Vega-Lite chart (a chart redrawn);
* ``script`` — every change of the app's script state (``running`` / ``notRunning``).

:func:`slider_timings` turns them into the two numbers a slider move is judged by: key press
-> new headline, and key press -> every chart redrawn (the last chart change after the key,
once the script has finished). Used by ``tests/browser/test_browser.py`` and
``benchmarks/bench_class.py``; timings are recorded, never asserted.
"""

from __future__ import annotations

from typing import Any

HEADLINE_LABEL = "Probability of ruin"

TIMING_JS = """
(() => {
  if (window.__ruinTiming) return;
  const T = window.__ruinTiming = {
    firstHeadline: null, headline: [], keydown: [], chartMutation: null, script: [],
    lastValue: null, lastState: null,
  };
  window.addEventListener('keydown', () => { T.keydown.push(performance.now()); }, true);
  // textContent, not innerText: reading innerText forces a layout on every mutation batch
  const headlineValue = () => {
    for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
      const label = m.querySelector('[data-testid="stMetricLabel"]');
      if (label && label.textContent.includes('%LABEL%')) {
        const v = m.querySelector('[data-testid="stMetricValue"]');
        return v ? v.textContent.trim() : null;
      }
    }
    return null;
  };
  const check = (records) => {
    const now = performance.now();
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app ? app.getAttribute('data-test-script-state') : null;
    if (state !== T.lastState) { T.lastState = state; T.script.push([now, state]); }
    const v = headlineValue();
    if (v && v !== T.lastValue) {
      T.lastValue = v;
      T.headline.push([now, v]);
      if (T.firstHeadline === null) T.firstHeadline = now;
    }
    for (const r of records || []) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (el && el.closest('[data-testid="stVegaLiteChart"]')) { T.chartMutation = now; break; }
    }
  };
  const start = () => {
    new MutationObserver(check).observe(document.documentElement, {
      subtree: true, childList: true, attributes: true, characterData: true,
    });
    check([]);
  };
  if (document.documentElement) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
""".replace("%LABEL%", HEADLINE_LABEL)

#: The page's timing record (``null`` before the init script ran).
READ_JS = "() => window.__ruinTiming || null"

#: Forget earlier key presses and chart changes (run before a slider move).
RESET_JS = (
    "() => { const T = window.__ruinTiming; if (T) { T.keydown = []; T.chartMutation = null; } }"
)


def reset_marks(page: Any) -> None:
    """Forget earlier key presses and chart changes (call before a slider move)."""
    page.evaluate(RESET_JS)


#: Key presses less than this apart (ms) belong to one attempt at a slider move; a commit
#: that did not reach the URL is retried at least a second later.
ATTEMPT_GAP_MS = 500.0


def slider_timings(record: dict[str, Any], before: str) -> dict[str, float | None]:
    """Seconds from the first key press of a slider move to the new headline and to the
    last chart redrawn.

    ``before`` is the headline shown before the move. A move is an attempt's key presses
    (the arrow keys, then the key and blur that commit it); Streamlit's slider may commit on
    the first arrow key's release already, so the move starts at the attempt's *first* key
    press. Of several attempts (a commit lost while the page re-rendered is retried, at
    least :data:`ATTEMPT_GAP_MS` later) it is the last one that began before the headline
    changed. ``headline_s`` is ``None`` when the headline did not change; ``charts_s`` is
    the later of the last chart change and the end of the script run that followed.
    """
    keys = sorted(record.get("keydown") or [])
    if not keys:
        return {"headline_s": None, "charts_s": None}
    new = [t for t, v in record["headline"] if t >= keys[0] and v != before]
    i = max(j for j, k in enumerate(keys) if not new or k <= new[0])
    while i > 0 and keys[i] - keys[i - 1] < ATTEMPT_GAP_MS:  # back to the attempt's start
        i -= 1
    key = keys[i]
    done = [t for t, s in record["script"] if t >= key and s == "notRunning"]
    last_chart = record.get("chartMutation")
    ends = [x for x in (last_chart, done[-1] if done else None) if x is not None and x >= key]
    return {
        "headline_s": round((new[0] - key) / 1000, 3) if new else None,
        "charts_s": round((max(ends) - key) / 1000, 3) if ends else None,
    }
