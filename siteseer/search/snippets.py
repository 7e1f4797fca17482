"""The best passage of a hit, with matched words as ``[start, end)`` ranges.

Latin words: tantivy's SnippetGenerator picks the densest fragment of the
stored body (it knows the stemmed terms) and reports byte ranges, converted
here to Python ``str`` offsets. A phrase is shown where it occurs, as one
range: the generator highlights a phrase's words wherever they are, so the
passage is aimed at the phrase and its words standing alone are dropped.
CJK: the typed runs are found verbatim in the body. Output is plain text
plus offsets, never HTML; whitespace is collapsed and "…" marks a cut, with
the offsets adjusted to match.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

import tantivy

from siteseer.index.textforms import (CJK_RUN, COMMON_WORDS, FULL_WIDTH, HALF_WIDTH, fold_letters, has_half_width,
                                      index_form, undotted)

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
AIM_PREFIX = 2048  # the median aim is 131 characters in (corpus hits)
WHOLE_BODY = 4 * WINDOW  # longest body the generator reads whole when the aim missed (a rare path)


def _lowered(body: str, needles) -> str:
    """``body`` lowercased for finding ``needles`` in it; the same length.

    ``str.lower`` of a text with a single non-ASCII character costs ~20x
    that of an ASCII one (a curly quote is enough: 226 vs 11 us for 30 KB).
    Needles are folded stems: ASCII ones can only match ASCII letters, so
    lowering those alone, as bytes, finds the same places (62 us there).
    Where no needle is there as it is, the accents go too, as the index
    folds them: "papiergro" is in "Papiergröße" (a French page of 30 KB
    costs ~1 ms; most pages have a needle as it is, and skip it).
    Other needles are folded as the index folds text (``textforms.fold_letters``: "αθην"
    is in "Αθήνα"), after lowering ("ΟΔΟΣ" lowers to "οδος", which folds to "οδοσ").
    """
    body = undotted(body)  # "İ".lower() is two characters: the offsets would shift
    if body.isascii():
        return body.lower()
    if not all(n.isascii() for n in needles):
        return fold_letters(body.lower())
    low = body.encode("utf-8").lower().decode("utf-8")
    for needle in needles:
        if needle in low:  # one is enough to aim at (the generator marks the others near it)
            return low
    # None is there as it is: perhaps with accents, or with "ß" for an "ss".
    if not _FOLDED.search(low):
        return low
    return _ACCENTED.sub(_unaccented, body.lower())


# What tantivy's ASCII folding makes of Latin letters with no accent to strip: one letter
# for one ("ø" → "o"), or two ("ß" → "ss", the index's "massnahmen" of "Maßnahmen").
_UNACCENTED_LETTERS = {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "ŧ": "t", "ı": "i"}
_TWO_LETTERS = {"ß": "ss", "æ": "ae", "œ": "oe", "þ": "th"}


def _one_letter_folds() -> dict[str, str]:
    """Latin letters the index folds to one ASCII letter: accented ones ("é", "Ö") and ``_UNACCENTED_LETTERS``."""
    folds = {**_UNACCENTED_LETTERS, **{c.upper(): f for c, f in _UNACCENTED_LETTERS.items() if c != "ı"}}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if len(base) == 1 and base.isascii() and base.isalpha():
            folds[char] = base.lower()
    return folds


_ONE_LETTER_FOLDS = _one_letter_folds()
_ACCENTED = re.compile("[" + "".join(sorted(_ONE_LETTER_FOLDS)) + "]")


def _unaccented(m: re.Match) -> str:
    return _ONE_LETTER_FOLDS[m.group()]


# A needle is made of folded stems, so the text may spell its "ss" "ß": looked for
# in both spellings, a needle finds "Papiergröße" again.
_FOLDED_PAIRS = tuple((pair, letter) for letter, pair in _TWO_LETTERS.items() if letter != "þ")  # "th": too common
_FOLDED = re.compile("[" + "".join(sorted({*_ONE_LETTER_FOLDS, *_TWO_LETTERS, "ẞ", "Æ", "Œ", "Þ"})) + "]")  # any of them


@lru_cache(maxsize=1024)
def _spellings(needle: str) -> tuple[str, ...]:
    """``needle`` and its spellings with the letters the index folds to two ("massnahm", "maßnahm")."""
    spellings = [needle]
    for pair, letter in _FOLDED_PAIRS:
        if pair in needle:
            spellings += [spelling.replace(pair, letter) for spelling in spellings]
    if needle.endswith("s") and not needle.endswith("ss"):  # a needle is a stem cut short: "gros" of "grosse"
        spellings += [spelling[:-1] + "ß" for spelling in spellings]
    return tuple(spellings)


def _find(low: str, needle: str, start: int = 0) -> int:
    """The first place at or after ``start`` where ``needle`` is, in any of its spellings; -1 if none."""
    spellings = _spellings(needle)
    if len(spellings) == 1:
        return low.find(needle, start)
    return min((p for p in (low.find(s, start) for s in spellings) if p >= 0), default=-1)


def _window(body: str, words: list[str], low: str | None = None) -> int:
    """Start of the stretch of ``body`` where most query words appear.

    Tokenizing a whole 30 KB unit costs milliseconds per hit, so the
    generator only sees a window; ``words`` are lowercase needles made by
    the query builder (good enough to aim: the generator then matches exactly).
    """
    needles = list(dict.fromkeys(w for w in words if w))
    if len(needles) == 1:  # the densest stretch of one word starts where it first appears
        needle = needles[0]
        if low is None:  # most words are found early: lowercase the rest only if not
            pos = _find(_lowered(body[:AIM_PREFIX], needles), needle)
            if not 0 <= pos <= AIM_PREFIX - len(needle) - 1:
                pos = _find(_lowered(body, needles), needle)
        else:
            pos = _find(low, needle)
        return max(0, pos - WINDOW // 3)  # 0 when it is not there (-1)
    if low is None:  # as with one word: the first 2 KB first
        places = _places(_lowered(body[:AIM_PREFIX], needles), needles)
        first = _first_with_all(places, len(needles))
        if first is not None and first + SNIPPET_CHARS < AIM_PREFIX - max(map(len, needles)):
            return max(0, first - WINDOW // 3)
        low = _lowered(body, needles)
    places = _places(low, needles)
    if not places:
        return 0
    first = _first_with_all(places, len(needles))
    if first is None:  # a common word's first places only were looked at: look around the rarest's
        places = _places_around_rarest(low, needles, places) or places
        first = _first_with_all(places, len(needles))
    if first is None:  # no stretch has them all: the one with the most
        first = _densest(places, SNIPPET_CHARS - AIM_TAIL, len(needles))[0]
    return max(0, first - WINDOW // 3)


PLACES_PER_NEEDLE = 40  # str.find calls per needle, at most


def _places(low: str, needles: list[str]) -> list[tuple[int, int]]:
    """Sorted (position, needle's index) of where the needles start words in ``low``.

    ``str.find`` (a fast search in C), not a regex alternation: that costs
    30x more. A needle inside a word ("vacuu" in "autovacuum") is no place.
    """
    places = []
    for which, needle in enumerate(needles):
        for spelling in _spellings(needle):
            pos = low.find(spelling)
            n = 0
            while pos >= 0 and n < PLACES_PER_NEEDLE:
                before = low[pos - 1] if pos else " "
                # CJK is blanked for the word tokenizer: "Debianは" has the word "debian".
                if not before.isalnum() or (not before.isascii() and CJK_RUN.match(before)):
                    places.append((pos, which))
                pos = low.find(spelling, pos + 1)
                n += 1
    places.sort()
    return places


def _places_around_rarest(low: str, needles: list[str], places: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """``places`` again, where a needle's were cut at ``PLACES_PER_NEEDLE``: each other needle
    looked for only near the places of the one found least. "alpha uniqueendword": a page
    with alpha 200 times and the two side by side at its end showed alpha, never the rare
    word (the first 40 alphas were all that was looked at). None when none was cut."""
    counts = [0] * len(needles)
    for _, which in places:
        counts[which] += 1
    if max(counts) < PLACES_PER_NEEDLE or not min(counts):
        return None
    rarest = counts.index(min(counts))
    anchors = [pos for pos, which in places if which == rarest]
    reach = SNIPPET_CHARS
    near = set((pos, rarest) for pos in anchors)
    for which, needle in enumerate(needles):
        if which == rarest:
            continue
        for anchor in anchors:
            lo, hi = max(0, anchor - reach), anchor + reach
            for spelling in _spellings(needle):
                pos = low.find(spelling, lo, hi)
                while pos >= 0:
                    before = low[pos - 1] if pos else " "
                    if not before.isalnum() or (not before.isascii() and CJK_RUN.match(before)):
                        near.add((pos, which))
                    pos = low.find(spelling, pos + 1, hi)
    return sorted(near)


def _first_with_all(places: list[tuple[int, int]], count: int) -> int | None:
    """Where the first stretch that a passage shows whole holds all ``count`` needles starts; None if none does."""
    lo = 0
    inside: dict[int, int] = {}
    for pos, which in places:
        inside[which] = inside.get(which, 0) + 1
        while pos - places[lo][0] > SNIPPET_CHARS - AIM_TAIL:
            gone = places[lo][1]
            inside[gone] -= 1
            if not inside[gone]:
                del inside[gone]
            lo += 1
        if len(inside) == count:
            return places[lo][0]
    return None


def _densest(places: list[tuple[int, int]], reach: int, needles: int) -> tuple[int, int]:
    """The first and last place of the best stretch of ``reach`` characters.

    The best has the most distinct needles, then the most places, but for a
    stretch with all of two or more ``needles``: then the first (a count
    would favour a word found twice over two words, and a passage near the
    top says most).
    """
    best, first, last, lo = (0, 0), 0, 0, 0
    inside: dict[int, int] = {}
    for hi, (pos, which) in enumerate(places):
        inside[which] = inside.get(which, 0) + 1
        while pos - places[lo][0] > reach:
            gone = places[lo][1]
            inside[gone] -= 1
            if not inside[gone]:
                del inside[gone]
            lo += 1
        distinct = len(inside)
        score = (distinct, hi - lo + 1 if distinct < needles or needles == 1 else 0)
        if score > best:
            best, first, last = score, places[lo][0], pos
    return first, last


def snippet(body: str, gen: tantivy.SnippetGenerator | None, cjk: list[str], words: list[str] | None = None,
            other_form: bool = True, retry_words: list[str] | None = None,
            phrases: list[tuple[str, ...]] | None = None, loose: list[str] | None = None,
            common: list[str] | None = None, fallback=None) -> dict:
    """The snippet of ``body``, the stored text as written.

    ``other_form=False`` (the unit was stored without a ``body_orig``) skips
    making the ``index_form`` of a text that has none. ``retry_words`` are finer needles, tried
    when ``words`` aimed at a stretch with nothing to highlight. ``phrases``,
    ``loose`` and ``common`` are ``BuiltQuery``'s: the passage shows a phrase
    when the body has it; else the words as usual, but for a phrase's common
    words ("the", "of"), which are in every passage and say nothing alone.
    ``fallback`` makes the generator for that case (of ``BuiltQuery.fallback``;
    None when there is nothing to mark): ``gen`` knows the common words, and
    would aim at a passage full of them.
    """
    if cjk:
        found = _cjk_snippet(body, cjk)
        if found is not None:
            return found
    # Both aims below read it; the phrases' needles are among words and retry_words.
    low = _lowered(body, [*(words or ()), *(retry_words or ())]) if gen is not None and phrases else None
    if low is not None and body:
        found = _phrase_snippet(body, low, gen, phrases, loose or [], other_form)
        if found is not None:
            return found
    if gen is not None and body:
        keep = None
        aims = [words, retry_words] if retry_words else [words]
        if phrases:  # not in the body (a match in the title): its words alone are shown only if nothing else is
            gen = fallback() if fallback is not None else gen
            aims = [aim for aim in (_uncommon(a, common, loose) for a in aims) if aim] if gen is not None else []

            def keep(fragment: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
                words = [_fold(fragment[s:e]) for s, e in spans]
                alone = [sp for sp, w in zip(spans, words) if _searched_alone(w, phrases, loose or [])]
                return alone or [sp for sp, w in zip(spans, words) if w not in _COMMON] or None

        for needles in aims:
            found = _highlighted(body, gen, needles, other_form, keep, low)
            if found is not None:
                return found
        if phrases and aims and WINDOW < len(body) <= WHOLE_BODY:
            # The needles aim roughly ("ligh" also finds "lighthouse"); with no
            # phrase to show, a short body is worth reading whole for a marked word.
            found = _generated(body, gen, 0, len(body), other_form, keep)
            if found is not None:
                return found
    text = body[:SNIPPET_CHARS]
    cut = len(body) > SNIPPET_CHARS
    if cut and " " in text[SNIPPET_CHARS // 2 :]:
        text = text[: text.rindex(" ")]
    return _finish(text, [], cut_start=False, cut_end=cut)


_COMMON = frozenset(COMMON_WORDS)


def _uncommon(needles: list[str] | None, common: list[str] | None, loose: list[str] | None) -> list[str]:
    """``needles`` but for those of a phrase's common words (unless also searched alone)."""
    drop = set(common or ()) - set(loose or ())
    return [n for n in needles or () if n not in drop]


MISS_TRIES = 3  # further places aimed at when a window had no real match


def _highlighted(body: str, gen: tantivy.SnippetGenerator, words: list[str] | None, other_form: bool,
                 keep=None, low: str | None = None) -> dict | None:
    """The generator's best fragment near where ``words`` point; None if it highlights nothing.
    ``low`` is ``_lowered(body, ...)`` when the caller has it already.

    A needle is a word's stem cut short, so it may aim inside another word
    ("bea" of "beam" in "beacons", "vacuu" in "autovacuum"); when the window
    holds no real match, the next place a needle is, past it, is tried.
    """
    needles = [w for w in words or () if w]
    if len(body) <= WINDOW or not needles:
        found = _aimed(body, gen, needles, 0, other_form, keep, low) if len(body) > SNIPPET_CHARS else None
        return found if found is not None else _generated(body, gen, 0, WINDOW, other_form, keep)
    offset = _window(body, words, low)
    found = _aimed(body, gen, needles, offset, other_form, keep, low)
    if found is not None:
        return found
    for _ in range(MISS_TRIES):
        found = _generated(body, gen, offset, WINDOW, other_form, keep)
        if found is not None:
            return found
        low = _lowered(body, needles) if low is None else low
        past = offset + WINDOW - max(map(len, needles))  # a word cut by the window's end was not seen whole
        places = [p for p in (_find(low, n, past) for n in needles) if p >= 0]
        if not places:
            return None
        offset = min(places) - WINDOW // 3
    return _generated(body, gen, offset, WINDOW, other_form, keep)


def _aimed(body: str, gen: tantivy.SnippetGenerator, needles: list[str], offset: int, other_form: bool,
           keep=None, low: str | None = None) -> dict | None:
    """The generator's fragment of the one passage of ``body[offset : offset + WINDOW]``
    where the most needles start words; None if there is none, or it highlights nothing.

    The generator stems every word it is handed (most of what a snippet
    costs); handed just the passage, it reads a third of the window. A
    needle may start a word that is no match ("bea" of "beam" in "beacons"):
    then the caller hands it the whole window as before.
    """
    if not needles:
        return None
    stretch = low[offset : offset + WINDOW] if low is not None else _lowered(body[offset : offset + WINDOW], needles)
    needles = list(dict.fromkeys(needles))
    places = _places(stretch, needles)
    if not places:
        return None
    first, last = _densest(places, SNIPPET_CHARS - AIM_TAIL, len(needles))
    # PHRASE_LEAD before the first place, or less if the last would not fit.
    lead = max(0, min(PHRASE_LEAD, SNIPPET_CHARS - AIM_TAIL - (last - first)))
    start = offset + first
    if start <= lead:
        start = 0
    elif lead:  # the first word's start within the lead, so that no word is cut there
        space = body.find(" ", start - lead - 1, start)
        start = space + 1 if space >= 0 else start
    passage = body[start : start + SNIPPET_CHARS]
    width = SNIPPET_CHARS
    if not passage.isascii():  # at most PASSAGE_BYTES: a run of CJK is three bytes a character, and twice as wide
        width = len(passage.encode("utf-8")[:PASSAGE_BYTES].decode("utf-8", "ignore"))
    return _generated(body, gen, start, width, other_form, keep, max_bytes=PASSAGE_BYTES)


AIM_TAIL = 30  # what a passage keeps after its last place: the rest of that word, room to end on a space
# The generator's fragments are counted in bytes: SNIPPET_CHARS of them would cut
# a passage of accented or mathematical text ("⟨code⟩") short of its last place.
PASSAGE_BYTES = 2 * SNIPPET_CHARS


# -- phrases -------------------------------------------------------------------
PHRASE_TRIES = 5  # places where a phrase seems to be, tried before giving up on it
PHRASE_PLACES = 40  # places per phrase weighed for the words searched alone beside it
PHRASE_LEAD = SNIPPET_CHARS // 4  # characters shown before the phrase
_GAP = re.compile(r"[\W_]+")  # what the word tokenizer skips between two words


@lru_cache(maxsize=512)
def _words_starting(needles: tuple[str, ...]) -> re.Pattern:
    """Lowercase words that start with one of the needles."""
    return re.compile(r"(?<![^\W_])" + _any_spelling(needles) + r"[^\W_]*")


def _any_spelling(needles) -> str:
    """A regex group matching any spelling of any of ``needles``."""
    return "(?:" + "|".join(re.escape(s) for n in needles for s in _spellings(n)) + ")"


@lru_cache(maxsize=512)
def _phrase_pattern(needles: tuple[str, ...]) -> re.Pattern:
    """Lowercase text where the needles start adjacent words.

    Anchored at a word's start, and possessive (``*+``, ``++``): a word is
    read once. Matched anywhere with backtracking, a run of one letter (a
    base64 image's "AAAA…" in a Markdown page) was rescanned from each of
    its places: 11 s for one hit of '"a dog"'.
    """
    return re.compile(r"(?<![^\W_])" + r"[\W_]++".join(_any_spelling((n,)) + r"[^\W_]*+" for n in needles))


def _phrase_snippet(body: str, low: str, gen: tantivy.SnippetGenerator, phrases: list[tuple[str, ...]],
                    loose: list[str], other_form: bool) -> dict | None:
    """A passage around a place a phrase really is; None if none is found.

    The needles find where a phrase may be ("the keeper" also finds "their
    keeper"); the generator, which knows the stems, then tells whether it is.
    The generator sees only ``SNIPPET_CHARS`` from a little before that
    place, so its fragment is that passage. The first place wins, but for a
    place whose passage also has more of the words searched alone: for
    ``apt-get install``, the place of "apt-get install", not of "apt-get
    remove" above it.
    """
    # ``low`` is ``_lowered(body, ...)``: the same length, good enough to aim.
    starts: list[int] = []
    for needles in phrases:
        places = 0
        for m in _phrase_pattern(needles).finditer(low):  # never inside a word ("bathe keeper")
            starts.append(m.start())
            places += 1
            if places == PHRASE_PLACES:
                break
    starts.sort()
    if loose and len(starts) > 1:
        words = _words_starting(tuple(loose))

        def others(start: int) -> int:  # distinct words searched alone in the passage
            return len(set(words.findall(low, max(0, start - PHRASE_LEAD), start - PHRASE_LEAD + SNIPPET_CHARS)))

        starts.sort(key=lambda start: -others(start))  # stable: the first of equals stays first

    def keep(fragment: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
        return _phrase_spans(fragment, spans, phrases, loose)

    for start in starts[:PHRASE_TRIES]:
        found = _generated(body, gen, max(0, start - PHRASE_LEAD), SNIPPET_CHARS, other_form, keep)
        if found is not None:
            return found
    return None


_UNACCENTED = str.maketrans(_UNACCENTED_LETTERS | _TWO_LETTERS)


def _fold(word: str) -> str:
    """Lowercase without accents, as the index folds words ("Crème" → "creme", "Größe" → "grosse",
    "Οδός" → "οδοσ")."""
    word = fold_letters(word.lower())
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)).translate(_UNACCENTED)


