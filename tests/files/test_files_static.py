"""FileServer, in-process: build Requests, await the server, check the Response."""

from __future__ import annotations

import asyncio
import gzip
import os
import re

import brotli
import pytest

import siteseer.files.static as static_module
from filesite import BIG_BIN, BIG_JS, SECRET, get, make_config
from siteseer.files.compress import CompressionCache
from siteseer.files.static import SMALL_FILE_BYTES, FileServer
from siteseer.http.dates import format_http_date
from siteseer.server.messages import Request


@pytest.fixture
def server(site):
    return FileServer(make_config(site), compression_cache=CompressionCache())


def body_of(response) -> bytes:
    """What the client would receive, whether body, file or file range."""
    if response.file is None:
        return response.body
    with open(response.file, "rb") as f:
        if response.file_range is None:
            return f.read()
        start, end = response.file_range
        f.seek(start)
        return f.read(end - start)


# -- plain GET / HEAD ------------------------------------------------------------

def test_small_text_file(server, site):
    r = get(server, "/a.txt")
    assert r.status == 200
    assert r.body == b"hello\n"
    assert r.header("content-type") == "text/plain; charset=utf-8"
    assert r.header("accept-ranges") == "bytes"
    assert r.header("cache-control") == "no-cache"
    assert re.fullmatch(r'"[0-9a-f]+-6"', r.header("etag"))
    assert r.header("last-modified") == format_http_date(os.stat(site / "a.txt").st_mtime)
    assert r.header("vary") is None  # below compress_min_bytes
    assert r.header("content-encoding") is None


def test_head_has_the_same_headers(server):
    get_response, head_response = get(server, "/a.txt"), get(server, "/a.txt", "HEAD")
    assert head_response.status == 200
    assert head_response.headers == get_response.headers


def test_cache_control_from_config(site):
    server = FileServer(make_config(site, cache_control="public, max-age=60"))
    assert get(server, "/a.txt").header("cache-control") == "public, max-age=60"
    server = FileServer(make_config(site, cache_control=""))
    assert get(server, "/a.txt").header("cache-control") is None


def test_large_file_goes_out_zero_copy(server, site):
    r = get(server, "/big.bin")
    assert r.status == 200
    assert r.body == b""
    assert r.file.startswith("/proc/self/fd/")  # the version stat-ed, whatever the path names later
    assert os.path.realpath(r.file) == os.path.realpath(site / "big.bin")
    assert r.file_range is None
    assert r.header("content-length") == str(len(BIG_BIN))
    assert r.header("content-type") == "application/octet-stream"
    assert body_of(r) == BIG_BIN


def test_empty_file(server):
    r = get(server, "/empty.txt")
    assert r.status == 200 and r.body == b""


@pytest.mark.parametrize("path, ctype", [("/small.js", "text/javascript; charset=utf-8"),
                                         ("/doc.pdf", "application/pdf"), ("/image.png", "image/png")])
def test_content_types(server, path, ctype):
    assert get(server, path).header("content-type") == ctype


def test_other_method_on_a_file_is_405(server):
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH"):
        r = get(server, "/a.txt", method)
        assert r.status == 405
        assert r.header("allow") == "GET, HEAD"


def test_other_method_on_a_missing_path_is_nothing(server):
    assert get(server, "/missing.txt", "POST") is None


# -- what is not served ----------------------------------------------------------

@pytest.mark.parametrize(
    "path",
    [
        "/missing.txt", "/sub/missing.html", "/a.txt/", "/a.txt/x",
        "/../secret.txt", "/sub/../../secret.txt", "/..%2fsecret.txt", "/a.txt\x00",
        "/..\\secret.txt", "/.env", "/.git/config", "/.git/", "/.siteseer/catalog.db", "/plain/.hidden",
        "/escape.txt", "/escape_rel.txt", "/escape_dir/x.txt", "/escape_dir/", "/escape_prefix/p.txt",
        "/innocent.txt", "/broken.txt", "/fifo", "/siteseer.toml",
    ],
)
def test_not_served(server, path):
    assert get(server, path) is None


