"""The best passage of a hit, with matched words as ``[start, end)`` ranges.

Latin words: tantivy's SnippetGenerator picks the densest fragment of the
stored body (it knows the stemmed terms) and reports byte ranges, converted
here to Python ``str`` offsets. CJK: the typed runs are found verbatim in
the body. Output is plain text plus offsets, never HTML; whitespace is
collapsed and "…" marks a cut, with the offsets adjusted to match.
"""

from __future__ import annotations

import re

import tantivy

SNIPPET_CHARS = 200
ELLIPSIS = "…"
_SPACE = re.compile(r"\s")


def generator(searcher: tantivy.Searcher, query: tantivy.Query | None, schema: tantivy.Schema) -> tantivy.SnippetGenerator | None:
    if query is None:
        return None
    gen = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
    gen.set_max_num_chars(SNIPPET_CHARS)
    return gen


WINDOW = 700  # chars handed to the generator around the likeliest passage


def _window(body: str, words: list[str]) -> int:
    """Start of the stretch of ``body`` where most query words appear.

    Tokenizing a whole 30 KB unit costs milliseconds per hit, so the
    generator only sees a window; stems are looked up as lowercase prefixes
    (good enough to aim: the generator then matches exactly).
    """
    low = body.lower()
    hits: list[tuple[int, int]] = []
    for i, w in enumerate(words):
        needle = w[: max(3, len(w) - 1)]
        pos = low.find(needle)
        n = 0
        while pos >= 0 and n < 40:
            hits.append((pos, i))
            pos = low.find(needle, pos + 1)
            n += 1
    if not hits:
        return 0
    hits.sort()
    best, best_start, lo = -1, 0, 0
    for hi in range(len(hits)):
        while hits[hi][0] - hits[lo][0] > SNIPPET_CHARS:
            lo += 1
        distinct = len({i for _, i in hits[lo : hi + 1]})
        if distinct > best:
            best, best_start = distinct, hits[lo][0]
    return max(0, best_start - WINDOW // 3)


def snippet(doc: tantivy.Document, body: str, gen: tantivy.SnippetGenerator | None, cjk: list[str],
            words: list[str] | None = None) -> dict:
    if cjk:
        found = _cjk_snippet(body, cjk)
        if found is not None:
            return found
    if gen is not None and body:
        offset = 0
        full_len = len(body)
        if len(body) > WINDOW and words:
            offset = _window(body, words)
            # Start on a word boundary so the generator never sees half a word.
            if offset:
                space = body.find(" ", offset)
                offset = space + 1 if 0 <= space < offset + 50 else offset
            body = body[offset : offset + WINDOW]
            doc = tantivy.Document(body=body)
        sn = gen.snippet_from_doc(doc)
        ranges = sn.highlighted()
        if ranges:
            fragment = sn.fragment()
            raw = fragment.encode("utf-8")
            spans = [(len(raw[: r.start].decode("utf-8", "ignore")), len(raw[: r.end].decode("utf-8", "ignore"))) for r in ranges]
            fr = sn.fragment_range()
            cut_end = fr.end < len(body.encode("utf-8")) or offset + len(body) < full_len
            return _finish(fragment, spans, cut_start=offset > 0 or fr.start > 0, cut_end=cut_end)
    text = body[:SNIPPET_CHARS]
    cut = len(body) > SNIPPET_CHARS
    if cut and " " in text[SNIPPET_CHARS // 2 :]:
        text = text[: text.rindex(" ")]
    return _finish(text, [], cut_start=False, cut_end=cut)


def _cjk_snippet(body: str, needles: list[str]) -> dict | None:
    hits = [(body.find(n), n) for n in needles]
    hits = [(pos, n) for pos, n in hits if pos >= 0]
    if not hits:
        return None
    pos = min(p for p, _ in hits)
    start = max(0, pos - SNIPPET_CHARS // 4)
    end = min(len(body), start + SNIPPET_CHARS)
    text = body[start:end]
    spans: list[tuple[int, int]] = []
    for n in needles:
        i = text.find(n)
        while i >= 0:
            spans.append((i, i + len(n)))
            i = text.find(n, i + 1)
    return _finish(text, spans, cut_start=start > 0, cut_end=end < len(body))


def _finish(text: str, spans: list[tuple[int, int]], cut_start: bool, cut_end: bool) -> dict:
    """Collapse whitespace, add ellipses, merge overlapping spans; remap offsets."""
    out: list[str] = []
    where: list[int] = []  # new offset of each old character
    for ch in text:
        where.append(len(out))
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(ch)
    where.append(len(out))
    new = "".join(out)
    lead = len(new) - len(new.lstrip(" "))
    new = new.strip(" ")
    shift = 0
    if cut_start and new:
        new = ELLIPSIS + new
        shift = 1
    if cut_end and new:
        new = new + ELLIPSIS
    limit = len(new) - (1 if cut_end and new else 0)
    mapped = []
    for s, e in sorted(spans):
        ns = max(shift, where[s] - lead + shift)
        ne = min(limit, where[e] - lead + shift)
        if ne <= ns:
            continue
        # A collapsed space at the end of a span is not part of the match.
        while ne > ns and new[ne - 1] == " ":
            ne -= 1
        if mapped and ns <= mapped[-1][1]:
            mapped[-1][1] = max(mapped[-1][1], ne)
        else:
            mapped.append([ns, ne])
    return {"text": new, "highlights": mapped}
