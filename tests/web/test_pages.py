"""The public pages in-process: Flask test client + fake search service."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from plotly.utils import PlotlyJSONEncoder

from siteseer.web.app import WebRoutes, csp_script_hashes, web_paths
from siteseer.web.static_html import to_html
from siteseer.web.render import _hit, deep_link_label, format_date, format_time, highlighted, safe_href, text_fragment, words_from_path

from .conftest import XSS, FakeSearch, call_callback, find, layout_for, texts


def hit_titles(layout) -> list[str]:
    return [texts(a) for a in find(layout, "A", className="hit-link")]


def links(layout) -> dict[str, str]:
    """text → href of every dcc.Link."""
    return {texts(c): c["props"]["href"] for c in find(layout, "Link")}


def page_url(layout) -> str | None:
    return find(layout, "Data", id="page-url")[0]["props"].get("value")


# --------------------------------------------------------------------------
# index HTML


def test_index_html_is_clean(client):
    html = client.get("/search?q=lighthouse").data.decode()
    assert '<html lang="en">' in html
    assert "<title>lighthouse – Harbour Docs</title>" in html
    assert '<meta name="referrer" content="same-origin">' in html
    assert 'name="generator"' not in html
    import dash
    import sys

    assert dash.__version__ not in html, "Dash version leaks into the page"
    assert sys.version.split()[0] not in html, "Python version leaks into the page"
    assert '"dash_version"' not in html and '"python_version"' not in html
    assert "plotly" not in html.lower()
    srcs = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert srcs and all(s.startswith("/") and not s.startswith("//") for s in srcs), srcs
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html).group(1))
    assert config["ui"] is False and config["props_check"] is False and "hot_reload" not in config
    assert not find_dev_tools(html)


def test_results_pages_ask_crawlers_not_to_index_them(client):
    assert client.get("/search?q=lighthouse").headers.get("X-Robots-Tag") == "noindex"
    assert client.get("/search?q=lighthouse&page=2&type=pdf").headers.get("X-Robots-Tag") == "noindex"
    assert client.get("/").headers.get("X-Robots-Tag") is None  # the home page is the site's to index


def test_pages_are_revalidated_and_results_vary_by_language(client):
    # Their HTML holds results and counts of the index as it is now (the <noscript> page).
    for url in ("/", "/search?q=lighthouse", "/no/such/page"):
        assert client.get(url).headers.get("Cache-Control") == "no-cache", url
    assert "Accept-Language" in client.get("/search?q=lighthouse").headers.get("Vary", "")


def find_dev_tools(html: str) -> bool:
    return "dash-debug-menu" in html or "_dash-global-error-container" in html


def test_titles_per_page_and_escaped(client):
    assert "<title>Harbour Docs</title>" in client.get("/").data.decode()
    assert "<title>Not found – Harbour Docs</title>" in client.get("/no/such/page").data.decode()
    assert "<title>report (page 2) – Harbour Docs</title>" in client.get("/search?q=report&page=2").data.decode()
    # The type the results are of, asked beside the query or in it.
    assert "<title>report type:pdf (PDF) – Harbour Docs</title>" in client.get("/search?q=report+type:pdf").data.decode()
    html = client.get("/search", query_string={"q": XSS}).data.decode()
    assert XSS not in html
    assert "<title>&lt;img src=x onerror=alert(1)&gt; – Harbour Docs</title>" in html
    # Dash fills its {%...%} placeholders after the title: the query's are text.
    html = client.get("/search?q=%7B%25config%25%7D+%7B%25scripts%25%7D").data.decode()
    assert "<title>&#123;&#37;config&#37;&#125; &#123;&#37;scripts&#37;&#125; – Harbour Docs</title>" in html


def no_script(client, url: str) -> str:
    """What a reader without JavaScript sees of ``url``: the page's <noscript>."""
    found = re.findall(r"<noscript>(.*?)</noscript>", client.get(url).data.decode(), re.S)
    assert len(found) == 1, found
    return found[0]