def test_dotfiles_when_allowed_but_never_siteseer_own_files(site):
    server = FileServer(make_config(site, serve_dotfiles=True))
    assert get(server, "/.env").body == b"PASSWORD=x\n"
    assert get(server, "/innocent.txt").body == b"PASSWORD=x\n"
    assert get(server, "/.git/config").status == 200
    assert get(server, "/.siteseer/catalog.db") is None
    assert get(server, "/.siteseer/") is None
    assert get(server, "/siteseer.toml") is None
    assert get(server, "/../secret.txt") is None


def test_state_dir_outside_dotfiles_is_still_private(site):
    config = make_config(site)
    config.index.state_dir = "sub"
    server = FileServer(config)
    assert get(server, "/sub/page.html") is None
    assert get(server, "/sub/") is None
    assert get(server, "/a.txt").status == 200


def test_symlink_inside_root_is_served(server):
    assert get(server, "/link.txt").body == b"hello\n"
    assert get(server, "/sublink/page.html").body == b"<p>page</p>"


def test_nothing_from_outside_ever(server):
    for path in ("/escape.txt", "/escape_rel.txt", "/escape_dir/x.txt", "/escape_prefix/p.txt"):
        r = get(server, path)
        assert r is None or SECRET not in body_of(r)


# -- folders ---------------------------------------------------------------------

def test_folder_without_slash_redirects_keeping_query(server):
    r = get(server, "/sub", query="a=1&b=%20")
    assert r.status == 301
    assert r.header("location") == "/sub/?a=1&b=%20"
    # A query sent as raw UTF-8 (granian hands it over as it came): a Location header is ASCII.
    assert get(server, "/sub", query="q=\u00e9").header("location") == "/sub/?q=%C3%A9"


def test_redirect_location_is_never_protocol_relative(server):
    r = get(server, "//evil.example")
    assert r.status == 301
    assert r.header("location") == "/evil.example/"


def test_redirect_location_is_percent_encoded(site):
    (site / "a b?c").mkdir()
    r = get(FileServer(make_config(site)), "/a b?c")
    assert r.header("location") == "/a%20b%3Fc/"


def test_folder_with_index(server):
    r = get(server, "/sub/")
    assert r.status == 200
    assert r.body == b"<h1>sub</h1>"
    assert r.header("content-type") == "text/html; charset=utf-8"
    assert r.header("etag")


def test_folder_listing(server):
    r = get(server, "/plain/")
    assert r.status == 200
    assert r.header("content-type") == "text/html; charset=utf-8"
    page = r.body.decode()
    assert "&lt;b&gt;&amp;&#x27;&quot;name.txt" in page
    assert "<b>&" not in page
    assert 'href="%3Cb%3E%26%27%22name.txt"' in page
    assert 'href="folder/"' in page
    assert ".hidden" not in page


def test_listing_hides_dotfiles_and_private_files_at_the_top(site):
    page = get(FileServer(make_config(site)), "/escape_dir/")
    assert page is None
    server = FileServer(make_config(site, serve_dotfiles=True))
    (site / "sub" / "index.html").unlink()
    page = get(server, "/sub/").body.decode()
    assert "page.html" in page
    # the root folder listing (when the core lets "/" through)
    (site / "index.html").unlink()
    page = get(server, "/").body.decode()
    assert ".env" in page and ".siteseer" not in page and "siteseer.toml" not in page


def test_folder_listing_off(site):
    server = FileServer(make_config(site, directory_listing=False))
    assert get(server, "/plain/") is None
    assert get(server, "/sub/").status == 200  # index.html still served


def test_other_method_on_a_folder(server):
    assert get(server, "/plain/", "POST").status == 405
    assert get(server, "/sub", "DELETE").status == 405


# -- conditional requests --------------------------------------------------------

def test_if_none_match_gives_304(server):
    etag = get(server, "/a.txt").header("etag")
    r = get(server, "/a.txt", if_none_match=etag)
    assert r.status == 304
    assert r.body == b"" and r.file is None
    assert r.header("etag") == etag
    assert r.header("cache-control") == "no-cache"
    assert r.header("content-type") is None
    assert get(server, "/a.txt", if_none_match="W/" + etag).status == 304
    assert get(server, "/a.txt", if_none_match=f'"x", {etag}').status == 304
    assert get(server, "/a.txt", if_none_match="*").status == 304
    assert get(server, "/a.txt", if_none_match='"stale"').status == 200


