"""Entry point the indexer calls: pick the extractor by extension, enforce limits,
and turn every failure into ExtractError.

``extract`` is a plain top-level function so a ProcessPoolExecutor can pickle
a reference to it; parser modules are imported lazily so a worker only loads
pdfium/lexbor when it meets such a file.
"""

from __future__ import annotations

import os
from pathlib import Path

from .base import Extracted, ExtractError

_KINDS = {
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".pdf": "pdf",
    ".json": "json", ".jsonl": "json", ".ndjson": "json",
    ".txt": "text",
    ".md": "markdown", ".markdown": "markdown",
    ".vtt": "subtitle", ".srt": "subtitle", ".sbv": "subtitle",
    ".mp4": "video", ".webm": "video", ".mkv": "video", ".mov": "video", ".ogv": "video", ".m4v": "video",
}


def kind_for(path: Path) -> str | None:
    """The kind of extractor for this file, by extension (case-insensitive); None = not indexed."""
    return _KINDS.get(Path(path).suffix.lower())


def extract(path: Path, rel: str, max_unit_chars: int = 30000, max_file_bytes: int = 50 << 20) -> Extracted:
    """Extract the search units of one file.

    ``rel`` is the file's path relative to the served folder (POSIX separators);
    subtitle units use it to link to the video beside them. A 0-byte file raises
    ExtractError("empty file"), so it is reported as skipped. Raises only ExtractError.
    """
    path = Path(path)
    kind = kind_for(path)
    if kind is None:
        raise ExtractError(f"not an indexed file type ({path.suffix or 'no extension'})")
    if max_unit_chars <= 0:
        raise ValueError("max_unit_chars must be positive")  # a caller bug, not a bad file
    try:
        return _extract(path, rel, kind, max_unit_chars, max_file_bytes)
    except ExtractError:
        raise
    except MemoryError:
        raise ExtractError("out of memory while extracting") from None
    except RecursionError:
        raise ExtractError("nested too deeply") from None
    except OSError as err:
        raise ExtractError(f"cannot read file ({err.strerror or err})") from None
    except Exception as err:  # a parser bug must not kill the indexer; report it per file
        raise ExtractError(f"extractor failed ({type(err).__name__}: {err})"[:300]) from None


def _extract(path: Path, rel: str, kind: str, max_chars: int, max_bytes: int) -> Extracted:
    name = path.name
    size = os.stat(path).st_size
    if size == 0:  # reported as skipped, so an owner sees the placeholder or failed upload
        raise ExtractError("empty file")
    if kind == "video":
        from .video import extract_video

        return extract_video(name)
    if size > max_bytes:
        raise ExtractError(f"too large ({size} bytes, limit {max_bytes})")
    if kind == "pdf":
        from .pdf import extract_pdf

        return extract_pdf(path, name, max_chars)
    data = path.read_bytes()
    if kind == "html":
        from .html import extract_html

        return extract_html(data, name, max_chars)
    if kind == "json":
        from .jsonfile import extract_json

        return extract_json(data, name, max_chars)
    if kind == "subtitle":
        from .subtitles import extract_subtitles

        return extract_subtitles(data, path, rel, max_chars)
    from .text import extract_markdown, extract_text

    return (extract_markdown if kind == "markdown" else extract_text)(data, name, max_chars)
