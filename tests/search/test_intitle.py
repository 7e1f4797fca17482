"""``intitle:``: Google's filter for words in a result's title."""

import pytest
from sx_fixtures import paths

from siteseer.search.errors import QueryError
from siteseer.search.query import parse


def test_a_title_word_is_a_filter_and_a_searched_word():
    p = parse("lamp intitle:Keeper")
    assert [(f.name, f.value, f.negated) for f in p.filters] == [("intitle", "Keeper", False)]
    assert [t.text for t in p.positive_terms] == ["lamp", "Keeper"]
    keeper = p.positive_terms[1]
    assert p.text[keeper.span[0]:keeper.span[1]] == "Keeper"  # the value's place: a correction keeps "intitle:"


def test_negated_it_only_excludes():
    p = parse("lamp -intitle:keeper")
    assert [(f.name, f.value, f.negated) for f in p.filters] == [("intitle", "keeper", True)]
    assert [t.text for t in p.positive_terms] == ["lamp"] and not p.excluded


def test_quoted_it_is_a_phrase_and_any_case_of_the_name_works():
    p = parse('INTITLE:"lamp room"')
    assert [(f.name, f.value) for f in p.filters] == [("intitle", "lamp room")]
    assert [(t.text, t.phrase) for t in p.positive_terms] == [("lamp room", True)]


def test_a_word_after_or_is_not_its_alternative():
    p = parse("intitle:lamp OR keeper")
    assert [[t.text for t in g] for g in p.groups] == [["lamp"], ["keeper"]]


@pytest.mark.parametrize("q", ['lamp intitle:""', "lamp intitle:!!"])
def test_without_a_word_it_is_an_error(q):
    with pytest.raises(QueryError, match="no word to look for in titles"):
        parse(q)


def test_it_finds_the_word_in_titles_only(service):
    # "coffee" is old-coffee.txt's title and only in espresso.txt's body.
    assert paths(service.search("coffee")) == ["notes/old-coffee.txt", "notes/espresso.txt"]
    assert paths(service.search("intitle:coffee")) == ["notes/old-coffee.txt"]
    assert paths(service.search("coffee -intitle:coffee")) == ["notes/espresso.txt"]
    # "installation": install.html's title ("Installation guide"), tuning.html's body.
    assert paths(service.search("intitle:installation")) == ["docs/manual/install.html"]
    assert paths(service.search("server intitle:tuning")) == ["docs/manual/tuning.html"]


def test_a_quoted_value_is_a_phrase_of_the_title(service):
    assert paths(service.search('intitle:"installation guide"')) == ["docs/manual/install.html"]
    assert service.search('intitle:"guide installation"')["total"] == 0


def test_cjk_titles(service):
    # パッケージ管理 is package.html's title, and in guide.html's body too (none: that one is Chinese).
    assert paths(service.search("intitle:パッケージ")) == ["ja/package.html"]
    assert service.search("intitle:インストール")["total"] == 0  # in package.html's body, not its title


def test_its_words_are_marked_and_misspelled_ones_corrected(service):
    hit = service.search("intitle:coffee")["hits"][0]
    text, marks = hit["snippet"]["text"], hit["snippet"]["highlights"]
    assert [text[s:e].lower() for s, e in marks] == ["coffee", "coffee"]  # "Old coffee notes Coffee grinder…"
    # The title is matched as written (no typo is forgiven there): "did you mean" says the fix.
    r = service.search("intitle:cofee")
    assert r["total"] == 0 and r["suggestion"] == "intitle:coffee"

