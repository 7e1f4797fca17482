"""Fixes from a QA pass: the pager's last page, the type tabs, and real 4xx
answers (not 500s, not pages) for requests the web and admin apps cannot serve.

The tabs are checked against the real search service too (a small indexed
folder): only it reads ``type:`` in the query and counts types as it does.
"""

from __future__ import annotations

import json
import logging

import pytest

from siteseer.config import Config
from siteseer.search.errors import QueryError
from siteseer.search.service import MAX_RESULTS, SearchService
from siteseer.stats.auth import CHALLENGE, hash_password
from siteseer.stats.blocks import BlockStore
from siteseer.web.admin import SimpleServices, create_admin_app
from siteseer.web.app import create_web_app, web_paths
from siteseer.web.render import last_page, type_view

from .conftest import FakeSearch, find, layout_for, texts


def tabs(layout) -> tuple[dict[str, str], list[str]]:
    """(label → href of each linked tab, labels of the tabs marked current)."""
    nav = find(layout, "Nav", className="facets")[0]
    links = {texts(c): c["props"]["href"] for c in find(nav, "Link")}
    current = [texts(c) for c in find(nav, "Span", className="facet current")]
    return links, current


def pager(layout) -> tuple[dict[str, str], str]:
    """(label → href of each pager link, the current page)."""
    nav = find(layout, "Nav", className="pagination")[0]
    links = {texts(c): c["props"]["href"] for c in find(nav, "Link")}
    return links, texts(find(nav, "Span", className="page-link current")[0])


# --------------------------------------------------------------------------
# 1. The pager ends at the last page the service serves


@pytest.fixture
def many(make_app):
    """3,000 hits for "the": more than the service ever pages through."""
    docs = [{"url": f"/d/{i}.html", "title": f"Doc {i}", "path": f"d/{i}.html", "type": "html",
             "text": "the text", "words": ["the"]} for i in range(3000)]
    search = FakeSearch(docs)
    return make_app(search).server.test_client(), search


def test_pager_stops_at_the_last_page_the_service_serves(many):
    client, search = many
    last = MAX_RESULTS // 10
    links, current = pager(layout_for(client, f"/search?q=the&page={last}"))
    assert current == str(last)
    assert "Next ›" not in links
    assert max(int(label) for label in links if label.isdigit()) == last - 1
    assert all(f"page={last + 1}" not in href for href in links.values())

    links, _ = pager(layout_for(client, f"/search?q=the&page={last - 1}"))
    assert links["Next ›"] == f"/search?q=the&page={last}"
    assert max(int(label) for label in links if label.isdigit()) == last

    # A page past it in the address shows the last one, not the service's error.
    layout_for(client, f"/search?q=the&page={last + 1}")
    assert search.calls[-1] == ("search", ("the", last, 10, None))


def test_last_page_is_the_services_own_limit(tmp_path):
    config = Config(root=tmp_path)
    service = SearchService(config)  # no index yet: paging is checked before the index is read
    for per_page in (10, 7, 50):
        assert service.search("lens", page=last_page(per_page), per_page=per_page)["page"] == last_page(per_page)
        with pytest.raises(QueryError):
            service.search("lens", page=last_page(per_page) + 1, per_page=per_page)


# --------------------------------------------------------------------------
# 2. The type tabs say what is shown


def test_type_parameter_is_read_as_the_service_reads_it(client):
    for asked in ("PDF", "Pdf"):
        links, current = tabs(layout_for(client, f"/search?q=report&type={asked}"))
        assert current == ["PDF (17)"], asked
        assert links == {"All (25)": "/search?q=report", "HTML (8)": "/search?q=report&type=html"}
    _, current = tabs(layout_for(client, "/search?q=report&type=htm"))
    assert current == ["HTML (8)"]