def test_results_without_scripts(client, fake_search):
    page = no_script(client, "/search?q=report&page=2")
    assert fake_search.calls[-1] == ("search", ("report", 2, 10, None))
    # The search box is a form that submits itself to a results URL.
    assert re.search(r'<form action="/search" class="search-form" method="get" role="search">', page)
    field = re.search(r"<input [^>]*>", page).group(0)
    assert 'name="q"' in field and 'value="report"' in field and 'id="q"' in field
    assert '<button class="search-button" id="q-go" type="submit">Search</button>' in page
    # Hits, their links and marks; facets and pages are plain links.
    assert re.findall(r'<a class="hit-link" href="([^"]+)"', page)[:2] == [
        "/reports/report-11.pdf#page=11", "/reports/report-12.pdf#page=12"]
    assert "<mark>report</mark>" in page
    assert 'href="/search?q=report&amp;page=3"' in page and 'href="/search?q=report&amp;type=pdf"' in page
    assert "#react-entry-point{display:none}" in page  # Dash's "Loading…" is not shown to them
    assert "needs JavaScript" not in page


def test_home_and_not_found_without_scripts(client, fake_search):
    home = no_script(client, "/")
    assert '<form action="/search" class="search-form big" method="get" role="search">' in home
    assert "home-title" in home
    missing = no_script(client, "/docs/instal-guide.htm")
    assert "Nothing is at <code id=\"missing-path\">/docs/instal-guide.htm</code>" in missing
    assert 'href="/docs/install-guide.html#getting-started"' in missing


def test_no_script_pages_keep_text_text(client, fake_search):
    page = no_script(client, "/search?q=" + quote_plus(XSS + " payload"))
    assert "<img" not in page and "<script" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the query and the hit's title, as text
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page


def test_assets_under_siteseer_prefix(client):
    html = client.get("/").data.decode()
    css = re.search(r'href="(/_siteseer/siteseer\.css[^"]*)"', html).group(1)
    js = re.search(r'src="(/_siteseer/siteseer\.js[^"]*)"', html).group(1)
    assert client.get(css).status_code == 200
    assert b"dash_clientside" in client.get(js).data
    assert client.get("/_siteseer/favicon.svg").status_code == 200
    renderer = re.search(r'src="(/_dash-component-suites/dash/dash-renderer/[^"]+)"', html).group(1)
    assert client.get(renderer).status_code == 200


def test_bundles_served_by_a_worker_that_never_rendered_the_page(make_app):
    """The page from one worker, the scripts from another: Dash must already know them."""
    app = make_app()
    html = app.server.test_client().get("/").data.decode()
    other = make_app()
    # Set up before any request: a fresh worker's threads must have nothing to race for.
    assert other.registered_paths["dash"] and other.callback_map
    other_worker = other.server.test_client()
    bundles = re.findall(r'src="(/_dash-component-suites/[^"]+)"', html)
    assert len(bundles) > 5
    for url in bundles:
        assert other_worker.get(url).status_code == 200, url


def test_web_paths_cover_every_route(app):
    routes = web_paths(app)
    assert isinstance(routes, WebRoutes)
    for path in ("/", "/search", "/_dash-layout", "/_dash-dependencies", "/_dash-update-component", "/_reload-hash"):
        assert routes.matches(path), path
    assert "/_dash-component-suites/" in routes.prefixes
    assert "/_siteseer/" in routes.prefixes
    assert not routes.matches("/docs/guide.html")
    assert not routes.matches("/api/search") and not routes.matches("/admin")
    # Every Flask rule of the app, except the catch-all, is inside web_paths.
    for rule in app.server.url_map.iter_rules():
        text = rule.rule
        if text == "/<path:path>":
            continue
        static = text.split("<", 1)[0]
        if "<" in text:
            assert any(static.startswith(p) or p.startswith(static) for p in routes.prefixes), text
        else:
            assert routes.matches(text), text


def test_csp_hashes_cover_inline_scripts(client, app):
    html = client.get("/").data.decode()
    hashes = set(csp_script_hashes(app))
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S)
    executable = [body for attrs, body in inline if "application/json" not in attrs]
    assert executable, "Dash's renderer bootstrap is inline"
    for body in executable:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in hashes


def test_layout_cache_headers(client):
    response = client.get("/_dash-layout", headers={"Referer": "http://x/search?q=lamp"})
    assert response.headers["Cache-Control"] == "no-store"
    assert "Referer" in response.headers["Vary"]


# --------------------------------------------------------------------------
# home


