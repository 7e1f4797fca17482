"""HTML pages → one unit per h1–h3 section, linked by the heading's real anchor.

Boilerplate (navigation, sidebars, footers, scripts) is dropped so a site's
menu does not match every query. The page is walked once: h1–h3 get
private-use marker characters inserted around them, the content is read with a
single ``text()`` call, and the string is split at the markers. That keeps the
per-page Python work small (lexbor does the walking).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .base import Extracted, ExtractError, Unit
from .decode import check_not_binary, decode
from .textutil import SHORT_PAGE_CHARS, make_units, one_line

_JUNK = ", ".join((
    "nav", "aside", "script", "style", "noscript", "noframes", "template", "svg", "iframe", "object",
    "title",  # a stray <title> in the body is never rendered
    # Never shown: a search found words no reader of the page could see.
    "[hidden]", "[aria-hidden=true]", '[style*="display:none" i]', '[style*="display: none" i]',
    "[role=navigation]", "[role=banner]", "[role=contentinfo]", "[role=search]",
    ".sidebar", ".sphinxsidebar", ".navbar", ".nav", ".navigation", ".menu", ".breadcrumb",
    ".breadcrumbs", ".headerlink", ".navheader", ".navfooter", ".skip-link", "#sidebar",
    ".toc", ".docnav", "#banner", "#footer",  # DocBook/publican/asciidoc tables of contents and bars
))
# Elements that render as their own line: a space before and after each keeps
# words apart when the HTML is minified ("</td><td>", "<li>Kitchen<ul><li>Oven"),
# while inline markup stays glued ("<b>S</b>ite" → "Site"), which a blanket
# text() separator would break.
_BLOCKS = ", ".join((
    "p", "div", "li", "dt", "dd", "td", "th", "br", "pre", "blockquote", "h4", "h5", "h6",
    "figcaption", "caption", "hr", "section", "article", "option", "address", "summary",
    "ul", "ol", "dl", "table", "tr", "textarea", "select", "details", "fieldset", "legend",
))
# header/footer/form are junk only as page furniture: an <article>'s own <header>
# holds its h1, and ASP.NET-style pages wrap everything in one <form>.
_FURNITURE = "header, footer, form"
_CONTENT_TAGS = frozenset(("main", "article", "section"))

# Markers (Unicode private use): H_START index H_MID heading-text H_END, SUB_* around h4–h6.
H_START, H_MID, H_END, SUB_START, SUB_END = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004"
_SECTION_RE = re.compile(f"{H_START}(\\d+){H_MID}(.*?){H_END}", re.S)
_SUB_RE = re.compile(f"{SUB_START}(.*?){SUB_END}", re.S)

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""", re.I)
_BODY_TAG = re.compile(rb"<body[\s>]", re.I)
_HEAD_BYTES = 65536


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares before its <body> (meta tag or XML declaration).

    Not just the first 4 KB: pages with a long inline <style> or <script> put
    their meta late in the head, where browsers still honour it.
    """
    head = data[:_HEAD_BYTES]
    body = _BODY_TAG.search(head)
    if body is not None:
        head = head[:body.start()]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii") if match else None


def extract_html(data: bytes, name: str, max_chars: int) -> Extracted:
    """Extract an HTML page's title and units (see the module docstring)."""
    check_not_binary(data)
    text = decode(data, declared_charset(data))
    if any(c in text for c in (H_START, H_MID, H_END, SUB_START, SUB_END)):
        for marker in (H_START, H_MID, H_END, SUB_START, SUB_END):  # icon fonts use private-use chars too
            text = text.replace(marker, " ")
    if text.count("<") > DEPTH_CHECK_FROM:
        _check_depth(text)
    tree = LexborHTMLParser(text)
    title = _title(tree) or name
    if tree.body is None:  # a <frameset> page: its text is the <noframes> fallback
        tree = _noframes(tree)
        if tree is None:
            return Extracted("html", title, [])
    root = _content_root(tree)
    if root is None:
        return Extracted("html", title, [])
    _remove_boilerplate(root)
    return Extracted("html", title, _units(root, title, max_chars))


