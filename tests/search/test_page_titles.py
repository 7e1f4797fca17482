"""A unit knows where it is: a section of a long page is found by its page's
title and shown with it (``page_title``), and every unit by the words of its
path (both count as its headings do).

On the corpus, "git stash" found git-stash(1)'s "NAME" section only because its
body says "git-stash"; "vacuum full" found three sections titled "Notes",
"Parameters" and "Description" with no word of which page they were on.
"""
from __future__ import annotations

import pytest
from sx_fixtures import html, indexed_service, write

from siteseer.index.documents import page_title_of
from siteseer.search.cli import format_results
from siteseer.web import render

FILLER = "Changes to the working tree are recorded and can be restored later on demand. " * 20


def _site(root):
    write(root, "git-shelve.html", html("git-shelve(1)", f"""
        <h2 id="_name">NAME</h2><p>Save the changes in a dirty working directory away. {FILLER}</p>
        <h2 id="_options">OPTIONS</h2><p>Keep the index as it is. {FILLER}</p>"""))
    write(root, "tutorial.html", html("A tour", f"""
        <h2 id="intro">Introduction</h2><p>Run git shelve to put work aside. {FILLER}</p>
        <h2 id="more">More</h2><p>Nothing about that here. {FILLER}</p>"""))
    write(root, "short.html", html("Short page", "<h2 id='s'>Only part</h2><p>A short page about bookcases.</p>"))
    write(root, "postgresql-doc/tutorial-window.html", html("3.5. Window Functions",
                                                            "<p>A window function performs a calculation.</p>"))
    write(root, "other/windows.html", html("Windows", "<p>A window of a house lets light in.</p>"))


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("pagetitles")
    _site(root)
    return indexed_service(root)


def test_sections_are_found_by_their_pages_title_and_carry_it(service):
    hits = {h["url"]: h for h in service.search("git shelve")["hits"]}
    # Neither section of git-shelve(1) has the word "shelve" but in its page's title.
    assert set(hits) == {"/git-shelve.html#_name", "/git-shelve.html#_options", "/tutorial.html#intro"}
    assert hits["/git-shelve.html#_name"]["title"] == "NAME"
    assert hits["/git-shelve.html#_name"]["page_title"] == "git-shelve(1)"
    assert hits["/tutorial.html#intro"]["page_title"] == "A tour"


def test_a_unit_is_found_by_the_words_of_its_path(service):
    # The page never says PostgreSQL; its folder does.
    hits = service.search("postgresql window functions")["hits"]
    assert [h["path"] for h in hits] == ["postgresql-doc/tutorial-window.html"]
    assert service.search("tutorial window")["hits"][0]["path"] == "postgresql-doc/tutorial-window.html"


def test_matches_in_titles_and_paths_alone_are_counted(service):
    """``body`` holds the titles' and paths' words too: it alone decides what matches
    (and the facets count), phrases with a common word (searched as grams) included."""
    result = service.search("postgresql")  # in the path alone
    assert result["total"] == 1 and result["facets"] == {"html": 1}
    tour = service.search('"a tour"')  # in the page title of tutorial.html's sections alone
    assert {h["url"] for h in tour["hits"]} == {"/tutorial.html#intro", "/tutorial.html#more"}
    assert tour["total"] == 2 and tour["facets"] == {"html": 2}


def test_no_phrase_runs_from_the_page_title_into_the_headings_or_path(service):
    # Page title "git-shelve(1)", then the path "git-shelve": each is a value of its own.
    assert service.search('"shelve git"')["total"] == 0
    assert service.search('"1 git"')["total"] == 0


def test_a_unit_titled_by_its_page_has_no_page_title(service):
    (hit,) = service.search("bookcases")["hits"]
    assert hit["title"] == "Short page" and "page_title" not in hit


@pytest.mark.parametrize("unit, doc, want", [
    ("NAME", "git-shelve(1)", "git-shelve(1)"),
    ("git-shelve(1)", "git-shelve(1)", ""),  # the page's first unit
    ("Report — page 3", "Report", ""),  # PDF pages and subtitle windows say their document
    ("NAME", "", ""),
    ("NAME", "   ", ""),
    ("NAME", "x" * 1000, "x" * 300),
])
def test_page_title_of(unit, doc, want):
    assert page_title_of(unit, doc) == want


def test_the_page_and_the_cli_show_the_page_title():
    hit = {"url": "/a.html#n", "title": "NAME", "path": "a.html", "type": "html", "page_title": "git-shelve(1)",
           "snippet": {"text": "x", "highlights": []}}
    item = render._hit(hit)
    first = item.children[0]
    assert first.className == "hit-page" and first.children == "git-shelve(1)"
    assert "NAME — git-shelve(1)" in format_results({"total": 1, "hits": [hit]}, color=False)
    del hit["page_title"]
    assert render._hit(hit).children[0].className == "hit-title"
