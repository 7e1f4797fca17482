"""Run a WSGI app (Flask, so Dash) behind the RSGI front, in a thread pool.

The gatekeeper and file serving run on granian's native interface; Dash's
Flask app is synchronous, so each call goes to a thread and the event loop
stays free for file requests. Answers from Dash are small (JSON, HTML, JS
bundles), so the whole body is collected before it is sent.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable


from siteseer.server.messages import BodyError, Request, Response

# Dash serialises callback answers with plotly's JSON helpers, which import
# numpy lazily on the first callback. Several first callbacks at once in the
# thread pool raced in that import and killed the worker (SIGILL); import them
# here, once, in the worker's main thread, before any request.
import _plotly_utils.utils  # noqa: E402,F401
import plotly.io._json  # noqa: E402,F401

try:
    import numpy  # noqa: E402,F401
except ImportError:  # plotly works without it
    pass

log = logging.getLogger("siteseer.wsgi")

WSGIApp = Callable[[dict, Callable], Any]

# Hop-by-hop and framing headers are the server's business, not the app's.
_DROP_HEADERS = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"})
# Validators the core itself checks against the app's final answer (after
# compression gave it a per-encoding ETag, which the app cannot match).
_CORE_CONDITIONALS = frozenset({"HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"})
# Hop-by-hop: granian upgrades no connection (websockets are off), so the app
# must not see an upgrade either. With it, Werkzeug matched "GET /" sent with
# "Upgrade: websocket" against websocket routes and answered its own bare 400.
_HOP_BY_HOP = frozenset({"HTTP_UPGRADE"})


def build_environ(request: Request, body: bytes, server_name: str = "siteseer", server_port: str = "80") -> dict:
    """The WSGI environ for ``request`` whose body, already read whole, is ``body``.

    - HEAD runs as GET: Werkzeug drops a HEAD answer's body and so its length,
      while the core strips the body itself after compressing it, so a HEAD
      gets exactly GET's headers (RFC 9110 9.3.2), Content-Length included.
    - The body is handed over de-chunked with its length, so
      ``Transfer-Encoding`` is not passed on (Werkzeug reads a chunked request
      as having no body) and ``wsgi.input_terminated`` says the stream ends.
    - Repeated field lines are joined (", ", "; " for cookies) as a proxy
      would, rather than the last one winning.
    - For GET and HEAD, If-None-Match and If-Modified-Since are left to the core.
    - ``Upgrade`` is not passed on: no connection is ever upgraded.
    """
    headers = request.headers
    method = request.method
    environ = {
        "REQUEST_METHOD": "GET" if method == "HEAD" else method,
        "SCRIPT_NAME": "",
        # WSGI wants the path as latin-1-decoded bytes of the UTF-8 path.
        "PATH_INFO": request.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": request.raw_query,
        "SERVER_NAME": server_name,
        "SERVER_PORT": server_port,
        "SERVER_PROTOCOL": f"HTTP/{request.http_version}",
        "REMOTE_ADDR": request.client_ip,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": request.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "siteseer.request": request,
        "CONTENT_LENGTH": str(len(body)),
    }
    skip = _CORE_CONDITIONALS if method in ("GET", "HEAD") else frozenset()
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
            continue
        else:
            key = "HTTP_" + key
            if key in skip or key in _HOP_BY_HOP:
                continue
            if key in environ:
                value = environ[key] + ("; " if key == "HTTP_COOKIE" else ", ") + value
            environ[key] = value
    if "HTTP_HOST" not in environ and request.authority:
        # HTTP/2 has ``:authority`` for Host, which the app reads (the admin's
        # same-origin check: without it, its login over HTTP/2 was refused).
        environ["HTTP_HOST"] = request.authority
    return environ


def call_wsgi(app: WSGIApp, environ: dict) -> Response:
    """Call the app and collect its whole answer (runs in a worker thread)."""
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
        captured["status"] = int(status.split(" ", 1)[0])
        captured["headers"] = [(k, v) for k, v in headers if k.lower() not in _DROP_HEADERS]
        return lambda data: captured.setdefault("written", []).append(data)

    result = app(environ, start_response)
    try:
        chunks = [*captured.get("written", []), *result]
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return Response(captured["status"], captured["headers"], b"".join(chunks))


class WSGIMount:
    """A WSGI app as a siteseer handler."""

    def __init__(self, app: WSGIApp, executor: ThreadPoolExecutor, max_body_bytes: int = 1 << 20):
        self.app = app
        self.executor = executor
        self.max_body_bytes = max_body_bytes

    async def __call__(self, request: Request) -> Response:
        try:
            body = await request.body(self.max_body_bytes)
        except BodyError as exc:
            return Response.text(str(exc) + "\n", exc.status, [("connection", "close")])
        environ = build_environ(request, body)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, call_wsgi, self.app, environ)


