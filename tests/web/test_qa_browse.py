"""Fixes from a QA pass of the pages as people use them: right-to-left
results and the wording of the search service's refusals. (Focus, typing
while results load, scroll position and announcements are browser tests in
test_browser.py.)"""

from __future__ import annotations

from .conftest import FakeSearch, QueryError, find, layout_for, texts

ARABIC = "منارة الإسكندرية كانت من عجائب الدنيا."


def test_right_to_left_titles_and_snippets_keep_their_direction(make_app):
    docs = [{"url": "/ar/pharos.html", "title": "منارة الإسكندرية.", "path": "ar/pharos.html", "type": "html",
             "text": ARABIC + " lighthouse", "words": ["lighthouse"]}]
    client = make_app(FakeSearch(docs)).server.test_client()
    layout = layout_for(client, "/search?q=lighthouse")
    link = find(layout, "A", className="hit-link")[0]
    heading = [h for tag in ("H2", "H3") for h in find(layout, tag, className="hit-title")][0]
    snippet = find(layout, "P", className="hit-snippet")[0]
    assert texts(link) == "منارة الإسكندرية."
    # On the block, so it is aligned too (on the link it was not); "ar/" in the path says right to left.
    assert heading["props"].get("dir") == "rtl"
    assert snippet["props"].get("dir") == "rtl"


def test_a_page_in_a_right_to_left_language_is_drawn_so_whatever_its_first_letter(make_app):
    """"B.4.2. نظم الملفات" began with a Latin B: dir=auto drew it left to right."""
    docs = [{"url": "/ar-MA/fs.html", "title": "B.4.2. نظم الملفات", "path": "ar-MA/fs.html", "type": "html",
             "text": "B.4.2 " + ARABIC + " lighthouse", "words": ["lighthouse"]}]
    client = make_app(FakeSearch(docs)).server.test_client()
    layout = layout_for(client, "/search?q=lighthouse")
    heading = [h for tag in ("H2", "H3") for h in find(layout, tag, className="hit-title")][0]
    assert heading["props"].get("dir") == "rtl"
    assert find(layout, "P", className="hit-snippet")[0]["props"].get("dir") == "rtl"


class Refusing(FakeSearch):
    def search(self, q, page=1, per_page=10, type=None, languages=None):
        raise QueryError("type a word to search for")


def test_query_errors_read_as_sentences(make_app):
    client = make_app(Refusing()).server.test_client()
    message = find(layout_for(client, "/search?q=%E2%80%8B"), id="search-message")[0]
    assert texts(message) == "Type a word to search for"


def test_long_site_name_fits_a_phone(browser, make_app):
    """The site name in the top bar did not wrap: at 360 px a long one made
    every results and not-found page scroll sideways."""
    from .conftest import LiveApp

    search = FakeSearch()
    live = LiveApp(make_app(search, site_name="The Northern Lighthouse Board Documentation Library"), search)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        for url in ("/search?q=lighthouse", "/docs/instal-guide.htm"):
            page.goto(live.url + url)
            page.wait_for_selector("main h1")
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, url
        page.set_viewport_size({"width": 1280, "height": 800})
        top = page.locator(".site-name").bounding_box()
        assert top["height"] < 40, "one line where there is room"
    finally:
        context.close()
        live.stop()


class Broken(FakeSearch):
    def search(self, q, page=1, per_page=10, type=None, languages=None):
        return {**super().search(q, page, per_page, type), "hits": 5}  # not a list: the page fails


def test_error_page_offers_the_search_box(make_app, caplog):
    client = make_app(Broken()).server.test_client()
    layout = layout_for(client, "/search?q=lighthouse")
    assert texts(find(layout, "H1")[0]) == "Something went wrong"
    assert find(layout, "Input", id="q"), "the error page has the search box"
    assert find(layout, "Link", className="site-name")


def test_each_tab_has_its_own_title(client):
    """All and PDF (and their pages) had one title: history and bookmarks
    showed the same words for different results."""
    from .conftest import layout_for as layout

    def title(url: str) -> tuple[str, str]:
        html = client.get(url).data.decode()
        first = html.split("<title>", 1)[1].split("</title>", 1)[0]
        shown = find(layout(client, url), "Data", id="page-title")[0]["props"]["value"]
        return first, shown

    assert title("/search?q=report") == ("report – Harbour Docs",) * 2
    assert title("/search?q=report&type=pdf") == ("report (PDF) – Harbour Docs",) * 2
    assert title("/search?q=report&type=HTML&page=2") == ("report (HTML, page 2) – Harbour Docs",) * 2
    assert title("/search?q=report&type=nope") == ("report – Harbour Docs",) * 2
