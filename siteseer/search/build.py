"""From a ParsedQuery to tantivy Query objects (term/phrase/boolean/boost).

Each term is analyzed with the index's own analyzers, so folding and
stemming match what was indexed. Latin words search ``title`` (x2),
``headings`` (x1.5) and ``body`` (a phrase with a common word in ``body``
through its ``grams``); ``body`` also holds the title's and headings' words,
so it alone decides what matches, and the other two only add to the score
(``BOOST_FIELDS``). CJK runs search bigram phrases in
``cjk_title`` / ``cjk``. The last word also matches the most frequent
indexed words it is a prefix of, and a word the index has never seen is
replaced by its closest spelling (which becomes the "did you mean").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tantivy
from tantivy import Occur, Query

from siteseer.index.textforms import (CJK_RUN, COMMON_STEMS, MAX_WORD_CHARS, fold, query_analyzers, query_bigrams,
                                      shown, stem_grams)

from . import spelling
from .errors import QueryError
from .query import Filter, ParsedQuery, Term

# The title counts twice more where it matches: its words are in ``body`` too. (Title 3 before
# they were; on the judged queries, tests/search/ranking_judged.py, both kept the wanted
# hit at rank 1 / top 3 / MRR 20 / 32 / 0.667; title 3 with them in ``body`` 19 / 32 / 0.646;
# now 21 / 33 / 0.684.)
WORD_FIELDS = (("title", 2.0), ("headings", 1.5), ("body", 1.0))
BOOST_FIELDS = WORD_FIELDS[:2]  # what they match, ``body`` matches too (``documents.to_document``)
CJK_FIELDS = (("cjk_title", 3.0), ("cjk", 1.0))
PREFIX_EXPANSIONS = 12
# ...and at most this many in one query, shared among its prefixes: 32 two-letter
# prefixes ("aa* ae* ...") took 512 ms at 1M units with 12 each.
QUERY_EXPANSIONS = 48
MIN_PREFIX = 2
# Completions of a joined word's last part ("pg_dum"): each is a phrase, whose positions
# are read. The commonest few, while the postings to read stay under JOINED_WORK: at 1M
# units "sources.li" (12 completions) took 223 ms, "os.pa" 104 ms, "pg_dum" 8 ms.
JOINED_EXPANSIONS = 6
JOINED_WORK = 60_000
# From how many words (or OR-groups) one of them may be missing: see Builder.relaxed.
RELAX_FROM = 3

_ANALYZERS = query_analyzers()  # folding first, as the index does
_WORDS = _ANALYZERS["words"]
_VOCAB = _ANALYZERS["vocab"]
_WORD_RUN = re.compile(r"[^\W_]+")


@dataclass
class BuiltQuery:
    query: Query  # what is searched
    facet_query: Query  # the same without type filters: counts per type
    highlight: Query | None  # positive terms only, for snippets
    cjk: list[str] = field(default_factory=list)  # CJK strings to highlight
    suggestion: str | None = None
    # Lowercase strings where snippets look first: each positive stem's
    # ``_needle``, or a prefix as typed.
    words: list[str] = field(default_factory=list)
    # The same with every completion of a prefix instead of the prefix: tried
    # when ``words`` aim where no completion is (None when no prefix was expanded).
    retry_words: list[str] | None = None
    # How ``query`` narrows ``facet_query`` by type: None (it does not), one
    # kind (a single positive type), or True (anything more involved).
    type_filter: str | bool | None = None
    # Each positive phrase as its words' needles, in order: snippets show a
    # phrase where its words follow each other, not its words one by one.
    phrases: list[tuple[str, ...]] = field(default_factory=list)
    # The needles of the words searched on their own (and their completions):
    # these are highlighted wherever they are.
    loose: list[str] = field(default_factory=list)
    # When a hit's body lacks the phrases (they matched its title): what
    # snippets mark instead, the words but for the phrases' common ones ("the",
    # "of": in every passage, they say nothing alone); None without phrases,
    # or when every word is common. ``common`` are those words' needles, not aimed at.
    fallback: Query | None = None
    common: list[str] = field(default_factory=list)
    # Built with every word required, though one of them may be left out (RELAX_FROM words or more).
    relaxable: bool = False
    # Whether matching checks word positions (a phrase but a two-word one with a common word, which is one gram):
    # each pass over the matches then costs milliseconds at 1M units, so the service makes one if it can.
    positional: bool = False


def _should(queries: list[Query]) -> Query | None:
    if not queries:
        return None
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Should, q) for q in queries])


def _must(queries: list[Query]) -> Query | None:
    if not queries:
        return None
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Must, q) for q in queries])


# How much more the word as typed counts than its completions (and synonyms). At 1.5 a
# rarer completion outscored a complete word ("python list": "Listeners and Clients"
# first, "latex table": a LaTeX command with "tabletotal" in it); at 3 the pages about
# the word come first, with the 40 judged queries as good (MRR 0.684 -> 0.687).
TYPED_WEIGHT = 3.0


def _typed(i: int, tokens: list[str]) -> float:
    """The weight of ``tokens[i]`` among a word's alternatives: the word as typed (the first) ``TYPED_WEIGHT``."""
    return TYPED_WEIGHT if i == 0 and len(tokens) > 1 else 1.0


