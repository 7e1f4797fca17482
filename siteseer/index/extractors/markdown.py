"""Markdown parsing just deep enough for search: headings, slugs, plain text.

Not a renderer: it finds ATX/setext headings outside code fences, makes
GitHub-style slugs for them, and strips inline syntax and HTML comments so
snippets read as text. Front matter (YAML ``---`` or TOML ``+++``, as static
site generators write it) is not text; its title is kept for pages without one.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")  # its closing #s: _atx_text
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")
_TABLE_SEP = re.compile(r"^[\s|:-]+$")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_COMMENT_START = re.compile(r"^ {0,3}<!--")
# CommonMark's HTML blocks of code: from a line starting <script> or <style> to the line
# that closes it, never shown as text (their words were found by searches).
_CODE_BLOCK_START = re.compile(r"^ {0,3}<(script|style)(?:[\s>]|$)", re.I)
# Front matter lines: "key: value" / "key = value", comments, list items, indented or blank lines.
# A file that only starts with a "---" rule followed by prose is not front matter.
_FRONT_LINE = re.compile(r"^(?:[^\s:=#][^:=]*[:=](?:\s|$)|[\s#\[]|-(?:\s|$)|$)")
_FRONT_TITLE = re.compile(r"^title\s*[:=](.*)$", re.I)
_FRONT_MAX_LINES = 200

# Every span is bounded (500 characters, 2,000 for a URL): an unbounded one made each pattern
# quadratic in a line's length when its closing mark never comes ("[" or "*a "
# repeated: 15-40 s for an 80 KB line). A mark spanning more is left as text.
_INLINE = tuple((re.compile(pattern), repl) for pattern, repl in (
    (r"!\[([^\[\]]{0,500})\]\([^)]{0,2000}\)", r"\1"),  # image → alt text
    (r"\[([^\[\]]{1,500})\]\([^)]{0,2000}\)", r"\1"),  # link → its text ("[" in it: the inner one)
    (r"\[([^\[\]]{1,500})\]\[[^\[\]]{0,500}\]", r"\1"),  # reference link → its text
    (r"<(https?://[^<>\s]{1,2000})>", r"\1"),  # autolink → URL
    (r"</?[A-Za-z][^>\n]{0,500}>", lambda m: "" if _INLINE_TAG.match(m.group()) else " "),  # HTML tags
    (r"(`+)(.{1,500}?)\1", r"\2"),  # inline code → its text
    (r"(\*\*|__)(?=\S)(.{1,500}?)(?<=\S)\1", r"\2"),  # strong
    (r"~~(?=\S)(.{1,500}?)(?<=\S)~~", r"\1"),  # strikethrough
    (r"\*(?=\S)(.{1,500}?)(?<=\S)\*", r"\1"),  # emphasis
    (r"(?<!\w)_(?=\S)(.{1,500}?)(?<=\S)_(?!\w)", r"\1"),  # _emphasis_, not snake_case
    (r"\\([\\`*_{}\[\]()#+\-.!|>~])", r"\1"),  # backslash escapes
))
# Inline HTML goes without a trace ("<b>S</b>ite" is "Site"); any other tag ends a word
# ("<summary>Sum</summary>details" is "Sum details").
_INLINE_TAG = re.compile(r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|dfn|em|i|kbd|mark|q|s|samp|small|span|strong|sub"
                         r"|sup|time|u|var|wbr)\b", re.I)
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


def strip_inline(text: str) -> str:
    """Links → their text, emphasis and code marks removed, HTML tags dropped, entities decoded."""
    if not any(c in text for c in "[<`*~_\\&"):
        return text  # plain prose: nothing to strip
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return html.unescape(text) if "&" in text else text  # "&amp;" / "&copy;" render as "&" / "©"


def _atx_text(text: str) -> str:
    """An ATX heading's text without its optional closing #s ("Intro ##" → "Intro", "C#" stays).

    Not in the ``_ATX`` regex: a lazy text before optional closers costs time
    quadratic in the run of spaces after it (17 s for a 40 KB line).
    """
    text = text.rstrip(" \t")
    bare = text.rstrip("#")
    if not bare:
        return ""
    return bare.rstrip(" \t") if bare != text and bare[-1] in " \t" else text


def _without_comments(line: str) -> str:
    """``line`` without its closed ``<!-- … -->`` comments; an unclosed one is left for the caller.

    ``str.find``, not a lazy regex: that rescans the rest of the line from
    every "<!--" left open (37 s for a 160 KB line of them).
    """
    parts = []
    pos = 0
    while (start := line.find("<!--", pos)) >= 0:
        end = line.find("-->", start + 4)
        if end < 0:
            break
        parts.append(line[pos:start])
        pos = end + 3
    parts.append(line[pos:])
    return "".join(parts)


def slugify(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces → hyphens."""
    text = unicodedata.normalize("NFC", heading).strip().lower()
    return _SLUG_DROP.sub("", text).replace(" ", "-")


