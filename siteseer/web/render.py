"""The pages a person sees, built as Dash components from plain data.

Everything here is a pure function of (site, search service, URL): no Dash
app, no Flask request. ``render_url`` is the router: the layout function
(first load) and the navigation callback (later moves) both call it, so a
page looks the same however it was reached.

Text from documents, queries and paths only ever becomes component
*children* or attribute values; React escapes it. Nothing here uses
``dangerously_set_inner_html`` or builds HTML strings.
"""

from __future__ import annotations

import datetime
import inspect
import logging
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qs, quote, unquote, urlencode

import flask
from dash import dcc, html

from siteseer.files.nearby import near_files
from siteseer.index.languages import lang_of
from siteseer.http.dates import MONTHS
from siteseer.http.languages import accepted_languages
from siteseer.search.errors import QueryError
from siteseer.search.query import clean, normalize_type, type_words
from siteseer.search.service import MAX_RESULTS
from siteseer.search.snippets import ELLIPSIS

log = logging.getLogger("siteseer.web")

MAX_PAGE_LINKS = 7  # page numbers shown in the pagination bar
NOT_FOUND_HITS = 5
MAX_PATH_WORDS = 12
_EXT_RE = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_WORD_SPLIT_RE = re.compile(r"[\W_]+", re.UNICODE)


def _query_error_types() -> tuple[type[BaseException], ...]:
    """``siteseer.search.errors.QueryError`` when it exists, plus any class
    named ``QueryError`` (test stand-ins); imported lazily so this module works
    before the search package is written."""
    try:
        from siteseer.search.errors import QueryError  # type: ignore

        return (QueryError,)
    except Exception:  # pragma: no cover - depends on the search package
        return ()


def _is_query_error(exc: BaseException) -> bool:
    if isinstance(exc, _query_error_types()):
        return True
    return any(cls.__name__ == "QueryError" for cls in type(exc).__mro__)


@dataclass
class Site:
    """What the renderer needs to know about the site."""

    name: str
    search: Any  # the SearchService contract
    per_page: int = 10
    max_query_chars: int = 1000
    max_url_length: int = 8192  # as the server's: the page callback takes a URL too
    root: str | None = None  # the served folder, for the 404 page's files of a close name
    private: Any = None  # its PrivatePaths
    # path -> UserPage, filled by load_user_pages
    user_pages: dict[str, Any] = field(default_factory=dict)


@dataclass
class Rendered:
    """A page: its components and its document title."""

    title: str
    children: Any
    status: int = 200


# --------------------------------------------------------------------------
# URLs


def parse_query(raw_query: str) -> dict[str, str]:
    """First value of each parameter (``?q=a&q=b`` → ``a``)."""
    parsed = parse_qs(raw_query.lstrip("?"), keep_blank_values=True)
    return {key: values[0] for key, values in parsed.items() if values}