def test_home_has_box_focus_and_count(client):
    layout = layout_for(client, "/")
    box = find(layout, "Input", id="q")[0]["props"]
    assert box["autoFocus"] is True and box["type"] == "search"
    assert find(layout, "Label", htmlFor="q")
    assert find(layout, "Button", id="q-go")
    assert "Harbour Docs" in texts(find(layout, "H1")[0])
    assert f"{len(FakeSearch().docs)} documents indexed" in json.dumps(layout)
    assert not find(layout, "Graph")


def test_home_quiet_note_while_indexing(make_app):
    client = make_app(FakeSearch(indexing=True)).server.test_client()
    layout = layout_for(client, "/")
    assert "Indexing… 29 documents so far" in json.dumps(layout, ensure_ascii=False)


def test_an_older_siteseers_index_is_named_on_the_home_and_results_pages(make_app):
    from siteseer.web.render import OUTDATED

    client = make_app(FakeSearch(outdated=True)).server.test_client()
    assert OUTDATED in json.dumps(layout_for(client, "/"), ensure_ascii=False)
    assert OUTDATED in json.dumps(layout_for(client, "/search?q=lighthouse"), ensure_ascii=False)


# --------------------------------------------------------------------------
# results


def test_results_in_first_layout(client, fake_search):
    layout = layout_for(client, "/search?q=lighthouse")
    assert hit_titles(layout) == ["Lighthouse maintenance manual", "Harbour talk"]
    assert fake_search.calls[-1] == ("search", ("lighthouse", 1, 10, None))
    assert page_url(layout) == "/search?q=lighthouse"
    assert find(layout, "Input", id="q")[0]["props"]["value"] == "lighthouse"
    stats = texts(find(layout, "Span", id="result-stats")[0])
    assert stats == "2 results (2 ms)" or stats.startswith("2 results (")
    links_ = [a["props"]["href"] for a in find(layout, "A", className="hit-link")]
    assert links_ == ["/manuals/lighthouse.pdf#page=7", "/talks/harbour.srt#t=93"]
    page_title = find(layout, "Data", id="page-title")[0]["props"]["value"]
    assert page_title == "lighthouse – Harbour Docs"


def test_highlights_become_marks(client):
    layout = layout_for(client, "/search?q=lighthouse")
    snippet = find(layout, "P", className="hit-snippet")[0]
    marks = find(snippet, "Mark")
    assert [texts(m) for m in marks] == ["lighthouse"]
    assert texts(snippet) == "Trim the lighthouse lamp wick every evening before dusk."
    assert "dangerously_set_inner_html" not in json.dumps(layout)


def test_highlighted_clamps_and_merges():
    pieces = highlighted("hello world", [[6, 11], [0, 2], [1, 4], [50, 60], [3, 3], ["x", 1], None])
    as_text = [p if isinstance(p, str) else ("MARK", p.children) for p in pieces]
    assert as_text == [("MARK", "hell"), "o ", ("MARK", "world")]
    assert highlighted("abc", []) == ["abc"]
    assert highlighted("", [[0, 5]]) == []


def test_the_browsers_languages_reach_the_search(client, fake_search):
    """Pages in the reader's languages come before other translations (rerank.by_language)."""
    client.get("/_dash-layout", headers={"Referer": "http://testserver/search?q=lighthouse",
                                         "Accept-Language": "de-DE,de;q=0.9,en;q=0.8"})
    assert fake_search.languages == ("de", "en")
    layout_for(client, "/search?q=lighthouse")
    assert fake_search.languages == ()


def test_deep_link_labels(client):
    assert deep_link_label({"page": 7}) == "page 7"
    assert deep_link_label({"t": 93}) == "1:33"
    assert deep_link_label({"t": 3723.4}) == "1:02:03"
    # The section's name is the hit's title: its anchor's words said it again, or something else.
    assert deep_link_label({"anchor": "getting-started", "title": "Getting started"}) == "section"
    assert deep_link_label({"anchor": "_git_urls_a_id_urls_a", "title": "GIT URLS"}) == "section"
    assert deep_link_label({"anchor": "id-1.9.3.184.8"}) == "section"  # DocBook's generated ids link as well
    assert deep_link_label({}) is None
    assert format_time("x") == ""
    layout = layout_for(client, "/search?q=lighthouse+install")
    labels = [texts(s) for s in find(layout, "Span", className="hit-deep")]
    assert labels == ["page 7", "1:33", "section"]
    types = [texts(s) for s in find(layout, "Span", className="hit-type")]
    assert types == ["PDF", "SRT", "HTML"]


