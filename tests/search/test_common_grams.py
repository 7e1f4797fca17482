"""Phrases with a common word are searched through the body's ``grams``: the
same units as a phrase search, found without checking every position."""

import pytest
import tantivy
from sx_fixtures import indexed_service, write

from siteseer.index.textforms import analyzers, common_grams, stem_grams
from siteseer.search.build import Builder
from siteseer.search.query import parse
from siteseer.search.service import SearchService


@pytest.fixture(scope="module")
def grams_service(tmp_path_factory) -> SearchService:
    root = tmp_path_factory.mktemp("grams")
    write(root, "keeper.txt", "Lamp notes\n\nThe keeper of the light climbs the tower at dusk.")
    write(root, "apart.txt", "Tool notes\n\nThe list of tools is long; the tower has none.")
    write(root, "lamp.txt", "Lens notes\n\nThe keeper of the lamp polishes the lens.")
    write(root, "used.txt", "Old notes\n\nThey used the lamp until the oil ran out.")
    write(root, "twice.txt", "Log notes\n\nOf the two logs, one is of the keeper and one of the tower; "
                              "the rest of the page is blank. The keeper of logs is away.")
    return indexed_service(root)


def _paths(result: dict) -> set[str]:
    return {h["path"] for h in result["hits"]}


def test_grams_are_pairs_of_stems_with_a_common_one():
    assert common_grams("The keeper of the light used lamps") == (
        "the_keeper keeper_of of_the the_light light_use use_lamp")
    assert common_grams("Quokka habitat rainforest") == ""
    assert stem_grams(["zebra", "migrat"]) == []


def test_grams_from_remembered_stems_are_the_grams_of_the_stemmed_words(monkeypatch):
    """common_grams looks stems up in a memo; they must be what the words analyzer makes, also once it is cleared."""
    from siteseer.index import textforms

    monkeypatch.setattr(textforms._StemOf, "limit", 5)
    textforms._STEM_OF.clear()
    words = analyzers()[textforms.WORDS]
    for text in ("The keeper of the light used lamps", "Ünïcode naïve CAFÉS and the ŒUVRES of Dvořák",
                 "running runs ran the runner's run-time of 2024 is 42x faster", "the " + "x" * 45 + " value of it",
                 "Debian\u3000\u3000 the packages, of the systems"):
        assert common_grams(text) == " ".join(stem_grams(words.analyze(text))), text
    assert len(textforms._STEM_OF) <= 5


def test_a_two_word_phrase_finds_exactly_the_units_with_the_words_together(grams_service):
    found = grams_service.search('"of the"')
    # apart.txt has "of" and "the" but never one after the other
    assert _paths(found) == {"keeper.txt", "lamp.txt", "twice.txt"}
    assert found["total"] == 3
    # the unit that has the phrase four times ranks first
    assert found["hits"][0]["path"] == "twice.txt"


def test_a_phrase_gram_matches_every_form_of_its_words(grams_service):
    assert _paths(grams_service.search('"use the"')) == {"used.txt"}


def test_a_two_word_phrase_is_one_gram_term(grams_service):
    index = grams_service.handle.index()
    built = Builder(index.schema, index.searcher()).build(parse('"of the"'))
    assert '"of_the"' in repr(built.query)  # tantivy's debug form of the query


def test_a_longer_phrase_needs_its_words_in_order(grams_service):
    # twice.txt has the grams of "keeper of the" (keeper_of, of_the), not the phrase
    assert _paths(grams_service.search('"the keeper of the light"')) == {"keeper.txt"}
    assert _paths(grams_service.search('"keeper of the"')) == {"keeper.txt", "lamp.txt"}
    assert _paths(grams_service.search('"keeper of the" -lens')) == {"keeper.txt"}


def test_an_excluded_phrase_excludes_only_where_the_words_are_together(grams_service):
    assert _paths(grams_service.search('notes -"of the"')) == {"apart.txt", "used.txt"}


def test_a_phrase_searched_as_a_gram_is_still_highlighted_as_a_phrase(grams_service):
    hit = grams_service.search('"of the"')["hits"][0]
    snip = hit["snippet"]
    marked = [snip["text"][s:e].lower() for s, e in snip["highlights"]]
    assert marked and set(marked) == {"of the"}


def test_an_index_without_grams_still_answers_phrases():
    """An index built before the field existed is searched while the indexer rebuilds it."""
    sb = tantivy.SchemaBuilder()
    for name in ("title", "headings", "body"):
        sb.add_text_field(name, stored=True, tokenizer_name="words")
    sb.add_text_field("vocab", tokenizer_name="vocab")
    schema = sb.build()
    index = tantivy.Index(schema)
    for name, analyzer in analyzers().items():
        index.register_tokenizer(name, analyzer)
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    for body in ("the keeper of the light", "the list of tools"):
        writer.add_document(tantivy.Document(title="t", headings="", body=body, vocab=body))
    writer.commit()
    index.reload()
    searcher = index.searcher()
    built = Builder(schema, searcher).build(parse('"of the"'))
    assert searcher.search(built.query, limit=10).count == 1
