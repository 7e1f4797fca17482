"""The moment of a video a subtitle hit links to: when its match is said.

A subtitle unit is a window of ~30 s of cues; linking to the window's start
left the reader up to half a minute early. The snippet's first highlight is
found in the window's text, and the hit links to the start of the cue it
is in (``documents.pack_cues`` stores where each cue starts and when).
"""

from __future__ import annotations

from bisect import bisect_right


def said_at(body: str, snippet: dict, cues: list[tuple[int, float]]) -> float | None:
    """When the snippet's first highlighted words are said; None when that cannot be told.

    ``body`` is the window's text as stored, ``snippet`` ``snippets.snippet``'s
    answer (its text is a whitespace-collapsed passage of ``body``).
    """
    text, highlights = snippet.get("text") or "", snippet.get("highlights")
    if not cues or not body or not highlights:
        return None
    start, end = highlights[0]
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