def test_if_modified_since(server):
    last_modified = get(server, "/a.txt").header("last-modified")
    assert get(server, "/a.txt", if_modified_since=last_modified).status == 304
    assert get(server, "/a.txt", if_modified_since="Fri, 01 Jan 1999 00:00:00 GMT").status == 200
    assert get(server, "/a.txt", if_modified_since="garbage").status == 200
    # If-None-Match takes precedence.
    assert get(server, "/a.txt", if_modified_since=last_modified, if_none_match='"stale"').status == 200


def test_if_match_412(server):
    etag = get(server, "/a.txt").header("etag")
    assert get(server, "/a.txt", if_match=etag).status == 200
    assert get(server, "/a.txt", if_match='"stale"').status == 412
    assert get(server, "/a.txt", if_unmodified_since="Fri, 01 Jan 1999 00:00:00 GMT").status == 412


def test_large_file_304(server):
    etag = get(server, "/big.bin").header("etag")
    r = get(server, "/big.bin", if_none_match=etag)
    assert r.status == 304 and r.file is None


# -- ranges ----------------------------------------------------------------------

def test_single_range_on_large_file_uses_file_range(server):
    r = get(server, "/big.bin", range="bytes=1000-1999")
    assert r.status == 206
    assert r.file_range == (1000, 2000)
    assert r.header("content-range") == f"bytes 1000-1999/{len(BIG_BIN)}"
    assert r.header("content-length") == "1000"
    assert body_of(r) == BIG_BIN[1000:2000]


def test_suffix_and_open_ranges(server):
    r = get(server, "/big.bin", range="bytes=-10")
    assert body_of(r) == BIG_BIN[-10:]
    r = get(server, "/big.bin", range="bytes=3145720-")
    assert body_of(r) == BIG_BIN[3145720:]


def test_single_range_on_small_file(server):
    r = get(server, "/a.txt", range="bytes=1-3")
    assert r.status == 206
    assert body_of(r) == b"ell"
    assert r.header("content-range") == "bytes 1-3/6"


def _parse_multipart(response):
    boundary = re.fullmatch(r"multipart/byteranges; boundary=(\S+)", response.header("content-type")).group(1)
    parts = response.body.split(b"--" + boundary.encode())
    assert parts[0] == b"" and parts[-1] == b"--\r\n"
    result = []
    for part in parts[1:-1]:
        head, _, data = part.partition(b"\r\n\r\n")
        assert data.endswith(b"\r\n")
        content_range = re.search(rb"content-range: bytes (\d+)-(\d+)/(\d+)", head)
        result.append((int(content_range[1]), int(content_range[2]), data[:-2], head))
    return result


def test_multiple_ranges_are_multipart(server):
    r = get(server, "/big.bin", range="bytes=0-9, 1000-1099, -5")
    assert r.status == 206
    parts = _parse_multipart(r)
    assert [(s, e) for s, e, _, _ in parts] == [(0, 9), (1000, 1099), (len(BIG_BIN) - 5, len(BIG_BIN) - 1)]
    for start, end, data, head in parts:
        assert data == BIG_BIN[start:end + 1]
        assert b"content-type: application/octet-stream" in head


def test_multiple_ranges_on_small_file(server):
    parts = _parse_multipart(get(server, "/a.txt", range="bytes=0-0,4-5"))
    assert [d for _, _, d, _ in parts] == [b"h", b"o\n"]
    assert b"text/plain" in parts[0][3]


def test_overlapping_ranges_are_coalesced(server):
    r = get(server, "/big.bin", range="bytes=" + ",".join(["0-"] * 50))
    assert r.status == 206
    assert r.file_range == (0, len(BIG_BIN))


def test_too_large_multipart_falls_back_to_the_whole_file(server):
    r = get(server, "/big.bin", range="bytes=0-10,2000000-")  # about 1.1 MB: within the limit
    assert r.status == 206
    static_module.MAX_MULTIPART_BYTES, saved = 1000, static_module.MAX_MULTIPART_BYTES
    try:
        r = get(server, "/big.bin", range="bytes=0-10,2000000-")
    finally:
        static_module.MAX_MULTIPART_BYTES = saved
    assert r.status == 200 and r.file and r.file_range is None


