"""Validators and conditional requests (RFC 9110 sections 8.8 and 13).

A file's ETag is made from its size and modification time in nanoseconds, so
it costs one ``stat`` and no read. It is a *strong* validator: for a given
(size, mtime_ns) the bytes we send are always the same. Each compressed
encoding is a different representation with different bytes, so it gets its
own ETag (``"...-br"``) - otherwise a cache could mix a gzip body with a
range of the identity body.

Evaluation order follows RFC 9110 section 13.2.2: ``If-Match``, then
``If-Unmodified-Since`` (only without ``If-Match``), then ``If-None-Match``,
then ``If-Modified-Since`` (only without ``If-None-Match``), then ``If-Range``.
"""

from __future__ import annotations

from siteseer.http.dates import parse_http_date

__all__ = [
    "make_etag",
    "variant_etag",
    "not_modified_headers",
    "parse_etag_list",
    "etag_matches_weak",
    "etag_matches_strong",
    "is_not_modified",
    "is_precondition_failed",
    "if_range_allows_range",
]


def make_etag(size: int, mtime_ns: int, encoding: str | None = None) -> str:
    """A strong ETag (with quotes) for a file; ``encoding`` marks a compressed variant."""
    etag = f'"{mtime_ns:x}-{size:x}"'
    return variant_etag(etag, encoding) if encoding else etag


def variant_etag(etag: str, encoding: str) -> str:
    """The ETag of ``etag``'s representation compressed with ``encoding``: ``"x"`` → ``"x-gzip"``.

    RFC 9110 8.8.3: two encodings are two representations, and one strong tag
    for both would let a cache answer a range of one from the other. Used for
    files and for the app answers the core compresses (whose tags it cannot mint).
    """
    if etag.endswith('"'):
        return f"{etag[:-1]}-{encoding}\""
    return etag  # not a valid tag: left as the app sent it


# RFC 9110 15.4.5: what a 304 carries (the rest would describe a body it has not).
_NOT_MODIFIED_FIELDS = frozenset({"cache-control", "content-location", "date", "etag", "expires", "vary"})


def not_modified_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The fields of a 200's ``headers`` that its ``304 Not Modified`` must repeat."""
    return [(k, v) for k, v in headers if k.lower() in _NOT_MODIFIED_FIELDS]


def parse_etag_list(header: str) -> list[str] | None:
    """The entity tags of an ``If-Match``/``If-None-Match`` value.

    ``None`` stands for ``*``. Tags keep their quotes and ``W/`` prefix.
    Malformed members are skipped rather than failing the whole header, like
    nginx does; a commas-inside-quotes tag is handled because ``"`` delimits.
    """
    header = header.strip()
    if header == "*":
        return None
    tags: list[str] = []
    i, n = 0, len(header)
    while i < n:
        while i < n and header[i] in " \t,":
            i += 1
        if i >= n:
            break
        start = i
        if header.startswith("W/", i):
            i += 2
        if i < n and header[i] == '"':
            close = header.find('"', i + 1)
            if close == -1:
                break  # unterminated: ignore the rest
            tags.append(header[start:close + 1])
            i = close + 1
        else:
            # Not a quoted tag: skip this member.
            comma = header.find(",", i)
            i = n if comma == -1 else comma + 1
    return tags


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def etag_matches_weak(header: str, etag: str) -> bool:
    """``If-None-Match``: weak comparison (``W/`` ignored), ``*`` matches any current file."""
    if header == etag:  # the common case: the browser echoes our ETag
        return True
    tags = parse_etag_list(header)
    if tags is None:
        return True
    etag = _opaque(etag)
    return any(_opaque(tag) == etag for tag in tags)


def etag_matches_strong(header: str, etag: str) -> bool:
    """``If-Match``: strong comparison - weak tags never match."""
    tags = parse_etag_list(header)
    if tags is None:
        return True
    if etag.startswith("W/"):
        return False
    return etag in tags


def is_not_modified(
    if_none_match: str | None,
    if_modified_since: str | None,
    etag: str,
    last_modified: str,
    mtime: int,
) -> bool:
    """Whether a GET/HEAD may be answered ``304 Not Modified``.

    ``If-Modified-Since`` counts only when there is no ``If-None-Match``: the
    ETag is the more precise validator (sub-second changes, same-size edits).
    ``last_modified`` is our own header value: an exact echo needs no parsing.
    """
    if if_none_match is not None:
        return etag_matches_weak(if_none_match, etag)
    if if_modified_since is not None:
        if if_modified_since == last_modified:
            return True
        since = parse_http_date(if_modified_since)
        return since is not None and mtime <= since
    return False


def is_precondition_failed(
    if_match: str | None,
    if_unmodified_since: str | None,
    etag: str | tuple[str, ...],
    mtime: int,
) -> bool:
    """Whether ``If-Match`` / ``If-Unmodified-Since`` ask for a ``412 Precondition Failed``.

    ``etag`` may be several tags that all stand for the current version: the
    tag of the representation this request would get (for a client that
    accepts gzip, the gzip variant's: the tag it was sent and echoes back)
    and the file's own. ``If-Match`` passes when it names any of them.
    """
    if if_match is not None:
        if isinstance(etag, str):
            return not etag_matches_strong(if_match, etag)
        return not any(etag_matches_strong(if_match, tag) for tag in etag)
    if if_unmodified_since is not None:
        since = parse_http_date(if_unmodified_since)
        return since is not None and mtime > since
    return False


def if_range_allows_range(if_range: str | None, etag: str, last_modified: str) -> bool:
    """Whether the ``Range`` header may be honoured given ``If-Range``.

    ``If-Range`` holds one validator: an entity tag (strong comparison: a weak
    tag never matches) or a date, which must equal Last-Modified exactly -
    anything else means the client's copy is stale, so it gets the whole file.
    """
    if if_range is None:
        return True
    if_range = if_range.strip()
    if if_range.startswith('"'):
        return if_range == etag
    if if_range.startswith("W/"):
        return False
    if if_range == last_modified:
        return True
    since = parse_http_date(if_range)
    return since is not None and since == parse_http_date(last_modified)
