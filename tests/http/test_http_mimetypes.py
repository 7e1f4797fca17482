"""Content types come from our own table, with charset on text."""

import pytest

from siteseer.http.mimetypes import DEFAULT_TYPE, guess_type, is_compressible


@pytest.mark.parametrize(
    "name, expected",
    [
        ("index.html", "text/html; charset=utf-8"),
        ("a/b/page.HTM", "text/html; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("mod.mjs", "text/javascript; charset=utf-8"),
        ("data.json", "application/json; charset=utf-8"),
        ("app.js.map", "application/json; charset=utf-8"),
        ("notes.txt", "text/plain; charset=utf-8"),
        ("README.md", "text/markdown; charset=utf-8"),
        ("table.csv", "text/csv; charset=utf-8"),
        ("feed.xml", "application/xml; charset=utf-8"),
        ("logo.svg", "image/svg+xml; charset=utf-8"),
        ("subs.vtt", "text/vtt; charset=utf-8"),
        ("subs.srt", "text/plain; charset=utf-8"),
        ("subs.sbv", "text/plain; charset=utf-8"),
        ("rows.jsonl", "text/plain; charset=utf-8"),
        ("mod.wasm", "application/wasm"),
        ("clip.webm", "video/webm"),
        ("clip.mp4", "video/mp4"),
        ("clip.m4v", "video/mp4"),
        ("song.ogg", "audio/ogg"),
        ("clip.ogv", "video/ogg"),
        ("song.mp3", "audio/mpeg"),
        ("sound.wav", "audio/wav"),
        ("doc.pdf", "application/pdf"),
        ("p.png", "image/png"),
        ("p.jpg", "image/jpeg"),
        ("p.JPEG", "image/jpeg"),
        ("p.gif", "image/gif"),
        ("p.webp", "image/webp"),
        ("p.avif", "image/avif"),
        ("favicon.ico", "image/vnd.microsoft.icon"),
        ("f.woff", "font/woff"),
        ("f.woff2", "font/woff2"),
        ("f.ttf", "font/ttf"),
        ("f.otf", "font/otf"),
        ("a.zip", "application/zip"),
        ("a.tar.gz", "application/gzip"),
        ("a.tar", "application/x-tar"),
        ("a.7z", "application/x-7z-compressed"),
        ("book.epub", "application/epub+zip"),
        ("Makefile", DEFAULT_TYPE),
        (".bashrc", DEFAULT_TYPE),
        ("x.unknownext", DEFAULT_TYPE),
        ("x.exe", DEFAULT_TYPE),
    ],
)
def test_guess_type(name, expected):
    assert guess_type(name) == expected


@pytest.mark.parametrize(
    "content_type",
    ["text/html; charset=utf-8", "text/css", "text/javascript; charset=utf-8", "application/json",
     "application/json; charset=utf-8", "image/svg+xml; charset=utf-8", "application/wasm", "TEXT/PLAIN",
     "application/xml"],
)
def test_compressible(content_type):
    assert is_compressible(content_type)


@pytest.mark.parametrize(
    "content_type",
    ["image/png", "image/jpeg", "image/webp", "video/mp4", "video/webm", "audio/mpeg", "application/pdf",
     "application/zip", "application/gzip", "font/woff2", "application/octet-stream", "application/epub+zip", ""],
)
def test_not_compressible(content_type):
    assert not is_compressible(content_type)


def test_every_text_type_declares_utf8():
    from siteseer.http.mimetypes import CONTENT_TYPES

    for ext, content_type in CONTENT_TYPES.items():
        if content_type.startswith("text/"):
            assert content_type.endswith("; charset=utf-8"), ext


@pytest.mark.parametrize(
    "head, utf8",
    [
        (b"plain ASCII", True),
        ("café crème, 東京".encode("utf-8"), True),
        ("caf".encode() + "é".encode("utf-8")[:1], True),  # a character cut at the end of what was read
        (b"\xef\xbb\xbfwith a byte order mark", True),
        ("café crème".encode("latin-1"), False),
        ("東京都の天気".encode("shift_jis"), False),
        ("\ufeffutf-16".encode("utf-16"), False),  # its byte order mark tells the browser
        (b"", True),
    ],
)
def test_checked_charset_keeps_utf8_only_for_utf8_bytes(head, utf8):
    from siteseer.http.mimetypes import checked_charset

    expected = "text/html; charset=utf-8" if utf8 else "text/html"
    assert checked_charset("text/html; charset=utf-8", head) == expected


def test_checked_charset_leaves_other_types_alone():
    from siteseer.http.mimetypes import checked_charset

    assert checked_charset("image/png", b"\x89PNG\r\n\x1a\n\xff") == "image/png"


def test_every_indexed_kind_opens_in_a_browser():
    """A search result links to the file: a type browsers download instead of showing
    (application/x-subrip, application/octet-stream) made a result a download."""
    from siteseer.index.extractors.dispatch import _KINDS

    shown = ("text/", "application/json", "application/pdf", "application/xhtml+xml")
    for ext, kind in _KINDS.items():
        if kind != "video":
            assert guess_type("f" + ext).startswith(shown), ext
