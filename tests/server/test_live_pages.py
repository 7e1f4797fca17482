"""The pages in a real browser, through the real server, on the shipped example site."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.conftest import OUTPUT_DIR, REPO, wait_until

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
HIT = ".hit"
SHOTS = OUTPUT_DIR / "screenshots" / "live"


@pytest.fixture
def example(serve, tmp_path):
    root = tmp_path / "example"
    shutil.copytree(REPO / "examples" / "site", root, ignore=shutil.ignore_patterns(".siteseer"))
    (root / "xss.html").write_text("<title>&lt;img src=x onerror=window.__xss=1&gt;</title>"
                                   "<p>zanzibar <script>window.__xss=2</script> payload</p>")
    server = serve(root)

    def indexed():
        r = httpx.get(server.url + "/api/search", params={"q": "catadioptric zanzibar OR catadioptric"})
        return r.status_code == 200 and r.json()["index"]["documents"] >= 14 and not r.json()["index"]["indexing"]

    wait_until(indexed, timeout=180, interval=0.2, message="the example site to be indexed")
    return server


@pytest.fixture
def page():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        pg = context.new_page()
        dialogs = []
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        pg.dialogs = dialogs
        yield pg
        browser.close()


def test_search_click_pdf_page_and_back(example, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(example.url + "/")
    expect(page.locator("#q")).to_be_focused()
    page.screenshot(path=str(SHOTS / "home.png"))
    page.fill("#q", "catadioptric")
    page.keyboard.press("Enter")
    expect(page).to_have_url(example.url + "/search?q=catadioptric")
    expect(page.locator(HIT)).to_have_count(1)
    expect(page.locator(".hit-deep")).to_have_text("page 2")
    page.screenshot(path=str(SHOTS / "results.png"))

    page.fill("#q", "gannets")
    page.keyboard.press("Enter")
    expect(page).to_have_url(example.url + "/search?q=gannets")
    expect(page.locator(".hit-title a, a.hit-title").first).to_have_attribute("href", "/media/beam.mp4#t=1.5")  # the cue "gannets" is said in

    page.go_back()
    expect(page).to_have_url(example.url + "/search?q=catadioptric")
    expect(page.locator(".hit-deep")).to_have_text("page 2")
    with page.expect_navigation():
        page.locator(".hit-title a, a.hit-title").first.click()
    assert page.url == example.url + "/docs/fresnel-lens.pdf#page=2"


def test_results_on_first_load_and_no_results(example, page):
    response = page.goto(example.url + "/search?q=lighthouse")
    assert response.status == 200
    expect(page.locator(HIT).first).to_be_visible()
    page.goto(example.url + "/search?q=qqzzxxyy")
    expect(page.locator("#no-results")).to_be_visible()
    page.screenshot(path=str(SHOTS / "no-results.png"))


def test_xss_in_query_and_document_stays_text(example, page):
    page.goto(example.url + "/search?q=" + "zanzibar%20%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%20OR%20zanzibar")
    expect(page.locator(HIT).first).to_be_visible()
    assert "<img src=x onerror=window.__xss=1>" in page.locator(".hit-title").first.inner_text()
    assert page.evaluate("window.__xss") is None
    assert page.locator("main img").count() == 0
    assert page.dialogs == []


def test_404_page_offers_results_for_the_path_words(example, page):
    response = page.goto(example.url + "/docs/fresnel-lense.htm")
    assert response.status == 404
    expect(page.locator("#missing-path")).to_have_text("/docs/fresnel-lense.htm")
    expect(page.locator(HIT).first).to_be_visible()
    page.screenshot(path=str(SHOTS / "not-found.png"))


def test_blocked_client_gets_403_for_pages_and_callbacks(serve, tmp_path):
    root = Path(tmp_path / "s")
    root.mkdir()
    (root / "a.txt").write_text("a")
    server = serve(root, config='[access]\nblock = ["127.0.0.1/32"]\n', args=("--no-index",))
    with server.client() as c:
        assert c.get("/search?q=a").status_code == 403
        assert c.get("/_dash-layout").status_code == 403
        assert c.post("/_dash-update-component", json={"output": "x", "inputs": []}).status_code == 403
        assert c.get("/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js").status_code == 403


def test_a_hit_opens_its_page_at_the_words(example, page):
    """The result link's text fragment (#:~:text=...) scrolls the page to the snippet's words."""
    filler = "".join(f"<p>Filler paragraph {i} about nothing in particular.</p>" for i in range(300))
    (Path(example.root) / "long.html").write_text(
        f"<title>Long page</title>{filler}<p>The quillwort grows by the tower.</p>{filler}")

    def found():
        return httpx.get(example.url + "/api/search", params={"q": "quillwort"}).json()["total"] == 1

    wait_until(found, timeout=60, interval=0.2, message="the new page to be indexed")
    page.goto(example.url + "/search?q=quillwort")
    link = page.locator(".hit-title a").first
    expect(link).to_have_attribute("href", "/long.html#:~:text=The-,quillwort")
    with page.expect_navigation():
        link.click()
    wait_until(lambda: page.evaluate("window.scrollY") > 5000, timeout=10, message="the page to scroll to the words")
