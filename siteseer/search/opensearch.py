"""OpenSearch: the site's search as browsers add it to their address bar.

A page's ``<link rel="search" type="application/opensearchdescription+xml">``
points a browser at ``DESCRIPTION_PATH``; it then offers "search this site"
from the address bar (Firefox's search menu, Chrome's site search), runs
``/search?q=...`` for it, and completes the words being typed from
``/api/suggest?format=opensearch``, the suggestions extension's
``[query, [completion, ...]]``. The templates are absolute (the spec's
examples are, and Firefox refuses relative ones), so the description is made
per request from the address the browser used: the scheme and the ``Host``
header, which the gatekeeper has already checked against ``validate._HOST``.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

DESCRIPTION_PATH = "/api/opensearch.xml"
DESCRIPTION_TYPE = "application/opensearchdescription+xml"
SUGGESTIONS_TYPE = "application/x-suggestions+json"
SHORT_NAME_CHARS = 16  # the spec's limit for ShortName


def base_url(scheme: str, host: str | None) -> str:
    """``scheme://host``, or "" (relative templates) for a request that named no host (HTTP/1.0)."""
    return f"{scheme}://{host}" if host else ""


def description(site_name: str, base: str) -> bytes:
    """The OpenSearch 1.1 description document of a site named ``site_name`` at ``base``."""
    # XML 1.0 has no control characters, escaped or not: a name with one would make the whole document invalid.
    name = "".join(c if c.isprintable() else " " for c in site_name).strip() or "siteseer"
    short = name if len(name) <= SHORT_NAME_CHARS else name[: SHORT_NAME_CHARS - 1].rstrip() + "…"
    search = quoteattr(f"{base}/search?q={{searchTerms}}")
    suggest = quoteattr(f"{base}/api/suggest?q={{searchTerms}}&format=opensearch")
    me = quoteattr(f"{base}{DESCRIPTION_PATH}")
    icon = escape(f"{base}/_siteseer/favicon.svg")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">\n'
        f"  <ShortName>{escape(short)}</ShortName>\n"
        f"  <Description>{escape(f'Search {name}')}</Description>\n"
        "  <InputEncoding>UTF-8</InputEncoding>\n"
        f'  <Image type="image/svg+xml">{icon}</Image>\n'
        f'  <Url type="text/html" method="get" template={search}/>\n'
        f'  <Url type="{SUGGESTIONS_TYPE}" method="get" template={suggest}/>\n'
        f'  <Url type="{DESCRIPTION_TYPE}" rel="self" template={me}/>\n'
        "</OpenSearchDescription>\n"
    ).encode("utf-8")
