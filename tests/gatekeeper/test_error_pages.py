"""The core's own error pages: HTML for people (with a way on), JSON for programs."""

import json

from siteseer.gatekeeper.errors import error_response
from siteseer.server.messages import Request


def _page(status: int, path: str = "/x", accept: str = "text/html") -> str:
    return error_response(Request("GET", path, headers={"accept": accept}), status, "").body.decode()


def test_an_error_page_offers_a_search_box():
    for status in (400, 404, 405, 414, 429):
        page = _page(status)
        assert f"<h1>{status} " in page
        assert '<form action="/search" method="get" role="search">' in page and 'name="q"' in page
        assert "<script" not in page


def test_a_refused_client_gets_no_search_box():
    page = _page(403)  # the search would refuse it too
    assert "<h1>403 Forbidden</h1>" in page and "<form" not in page


def test_programs_get_json():
    body = json.loads(_page(404, path="/api/nope"))
    assert body == {"error": {"status": 404, "message": "Not Found"}}
    assert json.loads(_page(400, accept="application/json"))["error"]["status"] == 400
