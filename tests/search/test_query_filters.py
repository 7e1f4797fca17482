"""Filters with quoted values: ``in:"my docs"`` is one filter, not a word and a phrase."""

import pytest

from siteseer.search.errors import QueryError
from siteseer.search.query import parse


def paths(result: dict) -> list[str]:  # not from conftest: run with tests/files, that name is another module
    return [h["path"] for h in result["hits"]]


def filters(q: str) -> list[tuple[str, object, bool]]:
    return [(f.name, f.value, f.negated) for f in parse(q).filters]


@pytest.mark.parametrize("q, expected", [
    ('lens type:"pdf"', [("type", "pdf", False)]),
    ('lens -type:"pdf"', [("type", "pdf", True)]),
    ('in:"my docs" lamp', [("in", "my docs", False)]),
    ('lamp -in:"my docs/old"', [("in", "my docs/old", True)]),
    ('lamp IN:"notes"', [("in", "notes", False)]),
    ('after:"2024-01" lamp', [("after", parse("after:2024-01").filters[0].value, False)]),
    ('lamp in:"my docs', [("in", "my docs", False)]),  # unclosed: runs to the end, like a phrase
    # Google's names for type: (people type them), quoted or not, negated or not.
    ("lens filetype:pdf", [("type", "pdf", False)]),
    ('lens -FileType:"pdf"', [("type", "pdf", True)]),
    ("lens ext:md", [("type", "markdown", False)]),
])
def test_a_quoted_filter_value_is_one_filter(q, expected):
    parsed = parse(q)
    assert filters(q) == expected
    assert [t.text for t in parsed.positive_terms] + [t.text for t in parsed.excluded] == [
        w for w in ("lens", "lamp") if w in q]


def test_words_after_a_quoted_filter_are_still_words():
    p = parse('in:"my docs"lamp "a b" -"c d" e')
    assert filters('in:"my docs"lamp') == [("in", "my docs", False)]
    assert [(t.text, t.phrase) for t in p.positive_terms] == [("lamp", False), ("a b", True), ("e", False)]
    assert [(t.text, t.phrase) for t in p.excluded] == [("c d", True)]


def test_quotes_elsewhere_keep_their_meaning():
    p = parse('title:"a b" x"y z" -"q r"')  # not a filter name: a word, then the phrase
    assert not p.filters
    assert [(t.text, t.phrase) for t in p.positive_terms] == [("title:", False), ("a b", True), ("x", False),
                                                              ("y z", True)]
    assert [t.text for t in p.excluded] == ["q r"]


def test_an_empty_quoted_filter_value_is_an_error():
    with pytest.raises(QueryError, match="folder path"):
        parse('lamp in:""')
    with pytest.raises(QueryError, match="unknown type"):
        parse('lamp type:""')


def test_filetype_searches_like_type(service):
    assert paths(service.search("zebra filetype:pdf")) == paths(service.search("zebra type:pdf"))
    assert paths(service.search("zebra filetype:pdf"))
    with pytest.raises(QueryError, match="unknown type 'zzz'"):
        parse("lamp filetype:zzz")


def test_quoted_filters_search_like_unquoted_ones(service):
    for plain, quoted in (("coffee in:notes", 'coffee in:"notes"'), ("coffee -in:notes", 'coffee -in:"notes"'),
                          ("zebra type:pdf", 'zebra type:"pdf"'), ("coffee -type:text", 'coffee -type:"text"')):
        assert paths(service.search(quoted)) == paths(service.search(plain)), quoted
    assert paths(service.search('coffee in:"notes"'))  # the check above is not of two empty lists
    assert paths(service.search('zebra type:"pdf"'))


@pytest.mark.parametrize("value, expected", [
    ("7d", "2026-03-24"), ("2W", "2026-03-17"), ("0d", "2026-03-31"),
    ("1m", "2026-02-28"),  # 31 March less a month: the month's last day
    ("13m", "2025-02-28"), ("1y", "2025-03-31"), ("99999y", "1678-01-01"),
    ("2024-06", "2024-06-01"),
])
def test_a_date_may_be_how_long_ago(value, expected):
    # From the start of the day (UTC): the same search, and the same cached answer, all day.
    from datetime import date

    from siteseer.search.query import parse_date

    assert parse_date("after", value, today=date(2026, 3, 31)).strftime("%Y-%m-%d") == expected


@pytest.mark.parametrize("value", ["7x", "d", "-7d", "123456d", "7 d"])
def test_a_date_that_is_neither_is_an_error_that_shows_both_forms(value):
    with pytest.raises(QueryError, match="or how long ago: 7d, 2w, 3m, 1y"):
        parse(f"lamp after:{value}")


@pytest.mark.parametrize("q", ["lamp site:example.com", "SITE:docs lamp", "lamp -site:x"])
def test_site_is_not_a_filter_here_and_says_so(q):
    # Every result is from this site: searched as words it found nothing, silently.
    with pytest.raises(QueryError, match=r"site: is not needed.*in:folder"):
        parse(q)


def test_site_as_a_word_is_still_a_word():
    assert [t.text for t in parse("site: map").positive_terms] == ["site:", "map"]
    assert [t.text for t in parse('"site:docs"').positive_terms] == ["site:docs"]


def test_no_completions_for_a_query_that_would_say_site_is_not_needed(service):
    assert service.suggest("cof") == ["coffee"]
    assert service.suggest("site:notes cof") == [] and service.suggest("-SITE:x cof") == []
