"""Terminal output for ``siteseer search DIR "query"``."""

from __future__ import annotations

import sys

BOLD, RESET, DIM = "\033[1m", "\033[0m", "\033[2m"


def highlight(text: str, spans: list[list[int]], bold: bool) -> str:
    if not bold or not spans:
        return text
    out, pos = [], 0
    for start, end in spans:
        out += [text[pos:start], BOLD, text[start:end], RESET]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def format_results(result: dict, color: bool | None = None) -> str:
    """Numbered hits with title, URL and snippet; bold highlights on a TTY."""
    bold = sys.stdout.isatty() if color is None else color
    lines: list[str] = []
    total = result.get("total", 0)
    first = (result.get("page", 1) - 1) * result.get("per_page", 10)
    if result.get("corrected") and total:  # as the results page says it
        lines.append(f"Showing results for: {result['corrected']}")
    elif result.get("suggestion"):
        lines.append(f"Did you mean: {result['suggestion']}")
    if not total:
        lines.append(f"No results for {result.get('query', '')!r}.")
    else:
        lines.append(f"{total} result{'s' if total != 1 else ''} ({result.get('took_ms', 0):.1f} ms)")
        if result.get("relaxed"):  # as the results page says it
            lines.append("No page has all of these words: these have all but one of them.")
    for i, hit in enumerate(result.get("hits", []), first + 1):
        title = hit.get("title") or hit.get("path")
        if hit.get("page_title"):
            title = f"{title} — {hit['page_title']}"
        url = hit.get("url", "")
        lines.append("")
        lines.append(f"{i}. {BOLD + title + RESET if bold else title}  [{hit.get('type')}]")
        lines.append(f"   {DIM + url + RESET if bold else url}")
        snip = hit.get("snippet") or {}
        if snip.get("text"):
            lines.append("   " + highlight(snip["text"], snip.get("highlights", []), bold))
    index = result.get("index") or {}
    if index.get("indexing"):
        lines.append("")
        lines.append("(indexing is still running: results may be incomplete)")
    return "\n".join(lines)


def locale_languages(environ) -> tuple[str, ...]:
    """The terminal's languages, as a browser's Accept-Language: LANGUAGE ("de:en"), else LC_ALL, else LANG."""
    value = environ.get("LANGUAGE") or environ.get("LC_ALL") or environ.get("LANG") or ""
    codes = (part.split(".")[0].split("_")[0].split("@")[0].lower() for part in value.split(":"))
    return tuple(dict.fromkeys(c for c in codes if len(c) in (2, 3) and c.isalpha()))  # not "c", "posix"

