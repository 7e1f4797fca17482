"""The server core end to end: real HTTP against `siteseer serve` on 127.0.0.1."""

from __future__ import annotations

import gzip
import os

import brotli
import httpx
import pytest

from tests.conftest import wait_until
from tests.rawhttp import exchange, request, statuses


@pytest.fixture
def server(serve, site):
    return serve(site, config='[server]\naccess_log = "combined"\n[redirects]\n"/old.html" = "/docs/guide.html"\n'
                              '"/blog/*" = "/docs/*"\n', args=("--no-index",))


def test_file_headers_and_validators(server):
    with server.client() as c:
        r = c.get("/docs/guide.html")
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.headers["accept-ranges"] == "bytes"
        etag, modified = r.headers["etag"], r.headers["last-modified"]
        assert c.get("/docs/guide.html", headers={"if-none-match": etag}).status_code == 304
        assert c.get("/docs/guide.html", headers={"if-modified-since": modified}).status_code == 304
        assert c.get("/data.json").headers["content-type"].startswith("application/json")


def test_head_has_headers_and_no_body(server):
    with server.client() as c:
        get = c.get("/blob.bin")
        head = c.head("/blob.bin")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == get.headers["content-length"] == "300000"
        assert len(get.content) == 300000


def test_byte_ranges(server):
    data = (server.root / "blob.bin").read_bytes()
    with server.client() as c:
        r = c.get("/blob.bin", headers={"range": "bytes=100-199"})
        assert r.status_code == 206 and r.content == data[100:200]
        assert r.headers["content-range"] == "bytes 100-199/300000"
        r = c.get("/blob.bin", headers={"range": "bytes=-10"})
        assert r.status_code == 206 and r.content == data[-10:]
        r = c.get("/blob.bin", headers={"range": "bytes=0-1,10-11"})
        assert r.status_code == 206 and r.headers["content-type"].startswith("multipart/byteranges")
        assert data[0:2] in r.content and data[10:12] in r.content
        r = c.get("/blob.bin", headers={"range": "bytes=300000-"})
        assert r.status_code == 416 and r.headers["content-range"] == "bytes */300000"
        etag = c.head("/blob.bin").headers["etag"]
        assert c.get("/blob.bin", headers={"range": "bytes=0-9", "if-range": etag}).status_code == 206
        assert c.get("/blob.bin", headers={"range": "bytes=0-9", "if-range": '"stale"'}).status_code == 200


def test_compression_for_text_only(server):
    with server.client() as c:
        r = c.get("/docs/guide.html", headers={"accept-encoding": "gzip"})
        assert r.headers["content-encoding"] == "gzip" and "accept-encoding" in r.headers["vary"].lower()
        raw = c.get("/docs/guide.html", headers={"accept-encoding": "br"})
        assert raw.headers["content-encoding"] == "br"
        assert b"lighthouse keeper" in c.get("/docs/guide.html", headers={"accept-encoding": "identity"}).content
        r = c.get("/blob.bin", headers={"accept-encoding": "gzip, br"})
        assert "content-encoding" not in r.headers
    # Check the compressed bytes really are what they claim, with a raw client.
    with httpx.Client(base_url=server.url) as c:
        r = c.get("/docs/guide.html", headers={"accept-encoding": "br"})
        assert b"lighthouse keeper" in r.content  # httpx decodes br when brotli is installed
    assert brotli and gzip


def test_directories(server):
    with server.client() as c:
        r = c.get("/docs?x=1")
        assert r.status_code in (301, 308) and r.headers["location"] == "/docs/?x=1"
        listing = c.get("/docs/")
        assert listing.status_code == 200 and "guide.html" in listing.text


def test_never_outside_the_folder(server):
    (server.root / "escape").symlink_to(server.root.parent / "secret.txt")
    with server.client() as c:
        assert c.get("/.env").status_code == 404
        assert c.get("/escape").status_code == 404
    for path in [b"/../secret.txt", b"/..%2fsecret.txt", b"/%2e%2e/secret.txt", b"/docs/..%5c..%5csecret.txt",
                 b"/%252e%252e/secret.txt", b"/%c0%ae%c0%ae/secret.txt", b"//secret.txt", b"/.env%00.html",
                 b"/docs/%2e%2e/%2e%2e/secret.txt"]:
        raw = exchange(server.port, request(path))
        assert b"outside the folder" not in raw and b"do-not-serve" not in raw, path
        assert statuses(raw)[0] in (400, 404), (path, raw[:200])


