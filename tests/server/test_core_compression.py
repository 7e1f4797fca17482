"""Answers made on the fly are compressed like files: the search API's JSON, /metrics, folder listings.

The whole RSGI app in process (the stand-in for granian of test_core_qa_fixes);
the search API's own compression is in tests/search/test_api.py.
"""

from __future__ import annotations

import gzip
import io

import brotli
import pytest

from siteseer.config import load_config
from siteseer.server.app import SiteseerApp
from tests.server.test_core_qa_fixes import ask


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("compression") / "site"
    (root / "many").mkdir(parents=True)
    for i in range(60):
        (root / "many" / f"note-{i:02d}.txt").write_text("x")
    app = SiteseerApp(load_config(root))
    app.accesslog.stream = io.StringIO()
    yield app
    app.services.close()


@pytest.mark.parametrize("path", ["/many/", "/metrics"])
def test_compressed_for_a_client_that_asks_and_the_same_bytes_after(app, path):
    plain = ask(app, "GET", path, [("accept-encoding", "identity")])
    gz = ask(app, "GET", path, [("accept-encoding", "gzip")])
    br = ask(app, "GET", path, [("accept-encoding", "br, gzip")])
    assert plain.status == gz.status == br.status == 200
    assert len(plain.body) > 2048 and plain.header("content-encoding") is None
    assert gz.header("content-encoding") == "gzip" and br.header("content-encoding") == "br"
    assert len(gz.body) < len(plain.body) / 2
    if path == "/many/":  # /metrics counts the requests before it: its text changes
        assert gzip.decompress(gz.body) == plain.body == brotli.decompress(br.body)
    else:
        assert gzip.decompress(gz.body).startswith(b"# HELP")
    for answer in (plain, gz, br):  # a cache must keep the forms apart
        assert "accept-encoding" in (answer.header("vary") or "").lower()


def test_a_head_for_a_listing_says_what_a_get_sends(app):
    head = ask(app, "HEAD", "/many/", [("accept-encoding", "gzip")])
    get = ask(app, "GET", "/many/", [("accept-encoding", "gzip")])
    assert head.status == 200 and head.body == b""
    assert head.header("content-encoding") == "gzip"
    assert head.header("content-length") == str(len(get.body))


def test_a_small_answer_is_left_alone(app):
    answer = ask(app, "GET", "/healthz", [("accept-encoding", "gzip")])
    assert answer.status == 200 and answer.header("content-encoding") is None and answer.header("vary") is None
