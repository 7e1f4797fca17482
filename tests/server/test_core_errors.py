"""The RSGI core answers 500 for a handler's failure, a Rust panic included, and goes on serving."""

from __future__ import annotations

import asyncio
import io
import json

import pytest
import tantivy

from siteseer.config import load_config
from siteseer.server.app import SiteseerApp


class Scope:
    proto = "http"
    method = "GET"
    scheme = "http"
    http_version = "1.1"
    authority = None  # HTTP/1: the host is in the Host line
    client = "127.0.0.1:40000"

    def __init__(self, path: str, query: str = ""):
        self.path, self.query_string = path, query
        self.headers = {"host": "127.0.0.1", "accept": "application/json"}


class Proto:
    def __init__(self):
        self.sent: list[tuple[int, bytes]] = []

    def response_bytes(self, status, headers, body):
        self.sent.append((status, body))

    def response_empty(self, status, headers):
        self.sent.append((status, b""))


def _panic(*_args, **_kwargs):
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("t")
    tantivy.Index(sb.build()).searcher().search(tantivy.Query.all_query(), limit=0)


@pytest.fixture
def app(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a.txt").write_text("hello\n")
    app = SiteseerApp(load_config(tmp_path / "site"))
    app.accesslog.stream = io.StringIO()
    yield app
    app.services.close()


@pytest.mark.parametrize("failure", [RuntimeError("boom"), "panic"])
def test_a_failing_handler_gets_a_500_and_the_next_request_is_served(app, monkeypatch, failure):
    async def failing(request):
        if failure == "panic":
            _panic()
        raise failure

    monkeypatch.setattr(app.services, "search_api", failing)
    proto = Proto()
    asyncio.run(app.__rsgi__(Scope("/api/search", "q=x"), proto))
    asyncio.run(app.__rsgi__(Scope("/a.txt"), proto))
    (status, body), (next_status, next_body) = proto.sent
    assert status == 500 and json.loads(body)["error"]["status"] == 500
    assert (next_status, next_body) == (200, b"hello\n")


def test_ctrl_c_is_not_swallowed(app, monkeypatch):
    async def interrupted(request):
        raise KeyboardInterrupt

    monkeypatch.setattr(app.services, "search_api", interrupted)
    with pytest.raises(KeyboardInterrupt):
        asyncio.run(app.__rsgi__(Scope("/api/search", "q=x"), Proto()))
