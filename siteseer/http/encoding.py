"""``Accept-Encoding`` negotiation (RFC 9110 section 12.5.3).

We offer ``br`` and ``gzip``. A coding is acceptable when the client lists it
(or ``*``) with a q-value above 0. The highest q wins; on a tie ``br`` beats
``gzip`` (smaller bodies). ``identity`` wins only when the client lists it
with a higher q than any coding we offer; when nothing is acceptable we still
send the plain body (see ``choose_encoding``).

Browsers send a handful of fixed strings, so results are memoised: the parse
runs once per distinct header value, not once per request.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["SUPPORTED_ENCODINGS", "choose_encoding", "parse_accept_encoding"]

# In order of preference.
SUPPORTED_ENCODINGS: tuple[str, ...] = ("br", "gzip")
_ALIASES = {"x-gzip": "gzip"}
_MAX_HEADER_CHARS = 1024


def parse_accept_encoding(header: str) -> dict[str, float]:
    """``{coding: q}`` for a header value; malformed q-values count as 0 (not acceptable)."""
    result: dict[str, float] = {}
    for item in header.split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        name = _ALIASES.get(name, name)
        q = 1.0
        for param in params.split(";"):
            key, eq, value = param.partition("=")
            if eq and key.strip().lower() == "q":
                q = _qvalue(value.strip())
        # A coding listed twice keeps its highest weight.
        if q > result.get(name, -1.0):
            result[name] = q
    return result


def _qvalue(text: str) -> float:
    """RFC 9110 qvalue: 0-1 with at most three decimals; anything else is 0."""
    if not text or len(text) > 5 or not text.isascii():
        return 0.0
    try:
        q = float(text)
    except ValueError:
        return 0.0
    return q if 0.0 <= q <= 1.0 else 0.0


@lru_cache(maxsize=256)
def _choose(header: str, available: tuple[str, ...]) -> str | None:
    weights = parse_accept_encoding(header)
    star = weights.get("*")
    # identity competes only when the client ranks it explicitly: a bare
    # "gzip;q=0.5" still means "gzip, please".
    identity_q = weights.get("identity", 0.0)
    best: str | None = None
    best_q = 0.0
    for coding in available:
        q = weights.get(coding, 0.0 if star is None else star)
        if q > best_q:
            best, best_q = coding, q
    if best is None or best_q < identity_q:
        # When even identity is refused the RFC allows 406, but sending the
        # plain file is more useful than an error page.
        return None
    return best


def choose_encoding(header: str | None, available: tuple[str, ...] = SUPPORTED_ENCODINGS) -> str | None:
    """The coding to send (``"br"``, ``"gzip"``), or ``None`` for the plain body.

    No header means "no preference", but many old clients send none and
    cannot decode, so we send the plain body, like every mainstream server.
    """
    if not header or len(header) > _MAX_HEADER_CHARS:
        return None
    return _choose(header, available)
