"""Any string gives results or a QueryError; nothing else escapes."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siteseer.search.errors import QueryError
from siteseer.search.query import parse

ODD = ['"unbalanced', 'AND(', "*", "😀", "x" * 10_000, "\x00\x01\x7f", "the", "-word", '-"a phrase"',
       "OR", "OR OR", "a OR", "| |", "-", '"', '""', '-""', "type:", "in:", "in:..", "after:", "before:2024-13-45",
       "a:b:c", "\ud800", "((a)) [b] {c}", "+a ~b ^c", "日本", "🙂 OR 😀", "\u200b\u200b", "%", "\\", "title:x",
       "-type:pdf", "type:pdf OR type:html", "in:/", "a" * 41, " ".join(["w"] * 40)]


@pytest.mark.parametrize("q", ODD)
def test_odd_queries(service, q):
    try:
        result = service.search(q)
    except QueryError as exc:
        assert str(exc)
        return
    assert result["total"] >= len(result["hits"]) >= 0
    for hit in result["hits"]:
        for s, e in hit["snippet"]["highlights"]:
            assert 0 <= s < e <= len(hit["snippet"]["text"])


def test_specific_odd_queries_are_answered(service):
    assert service.search("-zzzqqq")["total"] == 16  # only an exclusion: everything else
    assert service.search("-coffee")["total"] == 14
    assert service.search("the")["total"] > 0  # stop-words are words too
    assert service.search("*")["total"] == 16
    with pytest.raises(QueryError, match="too long"):
        service.search("x" * 10_000)
    with pytest.raises(QueryError, match="type a word"):
        service.search("   ")
    with pytest.raises(QueryError, match="too many words"):
        service.search(" ".join(["w"] * 40))


ALPHABET = st.characters(codec="utf-8") | st.sampled_from(list('"-:*()|ORANDtype:pdf in:docs after:2024 -') + ["パ", "管"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(alphabet=ALPHABET, max_size=60), page=st.integers(-2, 200), per_page=st.integers(-1, 60))
def test_fuzzed_queries_only_raise_query_error(service, q, page, per_page):
    try:
        result = service.search(q, page=page, per_page=per_page)
    except QueryError:
        return
    assert isinstance(result["hits"], list)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=40))
def test_fuzzed_suggest_never_raises(service, q):
    assert isinstance(service.suggest(q), list)


@given(q=st.text(max_size=80))
def test_parser_spans_point_into_the_cleaned_text(q):
    try:
        parsed = parse(q)
    except QueryError:
        return
    for term in parsed.positive_terms:
        s, e = term.span
        assert 0 <= s <= e <= len(parsed.text)


def test_an_unknown_word_of_one_or_two_letters_finds_nothing(service):
    # Fuzzily, "q" is one edit from every one-letter word ("a") and most two-letter
    # ones: it found nearly every unit, none of them with a marked word.
    for q in ("q ", "C++", "qx ", "coffee q "):
        assert service.search(q)["total"] == 0, q
    assert service.search("coffe ")["total"] > 0  # a longer word's typo is still forgiven
