"""Fixes found by the differential test of file serving against nginx.

The tests of each fix fail without it (the validator checks beside them
guard what the fix must keep working):

- ``If-Match`` naming the ETag of the compressed answer the client was sent
  (``"...-gzip"``) got a 412: the precondition was compared with the plain
  file's tag only (RFC 9110 13.1.1: the *selected* representation's tag).
- A file dated in the future was served with a ``Last-Modified`` later than
  the answer's ``Date`` (RFC 9110 8.8.2.1: MUST NOT).
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from siteseer.config import Config
from siteseer.files.compress import CompressionCache
from siteseer.files.static import FileServer
from siteseer.http.conditional import is_precondition_failed, make_etag
from siteseer.http.dates import format_http_date, parse_http_date
from siteseer.server.messages import Request

TEXT = ("a line of text that compresses well\n" * 200).encode()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    (root / "notes.txt").write_bytes(TEXT)
    future = root / "future.txt"
    future.write_bytes(b"from the future\n")
    later = time.time() + 2 * 86400
    os.utime(future, (later, later))
    return root


@pytest.fixture
def server(root: Path) -> FileServer:
    config = Config()
    config.root = root.resolve()
    return FileServer(config, compression_cache=CompressionCache())


def get(server: FileServer, path: str, method: str = "GET", **headers: str):
    request = Request(method, path, "", {k.replace("_", "-"): v for k, v in headers.items()})
    return asyncio.run(server(request))


# -- If-Match and compressed representations -------------------------------------

def test_if_match_accepts_any_of_several_current_tags():
    plain, gz = make_etag(10, 20), make_etag(10, 20, "gzip")
    assert not is_precondition_failed(gz, None, (gz, plain), 20)
    assert not is_precondition_failed(plain, None, (gz, plain), 20)
    assert not is_precondition_failed(f'"x", {gz}', None, (gz, plain), 20)
    assert is_precondition_failed('"x"', None, (gz, plain), 20)
    assert is_precondition_failed("W/" + gz, None, (gz, plain), 20)  # still a strong comparison


def test_if_match_with_the_compressed_answers_etag_is_not_412(server):
    first = get(server, "/notes.txt", accept_encoding="gzip")
    assert first.status == 200 and first.header("content-encoding") == "gzip"
    gzip_etag = first.header("etag")
    again = get(server, "/notes.txt", accept_encoding="gzip", if_match=gzip_etag)
    assert again.status == 200 and again.header("content-encoding") == "gzip"
    # The plain file's tag names the same version: a whole body is still fine.
    plain_etag = get(server, "/notes.txt").header("etag")
    assert get(server, "/notes.txt", accept_encoding="gzip", if_match=plain_etag).status == 200
    # A range is cut from the plain file: the gzip body's tag must not let it through.
    assert get(server, "/notes.txt", range="bytes=0-3", if_match=gzip_etag).status == 412
    assert get(server, "/notes.txt", range="bytes=0-3", if_match=plain_etag).status == 206
    assert get(server, "/notes.txt", accept_encoding="gzip", if_match='"stale"').status == 412


# -- Last-Modified never after Date ---------------------------------------------

def test_future_file_date_is_not_sent_as_last_modified(server):
    before = int(time.time())
    r = get(server, "/future.txt")
    after = int(time.time())
    assert r.status == 200
    last_modified = parse_http_date(r.header("last-modified"))
    assert before <= last_modified <= after  # "now", not two days ahead


def test_future_file_date_validators_still_work(server):
    r = get(server, "/future.txt")
    last_modified, etag = r.header("last-modified"), r.header("etag")
    assert get(server, "/future.txt", if_modified_since=last_modified).status == 304
    assert get(server, "/future.txt", if_unmodified_since=last_modified).status == 200
    assert get(server, "/future.txt", if_none_match=etag).status == 304
    assert get(server, "/future.txt", range="bytes=0-3", if_range=last_modified).status == 206


def test_past_file_date_is_sent_as_it_is(server, root):
    past = time.time() - 86400
    os.utime(root / "notes.txt", (past, past))
    assert get(server, "/notes.txt").header("last-modified") == format_http_date(past)
