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

__all__ = ["CHARSET_SNIFF_BYTES", "DEFAULT_TYPE", "CONTENT_TYPES", "checked_charset", "guess_type", "is_compressible"]

DEFAULT_TYPE = "application/octet-stream"

_UTF8 = "; charset=utf-8"

CONTENT_TYPES: dict[str, str] = {
    # Text: served as UTF-8, the encoding of virtually every file on the web
    # (unless its bytes say otherwise: ``checked_charset``).
    ".html": "text/html" + _UTF8,
    ".htm": "text/html" + _UTF8,
    ".xhtml": "application/xhtml+xml" + _UTF8,
    ".css": "text/css" + _UTF8,
    ".js": "text/javascript" + _UTF8,
    ".mjs": "text/javascript" + _UTF8,
    ".cjs": "text/javascript" + _UTF8,
    ".json": "application/json" + _UTF8,
    ".jsonld": "application/ld+json" + _UTF8,
    ".webmanifest": "application/manifest+json" + _UTF8,
    ".map": "application/json" + _UTF8,
    ".txt": "text/plain" + _UTF8,
    ".text": "text/plain" + _UTF8,
    ".log": "text/plain" + _UTF8,
    ".md": "text/markdown" + _UTF8,
    ".markdown": "text/markdown" + _UTF8,
    ".rst": "text/plain" + _UTF8,
    ".csv": "text/csv" + _UTF8,
    ".tsv": "text/tab-separated-values" + _UTF8,
    ".xml": "application/xml" + _UTF8,
    ".rss": "application/rss+xml" + _UTF8,
    ".atom": "application/atom+xml" + _UTF8,
    ".svg": "image/svg+xml" + _UTF8,
    ".vtt": "text/vtt" + _UTF8,
    ".srt": "application/x-subrip" + _UTF8,
    ".ics": "text/calendar" + _UTF8,
    ".yaml": "application/yaml" + _UTF8,
    ".yml": "application/yaml" + _UTF8,
    ".toml": "application/toml" + _UTF8,
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
    "application/x-subrip",
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
    if not content_type.endswith(_UTF8) or head.isascii() or head.startswith(_UTF8_BOM):
        return content_type
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return content_type[: -len(_UTF8)]
    return content_type
