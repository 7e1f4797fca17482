"""What the speed-ups changed must not show: totals, snippets, CJK, caches."""

import random
import re

import tantivy
from conftest import paths

from siteseer.index.schema import original
from siteseer.search.snippets import _finish


def _finish_reference(text, spans, cut_start, cut_end):
    """The per-character implementation _finish replaced (kept as the oracle)."""
    out, where = [], []
    for ch in text:
        where.append(len(out))
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(ch)
    where.append(len(out))
    new = "".join(out)
    lead = len(new) - len(new.lstrip(" "))
    new = new.strip(" ")
    shift = 0
    if cut_start and new:
        new, shift = "…" + new, 1
    if cut_end and new:
        new = new + "…"
    limit = len(new) - (1 if cut_end and new else 0)
    mapped = []
    for s, e in sorted(spans):
        ns = max(shift, where[s] - lead + shift)
        ne = min(limit, where[e] - lead + shift)
        if ne <= ns:
            continue
        while ne > ns and new[ne - 1] == " ":
            ne -= 1
        if mapped and ns <= mapped[-1][1]:
            mapped[-1][1] = max(mapped[-1][1], ne)
        else:
            mapped.append([ns, ne])
    return {"text": new, "highlights": mapped}


def test_finish_matches_the_per_character_reference():
    rnd = random.Random(5)
    alphabet = ["a", "b", "é", "字", " ", "  ", "\n", "\t\t", "\u3000", "xyz"]
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))
        spans = []
        for _ in range(rnd.randint(0, 3)):
            if text:
                s = rnd.randrange(len(text) + 1)
                spans.append((s, rnd.randint(s, len(text))))
        flags = (rnd.random() < 0.5, rnd.random() < 0.5)
        assert _finish(text, spans, *flags) == _finish_reference(text, spans, *flags), (text, spans, flags)


def _count(service, q, type=None):
    """The total the slow way: tantivy counting the full query."""
    from siteseer.search.build import Builder
    from siteseer.search.query import normalize_type, parse

    index = service.handle.index()
    searcher = index.searcher()
    built = Builder(index.schema, searcher).build(parse(q), normalize_type(type))
    return searcher.search(built.query, limit=1, count=True).count


def test_totals_read_off_facets_equal_a_real_count(service):
    for q, type in [("coffee", None), ("server", None), ("server", "html"), ("server type:html", None),
                    ("server -type:html", None), ("server type:html type:markdown", None), ("okapi OR glaciers", "text"),
                    ("server type:pdf", "html"), ("type:pdf", None), ("nothingmatcheshere", None)]:
        r = service.search(q, type=type)
        assert r["total"] == _count(service, q, type), (q, type)
        assert r["total"] >= len(r["hits"])
        if type is None and "type:" not in q:
            assert sum(r["facets"].values()) == r["total"]


def test_mixed_script_words_are_found_and_shown_as_written(service):
    r = service.search("debian")
    assert paths(r) == ["ja/package.html"]
    hit = r["hits"][0]
    assert hit["title"] == "パッケージ管理"
    assert "Debianではapt" in hit["snippet"]["text"]  # the CJK is shown, not blanked
    marked = [hit["snippet"]["text"][s:e] for s, e in hit["snippet"]["highlights"]]
    assert marked == ["Debian"]


def test_cjk_units_keep_their_text_in_orig_fields(service):
    index = service.handle.index()
    searcher = index.searcher()
    found = searcher.search(tantivy.Query.term_query(index.schema, "path", "ja/package.html"), limit=5)
    for _, address in found.hits:
        doc = searcher.doc(address)
        assert "\u3000" in doc.get_first("body")  # what the word fields indexed
        assert "\u3000" not in original(doc, "body") and re.search("[ぁ-ヿ]", original(doc, "body"))
    found = searcher.search(tantivy.Query.term_query(index.schema, "path", "docs/faq.md"), limit=1)
    doc = searcher.doc(found.hits[0][1])
    assert doc.get_first("body_orig") is None and original(doc, "body") == doc.get_first("body")