def test_real_404s(server):
    with server.client() as c:
        r = c.get("/no/such/page.html", headers={"accept": "text/html"})
        assert r.status_code == 404 and "text/html" in r.headers["content-type"]
        r = c.get("/api/nothing")
        assert r.status_code == 404 and r.json()["error"]["status"] == 404
        assert c.get("/no/such", headers={"accept": "*/*"}).status_code == 404


def test_redirects_keep_the_query(server):
    with server.client() as c:
        r = c.get("/old.html?a=1&b=2")
        assert r.status_code == 301 and r.headers["location"] == "/docs/guide.html?a=1&b=2"
        r = c.get("/blog/notes.txt?x=y")
        assert r.headers["location"] == "/docs/notes.txt?x=y"


def test_malformed_requests_get_4xx_and_the_server_keeps_serving(server):
    port = server.port
    cases = [
        (request(b"/a%00b"), 400),
        (request(b"/a%zz"), 404),  # as "/a%25zz": no such file
        (request(b"/" + b"a" * 9000), 414),
        (request(b"/docs/guide.html", method=b"FOO"), 501),
        (request(b"/docs/guide.html", method=b"get"), 501),
        (request(b"/docs/guide.html", method=b"DELETE"), 405),
        (request(b"/x", headers=b"Transfer-Encoding: gzip, chunked\r\n"), 400),
        (request(b"/x", headers=b"Content-Length: +5\r\n"), 400),
        (b"GET /x HTTP/1.1\r\nConnection: close\r\n\r\n", 400),
    ]
    for data, expected in cases:
        got = statuses(exchange(port, data))
        assert got and got[0] == expected, (data[:60], got)
        assert statuses(exchange(port, request(b"/docs/notes.txt"))) == [200]
    r = httpx.request("DELETE", server.url + "/docs/notes.txt")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"


def test_smuggled_request_is_not_answered(server):
    smuggle = (b"GET /docs/notes.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"
               b"0\r\n\r\nGET /data.json HTTP/1.1\r\nHost: t\r\n\r\n")
    raw = exchange(server.port, smuggle)
    assert statuses(raw) == [400]
    assert b"Harbour data" not in raw


def test_security_headers_everywhere(server):
    with server.client() as c:
        for path in ["/docs/notes.txt", "/", "/api/search?q=x", "/missing", "/search?q=x"]:
            r = c.get(path, headers={"accept": "text/html"})
            assert r.headers["x-content-type-options"] == "nosniff", path
            assert "frame-ancestors" in r.headers["content-security-policy"], path
            assert r.headers["referrer-policy"], path
            assert r.headers["server"] == "siteseer", path
        home = c.get("/")
        assert "script-src 'self'" in home.headers["content-security-policy"]
        import dash
        assert dash.__version__ not in home.text


def test_access_log_has_one_line_per_request(server):
    with server.client() as c:
        c.get("/docs/notes.txt", headers={"user-agent": "logcheck/1", "referer": "http://r/"})
    line = wait_until(lambda: next((l for l in server.log().splitlines() if "logcheck/1" in l), None),
                      timeout=10, message="the access log line")
    assert line.startswith("127.0.0.1 - - [")
    assert '"GET /docs/notes.txt HTTP/1.1" 200 27 "http://r/" "logcheck/1"' in line


def test_large_file_streams_whole(serve, tmp_path):
    root = tmp_path / "big"
    root.mkdir()
    data = os.urandom(1 << 20) * 20
    (root / "video.mp4").write_bytes(data)
    server = serve(root, args=("--no-index",))
    with server.client() as c:
        r = c.get("/video.mp4")
        assert r.headers["content-type"] == "video/mp4" and int(r.headers["content-length"]) == len(data)
        assert r.content == data
        r = c.get("/video.mp4", headers={"range": "bytes=10485760-"})
        assert r.status_code == 206 and r.content == data[10485760:]


def test_a_file_with_a_percent_sign_in_its_name_is_served(server, site):
    """Its link is "/docs/50%25%20off.txt"; granian hands the path over decoded."""
    (site / "docs" / "50% off.txt").write_text("half price\n")
    with server.client() as c:
        r = c.get("/docs/50%25%20off.txt")
        assert r.status_code == 200 and r.text == "half price\n"
        assert c.get("/docs/50%25%20on.txt").status_code == 404


def test_http_1_0_is_logged_and_handed_on_as_1_0(server):
    # nginx proxies in HTTP/1.0 by default; granian names it "1".
    raw = exchange(server.port, b"GET /docs/notes.txt HTTP/1.0\r\n\r\n")
    assert statuses(raw) == [200]
    wait_until(lambda: '"GET /docs/notes.txt HTTP/1.0" 200' in server.log(), message="the access-log line")
    assert "HTTP/1 " not in server.log()
