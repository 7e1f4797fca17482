"""Text clean-up and splitting shared by every extractor.

Units must be plain, compact text: the search engine stores them and builds
snippets from them, and snippet cost grows with unit length, so long text is
split into several units rather than stored whole.
"""

from __future__ import annotations

import re
import unicodedata

from .base import Unit

# HTML/Markdown pages with less text than this stay one unit: splitting them
# only makes hits with too little context.
SHORT_PAGE_CHARS = 2000

# C0/C1 controls except \t and \n, the noncharacter U+FFFF and the BOM/zero-width
# no-break space in the middle of text.
# Lone surrogates too (a JSON string escape such as \udc00 decodes to one): they cannot be
# encoded as UTF-8, so one of them would fail the whole batch at the index writer.
_JUNK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\uffff]")
# Invisible characters inside a word that do not end it: soft hyphen, zero-width space,
# word joiner (hyphenated web text, identifiers given break points). Deleted, not made
# spaces: "sta\u00adsh" is "stash", as the query parser reads it too (query.clean).
# pdfium puts U+FFFE for a hyphen that ends a line inside a word ("draw\ufffeing"):
# as a space, "drawing" and "Papiergröße" were two words no search found. (A real
# hyphen at a line end, "well-known", reads "wellknown": pdfium cannot tell them apart.)
_INVISIBLE = ("\u00ad", "\u200b", "\u2060", "\ufffe")
_SPACES = re.compile(r"[^\S\n]+")  # whitespace other than newline
_BLANKS = re.compile(r"\n[^\S\n]*(?:\n[^\S\n]*)+")  # two or more line breaks


def clean(text: str) -> str:
    """Drop control characters, unify line ends, collapse spaces; keep paragraph breaks.

    Lines are joined by single newlines, paragraphs by one blank line, so the
    splitter can still find paragraph boundaries.
    """
    text = _visible(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _JUNK.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = _BLANKS.sub("\n\n", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def clean_nfkc(text: str) -> str:
    """``clean`` after NFKC: folds ligatures (ﬁ → fi) and full-width forms from PDFs."""
    return clean(unicodedata.normalize("NFKC", text))


def one_line(text: str) -> str:
    """All whitespace (newlines too) collapsed to single spaces, for titles and HTML."""
    return " ".join(_JUNK.sub(" ", _visible(text)).split())  # split() is ~3x faster than a \s+ regex


def _visible(text: str) -> str:
    """``text`` without ``_INVISIBLE`` (``in`` first: it is rare, and a scan costs far less than a copy)."""
    for char in _INVISIBLE:
        if char in text:
            text = text.replace(char, "")
    return text


_CUTS = ("\n\n", "\n", ". ", "。", "! ", "? ", "; ", " ")


def split_long(text: str, max_chars: int) -> list[str]:
    """Split ``text`` into pieces of at most ``max_chars`` at the best boundary.

    Prefers a paragraph break, then a line break, then a sentence end, then a
    space, searching only the second half of each window so pieces are never
    tiny; with no boundary at all (a CJK run, a base64 blob) it cuts hard.
    """
    if len(text) <= max_chars:
        return [text] if text else []
    pieces: list[str] = []
    start = 0
    end_all = len(text)
    while end_all - start > max_chars:
        window_end = start + max_chars
        low = start + max_chars // 2
        cut = -1
        for sep in _CUTS:
            pos = text.rfind(sep, low, window_end)
            if pos != -1:
                cut = pos + len(sep)
                break
        if cut == -1:
            cut = window_end
        piece = text[start:cut].strip()
        if piece:
            pieces.append(piece)
        start = cut
    rest = text[start:].strip()
    if rest:
        pieces.append(rest)
    return pieces


_NAME_SEPARATORS = re.compile(r"[\s_.\-+]+")


def readable_name(file_name: str) -> str:
    """"my_talk-2024.mp4" → "my talk 2024": a file name as words people type."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name.lstrip(".") else file_name
    return _NAME_SEPARATORS.sub(" ", stem).strip() or file_name


def make_units(title: str, text: str, max_chars: int, headings: str = "", **where) -> list[Unit]:
    """Units for one section: split when longer than ``max_chars``, never truncated.

    Every piece keeps the section's title and location (anchor/page/t) so each
    hit still links to the right place; only the first carries ``headings`` so
    a heading match ranks the start of the section, not all of its pieces.
    A section with no body text but a heading still yields one unit.
    """
    headings = headings[:max_chars]
    pieces = split_long(text, max_chars)
    if not pieces:
        return [Unit(title=title, text="", headings=headings, **where)] if headings else []
    return [Unit(title=title, text=piece, headings=headings if i == 0 else "", **where)
            for i, piece in enumerate(pieces)]