def test_type_view():
    assert type_view("lens", None) == ("lens", "")
    assert type_view("lens", "TXT") == ("lens", "text")
    assert type_view("lens type:pdf", None) == ("lens", "pdf")
    assert type_view("Type:PDF lens  fresnel", "pdf") == ("lens fresnel", "pdf")
    assert type_view('lens type:"pdf"', None) == ("lens", "pdf")
    assert type_view("lens type:pdf", "html") == ("lens", "html")  # the tab replaces the query's type
    assert type_view("lens type:pdf type:html", None) == ("lens", None)
    assert type_view("lens -type:pdf", None) == ("lens", None)
    assert type_view("type:pdf", None) == ("*", "pdf")
    assert type_view('"type:pdf" lens', None) == ('"type:pdf" lens', "")  # a phrase, not a filter
    assert type_view("lens type:zzz", None) == ("lens type:zzz", None)  # the search reports it
    assert type_view("lens filetype:pdf", None) == ("lens", "pdf")  # Google's name for it
    assert type_view("ext:PDF lens", "html") == ("lens", "html")
    assert type_view("lens -type:pdf", "html") == ("lens", "html")


def _index(root):
    from siteseer.index.indexer import run_index

    for i in range(3):
        (root / f"notes-{i}.txt").write_text(f"Notes on the lens, number {i}.\n")
    for i in range(2):
        (root / f"lens-{i}.html").write_text(f"<!doctype html><title>Lens page {i}</title><p>The lens {i}.</p>")
    (root / "lens.md").write_text("# Lens\n\nA markdown lens.\n")
    config = Config(root=root)
    config.index.workers = 1
    config.index.watch = False
    run_index(config)
    return config


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The web app over the real search service: 3 text, 2 HTML, 1 Markdown file about lenses."""
    root = tmp_path_factory.mktemp("site")
    config = _index(root)
    return create_web_app(config, SearchService(config)).server.test_client()


def shown_types(layout) -> list[str]:
    return [texts(s) for s in find(layout, "Span", className="hit-type")]


def test_tabs_with_the_real_service(real):
    layout = layout_for(real, "/search?q=lens&type=txt")
    assert shown_types(layout) == ["TEXT"] * 3
    assert tabs(layout)[1] == ["TEXT (3)"]  # no extra "TXT (0)"

    # The query's own type:text: its tab is the current one ...
    layout = layout_for(real, "/search?q=lens+type:text")
    assert shown_types(layout) == ["TEXT"] * 3
    links, current = tabs(layout)
    assert current == ["TEXT (3)"]
    # ... and a tab replaces it instead of adding a second type to it.
    assert links == {"All (6)": "/search?q=lens", "HTML (2)": "/search?q=lens&type=html",
                     "MARKDOWN (1)": "/search?q=lens&type=markdown"}
    layout = layout_for(real, links["HTML (2)"])
    assert shown_types(layout) == ["HTML"] * 2 and tabs(layout)[1] == ["HTML (2)"]
    layout = layout_for(real, links["All (6)"])
    assert len(shown_types(layout)) == 6 and tabs(layout)[1] == ["All (6)"]


def test_no_tab_claims_a_mix(real):
    layout = layout_for(real, "/search?q=lens+-type:text")
    assert len(shown_types(layout)) == 3
    links, current = tabs(layout)
    assert current == []
    assert links["All (6)"] == "/search?q=lens" and links["TEXT (3)"] == "/search?q=lens&type=text"


def test_a_type_asked_beside_the_query_replaces_its_type_words(real):
    """type=html beside "type:text" showed both types (5 results), under no tab."""
    layout = layout_for(real, "/search?q=lens+type:text&type=html")
    assert shown_types(layout) == ["HTML"] * 2 and tabs(layout)[1] == ["HTML (2)"]


# --------------------------------------------------------------------------
# 3 and 4. Requests the web app cannot serve: 404, 405 or 400, never 500 or a page


@pytest.mark.parametrize("path", [
    "/_dash-component-suites/dash/nope.js", "/_dash-component-suites/dash/dash.py",
    "/_dash-component-suites/flask/app.py", "/_dash-component-suites/dash/deps/../../../../etc/passwd",
    "/_dash-component-suites/", "/_dash-component-suites/foo", "/_siteseer/", "/_siteseer/nope.css",
])
def test_missing_paths_of_the_app_are_404(client, caplog, path):
    with caplog.at_level(logging.ERROR):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.data.startswith(b"Nothing at ")
        page = client.get(path, headers={"Accept": "text/html,*/*"})
        assert page.status_code == 404
        assert "<title>Not found – Harbour Docs</title>" in page.data.decode()  # the site's own 404 page
        assert client.head(path).status_code == 404
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_other_paths_stay_the_core_s_404_page(client):
    # The core asks the app for its not-found page and sets 404 itself (contract).
    response = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert response.status_code == 200 and b"<title>Not found" in response.data


def test_wrong_methods_are_405_with_what_is_allowed(app, client):
    routes = web_paths(app)
    response = client.get("/_dash-update-component")
    assert response.status_code == 405
    assert response.headers["Allow"] == routes.allow("/_dash-update-component") == "POST"
    for path in ("/", "/search"):
        response = client.post(path)
        assert response.status_code == 405, path
        assert response.headers["Allow"] == routes.allow(path) == "GET, HEAD"
        assert response.mimetype == "text/plain" and b"<" not in response.data


def _suggest_body(value):
    return {"output": "q-suggest.children", "outputs": {"id": "q-suggest", "property": "children"},
            "inputs": [{"id": "q-prefix", "property": "value", "value": value}],
            "changedPropIds": ["q-prefix.value"], "state": []}


BAD_CALLBACKS = [
    "{}", "[]", "null", "3", '"x"', "not json", "[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000,
    json.dumps({**_suggest_body("li"), "output": "nope.children"}),
    json.dumps({**_suggest_body("li"), "output": "url.href"}),  # a clientside callback
    json.dumps({**_suggest_body("li"), "output": ["q-suggest.children"]}),
    json.dumps({**_suggest_body("li"), "inputs": []}),
    json.dumps({**_suggest_body("li"), "inputs": {"id": "q-prefix"}}),
    json.dumps({**_suggest_body("li"), "inputs": [{"id": "q-prefix"}]}),
    json.dumps({**_suggest_body("li"), "state": [{"id": "q", "property": "value"}]}),
    json.dumps({**_suggest_body("li"), "outputs": []}),
    json.dumps({**_suggest_body("li"), "outputs": {"id": "other", "property": "children"}}),
    json.dumps({**_suggest_body("li"), "outputs": {"id": "q-suggest"}}),
    json.dumps({k: v for k, v in _suggest_body("li").items() if k != "outputs"}),
    json.dumps({**_suggest_body("li"), "changedPropIds": "q-prefix.value"}),
]


@pytest.mark.parametrize("body", BAD_CALLBACKS, ids=range(len(BAD_CALLBACKS)))
def test_bad_callback_requests_are_400(client, caplog, body):
    with caplog.at_level(logging.ERROR):
        response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 400, response.data[:300]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("value", [123, 1.5, True, ["li"], {"a": "li"}])
def test_suggest_takes_any_json_value(client, fake_search, value):
    response = client.post("/_dash-update-component", json=_suggest_body(value))
    assert response.status_code == 200
    assert response.get_json()["response"]["q-suggest"]["children"] == []
    assert not [c for c in fake_search.calls if c[0] == "suggest"]
    # A real one still asks the service.
    assert client.post("/_dash-update-component", json=_suggest_body("li")).get_json()["response"]


# --------------------------------------------------------------------------
# 5. The admin's 401s name their challenge


def test_admin_401s_carry_a_challenge(tmp_path):
    config = Config(root=tmp_path)
    config.index.state_dir = str(tmp_path / "state")
    config.admin.password_hash = hash_password("right", n=2 ** 4)
    client = create_admin_app(config, SimpleServices(BlockStore(config.state_dir))).test_client()
    answers = [client.get("/admin"), client.get("/admin/"), client.get("/admin/_dash-layout"),
               client.post("/admin/_dash-update-component", json={}),
               client.post("/admin/login", data={"password": "wrong"})]
    for response in answers:
        assert response.status_code == 401, response.request.path
        assert response.headers["WWW-Authenticate"] == CHALLENGE
    assert b'type="password"' in answers[0].data  # browsers still show the login form
    assert CHALLENGE.startswith("Cookie ") and 'form-action="/admin/login"' in CHALLENGE
