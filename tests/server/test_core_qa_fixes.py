"""The core's HTTP rules found wanting by a QA pass: bodies, HEAD, methods, repeated fields, validators.

Most run the whole RSGI app in process with a stand-in for granian that keeps
repeated header lines apart as granian does; the two that depend on granian
itself (a body streamed without end, CONNECT) run against a live server.
"""

from __future__ import annotations

import asyncio
import io
import json
import socket
import time

import pytest

from siteseer.config import load_config
from siteseer.http.conditional import make_etag, variant_etag
from siteseer.http.fields import field_value
from siteseer.server.app import SiteseerApp
from siteseer.server.messages import BodyError, Request, RequestHeaders
from siteseer.server.wsgi import build_environ
from tests.rawhttp import exchange, request as raw_request, statuses

BUNDLE = "/_dash-component-suites/dash/dcc/dash_core_components.js"
CALLBACK = {"output": "page.children", "outputs": {"id": "page", "property": "children"},
            "inputs": [{"id": "nav", "property": "value", "value": "/search?q=lighthouse"}],
            "changedPropIds": ["nav.value"], "state": []}


class Headers:
    """granian's RSGIHeaders as siteseer uses it: ``get`` gives the first line, ``get_all`` every one."""

    def __init__(self, lines: list[tuple[str, str]]):
        self.lines = [(k.lower(), v) for k, v in lines]

    def get(self, name, default=None):
        return next((v for k, v in self.lines if k == name), default)

    def get_all(self, name):
        return [v for k, v in self.lines if k == name]

    def items(self):
        return list(self.lines)

    def keys(self):
        return list(dict.fromkeys(k for k, _ in self.lines))

    def __contains__(self, name):
        return any(k == name for k, _ in self.lines)


class Scope:
    proto = "http"
    scheme = "http"
    http_version = "1.1"
    authority = None  # HTTP/1: the host is in the Host line
    client = "127.0.0.1:40000"

    def __init__(self, method: str, path: str, headers: list[tuple[str, str]], query: str = ""):
        self.method, self.path, self.query_string = method, path, query
        self.headers = Headers([("host", "127.0.0.1"), *headers])


class Proto:
    """granian's protocol object: the body by chunks (counted as they are taken), and the answer."""

    def __init__(self, chunks: list[bytes] = ()):
        self.chunks = list(chunks)
        self.taken = 0
        self.answer: tuple[int, list[tuple[str, str]], bytes] | None = None

    async def __call__(self) -> bytes:
        return b"".join([chunk async for chunk in self])

    async def _chunks(self):
        for chunk in self.chunks:
            self.taken += len(chunk)
            yield chunk

    def __aiter__(self):
        return self._chunks()

    def response_bytes(self, status, headers, body):
        self.answer = (status, headers, body)

    def response_empty(self, status, headers):
        self.answer = (status, headers, b"")


class Answer:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes):
        self.status, self.body = status, body
        self.header_lines = headers

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.header_lines if k.lower() == name]
        return ", ".join(values) if values else None


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("qa") / "site"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "guide.html").write_text(
        "<!doctype html><title>Guide</title>" + "<p>The lighthouse keeper trims the lamp.</p>" * 80)
    app = SiteseerApp(load_config(root))
    app.accesslog.stream = io.StringIO()
    yield app
    app.services.close()


def ask(app, method: str, path: str, headers: list[tuple[str, str]] = (), chunks: list[bytes] = ()) -> Answer:
    proto = Proto(chunks)
    asyncio.run(app.__rsgi__(Scope(method, path, list(headers)), proto))
    return Answer(*proto.answer)


# --- 1. a chunked body is refused as soon as it passes the limit -------------------

def test_a_chunked_body_is_refused_once_past_the_limit_not_after_reading_it_all():
    chunk = b"x" * 65536
    proto = Proto([chunk] * 64)  # 4 MiB, no Content-Length
    request = Request("POST", "/_dash-update-component", headers={"transfer-encoding": "chunked"}, read_body=proto)
    with pytest.raises(BodyError) as refused:
        asyncio.run(request.body(1 << 20))
    assert refused.value.status == 413
    assert proto.taken <= (1 << 20) + len(chunk)


