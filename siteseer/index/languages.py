"""The language a path says its page is in, as the index records it.

Multilingual manuals put each translation in a language folder ("de-DE/",
"pt-BR/", "fr/") or give it a second extension ("ch02.en.html",
"guide.zh_CN.pdf"). The indexer stores the language of each unit as a
number in the fast field ``lang`` (``language_id``), so the ranking can weigh
a hundred hits by language without reading a stored document.
"""

from __future__ import annotations

import functools
import re

# ISO 639-1 codes a path is read for. Their order gives the ids the index
# stores: append only, or bump schema.SCHEMA_VERSION.
LANGUAGES = ("ar bg ca cs da de el en eo es et eu fa fi fr gl he hi hr hu id it ja ko lt lv ms nb nl nn pl pt "
             "ro ru sk sl sr sv th tr uk vi zh").split()
NO_LANGUAGE = 0  # the path names none
_IDS = {code: i for i, code in enumerate(LANGUAGES, 1)}
_LANG = re.compile(rf"(?:(?<=/)|^)(?:{'|'.join(LANGUAGES)})(?:[-_][A-Za-z]{{2}})?(?=/)"
                   rf"|\.(?:{'|'.join(LANGUAGES)})(?:[-_][A-Za-z]{{2}})?(?=\.[A-Za-z0-9]+$)")


@functools.lru_cache(maxsize=8192)  # pure, and hits' paths recur
def lang_of(path: str) -> str | None:
    """The language tag in ``path`` as written ("de-DE", "en", "zh_CN"), or None."""
    m = _LANG.search(path)
    return m.group().strip(".") if m else None


@functools.lru_cache(maxsize=8192)
def unlanguaged(path: str) -> str:
    """``path`` without its language: what a page's translations have in common."""
    return _LANG.sub("", path)


def language_id(path: str) -> int:
    """The ``lang`` the index records for ``path``: its language's id, else NO_LANGUAGE."""
    tag = lang_of(path)
    return NO_LANGUAGE if tag is None else _IDS[tag[:2]]


def language_ids(codes) -> frozenset[int]:
    """The ids of ISO 639-1 ``codes`` (others are skipped: a path never names them)."""
    return frozenset(_IDS[c] for c in codes if c in _IDS)
