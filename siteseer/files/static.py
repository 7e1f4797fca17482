"""Serve the files of the folder at their own paths.

``FileServer`` is the last handler before the 404: ``await server(request)``
returns a ``Response``, or ``None`` when nothing here answers that path
(missing, refused by ``resolve_path``, a folder without index and listing).

Speed matters here - every image, script and page goes through it - so:

- the path is resolved and stat-ed in one walk (``resolve.lookup``), with no
  ``realpath`` unless a symlink is on the way;
- what a file's headers need (type, ETag, Last-Modified) is computed once per
  file version and kept in ``_FileInfo``, re-validated by that ``stat`` on
  every request, so an edited file is never served stale;
- small files (<= ``SMALL_FILE_BYTES``) are kept in memory: for them granian
  sends a bytes body faster than it opens and sends a file. Larger files go
  out as ``Response(file=...)`` / ``file_range``, flat in memory, with
  ``file`` the ``/proc/self/fd/N`` of the version stat-ed (``handles.py``);
- compressed variants are made once per (file version, encoding) and kept in
  a bounded LRU; big reads and compressions run in a thread, not on the loop.
"""

from __future__ import annotations

import asyncio
import errno
import os
import secrets
import stat
import time
from collections import OrderedDict
from urllib.parse import quote

from siteseer.config import Config
from siteseer.files.compress import MAX_COMPRESS_BYTES, CompressionCache, compress, compress_response, default_cache
from siteseer.files.handles import OpenFiles
from siteseer.files.listing import list_directory, render_listing
from siteseer.files.resolve import PrivatePaths, lookup, real_root, url_segments
from siteseer.http.conditional import (
    if_range_allows_range,
    is_not_modified,
    is_precondition_failed,
    make_etag,
)
from siteseer.http.dates import format_http_date
from siteseer.http.encoding import choose_encoding
from siteseer.http.locations import join_query
from siteseer.http.mimetypes import CHARSET_SNIFF_BYTES, UTF8_CHARSET, checked_charset, guess_type, is_compressible
from siteseer.http.ranges import UNSATISFIABLE, content_range, parse_range
from siteseer.server.messages import Request, Response

__all__ = ["FileServer", "SMALL_FILE_BYTES"]

# Files up to this size are answered from memory (read once, re-checked by
# stat): measured, a 100 KiB file went 0.41x nginx through the file sender.
SMALL_FILE_BYTES = 256 << 10
# Compressible files above this are sent as they are (zero-copy) instead of
# being read whole into memory for compression.
MAX_COMPRESS_FILE_BYTES = min(8 << 20, MAX_COMPRESS_BYTES)
# Multipart range answers are built in memory; above this total the Range
# header is ignored and the whole file is sent (zero-copy) instead.
MAX_MULTIPART_BYTES = 8 << 20
# Reads and compressions of bodies above this size leave the event loop.
_THREAD_THRESHOLD = 64 << 10

_ALLOWED_METHODS = ("GET", "HEAD")
_ALLOW = "GET, HEAD"


