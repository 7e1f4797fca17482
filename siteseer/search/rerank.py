"""Ranking after BM25: duplicates of a page weigh less.

Over the first ``WINDOW`` hits, a copy of a page that the folder also has as
HTML, and the other languages of a page (after the best one), count
``DUPLICATE_WEIGHT`` of their score. Hits past the window keep BM25's
order, so paging never repeats or loses one. Measured on 40 judged corpus
queries (tests/search/ranking_judged.py), wanted hit at rank 1 / top 3 /
MRR: 8 / 21 / 0.394 without, 12 / 23 / 0.484 with.
"""

from __future__ import annotations

import functools
import re

WINDOW = 20  # hits reranked (0: none)
DUPLICATE_WEIGHT = 0.3
# A Sphinx source copy (``_sources/library/json.rst.txt`` of ``library/json.html``)
# or a text source beside its page (asciidoc's ``git-stash.txt`` of ``git-stash.html``).
_SOURCE_COPY = re.compile(r"^(?:(?P<root>.*/)?_sources/(?P<rel>.+?)(?:\.(?:rst|md|txt))?|(?P<page>.+))\.txt$")
# A language in a path: a folder ("de-DE/", "pt-BR/", "fr/") or a second
# extension ("ch02.en.html", "guide.zh_CN.pdf"); ISO 639-1 codes only.
_LANGS = ("ar bg ca cs da de el en eo es et eu fa fi fr gl he hi hr hu id it ja ko lt lv ms nb nl nn pl pt "
          "ro ru sk sl sr sv th tr uk vi zh").split()
_LANG = re.compile(rf"(?:(?<=/)|^)(?:{'|'.join(_LANGS)})(?:[-_][A-Za-z]{{2}})?(?=/)"
                   rf"|\.(?:{'|'.join(_LANGS)})(?:[-_][A-Za-z]{{2}})?(?=\.[A-Za-z0-9]+$)")


@functools.lru_cache(maxsize=8192)  # pure, and hits' paths recur: the regexes cost ~5 us a path
def source_of(path: str) -> str | None:
    """The HTML page that ``path`` may be the source copy of, or None."""
    m = _SOURCE_COPY.match(path)
    if m is None:
        return None
    if m.group("page"):
        return m.group("page") + ".html"
    return (m.group("root") or "") + m.group("rel") + ".html"


def reranked(searcher, found: list[tuple], shown: int) -> list[tuple]:
    """``found`` ((score, address, None) in BM25 order) as (score, address, doc), duplicates weighed down.

    Source copies count DUPLICATE_WEIGHT when the index has their page. Of a
    page's translations (the same path but for its language, and the same
    anchor) one takes the group's best score: the English one when it is in
    the window, else the best; the others count DUPLICATE_WEIGHT. Found by an
    English query: the Japanese, German, ... copies of one Debian section
    before the English one (a CJK page's word fields are short, so its Latin
    words score higher) and before the next section. The window's other
    documents are read only when one of the first ``shown`` may be a
    duplicate (the extra reads cost ~20 % of a search).
    """
    loaded = [(score, address, searcher.doc(address)) for score, address, _ in found[:shown]]
    if not _may_move(searcher, [doc.get_first("path") or "" for _, _, doc in loaded],
                     [(doc.get_first("anchor"), doc.get_first("page")) for _, _, doc in loaded]):
        return loaded + found[shown:]  # nothing shown can move down, so nothing can move up
    loaded += [(score, address, searcher.doc(address)) for score, address, _ in found[shown:]]
    best: dict[tuple, tuple[float, int]] = {}  # group -> (its best score, its chosen hit's index)
    keys = []
    for i, (score, _, doc) in enumerate(loaded):
        path = doc.get_first("path") or ""
        key = (_unlanguaged(path), doc.get_first("anchor"), doc.get_first("page"))
        keys.append(key if key[0] != path else None)
        if keys[-1] is None:
            continue
        if key not in best:
            best[key] = (score, i)
        elif lang_of(path) in _ENGLISH and lang_of(loaded[best[key][1]][2].get_first("path")) not in _ENGLISH:
            best[key] = (best[key][0], i)
    out = []
    for i, (score, address, doc) in enumerate(loaded):
        key = keys[i]
        if key is not None:
            top, chosen = best[key]
            score = top if chosen == i else score * DUPLICATE_WEIGHT
        page = source_of(doc.get_first("path") or "")
        if page is not None and searcher.doc_freq("path", page):
            score *= DUPLICATE_WEIGHT
        out.append((score, address, doc))
    out.sort(key=lambda h: -h[0])  # stable: equals keep BM25's order
    return out


def _may_move(searcher, paths: list[str], places: list[tuple]) -> bool:
    """Whether reranking could move any of the shown hits (``paths`` with their
    (anchor, page)) down: a source copy of a page the index has, a translation
    but for English (its English one may be further down), or two of one
    page's translations. English pages alone (most hits of an English query
    in a translated manual) move nothing, and cost no further reads."""
    groups = set()
    for path, place in zip(paths, places):
        page = source_of(path)
        if page is not None and searcher.doc_freq("path", page):
            return True
        lang = lang_of(path)
        if lang is None:
            continue
        if lang not in _ENGLISH:
            return True
        key = (_unlanguaged(path), *place)
        if key in groups:
            return True
        groups.add(key)
    return False


@functools.lru_cache(maxsize=8192)
def _unlanguaged(path: str) -> str:
    """``path`` without its language: what a page's translations have in common."""
    return _LANG.sub("", path)


_ENGLISH = frozenset(("en", "en-US", "en_US", "en-GB", "en_GB"))


@functools.lru_cache(maxsize=8192)
def lang_of(path: str) -> str | None:
    m = _LANG.search(path)
    return m.group().strip(".") if m else None
