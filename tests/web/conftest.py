"""Fixtures for the public web pages: a fake search service, the Dash app,
its Flask test client, a live werkzeug server and a Playwright browser."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

try:  # the real one when the search package has it
    from siteseer.search.errors import QueryError
except ImportError:  # pragma: no cover - stand-in until it exists

    class QueryError(ValueError):
        pass


from siteseer.config import Config
from siteseer.web.app import create_web_app, csp_script_hashes

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-output" / "screenshots"
XSS = "<img src=x onerror=alert(1)>"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _doc(url, title, path, type_, text, words, **extra):
    return {"url": url, "title": title, "path": path, "type": type_, "text": text, "words": words, **extra}


DOCS: list[dict] = [
    _doc("/manuals/lighthouse.pdf#page=7", "Lighthouse maintenance manual", "manuals/lighthouse.pdf", "pdf",
         "Trim the lighthouse lamp wick every evening before dusk.", ["lighthouse", "lamp", "manual"], page=7),
    _doc("/talks/harbour.srt#t=93", "Harbour talk", "talks/harbour.srt", "srt",
         "and then the lighthouse keeper said the harbour was calm", ["lighthouse", "harbour", "keeper"], t=93),
    _doc("/docs/install-guide.html#getting-started", "Install guide", "docs/install-guide.html", "html",
         "Getting started: install the docs guide with one command.", ["docs", "install", "guide", "instal"],
         anchor="getting-started"),
    _doc("/evil/" + "x.html", XSS, "evil/x.html", "html",
         "<script>window.__xss=1</script> payload " + XSS, ["payload", "evil"]),
] + [
    _doc(f"/reports/report-{i:02d}.pdf#page={i}", f"Annual report {i:02d}", f"reports/report-{i:02d}.pdf",
         "pdf" if i % 3 else "html", f"The report number {i} covers the year.", ["report", "annual"], page=i)
    for i in range(1, 26)
]


CORRECTIONS = {"keepr": "keeper"}


class FakeSearch:
    """The SearchService contract over a list, recording every call."""

    def __init__(self, docs: list[dict] | None = None, indexing: bool = False, outdated: bool = False):
        self.docs = DOCS if docs is None else docs
        self.indexing = indexing
        self.outdated = outdated  # an older siteseer's index: found nothing, says so
        self.calls: list[tuple[str, Any]] = []
        # query -> Event: that search waits until the test sets it (a slow answer)
        self.gates: dict[str, threading.Event] = {}

    def status(self) -> dict:
        return {"documents": len(self.docs), "indexing": self.indexing, **({"outdated": True} if self.outdated else {})}

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        self.calls.append(("suggest", prefix))
        words = sorted({w for d in self.docs for w in d["words"] if w.startswith(prefix.lower())})
        return words[:limit]

    def search(self, q: str, page: int = 1, per_page: int = 10, type: str | None = None, languages=None) -> dict:
        self.calls.append(("search", (q, page, per_page, type)))
        self.languages = languages
        gate = self.gates.get(q)
        if gate is not None:
            gate.wait(timeout=20)
        if q.count("(") != q.count(")"):
            raise QueryError(f"Unbalanced parenthesis in {q}")
        if q == "explode":
            raise RuntimeError("index is broken")
        typed = [t for t in q.lower().split() if t]
        terms = [CORRECTIONS.get(t, t) for t in typed]  # as the service respells words no page has
        matched = [d for d in self.docs if any(t in d["words"] for t in terms) and not self.outdated]
        facets: dict[str, int] = {}
        for d in matched:
            facets[d["type"]] = facets.get(d["type"], 0) + 1
        if type:
            matched = [d for d in matched if d["type"] == type]
        start = (page - 1) * per_page
        hits = []
        for d in matched[start:start + per_page]:
            text = d["text"]
            highlights = []
            for t in terms:
                i = text.lower().find(t)
                if i >= 0:
                    highlights.append([i, i + len(t)])
            hit = {k: d[k] for k in ("url", "title", "path", "type")}
            hit["snippet"] = {"text": text, "highlights": highlights}
            hit["score"] = 1.0
            for key in ("page", "t", "anchor"):
                if key in d:
                    hit[key] = d[key]
            hits.append(hit)
        suggestion = "lighthouse" if "lighthose" in terms else None
        corrected = " ".join(terms) if terms != typed and matched else None
        return {
            "query": q, "total": len(matched), "took_ms": 2.5, "page": page, "per_page": per_page,
            "hits": hits, "facets": facets, "suggestion": suggestion, "relaxed": "allbutone" in terms,
            "corrected": corrected,
            "as_typed": " ".join(f'"{t}"' if t in CORRECTIONS else t for t in typed) if corrected else None,
            "index": self.status(),
        }


@pytest.fixture
def fake_search() -> FakeSearch:
    return FakeSearch()


@pytest.fixture
def make_app(tmp_path):
    def _make(search=None, site_name="Harbour Docs", pages_dir="", pages_must_load=True):
        config = Config(root=tmp_path)
        config.server.site_name = site_name
        config.server.pages_dir = pages_dir
        return create_web_app(config, search if search is not None else FakeSearch(), pages_must_load)

    return _make


@pytest.fixture
def app(make_app, fake_search):
    return make_app(fake_search)


@pytest.fixture
def client(app):
    return app.server.test_client()


def layout_for(client, page_url: str) -> dict:
    """GET /_dash-layout as the renderer does on the page at ``page_url``."""
    response = client.get("/_dash-layout", headers={"Referer": "http://testserver" + page_url})
    assert response.status_code == 200, response.data[:500]
    return response.get_json()


def walk(node: Any):
    """Every component dict in a layout tree."""
    if isinstance(node, dict):
        if "type" in node and "props" in node:
            yield node
            for value in node["props"].values():
                yield from walk(value)
        else:
            for value in node.values():
                yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def find(layout: Any, type_: str | None = None, **props) -> list[dict]:
    return [
        c for c in walk(layout)
        if (type_ is None or c["type"] == type_) and all(c["props"].get(k) == v for k, v in props.items())
    ]


def texts(node: Any) -> str:
    """All string children, joined (what a reader sees)."""
    out: list[str] = []

    def rec(n):
        if isinstance(n, str):
            out.append(n)
        elif isinstance(n, list):
            for i in n:
                rec(i)
        elif isinstance(n, dict) and "props" in n:
            rec(n["props"].get("children"))

    rec(node)
    return "".join(out)


def call_callback(client, output: str, inputs: list[dict], state: list[dict] | None = None) -> Any:
    """POST /_dash-update-component like the renderer; the new value of ``output``."""
    comp, prop = output.rsplit(".", 1)
    body = {
        "output": output,
        "outputs": {"id": comp, "property": prop},
        "inputs": inputs,
        "state": state or [],
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs],
    }
    response = client.post("/_dash-update-component", json=body)
    if response.status_code == 204:
        return None
    assert response.status_code == 200, response.data[:1000]
    return json.loads(response.data)["response"][comp][prop]


# --------------------------------------------------------------------------
# Live server and browser


class LiveApp:
    def __init__(self, app, search):
        from werkzeug.serving import make_server

        self.app = app
        self.search = search
        hashes = " ".join(csp_script_hashes(app))
        # What the server core adds (its gatekeeper sets these on every answer).
        # Referrer-Policy no-referrer is the harshest a core could choose: the
        # page's own <meta name=referrer> must still get the Referer sent.
        headers = [
            ("Content-Security-Policy", f"default-src 'self'; script-src 'self' {hashes}; "
                                        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        inner = app.server.wsgi_app

        def with_headers(environ, start_response):
            def start(status, response_headers, exc_info=None):
                return start_response(status, list(response_headers) + headers, exc_info)

            return inner(environ, start)

        app.server.wsgi_app = with_headers
        self.server = make_server("127.0.0.1", 0, app.server, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self._wait_ready()

    def _wait_ready(self) -> None:
        # The socket listens from make_server() on, so a request queues until
        # serve_forever accepts it: poll until one answers (bounded tries).
        import http.client

        last: Exception | None = None
        for _ in range(50):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=5)
                conn.request("GET", "/_dash-dependencies")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError as exc:
                last = exc
        raise AssertionError(f"web app did not start: {last}")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live():
    search = FakeSearch()
    config = Config(root=REPO)
    config.server.site_name = "Harbour Docs"
    app = create_web_app(config, search)
    server = LiveApp(app, search)
    yield server
    server.stop()


# Package scope, not session: Playwright's sync API keeps an event loop running
# in the main thread while it is open, and tests run after these (in any order)
# call asyncio.run.
@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageProbe:
    """A page plus what it did: dialogs, console errors, requests."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[tuple[str, str]] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append((r.method, r.url)))

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def callbacks(self) -> list[str]:
        return [u for m, u in self.requests if m == "POST" and "/_dash-update-component" in u]


@pytest.fixture
def probe(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    p = PageProbe(page)
    yield p
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