def _boosted(query: Query, boost: float) -> Query:
    return query if boost == 1.0 else Query.boost_query(query, boost)


def _boolean(clauses: list[tuple[Occur, Query]]) -> Query:
    """``clauses`` as one query: a boolean one, or the only required clause
    itself. The same matches and scores; tantivy finds the top hits of a bare
    disjunction faster (one word: 1.23 → 0.87 ms at 1M units, 0.10 → 0.09 ms
    on the corpus)."""
    if len(clauses) == 1 and clauses[0][0] == Occur.Must:
        return clauses[0][1]
    return Query.boolean_query(clauses)


# Words that carry no topic of their own ("how does a lighthouse work"): in a query
# with another word they are optional (they add to a unit's score where they
# are), and neither aimed at nor marked in snippets. A query of these alone
# needs them all ("to be or not to be"); in quotes they count as written.
FUNCTION_WORDS = frozenset("""
a an the of to in on at for by with from into onto about as and or but if nor so than then
is are was were be been being am do does did done doing have has had having
how what why when where which who whom whose can could should would will shall may might must
i me my we us our you your he him his she her it its they them their this that these those there here
not no
""".split())


def _function_word(group) -> bool:
    """Whether a group is one finished, unquoted word of FUNCTION_WORDS."""
    if len(group) != 1 or group[0].phrase or group[0].prefix:
        return False
    folded = _VOCAB.analyze(group[0].text)
    return len(folded) == 1 and folded[0] in FUNCTION_WORDS


def _needle(stem: str, written: str | None = None) -> str:
    """Where snippets look for a stem: less its last letter, which stemming may
    have changed (the stem of "happy" is "happi"), but at least 3 letters.

    A stem of three that the word as ``written`` (folded) does not start
    with ("try": "tri", "why": "whi") is looked for as written: "tri" finds
    "trial" and "tries", never "try".
    """
    needle = stem[: max(3, len(stem) - 1)]
    if written and not written.startswith(needle):
        return written
    return needle


MEMO_LIMIT = 20000
OTHER_FIRST_LETTER = 0.25  # how much a correction counts that changes the word's first letter
# A word on at most RARE_WORD_DF units, with one a single edit away on RESPELL_RATIO
# times as many, gets a "did you mean" when the search finds at most FEW_RESULTS
# (it is still searched as typed).
RARE_WORD_DF = 3
RESPELL_RATIO = 100
FEW_RESULTS = 5
RESPELL_FROM = 5  # letters: short words have common neighbours ("pica", "pick")


def synonym_stems(groups: list[str]) -> dict[str, tuple[str, ...]]:
    """``search.synonyms`` ("postgres, postgresql") as each word's stem -> the other stems of its groups.

    A word found this way counts as a completion of a prefix does (the word as
    typed counts ``TYPED_WEIGHT`` times more), so a page that says what was typed comes first.
    """
    out: dict[str, tuple[str, ...]] = {}
    for group in groups:
        stems = list(dict.fromkeys(t for w in group.split(",") for t in _WORDS.analyze(w.strip())))
        for stem in stems:
            out[stem] = tuple(dict.fromkeys([*out.get(stem, ()), *(o for o in stems if o != stem)]))
    return out