# lexbor's tree builder takes time quadratic in the nesting depth: 16,000 nested <div>s
# 0.9 s, 100,000 (a 1 MB file) 41-157 s of a worker, and the files batched with it waited.
# No page a person writes is nested thousands deep (Blink's parser stops nesting at 512).
MAX_DEPTH = 4096
DEPTH_CHECK_FROM = 20_000  # tags: fewer cannot nest deep enough to cost a second
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*?(/?)>")
# Elements that never nest (void) or that the next one of their kind closes (optional end tags).
_NO_DEPTH = frozenset(("area base br col embed hr img input link meta source track wbr "
                       "p li dt dd tr td th option optgroup thead tbody tfoot colgroup caption rp rt "
                       "html head body").split())


def _check_depth(text: str) -> None:
    """Raise ExtractError for a page nested deeper than MAX_DEPTH (a count of open tags not yet closed)."""
    depth = 0
    for m in _TAG.finditer(text):
        if m.group(3) or m.group(2).lower() in _NO_DEPTH:
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            if depth > MAX_DEPTH:
                raise ExtractError(f"HTML nested deeper than {MAX_DEPTH:,} elements")


def _title(tree: LexborHTMLParser) -> str:
    """<title>, else og:title / twitter:title, else the first <h1> with text.

    An inline SVG's <title> names an icon, not the page (pages with no <title>
    of their own often have such icons).
    """
    for node in tree.css("title"):
        if not any(a.tag == "svg" for a in _ancestors(node)):
            title = one_line(node.text())
            if title:
                return title
    for node in tree.css('meta[property="og:title"], meta[name="twitter:title"]'):
        title = one_line(node.attributes.get("content") or "")
        if title:
            return title
    for node in tree.css("h1"):
        title = one_line(node.text())
        if title:
            return title
    return ""


def _noframes(tree: LexborHTMLParser) -> LexborHTMLParser | None:
    """The <noframes> content of a frameset page, parsed (lexbor keeps it as raw markup text)."""
    node = tree.css_first("noframes")
    fallback = node.text() if node is not None else ""
    return LexborHTMLParser(fallback) if fallback.strip() else None


def _content_root(tree: LexborHTMLParser) -> LexborNode | None:
    """<main>, [role=main], a lone <article>, else <body>: where the content is."""
    node = tree.css_first("main") or tree.css_first("[role=main]")
    if node is None:
        articles = tree.css("article")
        node = articles[0] if len(articles) == 1 else None
    return node or tree.body or tree.root


def _ancestors(node: LexborNode):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _remove_boilerplate(root: LexborNode) -> None:
    """Decompose junk subtrees; only outermost matches (a freed child must not be touched)."""
    doomed = list(root.css(_JUNK))
    for node in root.css(_FURNITURE):
        if node.tag == "form":
            if node.css_first("main, article, h1, h2") is None and not _holds_the_page(node, root):
                doomed.append(node)
        elif not any(a.tag in _CONTENT_TAGS for a in _ancestors(node)):
            doomed.append(node)
    ids = {n.mem_id for n in doomed}
    outermost = [n for n in doomed if not any(a.mem_id in ids for a in _ancestors(n))]
    for node in outermost:
        node.decompose()


def _holds_the_page(form: LexborNode, root: LexborNode) -> bool:
    """Whether ``form`` holds most of the page's text (an ASP.NET page in one <form>),
    rather than being a search box or a login in its margin."""
    body = root.css_first("body") or root
    return len(form.text(strip=True)) * 2 > len(body.text(strip=True))


def _anchor(heading: LexborNode, root: LexborNode) -> str | None:
    """The id a link to this heading can use: its own, one inside it, an empty
    <a name|id> just before it, or its section's.

    Only ids present in the page are returned. An enclosing element's id counts
    only when this heading is the first heading in it (Sphinx <section id>,
    DocBook <div class="sect1" id>), up to a few levels up.
    """
    if heading.id:
        return heading.id
    # The last id inside wins: XHTML served as HTML (<a id="x"/>) makes the parser
    # re-open the previous heading's <a id> inside this one, before the real one.
    inner = heading.css("[id], a[name]")
    if inner:
        return inner[-1].id or inner[-1].attributes.get("name") or None
    # Javadoc and older generators: <a name="x"></a><h2>…</h2> (or <a name="x"><!-- --></a>).
    prev = heading.prev
    while prev is not None and (prev.tag == "-comment" or (prev.tag == "-text" and not prev.text().strip())):
        prev = prev.prev
    if prev is not None and prev.tag == "a" and not prev.text().strip():
        target = prev.id or prev.attributes.get("name")
        if target:
            return target
    root_id = root.mem_id
    node = heading.parent
    for _ in range(5):
        if node is None or node.mem_id == root_id:
            break
        if node.id:
            first = node.css_first("h1, h2, h3, h4, h5, h6")
            return node.id if first is not None and first.mem_id == heading.mem_id else None
        node = node.parent
    return None