def test_a_hit_shows_the_day_its_file_was_modified():
    assert format_date("2026-12-07T01:44:13Z") == "7 Dec 2026"
    assert format_date("2026-02-30T00:00:00Z") is None and format_date(None) is None and format_date(3) is None
    hit = {"url": "/a.html", "title": "A", "path": "a.html", "type": "html", "modified": "2025-01-31T23:59:59Z",
           "snippet": {"text": "lamp", "highlights": []}}
    html = to_html(_hit(hit))
    assert '<time class="hit-date" datetime="2025-01-31T23:59:59Z" title="Last modified">31 Jan 2025</time>' in html
    assert "hit-date" not in to_html(_hit({**hit, "modified": "yesterday"}))


def test_xss_query_and_document_stay_text(client, fake_search):
    from urllib.parse import quote_plus

    layout = layout_for(client, "/search?q=" + quote_plus(XSS + " payload"))
    raw = json.dumps(layout)
    assert "dangerously_set_inner_html" not in raw
    assert fake_search.calls[-1][1][0] == XSS + " payload"
    # The query is a value, the document title is a child string, never markup.
    assert find(layout, "Input", id="q")[0]["props"]["value"] == XSS + " payload"
    assert hit_titles(layout) == [XSS]
    assert not find(layout, "Img") and not find(layout, "Script")
    assert "<script>window.__xss=1</script>" in texts(find(layout, "P", className="hit-snippet")[0])


def test_unsafe_hit_urls_are_not_links():
    assert safe_href("/a.pdf#page=2") == "/a.pdf#page=2"
    assert safe_href("https://example.org/x") == "https://example.org/x"
    for bad in ("javascript:alert(1)", "//evil.example/x", "data:text/html,x", " javascript:x", None, 5):
        assert safe_href(bad) is None


def test_text_fragments_point_at_the_snippets_words():
    def frag(text, start, end, context=True):
        return text_fragment({"text": text, "highlights": [[start, end]]}, context)

    assert frag("…off Plymouth the Eddystone rocks", 18, 27) == "#:~:text=the-,Eddystone"
    assert frag("Eddystone rocks, four towers", 0, 9) == "#:~:text=Eddystone,-rocks%2C"  # nothing before: after
    # Never across a sentence's end (nor a "…"): the browser would match nothing there.
    assert frag("It burned. Eddystone. Then", 11, 20) == "#:~:text=Eddystone"
    assert frag("It burned. Eddystone stood", 11, 20) == "#:~:text=Eddystone,-stood"
    assert frag("burned… Eddystone", 8, 17) == "#:~:text=Eddystone"
    assert frag("x a-b, Eddystone", 7, 16) == "#:~:text=a%2Db%2C-,Eddystone"  # its syntax is encoded
    assert frag("東京都の天気", 0, 3) == "#:~:text=%E6%9D%B1%E4%BA%AC%E9%83%BD"  # no word beside a CJK run
    assert frag("the **Eddystone** rocks", 6, 15, context=False) == "#:~:text=Eddystone"
    for bad in ({"text": "x", "highlights": []}, {"text": "x", "highlights": [[0, 9]]}, {"text": 5, "highlights": [[0, 1]]},
                {"highlights": [["a", 1]]}, None, "x"):
        assert text_fragment(bad) == ""


def test_hit_links_carry_a_fragment_only_where_it_can_help():
    def href(url, type_):
        hit = _hit({"url": url, "type": type_, "title": "t", "snippet": {"text": "the lamp room", "highlights": [[4, 8]]}})
        return find(json.loads(json.dumps(hit, cls=PlotlyJSONEncoder)), "A", className="hit-link")[0]["props"]["href"]

    assert href("/a.html", "html") == "/a.html#:~:text=the-,lamp"
    assert href("/a.txt", "text") == "/a.txt#:~:text=the-,lamp"
    assert href("/a.md", "markdown") == "/a.md#:~:text=lamp"  # shown raw: no context
    assert href("/a.json", "json") == "/a.json#:~:text=lamp"
    # A section's anchor, a PDF page, a video moment: kept as they are (a fragment would override them).
    assert href("/a.html#keepers", "html") == "/a.html#keepers"
    assert href("/a.pdf#page=2", "pdf") == "/a.pdf#page=2"
    assert href("/a.mp4#t=3", "subtitle") == "/a.mp4#t=3"


