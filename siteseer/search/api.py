"""``GET /api/search`` and ``GET /api/suggest``: JSON in, JSON out; and the
OpenSearch description that lets browsers search the site (``opensearch``).

Errors are JSON too, ``{"error": {"status": N, "message": ...}}``, so
scripts never have to parse an HTML page.

Searches run on one thread of their own per worker, in arrival order, so
the worker's event loop keeps answering file requests meanwhile (tantivy
lets go of the GIL while it searches). One thread, not a pool: measured on
the corpus at 8 connections, the default pool's searches interleaved on the
GIL and their p99 rose from 20-25 ms to 29-41 ms, for no more queries/s.
The answer is compressed there too, for a client that accepts it: a page of
10 hits is ~5 KB of JSON, ~1.7 KB in gzip or brotli.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from siteseer.files.compress import compress_response
from siteseer.http.languages import accepted_languages
from siteseer.server.messages import Request, Response

from . import opensearch
from .errors import QueryError
from .service import SearchService

SEARCH_PATH = "/api/search"
SUGGEST_PATH = "/api/suggest"
ALLOW = "GET, HEAD"
_NO_STORE = [("cache-control", "no-store")]


def error(status: int, message: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response.json({"error": {"status": status, "message": message}}, status, [*_NO_STORE, *(headers or [])])


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_value(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise QueryError(f"{name} must be a whole number, not {raw[:40]!r}") from None


class SearchAPI:
    """The RSGI-free handler the core routes ``/api/search`` and ``/api/suggest`` to."""

    def __init__(self, service: SearchService, compress_min_bytes: int | None = None):
        self.service = service
        self.compress_min = service.config.files.compress_min_bytes if compress_min_bytes is None else compress_min_bytes
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="siteseer-search")
        self._handlers = {SEARCH_PATH: self._search, SUGGEST_PATH: self._suggest,
                          opensearch.DESCRIPTION_PATH: self._description}

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def __call__(self, request: Request) -> Response | None:
        handler = self._handlers.get(request.path)
        if handler is None:
            return None
        if request.method not in ("GET", "HEAD"):
            return error(405, f"{request.method} is not allowed here; use GET", [("allow", ALLOW)])
        return await asyncio.get_running_loop().run_in_executor(self.executor, self._answer, handler, request)

    def _answer(self, handler, request: Request) -> Response:
        try:
            response = handler(request)
        except QueryError as exc:
            response = error(400, exc.message)
        compress_response(response, request.headers.get("accept-encoding"), self.compress_min)
        return response

    def _search(self, request: Request) -> Response:
        q = request.query_value("q")
        if q is None:
            raise QueryError("the q parameter is missing, as in /api/search?q=words")
        page = _int_param(request, "page", 1)
        per_page = _int_param(request, "per_page", self.service.config.search.per_page)
        result = self.service.search(q, page=page, per_page=per_page, type=request.query_value("type"),
                                     languages=accepted_languages(request.headers.get("accept-language")))
        request.state["search"] = {"query": q, "hits": result["total"], "page": page}
        return Response.json(result, headers=_NO_STORE)

    def _suggest(self, request: Request) -> Response:
        q = request.query_value("q")
        if q is None:
            raise QueryError("the q parameter is missing, as in /api/suggest?q=wor")
        limit = _int_param(request, "limit", 8)
        if not 1 <= limit <= 50:
            raise QueryError("limit must be between 1 and 50")
        form = request.query_value("format") or "json"
        if form not in ("json", "opensearch"):
            raise QueryError(f'format must be "json" or "opensearch", not {form[:40]!r}')
        suggestions = self.service.suggest(q, limit)
        if form == "opensearch":  # the suggestions extension's [query, [completions]], for the address bar
            response = Response.json([q, suggestions], headers=_NO_STORE)
            response.set_header("content-type", opensearch.SUGGESTIONS_TYPE)
            return response
        return Response.json({"query": q, "suggestions": suggestions}, headers=_NO_STORE)

    def _description(self, request: Request) -> Response:
        base = opensearch.base_url(request.scheme, request.authority or request.headers.get("host"))
        body = opensearch.description(self.service.config.server.site_name, base)
        # Made from the Host the browser used: a cache must not hand one host's to another.
        return Response(200, [("content-type", f"{opensearch.DESCRIPTION_TYPE}; charset=utf-8"),
                              ("cache-control", "public, max-age=86400"), ("vary", "Host")], body)
