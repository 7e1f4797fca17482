"""Response compression (gzip, brotli) and the cache of compressed bodies.

Compressing is the expensive part of serving text: gzip of a 1 MB bundle
costs tens of milliseconds, far more than sending it. Site files and Dash's
component bundles do not change between requests, so each (file version,
encoding) is compressed once per worker and kept in a bounded LRU.

Output is deterministic (the gzip header carries no timestamp), so the same
input always gives the same bytes - which the per-encoding strong ETags in
``siteseer.http.conditional`` rely on.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from typing import Hashable

import brotli

from siteseer.http.conditional import variant_etag
from siteseer.http.encoding import choose_encoding
from siteseer.http.mimetypes import is_compressible

__all__ = [
    "BROTLI_QUALITY",
    "GZIP_LEVEL",
    "MAX_COMPRESS_BYTES",
    "CompressionCache",
    "compress",
    "compress_body",
    "compress_response",
    "default_cache",
    "gzip_compress",
    "brotli_compress",
    "wants_vary",
]

# Brotli 5 and gzip 6 are the usual on-the-fly settings: most of the size win
# for a fraction of the time of the maximum levels (brotli 11 is ~50x slower).
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
# Bodies above this are sent uncompressed: compressing them would hold many
# megabytes in memory and stall a worker thread for too long.
MAX_COMPRESS_BYTES = 32 << 20


def gzip_compress(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    """gzip with mtime 0 in the header, so output depends on the input only."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)  # 31: gzip container
    return compressor.compress(data) + compressor.flush()


def brotli_compress(data: bytes, quality: int = BROTLI_QUALITY) -> bytes:
    return brotli.compress(data, mode=brotli.MODE_TEXT, quality=quality)


_COMPRESSORS = {"gzip": gzip_compress, "br": brotli_compress}


def compress(data: bytes, encoding: str) -> bytes:
    """Compress ``data`` with ``"gzip"`` or ``"br"``."""
    return _COMPRESSORS[encoding](data)


class CompressionCache:
    """A thread-safe LRU of compressed bodies, bounded by their total size.

    Keys are whatever identifies one version of one body plus the encoding,
    e.g. ``(path, size, mtime_ns, "br")``: a changed file has a new key, and
    the old entry simply ages out. Entries larger than a quarter of the
    budget are not kept, so one huge file cannot flush everything else.
    """

    def __init__(self, max_bytes: int = 32 << 20):
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 4
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        # Compression may run in worker threads (large files, WSGI answers).
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: bytes) -> None:
        if len(value) > self.max_entry_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._entries[key] = value
            self._size += len(value)
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    @property
    def size(self) -> int:
        """Total bytes held."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)


# One per worker process, shared by the file server and the core.
default_cache = CompressionCache()


def wants_vary(body_size: int, content_type: str, min_bytes: int) -> bool:
    """Whether the answer depends on ``Accept-Encoding`` (so needs ``Vary: Accept-Encoding``).

    True exactly when ``compress_body`` might compress a body of this size
    and type, whatever this particular client accepted.
    """
    return min_bytes <= body_size <= MAX_COMPRESS_BYTES and is_compressible(content_type)


def compress_body(
    body: bytes,
    content_type: str,
    accept_encoding: str | None,
    min_bytes: int,
    cache_key: Hashable | None = None,
    cache: CompressionCache | None = None,
) -> tuple[bytes, str | None]:
    """Compress ``body`` for this client if it is worth it.

    Returns ``(body, encoding)``; ``encoding`` is ``"br"``/``"gzip"`` for the
    ``Content-Encoding`` header, or ``None`` when the body is returned as is
    (too small, incompressible type, client accepts neither, or compression
    did not make it smaller). Pass ``cache_key`` only for bodies that never
    change under that key (e.g. a Dash bundle's path and checksum), and one a
    client cannot vary at will; it is combined with the length and encoding. The caller adds
    ``Vary: Accept-Encoding`` when ``wants_vary(...)`` is true.
    """
    if not wants_vary(len(body), content_type, min_bytes):
        return body, None
    encoding = choose_encoding(accept_encoding)
    if encoding is None:
        return body, None
    if cache_key is None:
        compressed = compress(body, encoding)
    else:
        cache = default_cache if cache is None else cache
        key = (cache_key, len(body), encoding)
        compressed = cache.get(key)
        if compressed is None:
            compressed = compress(body, encoding)
            cache.put(key, compressed)
    if len(compressed) >= len(body):
        return body, None
    return compressed, encoding


def compress_response(response, accept_encoding: str | None, min_bytes: int, cache_key: Hashable | None = None) -> None:
    """Compress a ``Response`` made in memory for this client, in place, as the file server does its files.

    Both forms carry ``Vary: Accept-Encoding`` and the compressed one its own
    ETag (``variant_etag``). Left alone: a file (sent as it is), a 206 (its
    Content-Range counts bytes of the identity body), and an answer already
    encoded. ``cache_key`` as for ``compress_body``.
    """
    if response.file is not None or response.status == 206:
        return
    if response.header("content-encoding") is not None:
        return
    content_type = response.header("content-type") or ""
    if not wants_vary(len(response.body), content_type, min_bytes):  # size and type
        return
    body, encoding = compress_body(response.body, content_type, accept_encoding, min_bytes, cache_key=cache_key)
    response.headers.append(("vary", "Accept-Encoding"))
    if encoding is not None:
        response.body = body
        response.headers.append(("content-encoding", encoding))
        etag = response.header("etag")
        if etag is not None:
            response.set_header("etag", variant_etag(etag, encoding))