def test_facet_links_keep_query(client):
    layout = layout_for(client, "/search?q=report")
    nav = find(layout, "Nav", className="facets")[0]
    hrefs = {texts(c): c["props"]["href"] for c in find(nav, "Link")}
    assert hrefs == {"PDF (17)": "/search?q=report&type=pdf", "HTML (8)": "/search?q=report&type=html"}
    current = find(nav, "Span", className="facet current")[0]
    assert texts(current) == "All (25)" and current["props"]["aria-current"] == "true"

    layout = layout_for(client, "/search?q=report&type=html")
    nav = find(layout, "Nav", className="facets")[0]
    hrefs = {texts(c): c["props"]["href"] for c in find(nav, "Link")}
    assert hrefs["All (25)"] == "/search?q=report"
    assert len(hit_titles(layout)) == 8


def test_pagination_links(client, fake_search):
    layout = layout_for(client, "/search?q=report&page=2")
    assert fake_search.calls[-1] == ("search", ("report", 2, 10, None))
    nav = find(layout, "Nav", className="pagination")[0]
    hrefs = {texts(c): c["props"]["href"] for c in find(nav, "Link")}
    assert hrefs == {
        "‹ Previous": "/search?q=report",
        "1": "/search?q=report",
        "3": "/search?q=report&page=3",
        "Next ›": "/search?q=report&page=3",
    }
    current = find(nav, "Span", className="page-link current")[0]
    assert texts(current) == "2" and current["props"]["aria-current"] == "page"
    assert hit_titles(layout)[0] == "Annual report 11"

    layout = layout_for(client, "/search?q=report&type=pdf&page=2")
    nav = find(layout, "Nav", className="pagination")[0]
    hrefs = {texts(c): c["props"]["href"] for c in find(nav, "Link")}
    assert hrefs == {"‹ Previous": "/search?q=report&type=pdf", "1": "/search?q=report&type=pdf"}
    assert not find(nav, "Link", id="page-next")


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999999999999999999"])
def test_bad_page_numbers_are_clamped(client, fake_search, page):
    layout_for(client, f"/search?q=report&page={page}")
    asked = fake_search.calls[-1][1][1]
    assert 1 <= asked <= 1000


def test_respelled_results_say_so_and_offer_the_words_as_typed(client):
    # The hits are for "keeper": a "did you mean keeper?" led to the same page again.
    layout = layout_for(client, "/search?q=harbour+keepr")
    (note,) = find(layout, "P", className="did-you-mean corrected")
    assert texts(note) == 'Showing results for harbour keeper. Search instead for harbour "keepr".'
    assert links(note) == {'harbour "keepr"': "/search?q=harbour+%22keepr%22"}
    assert find(layout, "Ol", className="hits")


def test_no_results_page_helps(client):
    layout = layout_for(client, "/search?q=lighthose")
    box = find(layout, "Div", id="no-results")[0]
    text = texts(box)
    assert "No results for lighthose." in text
    assert "Check the spelling" in text
    assert "Allow either word with OR (lamp OR lantern), or words that start alike with * (light*)." in text
    assert links(box) == {"lighthouse": "/search?q=lighthouse"}
    assert not find(layout, "Ol", className="hits")

    layout = layout_for(client, "/search?q=zebra&type=pdf")
    assert links(find(layout, "Div", id="no-results")[0])["all file types"] == "/search?q=zebra"


def test_query_error_shows_message(client):
    layout = layout_for(client, "/search?q=" + "lamp+(")
    message = find(layout, "P", id="search-message")[0]
    assert texts(message) == "Unbalanced parenthesis in lamp ("
    assert message["props"]["role"] == "alert"


@pytest.mark.parametrize("said, shown", [
    ("the query is too long (1,200 characters; at most 1000)", "The query is too long (1,200 characters; at most 1000)"),
    ("type a word to search for", "Type a word to search for"),
    # What the user typed stays as typed: "After:yesterday" is not what they have to fix.
    ("after:yesterday is not a date; use YYYY-MM-DD", "after:yesterday is not a date; use YYYY-MM-DD"),
    ("in:.. is not a folder path like in:docs/manual/", "in:.. is not a folder path like in:docs/manual/"),
    ("per_page must be between 1 and 50", "per_page must be between 1 and 50"),
    ("", ""),
])
def test_a_query_error_is_shown_as_a_sentence_but_for_what_was_typed(said, shown):
    from siteseer.web.render import _sentence

    assert _sentence(said) == shown


