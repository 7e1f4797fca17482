"""Pages in the reader's languages first (``rerank.by_language``): Accept-Language
on the page and the API, LANG for the command line, English without one.

On the corpus an English query about Debian found the 25 other languages of
its manuals first: "apt sources list" had its first English hit at rank 34.
"""
from __future__ import annotations

import pytest
from sx_fixtures import html, indexed_service, write

from siteseer.http.languages import accepted_languages
from siteseer.index.languages import NO_LANGUAGE, language_id
from siteseer.search import rerank
from siteseer.search.cli import locale_languages

LANGS = ["de", "fr", "es", "it", "nl", "pt", "ru", "ja", "zh_CN", "ko", "sv", "da", "fi", "nb", "pl", "cs",
         "hu", "ro", "tr", "uk", "vi", "id", "ca", "el", "ar", "he", "fa"]  # 27: more than rerank.WINDOW


def _site(root):
    # The English chapter says "sources list" once among much else; each translation keeps the
    # words in a short page, so BM25 ranks all 27 above it.
    write(root, "reference/ch02.en.html", html("Package management", "<p>" + "Debian packages come from mirrors. " * 2
                                                + "Edit the apt sources list to add one.</p>"))
    for lang in LANGS:
        write(root, f"reference/ch02.{lang}.html", html(f"Paketverwaltung {lang}", "<p>apt sources list apt sources list</p>"))
    write(root, "notes/mirrors.html", html("Mirrors", "<p>Our apt sources list, for the office.</p>"))


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("languages")
    _site(root)
    return indexed_service(root)


def paths(result):
    return [h["path"] for h in result["hits"]]


def test_english_readers_get_english_and_unlabelled_pages_first(service):
    found = paths(service.search("apt sources list"))
    assert set(found[:2]) == {"reference/ch02.en.html", "notes/mirrors.html"}, found


def test_a_german_reader_gets_the_german_page_first(service):
    found = paths(service.search("apt sources list", languages=("de", "en")))
    assert found[0] == "reference/ch02.de.html", found
    assert set(found[1:3]) == {"reference/ch02.en.html", "notes/mirrors.html"}, found


def test_without_the_language_pass_the_translations_come_first(service, monkeypatch):
    monkeypatch.setattr(rerank, "LANGUAGE_WINDOW", rerank.WINDOW)
    monkeypatch.setattr(rerank, "WIDER", rerank.WINDOW)
    found = [h["path"] for p in (1, 2, 3) for h in service.search("apt sources list", page=p)["hits"]]
    assert found.index("reference/ch02.en.html") >= rerank.WINDOW, found


def test_a_window_of_translations_is_widened(service, monkeypatch):
    """"debian install" had 6 English hits in its first 100 and showed Norwegian pages on its
    first page: when few of the window are in the reader's languages, a wider one is reranked."""
    monkeypatch.setattr(rerank, "LANGUAGE_WINDOW", 10)  # 10 translations: no English page among them
    monkeypatch.setattr(rerank, "WINDOW", 5)
    monkeypatch.setattr(rerank, "ENOUGH_READ", 2)
    monkeypatch.setattr(rerank, "WIDER", 10)
    narrow = paths(service.search("apt sources list"))
    monkeypatch.setattr(rerank, "WIDER", 40)
    wide = paths(service.search("apt sources list"))
    assert "reference/ch02.en.html" not in narrow[:2] and set(wide[:2]) == {"reference/ch02.en.html", "notes/mirrors.html"}
    paged = [p for n in range(1, 12) for p in paths(service.search("apt sources list", page=n, per_page=3))]
    assert sorted(paged) == sorted(paths(service.search("apt sources list", per_page=50)))  # every hit once
    assert paged[:2] == wide[:2]


def test_the_wider_window_keeps_every_hit_once_across_pages(service):
    everything = paths(service.search("apt sources list", per_page=50))
    paged = [p for n in range(1, 12) for p in paths(service.search("apt sources list", page=n, per_page=3))]
    assert len(everything) == len(LANGS) + 2
    assert sorted(paged) == sorted(everything) and len(set(paged)) == len(paged)
    assert paged[:2] == everything[:2]


def test_a_language_it_cannot_read_means_english(service):
    assert paths(service.search("apt sources list", languages=("xx",)))[:2] == \
        paths(service.search("apt sources list"))[:2]


def test_language_ids_of_paths():
    assert language_id("reference/ch02.zh_CN.html") == language_id("x/zh-TW/y.html") != NO_LANGUAGE
    assert language_id("handbook/de-DE/apt.html") == language_id("a.de.pdf") != language_id("a.en.pdf")
    assert language_id("library/json.html") == NO_LANGUAGE
    assert language_id("docs/pl.html") == NO_LANGUAGE  # a file named like a language is not one


@pytest.mark.parametrize("header, want", [
    ("de-DE,de;q=0.9,en;q=0.8", ("de", "en")),
    ("en-US,en;q=0.5", ("en",)),
    ("fr;q=0, en", ("en",)),
    ("ja, en-GB;q=abc", ("ja",)),  # a malformed weight is 0
    ("*", ()),
    ("", ()),
    (None, ()),
    ("x" * 2000, ()),
])
def test_accepted_languages(header, want):
    assert accepted_languages(header) == want


def test_the_terminals_languages():
    assert locale_languages({"LANG": "de_DE.UTF-8"}) == ("de",)
    assert locale_languages({"LANGUAGE": "pt_BR:pt:en", "LANG": "de_DE.UTF-8"}) == ("pt", "en")
    assert locale_languages({"LANG": "C.UTF-8"}) == locale_languages({"LC_ALL": "POSIX"}) == ()


def test_the_total_is_counted_when_the_facets_do_not_tell_it(service, monkeypatch):
    # A type left out: the facets count every type, so the total comes from the
    # search that found the window (it was dropped: the page said "0 results" above its hits).
    monkeypatch.setattr(rerank, "LANGUAGE_WINDOW", 10)
    monkeypatch.setattr(rerank, "ENOUGH_READ", 0)  # the first window is enough: no wider search
    for q in ("apt sources list -type:pdf", "apt sources list type:html type:text"):
        result = service.search(q)
        assert result["total"] == len(LANGS) + 2, (q, result["total"])
        assert len(result["hits"]) == 10
