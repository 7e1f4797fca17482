"""``Accept-Language`` (RFC 9110 section 12.5.4): the languages a reader reads.

Only the primary subtags matter here ("de-DE" and "de-AT" are "de"): search
uses them to put pages in the reader's languages before other translations.
Browsers send a handful of fixed strings, so the parse is memoised.
"""

from __future__ import annotations

from functools import lru_cache

from .encoding import parse_accept_encoding

__all__ = ["accepted_languages"]

_MAX_HEADER_CHARS = 1024


@lru_cache(maxsize=256)
def accepted_languages(header: str | None) -> tuple[str, ...]:
    """The primary subtags of ``header`` with a q-value above 0, most wanted first ("*" is skipped)."""
    if not header or len(header) > _MAX_HEADER_CHARS:
        return ()
    weights: dict[str, float] = {}
    for tag, q in parse_accept_encoding(header).items():  # the same "token;q=0.5" list syntax
        primary = tag.split("-")[0].split("_")[0]
        if q > 0 and primary.isalpha() and primary != "*" and q > weights.get(primary, 0.0):
            weights[primary] = q
    return tuple(sorted(weights, key=lambda t: -weights[t]))  # stable: equal weights keep their order