def test_a_body_within_the_limit_is_read_whole():
    request = Request("POST", "/x", headers={}, read_body=Proto([b"ab", b"cd"]))
    assert asyncio.run(request.body(4)) == b"abcd"
    with pytest.raises(BodyError):
        asyncio.run(Request("POST", "/x", headers={}, read_body=Proto([b"ab", b"cde"])).body(4))


def test_live_an_endless_chunked_upload_gets_413_and_the_connection_is_closed(serve, site):
    server = serve(site, args=("--no-index",))
    chunk = b"%x\r\n" % 65536 + b"x" * 65536 + b"\r\n"
    sent, raw = 0, b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /_dash-update-component HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        sock.setblocking(False)
        deadline = time.monotonic() + 20
        try:
            while sent < (32 << 20) and time.monotonic() < deadline:  # never the last chunk
                try:
                    raw = sock.recv(65536)
                    break
                except BlockingIOError:
                    pass
                try:
                    sent += sock.send(chunk)
                except BlockingIOError:
                    time.sleep(0.001)
        except (BrokenPipeError, ConnectionResetError):
            pass
        sock.setblocking(True)
        try:
            while True:
                more = sock.recv(65536)
                if not more:
                    break  # closed by the server
                raw += more
        except ConnectionResetError:
            pass
    assert statuses(raw) == [413], (sent, raw[:200])
    assert sent < (8 << 20)
    assert statuses(exchange(server.port, raw_request(b"/docs/notes.txt"))) == [200]


# --- 2. a chunked body reaches the Dash app -----------------------------------------

def test_a_chunked_callback_gets_the_same_answer_as_one_with_content_length(app):
    body = json.dumps(CALLBACK).encode()
    plain = ask(app, "POST", "/_dash-update-component",
                [("content-type", "application/json"), ("content-length", str(len(body)))], [body])
    chunked = ask(app, "POST", "/_dash-update-component",
                  [("content-type", "application/json"), ("transfer-encoding", "chunked")],
                  [body[:40], body[40:]])
    assert plain.status == chunked.status == 200
    assert json.loads(chunked.body)["response"].keys() == json.loads(plain.body)["response"].keys() == {"page"}


# --- 3. HEAD of an app page says GET's length ---------------------------------------

# "/" carries a fresh token on every answer, so its gzip size may differ by a byte.
@pytest.mark.parametrize("path, accept_encoding", [("/", "identity"), (BUNDLE, "identity"), (BUNDLE, "gzip")])
def test_head_of_an_app_page_has_the_headers_of_get(app, path, accept_encoding):
    headers = [("accept", "text/html"), ("accept-encoding", accept_encoding)]
    get, head = ask(app, "GET", path, headers), ask(app, "HEAD", path, headers)
    assert get.status == head.status == 200 and head.body == b""
    assert int(head.header("content-length")) == len(get.body) > 0
    for name in ("content-type", "content-encoding", "etag", "vary"):
        assert head.header(name) == get.header(name), name


# --- 4. /healthz and /metrics answer GET and HEAD only --------------------------------

@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT"])
def test_health_and_metrics_refuse_other_methods(app, path, method):
    answer = ask(app, method, path)
    assert answer.status == 405 and answer.header("allow") == "GET, HEAD"


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
def test_health_and_metrics_still_answer_get_and_head(app, path):
    assert ask(app, "GET", path).status == 200
    assert ask(app, "HEAD", path).status == 200


def test_live_connect_to_healthz_is_answered_not_tunnelled(serve, site):
    server = serve(site, args=("--no-index",))
    raw = exchange(server.port, b"CONNECT /healthz HTTP/1.1\r\nHost: t\r\n\r\n", timeout=3)
    assert statuses(raw) == [405] and b"\r\nallow: GET, HEAD\r\n" in raw


def test_live_an_absolute_target_with_user_information_is_refused(serve, site):
    """It was taken as the host of the OpenSearch description's links: http://user:pw@evil.com/..."""
    server = serve(site, args=("--no-index",))
    raw = exchange(server.port, b"GET http://user:pw@evil.com/api/opensearch.xml HTTP/1.1\r\nHost: t\r\n\r\n",
                   timeout=3)
    assert statuses(raw) == [400] and b"evil.com" not in raw
    raw = exchange(server.port, b"GET http://t:%d/api/opensearch.xml HTTP/1.1\r\nHost: t\r\n\r\n" % server.port,
                   timeout=3)
    assert statuses(raw) == [200] and b"http://t:%d/search?q=" % server.port in raw


