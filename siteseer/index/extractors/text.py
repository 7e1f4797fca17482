"""Plain text (.txt) and Markdown (.md, .markdown) files.

Text files get one unit (split when long). Markdown pages longer than a
screenful are split at h1–h3 like HTML, each section anchored by its
GitHub-style slug. Bytes that are not UTF-8 fall back to cp1252 (legacy
Windows notes) rather than failing: readable text beats an error.
"""

from __future__ import annotations

import re

from . import markdown
from .base import Extracted, Unit
from .decode import check_not_binary, decode
from .textutil import SHORT_PAGE_CHARS, clean, make_units, one_line

_MAX_TXT_TITLE = 100
_TITLE_CHARS = 4096  # markup before a title is a few lines; past them, use the file name
# reStructuredText lines that are markup, not words: explicit markup (".. highlight:: c",
# ".. _label:", ".. comment") and fields (":orphan:", ":Editors: ...").
_MARKUP_LINE = re.compile(r"\.\.(?:\s|$)|:[^\s:`][^:`]*:(?:\s|$)")
# ANSI terminal escapes in saved logs and console output: colours ("\x1b[31m"), other
# CSI sequences, OSC titles/links, charset switches. Only ESC itself is a control
# character, so without this "[31m" and "[0m" stick to the words.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[ -/]*[0-~])")


def extract_text(data: bytes, name: str, max_chars: int) -> Extracted:
    """A .txt file: title from its first short line of words, else the file name."""
    check_not_binary(data)
    raw = decode(data)
    if "\x1b" in raw:
        raw = _ANSI.sub("", raw)
    text = clean(raw)
    first = one_line(_first_words_line(raw))
    title = first if 0 < len(first) <= _MAX_TXT_TITLE else name
    return Extracted("text", title, make_units(title, text, max_chars))


def _first_words_line(raw: str) -> str:
    """The first line with a letter that is not rST markup ("" if none near the top).

    Text files are often reStructuredText (Python's ``_sources/*.rst.txt``): their
    first line was an overline ("*****"), a directive (".. currentmodule:: asyncio")
    or a label, and became the title. A directive's indented body ("   :synopsis: …",
    "   import math") is markup too, so ``raw`` keeps its indentation. Skipping lines
    without letters takes an overlined or underlined title (rST, Markdown's
    "Title\\n=====") as it is written.
    """
    lines = raw[:_TITLE_CHARS].splitlines()
    if len(raw) > _TITLE_CHARS:
        lines = lines[:-1]  # maybe cut short
    in_markup = False
    for line in lines:
        if in_markup and (not line.strip() or line[:1].isspace()):
            continue
        line = line.strip()
        in_markup = bool(_MARKUP_LINE.match(line))
        if not in_markup and any(c.isalpha() for c in line):
            return line
    return ""


def extract_markdown(data: bytes, name: str, max_chars: int) -> Extracted:
    """A Markdown file: title from the first heading, sections at h1–h3.

    A front-matter title wins when the page has no h1: static-site pages leave
    the title to their template and start at h2 ("Installation" is no title).
    """
    check_not_binary(data)
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    front_title, text = markdown.front_matter(text)
    sections = markdown.parse(text)
    headed = [s for s in sections[1:] if s.heading]
    if front_title and not any(s.level == 1 for s in headed):
        title = one_line(front_title)
    else:
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
