"""The extractor contract: what the indexer gets back for one file.

Kept free of parser imports so the indexer (and the pickling in its process
pool) can use these types without loading pdfium or lexbor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Every kind an extractor can report; the search engine uses it as a facet.
KINDS = ("html", "pdf", "json", "text", "markdown", "subtitle", "video")

# Each kind's extractor version. Raise a kind's number when what its extractor
# makes of a file changes: an index built before has that kind's files
# extracted again (and only those), so an upgrade brings the fix without a rebuild.
EXTRACTOR_VERSIONS = {kind: 1 for kind in KINDS} | {
    "pdf": 2,  # a hyphen that ends a line inside a word no longer splits it in two
    "json": 2,  # a long file is split into units, not cut; HTML in strings is text
    "html": 2,  # hidden elements are not text; a page inside one <form> is; nested 4,096 deep: skipped
    "markdown": 2,  # <script>/<style> blocks are not text; tags end words; TOML multi-line strings
    # And for html, markdown, text and subtitles alike: UTF-8 with a stray byte stays UTF-8.
    "text": 2,
    "subtitle": 2,
}


@dataclass(slots=True)
class Unit:
    """One search hit target: a section, a PDF page, a subtitle window, a file."""

    title: str  # the section heading, "<doc> — page 3", the video's name, or the document title
    text: str  # plain text, never longer than max_unit_chars
    headings: str = ""  # headings inside the unit, weighted above body text
    anchor: str | None = None  # HTML/Markdown id that exists in the page → "page.html#anchor"
    page: int | None = None  # PDF page, 1-based → "file.pdf#page=N"
    t: float | None = None  # subtitle window start in seconds → "talk.mp4#t=93"
    # Subtitles: (offset in ``text``, seconds) where each cue starts, so a hit
    # links to the moment its match is said rather than to its window's start.
    cues: list[tuple[int, float]] | None = None
    link_path: str | None = None  # relative path the hit links to when not the file itself


@dataclass(slots=True)
class Extracted:
    """Everything the indexer stores for one file."""

    kind: str  # one of KINDS
    title: str  # document title
    units: list[Unit] = field(default_factory=list)


class ExtractError(Exception):
    """The file cannot be indexed. ``str(err)`` is the human reason shown in admin.

    Single-argument on purpose: it must pickle back from a process-pool worker.
    """
