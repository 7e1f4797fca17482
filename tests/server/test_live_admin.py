"""The admin dashboard through the real server: log in, see charts, block a client, 403 follows."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect, sync_playwright

from tests.conftest import OUTPUT_DIR, wait_until

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "correct horse battery staple"
VICTIM = "198.51.100.23"


def test_admin_routes_closed_without_password_configured(serve, site):
    server = serve(site, args=("--no-index",))
    with server.client() as c:
        for path in ["/admin", "/admin/", "/admin/_dash-layout", "/admin/_dash-dependencies"]:
            assert c.get(path).status_code in (401, 403, 404), path
        assert c.post("/admin/_dash-update-component", json={}).status_code in (401, 403, 404)


def test_login_charts_block_then_403(serve, site):
    server = serve(site, config='[access]\ntrusted_proxies = ["127.0.0.1"]\n', workers=2,
                   env={"SITESEER_ADMIN_PASSWORD": PASSWORD})
    with server.client() as c:
        for path in ["/admin/", "/admin/_dash-layout", "/admin/_dash-dependencies"]:
            assert c.get(path).status_code in (401, 403), path
        # Some traffic for the charts, from the address about to be blocked.
        for i in range(30):
            c.get(f"/docs/notes.txt?i={i}", headers={"x-forwarded-for": VICTIM})
        c.get("/api/search?q=nothingmatchesthis")
        assert c.get("/docs/notes.txt", headers={"x-forwarded-for": VICTIM}).status_code == 200
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            assert page.goto(server.url + "/admin/").status == 401
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            expect(page.locator("#g-requests .main-svg").first).to_be_visible(timeout=30_000)
            page.fill("#block-network", VICTIM)
            page.fill("#block-reason", "end-to-end test")
            page.click("#block-button")
            expect(page.locator("#block-message")).to_contain_text(f"Blocked {VICTIM}")
            OUTPUT_DIR.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUTPUT_DIR / "screenshots" / "admin-live.png"), full_page=True)
        finally:
            browser.close()

    def blocked_everywhere() -> bool:
        codes = [httpx.get(server.url + "/docs/notes.txt", headers={"x-forwarded-for": VICTIM}).status_code
                 for _ in range(10)]
        return all(code == 403 for code in codes)

    wait_until(blocked_everywhere, timeout=3, interval=0.2, message="the block to reach every worker")
    assert httpx.get(server.url + "/docs/notes.txt", headers={"x-forwarded-for": "192.0.2.1"}).status_code == 200