def test_prefix_and_spelling_memo_is_used_and_reset_on_reload(service):
    service.search("glaci")
    service.search("coffe ")
    memo = service.handle.memo()
    assert ("prefix", "glaci") in memo and ("correct", "coffe") in memo
    assert paths(service.search("glaci")) == ["media/lecture.srt"]
    assert service.search("coffe ")["corrected"] == "coffee"
    service.handle._stamp = None  # as if a commit happened
    service.handle.refresh(force=True)
    assert service.handle.memo() == {}


def test_repeated_search_is_answered_from_the_cache_until_the_index_changes(service):
    first = service.search("coffee")
    assert first["total"] > 0
    second = service.search("coffee")
    assert second["hits"] == first["hits"] and second["total"] == first["total"]
    assert second["hits"] is first["hits"]  # the same answer object: served from the cache
    service.handle.memo().clear()  # what a reload does
    third = service.search("coffee")
    assert third["hits"] is not first["hits"] and third["hits"] == first["hits"]
    assert service.search("coffee", page=2)["page"] == 2


def test_result_cache_0_computes_every_search(service):
    service.config.search.result_cache = 0
    service.handle.memo().clear()
    try:
        first = service.search("coffee")
        second = service.search("coffee")
        assert second["hits"] == first["hits"] and second["hits"] is not first["hits"]
        assert "results" not in service.handle.memo()
    finally:
        service.config.search.result_cache = 2048


class _CountingSearcher:
    """A tantivy searcher that counts the calls made to it (tantivy's own objects take no new attributes)."""

    def __init__(self, searcher, calls: list[str]):
        self._searcher, self._calls = searcher, calls

    def __getattr__(self, name):
        attr = getattr(self._searcher, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            self._calls.append(name)
            return attr(*args, **kwargs)
        return call


def _counting(service, monkeypatch) -> list[str]:
    calls: list[str] = []
    index = service.handle.index()

    class Index:  # the real index, handing out counting searchers
        schema = index.schema

        def searcher(self):
            return _CountingSearcher(index.searcher(), calls)

    monkeypatch.setattr(service.handle, "index", lambda: Index())
    monkeypatch.setattr(service.handle, "searcher", lambda: Index().searcher())
    service.handle.memo().clear()
    return calls


def test_a_search_that_matches_nothing_skips_the_pass_for_hits(service, monkeypatch):
    from siteseer.search import snippets, spelling

    calls = _counting(service, monkeypatch)
    corrected: list[str] = []
    real = spelling.candidates
    monkeypatch.setattr(spelling, "candidates", lambda searcher, word, *a, **kw: corrected.append(word) or real(searcher, word, *a, **kw))
    result = service.search("zqxjvbw ")  # no unit has it, nor anything close: searched fuzzily
    assert result["total"] == 0 and result["hits"] == []
    assert calls.count("aggregate") == 1 and "search" not in calls  # the facet pass found nothing: no second pass
    assert corrected == ["zqxjvbw"]  # the "did you mean" asks the builder's remembered answer, not the vocabulary again
    monkeypatch.setattr(snippets, "generator", lambda *args: None)  # tantivy's own wants a real searcher
    assert service.search("coffee ")["total"] > 0 and "search" in calls  # a search that matches makes the pass


def test_short_prefixes_are_completed_from_the_memo(service, monkeypatch):
    calls = _counting(service, monkeypatch)
    first = service.suggest("c")
    assert first and calls.count("terms_with_prefix") == 1
    assert service.suggest("c") == first and service.suggest("co")[:1] == [w for w in first if w.startswith("co")][:1]
    assert calls.count("terms_with_prefix") == 2  # "c" once, "co" once
    service.suggest("cof")
    service.suggest("cof")
    assert calls.count("terms_with_prefix") == 4  # three letters walk a short stretch: not remembered
