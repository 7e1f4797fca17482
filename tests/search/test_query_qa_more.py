"""What users type that the parser and the speller once got wrong (QA round on the corpus).

Uses the small site of ``sx_fixtures`` (the session ``service`` of conftest.py).
"""

import pytest
from sx_fixtures import paths

from siteseer.search import spelling
from siteseer.search.errors import QueryError
from siteseer.search.query import parse


def groups(q: str) -> list[list[tuple[str, bool, bool]]]:
    return [[(t.text, t.phrase, t.prefix) for t in g] for g in parse(q).groups]


# -- typographic quotes ------------------------------------------------------
@pytest.mark.parametrize("q", ["“lazy fox”", "„lazy fox“", "«lazy fox»", "”lazy fox”", "＂lazy fox＂"])
def test_typographic_quotes_make_a_phrase(service, q):
    """Phones and word processors type “ ”: the words were searched one by one."""
    assert groups(q) == [[("lazy fox", True, False)]]
    assert service.search(q)["total"] == 0  # "lazy" and "fox" are in docs/faq.md, not side by side
    assert service.search("lazy fox")["total"] == 1


def test_typographic_quotes_in_a_filter_value_and_an_unclosed_phrase():
    p = parse("in:“docs/manual” “brown fox")
    assert [(f.name, f.value) for f in p.filters] == [("in", "docs/manual")]
    assert [(t.text, t.phrase) for t in p.positive_terms] == [("brown fox", True)]


def test_apostrophes_and_single_quotes_are_no_phrase_quotes():
    assert groups("don’t 'brown fox'") == [[("don’t", False, False)], [("'brown", False, False)],
                                           [("fox'", False, False)]]


# -- dashes ----------------------------------------------------------------------
def test_a_double_dash_is_an_option_not_an_exclusion(service):
    """``--installer`` excluded "-installer": every unit but the one wanted."""
    assert groups("git --force") == [[("git", False, False)], [("--force", False, True)]]
    assert parse("git --force").excluded == []
    found = paths(service.search("--installer"))
    assert found[0] == "docs/manual/install.html" and len(found) == 2  # and tuning.html's "installation"
    assert parse("-installer").excluded[0].text == "installer"  # one dash still excludes


@pytest.mark.parametrize("q", ["--", "---", '-"', '-""', "-@", "- --"])
def test_nothing_to_exclude_is_nothing_to_search(service, q):
    """"--" and '-"' answered every unit (an exclusion of nothing), where "-" is an error."""
    with pytest.raises(QueryError, match="no letters or digits"):
        service.search(q)


def test_an_exclusion_of_punctuation_beside_words_is_ignored(service):
    assert service.search("coffee -@")["total"] == service.search("coffee")["total"] == 2


# -- operators alone -------------------------------------------------------------
def test_operators_alone_are_words(service):
    """"AND" alone answered every unit; it is the word "and"."""
    everything = service.search("*")["total"]
    assert 0 < service.search("AND")["total"] == service.search("and")["total"] < everything
    assert service.search("OR")["total"] == service.search("or")["total"] == 0  # no "or" in the site
    assert service.search("AND OR")["total"] == 0
    for q in ("|", "&&", "| &&"):
        with pytest.raises(QueryError, match="no letters or digits"):
            service.search(q)
    assert service.search("OR *")["total"] == everything  # "*" still means everything
    assert groups("coffee OR") == [[("coffee", False, False)]]  # beside words they stay operators


# -- prefixes --------------------------------------------------------------------
@pytest.mark.parametrize("q", ["__init__", "50%", "C++", "node.", "upgr%"])
def test_a_last_word_ending_in_punctuation_is_finished(q):
    """"__init__" was completed to "initdb", "50%" to "500", "501"…"""
    assert not any(t.prefix for t in parse(q).positive_terms)


def test_a_finished_word_is_not_completed(service):
    assert service.search("upgr")["total"] == 1  # completed: "upgrading"
    assert service.search("upgr%")["total"] == 0


def test_a_star_makes_a_prefix_anywhere(service):
    assert groups("upgr* installer ") == [[("upgr*", False, True)], [("installer", False, False)]]
    assert paths(service.search("upgr* installer ")) == ["docs/manual/install.html"]
    assert groups("café") == [[("café", False, True)]]  # a letter with its accent as a mark: still typing


# -- invisible characters --------------------------------------------------------
@pytest.mark.parametrize("mark", ["\u00ad", "\u200b", "\u2060", "\ufeff"])
def test_invisible_characters_inside_a_word_are_dropped(service, mark):
    """A soft hyphen or zero-width space copied inside "glaciers" split it in two."""
    q = f"gla{mark}ciers "
    assert parse(q).text == "glaciers"
    assert paths(service.search(q)) == ["media/lecture.srt"]


def test_other_format_characters_still_separate_words():
    assert parse("okapi\u200equokka").text == "okapi quokka"  # a direction mark


# -- spelling --------------------------------------------------------------------
class Vocabulary:
    """The two calls ``correct`` makes on a tantivy searcher, over {word: df}."""

    def __init__(self, words: dict[str, int]):
        self.words = words

    def doc_freq(self, field, word):
        return self.words.get(word, 0)

    def terms_with_prefix(self, field, prefix, limit=0):
        return sorted((w, df) for w, df in self.words.items() if w.startswith(prefix))


def test_short_words_get_no_two_edit_correction():
    """"okapi" was corrected to "okay" on the corpus: a two-edit guess at five or six
    letters was the intended word for 14 % / 39 % of typos (spelling.TWO_EDITS_FROM)."""
    vocab = Vocabulary({"okay": 50, "monday": 40, "eruption": 3})
    assert spelling.correct(vocab, "okapi") is None
    assert spelling.correct(vocab, "mohndy") is None  # six letters
    assert spelling.correct(vocab, "erptoin") == "eruption"  # seven: still corrected
    assert spelling.correct(vocab, "okya") == "okay"  # one edit: as before


# -- the service around the parser ---------------------------------------------
def test_the_builders_own_error_is_not_wrapped(service):
    """It is a ValueError too, and was answered as "this query cannot be searched (the query has ...)"."""
    with pytest.raises(QueryError) as err:
        service.search("|")
    assert str(err.value) == "the query has no letters or digits to search for"


def test_suggest_keeps_punctuation_before_the_word_typed(service):
    """"__inst" offered "installation": the underscores were lost."""
    assert service.suggest("__inst")[:1] == ["__installation"]
    assert service.suggest("docs __inst")[:1] == ["docs __installation"]


def test_a_word_nothing_is_close_to_is_searched_one_edit_away_at_most(service):
    """tantivy's fuzzy fallback (after the vocabulary found no correction) once allowed two
    edits from six letters: "toffea" found "coffee" (stem "coffe": t→c, a dropped) with
    nothing marked, and such a search walked the term dictionary ("terraform" on the corpus:
    396 ms to find nothing)."""
    assert service.search("toffea")["total"] == 0
    assert service.search("cofee")["total"] >= 1  # one edit: corrected by the vocabulary