# --- 5. repeated field lines ----------------------------------------------------------

def test_field_value_joins_list_fields_and_voids_a_repeated_range():
    assert field_value("if-none-match", ['"a"', '"b"']) == '"a", "b"'
    assert field_value("accept-encoding", ["identity", "gzip"]) == "identity, gzip"
    assert field_value("range", ["bytes=0-1", "bytes=3-4"]) is None
    assert field_value("range", ["bytes=0-1"]) == "bytes=0-1"
    assert field_value("if-match", []) is None
    # A date or If-Range sent twice is a list: void, as one line with a comma is (RFC 9110 13.1.3-5).
    for name in ("if-modified-since", "if-unmodified-since", "if-range"):
        assert field_value(name, ["Sun, 06 Nov 1994 08:49:37 GMT", "Mon, 07 Nov 1994 08:49:37 GMT"]) is None


def test_a_repeated_if_unmodified_since_is_ignored(app):
    modified = ask(app, "GET", "/docs/guide.html").header("last-modified")
    old = "Sun, 06 Nov 1994 08:49:37 GMT"
    assert ask(app, "GET", "/docs/guide.html", [("if-unmodified-since", old)]).status == 412
    assert ask(app, "GET", "/docs/guide.html", [("if-unmodified-since", old), ("if-unmodified-since", modified)]).status == 200


@pytest.mark.parametrize("name, status", [("if-none-match", 304), ("if-match", 200)])
def test_repeated_validator_lines_count_as_one_list(app, name, status):
    etag = ask(app, "GET", "/docs/guide.html").header("etag")
    assert ask(app, "GET", "/docs/guide.html", [(name, '"old"'), (name, etag)]).status == status


def test_repeated_accept_encoding_lines_count_as_one_list(app):
    answer = ask(app, "GET", "/docs/guide.html", [("accept-encoding", "identity"), ("accept-encoding", "gzip")])
    assert answer.header("content-encoding") == "gzip"


def test_a_repeated_range_is_ignored(app):
    answer = ask(app, "GET", "/docs/guide.html", [("range", "bytes=0-1"), ("range", "bytes=3-4")])
    assert answer.status == 200 and answer.header("content-range") is None
    assert ask(app, "GET", "/docs/guide.html", [("range", "bytes=0-1")]).status == 206


def test_repeated_if_none_match_lines_revalidate_an_app_answer(app):
    etag = ask(app, "GET", BUNDLE, [("accept-encoding", "identity")]).header("etag")
    answer = ask(app, "GET", BUNDLE, [("accept-encoding", "identity"),
                                      ("if-none-match", '"old"'), ("if-none-match", etag)])
    assert answer.status == 304


def test_repeated_lines_reach_the_app_joined():
    headers = Headers([("cookie", "a=1"), ("cookie", "b=2"), ("accept", "text/html"), ("accept", "*/*")])
    environ = build_environ(Request("GET", "/", headers=RequestHeaders(headers)), b"")
    assert environ["HTTP_COOKIE"] == "a=1; b=2" and environ["HTTP_ACCEPT"] == "text/html, */*"


def test_http2_authority_reaches_the_app_as_its_host():
    # HTTP/2 sends no Host line: the admin's same-origin check saw no host and refused its login.
    h2 = build_environ(Request("GET", "/", headers=RequestHeaders(Headers([])), http_version="2",
                               authority="docs.example:8443"), b"")
    assert h2["HTTP_HOST"] == "docs.example:8443"
    h1 = build_environ(Request("GET", "/", headers=RequestHeaders(Headers([("host", "a.example")]))), b"")
    assert h1["HTTP_HOST"] == "a.example"


# --- 6. validators of compressed app answers -----------------------------------------

def test_variant_etags_are_the_file_servers():
    assert variant_etag(make_etag(10, 20), "gzip") == make_etag(10, 20, "gzip")
    assert variant_etag('W/"abc"', "br") == 'W/"abc-br"'


def test_app_answers_have_an_etag_per_encoding_and_vary_on_both(app):
    gzip = ask(app, "GET", BUNDLE, [("accept-encoding", "gzip")])
    identity = ask(app, "GET", BUNDLE, [("accept-encoding", "identity")])
    assert gzip.header("content-encoding") == "gzip" and identity.header("content-encoding") is None
    assert gzip.header("etag") and identity.header("etag") and gzip.header("etag") != identity.header("etag")
    assert "accept-encoding" in gzip.header("vary").lower()
    assert "accept-encoding" in (identity.header("vary") or "").lower()


