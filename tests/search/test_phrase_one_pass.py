"""A phrase is counted on the way: one search for up to FACETS_FROM_HITS hits gives
the page, the total and the facets (from the ``kind`` fast field), with no facet pass;
with more, each type but the commonest is counted in a search restricted to it.

Whatever path a search takes, the answer must be the one the facet pass gives.
"""
from __future__ import annotations

import pytest
from sx_fixtures import html, indexed_service, write

from siteseer.index.extractors.base import KINDS
from siteseer.index.schema import kind_id, kind_of
from siteseer.search import service as service_module
from siteseer.search.service import SearchService

PHRASES = ['"lighthouse keeper"', '"lamp room" keeper', '"keeper trims the lamp"', '"keeper lighthouse"']


def _site(root):
    for i in range(14):
        filler = " ".join(["The tower stands on the rock."] * (i + 1))
        write(root, f"pages/keeper-{i:02}.html", html(f"Keeper {i}", f"<p>{filler} The lighthouse keeper trims the lamp"
                                                                     f" in the lamp room. {filler}</p>"))
        write(root, f"notes/keeper-{i:02}.txt", f"Note {i}\n\n{filler} A lighthouse keeper wrote this. {filler}")
    for i in range(5):
        write(root, f"md/log-{i}.md", f"# Log {i}\n\nThe keeper of the lighthouse, not a lighthouse keeper, {'x ' * i}.")
        write(root, f"md/apart-{i}.md", f"# Apart {i}\n\nA keeper lives here. The lighthouse is far away.")


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> SearchService:
    root = tmp_path_factory.mktemp("onepass")
    _site(root)
    return indexed_service(root)


@pytest.fixture
def facet_passes(monkeypatch):
    calls = []
    counted = SearchService._facets

    def facets(searcher, query):
        calls.append(query)
        return counted(searcher, query)

    monkeypatch.setattr(SearchService, "_facets", staticmethod(facets))
    return calls


def _answer(service, q, **kw):
    result = service.search(q, **kw)
    return {k: v for k, v in result.items() if k not in ("took_ms", "index")}


@pytest.mark.parametrize("keep", [2000, 10, 3])  # all the matches, or fewer: the facets counted by type
@pytest.mark.parametrize("q", PHRASES)
def test_a_phrase_answers_as_the_facet_pass_would_on_every_page(service, q, keep, monkeypatch):
    pages = [(page, per_page) for per_page in (3, 10) for page in range(1, 12)]
    monkeypatch.setattr(service_module, "FACETS_FROM_HITS", keep)
    one_pass = [_answer(service, q, page=p, per_page=n) for p, n in pages]
    monkeypatch.setattr(service_module, "FACETS_FROM_HITS", 0)  # the facet pass, always
    assert one_pass == [_answer(service, q, page=p, per_page=n) for p, n in pages]
    assert one_pass[0]["total"] > 0 or q == '"keeper lighthouse"'


def test_the_phrase_needs_no_facet_pass(service, facet_passes):
    result = service.search('"lighthouse keeper"')
    assert facet_passes == []
    # 14 pages and 14 notes; each log has it once too.
    assert result["total"] == 33 and result["facets"] == {"html": 14, "text": 14, "markdown": 5}
    assert list(result["facets"]) == ["html", "text", "markdown"]  # most first, as the facet pass orders them


def test_more_matches_than_it_keeps_are_counted_by_type(service, facet_passes, monkeypatch):
    monkeypatch.setattr(service_module, "FACETS_FROM_HITS", 10)
    result = service.search('"lighthouse keeper"')
    assert result["total"] == 33 and result["facets"] == {"html": 14, "text": 14, "markdown": 5}
    # No facet pass over the phrase's matches; the index's types, once, are all it counts so.
    assert all("AllQuery" in repr(query) for query in facet_passes)


def test_words_and_type_filters_make_the_facet_pass(service, facet_passes):
    service.search("lighthouse keeper")  # no positions to check: the passes are cheap
    service.search('"lighthouse keeper" type:html')  # the search sees one type, the facets all
    assert len(facet_passes) == 2


def test_a_two_word_phrase_with_a_common_word_is_one_gram_not_positional(service, facet_passes):
    assert service.search('"the lamp"')["total"] > 0
    assert len(facet_passes) == 1


def test_kind_ids_name_every_kind_and_nothing_else():
    assert [kind_of(kind_id(k)) for k in KINDS] == list(KINDS)
    assert kind_id("spreadsheet") == 0 and kind_of(0) is None and kind_of(None) is None
    assert kind_of(len(KINDS) + 1) is None
