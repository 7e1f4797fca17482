"""Request checks that run before any handler: the request line and framing.

granian (hyper) already rejects most broken HTTP. What reaches us can still
be wrong in ways a proxy in front of us might read differently, so these
rules are strict: a request that two parsers could disagree on is refused and
its connection closed (that is what stops request smuggling).

Each rule is a small pure function returning a ``Problem`` or ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import unquote_to_bytes

# Methods siteseer knows. Anything else that is a valid token is "not
# implemented" (501); anything that is not a token is malformed (400).
KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"}
)
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# In the raw query string a '%' must start a valid escape ("%zz" is broken
# percent-encoding). Not so in the path: granian hands it over decoded, where a
# '%' may be a file name's own ("/50%25%20off.txt" is "/50% off.txt"), and a
# broken escape it passes through as typed, then found by no file (404).
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# An escape of a byte >= 0x80: only then can the decoded query fail to be UTF-8
# ("q=lamp%ff", overlong "%c0%ae"), which parse_qs would turn into U+FFFD silently.
_HIGH_ESCAPE = re.compile(r"%[89A-Fa-f][0-9A-Fa-f]")
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")  # refused in a path (files.resolve.reachable_name follows it)
# granian decodes invalid UTF-8 in the path to U+FFFD: a client that sent
# bytes that are not UTF-8 (overlong "%c0%ae", "%ff") gets a 400.
_REPLACEMENT = "\ufffd"


@dataclass(frozen=True, slots=True)
class Problem:
    status: int
    message: str
    close: bool = False  # close the connection after answering (framing errors)


def check_method(method: str) -> Problem | None:
    if method in KNOWN_METHODS:
        return None
    if _TOKEN.match(method):
        return Problem(501, f"method {method!r} is not implemented")
    return Problem(400, "malformed request method", close=True)


def check_target(path: str, raw_query: str, method: str, max_url_length: int) -> Problem | None:
    """The request target: length, form, encoding."""
    if len(path) + len(raw_query) + 1 > max_url_length:
        return Problem(414, f"the URL is longer than {max_url_length} characters")
    if path == "*":
        return None if method == "OPTIONS" else Problem(400, "asterisk form is only for OPTIONS")
    if not path.startswith("/"):
        return Problem(400, "the path must start with /")
    if CONTROL_CHARS.search(path):
        return Problem(400, "control characters or NUL in the path")
    if _REPLACEMENT in path:
        return Problem(400, "invalid percent-encoding or UTF-8 in the path")
    if raw_query:
        if CONTROL_CHARS.search(raw_query) or "%00" in raw_query:
            return Problem(400, "control characters or NUL in the query string")
        if "%" in raw_query:
            if _BAD_PERCENT.search(raw_query):
                return Problem(400, "invalid percent-encoding in the query string")
            if _HIGH_ESCAPE.search(raw_query) and not _decodes_as_utf8(raw_query):
                return Problem(400, "invalid percent-encoding or UTF-8 in the query string")
    return None


def _decodes_as_utf8(raw_query: str) -> bool:
    """Whether the percent-decoded query string is UTF-8, as the path must be.

    Decoded whole, not split at '&' and '=' first: those (and '+', a space in
    form encoding) are ASCII, which never sits inside a valid multi-byte sequence,
    so the whole is valid exactly when every key and value is.
    """
    try:
        unquote_to_bytes(raw_query).decode("utf-8")
    except UnicodeError:  # also a lone surrogate, which cannot be encoded to look at
        return False
    return True


# RFC 9112 3.2 / RFC 3986 3.2.2: reg-name or IPv4 or [IPv6], then an optional port. The
# name is not empty: an http URI without a host is invalid (RFC 9110 4.2.1), "Host: :80" too.
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(:[0-9]*)?$")


def _all_values(headers: Mapping[str, str], name: str) -> list[str]:
    """Every value sent for ``name``: granian's headers keep repeated fields apart."""
    get_all = getattr(headers, "get_all", None)
    if get_all is not None:
        return list(get_all(name))
    value = headers.get(name)
    return [] if value is None else [value]


def check_framing(headers: Mapping[str, str], http_version: str) -> Problem | None:
    """Body framing and Host: the rules that defeat request smuggling."""
    te_values = _all_values(headers, "transfer-encoding")
    if len(te_values) > 1:  # two lines mean "chunked, chunked": refused like the one-line form
        return Problem(400, "only one 'Transfer-Encoding: chunked' is accepted", close=True)
    hosts = _all_values(headers, "host")
    if len(hosts) > 1 or (hosts and not _HOST.match(hosts[0])):
        return Problem(400, "one valid Host header is required", close=True)
    te = headers.get("transfer-encoding")
    cl = headers.get("content-length")
    if te is not None:
        if te.strip().lower() != "chunked":
            return Problem(400, "only 'Transfer-Encoding: chunked' is accepted", close=True)
        if cl is not None:
            return Problem(400, "Transfer-Encoding together with Content-Length", close=True)
    if cl is not None and not (cl.isascii() and cl.isdigit() and len(cl) <= 18):
        return Problem(400, "invalid Content-Length", close=True)
    if http_version == "1.1" and not headers.get("host"):
        return Problem(400, "HTTP/1.1 requests need a Host header", close=True)
    return None


def check_authority(authority: str) -> Problem | None:
    """The host of an absolute-form target (``GET http://host/path``) or HTTP/2's ``:authority``,
    which stands for Host (RFC 9112 3.2.2), held to Host's rule: ``user:pw@evil.com`` is refused
    (RFC 9110 4.2.4: userinfo is an error), not put into the OpenSearch description's links."""
    if not _HOST.match(authority):
        return Problem(400, "the request's target names no valid host", close=True)
    return None


def check_header_size(headers: Mapping[str, str], max_bytes: int) -> Problem | None:
    """431 for header fields over ``max_bytes`` in all (each counts its name, value, ": " and CRLF).

    granian's own limit is not the configured one: it speaks HTTP/1.1 alone
    (``server.run``), and then buffers up to ~1 MB of headers whatever it is told.
    """
    size = 0
    for name, value in headers.items():
        size += len(name) + len(value) + 4
    if size > max_bytes:
        return Problem(431, f"the request's header fields are over {max_bytes} bytes", close=True)
    return None


def check_request(
    method: str,
    path: str,
    raw_query: str,
    headers: Mapping[str, str],
    http_version: str,
    max_url_length: int,
    max_header_bytes: int | None = None,
    authority: str | None = None,
) -> Problem | None:
    """All the checks, cheapest and most fundamental first (the header size when ``max_header_bytes`` is given)."""
    return (
        (check_header_size(headers, max_header_bytes) if max_header_bytes is not None else None)
        or check_framing(headers, http_version)
        or (check_authority(authority) if authority is not None else None)
        or check_method(method)
        or check_target(path, raw_query, method, max_url_length)
    )
