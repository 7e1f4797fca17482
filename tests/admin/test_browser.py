"""The dashboard in a real browser: log in, see the charts, block a client.

Serves the admin Flask app with werkzeug in a thread, behind a tiny
middleware that plays the core's part (the siteseer request with a client
IP, and the same Content-Security-Policy the core sends, so the CSP hashes
are tested too).
"""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from admin_helpers import PASSWORD, FakeRequest, make_config
from siteseer.gatekeeper.headers import app_csp
from siteseer.stats import store
from siteseer.stats.blocks import BlockStore
from siteseer.web.admin import SimpleServices, create_admin_app, csp_script_hashes
from synth import entry

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
EVIL_PATH = '/<img src=x onerror="window.__pwned=1">.html'
SCANNER = "203.0.113.77"


def synthetic_day(state_dir: Path, now: float) -> None:
    rng = random.Random(7)
    pages = ["/", "/docs/index.html", "/docs/install.html", "/blog/2024/hello.html", "/files/report.pdf",
             "/search", EVIL_PATH]
    entries = []
    for i in range(6000):
        ts = now - 86400 + i * 14.4 + rng.random()
        hour_weight = 1 + (i % 500 > 350)
        for _ in range(hour_weight):
            status = rng.choices([200, 304, 404, 500], [90, 6, 3, 1])[0]
            path = rng.choice(pages) if status != 404 else rng.choice(["/old/page.html", "/wp-login.php"])
            entries.append(entry(ts, path=path, status=status, ip=f"198.51.100.{rng.randint(1, 30)}",
                                 size=rng.randint(500, 200_000), duration_ms=rng.lognormvariate(1.0, 0.8),
                                 referrer="https://news.example/item" if status == 404 else None))
        if i % 20 == 0:
            q = rng.choice(["install", "pdf search", "qwerty zzz"])
            entries.append(entry(ts, path="/api/search", search={"query": q, "hits": 0 if "zzz" in q else 5, "page": 1}))
        if i % 7 == 0:
            entries.append(entry(ts, path="/x", status=429, ip=SCANNER, blocked="ratelimit"))
    entries += [entry(now - 30 - i * 0.01, path="/wp-admin/", status=404, ip=SCANNER) for i in range(4000)]
    conn = store.open_db(state_dir)
    store.write_batch(conn, entries)
    conn.close()


@pytest.fixture
def served(tmp_path):
    cfg = make_config(tmp_path)
    synthetic_day(cfg.state_dir, time.time())
    blocks = BlockStore(cfg.state_dir)
    app = create_admin_app(cfg, SimpleServices(blocks))
    csp = app_csp(csp_script_hashes(app))
    inner = app.wsgi_app

    def core(environ, start_response):
        environ["siteseer.request"] = FakeRequest("192.0.2.10")

        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, ("Content-Security-Policy", csp)], exc_info)

        return inner(environ, start)

    app.wsgi_app = core
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", blocks
    server.shutdown()
    thread.join(10)


def test_login_charts_and_block(served):
    url, blocks = served
    console_errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
            response = page.goto(url + "/admin/")
            assert response.status == 401  # not logged in: the login form
            page.fill("#password", "wrong")
            page.click("button[type=submit]")
            expect(page.locator(".error")).to_have_text("Wrong password.")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")

            # The charts are drawn: plotly has made traces in every graph.
            for graph in ("g-requests", "g-bytes", "g-latency", "g-refused", "g-searches"):
                expect(page.locator(f"#{graph} .main-svg").first).to_be_visible(timeout=30_000)
            expect(page.locator("#g-requests .scatterlayer .trace").first).to_be_attached(timeout=30_000)
            expect(page.locator("#cards .card").first).to_be_visible()
            expect(page.locator("#t-pages td", has_text="/docs/index.html")).to_be_visible()
            # Request text is shown as text, never run as markup.
            expect(page.locator("#t-pages td", has_text="<img src=x")).to_be_visible()
            assert page.evaluate("window.__pwned") is None
            expect(page.locator("#t-404 td", has_text="https://news.example/item").first).to_be_visible()
            expect(page.locator("#t-zero td", has_text="qwerty zzz")).to_be_visible()

            # Block the scanner from the top-clients table.
            row = page.locator("#t-clients tr", has_text=SCANNER)
            row.get_by_role("button", name="Block…").click()
            expect(page.locator("#block-network")).to_have_value(SCANNER)
            page.fill("#block-reason", "wp-admin scanner")
            page.click("#block-button")
            expect(page.locator("#block-message")).to_contain_text(f"Blocked {SCANNER}/32")
            expect(page.locator("#block-list td", has_text="wp-admin scanner")).to_be_visible()

            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "admin.png"), full_page=True)

            # The other ranges redraw too.
            page.get_by_label("Last 30 days").check()
            expect(page.locator("#range-label")).to_contain_text("3-hour buckets")

            # On a phone, the charts and tables fit its width (each was 560 px wide at least).
            page.set_viewport_size({"width": 375, "height": 800})
            expect(page.locator("#g-requests .main-svg").first).to_be_visible()
            deadline = time.monotonic() + 10  # plotly redraws the charts at the new width
            while page.evaluate("document.documentElement.scrollWidth - window.innerWidth") > 0:
                assert time.monotonic() < deadline, "the dashboard scrolls sideways at 375 px"
                page.wait_for_timeout(100)  # polling interval
        finally:
            browser.close()
    assert [b.network for b in blocks.active()] == [f"{SCANNER}/32"]
    assert blocks.active()[0].reason == "wp-admin scanner"
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