def test_unsatisfiable_range_416(server):
    r = get(server, "/big.bin", range=f"bytes={len(BIG_BIN)}-")
    assert r.status == 416
    assert r.header("content-range") == f"bytes */{len(BIG_BIN)}"


def test_malformed_range_is_ignored(server):
    r = get(server, "/big.bin", range="bytes=9-1")
    assert r.status == 200 and r.file_range is None


def test_range_is_ignored_for_head(server):
    assert get(server, "/big.bin", "HEAD", range="bytes=0-9").status == 200


def test_if_range(server):
    first = get(server, "/big.bin")
    etag, last_modified = first.header("etag"), first.header("last-modified")
    assert get(server, "/big.bin", range="bytes=0-9", if_range=etag).status == 206
    assert get(server, "/big.bin", range="bytes=0-9", if_range=last_modified).status == 206
    assert get(server, "/big.bin", range="bytes=0-9", if_range='"stale"').status == 200
    assert get(server, "/big.bin", range="bytes=0-9", if_range="W/" + etag).status == 200
    assert get(server, "/big.bin", range="bytes=0-9", if_range="Fri, 01 Jan 1999 00:00:00 GMT").status == 200


# -- compression -----------------------------------------------------------------

@pytest.mark.parametrize("accept, encoding, decode", [
    ("gzip, deflate, br", "br", brotli.decompress),
    ("gzip", "gzip", gzip.decompress),
])
def test_compression(server, accept, encoding, decode):
    r = get(server, "/big.js", accept_encoding=accept)
    assert r.status == 200
    assert r.header("content-encoding") == encoding
    assert r.header("vary") == "Accept-Encoding"
    assert r.header("etag").endswith(f'-{encoding}"')
    assert r.header("content-type") == "text/javascript; charset=utf-8"
    assert len(r.body) < len(BIG_JS)
    assert decode(r.body) == BIG_JS


def test_no_compression_without_accept_encoding_but_vary(server):
    r = get(server, "/big.js")
    assert r.header("content-encoding") is None
    assert r.header("vary") == "Accept-Encoding"
    assert r.body == BIG_JS


def test_never_compress_media_or_small_files(server):
    for path in ("/image.png", "/doc.pdf", "/big.bin", "/small.js"):
        r = get(server, path, accept_encoding="br, gzip")
        assert r.header("content-encoding") is None, path
        assert r.header("vary") is None, path


def test_never_compress_a_range(server):
    r = get(server, "/big.js", accept_encoding="br", range="bytes=0-9")
    assert r.status == 206
    assert r.header("content-encoding") is None
    assert body_of(r) == BIG_JS[:10]


def test_compressed_variant_304(server):
    etag = get(server, "/big.js", accept_encoding="br").header("etag")
    assert get(server, "/big.js", accept_encoding="br", if_none_match=etag).status == 304
    # The br ETag does not validate the gzip representation.
    assert get(server, "/big.js", accept_encoding="gzip", if_none_match=etag).status == 200


def test_compressed_once_then_cached(site, monkeypatch):
    cache = CompressionCache()
    server = FileServer(make_config(site), compression_cache=cache)
    calls = []
    real_compress = static_module.compress
    monkeypatch.setattr(static_module, "compress", lambda data, enc: calls.append(enc) or real_compress(data, enc))
    for _ in range(3):
        assert brotli.decompress(get(server, "/big.js", accept_encoding="br").body) == BIG_JS
    assert calls == ["br"]
    assert len(cache) == 1 and cache.hits == 2


def test_concurrent_first_requests_compress_once(site, monkeypatch):
    server = FileServer(make_config(site), compression_cache=CompressionCache())
    calls = []
    real_compress = static_module.compress
    monkeypatch.setattr(static_module, "compress", lambda data, enc: calls.append(enc) or real_compress(data, enc))
    monkeypatch.setattr(static_module, "_THREAD_THRESHOLD", 0)  # force the thread path: requests overlap

    async def many():
        request = Request("GET", "/big.js", "", {"accept-encoding": "br"})
        return await asyncio.gather(*(server(request) for _ in range(10)))

    responses = asyncio.run(many())
    assert all(brotli.decompress(r.body) == BIG_JS for r in responses)
    assert calls == ["br"]