@pytest.mark.parametrize("accept_encoding", ["gzip", "br", "identity"])
def test_a_304_for_an_app_answer_carries_its_etag_and_vary(app, accept_encoding):
    first = ask(app, "GET", BUNDLE, [("accept-encoding", accept_encoding)])
    again = ask(app, "GET", BUNDLE, [("accept-encoding", accept_encoding), ("if-none-match", first.header("etag"))])
    assert again.status == 304 and again.body == b""
    assert again.header("etag") == first.header("etag")
    assert "accept-encoding" in (again.header("vary") or "").lower()
    assert again.header("content-encoding") is None
    other = ask(app, "GET", BUNDLE, [("accept-encoding", accept_encoding), ("if-none-match", '"other"')])
    assert other.status == 200


def test_an_apps_last_modified_still_gives_304(app):
    asset = "/_siteseer/siteseer.css"
    first = ask(app, "GET", asset)
    assert first.header("last-modified")
    again = ask(app, "GET", asset, [("if-modified-since", first.header("last-modified"))])
    assert again.status == 304 and again.header("etag") == first.header("etag")


def test_a_partial_app_answer_is_not_compressed(app):
    answer = ask(app, "GET", "/_siteseer/siteseer.css", [("range", "bytes=0-2000"), ("accept-encoding", "gzip")])
    assert answer.status == 206 and answer.header("content-encoding") is None
    assert len(answer.body) == 2001


# --- 7. the 404 of a client that asks for neither HTML nor JSON ------------------------

def test_a_404_for_plain_text_clients_is_the_small_html_error_page(app):
    answer = ask(app, "GET", "/no/such/file", [("accept", "text/plain")])
    assert answer.status == 404 and answer.header("content-type") == "text/html; charset=utf-8"
    assert b"Nothing at /no/such/file." in answer.body


def test_options_allows_what_the_web_app_answers(app):
    """OPTIONS says what a request would get: POST only on the callback endpoint, and not on pages."""
    assert ask(app, "OPTIONS", "/").header("allow") == "GET, HEAD"
    assert ask(app, "OPTIONS", "/_dash-update-component").header("allow") == "POST"
    post = ask(app, "POST", "/", [("content-type", "application/json"), ("content-length", "2")], [b"{}"])
    assert post.status == 405 and post.header("allow") == "GET, HEAD"
    # Any other method's 405 says the same (it said "GET, HEAD, POST" everywhere).
    assert ask(app, "PUT", "/").header("allow") == "GET, HEAD"
    assert ask(app, "PUT", "/search").header("allow") == "GET, HEAD"
    assert ask(app, "PUT", "/_dash-update-component").header("allow") == "POST"


# --- 8. compression a client cannot make costly -------------------------------------

def test_a_bundle_is_compressed_once_whatever_fingerprint_or_query_a_client_sends(app):
    """Dash serves a bundle under any ``.v…m…`` fingerprint and ignores the query string:
    keyed by the request's target, each variant cost a fresh compression (plotly.min.js:
    0.4-0.8 s of a worker)."""
    from siteseer.files.compress import default_cache

    plain = ask(app, "GET", BUNDLE, [("accept-encoding", "gzip")])
    misses = default_cache.misses
    for n, path in enumerate([BUNDLE.replace(".js", ".v9_9_9m123.js"), BUNDLE.replace(".js", ".v1m0.js"), BUNDLE]):
        proto = Proto()
        asyncio.run(app.__rsgi__(Scope("GET", path, [("accept-encoding", "gzip")], query=f"cb={n}"), proto))
        answer = Answer(*proto.answer)
        assert answer.status == 200 and answer.body == plain.body, path
    assert default_cache.misses == misses


