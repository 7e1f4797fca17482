""""Did you mean": close spellings taken from the index's own vocabulary.

The ``vocab`` field holds every unstemmed, folded word with its document
frequency, and it is always in step with the index (deletions included),
so no separate word list has to be maintained. One edit is found by probing
the term dictionary (``doc_freq`` costs about a microsecond); two edits by
scanning the words that share the first two letters, measured with
rapidfuzz's optimal string alignment (C++: 0.1 ms for a thousand words,
where a Python loop took 6 ms; that loop is now the tests' reference).
"""

from __future__ import annotations

import re
import string
from typing import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from siteseer.index.textforms import shown

_LETTERS = frozenset(string.ascii_lowercase)
_DIGITS = frozenset(string.digits)
_MAX_SCAN = 4000
# The shortest word corrected by two edits. Measured on the corpus's vocabulary
# (words weighted by their frequency, two random typing errors, only typos with no
# word one edit away): the two-edit word chosen was the intended one for 14 % of
# five-letter typos ("okapi" became "okay"), 39 % of six-letter ones, 66 % at
# seven, 78 % at eight, over 90 % from nine. The builder searches the correction
# instead of the word, so a wrong one shows results for another word.
TWO_EDITS_FROM = 7


def edits1(word: str) -> set[str]:
    """Every string one edit away. Digits are tried only in words that have
    one: a letter typed as a digit is rare, and they are 10 of 36 probes."""
    letters = _LETTERS | set(word)
    if not word.isalpha():
        letters |= _DIGITS
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return out


def correct(searcher, word: str, field: str = "vocab") -> str | None:
    """The most frequent indexed word within one (else two) edits of ``word``."""
    found = candidates(searcher, word, field, limit=1)
    return found[0] if found else None


def candidates(searcher, word: str, field: str = "vocab", limit: int = 5, two_edits: bool = True) -> list[str]:
    """Up to ``limit`` indexed words within one edit of ``word`` (else two, if ``two_edits``), the most frequent first."""
    if len(word) < 3 or not word.isalnum():
        return []
    one = [(-df, cand) for cand in edits1(word) if (df := searcher.doc_freq(field, cand))]
    if one:
        return [cand for _, cand in sorted(one)[:limit]]  # ties by spelling, not by set order
    if len(word) < TWO_EDITS_FROM or not two_edits:
        return []
    near = [(cand, df) for cand, df in searcher.terms_with_prefix(field, word[:2], limit=_MAX_SCAN)
            if df and abs(len(cand) - len(word)) <= 2]
    found = process.extract(word, [cand for cand, _ in near], scorer=OSA.distance, score_cutoff=2, limit=None)
    return [cand for _, _, cand in sorted((int(d), -near[i][1], cand) for cand, d, i in found)[:limit]]


_WORD = re.compile(r"[^\W_]+")


def respell(searcher, text: str, terms: Iterable, fold: Callable[[str], list[str]],
            stem: Callable[[str], list[str]], correct_word: Callable[[str], str | None] | None = None) -> str | None:
    """A "did you mean" for a search that found nothing: ``text`` with its rare words respelled.

    While the query is built, a word is corrected only when no indexed word
    has its stem ("frensel"): "git comit" finds nothing, but the stem "comit"
    is indexed (of "comité"), and a phrase's words are never corrected there.
    Here every word of ``terms`` (the query's positive terms, phrases too;
    each has a ``span`` in ``text``) that no unit has as written is replaced
    by ``correct``'s choice, unless both have one stem (the search found that
    word's forms already). ``fold`` and ``stem`` analyze a word as the
    vocabulary and the word fields do; ``correct_word`` is ``correct`` on
    this searcher, perhaps remembered. None when nothing changes.
    """
    correct_word = correct_word or (lambda word: correct(searcher, word))
    edits: list[tuple[int, int, str]] = []
    for term in terms:
        start, end = term.span
        for m in _WORD.finditer(text, start, end):
            folded = fold(m.group())
            if len(folded) != 1 or any(c.isdigit() for c in folded[0]):  # a number is no typo
                continue
            if searcher.doc_freq("vocab", folded[0]):
                continue  # a word as written somewhere: "lens" is no typo of the commoner "less"
            fixed = correct_word(folded[0])
            if fixed is not None and stem(fixed) != stem(folded[0]):  # "chamber" already found "chambers"
                edits.append((m.start(), m.end(), fixed))
    for start, end, fixed in sorted(edits, reverse=True):
        text = text[:start] + shown(fixed) + text[end:]
    return text if edits else None
