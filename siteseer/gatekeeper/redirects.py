"""Moved resources: redirect rules from the ``[redirects]`` config table.

Two kinds of rule: exact (``"/old/page.html" = "/new/page.html"``) and
prefix (``"/blog/*" = "/posts/*"``: the rest of the path carries over).
Exact rules win; among prefix rules the longest prefix wins. The client's
query string is always kept.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from siteseer.http.locations import join_query


class Redirects:
    def __init__(self, rules: dict[str, str], status: int = 301):
        self.status = status
        self.exact: dict[str, str] = {}
        self.prefixes: list[tuple[str, str]] = []
        for source, target in rules.items():
            if source.endswith("*"):
                self.prefixes.append((source[:-1], target[:-1] if target.endswith("*") else target))
            else:
                self.exact[source] = target
        self.prefixes.sort(key=lambda rule: len(rule[0]), reverse=True)
        self._keeps_rest = {src: rules[src + "*"].endswith("*") for src, _ in self.prefixes}
        # Prefix rules whose target is a path on this site (not "https://…" or
        # "//host/…"): the client's rest of the path must not turn it into another site.
        self._local = {src: not _elsewhere(new) for src, new in self.prefixes}

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes)

    def location(self, path: str, raw_query: str = "") -> str | None:
        """Where ``path`` moved to, or None. ``path`` is percent-decoded."""
        target = self.exact.get(path)
        if target is not None:
            return join_query(_as_written(target), raw_query)
        for prefix, new_prefix in self.prefixes:
            if path.startswith(prefix):
                rest = path[len(prefix):] if self._keeps_rest[prefix] else ""
                # The rest is a decoded path: quoted as path characters, so that "what%3F.html"
                # stays one name (not "what?.html", a query) and "a%2520b" stays "a%20b".
                location = _as_written(new_prefix) + quote(rest, safe=_PATH_SAFE)
                if self._local[prefix] and _elsewhere(location):
                    # "/old/*" = "/*" made "/old//evil.example" a redirect to
                    # "//evil.example" (browsers read "/\\" and "///" alike);
                    # "/old/*" = "*" made "/old/https://evil.example" one.
                    location = "/" + location.lstrip("/\\")
                return join_query(location, raw_query)
        return None


# What a path keeps as it is (RFC 3986 3.3 pchar and "/"): never "?", "#" or "%".
_PATH_SAFE = "/!$&'()*+,;=:@~"


def _as_written(target: str) -> str:
    """A configured target, which may hold a query, a fragment or escapes of its own, with
    anything else that is not ASCII-safe escaped: the Location header stays ASCII."""
    return quote(target, safe="/:?#[]@!$&'()*+,;=%~")


def _elsewhere(location: str) -> bool:
    """Whether a browser reads ``location`` as another site: "//host", "/\\host",
    "\\host" or a scheme ("https:/host" too)."""
    if location.startswith(("//", "/\\", "\\")):
        return True
    try:
        return bool(urlsplit(location).scheme)
    except ValueError:  # "[" where a host would be
        return True
