"""Function words ("how", "does", "a") are optional beside other words, and never marked."""

from __future__ import annotations

import pytest
from sx_fixtures import html, indexed_service, write

from siteseer.search.errors import QueryError


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    root = tmp_path_factory.mktemp("function-words")
    write(root, "lighthouse.html", html("How a lighthouse works",
                                        "<p>The lamp turns, and the lens gathers its light into a beam.</p>"))
    write(root, "index.html", html("Welcome", "<p>Read how the harbour works, and what a keeper does.</p>"))
    write(root, "hamlet.txt", "To be, or not to be, that is the question.\n")
    write(root, "motto.txt", "To be ready is all.\n")
    return indexed_service(root)


def _marked(hit: dict) -> list[str]:
    return [hit["snippet"]["text"][a:b].lower() for a, b in hit["snippet"]["highlights"]]


def test_a_question_finds_the_page_that_lacks_its_function_words(plain):
    result = plain.search("how does a lighthouse work ")
    assert [h["path"] for h in result["hits"]][:1] == ["lighthouse.html"]  # it has no "does"
    assert not result["relaxed"]


def test_function_words_are_not_marked_in_snippets(plain):
    hit = plain.search("how the lamp turns ")["hits"][0]
    assert _marked(hit) == ["lamp", "turns"]


def test_function_words_alone_are_all_required(plain):
    result = plain.search("to be or not to be ")
    assert [h["path"] for h in result["hits"]] == ["hamlet.txt"]  # "To be ready" has no "or", no "not"


def test_in_quotes_they_count_as_written(plain):
    assert plain.search('"what a keeper does" ')["total"] == 1
    assert plain.search('"what a keeper" lighthouse ')["total"] == 0


def test_a_long_word_beside_them_is_still_an_error(plain):
    with pytest.raises(QueryError, match="longer than"):
        plain.search("the " + "x" * 70 + " ")