def _phrase_spans(fragment: str, spans: list[tuple[int, int]], phrases: list[tuple[str, ...]],
                  loose: list[str]) -> list[tuple[int, int]] | None:
    """``spans`` with each phrase's run of words as one span, and the phrases'
    words that stand alone dropped (unless also searched alone); None when no
    phrase is among them."""
    words = [_fold(fragment[s:e]) for s, e in spans]
    in_run = [False] * len(spans)
    runs: list[tuple[int, int]] = []
    for needles in phrases:
        k = len(needles)
        for i in range(len(spans) - k + 1):
            if all(words[i + j].startswith(needles[j]) for j in range(k)) and all(
                _GAP.fullmatch(fragment[spans[i + j][1] : spans[i + j + 1][0]]) for j in range(k - 1)
            ):
                runs.append((spans[i][0], spans[i + k - 1][1]))
                in_run[i : i + k] = [True] * k
    if not runs:
        return None
    runs += [span for span, word, taken in zip(spans, words, in_run)
             if not taken and _searched_alone(word, phrases, loose)]
    return sorted(runs)


def _searched_alone(word: str, phrases: list[tuple[str, ...]], loose: list[str]) -> bool:
    """Whether a highlighted (folded) word is there on its own account: a word
    searched alone, or one no phrase's needle knows (a fuzzy match)."""
    if any(word.startswith(n) for n in loose):
        return True
    return not any(word.startswith(n) for needles in phrases for n in needles)


