"""compress_body and CompressionCache."""

from __future__ import annotations

import gzip
import os

import brotli
import pytest

from siteseer.files.compress import (
    CompressionCache,
    brotli_compress,
    compress_body,
    gzip_compress,
    wants_vary,
)

JS = b"function f(x) { return x * 2; }\n" * 100
JS_TYPE = "text/javascript; charset=utf-8"


def test_gzip_is_deterministic_and_valid():
    assert gzip_compress(JS) == gzip_compress(JS)
    assert gzip.decompress(gzip_compress(JS)) == JS


def test_brotli_round_trip():
    assert brotli.decompress(brotli_compress(JS)) == JS


@pytest.mark.parametrize("accept, encoding", [("br, gzip", "br"), ("gzip", "gzip"), ("gzip;q=1, br;q=0.1", "gzip")])
def test_compress_body(accept, encoding):
    body, used = compress_body(JS, JS_TYPE, accept, 1024)
    assert used == encoding
    assert len(body) < len(JS)
    assert (brotli.decompress if used == "br" else gzip.decompress)(body) == JS


@pytest.mark.parametrize(
    "body, ctype, accept, min_bytes",
    [
        (JS, JS_TYPE, None, 1024),  # no Accept-Encoding
        (JS, JS_TYPE, "identity", 1024),
        (JS, JS_TYPE, "deflate", 1024),
        (JS, JS_TYPE, "br", len(JS) + 1),  # below the threshold
        (JS, "image/png", "br", 10),  # incompressible type
        (os.urandom(5000), "text/plain", "gzip", 10),  # compression would not help
    ],
)
def test_compress_body_returns_body_unchanged(body, ctype, accept, min_bytes):
    out, used = compress_body(body, ctype, accept, min_bytes)
    assert used is None
    assert out is body


def test_cache_key_compresses_once():
    cache = CompressionCache()
    first = compress_body(JS, JS_TYPE, "br", 10, cache_key="/_dash-component-suites/x.js", cache=cache)
    second = compress_body(JS, JS_TYPE, "br", 10, cache_key="/_dash-component-suites/x.js", cache=cache)
    assert first == second and first[1] == "br"
    assert len(cache) == 1 and cache.hits == 1 and cache.misses == 1
    compress_body(JS, JS_TYPE, "gzip", 10, cache_key="/_dash-component-suites/x.js", cache=cache)
    assert len(cache) == 2  # one entry per encoding


def test_without_cache_key_nothing_is_cached():
    cache = CompressionCache()
    compress_body(JS, JS_TYPE, "br", 10, cache=cache)
    assert len(cache) == 0


def test_wants_vary():
    assert wants_vary(2000, JS_TYPE, 1024)
    assert not wants_vary(100, JS_TYPE, 1024)
    assert not wants_vary(2000, "video/mp4", 1024)


class TestCompressionCache:
    def test_lru_eviction_by_bytes(self):
        cache = CompressionCache(max_bytes=400)
        cache.put("a", b"a" * 100)
        cache.put("b", b"b" * 100)
        cache.put("c", b"c" * 100)
        assert cache.get("a") == b"a" * 100  # a is now the most recent
        cache.put("d", b"d" * 100)
        cache.put("e", b"e" * 100)  # over budget: b (least recent) goes
        assert cache.get("b") is None
        assert cache.get("a") is not None and cache.get("e") is not None
        assert cache.size <= 400

    def test_entry_over_a_quarter_is_not_kept(self):
        cache = CompressionCache(max_bytes=400)
        cache.put("big", b"x" * 101)
        assert cache.get("big") is None and cache.size == 0

    def test_replace_keeps_size_right(self):
        cache = CompressionCache(max_bytes=400)
        cache.put("a", b"a" * 50)
        cache.put("a", b"a" * 80)
        assert cache.size == 80 and len(cache) == 1

    def test_clear(self):
        cache = CompressionCache()
        cache.put("a", b"a")
        cache.clear()
        assert len(cache) == 0 and cache.size == 0