def _open_checked(path: str, dev: int, ino: int) -> int:
    """A descriptor of ``path``, only if it is still the file ``lookup`` stat-ed (``dev``, ``ino``).

    ``lookup`` checked each part of the path with ``lstat``; by the time the
    file is opened its name may have been swapped for a symlink to a file
    outside the folder (or a folder on the way for a link elsewhere): a plain
    ``open`` follows either. ``O_NOFOLLOW`` refuses a link, the ``fstat`` any
    other file. ``handles.OpenFiles`` checks the files granian sends the same
    way. Raises OSError.
    """
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    try:
        st = os.fstat(fd)
        if st.st_ino != ino or st.st_dev != dev:
            raise FileNotFoundError(errno.ENOENT, "replaced since it was looked up", path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _head(path: str, st: os.stat_result, size: int) -> bytes:
    """The first ``size`` bytes of the file (fewer if it cannot be read: the answer will say why)."""
    try:
        with open(_open_checked(path, st.st_dev, st.st_ino), "rb", buffering=0) as f:
            return f.read(size)
    except OSError:
        return b""


class _FileInfo:
    """What one version (size, mtime_ns) of one file needs for its headers."""

    __slots__ = (
        "size", "mtime_ns", "mtime", "content_type", "etag", "last_modified",
        "compressible", "headers", "headers_304", "variant_etags", "body", "ino", "dev",
    )

    def __init__(self, path: str, st: os.stat_result, cache_control: str, compress_min_bytes: int):
        self.size = st.st_size
        self.mtime_ns = st.st_mtime_ns
        self.ino = st.st_ino  # a file replaced by one of the same size and mtime is still new
        self.dev = st.st_dev  # with ino: the file the reads must find (_open_checked)
        # RFC 9110 8.8.2.1: a Last-Modified later than the answer's Date is a
        # MUST NOT; a file dated in the future (a wrong clock, an archive, touch -d)
        # is taken as modified now. The comparisons use the same time, so the
        # client's echo of that date still gets its 304, not a 412.
        self.mtime = min(int(st.st_mtime), int(time.time()))
        self.content_type = guess_type(path)
        if self.content_type.endswith(UTF8_CHARSET) and self.size:
            self.content_type = checked_charset(self.content_type, _head(path, st, min(self.size, CHARSET_SNIFF_BYTES)))
        self.etag = make_etag(self.size, self.mtime_ns)
        self.last_modified = format_http_date(self.mtime)
        self.compressible = (
            compress_min_bytes <= self.size <= MAX_COMPRESS_FILE_BYTES and is_compressible(self.content_type)
        )
        # Headers every answer about this file carries (copied per response:
        # the core appends its own headers to the list).
        headers = [("content-type", self.content_type), ("accept-ranges", "bytes"),
                   ("last-modified", self.last_modified)]
        if cache_control:
            headers.append(("cache-control", cache_control))
        if self.compressible:
            headers.append(("vary", "Accept-Encoding"))
        self.headers = headers
        # RFC 9110 15.4.5: a 304 carries the cache-related fields, not the
        # representation's metadata.
        self.headers_304 = [(k, v) for k, v in headers if k in ("cache-control", "vary")]
        self.variant_etags: dict[str, str] = {}
        self.body: bytes | None = None  # the file's bytes, for small files

    def etag_for(self, encoding: str | None) -> str:
        if encoding is None:
            return self.etag
        etag = self.variant_etags.get(encoding)
        if etag is None:
            etag = self.variant_etags[encoding] = make_etag(self.size, self.mtime_ns, encoding)
        return etag


class FileServer:
    """The handler for the folder's own files (see the module docstring).

    ``memory_cache_bytes`` bounds the small-file bodies kept in memory and
    ``max_entries`` the number of files whose metadata is remembered; the
    compressed variants live in ``compression_cache`` (shared with the core's
    ``compress_body`` by default).
    """

    def __init__(
        self,
        config: Config,
        *,
        compression_cache: CompressionCache | None = None,
        memory_cache_bytes: int = 32 << 20,
        max_entries: int = 4096,
    ):
        files = config.files
        self.root = real_root(str(config.root))
        self.serve_dotfiles = files.serve_dotfiles
        self.directory_listing = files.directory_listing
        self.compress_min_bytes = files.compress_min_bytes
        self.cache_control = files.cache_control
        self.redirect_status = 301
        self.compression_cache = default_cache if compression_cache is None else compression_cache
        self.memory_cache_bytes = memory_cache_bytes
        self.max_entries = max_entries
        self._infos: OrderedDict[str, _FileInfo] = OrderedDict()
        self._memory_used = 0
        self._pending: dict[tuple, asyncio.Future] = {}
        self.private = PrivatePaths(self.root, config.state_dir, config.config_path)
        self.open_files = OpenFiles()  # what granian sends: the version stat-ed

    def _is_private(self, real: str) -> bool:
        return real in self.private

    # -- entry point ---------------------------------------------------------

    async def __call__(self, request: Request) -> Response | None:
        path = request.path
        segments = url_segments(path, self.serve_dotfiles)
        if segments is None:
            return None
        found = lookup(self.root, segments, self.serve_dotfiles)
        if found is None:
            return None
        real, st = found
        if self._is_private(real):
            return None
        mode = st.st_mode
        if stat.S_ISREG(mode):
            if path.endswith("/"):
                return None  # "/a.txt/" names a folder that does not exist
            if request.method not in _ALLOWED_METHODS:
                return _method_not_allowed()
            return await self._serve_file(request, real, st)
        if stat.S_ISDIR(mode):
            return await self._serve_directory(request, real, segments)
        return None  # fifos, sockets, devices

    # -- folders -------------------------------------------------------------

    async def _serve_directory(self, request: Request, real: str, segments: list[str]) -> Response | None:
        if not request.path.endswith("/"):
            if request.method not in _ALLOWED_METHODS:
                return _method_not_allowed()
            # Built from the checked segments, never from the raw path: "//evil.example"
            # must not become a protocol-relative redirect to another site.
            location = join_query(quote("/" + "/".join(segments) + "/", safe="/"), request.raw_query)
            return Response(self.redirect_status, [("location", location), ("content-type", "text/plain; charset=utf-8")],
                            b"Moved Permanently\n")
        found = lookup(self.root, [*segments, "index.html"], self.serve_dotfiles)
        if found is not None and stat.S_ISREG(found[1].st_mode) and not self._is_private(found[0]):
            if request.method not in _ALLOWED_METHODS:
                return _method_not_allowed()
            return await self._serve_file(request, found[0], found[1])
        if not self.directory_listing:
            return None
        if request.method not in _ALLOWED_METHODS:
            return _method_not_allowed()
        try:
            return await asyncio.to_thread(self._listing, request, real, "/" + "".join(s + "/" for s in segments))
        except OSError:
            return None  # unreadable or removed meanwhile

    def _listing(self, request: Request, real: str, url_path: str) -> Response:
        """The listing page of the folder ``real``, compressed for the client: made in a
        thread (a folder of thousands of files takes milliseconds to read, render and
        compress; its page is ~110 bytes an entry, ~10x less compressed)."""
        entries, truncated = list_directory(real, self.serve_dotfiles, self.private.files, self.root)
        headers = [("content-type", "text/html; charset=utf-8")]
        if self.cache_control:
            headers.append(("cache-control", self.cache_control))
        response = Response(200, headers, render_listing(url_path, entries, truncated).encode("utf-8"))
        compress_response(response, request.headers.get("accept-encoding"), self.compress_min_bytes)
        return response

    # -- files ---------------------------------------------------------------

    def _info(self, real: str, st: os.stat_result) -> _FileInfo:
        """The cached metadata for this version of the file (replaced if it changed)."""
        info = self._infos.get(real)
        if (info is not None and info.mtime_ns == st.st_mtime_ns and info.size == st.st_size
                and info.ino == st.st_ino):
            self._infos.move_to_end(real)
            return info
        if info is not None:
            self._forget(real)
        info = _FileInfo(real, st, self.cache_control, self.compress_min_bytes)
        self._infos[real] = info
        if len(self._infos) > self.max_entries:
            self._forget(next(iter(self._infos)))
        return info

    def _forget(self, real: str) -> None:
        self.open_files.forget(real)
        info = self._infos.pop(real, None)
        if info is not None and info.body is not None:
            self._memory_used -= len(info.body)

    def _remember_body(self, info: _FileInfo, body: bytes) -> None:
        """Keep a small file's bytes, evicting the least recently used bodies."""
        if info.body is not None or len(body) > self.memory_cache_bytes:
            return
        info.body = body
        self._memory_used += len(body)
        if self._memory_used > self.memory_cache_bytes:
            for other in self._infos.values():  # oldest first
                if other.body is not None and other is not info:
                    self._memory_used -= len(other.body)
                    other.body = None
                    if self._memory_used <= self.memory_cache_bytes:
                        break

    async def _serve_file(self, request: Request, real: str, st: os.stat_result) -> Response | None:
        info = self._info(real, st)
        headers_in = request.headers

        # The representation this request selects (RFC 9110 3.2) comes first:
        # the validators are compared with its ETag. A range is always cut
        # from the plain file, so a Range request selects the plain file.
        range_header = headers_in.get("range") if request.method == "GET" else None
        encoding = None
        if info.compressible and range_header is None:
            encoding = choose_encoding(headers_in.get("accept-encoding"))
        etag = info.etag if encoding is None else info.etag_for(encoding)

        if_match = headers_in.get("if-match")
        if_unmodified_since = headers_in.get("if-unmodified-since")
        # If-Match names the tag the client was sent, which for a compressed
        # answer is the variant's ("...-gzip"); the plain file's tag names the
        # same version, and a whole body cannot be mixed up with another's.
        if (if_match is not None or if_unmodified_since is not None) and is_precondition_failed(
            if_match, if_unmodified_since, info.etag if etag == info.etag else (etag, info.etag), info.mtime
        ):
            return Response(412, [("etag", etag), ("content-type", "text/plain; charset=utf-8")],
                            b"Precondition Failed\n")

        not_modified = _not_modified(headers_in, info, etag)
        if not_modified is not None:
            return not_modified

        if range_header is not None and if_range_allows_range(headers_in.get("if-range"), etag, info.last_modified):
            ranges = parse_range(range_header, info.size)
            if ranges is UNSATISFIABLE:
                return Response(416, [("content-range", f"bytes */{info.size}"), ("accept-ranges", "bytes"),
                                      ("content-type", "text/plain; charset=utf-8")], b"Range Not Satisfiable\n")
            if ranges:
                return await self._serve_ranges(real, st, info, ranges)

        if encoding is not None:
            body = await self._compressed(real, info, encoding)
            if body is not None:
                headers = info.headers.copy()
                headers.append(("etag", etag))
                headers.append(("content-encoding", encoding))
                return Response(200, headers, body)
            # Compression did not help: send the file as it is from now on. The
            # validators were compared with the variant's tag, which is never sent.
            info.compressible = False
            not_modified = _not_modified(headers_in, info, info.etag)
            if not_modified is not None:
                return not_modified

        headers = info.headers.copy()
        headers.append(("etag", info.etag))
        if info.size <= SMALL_FILE_BYTES:
            body = info.body if info.body is not None else self._read_small(real, info)
            if body is None:
                return None  # vanished or changed under us: 404 rather than wrong bytes
            return Response(200, headers, body)
        return self._send_file(real, st, Response(200, headers), (0, info.size))

    def _send_file(self, real: str, st: os.stat_result, response: Response,
                   file_range: tuple[int, int]) -> Response | None:
        """``response`` with granian sending ``file_range`` of exactly the version ``st`` describes."""
        path = self.open_files.path_for(real, st)
        if path is None:
            self._forget(real)
            return None  # replaced or removed since the stat: 404 rather than wrong bytes
        response.headers.append(("content-length", str(file_range[1] - file_range[0])))
        response.file = path
        if response.status == 206:
            response.file_range = file_range
        return response

    def _read_small(self, real: str, info: _FileInfo) -> bytes | None:
        """Read a small file on the loop (one short read) and keep it in memory."""
        try:
            with open(_open_checked(real, info.dev, info.ino), "rb", buffering=0) as f:
                data = f.read(info.size + 1)
        except OSError:
            self._forget(real)
            return None
        if len(data) != info.size:
            self._forget(real)  # changed since the stat: headers would lie
            return None
        self._remember_body(info, data)
        return data

    async def _read_whole(self, real: str, info: _FileInfo) -> bytes | None:
        if info.body is not None:
            return info.body
        if info.size <= SMALL_FILE_BYTES:
            return self._read_small(real, info)
        try:
            data = await asyncio.to_thread(_read_file, real, info)
        except OSError:
            self._forget(real)
            return None
        return data if len(data) == info.size else None

    async def _compressed(self, real: str, info: _FileInfo, encoding: str) -> bytes | None:
        """This file version compressed with ``encoding``, once per worker.

        Concurrent first requests share one compression (a popular script
        right after a deploy must not be compressed a hundred times).
        Returns ``None`` when compression does not make it smaller or the
        file cannot be read.
        """
        key = (real, info.size, info.mtime_ns, info.ino, encoding)  # ino: see _FileInfo
        cached = self.compression_cache.get(key)
        if cached is not None:
            return cached if len(cached) < info.size else None
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            data = await self._read_whole(real, info)
            result: bytes | None = None
            if data is not None:
                if len(data) > _THREAD_THRESHOLD:
                    compressed = await asyncio.to_thread(compress, data, encoding)
                else:
                    compressed = compress(data, encoding)
                self.compression_cache.put(key, compressed)
                if len(compressed) < len(data):
                    result = compressed
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters may not exist
            raise
        finally:
            self._pending.pop(key, None)

    async def _serve_ranges(self, real: str, st: os.stat_result, info: _FileInfo,
                            ranges: list[tuple[int, int]]) -> Response | None:
        size = info.size
        if len(ranges) == 1:
            start, end = ranges[0]
            headers = info.headers.copy()
            headers.append(("etag", info.etag))
            headers.append(("content-range", content_range(start, end, size)))
            if info.body is not None:
                return Response(206, headers, info.body[start:end])
            return self._send_file(real, st, Response(206, headers), (start, end))

        total = sum(end - start for start, end in ranges)
        if total > MAX_MULTIPART_BYTES:
            # Too much to assemble in memory: the whole file, zero-copy, is
            # a valid answer to any Range request.
            headers = info.headers.copy()
            headers.append(("etag", info.etag))
            return self._send_file(real, st, Response(200, headers), (0, size))
        try:
            if info.body is not None:
                parts = [info.body[start:end] for start, end in ranges]
            elif total <= _THREAD_THRESHOLD:
                parts = _read_ranges(real, info, ranges)
            else:
                parts = await asyncio.to_thread(_read_ranges, real, info, ranges)
        except OSError:
            self._forget(real)
            return None
        boundary = secrets.token_hex(16)
        part_type = info.content_type
        chunks: list[bytes] = []
        for (start, end), part in zip(ranges, parts):
            if len(part) != end - start:
                self._forget(real)
                return None  # the file shrank under us
            chunks.append(
                f"--{boundary}\r\ncontent-type: {part_type}\r\n"
                f"content-range: {content_range(start, end, size)}\r\n\r\n".encode("latin-1")
            )
            chunks.append(part)
            chunks.append(b"\r\n")
        chunks.append(f"--{boundary}--\r\n".encode("latin-1"))
        headers = [(k, v) for k, v in info.headers if k != "content-type"]
        headers.append(("content-type", f"multipart/byteranges; boundary={boundary}"))
        headers.append(("etag", info.etag))
        return Response(206, headers, b"".join(chunks))


def _not_modified(headers_in, info: _FileInfo, etag: str) -> Response | None:
    """The 304 for a request whose If-None-Match / If-Modified-Since the answer tagged ``etag`` meets; else None."""
    if_none_match = headers_in.get("if-none-match")
    if_modified_since = headers_in.get("if-modified-since")
    if (if_none_match is None and if_modified_since is None) or not is_not_modified(
        if_none_match, if_modified_since, etag, info.last_modified, info.mtime
    ):
        return None
    headers = info.headers_304.copy()
    headers.append(("etag", etag))
    return Response(304, headers)


def _method_not_allowed() -> Response:
    return Response(405, [("allow", _ALLOW), ("content-type", "text/plain; charset=utf-8")], b"Method Not Allowed\n")


def _read_file(path: str, info: _FileInfo) -> bytes:
    with open(_open_checked(path, info.dev, info.ino), "rb") as f:  # buffered: read() loops over short reads
        return f.read(info.size + 1)


def _read_ranges(path: str, info: _FileInfo, ranges: list[tuple[int, int]]) -> list[bytes]:
    fd = _open_checked(path, info.dev, info.ino)
    try:
        return [os.pread(fd, end - start, start) for start, end in ranges]
    finally:
        os.close(fd)
