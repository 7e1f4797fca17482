"""Content types from file names, from a fixed table.

Python's ``mimetypes`` reads the OS's ``mime.types`` (and the Windows
registry), so the same file could be served as ``text/javascript`` on one
machine and ``application/x-javascript`` or nothing on another. A fixed table
keeps answers identical everywhere. Unknown types are
``application/octet-stream``: the browser downloads rather than guesses
(together with ``X-Content-Type-Options: nosniff`` from the core).
"""

from __future__ import annotations

import codecs
import os

__all__ = ["CHARSET_SNIFF_BYTES", "DEFAULT_TYPE", "CONTENT_TYPES", "UTF8_CHARSET", "checked_charset", "guess_type",
           "is_compressible"]

DEFAULT_TYPE = "application/octet-stream"

UTF8_CHARSET = "; charset=utf-8"  # what the text types below end with

CONTENT_TYPES: dict[str, str] = {
    # Text: served as UTF-8, the encoding of virtually every file on the web
    # (unless its bytes say otherwise: ``checked_charset``).
    ".html": "text/html" + UTF8_CHARSET,
    ".htm": "text/html" + UTF8_CHARSET,
    ".xhtml": "application/xhtml+xml" + UTF8_CHARSET,
    ".css": "text/css" + UTF8_CHARSET,
    ".js": "text/javascript" + UTF8_CHARSET,
    ".mjs": "text/javascript" + UTF8_CHARSET,
    ".cjs": "text/javascript" + UTF8_CHARSET,
    ".json": "application/json" + UTF8_CHARSET,
    ".jsonld": "application/ld+json" + UTF8_CHARSET,
    ".webmanifest": "application/manifest+json" + UTF8_CHARSET,
    ".map": "application/json" + UTF8_CHARSET,
    ".txt": "text/plain" + UTF8_CHARSET,
    ".text": "text/plain" + UTF8_CHARSET,
    ".log": "text/plain" + UTF8_CHARSET,
    ".md": "text/markdown" + UTF8_CHARSET,
    ".markdown": "text/markdown" + UTF8_CHARSET,
    ".rst": "text/plain" + UTF8_CHARSET,
    ".csv": "text/csv" + UTF8_CHARSET,
    ".tsv": "text/tab-separated-values" + UTF8_CHARSET,
    ".xml": "application/xml" + UTF8_CHARSET,
    ".rss": "application/rss+xml" + UTF8_CHARSET,
    ".atom": "application/atom+xml" + UTF8_CHARSET,
    ".svg": "image/svg+xml" + UTF8_CHARSET,
    ".vtt": "text/vtt" + UTF8_CHARSET,
    # Indexed kinds whose own types (application/x-subrip, application/jsonl) make a
    # browser download the file: a search result that links to one must open it.
    ".srt": "text/plain" + UTF8_CHARSET,
    ".sbv": "text/plain" + UTF8_CHARSET,
    ".jsonl": "text/plain" + UTF8_CHARSET,
    ".ndjson": "text/plain" + UTF8_CHARSET,
    ".ics": "text/calendar" + UTF8_CHARSET,
    ".yaml": "application/yaml" + UTF8_CHARSET,
    ".yml": "application/yaml" + UTF8_CHARSET,
    ".toml": "application/toml" + UTF8_CHARSET,
    # Code and data.
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
    ".epub": "application/epub+zip",
    ".rtf": "application/rtf",
    # Images.
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".bmp": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    # Audio and video.
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".ogg": "audio/ogg",
    ".ogv": "video/ogg",
    ".webm": "video/webm",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    # Fonts.
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    # Archives.
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".tgz": "application/gzip",
    ".bz2": "application/x-bzip2",
    ".xz": "application/x-xz",
    ".zst": "application/zstd",
    ".br": "application/x-brotli",
    ".tar": "application/x-tar",
    ".7z": "application/x-7z-compressed",
    ".rar": "application/vnd.rar",
}

# Not text/* but compress well; everything else that is not text/* is
# already compressed (images, media, fonts, archives, PDF) or opaque.
_COMPRESSIBLE_TYPES = frozenset({
    "application/json",
    "application/ld+json",
    "application/manifest+json",
    "application/javascript",
    "application/xml",
    "application/xhtml+xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/wasm",
    "application/yaml",
    "application/toml",
    "image/svg+xml",
    "image/bmp",
    "font/ttf",
    "font/otf",
    "application/vnd.ms-fontobject",
})


def guess_type(path: str) -> str:
    """The ``Content-Type`` value for a file name (case-insensitive extension)."""
    ext = os.path.splitext(path)[1]
    content_type = CONTENT_TYPES.get(ext)
    if content_type is None:
        content_type = CONTENT_TYPES.get(ext.lower(), DEFAULT_TYPE)
    return content_type


def is_compressible(content_type: str) -> bool:
    """Whether gzip/brotli would make a body of this type meaningfully smaller."""
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type.startswith("text/") or media_type in _COMPRESSIBLE_TYPES


# How much of a text file is read to tell whether it is UTF-8.
CHARSET_SNIFF_BYTES = 64 << 10
_UTF8_BOM = b"\xef\xbb\xbf"


def checked_charset(content_type: str, head: bytes) -> str:
    """``content_type`` without its ``charset=utf-8`` if ``head`` (a text file's first
    bytes, up to ``CHARSET_SNIFF_BYTES``) is not UTF-8.

    The header's charset overrides what the file says of itself: a
    Shift_JIS page with its ``<meta charset>``, or a Latin-1 note, served as
    UTF-8 shows replacement characters where the search result showed the
    words. Without a charset the browser reads the meta tag or the byte
    order mark, or guesses, as it would from nginx or Apache, which send
    none. A character cut at the end of ``head`` is still UTF-8; a file
    whose first 64 KiB are ASCII is taken at its word.
    """
    if not content_type.endswith(UTF8_CHARSET) or head.isascii() or head.startswith(_UTF8_BOM):
        return content_type
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return content_type[: -len(UTF8_CHARSET)]
    return content_type
