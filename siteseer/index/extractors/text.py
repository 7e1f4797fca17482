"""Plain text (.txt) and Markdown (.md, .markdown) files.

Text files get one unit (split when long). Markdown pages longer than a
screenful are split at h1–h3 like HTML, each section anchored by its
GitHub-style slug. Bytes that are not UTF-8 fall back to cp1252 (legacy
Windows notes) rather than failing: readable text beats an error.
"""

from __future__ import annotations

from . import markdown
from .base import Extracted, Unit
from .decode import check_not_binary, decode
from .textutil import SHORT_PAGE_CHARS, clean, make_units, one_line

_MAX_TXT_TITLE = 100


def extract_text(data: bytes, name: str, max_chars: int) -> Extracted:
    """A .txt file: title from a short first line, else the file name."""
    check_not_binary(data)
    text = clean(decode(data))
    first = text.split("\n", 1)[0].strip() if text else ""
    title = one_line(first) if 0 < len(first) <= _MAX_TXT_TITLE else name
    return Extracted("text", title, make_units(title, text, max_chars))


def extract_markdown(data: bytes, name: str, max_chars: int) -> Extracted:
    """A Markdown file: title from the first heading, sections at h1–h3."""
    check_not_binary(data)
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    sections = markdown.parse(text)
    headed = [s for s in sections[1:] if s.heading]
    title = one_line(headed[0].heading) if headed else name
    bodies = [clean("\n".join(s.lines)) for s in sections]
    total = sum(len(b) + len(s.heading) for s, b in zip(sections, bodies))
    if total < SHORT_PAGE_CHARS:
        heads = " ".join(one_line(h) for s in sections for h in (s.heading, *s.subheadings) if h)
        body = "\n\n".join(b for b in bodies if b)
        return Extracted("markdown", title, make_units(title, body, max_chars, headings=heads))
    units: list[Unit] = make_units(title, bodies[0], max_chars)
    for section, body in zip(sections[1:], bodies[1:]):
        heads = " ".join(one_line(h) for h in (section.heading, *section.subheadings) if h)
        units += make_units(one_line(section.heading) or title, body, max_chars,
                            headings=heads, anchor=section.anchor)
    return Extracted("markdown", title, units)