def _generated(body: str, gen: tantivy.SnippetGenerator, offset: int, width: int, other_form: bool,
               keep=None, max_bytes: int = SNIPPET_CHARS) -> dict | None:
    """The generator's best fragment of at most ``max_bytes`` of ``body[offset : offset + width]``;
    None if it highlights nothing (or ``keep(fragment, spans)``, which may change the spans, says None)."""
    full_len = len(body)
    if offset and not body[offset - 1].isspace():  # start on a word boundary: the generator never sees half a word
        space = body.find(" ", offset)
        offset = space + 1 if 0 <= space < offset + 50 else offset
    end = offset + width
    if end < full_len:  # ...and end on one: a word cut there would end the snippet ("production da…")
        space = max(body.rfind(" ", end - 50, end + 1), body.rfind("\n", end - 50, end + 1))
        end = space if space > offset else end
    text = body[offset:end]
    # The generator tokenizes like the index, which only ever saw the text
    # with its CJK blanked; blanking keeps every offset, so the ranges
    # found on the blanked text hold for ``text`` too.
    gen.set_max_num_chars(max_bytes)  # the generator is this request's own
    sn = gen.snippet_from_doc(tantivy.Document(body=index_form(text) if other_form else text))
    ranges = sn.highlighted()
    if not ranges:
        return None
    fr = sn.fragment_range()
    if text.isascii():  # byte offsets are character offsets
        size = len(text)
        fragment = text[fr.start : fr.end]
        spans = [(r.start, r.end) for r in ranges]
    else:
        raw = text.encode("utf-8")
        size = len(raw)
        fragment_raw = raw[fr.start : fr.end]
        fragment = fragment_raw.decode("utf-8", "ignore")
        spans = [(len(fragment_raw[: r.start].decode("utf-8", "ignore")),
                  len(fragment_raw[: r.end].decode("utf-8", "ignore"))) for r in ranges]
    if keep is not None:
        spans = keep(fragment, spans)
        if spans is None:
            return None
    cut_end = fr.end < size or offset + len(text) < full_len
    return _finish(fragment, spans, cut_start=offset > 0 or fr.start > 0, cut_end=cut_end)


