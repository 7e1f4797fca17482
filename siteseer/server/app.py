"""The RSGI application every granian worker runs.

This is the only module that speaks granian's protocol. It turns the scope
into a ``Request``, runs the gatekeeper, picks the handler for the path and
sends the ``Response`` back; then it writes the access log line and the
traffic record. The order of work is in ``docs/ARCHITECTURE.md``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NoReturn
from urllib.parse import quote

from dash.fingerprint import check_fingerprint

from siteseer.config import ENV_CONFIG_JSON, Config, make_state_dir
from siteseer.files.compress import compress_response
from siteseer.files.static import FileServer
from siteseer.gatekeeper.access import AccessList, client_ip, forwarded_https, peer_address
from siteseer.gatekeeper.accesslog import AccessLog
from siteseer.gatekeeper.errors import error_response, wants_json
from siteseer.gatekeeper.headers import BASE_HEADERS, FILES_CSP, app_csp
from siteseer.gatekeeper.redirects import Redirects
from siteseer.gatekeeper.validate import check_request
from siteseer.http.conditional import is_not_modified, not_modified_headers, variant_etag
from siteseer.http.dates import parse_http_date
from siteseer.http.locations import join_query
from siteseer.orphans import ENV_SERVER_PID, exit_with_parent
from siteseer.search.errors import is_engine_panic
from siteseer.server.messages import Request, RequestHeaders, Response
from siteseer.server.wsgi import WSGIMount
from siteseer.stats.recorder import counted

log = logging.getLogger("siteseer.server")

ORPHAN_FLUSH_SECONDS = 1.0  # at most, for the last records of a worker whose server was kill -9'd

WEB_METHODS = "GET, HEAD, POST"
READ_METHODS = "GET, HEAD"
# Dash's bundles carry a fingerprint in their URL, so their compressed form
# can be cached by URL.
_IMMUTABLE_PREFIXES = ("/_dash-component-suites/", "/_siteseer/", "/admin/_dash-component-suites/")
_COMPRESS_INLINE_BYTES = 64 << 10  # larger bodies are compressed in a thread
RECORDED_HEADER_CHARS = 512  # of User-Agent and Referer in the access log and traffic records


def _bundle_key(path: str, body: bytes) -> tuple[str, int]:
    """What names one bundle's bytes in the compression cache: its path without Dash's
    fingerprint, and a checksum of the bytes.

    Not the request's target: Dash serves a bundle under any ``.v…m…``
    fingerprint and ignores the query string, so a client could make each
    request a new key, each costing a fresh compression (and evicting the
    ones in use).
    """
    return check_fingerprint(path)[0], zlib.crc32(body)


class Services:
    """The long-lived parts one worker shares between requests."""

    def __init__(self, config: Config):
        from siteseer.search.api import SearchAPI
        from siteseer.search.service import SearchService
        from siteseer.stats.blocks import BlockStore
        from siteseer.web.app import create_web_app, csp_script_hashes, web_paths

        self.config = config
        try:
            make_state_dir(config)
        except FileNotFoundError:  # a worker started while the served folder is away: not made here
            log.warning("%s is missing (moved or deleted?): state is read and written when it is back",
                        config.state_dir.parent)
        self.block_store = BlockStore(config.state_dir)
        self.access = AccessList(
            config.access.block, config.access.allow, config.access.trusted_proxies,
            config_path=config.config_path, block_store=self.block_store,
            proxy_header=config.access.proxy_header,
        )
        self.redirects = Redirects(config.redirects, config.server.redirect_status)
        self.files = FileServer(config)
        self.search = SearchService(config)
        self.search_api = SearchAPI(self.search)
        self.executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="siteseer-wsgi")
        max_body = config.server.max_body_bytes

        # Loads --pages too; the command checked them before starting, so a page that fails here
        # was edited since: the worker serves the rest (a crash would end the server).
        self.web = create_web_app(config, self.search, pages_must_load=False)
        self.web_routes = web_paths(self.web)
        self.web_mount = WSGIMount(self.web.server, self.executor, max_body)
        hashes = list(csp_script_hashes(self.web))

        self.recorder = None
        if config.stats.enabled:
            from siteseer.stats.recorder import TrafficRecorder

            self.recorder = TrafficRecorder(config)
        self.ratelimiter = None
        if config.ratelimit.enabled:
            from siteseer.stats.ratelimit import RateLimiter

            self.ratelimiter = RateLimiter(config, self.block_store)

        from siteseer.stats import endpoints
        from siteseer.web.admin import create_admin_app, csp_script_hashes as admin_hashes

        self.healthz = endpoints.healthz
        self.metrics = endpoints.Metrics(config, self)
        admin = create_admin_app(config, self)
        self.admin_mount = WSGIMount(admin, self.executor, max_body)
        hashes += list(admin_hashes(admin))
        self.app_csp = app_csp(hashes)

    def close(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
        if self.ratelimiter is not None:
            self.ratelimiter.close()
        self.files.open_files.close()
        self.search_api.close()
        self.executor.shutdown(wait=False, cancel_futures=True)


class SiteseerApp:
    """The RSGI callable: gatekeeper → redirects → routes → files → 404."""

    def __init__(self, config: Config, services: Services | None = None):
        self.config = config
        self.services = services or Services(config)
        self.accesslog = AccessLog(config.server.access_log)
        self.max_url_length = config.server.max_url_length
        self.max_header_bytes = config.server.max_header_bytes
        self.compress_min = config.files.compress_min_bytes
        s = self.services
        self._files_headers = [*BASE_HEADERS, ("content-security-policy", FILES_CSP), ("server", "siteseer")]
        self._app_headers = [*BASE_HEADERS, ("content-security-policy", s.app_csp), ("server", "siteseer")]
        # Only over https, where browsers heed it (RFC 6797 8.1): TLS here, or at
        # a trusted proxy that says so (handle() sets the scheme).
        hsts = config.server.hsts_max_age
        self._https_headers = [("strict-transport-security", f"max-age={hsts}")] if hsts else []
        self._flush_handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- RSGI entry points -------------------------------------------------
    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

        def every_second() -> None:
            # Rescheduled first: an error in one chore must not end the timer for good.
            self._flush_handle = loop.call_later(1.0, every_second)
            self.accesslog.flush()
            # Here, not only when a large file is asked for: a deleted file's descriptor
            # (and disk space) is let go of while only small files are.
            self.services.files.open_files.tick()

        self._flush_handle = loop.call_later(1.0, every_second)

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
        self.accesslog.flush()
        self.services.close()

    def exit_orphaned(self, timeout: float = ORPHAN_FLUSH_SECONDS) -> NoReturn:
        """End this worker, whose server was kill -9'd, keeping what it answered.

        ``os._exit`` alone lost the queued traffic records and access-log lines (the
        last 0.5-1.5 s). They are written on the event loop, which then exits: no
        request is answered after them, so none goes unrecorded. Within ``timeout``
        (a locked traffic.db waits out its busy timeout, a long request holds the
        loop), else without them.
        """
        done = threading.Event()

        def last_words() -> None:
            try:
                self.accesslog.flush()
                if self.services.recorder is not None:
                    self.services.recorder.flush()
            except BaseException:
                log.exception("could not write the last records before exiting")
            finally:
                done.set()

        def on_loop() -> None:
            last_words()
            os._exit(1)

        loop = self._loop
        try:
            if loop is None or loop.is_closed():
                raise RuntimeError("no event loop")
            loop.call_soon_threadsafe(on_loop)
        except RuntimeError:  # not serving yet, or no more
            threading.Thread(target=last_words, name="siteseer-last-words", daemon=True).start()
        done.wait(timeout)
        os._exit(1)

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":  # siteseer has no websockets
            proto.close(403)
            return
        started = time.perf_counter()
        peer = peer_address(scope.client)
        request = Request(scope.method, scope.path, scope.query_string, RequestHeaders(scope.headers), peer,
                          scope.scheme, _HTTP_VERSIONS.get(scope.http_version, scope.http_version), proto,
                          scope.authority)
        try:
            response = await self.handle(request)
        except BaseException as exc:  # an Exception, or a Rust panic (pyo3) that no guard turned into one
            if not isinstance(exc, Exception) and not is_engine_panic(exc):
                raise  # Ctrl-C, cancellation, exit
            log.exception("error answering %s %s", request.method, request.target)
            response = error_response(request, 500, "The server hit an error answering this request.")
        sent = self.send(proto, request, response)
        self.after(request, response, sent, started)

    # --- the order of work ---------------------------------------------------
    async def handle(self, request: Request) -> Response:
        s = self.services
        problem = check_request(request.method, request.path, request.raw_query, request.headers,
                                request.http_version, self.max_url_length, self.max_header_bytes,
                                request.authority)
        # A malformed request is still a client's: who sent it is decided, and the block
        # list and the rate limit apply, before its 4xx (else a blocked client got a 400, a
        # flood of bad requests no 429, and the log and stats named the proxy). The lists
        # are refreshed first: a proxy just taken out of trusted_proxies is not trusted once more.
        close = [("connection", "close")] if problem is not None and problem.close else []
        s.access.refresh()
        request.client_ip = client_ip(request.peer_ip, request.headers, s.access.trusted, s.access.proxy_header)
        # TLS ended at a trusted proxy: cookies must be Secure, and the admin's
        # Origin check compares "https://host". Asked of the peer, not of whether
        # the client address changed: a proxy that sends no X-Forwarded-For (or the
        # admin on the proxy's own machine) left the scheme "http", so the login
        # was refused as cross-origin and the cookie was not Secure.
        if forwarded_https(request.headers, s.access.proxy_header) and request.peer_ip in s.access.trusted:
            request.scheme = "https"
        refusal = s.access.refusal(request.client_ip)
        if refusal is not None:
            request.state["blocked"] = refusal
            return error_response(request, 403, "Access from your address is not allowed.", close)
        if s.ratelimiter is not None:
            wait = s.ratelimiter.check(request.client_ip)
            if wait is not None:
                request.state["blocked"] = "ratelimit"
                return error_response(request, 429, "Too many requests: slow down.",
                                      [("retry-after", str(max(1, int(wait + 0.999)))), *close])
        if problem is not None:
            request.state["problem"] = problem.message
            return error_response(request, problem.status, problem.message, close)

        if s.redirects:
            location = s.redirects.location(request.path, request.raw_query)
            if location is not None:
                return Response(s.redirects.status, [("location", location), ("content-type", "text/plain")],
                                f"Moved to {location}\n".encode())

        if request.method == "OPTIONS":
            return Response(204, [("allow", self._allowed_methods(request.path))])
        return await self.route(request)

    def _allowed_methods(self, path: str) -> str:
        if self._is_web(path):  # what the web app's own 405 there says: POST only for callbacks
            return self.services.web_routes.allow(path)
        return WEB_METHODS if path.startswith("/admin") else READ_METHODS

    def _is_web(self, path: str) -> bool:
        routes = self.services.web_routes
        return path in routes.exact or path.startswith(routes.prefixes)

    async def route(self, request: Request) -> Response:
        s = self.services
        path = request.path
        if path == "/healthz" or path == "/metrics":
            if request.method not in ("GET", "HEAD"):
                # Not only tidy: a 2xx to CONNECT turns granian's connection into a tunnel.
                return error_response(request, 405, f"{request.method} is not allowed here.",
                                      [("allow", READ_METHODS)])
            if path == "/healthz":  # asked every few seconds by monitors: a few bytes, nothing to compress
                return await s.healthz(request)
            response = await s.metrics(request)
            await self.compress(request, response)  # scrapers ask for gzip; /metrics grows with what it counts
            return response
        if path.startswith("/api/"):
            return await s.search_api(request) or error_response(request, 404, f"No API at {path}.")
        if path == "/admin" or path.startswith("/admin/"):
            return await self.mounted(s.admin_mount, request)
        if self._is_web(path):
            return await self.mounted(s.web_mount, request)
        request.state["route"] = "files"
        response = await s.files(request)
        if response is not None:
            return response
        request.state.pop("route")
        return await self.not_found(request)

    async def mounted(self, mount: WSGIMount, request: Request) -> Response:
        if request.method not in ("GET", "HEAD", "POST"):
            allow = self._allowed_methods(request.path)  # what GET, HEAD or POST there would say
            return error_response(request, 405, f"{request.method} is not allowed here.", [("allow", allow)])
        response = await mount(request)
        await self.compress(request, response)
        if request.method in ("GET", "HEAD") and response.status == 200 and _not_modified(request, response):
            return Response(304, not_modified_headers(response.headers))
        return response

    async def not_found(self, request: Request) -> Response:
        """A real 404: the site's own not-found page for browsers, JSON for programs.

        A page's address with a slash after it (``/hello/``, ``/search/``) is sent to
        the page, as a folder's without one is sent to the folder: it drew the page
        with a 404 status, and curl saw a bare not-found.
        """
        page = request.path.rstrip("/")
        if (page != request.path and request.method in ("GET", "HEAD")
                and page in self.services.web_routes.exact and not page.startswith("/_")):
            location = join_query(quote(page, safe="/"), request.raw_query)
            return Response(301, [("location", location), ("content-type", "text/plain; charset=utf-8")],
                            b"Moved Permanently\n")
        accept = request.headers.get("accept") or ""
        if request.method in ("GET", "HEAD") and "text/html" in accept and not wants_json(request):
            response = await self.services.web_mount(request)
            if response.status == 200:
                response.status = 404
                await self.compress(request, response)
                return response
        return error_response(request, 404, f"Nothing at {request.path}.")

    async def compress(self, request: Request, response: Response) -> None:
        """Compress an app's answer for this client (``compress_response``); Dash's
        fingerprinted bundles are compressed once and kept (``_bundle_key``).

        A large body is compressed in a thread: plotly.min.js (4.8 MB) takes
        0.4-0.8 s, and on the event loop it held every request of the worker.
        """
        immutable = request.path.startswith(_IMMUTABLE_PREFIXES)
        accept = request.headers.get("accept-encoding")
        if len(response.body) <= _COMPRESS_INLINE_BYTES:
            key = _bundle_key(request.path, response.body) if immutable else None
            compress_response(response, accept, self.compress_min, cache_key=key)
            return

        def work() -> None:
            key = _bundle_key(request.path, response.body) if immutable else None
            compress_response(response, accept, self.compress_min, cache_key=key)

        await asyncio.to_thread(work)

    # --- sending and after -------------------------------------------------------
    def send(self, proto: Any, request: Request, response: Response) -> int:
        """Send ``response``; return the number of body bytes it carries."""
        security = self._files_headers if request.state.get("route") == "files" else self._app_headers
        headers = [*response.headers, *security]
        if self._https_headers and request.scheme == "https":
            headers += self._https_headers
        status = response.status
        length = response.content_length
        no_body = request.method == "HEAD" or status in (204, 304) or status < 200
        has_length = response.header("content-length") is not None
        if not has_length and status not in (204, 304) and status >= 200:
            if response.file is not None and length is None:
                try:
                    length = os.stat(response.file).st_size
                except OSError:
                    length = 0
            headers.append(("content-length", str(length)))
        try:
            if no_body:
                proto.response_empty(status, headers)
            elif response.file is not None:
                # Measured: granian's ranged sender moves a 20 MiB file ~1.6x faster
                # than its whole-file sender, so whole files go through it too.
                start, end = response.file_range or (0, length)
                proto.response_file_range(status, headers, response.file, start, end)
            else:
                proto.response_bytes(status, headers, response.body)
        except Exception as exc:  # the client went away, or the file vanished
            log.debug("could not send %s: %s", request.target, exc)
            return 0
        return 0 if no_body else (length or 0)

    def after(self, request: Request, response: Response, sent: int, started: float) -> None:
        duration_ms = (time.perf_counter() - started) * 1000
        s = self.services
        status = response.status
        headers = request.headers
        if s.ratelimiter is not None and "blocked" not in request.state and not _loaded_by_another_site(headers):
            s.ratelimiter.note_status(request.client_ip, status)
        entry = {
            "ts": time.time(), "ip": request.client_ip, "method": request.method,
            "path": request.path, "query": request.raw_query, "target": request.target,
            "http_version": request.http_version, "status": status, "bytes": sent,
            "duration_ms": duration_ms, "ua": _bounded(headers.get("user-agent")),
            "referrer": _bounded(headers.get("referer")), "search": request.state.get("search"),
            "blocked": request.state.get("blocked"),
        }
        self.accesslog.write(entry)
        if s.recorder is not None and counted(request.method, request.path, status):
            s.recorder.record(entry)


def _loaded_by_another_site(headers) -> bool:
    """Whether the browser says another site's page asked for this (an image, a script:
    ``Sec-Fetch-Site: cross-site``, not a navigation).

    Its 404s do not count towards blocking a scanner: a page elsewhere with 121
    broken ``<img>`` links to this site had each of its visitors blocked here.
    A scanner could send the same headers; the rate limit still holds it.
    """
    return headers.get("sec-fetch-site") == "cross-site" and headers.get("sec-fetch-mode") != "navigate"


def _bounded(value: str | None) -> str | None:
    """A client's header as logged and recorded: cut at ``RECORDED_HEADER_CHARS``.

    A user agent of 60 KB (granian takes that) was written whole to the log and
    the traffic records: one client could fill the disk at megabytes a second.
    """
    if value is not None and len(value) > RECORDED_HEADER_CHARS:
        return value[:RECORDED_HEADER_CHARS] + "…"
    return value


def _not_modified(request: Request, response: Response) -> bool:
    """Whether a GET/HEAD for the app's 200 ``response`` may be answered 304.

    The core checks this itself, on the answer as sent (its ETag may be a
    compressed variant's), so ``wsgi.build_environ`` keeps the validators from
    the app: Dash's own 304s carry no ETag or Vary.
    """
    if_none_match = request.headers.get("if-none-match")
    if_modified_since = request.headers.get("if-modified-since")
    if if_none_match is None and if_modified_since is None:
        return False
    etag = response.header("etag")
    last_modified = response.header("last-modified") or ""
    mtime = parse_http_date(last_modified)
    if if_none_match is not None and etag is None:
        return False  # nothing to compare with: If-Modified-Since does not count beside it
    if if_none_match is None and mtime is None:
        return False
    return is_not_modified(if_none_match, if_modified_since, etag or "", last_modified, mtime or 0)


# granian names HTTP/1.0 "1": logged as "HTTP/1" (every request from nginx, which
# proxies in 1.0), and handed to WSGI as SERVER_PROTOCOL "HTTP/1".
_HTTP_VERSIONS = {"1": "1.0"}


def create_app() -> SiteseerApp:
    """granian's factory: one app per worker, configured by the CLI through the environment."""
    text = os.environ.get(ENV_CONFIG_JSON)
    if not text:
        raise RuntimeError(f"{ENV_CONFIG_JSON} is not set: start siteseer with `siteseer serve`")
    config = Config.from_json(text)
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s] %(name)s: %(message)s")
    made: list[SiteseerApp] = []
    server_pid = os.environ.get(ENV_SERVER_PID)
    if server_pid:  # granian's main process was kill -9'd: stop answering on its port
        exit_with_parent(int(server_pid), lambda: made[0].exit_orphaned() if made else os._exit(1))
    made.append(SiteseerApp(config))
    return made[0]