def test_search_failure_is_a_polite_message(client):
    layout = layout_for(client, "/search?q=explode")
    message = texts(find(layout, "P", id="search-message")[0])
    assert "not available" in message and "broken" not in message


def test_empty_query(client, fake_search):
    layout = layout_for(client, "/search?q=+")
    assert "Type some words" in texts(find(layout, "Main")[0])
    assert not [c for c in fake_search.calls if c[0] == "search"]


# --------------------------------------------------------------------------
# not found


def test_words_from_path():
    assert words_from_path("/docs/instal-guide.htm") == "docs instal guide"
    assert words_from_path("/a_b/C%20d/report.2024.pdf") == "a b C 20d report 2024"
    assert words_from_path("/") == ""
    assert len(words_from_path("/" + "/x" * 100).split()) == 12


def test_not_found_layout(client, fake_search):
    layout = layout_for(client, "/docs/instal-guide.htm")
    assert texts(find(layout, "H1", className="nf-title")[0]) == "Not found"
    assert texts(find(layout, "Code", id="missing-path")[0]) == "/docs/instal-guide.htm"
    assert ("search", ("docs instal guide", 1, 5, None)) in fake_search.calls
    assert hit_titles(layout) == ["Install guide"]
    assert find(layout, "Data", id="page-title")[0]["props"]["value"] == "Not found – Harbour Docs"
    # Under "Maybe one of these?" (an H2), each suggested page is an H3, not a second H2 beside it.
    assert find(layout, "H2", className="nf-sub") and find(layout, "H3", className="hit-title")
    assert not find(layout, "H2", className="hit-title")


def test_not_found_offers_the_file_of_a_close_name_beside_it(make_app, tmp_path):
    """/git-doc/git-stsh.html showed pages about "ssh" (the path's words, one respelled)."""
    (tmp_path / "git-doc").mkdir()
    (tmp_path / "git-doc" / "git-stash.html").write_text("<title>git-stash</title>")
    client = make_app().server.test_client()
    layout = layout_for(client, "/git-doc/git-stsh.html")
    (near,) = find(layout, "P", className="did-you-mean nf-near")
    # A plain link: Dash's own navigation (dcc.Link) showed its "Not found" for the file.
    assert [link["props"]["href"] for link in find(near, "A")] == ["/git-doc/git-stash.html"]
    assert not find(near, "Link")
    assert not find(layout_for(client, "/git-doc/other.html"), "P", className="did-you-mean nf-near")


def test_not_found_path_is_text(client):
    from urllib.parse import quote

    layout = layout_for(client, "/" + quote(XSS))
    assert texts(find(layout, "Code", id="missing-path")[0]) == "/" + XSS
    assert not find(layout, "Img")


# --------------------------------------------------------------------------
# callbacks


def test_first_load_without_referer_renders_through_callback(client):
    response = client.get("/_dash-layout")
    layout = response.get_json()
    assert page_url(layout) is None
    assert not find(layout, "Ol", className="hits")
    children = call_callback(client, "page.children", [{"id": "nav", "property": "value", "value": "/search?q=lighthouse"}])
    assert hit_titles(children) == ["Lighthouse maintenance manual", "Harbour talk"]
    assert page_url(children) == "/search?q=lighthouse"


def test_navigate_callback_renders_each_page(client):
    def nav(target):
        return call_callback(client, "page.children", [{"id": "nav", "property": "value", "value": target}])

    assert find(nav("/"), "Input", id="q")[0]["props"]["autoFocus"] is True
    assert texts(find(nav("/missing/thing.txt"), "H1")[0]) == "Not found"
    assert hit_titles(nav("/search?q=report&page=3")) == [f"Annual report {i}" for i in range(21, 26)]
    assert hit_titles(nav("/search?q=caf%C3%A9+lighthouse")) == ["Lighthouse maintenance manual", "Harbour talk"]
    assert nav("javascript:alert(1)") is None  # refused: not a path
    assert nav("/a" * 5000) is None  # longer than a request may be (414): 900 KB of it drew a 6 MB page


