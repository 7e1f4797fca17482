"""Request and Response: the plain objects every part of siteseer speaks.

The server core (``siteseer.server.app``) turns granian's RSGI scope into a
``Request`` and sends back whatever ``Response`` a handler returns. Handlers
never touch the RSGI protocol, so they can be tested without a server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, AsyncIterable, Awaitable, Callable, Mapping
from urllib.parse import parse_qs

import orjson

from siteseer.http.fields import LIST_FIELDS, SINGLE_FIELDS, field_value


# Seconds a client gets to send a whole request body (granian's header read
# timeout does not cover the body).
BODY_READ_TIMEOUT = 10.0


class BodyError(Exception):
    """The request body could not be read: too large (413) or malformed (400)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class RequestHeaders:
    """granian's request headers, with repeated fields read as the RFC asks.

    granian keeps every field line apart and its ``get`` returns the first, so
    a second ``If-None-Match`` line would go unseen. ``get`` joins the lines of
    the list fields the handlers read and drops a repeated ``Range``
    (``siteseer.http.fields``); ``get_all`` still sees every line, for the
    gatekeeper's framing checks.
    """

    __slots__ = ("_raw",)
    _READ_WHOLE = LIST_FIELDS | SINGLE_FIELDS | {"cookie"}

    def __init__(self, raw: Mapping[str, str]):
        self._raw = raw

    def get(self, name: str, default: str | None = None) -> str | None:
        if name in self._READ_WHOLE:
            value = field_value(name, self.get_all(name))
            return default if value is None else value
        return self._raw.get(name, default)

    def get_all(self, name: str) -> list[str]:
        get_all = getattr(self._raw, "get_all", None)
        if get_all is not None:
            return get_all(name)
        value = self._raw.get(name)  # a plain mapping (tests): one line per name
        return [] if value is None else [value]

    def items(self) -> list[tuple[str, str]]:
        """Every field line, repeated names included."""
        return self._raw.items()

    def keys(self) -> list[str]:
        return self._raw.keys()

    def __contains__(self, name: str) -> bool:
        return name in self._raw


class Request:
    """One HTTP request as the handlers see it.

    ``path`` is percent-decoded (granian decodes it); ``raw_query`` is not.
    ``headers`` maps lower-case names to values (``RequestHeaders`` around
    granian's, or a dict in tests). ``client_ip`` is the real client after the
    gatekeeper has applied the trusted-proxy rules; ``peer_ip`` is the socket's
    address. ``read_body`` gives the body's chunks (granian's protocol object).
    ``authority`` is HTTP/2's ``:authority``, which stands for ``Host`` there
    (no HTTP/2 request has a Host line), or in HTTP/1 the host of an
    absolute-form target (``GET http://host/path``); else None.
    """

    __slots__ = (
        "method", "path", "raw_query", "headers", "peer_ip", "client_ip",
        "scheme", "http_version", "authority", "_read_body", "_query", "state",
    )

    def __init__(
        self,
        method: str,
        path: str,
        raw_query: str = "",
        headers: Mapping[str, str] | None = None,
        peer_ip: str = "127.0.0.1",
        scheme: str = "http",
        http_version: str = "1.1",
        read_body: AsyncIterable[bytes] | None = None,
        authority: str | None = None,
    ):
        self.method = method
        self.path = path
        self.raw_query = raw_query
        self.headers = headers if headers is not None else {}
        self.peer_ip = peer_ip
        self.client_ip = peer_ip
        self.scheme = scheme
        self.http_version = http_version
        self.authority = authority
        self._read_body = read_body
        self._query: dict[str, list[str]] | None = None
        # Per-request scratch space: handlers leave facts here for the
        # access log and traffic recorder (e.g. state["search"] = {...}).
        self.state: dict[str, Any] = {}

    def header(self, name: str, default: str | None = None) -> str | None:
        value = self.headers.get(name.lower())
        return default if value is None else value

    @property
    def query(self) -> dict[str, list[str]]:
        """The query string parsed into lists of values (lazily, once)."""
        if self._query is None:
            self._query = parse_qs(self.raw_query, keep_blank_values=True)
        return self._query

    def query_value(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    @property
    def target(self) -> str:
        """Path plus query string, as the client asked for it (for logs)."""
        return self.path + ("?" + self.raw_query if self.raw_query else "")

    async def body(self, limit: int = 1 << 20) -> bytes:
        """Read the whole body, refusing more than ``limit`` bytes.

        A chunked body announces no length, so it is read chunk by chunk and
        refused as soon as more than ``limit`` has arrived (as nginx's
        ``client_max_body_size``): a 400 MiB upload must not be held in memory
        to learn that it is too large. The caller closes the connection.
        """
        if self._read_body is None:
            return b""
        length = self.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise BodyError(413, "request body too large")
        try:
            # A client that announces a body and then sends it byte by byte (or
            # never) must not hold the connection open for ever.
            data = await asyncio.wait_for(_read_at_most(self._read_body, limit), BODY_READ_TIMEOUT)
        except BodyError:
            raise
        except asyncio.TimeoutError:
            raise BodyError(408, "request body not received in time") from None
        except Exception as exc:  # granian raises on broken chunked framing
            raise BodyError(400, f"malformed request body: {exc}") from None
        return data


async def _read_at_most(chunks: AsyncIterable[bytes], limit: int) -> bytes:
    """The whole body, or ``BodyError(413)`` as soon as more than ``limit`` bytes came."""
    received: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise BodyError(413, "request body too large")
        received.append(chunk)
    return b"".join(received)


@dataclass(slots=True)
class Response:
    """What a handler answers: ``body``, or ``file`` when that is set.

    ``file`` is sent by granian's file sender, which reads it as the client
    takes it; ``file_range`` is ``(start, end)`` with ``end`` exclusive. (No
    streamed answers: granian 2.8.9 queues a stream's chunks without waiting
    for the client, bench/tools/granian_senders.py.) The core strips the body for
    HEAD requests and adds the security headers.
    """

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    file: str | None = None
    file_range: tuple[int, int] | None = None

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        lname = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != lname]
        self.headers.append((name, value))

    @property
    def content_length(self) -> int | None:
        if self.file_range is not None:
            return self.file_range[1] - self.file_range[0]
        if self.file is not None:
            value = self.header("content-length")
            return int(value) if value else None
        return len(self.body)

    @classmethod
    def text(cls, text: str, status: int = 200, headers: list[tuple[str, str]] | None = None) -> "Response":
        return cls(status, [("content-type", "text/plain; charset=utf-8"), *(headers or [])], text.encode())

    @classmethod
    def html(cls, html: str, status: int = 200, headers: list[tuple[str, str]] | None = None) -> "Response":
        return cls(status, [("content-type", "text/html; charset=utf-8"), *(headers or [])], html.encode())

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> "Response":
        # orjson: a search answer (10 hits with snippets, ~4 KB) takes 19 us, not
        # json.dumps's 49 us (9% of a worker's time under search load).
        body = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
        return cls(status, [("content-type", "application/json"), *(headers or [])], body)


Handler = Callable[[Request], Awaitable[Response | None]]
