"""``SearchService``: the one object the API, the web UI and the CLI call.

``search`` returns exactly the JSON the API answers (see ARCHITECTURE.md).
Thread-safe: the Dash app calls it from a thread pool.
"""

from __future__ import annotations

import functools
import re
import time
from collections import Counter
from collections.abc import Sequence

import tantivy

from siteseer.config import Config
from siteseer.index.documents import unpack_cues
from siteseer.index.indexer import catalog_path, index_dir
from siteseer.index.languages import language_ids
from siteseer.index.schema import kind_of, original, written
from siteseer.index.textforms import CJK_RUN, COMMON_WORDS, query_analyzers, shown

from . import rerank, snippets, spelling
from .build import FEW_RESULTS, Builder, synonym_stems
from .engine import IndexHandle
from .errors import EngineError, QueryError, engine_guard
from .moments import said_at
from .query import SITE_FILTER, clean, normalize_type, parse

MAX_RESULTS = 1000  # deepest result a page may reach
_VOCAB = query_analyzers()["vocab"]  # folding first, as the index does
_WORDS = query_analyzers()["words"]


# Answers are kept per index version (``search.result_cache`` of them): popular
# searches (and paging back and forth) cost a dict lookup until the indexer's
# next commit replaces the memo.


class SearchService:
    def __init__(self, config: Config, check_interval: float = 0.5):
        self.config = config
        self.handle = IndexHandle(index_dir(config), catalog_path(config), check_interval)
        self.synonyms = synonym_stems(config.search.synonyms)

    # -- search ----------------------------------------------------------------
    def search(self, q: str, page: int = 1, per_page: int | None = None, type: str | None = None,
               languages: Sequence[str] | None = None) -> dict:
        """The API's answer for ``q``; raises QueryError (the query's fault) or EngineError (tantivy's).

        ``languages``: the reader's (ISO 639-1 codes, from Accept-Language), whose
        pages come before other translations; English when none is known.
        """
        with engine_guard():
            return self._search(q, page, per_page, type, language_ids(languages or ()) or rerank.ENGLISH)

    def _search(self, q: str, page: int, per_page: int | None, type: str | None, accepted: frozenset[int]) -> dict:
        started = time.perf_counter()
        cfg = self.config.search
        per_page = cfg.per_page if per_page is None else per_page
        page, per_page = self._check_paging(page, per_page)
        kind = normalize_type(type)
        parsed = parse(q, cfg.max_query_chars)
        if not parsed.text:
            raise QueryError("type a word to search for")
        index = self.handle.index()  # reloads (and empties the memo) when the indexer committed
        keep = cfg.result_cache
        cache = self.handle.memo().setdefault("results", {}) if index is not None and keep else None
        # The dates too: "after:7d" names another day tomorrow, with the same index.
        key = (q, page, per_page, kind, accepted, *(f.value for f in parsed.filters if f.name in ("after", "before")))
        if cache is not None:
            cached = cache.get(key)
            if cached is not None:
                return {**cached, "took_ms": _ms(started), "index": self.handle.status()}
        result = {
            "query": q, "total": 0, "took_ms": 0.0, "page": page, "per_page": per_page,
            "hits": [], "facets": {}, "suggestion": None, "corrected": None, "as_typed": None, "relaxed": False,
            "index": self.handle.status(),
        }
        if index is None:
            result["took_ms"] = _ms(started)
            return result
        searcher = index.searcher()
        schema = index.schema
        relaxed = False
        try:
            builder = self._builder(schema, searcher)
            built = builder.build(parsed, kind)
            facets, total, first_hits = self._counted(searcher, schema, built)
            if built.relaxable and _few(facets):
                # No unit has every word: the user may have added one the right
                # section lacks. Again, one word may be missing.
                built = self._builder(schema, searcher).build(parsed, kind, relax=True)
                facets, total, first_hits = self._counted(searcher, schema, built)
                relaxed = True
            # Nothing matched: no second pass (a word no unit has, searched
            # fuzzily, costs tens of milliseconds a pass).
            offset = (page - 1) * per_page
            ranked, window = [], 0
            if total != 0:
                wide, top, total = self._window(searcher, schema, built, total, first_hits, accepted)
                if top is not None:
                    first_hits = top
                # A page that starts in the window is cut from the window reranked and, past
                # its edge, BM25's order: as every page after it is (no hit twice, none lost).
                window = wide if offset < wide else 0
                need = max(window, offset + per_page) if window else per_page
                had = len(first_hits) if first_hits is not None else -1
                # The page is among them if they are all, or its last hit is.
                if (total is not None and total <= had) or max(window, offset + per_page) <= had:
                    ranked = first_hits[:need] if window else first_hits[offset : offset + per_page]
                else:
                    found = searcher.search(built.query, limit=need, offset=0 if window else offset,
                                            count=total is None)
                    ranked = found.hits
                    total = found.count if total is None else total
        except QueryError:  # the builder's own (a ValueError too): its message as it is
            raise
        except ValueError as exc:  # tantivy refusing a value the parser let through, or a damaged index
            raise _engine_or_query_error(exc) from None
        found_hits = [(score, address, None) for score, address in ranked]
        if window and found_hits:
            head = rerank.reranked(searcher, found_hits[:window], offset + per_page, accepted)
            found_hits = (head + found_hits[window:])[offset: offset + per_page]
        gen = snippets.generator(searcher, built.highlight, schema) if found_hits else None
        # Made on first need, then kept: most searches never need it.
        fallback = functools.cache(lambda: snippets.generator(searcher, built.fallback, schema))
        hits = []
        try:
            for score, address, doc in found_hits:
                doc = doc or searcher.doc(address)
                hits.append(self._hit(doc, score, gen, built, fallback))
        except ValueError as exc:  # a damaged store file: not the query's fault
            raise EngineError(f"the index cannot be read: {exc}") from None
        # Words no unit has were respelled as the query was built: the hits are for
        # built.suggestion, which is no "did you mean" (it was searched), but "showing
        # results for"; with no hits, nothing to show for it either.
        corrected = built.suggestion if total else None
        as_typed = builder.as_typed(parsed) if corrected else None
        suggestion = None
        if corrected is None and builder.rare and (total or 0) <= FEW_RESULTS:
            # "debain": 3 pages, "debian" thousands; but "pyhton kubernetes" is no better as "python kubernetes"
            suggestion = self._if_found(searcher, schema, builder.respelled(parsed), kind, more_than=total or 0)
        if not total and suggestion is None:
            suggestion = self._respelled(searcher, schema, parsed, kind)
        result.update(total=total, hits=hits, facets=facets, suggestion=suggestion, corrected=corrected,
                      as_typed=as_typed, relaxed=relaxed and bool(total))
        result["took_ms"] = _ms(started)
        if cache is not None:
            if len(cache) >= keep:  # oldest first; the memo is new after each commit
                cache.pop(next(iter(cache), None), None)
            cache[key] = result
        return result

    def _counted(self, searcher, schema, built) -> tuple[dict[str, int], int | None, list | None]:
        """The facets and the total (None when the facets do not tell it), and the first
        hits in BM25 order if they were had on the way (else None: the caller searches for a page).

        The facet pass visits every match anyway: the total is the sum of its
        buckets (or the one type asked for), so the top-k search need not
        count, and can skip whole blocks that cannot make the page. But where
        matching checks word positions (``built.positional``), each pass costs
        milliseconds at 1M units, and most phrases match a few hundred units:
        one search for the first FACETS_FROM_HITS hits counts them too, and when
        it has them all their ``kind`` fast field gives the facets, with no
        second pass. With more, its hits still make the page (any page within
        MAX_RESULTS), and ``_facets_but_one`` counts the types.
        """
        if FACETS_FROM_HITS and built.positional and built.type_filter is None:
            found = searcher.search(built.query, limit=FACETS_FROM_HITS, count=True)
            if found.count <= FACETS_FROM_HITS:
                facets = _facets_of_hits(searcher, found.hits)
            else:
                facets = self._facets_but_one(searcher, schema, built, found.count, found.hits)
            if facets is None:  # an index without the kind field
                facets = self._facets(searcher, built.facet_query)
                facets.pop(_OTHER, None)
            return facets, found.count, found.hits
        facets = self._facets(searcher, built.facet_query)
        return facets, _total_from_facets(facets, built), None

    def _facets_but_one(self, searcher, schema, built, total: int, first_hits: list) -> dict[str, int] | None:
        """The facets of a positional query with ``total`` matches, ``first_hits`` among them:
        each type but the commonest of those hits counted in a search restricted to it,
        the commonest being the rest (None when a hit has no known kind).

        A type filter lets tantivy check positions only in the units of that type (a
        unit's pages are neighbours, so skipping whole runs of the others): at 1M units,
        for the bench's heaviest phrases, 5-13 ms instead of 11-22 ms for the facet pass.
        """
        seen = _facets_of_hits(searcher, first_hits)
        if not seen:
            return None
        commonest = next(iter(seen))
        facets = {}
        for kind in self._kinds(searcher):
            if kind == commonest:
                continue
            only = tantivy.Query.boolean_query([(tantivy.Occur.Must, built.facet_query),
                                                (tantivy.Occur.Must, tantivy.Query.term_query(schema, "type", kind))])
            count = searcher.search(tantivy.Query.const_score_query(only, 1.0), limit=1, count=True).count
            if count:
                facets[kind] = count
        facets[commonest] = total - sum(facets.values())
        return _most_first({kind: n for kind, n in facets.items() if n > 0})

    def _kinds(self, searcher) -> list[str]:
        """The types the index has, once per index version."""
        memo = self.handle.memo()
        if "kinds" not in memo:
            memo["kinds"] = list(self._facets(searcher, tantivy.Query.all_query()))
        return memo["kinds"]

    def _window(self, searcher, schema, built, total: int | None, first_hits: list | None,
                accepted: frozenset[int]) -> tuple[int, list | None, int | None]:
        """How many of the first hits are reranked, those hits when this had to search
        for them, and ``total``, counted on the way when it was None.

        Where paths name languages, LANGUAGE_WINDOW; wider (``rerank.WIDER``) when few of
        those are in the reader's languages: "debian install" had 6 English hits in its
        first 100, the rest translations of a few pages, and its first page was Norwegian
        after them. Decided from the first hits alone, the same for every page of a search.
        Searched for, the first hits are the wider window's at once: at 1M units a second
        search for them took a prefix query's p99 from ~23 to ~28 ms, while asking tantivy
        for 400 hits instead of 100 costs next to nothing.
        """
        if not self._has_languages(searcher, schema):
            return rerank.CROWD_WINDOW, None, total
        wide = rerank.LANGUAGE_WINDOW
        if wide <= 0 or (total is not None and total <= wide):  # (0: no reranking, for measuring)
            return wide, None, total
        top = first_hits if first_hits is not None and len(first_hits) >= wide else None
        if top is None:
            found = searcher.search(built.query, limit=rerank.WIDER, count=total is None)
            total = found.count if total is None else total
            if total <= wide:
                return wide, None, total
            top = found.hits
        if rerank.reads_enough(searcher, top[:wide], accepted):
            return wide, top, total
        return rerank.WIDER, top, total  # the caller searches again if they are too few

    def _has_languages(self, searcher, schema) -> bool:
        """``rerank.has_languages``, once per index version."""
        memo = self.handle.memo()
        if "has_languages" not in memo:
            memo["has_languages"] = rerank.has_languages(searcher, schema)
        return memo["has_languages"]

    def _builder(self, schema, searcher) -> Builder:
        """A query builder for this index version (its memo) and this site's synonyms."""
        return Builder(schema, searcher, self.handle.memo(), self.synonyms)

    def _check_paging(self, page: object, per_page: object) -> tuple[int, int]:
        try:
            page, per_page = int(page), int(per_page)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise QueryError("page and per_page must be whole numbers") from None
        top = self.config.search.max_per_page
        if not 1 <= per_page <= top:
            raise QueryError(f"per_page must be between 1 and {top}")
        last = max(1, MAX_RESULTS // per_page)
        if not 1 <= page <= last:
            raise QueryError(f"page must be between 1 and {last}")
        return page, per_page

    @staticmethod
    def _hit(doc, score: float, gen, built, fallback=None) -> dict:
        body, other_form = written(doc, "body")
        hit = {
            "url": doc.get_first("url"),
            "title": original(doc, "title") or doc.get_first("path"),
            "path": doc.get_first("path"),
            "type": doc.get_first("type"),
            "snippet": snippets.snippet(body or "", gen, built.cjk, built.words, other_form=other_form,
                                        retry_words=built.retry_words, phrases=built.phrases, loose=built.loose,
                                        common=built.common, fallback=fallback),
            "score": round(float(score), 4),
        }
        for name in ("page", "t", "anchor"):
            value = doc.get_first(name)
            if value is not None:
                hit[name] = value
        cues = doc.get_first("cues") if "t" in hit else None
        if cues is not None:  # a subtitle window: link to the moment its match is said
            moment = said_at(body or "", hit["snippet"], unpack_cues(bytes(cues)))
            if moment is not None:
                hit["t"] = moment
                hit["url"] = f"{hit['url'].partition('#')[0]}#t={round(moment, 3):g}"
        page_title = doc.get_first("page_title")
        if page_title is not None:
            hit["page_title"] = bytes(page_title).decode("utf-8")
        modified = doc.get_first("mtime")  # the file's: what after: and before: filter on
        if modified is not None:
            # tantivy's dates are UTC; isoformat is 1 us a hit cheaper than strftime.
            hit["modified"] = modified.isoformat(timespec="seconds").replace("+00:00", "Z")
        return hit

    def _respelled(self, searcher, schema, parsed, kind: str | None) -> str | None:
        """``spelling.respell``'s "did you mean" for a search that found nothing, if that finds something."""
        builder = self._builder(schema, searcher)
        builder.set_context(parsed)
        text = spelling.respell(searcher, parsed.text, parsed.positive_terms, _VOCAB.analyze, _WORDS.analyze,
                                builder.correction)
        return self._if_found(searcher, schema, text, kind)

    def _if_found(self, searcher, schema, text: str | None, kind: str | None, more_than: int = 0) -> str | None:
        """``text``, a "did you mean", if searched it finds more than ``more_than`` units: one that
        finds nothing (or no more than the search itself) is no help."""
        if text is None:
            return None
        try:
            built = self._builder(schema, searcher).build(parse(text, self.config.search.max_query_chars), kind)
        except QueryError:  # longer than allowed, say: no suggestion is worth an error
            return None
        return text if searcher.search(built.query, limit=1, count=True).count > more_than else None

    @staticmethod
    def _facets(searcher, query) -> dict[str, int]:
        agg = searcher.aggregate(query, _FACET_AGG)
        types = agg.get("types", {})
        facets = {b["key"]: int(b["doc_count"]) for b in types.get("buckets", [])}
        if types.get("sum_other_doc_count"):  # more kinds than buckets: the sum would be short
            facets[_OTHER] = int(types["sum_other_doc_count"])
        return facets

    # -- search-as-you-type ----------------------------------------------------
    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Completions of the last word as whole queries: those found with the words before first, then the commonest."""
        with engine_guard():
            return self._suggest(prefix, limit)

    def _suggest(self, prefix: str, limit: int) -> list[str]:
        if not isinstance(prefix, str) or len(prefix) > self.config.search.max_query_chars:
            return []
        text = clean(prefix)
        if not text or prefix[-1:].isspace():
            return []
        head, _, last = text.rpartition(" ")
        if CJK_RUN.search(last) or last.startswith(("-", '"')) or ":" in last or _OPEN_FILTER.search(text):
            return []
        if any(SITE_FILTER.match(w.lstrip("-")) for w in head.split()):  # the search would say site: is not needed
            return []
        tail = _LAST_WORD.search(last)
        if tail is None:  # "C++", "x_": not in the middle of a word
            return []
        # What comes before the word being typed stays as typed: other words, and
        # punctuation joined to it ("pg_dump", "apt-g", "__ini"); words among it count as typed before.
        lead = (head + " " if head else "") + last[: tail.start()]
        context = _head_words(head)
        folded = _VOCAB.analyze(last)
        if len(folded) > 1:
            context = list(dict.fromkeys([*context, *(w for w in folded[:-1] if w not in _COMMON)]))
        folded = _VOCAB.analyze(tail.group())
        if len(folded) != 1:
            return []
        searcher = self.handle.searcher()
        if searcher is None:
            return []
        limit = max(0, min(limit, MAX_COMPLETIONS))
        # Not the word as typed: "lamp OR" offered "lamp or", the operator made a word.
        pool = [(word, df) for word, df in self._completions(searcher, folded[0]) if word != folded[0]]
        pool = pool[: max(limit, SUGGEST_POOL)]
        words = [word for word, _ in pool]
        schema = self.handle.index().schema
        joined = _VOCAB.analyze(last[: tail.start()])  # "pg" of "pg_du": the word this one is joined to
        if joined and last[tail.start() - 1] in _JOINERS:
            ranked = _by_neighbour(searcher, schema, joined[-1], pool)
            words = words if ranked is None else ranked
        elif context:
            words = _by_company(searcher, schema, context, pool) or words
        return [lead + shown(_as_typed(tail.group(), folded[0], word)) for word in words[:limit]]

    def _completions(self, searcher, prefix: str) -> list[tuple[str, int]]:
        """The commonest indexed words starting with ``prefix``, with their document frequencies.

        The term dictionary walk counts every word with the prefix: for one
        or two letters that is thousands of words (15-20 ms for "s" on the
        corpus, 30-80 ms at 1M units), so those are remembered until the
        index changes; at most 36 + 36² of them, so the memo stays small.
        """
        key = ("completions", prefix)
        memo = self.handle.memo()
        pool = memo.get(key) if len(prefix) <= 2 else None
        if pool is None:
            terms = searcher.terms_with_prefix("vocab", prefix, limit=5000)
            if not any(c.isdigit() for c in prefix):  # "postgres" offered "postgresql49873", an id of one page
                terms = [t for t in terms if not _DIGIT_RUN.search(t[0])]
            terms.sort(key=lambda t: (-t[1], t[0]))
            pool = terms[:MAX_COMPLETIONS]
            if len(prefix) <= 2:
                memo[key] = pool
        return pool

    def status(self) -> dict:
        return self.handle.status()


# How many of the most frequent completions are weighed by the words typed
# before them, and the most work that may take: postings visited, estimated
# as the sum over the completions of the smaller of its document frequency and
# the rarest word's (about 65 ns each at 1M units). Measured with 16: 0.2-0.3 ms
# on the corpus (24,000 units); 1.5-5.8 ms at 1M units for "postgresql repl",
# "git reb", "create tab"; "the c" (no word but the common "the" before it)
# would have taken 104 ms there, and is not weighed.
SUGGEST_POOL = 48  # completions weighed by the words before; 16 missed "git sta" -> stash
SUGGEST_WORK = 250_000
PHRASE_WORK = SUGGEST_WORK // 4
MAX_COMPLETIONS = 50  # the most a suggestion request may ask for


def _head_words(head: str) -> list[str]:
    """The words every result must have, from what was typed before the last word.

    Words of an OR, excluded words and filters narrow nothing down for sure,
    nor do the commonest words of English: left out. Folded as the
    vocabulary is, unstemmed.
    """
    if not head:
        return []
    try:
        parsed = parse(head)
    except QueryError:
        return []
    words: list[str] = []
    for group in parsed.groups:
        if len(group) == 1:
            words.extend(w for w in _VOCAB.analyze(group[0].text) if w not in _COMMON)
    return list(dict.fromkeys(words))


_COMMON = frozenset(COMMON_WORDS)
_DIGIT_RUN = re.compile(r"\d{5}")  # no word anyone completes: ids, dates, numbers (utf8, rfc2616 stay)
_LAST_WORD = re.compile(r"[^\W_]+$")  # the letters and digits that end what is typed
_OPEN_FILTER = re.compile(r'(?:type|in|after|before):"[^"]*$', re.IGNORECASE)  # in:"my do: a folder, not a word


# Punctuation that joins a word to the one before into a name: pg_dump, os.path, apt-get.
_JOINERS = frozenset("_.-")


def _as_typed(typed: str, folded: str, word: str) -> str:
    """The completion ``word`` (of the vocabulary: folded) starting with the letters as
    typed when they differ from their folded form by more than case: "über" offered
    "ubersetzung", "españ" "espanol"."""
    if typed.lower() == folded or not word.startswith(folded):
        return word
    return typed + word[len(folded):]


def _by_neighbour(searcher, schema, before: str, pool: list[tuple[str, int]]) -> list[str] | None:
    """The ``pool``'s words that some unit has right after ``before`` (a phrase), the most
    such units first: "pg_du" offers "pg_dump" first, where the units with "pg" and
    "during" were more, and "pg_dum" not "pg_dummy", joined so on no page. Ties keep
    frequency order; None when counting would cost more than ``PHRASE_WORK`` (a
    phrase reads positions too: 5-9 ms on the corpus for "pg_du", "apt-g")."""
    stems = _WORDS.analyze(before)
    rarest = searcher.doc_freq("vocab", before)
    if len(stems) != 1 or not rarest or sum(min(rarest, df) for _, df in pool) > PHRASE_WORK:
        return None
    counts = {}
    for word, _ in pool:
        after = _WORDS.analyze(word)
        if len(after) != 1:
            counts[word] = 0
            continue
        query = tantivy.Query.phrase_query(schema, "body", [stems[0], after[0]])
        counts[word] = searcher.search(tantivy.Query.const_score_query(query, 1.0), limit=1, count=True).count
    return sorted((w for w in counts if counts[w]), key=lambda w: -counts[w])


def _by_company(searcher, schema, context: list[str], pool: list[tuple[str, int]]) -> list[str] | None:
    """The ``pool``'s words (most frequent first) by how many units have each along with all of ``context``.

    "postgresql repl" should offer "replication" before "replace", though
    "replace" is the commoner word. The count is of units holding every word
    as written (the vocabulary is unstemmed), so it ranks, never removes: a
    completion no unit has with those words still comes last, in case the
    stemmed search finds it. Ties keep frequency order. None when counting
    would cost more than ``SUGGEST_WORK`` or no unit has all of ``context``.
    """
    rarest = min(searcher.doc_freq("vocab", w) for w in context)
    if not rarest or sum(min(rarest, df) for _, df in pool) > SUGGEST_WORK:
        return None
    context_queries = [(tantivy.Occur.Must, tantivy.Query.term_query(schema, "vocab", w)) for w in context]
    scores = {}
    for word, df in pool:
        query = tantivy.Query.boolean_query([*context_queries,
                                             (tantivy.Occur.Must, tantivy.Query.term_query(schema, "vocab", word))])
        # A constant score: only the count matters, and BM25 costs a third more.
        together = searcher.search(tantivy.Query.const_score_query(query, 1.0), limit=1, count=True).count
        # How often with them, times how much of the word's use that is: by the count alone
        # the commonest words won ("git re": read, reference, result; now repository, remote).
        scores[word] = together * together / df if df else 0
    return sorted(scores, key=lambda w: -scores[w])  # stable: equals stay in frequency order


_FACET_AGG = {"types": {"terms": {"field": "type", "size": 20}}}
# The most hits a phrase's search keeps to count their kinds instead of making a facet pass.
# Measured at 1M units: keeping 2,000 hits (and reading their kinds) costs up to ~0.6 ms more than
# keeping 20; 116 of the bench's 200 phrases match fewer, and their facet passes took 135 of 574 ms.
# 0: always the facet pass.
FACETS_FROM_HITS = 2000


def _facets_of_hits(searcher, hits: list) -> dict[str, int] | None:
    """Counts per type of ``hits`` (every match), from the ``kind`` fast field; None
    if a hit has no kind known (an index from before the field: make the facet pass)."""
    try:
        kind_ids = searcher.fast_field_values("kind", [address for _, address in hits]) if hits else []
    except ValueError:  # no such field in this index
        return None
    facets: dict[str, int] = {}
    # Counted as numbers, then named: 0.07 ms for a phrase's 2,000 first hits, 0.27 named one by one.
    for kind_id, count in Counter(kind_ids).items():
        kind = kind_of(kind_id)
        if kind is None:
            return None
        facets[kind] = count
    return _most_first(facets)


def _most_first(facets: dict[str, int]) -> dict[str, int]:
    """``facets`` ordered as the facet pass orders them: the most first, then by name."""
    return dict(sorted(facets.items(), key=lambda kv: (-kv[1], kv[0])))


_OTHER = "\x00other"


# Fewer units than this with every word of a long query: search again with one left out
# (Builder.relaxed). Only a search that found nothing: measured on the judged queries
# (tests/search/ranking_judged.py), relaxing every long query moved the wanted hit to rank
# 1 in 3 more of 40 but lost it in 2 others, and doubled the CPU of three-word queries
# (1.76 -> 3.70 ms on the corpus; 3.14 ms when relaxing those with fewer than 20 matches).
RELAX_BELOW = 1


def _few(facets: dict[str, int]) -> bool:
    """Whether so few units of any type have every word that one may be left out.

    Of any type: the facets count without the type filter. With the filter's total,
    a type tab with no match ("postgresql replication slot" in Text) relaxed the
    query, found unrelated units of that type, and showed the relaxed query's counts
    on every tab (HTML 248, where All had said 75).
    """
    return sum(facets.values()) < RELAX_BELOW


def _total_from_facets(facets: dict[str, int], built) -> int | None:
    """The number of matches, read off the facet counts when they tell it exactly."""
    if _OTHER in facets:
        facets.pop(_OTHER)
        return None
    if built.type_filter is None:  # the facet query is the query
        return sum(facets.values())
    if isinstance(built.type_filter, str):  # the query is the facet query AND type:<that one>
        return facets.get(built.type_filter, 0)
    return None


# tantivy's words for files it cannot read (its errors are all ValueErrors to Python):
# a damaged index answered every query 400 "this query cannot be searched", logging nothing.
_INDEX_DAMAGE = re.compile(r"io ?error|corrupt|failed to open|does not exist|unsupported dictionary", re.IGNORECASE)


def _engine_or_query_error(exc: ValueError) -> Exception:
    """``exc`` from tantivy as the server's fault (``EngineError``, a 500 and a log line)
    when it names a file of the index it could not read, else as the query's (400)."""
    if _INDEX_DAMAGE.search(str(exc)):
        return EngineError(f"the index cannot be read: {exc}")
    return QueryError(f"this query cannot be searched ({exc})")


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
