"""/api/search and /api/suggest through SearchAPI, in-process."""

import asyncio
import gzip
import json
import threading
import time
from urllib.parse import urlencode

import pytest

from siteseer.search.api import SearchAPI
from siteseer.server.messages import Request


@pytest.fixture(scope="module")
def api(service):
    return SearchAPI(service)


def call(api, path, params=None, method="GET"):
    request = Request(method, path, urlencode(params or {}))
    response = asyncio.run(api(request))
    return request, response


def body(response):
    assert response.header("content-type") == "application/json"
    return json.loads(response.body)


def test_search_json_and_traffic_state(api):
    request, response = call(api, "/api/search", {"q": "coffee", "per_page": 1, "page": 2})
    assert response.status == 200
    data = body(response)
    assert data["total"] == 2 and data["page"] == 2 and data["per_page"] == 1
    assert [h["path"] for h in data["hits"]] == ["notes/espresso.txt"]
    assert request.state["search"] == {"query": "coffee", "hits": 2, "page": 2}


def test_type_parameter_and_unicode(api):
    _, response = call(api, "/api/search", {"q": "zebra", "type": "pdf"})
    assert body(response)["facets"] == {"pdf": 2}
    _, response = call(api, "/api/search", {"q": "パッケージ"})
    assert "パッケージ" in response.body.decode()  # not \u-escaped


@pytest.mark.parametrize("params, message", [
    ({}, "q parameter is missing"),
    ({"q": ""}, "type a word"),
    ({"q": "a", "page": "x"}, "page must be a whole number"),
    ({"q": "a", "per_page": "500"}, "per_page must be between"),
    ({"q": "type:exe"}, "unknown type"),
    ({"q": "a", "type": "exe"}, "unknown type"),
])
def test_bad_parameters_are_400_json(api, params, message):
    _, response = call(api, "/api/search", params)
    assert response.status == 400
    err = body(response)["error"]
    assert err["status"] == 400 and message in err["message"]


def test_wrong_method_is_405_with_allow(api):
    _, response = call(api, "/api/search", {"q": "a"}, method="POST")
    assert response.status == 405 and response.header("allow") == "GET, HEAD"
    assert body(response)["error"]["status"] == 405


def test_suggest(api):
    _, response = call(api, "/api/suggest", {"q": "cof"})
    assert body(response) == {"query": "cof", "suggestions": ["coffee"]}
    _, response = call(api, "/api/suggest", {"q": "cof", "limit": "0"})
    assert response.status == 400


def test_other_paths_are_not_ours(api):
    assert call(api, "/api/other")[1] is None
    assert call(api, "/api/search/x")[1] is None


class SlowService:
    """Stands in for SearchService: each search blocks its thread for a while."""

    def __init__(self, config, seconds: float):
        self.config, self.seconds = config, seconds
        self.running, self.most = 0, 0
        self.lock = threading.Lock()

    def search(self, q, page=1, per_page=10, type=None, languages=None):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.seconds)
        with self.lock:
            self.running -= 1
        return {"total": 0, "hits": []}


def test_searches_run_off_the_event_loop_one_at_a_time(service):
    slow = SlowService(service.config, 0.2)
    api = SearchAPI(slow)  # type: ignore[arg-type]

    async def scenario():
        loop = asyncio.get_running_loop()
        searches = [asyncio.ensure_future(api(Request("GET", "/api/search", f"q=w{i}"))) for i in range(3)]
        await asyncio.sleep(0)  # let them start
        started = loop.time()
        await asyncio.sleep(0.01)  # what a file request's turn on the loop looks like
        loop_free_after = loop.time() - started
        answers = await asyncio.gather(*searches)
        return loop_free_after, answers

    try:
        loop_free_after, answers = asyncio.run(scenario())
    finally:
        api.close()
    assert loop_free_after < 0.15  # the loop was not held for a 0.2 s search
    assert [a.status for a in answers] == [200, 200, 200]
    assert slow.most == 1  # one search thread per worker: no interleaving on the GIL


def test_the_clients_languages_reach_the_search(service):
    seen = []

    class Recording:
        config = service.config

        def search(self, q, page=1, per_page=10, type=None, languages=None):
            seen.append(languages)
            return {"total": 0, "hits": []}

    api = SearchAPI(Recording())  # type: ignore[arg-type]
    try:
        request = Request("GET", "/api/search", "q=apt", {"accept-language": "ja,en;q=0.5"})
        assert asyncio.run(api(request)).status == 200
        asyncio.run(api(Request("GET", "/api/search", "q=apt")))
    finally:
        api.close()
    assert seen == [("ja", "en"), ()]


def test_answers_are_compressed_for_a_client_that_accepts_it(service):
    api = SearchAPI(service, compress_min_bytes=200)
    try:
        plain = asyncio.run(api(Request("GET", "/api/search", "q=coffee")))
        gz = asyncio.run(api(Request("GET", "/api/search", "q=coffee", {"accept-encoding": "gzip"})))
        short = asyncio.run(api(Request("GET", "/api/suggest", "q=cof", {"accept-encoding": "gzip"})))
    finally:
        api.close()
    assert len(plain.body) > 200
    assert plain.header("content-encoding") is None and plain.header("vary") == "Accept-Encoding"
    assert gz.header("content-encoding") == "gzip" and gz.header("vary") == "Accept-Encoding"
    assert len(gz.body) < len(plain.body)
    unpacked, expected = json.loads(gzip.decompress(gz.body)), json.loads(plain.body)
    assert unpacked["hits"] == expected["hits"] and unpacked["total"] == expected["total"] == 2
    assert len(short.body) < 200 and short.header("content-encoding") is None  # too small to be worth it
