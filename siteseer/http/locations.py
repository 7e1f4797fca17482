"""Location headers: where a redirect sends the client, with its query string kept."""

from __future__ import annotations

import re
from urllib.parse import quote

# Bytes a raw query may hold that a Location header must not: granian hands over
# a query sent as raw UTF-8 ("?q=é") as it came.
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def join_query(location: str, raw_query: str) -> str:
    """``location`` with the client's query string kept (merged if it has one)."""
    if not raw_query:
        return location
    raw_query = _NOT_ASCII.sub(lambda m: quote(m.group(), safe=""), raw_query)
    fragment = ""
    if "#" in location:
        location, fragment = location.split("#", 1)
        fragment = "#" + fragment
    separator = "&" if "?" in location else "?"
    return f"{location}{separator}{raw_query}{fragment}"
