"""Search over a folder of every kind of file, with the real extractors."""

import datetime

import pytest
from sx_fixtures import paths

from siteseer.search.errors import QueryError
from siteseer.search.service import SearchService


def test_fixture_indexed_everything_but_the_broken_files(site):
    _, summary = site
    assert summary.indexed == 16
    assert sorted(p for ps in summary.skipped.values() for p in ps) == ["broken/bad.json", "broken/bad.pdf"]


def test_result_shape(service):
    r = service.search("installer")
    assert set(r) == {"query", "total", "took_ms", "page", "per_page", "hits", "facets", "suggestion", "corrected",
                      "as_typed", "relaxed", "index"}
    assert r["query"] == "installer" and r["page"] == 1 and r["per_page"] == 10
    assert r["index"] == {"documents": 14, "indexing": False}  # files, not units
    hit = r["hits"][0]
    assert hit["url"] == "/docs/manual/install.html" and hit["title"] == "Installation guide"
    assert hit["type"] == "html" and isinstance(hit["score"], float)
    assert set(hit["snippet"]) == {"text", "highlights"}


def test_each_hit_says_when_its_file_was_modified(service, site):
    # The date after: and before: compare, shown beside each result.
    config, _ = site
    hit = service.search("installer")["hits"][0]
    mtime = (config.root / hit["path"]).stat().st_mtime
    assert hit["modified"] == datetime.datetime.fromtimestamp(int(mtime), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_title_match_ranks_above_body_match(service):
    # "installation" is install.html's title and only body text in tuning.html.
    assert paths(service.search("installation"))[:2] == ["docs/manual/install.html", "docs/manual/tuning.html"]
    # "coffee" is in old-coffee's title; espresso.txt only mentions it in the body.
    assert paths(service.search("coffee")) == ["notes/old-coffee.txt", "notes/espresso.txt"]


def test_words_are_anded_and_stemmed(service):
    assert paths(service.search("cache faster")) == ["docs/manual/tuning.html"]
    assert paths(service.search("upgrade backup")) == ["docs/manual/install.html"]  # upgrading/upgrade
    assert service.search("cache volcanoes")["total"] == 0


def test_phrase_and_exclusion(service):
    assert paths(service.search('"brown fox"')) == ["docs/faq.md"]
    assert service.search('"fox brown"')["total"] == 0
    assert paths(service.search('coffee -grinder')) == ["notes/espresso.txt"]
    assert paths(service.search('coffee -"grinder maintenance"')) == ["notes/espresso.txt"]
    assert paths(service.search('coffee -"maintenance grinder"')) == ["notes/old-coffee.txt", "notes/espresso.txt"]


def test_or(service):
    assert sorted(paths(service.search("okapi OR glaciers"))) == ["broken/latin1.txt", "data/animals.json", "media/lecture.srt"]
    assert sorted(paths(service.search("okapi | glaciers rainforest"))) == ["data/animals.json"]


def test_prefix_of_the_last_word_only_while_typing(service):
    assert paths(service.search("glaci")) == ["media/lecture.srt"]
    assert service.search("glaci ")["total"] == 0  # a finished word is not a prefix
    assert paths(service.search("magma chamb")) == ["media/talk.vtt"]


def test_filters(service):
    assert sorted(paths(service.search("type:pdf"))) == ["reports/zebra.pdf"] * 2
    assert paths(service.search("server", type="markdown")) == []
    assert sorted(paths(service.search("server in:docs/manual/"))) == ["docs/manual/install.html", "docs/manual/tuning.html"]
    assert paths(service.search("server -in:docs/manual")) == []
    assert paths(service.search("server in:docs")) != []  # folders include their subfolders
    assert sorted(set(paths(service.search("coffee -type:text")))) == []
    assert service.search("coffee after:2000-01-01")["total"] == 2
    assert service.search("coffee before:2000-01-01")["total"] == 0
    assert service.search("coffee after:2999")["total"] == 0
    assert service.search("coffee after:1d")["total"] == 2  # the fixture was written today
    assert service.search("coffee before:0d")["total"] == 0
    with pytest.raises(QueryError, match="unknown type"):
        service.search("type:exe")
    with pytest.raises(QueryError) as refused:  # the value cut where the message repeats it
        service.search("lamp", type="x" * 5000)
    assert len(str(refused.value)) < 200 and "x" * 40 + "…" in str(refused.value)
    with pytest.raises(QueryError, match="not a date"):
        service.search("after:yesterday")


def test_facets_ignore_the_type_filter(service):
    r = service.search("coffee OR zebra", type="pdf")
    assert r["total"] == 2  # both pages carry the title
    assert r["facets"] == {"text": 2, "pdf": 2}


def test_locations_of_pdf_pages_subtitles_and_anchors(service):
    hit = service.search("giraffe")["hits"][0]
    assert hit["url"] == "/reports/zebra.pdf#page=2" and hit["page"] == 2 and hit["type"] == "pdf"
    hit = service.search("magma")["hits"][0]
    assert hit["url"] == "/media/talk.mp4#t=90" and hit["t"] == 90.0 and hit["path"] == "media/talk.vtt"


def test_folding(service):
    assert paths(service.search("creme brulee")) == ["notes/espresso.txt"]
    assert paths(service.search("CAFÉ")) == ["notes/espresso.txt", "broken/latin1.txt"]


def test_a_typo_is_searched_respelled_and_says_so(service):
    # The hits are for the respelled query: "showing results for", not a "did you mean"
    # (which searched again gave the same page), and the words as typed, quoted.
    r = service.search("magma erupton")
    assert (r["corrected"], r["as_typed"], r["suggestion"]) == ("magma eruption", 'magma "erupton"', None)
    assert paths(r) == ["media/talk.vtt"]
    assert service.search('magma "erupton"')["total"] == 0
    assert service.search("eruption")["corrected"] is None
    r = service.search("giraffee")
    assert r["corrected"] == "giraffe" and paths(r) == ["reports/zebra.pdf"]


def test_a_number_is_never_respelled(service):
    # "2023" on no page was searched as "2024" and offered as "did you mean 2024?".
    for q in ("2023", "magma 2023", "giraffe 10x"):
        r = service.search(q)
        assert (r["total"], r["corrected"], r["suggestion"]) == (0, None, None), (q, r)


def test_a_correction_that_finds_nothing_is_not_offered(service):
    # "lampp qqqqqq" offered "lamp qqqqqq", which finds nothing either.
    r = service.search("giraffee qqqqqqq")
    assert (r["total"], r["corrected"], r["suggestion"]) == (0, None, None)


def test_paging(service):
    everything = service.search("*", per_page=50)
    assert everything["total"] == 16 == len(everything["hits"])
    page2 = service.search("*", page=2, per_page=5)
    assert [h["url"] for h in page2["hits"]] == [h["url"] for h in everything["hits"][5:10]]
    for bad in [dict(page=0), dict(per_page=0), dict(per_page=51), dict(page=10_000)]:
        with pytest.raises(QueryError):
            service.search("coffee", **bad)


def test_suggest_completes_the_last_word_by_frequency(service):
    assert service.suggest("cof") == ["coffee"]
    assert service.suggest("grinder mainte") == ["grinder maintenance"]
    assert service.suggest("ins")[:3] == ["installer", "installation", "installing"] or "installer" in service.suggest("ins")
    assert service.suggest("") == [] and service.suggest("coffee ") == [] and service.suggest("zzzz") == []


def test_hidden_and_excluded_files_are_not_indexed(service):
    assert service.search("secret")["total"] == 0


def test_completions_are_one_flat_disjunction_scored_as_nested_ones(service):
    """A prefix's completions are searched as one level of field x word terms (tantivy
    is about twice as fast on it) with the scores of one disjunction per word."""
    from tantivy import Occur, Query

    from siteseer.search.build import TYPED_WEIGHT, Builder

    index = service.handle.index()
    searcher = index.searcher()
    builder = Builder(index.schema, searcher)
    tokens = ["instal", "lazi", "dog", "coffe"]  # stems, as completions are
    flat = builder.flat_alternatives(tokens)
    per_word = [builder.flat_alternatives([t]) for t in tokens]
    per_word[0] = Query.boost_query(per_word[0], TYPED_WEIGHT)
    nested = Query.boolean_query([(Occur.Should, q) for q in per_word])
    assert repr(flat).count("BooleanQuery") == 1 and repr(nested).count("BooleanQuery") == 1 + len(tokens)

    def ranked(q):
        return [(address.segment_ord, address.doc, round(score, 4)) for score, address in searcher.search(q, 50).hits]

    assert ranked(flat) and ranked(flat) == ranked(nested)


@pytest.mark.parametrize("q", ["coffee grinder", "grinder main", '"coffee grinder" maintenance', "coffee -server",
                               "install OR setup guide", "how to run the installer", "the coffee type:text"])
def test_body_decides_the_matches_and_the_other_fields_only_score(service, q):
    """``body`` holds every word field's words, so the facets count matches of ``body``
    alone, and the ranked query (``body`` required, title and headings optional) finds
    those units with the scores of every word field required in turn."""
    from tantivy import Occur, Query

    from siteseer.search.build import Builder
    from siteseer.search.query import parse

    index = service.handle.index()
    searcher = index.searcher()
    built = Builder(index.schema, searcher).build(parse(q))
    assert "field=4" in repr(built.query) and "field=4" not in repr(built.facet_query)  # title: scores only

    def units(query):
        return sorted((a.segment_ord, a.doc) for _, a in searcher.search(query, 500).hits)

    if built.type_filter is None:
        assert units(built.query) == units(built.facet_query)
    assert searcher.search(built.query, 500).hits  # the fixture site has these words
    # Every word field of each word required the old way: the same units, the same scores.
    if q == "coffee grinder":
        old = Query.boolean_query([(Occur.Must, Builder(index.schema, searcher).flat_alternatives([w]))
                                   for w in ("coffe", "grinder")])
        scored = {(a.segment_ord, a.doc): round(s, 4) for s, a in searcher.search(built.query, 500).hits}
        assert scored == {(a.segment_ord, a.doc): round(s, 4) for s, a in searcher.search(old, 500).hits}


def test_a_query_of_one_required_part_is_that_part(service):
    """No boolean wrapper around a lone required clause (tantivy skips blocks on the bare
    disjunction); filters and exclusions keep theirs, and the answers are the same."""
    from siteseer.search.build import Builder
    from siteseer.search.query import parse

    index = service.handle.index()

    def built(q):
        return Builder(index.schema, index.searcher()).build(parse(q))

    assert repr(built("coffee ").query).startswith("Query(BooleanQuery { subqueries: [(Should, ")
    assert repr(built("coffee -dog").query).count("MustNot") == 1
    assert "Must, " in repr(built("coffee type:html").query)
    assert paths(service.search("coffee ")) and service.search("coffee ")["total"] == sum(
        service.search("coffee ")["facets"].values())


def test_suggest_puts_the_words_found_with_the_words_before_first(service):
    """"espresso c": coffee, café and crème are in the espresso notes; cache and configuration are not."""
    alone = service.suggest("c", limit=16)
    assert {"cache", "configuration", "cafe", "coffee", "creme"} <= set(alone)
    after = service.suggest("espresso c", limit=16)
    assert sorted(after[:3]) == ["espresso cafe", "espresso coffee", "espresso creme"]
    assert set(after) == {"espresso " + word for word in alone}  # ranked, never removed
    # A common word narrows nothing: "the c" is "c" ranked by frequency alone.
    assert service.suggest("the c", limit=16) == ["the " + word for word in alone]
    # An OR, an excluded word: nothing every result must have.
    assert service.suggest("espresso OR okapi c", limit=16) == ["espresso OR okapi " + word for word in alone]
    assert service.suggest("-espresso c", limit=16) == ["-espresso " + word for word in alone]
    # A phrase's words count too.
    assert service.suggest('"brown fox" j')[0] == '"brown fox" jumps'


def test_suggest_does_not_weigh_what_would_cost_too_much(service, monkeypatch):
    from siteseer.search import service as module

    monkeypatch.setattr(module, "SUGGEST_WORK", 0)
    alone = service.suggest("c", limit=16)
    assert service.suggest("espresso c", limit=16) == ["espresso " + word for word in alone]


def test_suggest_completes_the_last_of_words_joined_by_punctuation(service):
    """"grinder-mainte" is typed as one word: its last part is completed, the rest kept as typed."""
    assert service.suggest("grinder-mainte") == ["grinder-maintenance"]
    assert service.suggest("notes cof") == ["notes coffee"]
    assert service.suggest("old_cof") == ["old_coffee"]
    # Inside a filter's quoted value is a folder name, not a word.
    assert service.suggest('coffee in:"notes cof') == []
    # Ending on punctuation is not the middle of a word.
    assert service.suggest("C++") == [] and service.suggest("coffee_") == [] and service.suggest("cof.") == []


def test_a_search_that_finds_nothing_suggests_its_words_respelled(service):
    """In a phrase too, where typos are not corrected while searching; and only a spelling that finds something."""
    r = service.search('"grinder maintenanse"')
    assert r["total"] == 0 and r["suggestion"] == '"grinder maintenance"'
    assert service.search(r["suggestion"])["total"] == 1
    # Respelled, it would still find nothing: no suggestion.
    assert service.search('"okapi maintenanse"')["suggestion"] is None
    # "chamber" is not written anywhere, but the search found its "chambers": not a typo.
    assert service.search("chamber okapi")["suggestion"] is None
    # A word written somewhere is no typo, however rare.
    assert service.search('"okapi kenya"')["suggestion"] is None


def test_a_cached_answer_for_a_date_ago_is_not_served_the_next_day(site, monkeypatch):
    config, _ = site
    cached = SearchService(config)  # the answer cache on, as a server has it
    assert config.search.result_cache > 0
    assert cached.search("coffee after:0d")["total"] == 2
    tomorrow = datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1)
    monkeypatch.setattr("siteseer.search.query._today", lambda: tomorrow)
    assert cached.search("coffee after:0d")["total"] == 0


def test_a_word_joined_to_the_one_before_is_completed_as_that_name(tmp_path):
    """"pg_du" offered "pg_during" first: more units have "pg" and "during" than "pg_dump"."""
    from sx_fixtures import indexed_service

    for i in range(8):
        (tmp_path / f"during-{i}.txt").write_text(f"Note {i}\n\nDuring the night the pg server ran, during backups.\n")
    for i in range(3):
        (tmp_path / f"dump-{i}.txt").write_text(f"Dump {i}\n\nRun pg_dump to save the database.\n")
    service = indexed_service(tmp_path)
    assert service.suggest("pg_du")[0] == "pg_dump"
    assert service.suggest("pg du")[0] == "pg during"  # two words: the commoner company comes first