def test_a_large_app_answer_is_compressed_off_the_event_loop(app, monkeypatch):
    import threading

    from siteseer.server import app as app_module

    real = app_module.compress_response
    seen = []

    def noted(*args, **kwargs):
        seen.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(app_module, "compress_response", noted)

    def compressed_on_the_loop(path: str) -> bool:
        proto, loop = Proto(), []

        async def run():
            loop.append(threading.get_ident())
            await app.__rsgi__(Scope("GET", path, [("accept-encoding", "br")]), proto)

        seen.clear()
        asyncio.run(run())
        assert Answer(*proto.answer).header("content-encoding") == "br" and len(seen) == 1
        return seen[0] == loop[0]

    assert not compressed_on_the_loop(BUNDLE)  # ~300 KB
    assert compressed_on_the_loop("/_siteseer/siteseer.css")  # small: a thread hop costs more than it saves


def test_a_huge_user_agent_or_referer_is_cut_before_it_is_logged_or_recorded(app, monkeypatch):
    from siteseer.server.app import RECORDED_HEADER_CHARS

    recorded = []
    monkeypatch.setattr(app.accesslog, "write", recorded.append)
    huge = "A" * 30_000  # within max_header_bytes (64 KiB in all), as granian lets through
    answer = ask(app, "GET", "/docs/guide.html", [("user-agent", huge), ("referer", "http://x/" + huge)])
    assert answer.status == 200
    entry = recorded[-1]
    assert entry["ua"] == "A" * RECORDED_HEADER_CHARS + "…"
    assert len(entry["referrer"]) == RECORDED_HEADER_CHARS + 1 and entry["referrer"].startswith("http://x/A")
    ask(app, "GET", "/docs/guide.html", [("user-agent", "curl/8.5.0")])
    assert recorded[-1]["ua"] == "curl/8.5.0" and recorded[-1]["referrer"] is None


def test_the_dashboards_own_traffic_and_health_checks_are_not_recorded(app, monkeypatch):
    """An open dashboard tab refreshes 18 times a minute: counted, it was most of a quiet
    site's requests and its p99. Refusals and failures there still count."""
    from siteseer.stats.recorder import counted

    recorded = []
    monkeypatch.setattr(app.services.recorder, "record", recorded.append)
    assert ask(app, "GET", "/healthz").status == 200
    assert ask(app, "GET", "/docs/guide.html").status == 200
    assert ask(app, "GET", "/admin").status == 404  # no admin password here: a failure, counted
    assert [(e["path"], e["status"]) for e in recorded] == [("/docs/guide.html", 200), ("/admin", 404)]
    assert not counted("POST", "/admin/_dash-update-component", 200) and not counted("GET", "/metrics", 200)
    assert counted("POST", "/admin/login", 401) and counted("GET", "/admin", 403) and counted("GET", "/metrics", 403)
    assert not counted("GET", "/admin", 401)  # the login form shown, no failure
    assert counted("GET", "/administrator.html", 200) and counted("POST", "/_dash-update-component", 200)  # the site's


def test_another_sites_broken_images_do_not_get_its_visitors_blocked(app, monkeypatch):
    noted = []
    monkeypatch.setattr(app.services.ratelimiter, "note_status", lambda ip, status: noted.append(status))
    image = [("sec-fetch-site", "cross-site"), ("sec-fetch-mode", "no-cors"), ("sec-fetch-dest", "image")]
    assert ask(app, "GET", "/missing-1.png", image).status == 404
    assert noted == []  # an <img> on another site's page: not this visitor scanning
    ask(app, "GET", "/missing-2.png", [("sec-fetch-site", "cross-site"), ("sec-fetch-mode", "navigate")])
    ask(app, "GET", "/missing-3.png", [("sec-fetch-site", "same-origin"), ("sec-fetch-mode", "no-cors")])
    ask(app, "GET", "/missing-4.png")
    assert noted == [404, 404, 404]


def test_a_pages_address_with_a_slash_after_it_is_sent_to_the_page(app):
    """/hello/ drew the page with a 404 status (and curl saw a bare not-found)."""
    proto = Proto()
    asyncio.run(app.__rsgi__(Scope("GET", "/search/", [("accept", "text/html")], query="q=lamp+oil"), proto))
    answer = Answer(*proto.answer)
    assert answer.status == 301 and answer.header("location") == "/search?q=lamp+oil"
    assert ask(app, "GET", "/_dash-layout/").status == 404  # Dash's endpoints are not pages
    assert ask(app, "GET", "/docs/guide.html/").status == 404  # nor is a file
    assert ask(app, "POST", "/search/", [("content-length", "0")]).status in (404, 405)