# The heading of a note, tip or warning box (DocBook's <div class="note"><h3>Note</h3>,
# 450 of them in PostgreSQL's manual): a label in its section, not a section of its own.
# As one, it took the rest of its section (the pg_dump options came back titled "Note",
# linked to the top of the page).
_BOXES = frozenset(("note", "tip", "warning", "caution", "important", "admonition"))


def _boxed(heading: LexborNode) -> bool:
    """Whether ``heading`` is a box's label (the box's first child: its parent's classes say)."""
    parent = heading.parent
    classes = parent.attributes.get("class") if parent is not None else None
    return bool(classes) and not _BOXES.isdisjoint(classes.split())


def _units(root: LexborNode, title: str, max_chars: int) -> list[Unit]:
    headings = []
    for heading in root.css("h1, h2, h3"):
        if _boxed(heading):
            heading.insert_before(" ")  # its text stays in the section's
            heading.insert_after(" ")
        else:
            headings.append(heading)
    anchors = [_anchor(h, root) for h in headings]
    for i, heading in enumerate(headings):
        heading.insert_before(f" {H_START}{i}{H_MID}")
        heading.insert_after(f"{H_END} ")
    for block in root.css(_BLOCKS):
        block.insert_before(" ")
        block.insert_after(" ")
    for sub in root.css("h4, h5, h6"):
        sub.insert_before(f" {SUB_START}")
        sub.insert_after(f"{SUB_END} ")
    raw = root.text()

    parts = _SECTION_RE.split(raw)  # [pre, idx, heading, body, idx, heading, body, ...]
    sections = [(None, title, parts[0])]
    for k in range(1, len(parts), 3):
        sections.append((anchors[int(parts[k])], one_line(_SUB_RE.sub(" ", parts[k + 1])), parts[k + 2]))

    cleaned = []  # (anchor, heading, sub-headings, body)
    for anchor, heading, body in sections:
        subs = " ".join(one_line(s) for s in _SUB_RE.findall(body))
        # str.replace, not translate(dict): translate is ~1000x slower on long text
        cleaned.append((anchor, heading, subs, one_line(body.replace(SUB_START, " ").replace(SUB_END, " "))))

    total = sum(len(h) + len(b) for _, h, _, b in cleaned)
    if total < SHORT_PAGE_CHARS:
        body = " ".join(b for _, _, _, b in cleaned if b)
        heads = " ".join(filter(None, (x for _, h, s, _ in cleaned[1:] for x in (h, s))))
        return make_units(title, body, max_chars, headings=heads)
    return _section_units(cleaned, max_chars)


# A section with less text than this joins the one before it: as a hit of its own it
# was a line with its page's title around it, which BM25 ranks high for being short
# (each git man page ends in "GIT: Part of the git(1) suite", the first hit for "git stash").
MIN_SECTION_CHARS = 60


def _section_units(cleaned, max_chars: int) -> list[Unit]:
    """One unit per section; a heading with no body folds into the next section's
    headings, a section with little text into the unit before it."""
    units: list[Unit] = []
    pending: list[str] = []
    last = len(cleaned) - 1
    for i, (anchor, heading, subs, body) in enumerate(cleaned):
        if i == 0:  # text before the first heading: titled by the document
            units += make_units(heading, body, max_chars)
            continue
        if not body and i != last:
            pending += [heading, subs]
            continue
        if body and len(body) < MIN_SECTION_CHARS and units and not pending:
            joined = " ".join(filter(None, [units[-1].text, heading, subs, body]))
            if len(joined) <= max_chars:
                units[-1].text = joined
                continue
        heads = " ".join(filter(None, [*pending, heading, subs]))
        pending = []
        units += make_units(heading or "(untitled section)", body, max_chars, headings=heads, anchor=anchor)
    return units
