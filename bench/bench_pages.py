"""Pages: how soon a browser shows search results, and how many bytes the pages cost.

* warm: headless Chromium (Playwright, Debian's /usr/bin/chromium) navigates to
  ``/search?q=lighthouse`` once to fill its cache, then ``N`` more times; each
  time an init script's MutationObserver notes ``performance.now()`` (ms since
  the navigation started) when the first result (``#hits .hit``, see
  ``siteseer/web/render.py``) is in the DOM with a non-empty box, and again at
  the next animation frame (painted). The median is the number.
* bytes: a fresh browser context (empty cache) loads ``/`` and
  ``/search?q=...``; the sum over every response of its headers and its body
  as sent (compressed), from Playwright's ``request.sizes()``; and again warm.

Real corpus (``/work/corpus``, or ``$BENCH_CORPUS``) with its index in
``bench/out/corpus-state`` (built with ``siteseer index`` when missing); with
``--quick`` a tiny generated site instead.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from common import Servers, log, median  # noqa: E402

QUERY = "lighthouse"  # the query; the real corpus has no lighthouse, so its page says "No results"
HITS_QUERY = "postgresql replication"  # a query with results in the real corpus
HIT_SELECTOR = "#hits .hit"
# The first result, or the no-results message when there is none (see siteseer/web/render.py).
RESULTS_SELECTOR = "#hits .hit, #no-results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

OBSERVER_JS = """
(() => {
  const selector = %r;
  window.__hitSeen = null; window.__hitPainted = null;
  const check = () => {
    if (window.__hitSeen !== null) return true;
    const el = document.querySelector(selector);
    if (!el) return false;
    const box = el.getBoundingClientRect();
    if (box.width <= 0 || box.height <= 0) return false;
    window.__hitSeen = performance.now();
    requestAnimationFrame(() => { window.__hitPainted = performance.now(); });
    return true;
  };
  const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
  observer.observe(document, {childList: true, subtree: true, attributes: true});
})();
""" % RESULTS_SELECTOR


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def load_bytes(browser, url: str, warm_repeat: bool = True) -> dict:
    """Bytes over the wire for one page load, cold (fresh context), then warm (same context)."""
    context = browser.new_context()
    page = context.new_page()
    out = {}
    for label in ("cold", "warm") if warm_repeat else ("cold",):
        finished = []

        def on_finished(request, finished=finished):
            finished.append(request)

        page.on("requestfinished", on_finished)
        page.goto(url, wait_until="networkidle", timeout=30000)
        page.remove_listener("requestfinished", on_finished)
        total = body = 0
        for request in finished:
            sizes = request.sizes()
            body += max(0, sizes["responseBodySize"])
            total += max(0, sizes["responseBodySize"]) + max(0, sizes["responseHeadersSize"])
        out[label] = {"requests": len(finished), "bytes": total, "body": body}
    context.close()
    return out


def time_to_results(browser, url: str, navigations: int) -> list[dict]:
    context = browser.new_context()
    context.add_init_script(OBSERVER_JS)
    page = context.new_page()
    samples = []
    for i in range(navigations + 1):  # the first navigation fills the cache: not counted
        page.goto(url, wait_until="commit", timeout=30000)
        try:
            page.wait_for_selector(RESULTS_SELECTOR, state="visible", timeout=30000)
        except Exception:
            shot = common.OUT_DIR / "pages-failure.png"
            page.screenshot(path=str(shot))
            raise RuntimeError(f"no result ({RESULTS_SELECTOR}) visible at {url}; screenshot: {shot}") from None
        page.wait_for_function("window.__hitPainted !== null", timeout=10000)
        timing = page.evaluate("""() => {
            const nav = performance.getEntriesByType('navigation')[0];
            return {seen: window.__hitSeen, painted: window.__hitPainted,
                    hits: document.querySelectorAll('#hits .hit').length,
                    html: nav ? nav.responseEnd : null, dcl: nav ? nav.domContentLoadedEventEnd : null};
        }""")
        if i:
            samples.append(timing)
    context.close()
    return samples


def main(quick: bool = False) -> list[dict]:
    from playwright.sync_api import sync_playwright

    navigations = int(os.environ.get("BENCH_NAVIGATIONS") or (3 if quick else 15))
    site, state = common.tiny_search_site(QUERY) if quick else common.corpus_site()
    tmp = common.tempdir("pages-")
    config = common.siteseer_config(tmp / "siteseer.toml", state, workers=2)
    rows: list[dict] = []
    with Servers() as servers:
        server = servers.start(common.siteseer_server("siteseer", site, config, workers=2,
                                                      log_path=tmp / "siteseer.log"))
        search_url = f"{server.base}/search?q={QUERY}"
        with sync_playwright() as p:
            browser = launch(p)
            try:
                queries = [QUERY] if quick else [QUERY, HITS_QUERY]
                for q in queries:
                    url = f"{server.base}/search?q={q.replace(' ', '+')}"
                    log(f"pages: {navigations} warm navigations to {url}")
                    samples = time_to_results(browser, url, navigations)
                    seen = [s["seen"] for s in samples]
                    shown = "first result" if samples[0]["hits"] else "no-results message"
                    rows.append({
                        "bench": "pages", "table": "warm: from navigation start to results visible",
                        "page": f"/search?q={q}", "shows": shown,
                        "navigations": len(samples),
                        "HTML received ms": median(s["html"] for s in samples),
                        "DOMContentLoaded ms": median(s["dcl"] for s in samples),
                        "visible ms (median)": median(seen),
                        "painted ms": median(s["painted"] for s in samples),
                        "min ms": min(seen), "max ms": max(seen),
                        "stdev ms": statistics.pstdev(seen),
                        "_samples": samples,
                    })
                for label, path in (("/", "/"), (f"/search?q={QUERY}", f"/search?q={QUERY}"),
                                    *(() if quick else ((f"/search?q={HITS_QUERY}", f"/search?q={HITS_QUERY.replace(' ', '+')}"),))):
                    sizes = load_bytes(browser, f"{server.base}{path}")
                    rows.append({
                        "bench": "pages", "table": "bytes transferred (headers + bodies as sent, compressed)",
                        "page": label,
                        "cold requests": sizes["cold"]["requests"], "cold KiB": sizes["cold"]["bytes"] / 1024,
                        "cold body KiB": sizes["cold"]["body"] / 1024,
                        # Reloaded in the same context: Playwright lists cache hits too (headers only).
                        "warm requests (incl. cache hits)": sizes["warm"]["requests"],
                        "warm KiB": sizes["warm"]["bytes"] / 1024,
                    })
            finally:
                browser.close()
    timed = [r for r in rows if "visible ms (median)" in r]
    worst = max(r["visible ms (median)"] for r in timed)
    rows.append({"target": "results visible <= 300 ms after navigation (warm, median)",
                 "measured": "; ".join(f"{r['visible ms (median)']:.0f} ms for {r['page']} ({r['shows']}; painted "
                                       f"{r['painted ms']:.0f} ms)" for r in timed),
                 "met": worst <= 300})
    return rows


if __name__ == "__main__":
    print(common.text_tables(main(quick="--quick" in sys.argv)))