@dataclass
class Section:
    level: int  # 0 for the text before the first heading
    heading: str
    anchor: str | None
    lines: list[str] = field(default_factory=list)
    subheadings: list[str] = field(default_factory=list)  # h4–h6 inside the section


def front_matter(text: str) -> tuple[str, str]:
    """(its title or "", the text after it) for YAML ``---`` or TOML ``+++`` front matter."""
    lines = text.split("\n", _FRONT_MAX_LINES + 1)
    opener = lines[0].strip()
    if opener not in ("---", "+++"):
        return "", text
    closers = ("---", "...") if opener == "---" else ("+++",)
    title = ""
    quote = None  # inside a TOML multi-line string: its delimiter (its lines are any text)
    for i in range(1, min(len(lines), _FRONT_MAX_LINES)):
        line = lines[i]
        if quote is not None:
            if line.count(quote) % 2:
                quote = None
            continue
        if line.strip() in closers:
            rest = "\n".join(lines[i + 1:])
            return title, rest
        if not _FRONT_LINE.match(line):
            break  # prose: the "---" was a thematic break
        quote = next((q for q in ('"""', "'''") if line.count(q) % 2), None) if opener == "+++" else None
        match = _FRONT_TITLE.match(line)
        if match and not title:
            value = match.group(1).strip().strip("\"'")
            title = "" if value[:1] in ("", ">", "|") else value  # a folded block: not worth parsing
    return "", text


def parse(text: str, split_level: int = 3) -> list[Section]:
    """Sections at headings of level ≤ ``split_level``; deeper headings stay inside.

    ``text`` is the page without its front matter (see ``front_matter``).
    """
    sections = [Section(0, "", None)]
    used: dict[str, int] = {}
    fence: str | None = None
    comment = False  # inside an HTML comment block
    code_end: str | None = None  # inside a <script> or <style> block: the tag that ends it
    lines = text.split("\n")

    def heading(level: int, raw: str) -> None:
        title = strip_inline(raw).strip()
        slug = slugify(title)
        if slug in used:  # GitHub: foo, foo-1, foo-2 …
            used[slug] += 1
            slug = f"{slug}-{used[slug]}"
        else:
            used[slug] = 0
        if level <= split_level:
            sections.append(Section(level, title, slug or None))
        else:
            sections[-1].subheadings.append(title)
            sections[-1].lines.append(title)

    paragraph = False  # is the previous line paragraph text (a setext heading candidate)?
    for line in lines:
        current = sections[-1]
        if fence is not None:
            if line.lstrip().startswith(fence):
                fence = None
            else:
                current.lines.append(line)  # code is kept as text
            paragraph = False
            continue
        if code_end is not None:
            if code_end in line.lower():
                code_end = None
            continue
        if comment:
            if "-->" not in line:
                continue
            line, comment = line.split("-->", 1)[1], False
        elif _COMMENT_START.match(line):
            line = _without_comments(line)
            if "<!--" in line:
                line, comment = line.split("<!--", 1)[0], True
        elif "<!--" in line and "`" not in line:  # `<!--` in code is text
            line = _without_comments(line)
        was_paragraph, paragraph = paragraph, False
        if not line.strip():
            current.lines.append("")
            continue
        match = _FENCE.match(line)
        if match:
            fence = match.group(1)
            continue
        match = _CODE_BLOCK_START.match(line)
        if match:
            end = f"</{match.group(1).lower()}>"
            code_end = None if end in line.lower() else end
            continue
        match = _ATX.match(line)
        if match:
            heading(len(match.group(1)), _atx_text(match.group(2) or ""))
            continue
        match = _SETEXT.match(line)
        if match and was_paragraph:
            heading(1 if match.group(1)[0] == "=" else 2, current.lines.pop())
            continue
        if _RULE.match(line) or _REF_DEF.match(line) or ("|" in line and "-" in line and _TABLE_SEP.match(line)):
            continue
        line = _LIST_ITEM.sub("", _QUOTE.sub("", line))
        current.lines.append(strip_inline(line.replace("|", " ") if line.lstrip().startswith("|") else line))
        paragraph = True
    return sections