def _cjk_snippet(body: str, needles: list[str]) -> dict | None:
    """The passage around the first of the CJK ``needles`` (a query's runs, ``textforms.fold``-ed),
    found in ``body`` with its half-width katakana full-width, as they are."""
    folded, starts = _full_width_text(body)
    hits = [p for p in (folded.find(n) for n in needles) if p >= 0]
    if not hits:
        return None
    pos = _written_at(starts, min(hits))
    start = max(0, pos - SNIPPET_CHARS // 4)
    end = min(len(body), start + SNIPPET_CHARS)
    text = body[start:end]
    folded, starts = _full_width_text(text)
    spans: list[tuple[int, int]] = []
    for n in needles:
        i = folded.find(n)
        while i >= 0:
            spans.append((_written_at(starts, i), _written_at(starts, i + len(n))))
            i = folded.find(n, i + 1)
    return _finish(text, spans, cut_start=start > 0, cut_end=end < len(body))


def _full_width_text(text: str) -> tuple[str, list[int] | None]:
    """``text`` with its half-width katakana full-width (as ``textforms.fold_width`` makes it), and
    where each of its characters starts in ``text``, one more for its end (None when
    nothing changed). "ﾃﾞ" is one character, "デ": the offsets must be mapped back."""
    if not has_half_width(text):
        return text, None
    parts: list[str] = []
    starts: list[int] = []
    done = 0
    for m in HALF_WIDTH.finditer(text):
        a, b = m.span()
        full = FULL_WIDTH[m.group()]
        parts += [text[done:a], full]
        starts += range(done, a)
        starts += range(a, b) if len(full) == b - a else [a] * len(full)
        done = b
    parts.append(text[done:])
    starts += range(done, len(text) + 1)
    return "".join(parts), starts


def _written_at(starts: list[int] | None, i: int) -> int:
    """Where the ``i``-th character of a ``_full_width_text`` starts in the text as written."""
    return i if starts is None else starts[i]


# Only what collapsing changes: two or more whitespace characters, or one that is not " ".
_SPACES = re.compile(r"\s{2,}|[^\S ]")


def _finish(text: str, spans: list[tuple[int, int]], cut_start: bool, cut_end: bool) -> dict:
    """Collapse whitespace, add ellipses, merge overlapping spans; remap offsets.

    Runs of whitespace become one space (found with one regex pass, not a
    Python loop per character); an old offset maps to the new text through
    the list of runs before it.
    """
    # Most fragments have nothing to collapse: no double space, and no whitespace
    # but " " (any other kind is unprintable); that check is 30x cheaper than the regex.
    runs = [] if "  " not in text and text.isprintable() else [(m.start(), m.end()) for m in _SPACES.finditer(text)]
    if not runs:
        new = text
        starts: list[int] = []
    else:
        parts: list[str] = []
        pos = 0
        for a, b in runs:
            parts.append(text[pos:a])
            parts.append(" ")
            pos = b
        parts.append(text[pos:])
        new = "".join(parts)
        starts = [a for a, _ in runs]
    removed: list[int] = []  # characters dropped by the runs up to and including run i
    total = 0
    for a, b in runs:
        total += b - a - 1
        removed.append(total)

    def where(i: int) -> int:
        k = bisect_right(starts, i) - 1  # the last run starting at or before i
        if k < 0:
            return i
        a, b = runs[k]
        before = removed[k - 1] if k else 0
        if i < b:  # inside the run: it maps onto the run's single space
            return a - before + (1 if i > a else 0)
        return i - removed[k]

    lead = len(new) - len(new.lstrip(" "))
    new = new.strip(" ")
    shift = 0
    if cut_start and new:
        new = ELLIPSIS + new
        shift = 1
    if cut_end and new:
        new = new + ELLIPSIS
    limit = len(new) - (1 if cut_end and new else 0)
    mapped: list[list[int]] = []
    for s, e in sorted(spans):
        ns = max(shift, where(s) - lead + shift)
        ne = min(limit, where(e) - lead + shift)
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