def test_compress_min_bytes_from_config(site):
    server = FileServer(make_config(site, compress_min_bytes=5))
    assert get(server, "/small.js", accept_encoding="gzip").header("vary") == "Accept-Encoding"
    server = FileServer(make_config(site, compress_min_bytes=10**9))
    assert get(server, "/big.js", accept_encoding="gzip").header("content-encoding") is None


def test_incompressible_text_is_sent_plain(site):
    noise = os.urandom(4000)  # random bytes never shrink
    (site / "noise.txt").write_bytes(noise)
    server = FileServer(make_config(site), compression_cache=CompressionCache())
    for _ in range(2):  # first: tried and found useless; then: remembered
        r = get(server, "/noise.txt", accept_encoding="gzip, br")
        assert r.header("content-encoding") is None
        assert r.body == noise
        assert not r.header("etag").endswith('-gzip"')


def test_incompressible_text_meets_its_own_tag_the_first_time_too(site):
    """The first request with Accept-Encoding compared If-None-Match with the gzip
    variant's tag, then sent the plain file: a 200 for the tag the client had."""
    (site / "noise.txt").write_bytes(os.urandom(4000))
    etag = get(FileServer(make_config(site)), "/noise.txt").header("etag")
    server = FileServer(make_config(site), compression_cache=CompressionCache())
    assert get(server, "/noise.txt", accept_encoding="gzip", if_none_match=etag).status == 304


# -- memory cache, changes, races ----------------------------------------------

def test_changed_file_is_served_fresh(server, site):
    path = site / "a.txt"
    first = get(server, "/a.txt")
    path.write_text("changed content\n")
    os.utime(path, ns=(1_800_000_000 * 10**9, 1_800_000_000 * 10**9))
    second = get(server, "/a.txt")
    assert second.body == b"changed content\n"
    assert second.header("etag") != first.header("etag")


def test_same_size_change_is_noticed_by_mtime(server, site):
    path = site / "a.txt"
    get(server, "/a.txt")
    path.write_text("HELLO\n")
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert get(server, "/a.txt").body == b"HELLO\n"


def test_memory_cache_is_bounded(site):
    for i in range(20):
        (site / f"f{i}.txt").write_bytes(bytes([65 + i]) * 1000)
    server = FileServer(make_config(site), memory_cache_bytes=5000)
    for i in range(20):
        assert get(server, f"/f{i}.txt").body == bytes([65 + i]) * 1000
        assert server._memory_used <= 5000
    assert get(server, "/f19.txt").body == bytes([65 + 19]) * 1000
    assert get(server, "/f0.txt").body == bytes([65]) * 1000


def test_metadata_cache_is_bounded(site):
    server = FileServer(make_config(site), max_entries=3)
    for path in ("/a.txt", "/small.js", "/big.js", "/index.html", "/sub/page.html"):
        assert get(server, path).status == 200
    assert len(server._infos) == 3


def test_file_vanishing_after_stat_is_404_not_500(server, site, monkeypatch):
    real_lookup = static_module.lookup

    def lookup_then_delete(root, segments, dotfiles):
        found = real_lookup(root, segments, dotfiles)
        if found is not None and os.path.isfile(found[0]):
            os.unlink(found[0])
        return found

    monkeypatch.setattr(static_module, "lookup", lookup_then_delete)
    assert get(server, "/a.txt") is None
    assert get(server, "/big.js", accept_encoding="gzip") is None
    assert get(server, "/big.css") is None
    assert get(server, "/index.html", range="bytes=0-1,3-4") is None


def test_file_growing_after_stat_is_not_served_with_wrong_length(server, site, monkeypatch):
    real_lookup = static_module.lookup

    def lookup_then_grow(root, segments, dotfiles):
        found = real_lookup(root, segments, dotfiles)
        with open(found[0], "ab") as f:
            f.write(b"more")
        return found

    monkeypatch.setattr(static_module, "lookup", lookup_then_grow)
    r = get(server, "/a.txt")
    if r is not None:  # whatever is sent must agree with its own ETag's size
        size_in_etag = int(r.header("etag").strip('"').split("-")[1], 16)
        assert size_in_etag == len(r.body)


