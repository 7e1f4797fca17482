""""Did you mean": close spellings taken from the index's own vocabulary.

The ``vocab`` field holds every unstemmed, folded word with its document
frequency, and it is always in step with the index (deletions included),
so no separate word list has to be maintained. One edit is found by probing
the term dictionary (``doc_freq`` costs about a microsecond); two edits by
scanning the words that share the first two letters.
"""

from __future__ import annotations

import string

_ALPHABET = set(string.ascii_lowercase + string.digits)
_MAX_SCAN = 4000


def edits1(word: str) -> set[str]:
    letters = _ALPHABET | set(word)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return out


def distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein (optimal string alignment), giving up past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def correct(searcher, word: str, field: str = "vocab") -> str | None:
    """The most frequent indexed word within one (else two) edits of ``word``."""
    if len(word) < 3 or not word.isalnum():
        return None
    best: tuple[int, str] | None = None
    for cand in edits1(word):
        df = searcher.doc_freq(field, cand)
        if df and (best is None or df > best[0]):
            best = (df, cand)
    if best is not None:
        return best[1]
    if len(word) < 5:
        return None
    scored: list[tuple[int, int, str]] = []
    for cand, df in searcher.terms_with_prefix(field, word[:2], limit=_MAX_SCAN):
        if abs(len(cand) - len(word)) <= 2 and df:
            d = distance(word, cand)
            if d <= 2:
                scored.append((d, -df, cand))
    return min(scored)[2] if scored else None
