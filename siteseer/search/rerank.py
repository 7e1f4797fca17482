"""Ranking after BM25: pages in a language the reader does not read, a file's many hits, and duplicates, weigh less.

Three passes over the hits BM25 ranked first:

* Language (the first ``LANGUAGE_WINDOW``): a hit whose path names a language
  (``siteseer.index.languages``) that the reader does not accept (their
  Accept-Language; English without one) counts ``OTHER_LANGUAGE_WEIGHT`` of its
  score. Read from the ``lang`` fast field, so no stored document is needed. An
  English query about Debian found the German, Japanese, ... manuals first:
  "apt sources list" had its first English hit at rank 34.
* Crowding (the whole window, ``CROWD_WINDOW`` at least): a file's hits past
  its first ``CROWD_KEEP`` count less and less (``crowded``), so one long
  page's sections do not make the whole first page.
* Duplicates (the first ``WINDOW`` after that): a copy of a page that the
  folder also has as HTML, the other languages of a page (after the
  reader's, else the best one), and a second hit with the same link (the
  pieces of a long section, the parts of a text file) count
  ``DUPLICATE_WEIGHT`` of their score.

Hits past a window keep their order, so paging never repeats or loses one.
Measured on 40 judged corpus queries (tests/search/ranking_judged.py), wanted
hit at rank 1 / top 3 / MRR: 8 / 21 / 0.394 without the duplicates pass,
12 / 23 / 0.484 with it.
"""

from __future__ import annotations

import functools
import re

from tantivy import FieldType, Query

from siteseer.index.languages import NO_LANGUAGE, lang_of, language_ids, unlanguaged

WINDOW = 20  # hits weighed for duplicates (0: none)
LANGUAGE_WINDOW = 100  # hits weighed for language: English ones came at rank 20-50 behind translations
WIDER = 400  # the window when fewer than ENOUGH_READ of the first LANGUAGE_WINDOW are in the reader's languages
ENOUGH_READ = 10  # a first page of them
CROWD_WINDOW = 50  # hits weighed for crowding, at least (the language window when there is one)
CROWD_KEEP = 3  # hits of one file at their own score
CROWD_WEIGHT = 0.5  # each further hit of that file counts this much of the one before
DUPLICATE_WEIGHT = 0.3
OTHER_LANGUAGE_WEIGHT = 0.15  # 0.3 left the translations of a short page ("mount nfs") above the reader's
ENGLISH = language_ids(["en"])  # the reader's languages when they say none
# A Sphinx source copy (``_sources/library/json.rst.txt`` of ``library/json.html``)
# or a text source beside its page (asciidoc's ``git-stash.txt`` of ``git-stash.html``).
_SOURCE_COPY = re.compile(r"^(?:(?P<root>.*/)?_sources/(?P<rel>.+?)(?:\.(?:rst|md|txt))?|(?P<page>.+))\.txt$")


@functools.lru_cache(maxsize=8192)  # pure, and hits' paths recur: the regexes cost ~5 us a path
def source_of(path: str) -> str | None:
    """The HTML page that ``path`` may be the source copy of, or None."""
    m = _SOURCE_COPY.match(path)
    if m is None:
        return None
    if m.group("page"):
        return m.group("page") + ".html"
    return (m.group("root") or "") + m.group("rel") + ".html"


def reranked(searcher, found: list[tuple], shown: int, accepted: frozenset[int] = ENGLISH) -> list[tuple]:
    """``found`` ((score, address, None) in BM25 order) reordered: other languages
    (``by_language``), then duplicates weighed down; the first ``shown`` as
    (score, address, doc), the rest with their doc if it was read, else None.

    Source copies count DUPLICATE_WEIGHT when the index has their page. Of a
    page's translations (the same path but for its language, and the same
    anchor) one takes the group's best score: the reader's language when it is
    in the window, else the best; the others count DUPLICATE_WEIGHT. Found by an
    English query: the Japanese, German, ... copies of one Debian section
    before the English one (a CJK page's word fields are short, so its Latin
    words score higher) and before the next section. Hits with one link (the
    pieces of a long section) are such a group too: "git config --global
    user.name" showed git-config.html#_variables three times in its first five. The window's other
    documents are read only when one of the first ``shown`` may be a
    duplicate (the extra reads cost ~20 % of a search).
    """
    found = crowded(searcher, by_language(searcher, found, accepted))
    found, rest = found[:WINDOW], found[WINDOW:]
    loaded = [(score, address, searcher.doc(address)) for score, address, _ in found[:shown]]
    if not _may_move(searcher, [doc.get_first("path") or "" for _, _, doc in loaded],
                     [_place(doc) for _, _, doc in loaded], accepted):
        return loaded + found[shown:] + rest  # nothing shown can move down, so nothing can move up
    loaded += [(score, address, searcher.doc(address)) for score, address, _ in found[shown:]]
    best: dict[tuple, tuple[float, int]] = {}  # group -> (its best score, its chosen hit's index)
    keys = []
    for i, (score, _, doc) in enumerate(loaded):
        path = doc.get_first("path") or ""
        key = (unlanguaged(path), *_place(doc))  # one link, in any of its languages
        keys.append(key)
        if key not in best:
            best[key] = (score, i)
        elif _reads(path, accepted) and not _reads(loaded[best[key][1]][2].get_first("path") or "", accepted):
            best[key] = (best[key][0], i)
    out = []
    for i, (score, address, doc) in enumerate(loaded):
        top, chosen = best[keys[i]]
        score = top if chosen == i else score * DUPLICATE_WEIGHT
        page = source_of(doc.get_first("path") or "")
        if page is not None and searcher.doc_freq("path", page):
            score *= DUPLICATE_WEIGHT
        out.append((score, address, doc))
    # With the rest of the window, not apart: weighed down, the Japanese, German, ... copies
    # of one section ("mount nfs") stayed above the rest's better hits in the reader's language.
    out += rest
    out.sort(key=lambda h: -h[0])  # stable: equals keep BM25's order
    return out