def test_small_file_threshold(site):
    (site / "edge.bin").write_bytes(b"x" * SMALL_FILE_BYTES)
    (site / "over.bin").write_bytes(b"x" * (SMALL_FILE_BYTES + 1))
    server = FileServer(make_config(site))
    assert get(server, "/edge.bin").file is None
    assert get(server, "/over.bin").file is not None


def test_a_text_file_that_is_not_utf8_is_not_said_to_be(site):
    """A legacy page's own <meta charset> (or the browser's guess) must win, as with nginx."""
    (site / "legacy.html").write_bytes('<meta charset="shift_jis"><p>東京都</p>'.encode("shift_jis"))
    (site / "latin.txt").write_bytes("café crème".encode("latin-1"))
    (site / "big-utf8.txt").write_bytes(("é" * 40_000 + "\n").encode("utf-8"))  # more than is read to check
    server = FileServer(make_config(site), compression_cache=CompressionCache())
    assert get(server, "/legacy.html").header("content-type") == "text/html"
    assert get(server, "/latin.txt").header("content-type") == "text/plain"
    assert get(server, "/latin.txt", "HEAD").header("content-type") == "text/plain"
    assert get(server, "/big-utf8.txt").header("content-type") == "text/plain; charset=utf-8"
    (site / "latin.txt").write_bytes("now café in UTF-8, a longer file".encode("utf-8"))  # a new version is read again
    assert get(server, "/latin.txt").header("content-type") == "text/plain; charset=utf-8"


# -- a name swapped after it was looked up ------------------------------------------

@pytest.fixture
def swapped(site, monkeypatch):
    """Each lookup of ``name`` is followed by ``swap(path)``: the race of a user with
    write access to the folder, who replaces a file once the server has checked it."""
    swaps: dict[str, object] = {}
    real_lookup = static_module.lookup

    def lookup(root, segments, serve_dotfiles):
        found = real_lookup(root, segments, serve_dotfiles)
        swap = swaps.get("/".join(segments))
        if found is not None and swap is not None:
            swap(site / "/".join(segments))
        return found

    monkeypatch.setattr(static_module, "lookup", lookup)
    return swaps


def _to_secret(path):
    # The same size as the file checked (its headers would fit), a link to a file outside the folder.
    os.remove(path)
    os.symlink(path.parent.parent / "secret.txt", path)


@pytest.mark.parametrize("name, headers", [
    ("same.txt", {}),  # small: read into memory
    ("same.txt", {"accept_encoding": "gzip"}),  # read to compress
    ("same.txt", {"range": "bytes=0-3,5-9"}),  # multipart ranges
])
def test_a_file_swapped_for_a_link_out_of_the_folder_is_never_read(site, swapped, name, headers):
    (site / name).write_bytes(b"x" * len(SECRET))
    server = FileServer(make_config(site, compress_min_bytes=1), compression_cache=CompressionCache())
    swapped[name] = _to_secret
    # Nothing of the checked version is left to send: as if it were missing (before: the secret's bytes).
    assert get(server, "/" + name, **headers) is None


def test_a_file_replaced_by_another_after_the_lookup_is_not_read(site, swapped):
    (site / "same.txt").write_bytes(b"A" * 100)

    def replace(path):
        tmp = path.with_name("new.tmp")
        tmp.write_bytes(b"B" * 100)
        os.replace(tmp, path)

    swapped["same.txt"] = replace
    assert get(FileServer(make_config(site)), "/same.txt") is None


def test_a_compressed_body_is_of_the_file_now_there(site):
    # Replaced by one of the same size and mtime: a new inode, so not the old one's compressed body.
    path = site / "same.txt"
    path.write_bytes(b"A" * 3000)
    server = FileServer(make_config(site), compression_cache=CompressionCache())
    assert gzip.decompress(get(server, "/same.txt", accept_encoding="gzip").body) == b"A" * 3000
    st = path.stat()
    tmp = site / "new.tmp"
    tmp.write_bytes(b"B" * 3000)
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, path)
    assert gzip.decompress(get(server, "/same.txt", accept_encoding="gzip").body) == b"B" * 3000