def last_page(per_page: int) -> int:
    """The deepest page the search service answers at ``per_page`` hits a page.

    The service refuses pages past its ``MAX_RESULTS``th hit ("page must be
    between 1 and 100"), so a link or a clamp past this page only leads to that
    error. Counted as ``SearchService._check_paging`` counts it.
    """
    return max(1, MAX_RESULTS // per_page) if per_page > 0 else 1


def type_view(q: str, type_: str | None) -> tuple[str, str | None]:
    """``q`` without its ``type:`` words, and the one type the results are of.

    The type is what the search service narrows to: the ``type=`` parameter,
    which replaces the query's own ``type:pdf`` words, else those (aliases and
    case as the service reads them); ``""`` for every type; None when no one
    type says it (``type:pdf type:html``, ``-type:pdf``).
    The type tabs link to the query without its ``type:`` words, so a tab is
    exactly the results it counts, never a mix of its type and the query's.
    A query that is only ``type:`` words becomes ``*`` (everything).
    """
    text = clean(q)
    kept: list[str] = []
    kinds: set[str] = set()
    excluded = False
    pos = 0
    try:
        for (start, end), value, negated in type_words(text):
            if negated:
                excluded = True
            else:
                kinds.add(normalize_type(value))  # type: ignore[arg-type]
            kept.append(text[pos:start])
            pos = end
        asked = normalize_type(type_)
    except QueryError:  # an unknown type: the search says so, no tabs are shown
        return q, None
    kept.append(text[pos:])
    base = " ".join("".join(kept).split()) or "*"
    if asked:
        return base, asked
    if excluded or len(kinds) > 1:
        return base, None
    return base, next(iter(kinds), "")


def _same_type(name: str, kind: str | None) -> bool:
    """Whether facet ``name`` is the type ``kind`` (facet names may be aliases)."""
    try:
        return kind is not None and normalize_type(name) == kind
    except QueryError:
        return name == kind


def search_href(q: str, page: int = 1, type_: str | None = None) -> str:
    params: list[tuple[str, str]] = [("q", q)]
    if type_:
        params.append(("type", type_))
    if page > 1:
        params.append(("page", str(page)))
    return "/search?" + urlencode(params)


def safe_href(url: Any) -> str | None:
    """A hit's URL if it is a site path or http(s) URL; None otherwise."""
    if not isinstance(url, str) or not url:
        return None
    if url.startswith("/") and not url.startswith("//") and not url.startswith("/\\"):
        return url
    lowered = url.lower()
    if lowered.startswith("http://") or lowered.startswith("https://"):
        return url
    return None


def words_from_path(path: str) -> str:
    """``/docs/instal-guide.htm`` → ``docs instal guide``."""
    segments = [s for s in path.split("/") if s]
    if segments:
        segments[-1] = _EXT_RE.sub("", segments[-1]) or segments[-1]
    words: list[str] = []
    for segment in segments:
        words.extend(w for w in _WORD_SPLIT_RE.split(segment) if w)
    return " ".join(words[:MAX_PATH_WORDS])


# --------------------------------------------------------------------------
# Small pieces


def highlighted(text: str, ranges: Any) -> list[Any]:
    """``text`` split into plain strings and ``html.Mark`` pieces.

    ``ranges`` are ``[start, end)`` str indices; bad, overlapping or
    out-of-range ones are clamped, merged or dropped, never trusted.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    spans: list[tuple[int, int]] = []
    for item in ranges or []:
        try:
            start, end = int(item[0]), int(item[1])
        except (TypeError, ValueError, IndexError):
            continue
        start, end = max(0, start), min(len(text), end)
        if start < end:
            spans.append((start, end))
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces: list[Any] = []
    pos = 0
    for start, end in merged:
        if start > pos:
            pieces.append(text[pos:start])
        pieces.append(html.Mark(text[start:end]))
        pos = end
    if pos < len(text):
        pieces.append(text[pos:])
    return pieces


def format_time(seconds: Any) -> str:
    """93 → ``1:33``; 3723 → ``1:02:03``."""
    try:
        total = max(0, int(float(seconds)))
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def format_date(iso: Any) -> str | None:
    """A hit's ``modified`` (``2026-12-07T01:44:13Z``) as ``7 Dec 2026``: the same in every
    reader's locale, with no month and day to mix up; None for anything else."""
    try:
        when = datetime.datetime.strptime(str(iso), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def deep_link_label(hit: dict) -> str | None:
    """"page 3", "1:33" or "section" for a hit's deep link.

    A section's name is its hit's title (its heading): words made of its
    anchor said it again, or something else ("section: git urls a id urls a",
    "DEFINING TRACE POINTS" under "28.5.4 Defining New Probes").
    """
    if hit.get("page") is not None:
        return f"page {hit['page']}"
    if hit.get("t") is not None:
        label = format_time(hit["t"])
        return label or None
    return "section" if hit.get("anchor") else None


def _count(n: Any) -> str:
    try:
        return f"{int(n):,}"
    except (TypeError, ValueError):
        return "0"


def _plural(n: Any, word: str) -> str:
    try:
        one = int(n) == 1
    except (TypeError, ValueError):
        one = False
    return f"{_count(n)} {word}{'' if one else 's'}"


def search_form(q: str = "", *, big: bool = False, autofocus: bool = False, max_chars: int = 1000) -> Any:
    """The one search box: an input (Enter submits), a button, suggestions."""
    return html.Div(
        [
            html.Label("Search", htmlFor="q", className="visually-hidden"),
            dcc.Input(
                id="q",
                type="search",
                value=q,
                placeholder="Search",
                autoFocus=autofocus,
                autoComplete="off",
                spellCheck="false",
                maxLength=max_chars,
                # No dcc debounce: with one, dcc.Input (Dash 4) can move the
                # caret while someone types fast. The suggestions are debounced
                # in assets/siteseer.js (siteseer.pause) instead.
                debounce=False,
                list="q-suggest",
                className="search-input",
                n_submit=0,
            ),
            html.Datalist(id="q-suggest", children=[]),
            html.Data(id="q-prefix"),
            html.Button("Search", id="q-go", n_clicks=0, className="search-button", type="button"),
        ],
        role="search",
        className="search-form big" if big else "search-form",
    )


def header(site: Site, q: str = "") -> Any:
    return html.Header(
        [
            dcc.Link(site.name, href="/", className="site-name"),
            search_form(q, max_chars=site.max_query_chars),
        ],
        className="top-bar",
    )


# An index an older siteseer made is not searched (IndexHandle): the server's indexer rebuilds it, unless
# it was started with --no-index.
OUTDATED = ("The search index was made by an older version of siteseer and is not searched: "
            "it is rebuilt when the server indexes the folder (siteseer index DIR, or siteseer serve without --no-index).")


UNREADABLE = "The search index cannot be read right now; the log says why. Files are still served."


def index_note(status: dict | None) -> Any:
    status = status or {}
    documents = status.get("documents", 0)
    text = f"{_plural(documents, 'document')} indexed"
    if status.get("indexing"):
        text = f"Indexing… {_plural(documents, 'document')} so far"
    elif status.get("outdated"):
        text = OUTDATED
    elif status.get("unreadable"):
        text = UNREADABLE
    return html.P(text, className="index-note", role="status")


# --------------------------------------------------------------------------
# Pages


def home_page(site: Site) -> Rendered:
    try:
        status = site.search.status()
    except Exception:  # the index may not be open yet
        log.exception("search status failed")
        status = {"documents": 0, "indexing": True}
    body = html.Main(
        [
            html.H1(site.name, className="home-title"),
            search_form("", big=True, autofocus=True, max_chars=site.max_query_chars),
            index_note(status),
        ],
        className="home",
        id="main",
    )
    return Rendered(site.name, body)


# Kinds whose page shows the text the snippet was cut from: a link into it can
# carry a text fragment. Markdown and JSON are shown raw (``**bold**``, quotes),
# so context around the marked words would not match what is on the page.
_FRAGMENT_CONTEXT = {"html": True, "text": True, "markdown": False, "json": False}
_SENTENCE_ENDS = (".", "!", "?", ":", ";")


def text_fragment(snippet: Any, context: bool = True) -> str:
    """``#:~:text=…`` for the snippet's first marked words: the browser scrolls to them and marks them.

    A word beside the mark (before it, else after) points at the place the
    snippet shows, not an earlier mention (in a menu, say). A fragment that matches nothing
    (the words cross a heading's edge, say) leaves the page at its top, where
    it opened before; so it is never added to a link with an anchor, which
    it would override (a section's link keeps its ``#id``). "" when nothing is marked.
    """
    if not isinstance(snippet, dict):
        return ""
    text, highlights = snippet.get("text"), snippet.get("highlights")
    try:
        start, end = (int(n) for n in highlights[0])
    except (TypeError, ValueError, IndexError, KeyError):
        return ""
    if not isinstance(text, str) or not 0 <= start < end <= len(text):
        return ""
    marked = " ".join(text[start:end].split())
    if not marked:
        return ""
    before = after = ""
    # One word beside the mark, from its own sentence: a browser matches no context across
    # a block's or a line's edge, and the snippet no longer shows where those were. Only
    # across a space: a mark inside a run of text (CJK) has no word beside it.
    if context and text[start - 1 : start].isspace():
        before = "".join(text[:start].rpartition(ELLIPSIS)[2].split()[-1:])
        before = "" if before.endswith(_SENTENCE_ENDS) else before
    if context and not before and text[end : end + 1].isspace() and not marked.endswith(_SENTENCE_ENDS):
        after = "".join(text[end:].partition(ELLIPSIS)[0].split()[:1])
    term = (_term(before) + "-," if before else "") + _term(marked)
    return "#:~:text=" + term + (",-" + _term(after) if after else "")


def _term(words: str) -> str:
    """A text fragment's term: "-", "," and "&" are its syntax, so they are encoded too."""
    return quote(words, safe="").replace("-", "%2D")


_RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv"})


def _hit(hit: dict, heading_tag=html.H2) -> Any:
    title = hit.get("title") or hit.get("path") or hit.get("url") or "Untitled"
    href = safe_href(hit.get("url"))
    context = _FRAGMENT_CONTEXT.get(str(hit.get("type")))
    if href and "#" not in href and context is not None:
        href += text_fragment(hit.get("snippet"), context)
    # dir="auto": a title or snippet in Arabic or Hebrew reads right to left,
    # its punctuation at its own end, in a page that is left to right. On the
    # heading, not the link in it: an inline element's direction did not align it.
    # A page whose path names a right-to-left language is that, whatever its first
    # letter: "B.4.2. نظم الملفات" began with a Latin B, and was drawn left to right.
    direction = "rtl" if (lang_of(str(hit.get("path") or "")) or "")[:2] in _RIGHT_TO_LEFT else "auto"
    heading = html.A(str(title), href=href, className="hit-link") if href else html.Span(str(title))
    meta: list[Any] = [html.Span(str(hit.get("path") or ""), className="hit-path")]
    if hit.get("type"):
        meta.append(html.Span(str(hit["type"]).upper(), className="hit-type"))
    modified = format_date(hit.get("modified"))
    if modified:  # the date after: and before: filter on
        meta.append(html.Time(modified, dateTime=str(hit["modified"]), className="hit-date", title="Last modified"))
    label = deep_link_label(hit)
    if label:
        meta.append(html.Span(label, className="hit-deep"))
    snippet = hit.get("snippet") or {}
    # A section's page, above its heading as a search engine shows the site: "NAME" alone says little.
    page_title = hit.get("page_title")
    above = [html.Div(str(page_title), className="hit-page", dir=direction)] if page_title else []
    return html.Li(
        [
            *above,
            heading_tag(heading, className="hit-title", dir=direction),
            html.Div(meta, className="hit-meta"),
            html.P(highlighted(snippet.get("text", ""), snippet.get("highlights")), className="hit-snippet", dir=direction),
        ],
        className="hit",
    )


def hit_list(hits: list[dict], heading_tag=html.H2) -> Any:
    """The hits, each titled by a ``heading_tag`` (an H3 under a page's own H2)."""
    return html.Ol([_hit(h, heading_tag) for h in hits if isinstance(h, dict)], className="hits", id="hits")


def _facets(q: str, type_: str | None, result: dict) -> Any:
    facets = {str(k): v for k, v in (result.get("facets") or {}).items() if isinstance(v, int) and v > 0}
    if not facets:
        return None
    base, shown = type_view(q, type_)

    def item(label: str, count: int, href: str, current: bool) -> Any:
        children = [label, " ", html.Span(f"({_count(count)})", className="count")]
        if current:  # the shown filter is not a link (dcc.Link takes no aria-*)
            return html.Span(children, className="facet current", **{"aria-current": "true"})
        return dcc.Link(children, href=href, className="facet")

    items = [item("All", sum(facets.values()), search_href(base), shown == "")]
    for name, count in sorted(facets.items(), key=lambda kv: (-kv[1], kv[0])):
        items.append(item(name.upper(), count, search_href(base, type_=name), _same_type(name, shown)))
    if shown and not any(_same_type(name, shown) for name in facets):
        items.append(html.Span([shown.upper(), " ", html.Span("(0)", className="count")], className="facet current", **{"aria-current": "true"}))
    return html.Nav(items, className="facets", **{"aria-label": "Filter by file type"})


def _pagination(q: str, type_: str | None, page: int, total: int, per_page: int) -> Any:
    pages = min(last_page(per_page), math.ceil(total / per_page)) if per_page > 0 else 1
    if pages <= 1:
        return None
    first = max(1, min(page - MAX_PAGE_LINKS // 2, pages - MAX_PAGE_LINKS + 1))
    last = min(pages, first + MAX_PAGE_LINKS - 1)
    items: list[Any] = []
    if page > 1:
        items.append(dcc.Link("‹ Previous", href=search_href(q, page - 1, type_), className="page-link prev", id="page-prev"))
    for n in range(first, last + 1):
        if n == page:
            items.append(html.Span(str(n), className="page-link current", **{"aria-current": "page"}))
        else:
            items.append(dcc.Link(str(n), href=search_href(q, n, type_), className="page-link", title=f"Page {n}"))
    if page < pages:
        items.append(dcc.Link("Next ›", href=search_href(q, page + 1, type_), className="page-link next", id="page-next"))
    return html.Nav(items, className="pagination", **{"aria-label": "Result pages"})


def _did_you_mean(suggestion: Any, type_: str | None) -> Any:
    if not suggestion or not isinstance(suggestion, str):
        return None
    return html.P(
        ["Did you mean ", dcc.Link(suggestion, href=search_href(suggestion, type_=type_), className="suggestion"), "?"],
        className="did-you-mean",
    )


def _showing_results_for(result: dict, type_: str | None) -> Any:
    """Words no page has were respelled to find these: say so, and offer the words as typed."""
    corrected = result.get("corrected")
    if not corrected or not isinstance(corrected, str):
        return None
    parts: list[Any] = ["Showing results for ", html.Strong(corrected), "."]
    as_typed = result.get("as_typed")
    if as_typed and isinstance(as_typed, str):
        parts += [" Search instead for ", dcc.Link(as_typed, href=search_href(as_typed, type_=type_), className="as-typed"), "."]
    return html.P(parts, className="did-you-mean corrected")


def _no_results(q: str, type_: str | None, result: dict) -> Any:
    tips: list[Any] = [
        html.Li("Check the spelling of the words."),
        html.Li("Try fewer or more general words."),
        html.Li("Search for part of a file name, like report or 2024."),
        html.Li(["Allow either word with OR (", html.Code("lamp OR lantern"), "), or words that start alike with * (",
                 html.Code("light*"), ")."]),
    ]
    base, shown = type_view(q, type_)
    if shown:
        tips.insert(0, html.Li(["Search ", dcc.Link("all file types", href=search_href(base)), " instead of only ", shown.upper(), "."]))
    index = result.get("index") or {}
    if index.get("indexing"):
        tips.append(html.Li("The folder is still being indexed; more documents will appear soon."))
    elif index.get("outdated"):
        tips.append(html.Li(OUTDATED))
    elif index.get("unreadable"):
        tips.append(html.Li(UNREADABLE))
    return html.Div(
        [
            html.P(["No results for ", html.Strong(q), "."], className="no-results-title"),
            _did_you_mean(result.get("suggestion"), type_),
            html.P("Tips:"),
            html.Ul(tips, className="tips"),
        ],
        className="no-results",
        id="no-results",
    )


def _sentence(text: str) -> str:
    """A service message as a sentence: its first word capitalised ("the query is too
    long"), but not what the user typed ("after:yesterday is not a date", "per_page
    must be..."): that stays as written, to be found and fixed."""
    return text[:1].upper() + text[1:] if _PLAIN_WORD.match(text) else text


_PLAIN_WORD = re.compile(r"[a-z]+(?: |$)")


def _message(text: str, *, kind: str = "error") -> Any:
    return html.P(text, className=f"message {kind}", role="alert", id="search-message")


def _run_search(site: Site, q: str, page: int, type_: str | None, per_page: int,
                noted: bool = True) -> tuple[dict | None, Any]:
    """The search result, or None and a message component; ``noted``: recorded as a search
    someone made (not the 404 page's own, from the words of a missing path)."""
    try:
        result = site.search.search(q, page=page, per_page=per_page, type=type_, languages=_readers_languages())
        if noted:
            _note_search(q, result, page)
        return result, None
    except Exception as exc:
        if _is_query_error(exc):
            text = str(exc) or "That search cannot be run."
            return None, _message(_sentence(text))
        log.exception("search failed for %r", q)
        return None, _message("Search is not available right now. Please try again in a moment.")


def _readers_languages() -> tuple[str, ...]:
    """The browser's Accept-Language: pages in those languages come before other translations."""
    if not flask.has_request_context():
        return ()
    return accepted_languages(flask.request.headers.get("Accept-Language"))


def _note_search(q: str, result: dict, page: int) -> None:
    """Tell the traffic recorder about this search (the core puts its request in the environ)."""
    if not flask.has_request_context():
        return
    if flask.request.path.endswith("/_dash-layout"):
        return  # noted by the page's own request (its HTML has the results for readers without scripts)
    request = flask.request.environ.get("siteseer.request")
    state = getattr(request, "state", None)
    if isinstance(state, dict) and "search" not in state:
        state["search"] = {"query": q, "hits": _int(result.get("total"), 0), "page": page}


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def search_page(site: Site, query: dict[str, str]) -> Rendered:
    q = (query.get("q") or "").strip()[: site.max_query_chars]
    type_ = (query.get("type") or "").strip() or None
    asked = max(1, _int(query.get("page"), 1))
    page = min(last_page(site.per_page), asked)
    if not q:
        body = html.Main(
            [html.H1("Search", className="visually-hidden"), html.P("Type some words above and press Enter.", className="hint")],
            id="main",
            className="results",
        )
        return Rendered(f"Search – {site.name}", [header(site, ""), body])

    result, problem = _run_search(site, q, page, type_, site.per_page)
    parts: list[Any] = [html.H1(f"Results for {q}", className="visually-hidden")]
    if problem is not None:
        parts.append(problem)
    else:
        assert result is not None
        total = _int(result.get("total"), 0)
        hits = result.get("hits") or []
        took = result.get("took_ms")
        stats = f"{_plural(total, 'result')}"
        if isinstance(took, (int, float)):
            stats += f" ({took:.0f} ms)" if took >= 1 else f" ({took:.1f} ms)"
        index = result.get("index") or {}
        summary = [html.Span(stats, id="result-stats")]
        if index.get("indexing"):
            summary.append(html.Span(" · still indexing", className="quiet"))
        parts.append(html.P(summary, className="result-stats", role="status"))
        facets = _facets(q, type_, result)
        if facets is not None:
            parts.append(facets)
        if hits:
            dym = _showing_results_for(result, type_) or _did_you_mean(result.get("suggestion"), type_)
            if dym is not None:
                parts.append(dym)
            if result.get("relaxed"):
                parts.append(html.P("No page has all of these words: these have all but one of them.",
                                    className="relaxed-note"))
            parts.append(hit_list(hits))
            per_page = _int(result.get("per_page"), site.per_page) or site.per_page
            if asked > page:  # past the last page there is: this is it, and says so
                parts.append(html.P(f"There is no page {asked}: page {page} is the last one shown.", className="relaxed-note"))
            pagination = _pagination(q, type_, page, total, per_page)
            if pagination is not None:
                parts.append(pagination)
            if page == last_page(per_page) and total > page * per_page:
                parts.append(html.P(f"Only the first {page * per_page:,} results are shown: add a word to narrow "
                                    "the search.", className="relaxed-note"))
        elif page > 1 and total > 0:
            per_page = _int(result.get("per_page"), site.per_page) or site.per_page
            last = min(-(-total // per_page), last_page(per_page))
            parts.append(html.P(["There is no page ", str(asked), ": ",
                                 dcc.Link(f"go to the last page ({last})", href=search_href(q, last, type_)),
                                 " or ", dcc.Link("the first", href=search_href(q, type_=type_)), "."]))
        else:
            parts.append(_no_results(q, type_, result))
    return Rendered(_results_title(site, q, type_, page), [header(site, q), html.Main(parts, id="main", className="results")])


def _results_title(site: Site, q: str, type_: str | None, page: int) -> str:
    """``q (PDF, page 2) – site``: each tab and page its own title (history, bookmarks)."""
    notes: list[str] = []
    kind = type_view(q, type_)[1]  # the type the results are of: type= or the query's type: words
    if kind:
        notes.append(kind.upper())
    if page > 1:
        notes.append(f"page {page}")
    return f"{q} ({', '.join(notes)}) – {site.name}" if notes else f"{q} – {site.name}"


def not_found_page(site: Site, path: str) -> Rendered:
    words = words_from_path(path)
    parts: list[Any] = [
        html.H1("Not found", className="nf-title"),
        html.P(["Nothing is at ", html.Code(path, id="missing-path"), "."], className="nf-path"),
    ]
    near = near_files(site.root, path, site.private) if site.root else []
    if near:
        links: list[Any] = []
        for i, href in enumerate(near):
            # A page load, not Dash's own navigation: that showed its "Not found" for the file.
            links += [" or " if i else "", html.A(unquote(href), href=href)]
        parts.append(html.P(["Did you mean ", *links, "?"], className="did-you-mean nf-near"))
    if words:
        result, problem = _run_search(site, words, 1, None, NOT_FOUND_HITS, noted=False)
        if (not result or not result.get("hits")) and " " in words:
            # A mistyped path rarely has all its words in one document:
            # offer pages with any of them rather than nothing.
            any_words = " OR ".join(words.split())
            fallback, _ = _run_search(site, any_words, 1, None, NOT_FOUND_HITS, noted=False)
            if fallback and fallback.get("hits"):
                result, words = fallback, any_words
        if result and result.get("hits"):
            parts.append(html.H2(["Maybe one of these? Results for ", html.Strong(words), ":"], className="nf-sub"))
            parts.append(hit_list(result["hits"][:NOT_FOUND_HITS], html.H3))
            if _int(result.get("total"), 0) > NOT_FOUND_HITS:
                parts.append(html.P(dcc.Link(f"See all {_plural(result.get('total'), 'result')}", href=search_href(words))))
        elif result and result.get("suggestion"):
            parts.append(_did_you_mean(result["suggestion"], None))
    parts.append(html.P(["Try a search above, or go to the ", dcc.Link("home page", href="/"), "."]))
    return Rendered(f"Not found – {site.name}", [header(site, words), html.Main(parts, id="main", className="not-found")], 404)


def user_page(site: Site, page: Any, query: dict[str, str]) -> Rendered:
    layout = page.layout
    try:
        if callable(layout):
            content = layout(**_accepted_kwargs(layout, query))
        else:
            content = layout
    except Exception:
        log.exception("page %s failed to render", page.path)
        content = _message("This page could not be shown.")
    return Rendered(f"{page.title} – {site.name}", [header(site, ""), html.Main(content, id="main", className="user-page")])


def _accepted_kwargs(func: Callable, query: dict[str, str]) -> dict[str, str]:
    """The query parameters ``func`` takes (all of them with ``**kwargs``)."""
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return {}
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return dict(query)
    names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return {k: v for k, v in query.items() if k in names}


def render_url(site: Site, path: str, raw_query: str = "") -> Rendered:
    """The router: a URL path and query string to a page."""
    query = parse_query(raw_query)
    if path == "/":
        return home_page(site)
    if path == "/search":
        return search_page(site, query)
    page = site.user_pages.get(path) or site.user_pages.get(path.rstrip("/") or "/")
    if page is not None:
        return user_page(site, page, query)
    return not_found_page(site, path)


def no_script_page(site: Site, path: str, raw_query: str = "") -> Rendered | None:
    """The page at ``path`` for readers without JavaScript; None for a page of the site's own (``--pages``).

    The same components as the Dash page, but the search box is a plain form
    to ``/search``: without scripts, nothing else would submit it. A reader's
    own pages are left to their JavaScript: their layouts may draw graphs or
    cost what only a Dash reader should pay for.
    """
    if path not in ("/", "/search") and known_path(site, path):
        return None
    rendered = render_url(site, path, raw_query)
    type_ = parse_qs(raw_query).get("type", [""])[0] if path == "/search" else ""
    return Rendered(rendered.title, _plain_forms(rendered.children, type_), rendered.status)


def _plain_forms(node: Any, type_: str = "") -> Any:
    """``node`` with each search box (``search_form``) made a ``<form>`` that submits itself;
    in the type ``type_`` the results are of, as a new search from the box is with scripts."""
    if isinstance(node, (list, tuple)):
        return [_plain_forms(child, type_) for child in node]
    if not hasattr(node, "to_plotly_json"):
        return node
    if getattr(node, "role", None) == "search":
        fields = [_plain_field(child) for child in node.children]
        if type_:
            fields.append(dcc.Input(type="hidden", name="type", value=type_))
        return html.Form(fields, action="/search", method="get", role="search", className=node.className)
    children = getattr(node, "children", None)
    if children is not None:
        node.children = _plain_forms(children, type_)
    return node


def _plain_field(node: Any) -> Any:
    if getattr(node, "id", None) == "q":
        node.name = "q"
    elif getattr(node, "id", None) == "q-go":
        node.type = "submit"
    return node


def known_path(site: Site, path: str) -> bool:
    return path in ("/", "/search") or path in site.user_pages or (path.rstrip("/") or "/") in site.user_pages


Renderer = Callable[[str, str], Rendered]


def page_title(site: Site, path: str, raw_query: str = "") -> str:
    """The document title for a URL, without running a search."""
    if path == "/":
        return site.name
    if path == "/search":
        query = parse_query(raw_query)
        q = (query.get("q") or "").strip()[: site.max_query_chars]
        if not q:
            return f"Search – {site.name}"
        page = min(last_page(site.per_page), max(1, _int(query.get("page"), 1)))
        return _results_title(site, q, (query.get("type") or "").strip() or None, page)
    page_ = site.user_pages.get(path) or site.user_pages.get(path.rstrip("/") or "/")
    if page_ is not None:
        return f"{page_.title} – {site.name}"
    return f"Not found – {site.name}"