def by_language(searcher, found: list[tuple], accepted: frozenset[int]) -> list[tuple]:
    """``found`` with the hits in a language not ``accepted`` at OTHER_LANGUAGE_WEIGHT, resorted."""
    if not found:
        return found
    langs = searcher.fast_field_values("lang", [address for _, address, _ in found])
    if all(lang in accepted or not lang for lang in langs):  # most sites: no path names a language
        return found
    weighed = [(score * OTHER_LANGUAGE_WEIGHT if lang and lang not in accepted else score, address, doc)
               for (score, address, doc), lang in zip(found, langs)]
    weighed.sort(key=lambda h: -h[0])  # stable: equals keep BM25's order
    return weighed


def reads_enough(searcher, hits: list[tuple], accepted: frozenset[int]) -> bool:
    """Whether ``ENOUGH_READ`` of ``hits`` ((score, address), BM25's first) are in the reader's
    languages or name none: else the language pass would have too few to put first."""
    langs = searcher.fast_field_values("lang", [hit[1] for hit in hits])
    return sum(1 for lang in langs if not lang or lang in accepted) >= ENOUGH_READ


def crowded(searcher, found: list[tuple]) -> list[tuple]:
    """``found`` with each file's hits past its first ``CROWD_KEEP`` weighed down, resorted.

    The n-th further hit of a file counts ``CROWD_WEIGHT ** n`` of its score:
    a long page's sections no longer fill the first page ("git stash": all ten
    hits were sections of git-stash.html), while a file far more relevant
    than the rest still shows more of itself. Read from the ``file`` fast
    field, so no stored document is needed.
    """
    if len(found) <= CROWD_KEEP:
        return found
    files = searcher.fast_field_values("file", [address for _, address, _ in found])
    seen: dict[int, int] = {}
    weighed, moved = [], False
    for (score, address, doc), file in zip(found, files):
        n = seen.get(file, 0)
        if file is not None:
            seen[file] = n + 1
        if file is not None and n >= CROWD_KEEP:
            score *= CROWD_WEIGHT ** (n - CROWD_KEEP + 1)
            moved = True
        weighed.append((score, address, doc))
    if moved:
        weighed.sort(key=lambda h: -h[0])  # stable: equals keep their order
    return weighed


def has_languages(searcher, schema) -> bool:
    """Whether any unit's path names a language (else the language pass, and the wider window, are skipped)."""
    query = Query.range_query(schema, "lang", FieldType.Unsigned, NO_LANGUAGE + 1, None)
    return searcher.search(query, limit=1, count=True).count > 0


def _place(doc) -> tuple:
    """Where in its file a hit links to: its anchor, PDF page and subtitle moment."""
    return doc.get_first("anchor"), doc.get_first("page"), doc.get_first("t")


def _may_move(searcher, paths: list[str], places: list[tuple], accepted: frozenset[int]) -> bool:
    """Whether reranking could move any of the shown hits (``paths`` with their
    ``_place``) down: a source copy of a page the index has, a translation
    in a language the reader does not read (theirs may be further down), or two
    hits with one link (in one language or two). Other hits (most, once
    ``by_language`` ran) move nothing, and cost no further reads."""
    groups = set()
    for path, place in zip(paths, places):
        page = source_of(path)
        if page is not None and searcher.doc_freq("path", page):
            return True
        if lang_of(path) is not None and not _reads(path, accepted):
            return True
        key = (unlanguaged(path), *place)
        if key in groups:
            return True
        groups.add(key)
    return False


def _reads(path: str, accepted: frozenset[int]) -> bool:
    """Whether the reader reads the language ``path`` names (None names none: they do)."""
    tag = lang_of(path)
    return tag is None or bool(language_ids([tag[:2]]) & accepted)
