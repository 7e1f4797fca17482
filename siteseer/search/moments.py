"""The moment of a video a subtitle hit links to: when its match is said.

A subtitle unit is a window of ~30 s of cues; linking to the window's start
left the reader up to half a minute early. The snippet's first highlight is
found in the window's text, and the hit links to the start of the cue it
is in (``documents.pack_cues`` stores where each cue starts and when).
"""

from __future__ import annotations

from bisect import bisect_right


# Highlights at most this far apart (characters: a space, a comma) are words said in a row.
_IN_A_ROW = 3


def said_at(body: str, snippet: dict, cues: list[tuple[int, float]]) -> float | None:
    """When the snippet's highlighted words are said; None when that cannot be told.

    ``body`` is the window's text as stored, ``snippet`` ``snippets.snippet``'s
    answer (its text is a whitespace-collapsed passage of ``body``). The words
    are the first of the longest run of highlighted words: a word of the query
    said alone before ("de" in a Spanish passage) linked to its own cue.
    """
    text, highlights = snippet.get("text") or "", snippet.get("highlights")
    if not cues or not body or not highlights:
        return None
    start, end = _longest_run(sorted(highlights))
    words = text[start:end]
    # The passage before the mark pins it down when the word is said twice
    # (the snippet is the body's text, "…" aside); the word alone when that is not found.
    lead = text[max(0, start - 40) : start].lstrip("…")
    place = body.find(lead + words) if lead else -1
    place = place + len(lead) if place >= 0 else body.find(words)
    if place < 0:
        return None
    offsets = [offset for offset, _ in cues]
    return cues[max(0, bisect_right(offsets, place) - 1)][1]


def _longest_run(highlights: list) -> tuple[int, int]:
    """The first highlight of the longest run of them in a row (the first run, of equals)."""
    best, best_len, run, run_len, last_end = highlights[0], 0, highlights[0], 0, None
    for start, end in highlights:
        if last_end is None or start - last_end > _IN_A_ROW:
            run, run_len = (start, end), 0
        run_len += 1
        last_end = end
        if run_len > best_len:
            best, best_len = run, run_len
    return best[0], best[1]