class Builder:
    """``memo`` (optional) caches what depends only on the index's contents:
    prefix expansions and spelling corrections. The caller hands a dict that
    is emptied whenever the index changes (``IndexHandle.memo``)."""

    def __init__(self, schema: tantivy.Schema, searcher: tantivy.Searcher, memo: dict | None = None,
                 synonyms: dict[str, tuple[str, ...]] | None = None):
        self.schema = schema
        self.searcher = searcher
        self.memo = memo if memo is not None else {}
        self.synonyms = synonyms or {}  # ``synonym_stems``: a word's stem -> the stems that find it too
        self.cjk: list[str] = []
        self.stems: list[str] = []  # the snippet needles (BuiltQuery.words)
        self.completions: list[str] = []  # needles of prefix completions, for BuiltQuery.retry_words
        self.phrases: list[tuple[str, ...]] = []  # BuiltQuery.phrases
        self.loose: list[str] = []  # BuiltQuery.loose
        self.common: list[str] = []  # BuiltQuery.common
        self.marks: list[str] = []  # body stems for BuiltQuery.fallback
        self.highlight_only: list[Query] = []  # what snippets need that the query searched another way
        self.corrections: list[tuple[tuple[int, int], str]] = []
        self.respellings: list[tuple[tuple[int, int], str]] = []  # suggested only: the word was searched as typed
        self.rare: list[tuple[tuple[int, int], str, list[str]]] = []  # (span, folded, stems) of rare words
        self.context: list[str] = []  # the stems of the query's words that the index has, for ``correction``
        # The words' and phrases' clauses in BOOST_FIELDS: optional, they only score.
        self.boosts: list[Query] = []
        self.flat: list[str] | None = None  # the last word's tokens, for ``flat_alternatives``
        self.positional = False  # BuiltQuery.positional
        self.expansions = PREFIX_EXPANSIONS  # per prefix, in this query (``build`` shares QUERY_EXPANSIONS)

    # -- pieces ----------------------------------------------------------------
    def words(self, tokens: list[str]) -> Query:
        """A word (one token) or an adjacent sequence (phrase): what matches it
        in ``body``, with its clauses in the other word fields among ``boosts``."""
        if len(tokens) == 1:
            return self.alternatives(tokens)
        self.boosts += [Query.boost_query(Query.phrase_query(self.schema, name, tokens), boost)
                        for name, boost in BOOST_FIELDS]
        return self.body_phrase(tokens, Query.phrase_query(self.schema, "body", tokens))

    def body_phrase(self, tokens: list[str], phrase: Query) -> Query:
        """``phrase`` (of ``tokens`` in ``body``) through the body's common-word grams.

        A phrase with a common word is in nearly every unit's words, and
        tantivy would check positions in all of them, twice (top hits, then
        counts per type). Two words are one gram, which is in exactly the
        units where the phrase is: the gram is searched instead, and its BM25
        (its frequency in the unit, its rarity) ranks them. Longer phrases
        need each gram (a filter, no score) before positions are checked.
        Measured at 1M units (top 10 and counts): "and the" 304 ms as a
        phrase, 12 ms as a gram; the bench's phrase queries 28 -> 5.3 ms of CPU
        each, with the same totals. Scores change: the body's part is the
        gram's BM25 (the phrase's own rarity), not the phrase's (its words'
        summed rarity); on the corpus, 367 of 500 such queries keep their first hit.
        """
        grams = stem_grams(tokens)
        if not grams or not self.has_grams():
            self.positional = True
            return phrase
        self.highlight_only.append(phrase)  # snippets mark the body's words, which a gram is not
        if len(tokens) == 2:
            return Query.term_query(self.schema, "grams", grams[0])
        self.positional = True
        clauses = [(Occur.Must, Query.const_score_query(Query.term_query(self.schema, "grams", g), 0.0))
                   for g in dict.fromkeys(grams)]
        return Query.boolean_query([*clauses, (Occur.Must, phrase)])

    def has_grams(self) -> bool:
        """Whether the index has a ``grams`` field (not one built before it was added,
        still searched while the indexer rebuilds it)."""
        key = ("has_grams",)
        if key in self.memo:
            return self.memo[key]
        try:
            Query.term_query(self.schema, "grams", "")
        except ValueError:
            return self._remember(key, False)
        return self._remember(key, True)

    def cjk_run(self, run: str) -> Query:
        parts = []
        for name, boost in CJK_FIELDS:
            q = self.cjk_in(name, run)
            parts.append(q if boost == 1.0 else Query.boost_query(q, boost))
        return _should(parts)  # type: ignore[return-value]

    def cjk_in(self, name: str, run: str) -> Query:
        """A CJK run in one bigram field: its bigrams in a row (one character: any bigram it starts)."""
        grams = query_bigrams(run)
        if len(run) == 1:
            terms = self.searcher.terms_with_prefix(name, run, limit=64)
            queries = [Query.term_query(self.schema, name, t) for t, _ in terms] or [Query.empty_query()]
            return _should(queries)  # type: ignore[return-value]
        if len(grams) == 1:
            return Query.term_query(self.schema, name, grams[0])
        self.positional = True
        return Query.phrase_query(self.schema, name, grams)

    def in_title(self, text: str) -> Query:
        """``intitle:``: ``text``'s words in ``title`` (in a row, if more than one), its CJK runs in ``cjk_title``."""
        text = fold(text)
        parts = [self.cjk_in("cjk_title", run) for run in CJK_RUN.findall(text)]
        tokens = _WORDS.analyze(CJK_RUN.sub(" ", text))
        if len(tokens) == 1:
            parts.append(Query.term_query(self.schema, "title", tokens[0]))
        elif tokens:
            self.positional = True
            parts.append(Query.phrase_query(self.schema, "title", tokens))
        # No token: a word tantivy drops (longer than it indexes) is in no title.
        return _must(parts) or Query.empty_query()  # type: ignore[return-value]

    def df(self, token: str) -> int:
        """How many units have ``token`` (in any word field: ``body`` has them all)."""
        return self.searcher.doc_freq("body", token)

    def _remember(self, key: tuple, value):
        if len(self.memo) >= MEMO_LIMIT:
            self.memo.clear()
        self.memo[key] = value
        return value

    def correction(self, folded: str) -> str | None:
        """The word ``folded`` was meant to be, remembered: of the close spellings
        (``spelling.candidates``, the most frequent first), the one found with most
        of the query's other words ("git rebse": "rebase", not the commoner "reuse")."""
        key = ("correct", folded)
        found = self.memo[key] if key in self.memo else self._remember(key, spelling.candidates(self.searcher, folded))
        own = _WORDS.analyze(folded)  # a rare word's own stem is in the index: no context for itself
        context = [t for t in self.context if t != folded and t not in own]
        if len(found) < 2:
            return found[0] if found else None
        key = ("correct in", folded, *context)
        if key not in self.memo:
            def weight(cand: str) -> float:
                count = self._found_with(cand, context) if context else self.searcher.doc_freq("vocab", cand)
                # A word's first letter is seldom the mistyped one: "git rbase" is "rebase",
                # though "base" is found with "git" twice as often.
                return count if cand[:1] == folded[:1] else count * OTHER_FIRST_LETTER
            self._remember(key, max(found, key=weight))  # first of equals
        return self.memo[key]

    def respelled(self, parsed: ParsedQuery) -> str | None:
        """The suggestion with the query's rare words respelled (``respelling``), or None
        when none is. Asked by the service only when a search found few units: a rare
        word in a query with many results is what was meant, and the candidates cost
        ~0.3 ms a word (measured: 10-15 % of a search, had every query asked)."""
        for span, folded, tokens in self.rare:
            fixed = self.respelling(folded, tokens)
            if fixed is not None:
                self.respellings.append((span, fixed))
        return self.suggestion(parsed) if self.respellings else None

    def respelling(self, folded: str, tokens: list[str]) -> str | None:
        """A "did you mean" for a word the index has, but rarely, when a word one edit away
        is far commoner: "debain" is on 3 pages (typed so there), "debian" on thousands.
        The word is still searched as typed; ``tokens`` are its stems."""
        enough = RESPELL_RATIO * max(self.searcher.doc_freq("vocab", folded), 1)  # (0: "lenghts" of "lenght")

        def fits(word: str) -> bool:
            # Not a shorter word: of the corpus's rare words, those one letter from a common one
            # were mostly words ("tsearch" is no "search", "fname" no "name", "tone" no "one").
            return (len(word) >= len(folded) and self.searcher.doc_freq("vocab", word) >= enough
                    and _WORDS.analyze(word) != tokens)  # "chamber" for "chambers" is no respelling

        key = ("one edit", folded)  # a word the index has is no typo of one two edits away
        found = self.memo[key] if key in self.memo else self._remember(
            key, spelling.candidates(self.searcher, folded, two_edits=False))
        if not any(fits(word) for word in found):  # before correction weighs them by the other words
            return None
        # Words one edit away are all ``candidates`` would give: correction need not probe again.
        if ("correct", folded) not in self.memo:
            self._remember(("correct", folded), found)
        fixed = self.correction(folded)
        return fixed if fixed is not None and fits(fixed) else None

    def set_context(self, parsed: ParsedQuery) -> None:
        """The stems of ``parsed``'s words that the index has: what ``correction`` weighs spellings by."""
        self.context = list(dict.fromkeys(
            stem for t in parsed.positive_terms for stem in _WORDS.analyze(CJK_RUN.sub(" ", t.text)) if self.df(stem)))

    def _found_with(self, word: str, context: list[str]) -> int:
        """How many units have ``word`` (a vocabulary word) and every stem of ``context``."""
        stems = _WORDS.analyze(word)
        if len(stems) != 1:
            return 0
        terms = [Query.term_query(self.schema, "body", t) for t in (stems[0], *context)]
        return self.searcher.search(_must([Query.const_score_query(t, 1.0) for t in terms]), limit=1, count=True).count

    def prefix_expansions(self, folded: str) -> list[str]:
        """Stems of the most frequent indexed words starting with ``folded``."""
        if len(folded) < MIN_PREFIX:
            return []
        key = ("prefix", folded)
        if key in self.memo:
            return self.memo[key]
        return self._remember(key, self._prefix_expansions(folded))

    def _prefix_expansions(self, folded: str) -> list[str]:
        terms = self.searcher.terms_with_prefix("vocab", folded, limit=2000)
        terms.sort(key=lambda t: -t[1])
        stems: list[str] = []
        for word, _ in terms[: PREFIX_EXPANSIONS * 2]:
            for stem in _WORDS.analyze(word):
                if stem not in stems:
                    stems.append(stem)
            if len(stems) >= PREFIX_EXPANSIONS:
                break
        return stems

    def term(self, term: Term, fix_typos: bool) -> Query | None:
        """The query for one typed word or phrase; None if it has nothing searchable."""
        self.flat = None
        text = fold(term.text)  # as the index folded it: for the CJK runs (the analyzers fold the words)
        runs = CJK_RUN.findall(text)
        self.cjk.extend(runs) if not term.negated else None
        latin = CJK_RUN.sub(" ", text)
        tokens = _WORDS.analyze(latin)
        parts: list[Query] = [self.cjk_run(r) for r in runs]
        if tokens:
            if term.phrase or len(tokens) > 1:
                self.stems.extend(map(_needle, tokens))
                if len(tokens) > 1:
                    self.phrases.append(tuple(map(_needle, tokens)))
                    self.common.extend(_needle(t) for t in tokens if t in COMMON_STEMS)
                    self.marks.extend(t for t in tokens if t not in COMMON_STEMS)
                else:  # a quoted word is a word
                    self.loose.append(_needle(tokens[0]))
                    self.marks.append(tokens[0])
                if term.prefix and not term.phrase and len(tokens) > 1:
                    parts.append(self.joined(tokens, (_VOCAB.analyze(latin) or tokens)[-1]))
                else:
                    parts.append(self.words(tokens))
            else:
                parts.append(self.single(term, latin, tokens[0], fix_typos))
        if runs:  # the word is not the whole of it
            self.flat = None
        return _must(parts)

    def joined(self, tokens: list[str], last: str) -> Query:
        """A joined word whose last part may still be being typed ("pg_dum", "os.pa"; ``last``
        is that part folded, not stemmed): its parts in a row as typed, or with the last one
        completed ("pg_dump", "pg_dumpall"). As a phrase alone it found nothing while the
        completions under the box offered "pg_dump"."""
        exact = self.words(tokens)
        before = self.searcher.doc_freq("body", tokens[-2])
        completions, work = [], 0
        for stem in self.prefix_expansions(last)[: min(self.expansions, JOINED_EXPANSIONS)]:
            cost = min(before, self.searcher.doc_freq("body", stem))  # the postings whose positions are read
            if stem != tokens[-1] and work + cost <= JOINED_WORK:  # else the next, rarer, may still fit
                completions.append(stem)
                work += cost
        if not completions:
            return exact
        self.positional = True
        self.stems.append(last)  # the snippets' needle: the letters typed, which every completion starts with
        phrases = [Query.phrase_query(self.schema, "body", [*tokens[:-1], stem]) for stem in completions]
        return _should([exact, *phrases])

    def single(self, term: Term, latin: str, token: str, fix_typos: bool) -> Query:
        folded = (_VOCAB.analyze(latin) or [token])[0]
        alternatives = [token]
        if term.prefix:
            alternatives += [s for s in self.prefix_expansions(folded)[: self.expansions] if s != token]
        completed = len(alternatives) > 1
        synonyms = self._synonyms_of(alternatives)
        written = folded  # the word as typed, for its needle; not once respelled
        # A number is no typo: "2023" on no page is not "2024" (nor "2013", one edit away).
        fix_typos = fix_typos and not any(c.isdigit() for c in folded)
        if fix_typos and not term.negated and all(self.df(t) == 0 for t in alternatives + synonyms):
            fixed = self.correction(folded)
            if fixed is not None:
                self.corrections.append((term.span, fixed))
                alternatives = _WORDS.analyze(fixed) or alternatives
                synonyms = self._synonyms_of(alternatives)
                completed = False
                written = None
            elif len(token) > 2:  # nothing close in the vocabulary: let tantivy try one edit on the stems
                # Never two: its automaton walks most of the term dictionary ("terraform",
                # on no page of the corpus, took 396 ms to find nothing; "kubernetes" 122 ms
                # to find 13 units with "supernet"), and the vocabulary has had its say.
                return Query.fuzzy_term_query(self.schema, "body", token, distance=1)
            # A word of one or two letters has no typo to fix (Elasticsearch's
            # "AUTO" fuzziness allows it no edit): one edit from "c" is every
            # one-letter word and most two-letter ones. It finds what it is.
        elif fix_typos and not term.negated and len(folded) >= RESPELL_FROM:
            if self.searcher.doc_freq("vocab", folded) <= RARE_WORD_DF:  # a microsecond: any word can afford it
                self.rare.append((term.span, folded, alternatives[:1]))
        self.marks.extend(alternatives)
        if completed:
            # Snippets look for the letters typed, which every completion starts
            # with: one needle instead of up to 13 (measured: prefix queries' hits
            # took 0.88 ms of 1.9 ms, most of it finding each completion).
            self.stems.append(folded)
            self.completions.extend(map(_needle, alternatives))
            self.loose += [folded, *map(_needle, alternatives)]
        else:
            needles = [_needle(alternatives[0], written), *map(_needle, alternatives[1:])]
            self.stems.extend(needles)
            self.loose.extend(needles)
        if synonyms:  # looked for and marked in snippets as the word itself is
            self.marks.extend(synonyms)
            self.stems.extend(map(_needle, synonyms))
            self.loose.extend(map(_needle, synonyms))
        return self.alternatives(alternatives + synonyms)

    def _synonyms_of(self, alternatives: list[str]) -> list[str]:
        """The configured synonyms of the word as typed (``alternatives[0]``) not among ``alternatives``."""
        return [s for s in self.synonyms.get(alternatives[0], ()) if s not in alternatives] if self.synonyms else []

    def alternatives(self, tokens: list[str]) -> Query:
        """Any of ``tokens`` in ``body``, their clauses in the other word fields
        among ``boosts``; the first (the word as typed) counts ``TYPED_WEIGHT``
        times its completions. ``flat`` becomes the tokens, for ``flat_alternatives``."""
        self.flat = tokens
        clauses = []
        for i, token in enumerate(tokens):
            for name, boost in WORD_FIELDS:
                q = _boosted(Query.term_query(self.schema, name, token), boost * _typed(i, tokens))
                if name == "body":
                    clauses.append(q)
                else:
                    self.boosts.append(q)
        return _should(clauses)  # type: ignore[return-value]

    def flat_alternatives(self, tokens: list[str]) -> Query:
        """``alternatives`` with its boosts as one query, for a search of that word alone.

        One flat disjunction of field × token terms, each boosted by both
        factors, not a disjunction of each token's field disjunction: the same
        scores, and tantivy finds the top hits of a completed prefix about
        twice as fast (measured on the corpus: top-10 0.67 → 0.43 ms for "con";
        at 1M units 12.2 → 5.8). Better than ``body`` required and the rest
        optional, too, for a word alone (1.90 → 2.22 ms at 1M units), though
        not for two words (2.38 → 1.32 ms).
        """
        return Query.boolean_query([
            (Occur.Should, _boosted(Query.term_query(self.schema, name, token), boost * _typed(i, tokens)))
            for i, token in enumerate(tokens) for name, boost in WORD_FIELDS])

    def filter(self, f: Filter) -> Query:
        if f.name == "type":
            return Query.term_query(self.schema, "type", f.value)
        if f.name == "in":
            return Query.term_query(self.schema, "dir", tantivy.Facet.from_string("/" + str(f.value)))
        if f.name == "intitle":
            return self.in_title(str(f.value))
        if f.name == "after":
            return Query.range_query(self.schema, "mtime", tantivy.FieldType.Date, lower_bound=f.value)
        return Query.range_query(self.schema, "mtime", tantivy.FieldType.Date, upper_bound=f.value,
                                 include_upper=False)

    # -- whole query -----------------------------------------------------------
    def build(self, parsed: ParsedQuery, type_filter: str | None = None, fix_typos: bool = True,
              relax: bool = False) -> BuiltQuery:
        """``relax``: from RELAX_FROM words on, one may be missing (``relaxed``)."""
        clauses: list[tuple[Occur, Query]] = []
        positives: list[Query] = []
        phrases: list[tuple[Occur, Query]] = []  # a quoted phrase is always required
        optional: list[tuple[Occur, Query]] = []
        self.set_context(parsed)
        prefixes = sum(t.prefix for group in parsed.groups for t in group)
        self.expansions = max(1, min(PREFIX_EXPANSIONS, QUERY_EXPANSIONS // max(1, prefixes)))
        function = [_function_word(group) for group in parsed.groups]
        content = not all(function)
        flat = None  # a lone word's tokens
        for group, is_function in zip(parsed.groups, function):
            if is_function and content:
                q, boosts = self.quietly(group[0])
                if q is not None:
                    optional.append((Occur.Should, q))
                    self.boosts += boosts
                continue
            alts = [q for q in (self.term(t, fix_typos) for t in group) if q is not None]
            if alts:
                positives.extend(alts)
                quoted = any(t.phrase for t in group)
                (phrases if quoted else clauses).append((Occur.Must, _should(alts)))  # type: ignore[arg-type]
                flat = self.flat if len(group) == 1 else None
        relaxable = RELAX_FROM is not None and len(clauses) >= RELAX_FROM
        clauses = phrases + (self.relaxed(clauses) if relax else clauses)
        had_words = bool(parsed.groups)
        if had_words and not clauses:  # (function words alone do not count)
            if any(len(w.encode()) > MAX_WORD_CHARS for t in parsed.positive_terms for w in _WORD_RUN.findall(t.text)):
                raise QueryError(f"words longer than {MAX_WORD_CHARS} bytes of UTF-8 ({MAX_WORD_CHARS} plain letters, "
                                 f"half as many accented ones) are not searched")
            raise QueryError("the query has no letters or digits to search for")
        clauses += optional
        for t in parsed.excluded:  # not highlighted either
            q, _ = self.quietly(t)
            if q is not None:
                clauses.append((Occur.MustNot, q))
        if not any(occ == Occur.Must for occ, _ in clauses):
            clauses.append((Occur.Must, Query.all_query()))

        other_filters: list[tuple[Occur, Query]] = []
        type_filters: list[tuple[Occur, Query]] = []
        # The type asked beside the query (a type tab) replaces the query's type: words.
        kinds = [Filter("type", type_filter)] if type_filter else [
            f for f in parsed.filters if f.name == "type" and not f.negated]
        if kinds:
            type_filters.append((Occur.Must, _should([self.filter(f) for f in kinds])))  # type: ignore[arg-type]
        for f in parsed.filters:
            if f.name == "type" and not f.negated:
                continue
            target = type_filters if f.name == "type" else other_filters
            q = Query.const_score_query(self.filter(f), 0.0)
            target.append((Occur.MustNot if f.negated else Occur.Must, q))
        type_filters = [(o, q if o == Occur.MustNot else Query.const_score_query(q, 0.0)) for o, q in type_filters]

        base = clauses + other_filters
        negated_types = any(f.name == "type" and f.negated for f in parsed.filters)
        if not kinds and not negated_types:
            type_filter: str | bool | None = None
        elif len({f.value for f in kinds}) == 1 and not negated_types:
            type_filter = str(kinds[0].value)
        else:
            type_filter = True
        # ``body`` decides the matches (the facets count them), BOOST_FIELDS add
        # to the scores: a word alone as one flat disjunction, being faster.
        if flat is not None and len(base) == 1 and len(positives) == 1:
            ranked = [(Occur.Must, self.flat_alternatives(flat))]
        else:
            ranked = base + [(Occur.Should, q) for q in self.boosts]
        return BuiltQuery(
            query=_boolean(ranked + type_filters),
            facet_query=_boolean(base),
            highlight=_should(positives + self.highlight_only),
            cjk=list(dict.fromkeys(self.cjk)),
            suggestion=self.suggestion(parsed),
            words=list(dict.fromkeys(self.stems)),
            retry_words=list(dict.fromkeys(self.stems + self.completions)) if self.completions else None,
            type_filter=type_filter,
            phrases=list(dict.fromkeys(self.phrases)),
            loose=list(dict.fromkeys(self.loose)),
            fallback=self.fallback_marks(),
            common=list(dict.fromkeys(self.common)),
            relaxable=relaxable and not relax,
            positional=self.positional,
        )

    def quietly(self, term: Term) -> tuple[Query | None, list[Query]]:
        """``term``'s query and its ``boosts``, without what snippets would aim at and mark for it."""
        kept = (list(self.stems), list(self.completions), list(self.phrases), list(self.loose),
                list(self.common), list(self.marks), list(self.highlight_only), list(self.boosts))
        q = self.term(term, fix_typos=False)
        boosts = self.boosts[len(kept[-1]):]
        (self.stems, self.completions, self.phrases, self.loose, self.common, self.marks,
         self.highlight_only, self.boosts) = kept
        return q, boosts

    def relaxed(self, clauses: list[tuple[Occur, Query]]) -> list[tuple[Occur, Query]]:
        """The words' required clauses as one "all but one of them" clause, from
        ``RELAX_FROM`` words on (None: every word required). Quoted phrases are
        not among them: those are always required. The service asks for it only
        when the search with every word found nothing (``service.RELAX_BELOW``).

        Users add a word the right section lacks: the product's name ("python
        asyncio gather": the section on ``gather`` never says "python"), a verb
        the page says otherwise. With every word required such a query found
        only passing mentions (changelogs, tables of contents). BM25 still
        ranks the units with every word first unless one with fewer words
        matches them far better (in its title).
        """
        if RELAX_FROM is None or len(clauses) < RELAX_FROM:
            return clauses
        return [(Occur.Must, Query.boolean_query([(Occur.Should, q) for _, q in clauses],
                                                 minimum_number_should_match=len(clauses) - 1))]

    def fallback_marks(self) -> Query | None:
        """``BuiltQuery.fallback``: the body terms of ``marks``, when there are phrases."""
        if not self.phrases or not self.marks:
            return None
        return _should([Query.term_query(self.schema, "body", s) for s in dict.fromkeys(self.marks)])

    def as_typed(self, parsed: ParsedQuery) -> str | None:
        """The query with its corrected words quoted, so that it searches them as typed
        (a quoted word is never corrected): the results page's "search instead for". None
        when nothing was corrected or a corrected word cannot be quoted."""
        if not self.corrections:
            return None
        text = parsed.text
        for (start, end), _ in sorted(self.corrections, reverse=True):
            word = text[start:end]
            if '"' in word or word.endswith("*"):
                return None
            text = text[:start] + f'"{word}"' + text[end:]
        return text

    def suggestion(self, parsed: ParsedQuery) -> str | None:
        if not self.corrections and not self.respellings:
            return None
        text = parsed.text
        for (start, end), fixed in sorted(self.corrections + self.respellings, reverse=True):
            text = text[:start] + shown(fixed) + text[end:]
        return text