def test_suggest_callback(client, fake_search):
    options = call_callback(client, "q-suggest.children", [{"id": "q-prefix", "property": "value", "value": "li"}])
    assert [o["props"]["value"] for o in options] == ["lighthouse"]
    assert ("suggest", "li") in fake_search.calls
    assert call_callback(client, "q-suggest.children", [{"id": "q-prefix", "property": "value", "value": "l"}]) == []


def test_dependencies_have_no_initial_server_callbacks(client):
    deps = client.get("/_dash-dependencies").get_json()
    server_side = [d for d in deps if not d.get("clientside_function")]
    assert server_side and all(d["prevent_initial_call"] for d in server_side)


def test_debug_is_off(app):
    assert app.server.debug is False
    assert app._dev_tools.ui is False  # noqa: SLF001
    assert app._dev_tools.hot_reload is False  # noqa: SLF001


def test_layout_json_has_no_graph(client):
    for url in ("/", "/search?q=report", "/nope"):
        assert not find(layout_for(client, url), "Graph")


def test_query_string_encoding_roundtrip(client, fake_search):
    layout = layout_for(client, "/search?q=harbour+%26+lamp&type=srt")
    assert fake_search.calls[-1] == ("search", ("harbour & lamp", 1, 10, "srt"))
    href = links(find(layout, "Nav", className="facets")[0])["All (2)"]
    assert parse_qs(urlsplit(href).query) == {"q": ["harbour & lamp"]}


def test_results_that_lack_a_word_say_so(client):
    note = "No page has all of these words"
    assert note in json.dumps(layout_for(client, "/search?q=lighthouse+allbutone"))
    assert note not in json.dumps(layout_for(client, "/search?q=lighthouse"))


def test_pages_point_browsers_at_the_sites_search(make_app):
    # The <link> a browser finds to offer "search this site" from its address bar (search.opensearch).
    html = make_app(site_name='Tom & {%css%} docs').server.test_client().get("/").data.decode()
    links = re.findall(r'<link rel="search"[^>]*>', html)
    assert links == ['<link rel="search" type="application/opensearchdescription+xml" href="/api/opensearch.xml"'
                     ' title="Tom &amp; &#123;&#37;css&#37;&#125; docs">']


def test_the_last_reachable_page_says_so(make_app):
    """Past the 1,000th result there are no page links, and page=999 was "page 100" without a word."""
    from tests.web.conftest import FakeSearch, _doc

    docs = [_doc(f"/n/{i}.txt", f"Note {i}", f"n/{i}.txt", "text", "a note", ["note"]) for i in range(1005)]
    client = make_app(FakeSearch(docs)).server.test_client()
    last = no_script(client, "/search?q=note&page=100")
    assert "Only the first 1,000 results are shown" in last and "There is no page" not in last
    assert "Only the first" not in no_script(client, "/search?q=note&page=99")
    past = no_script(client, "/search?q=note&page=999")
    assert "There is no page 999: page 100 is the last one shown." in past


def test_a_page_past_the_end_links_the_last_page(make_app):
    """It offered the first page only: from page 9 of 5, the last is the one wanted."""
    from tests.web.conftest import FakeSearch, _doc

    docs = [_doc(f"/n/{i}.txt", f"Note {i}", f"n/{i}.txt", "text", "a note", ["note"]) for i in range(25)]
    client = make_app(FakeSearch(docs)).server.test_client()
    past = no_script(client, "/search?q=note&page=9")
    assert "There is no page 9" in past
    assert '<a href="/search?q=note&amp;page=3">go to the last page (3)</a>' in past
    assert '<a href="/search?q=note">the first</a>' in past


def test_a_new_search_without_scripts_stays_in_its_type(client):
    """With scripts a new search from the PDF tab stays there; the plain form dropped the type."""
    page = no_script(client, "/search?q=report&type=pdf")
    form = re.search(r'<form action="/search"[^>]*>(.*?)</form>', page, re.S).group(1)
    assert re.search(r"<input [^>]*name=\"type\" type=\"hidden\" value=\"pdf\"", form)
    assert 'name="type"' not in re.search(r'<form action="/search"[^>]*>(.*?)</form>',
                                          no_script(client, "/search?q=report"), re.S).group(1)
