"""The text forms that index and query share: what a word is, and how text is folded.

A query finds a unit only when its words are read exactly as the unit's text
was read when indexed, so both go through this module: the word analyzers
(``analyzers``; ``query_analyzers`` for query text), the folds the index
applies before tantivy's analyzers see a text and a query applies to its words
(``fold``, ``fold_letters``, ``fold_width``, ``index_form``, ``undotted``,
``nfc``), the CJK bigrams (``cjk_bigrams`` indexed, ``query_bigrams`` searched),
and the common-word grams (``common_grams`` indexed, ``stem_grams`` of a
phrase's stems searched). Snippets fold a unit's text the same way to find
what matched (``siteseer.search.snippets``).

Anything here that changes what is indexed changes the index: bump
``schema.SCHEMA_VERSION`` (the schema imports this module, never the other
way round).
"""

from __future__ import annotations

import re
import unicodedata

import tantivy

# The analyzers' names, as the schema's fields give them (``schema.build_schema``).
WORDS = "words"  # stemmed word analyzer
VOCAB = "vocab"  # unstemmed word analyzer
BIGRAMS = "bigrams"  # whitespace-separated CJK bigrams made in Python

# Scripts written without spaces between words (plus the prolonged sound
# mark and iteration marks, which Unicode files under "Common").
CJK_CLASS = (
    r"\u3005\u3006\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff\uac00-\ud7af\uff66-\uff9f"
    # Thai and Lao, Myanmar, Khmer: no spaces between words either, so a run was one
    # token and "ประเทศไทย" inside a sentence was never found. All 3 UTF-8 bytes a
    # character, as the CJK code assumes.
    r"\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
)
CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
_CJK_CHAR = re.compile(f"[{CJK_CLASS}]")


def has_cjk(text: str) -> bool:
    """Whether ``text`` has a CJK character: the quick test before any work on CJK.

    One character's pattern, not ``CJK_RUN``: searching for a run costs 4x
    more on text without one (most text), and ASCII text is not searched at all.
    """
    return not text.isascii() and _CJK_CHAR.search(text) is not None


# The longest word indexed, in UTF-8 bytes: a SHA-256 in hex (a git commit's SHA-1 is 40);
# longer runs are mostly encoded data (0.04 % of the corpus's words).
MAX_WORD_CHARS = 64

# The most frequent words of English (the Oxford English Corpus's first 100
# lemmas, with their irregular forms): the words whose pairs ``grams`` holds.
# Changing the list changes what is indexed: bump schema.SCHEMA_VERSION.
COMMON_WORDS = """
the be to of and a in that have i it for not on with he as you do at this but his by from they we say her she or an
will my one all would there their what so up out if about who get which go me when make can like time no just him know
take people into year your good some could them see other than then now look only come its over think also back after
use two how our work first well way even new want because any these give day most us
is are was were been being am has had having does did done says said got goes went gone made took taken knew known saw
seen came thought gave given
""".split()
GRAM_JOINER = "_"  # never part of a word (the word tokenizer splits on it)


def _word_analyzer(stem: bool) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_WORD_CHARS + 1))  # drops words of at least its limit
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("english"))
    return builder.build()


def analyzers() -> dict[str, tantivy.TextAnalyzer]:
    """Fresh analyzers by name (also used to analyze query words identically)."""
    return {
        WORDS: _word_analyzer(stem=True),
        VOCAB: _word_analyzer(stem=False),
        BIGRAMS: tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build(),
    }


class Folding:
    """An analyzer that ``fold``s a text first: a query's words read as the index
    reads text (which is folded before tantivy's analyzers see it, in ``index_form``)."""

    __slots__ = ("analyzer",)

    def __init__(self, analyzer: tantivy.TextAnalyzer):
        self.analyzer = analyzer

    def analyze(self, text: str) -> list[str]:
        return self.analyzer.analyze(fold(text))


def query_analyzers() -> dict[str, Folding]:
    """``analyzers``' word analyzers for query text: folding first, as the index does."""
    return {name: Folding(analyzer) for name, analyzer in analyzers().items() if name != BIGRAMS}


def shown(word: str) -> str:
    """A folded word (of the vocabulary) as offered to a reader: its last "σ" as "ς",
    as Greek writes it ("οδοσ" → "οδος"); searched, it folds back."""
    return word[:-1] + "\u03c2" if len(word) > 1 and word[-1] == "\u03c3" and word[-2].isalpha() else word


_BLANK = "\u3000"  # ideographic space: 3 UTF-8 bytes like every CJK_CLASS character, and not a word


# Turkish capital I with a dot: lowercasing it gives "i" and a combining dot, which
# no folding removes ("İstanbul" was not found by "istanbul"). Indexed as "Í" (two
# UTF-8 bytes, as "İ"), which lowercases and folds to "i"; queries read it as "I".
DOTTED_I = "\u0130"
_DOTTED_I_INDEXED = "\u00cd"


def undotted(text: str) -> str:
    """``text`` with "İ" as "I", as queries and snippet aims read it (one character, as "İ" is;
    lowercased, "İ" is two). The index reads it as "Í" instead, for its UTF-8 length."""
    return text.replace(DOTTED_I, "I") if DOTTED_I in text else text


def _greek_folds() -> tuple[tuple[str, str], ...]:
    """Greek vowels with a tonos or dialytika as the bare vowel ("ά" → "α", "Ϊ" → "Ι"), and
    the final sigma "ς" as "σ": tantivy's ASCII folding leaves Greek alone, and its lowercasing
    makes every "Σ" a "σ", so "ΟΔΟΣ" and "Οδός" were two words. Each is two UTF-8 bytes, as
    its fold is. (Polytonic letters, U+1F00-1FFF, are three bytes and stay as they are.)"""
    folds = [("\u03c2", "\u03c3")]
    for code in range(0x0386, 0x03d0):
        char = chr(code)
        parts = unicodedata.normalize("NFD", char)
        if len(parts) > 1 and ("\u0391" <= parts[0] <= "\u03a9" or "\u03b1" <= parts[0] <= "\u03c9"):
            folds.append((char, parts[0]))
    return tuple(folds)


# Russian "ё" as "е", as Russian search engines read it: most text writes "е" for both
# ("елка еж" found nothing where "ёлка ёж" was written). Two UTF-8 bytes each.
CYRILLIC_FOLDS = (("\u0451", "\u0435"), ("\u0401", "\u0415"))
# Letters the index reads as another letter of the same UTF-8 length (so every offset holds).
LETTER_FOLDS = _greek_folds() + CYRILLIC_FOLDS
# Half-width katakana (U+FF66-FF9F: old terminals, forms, receipts) is full-width katakana
# (NFKC), a voicing mark joined to the letter before it ("ﾃﾞ" is "デ"): "ｲﾝｽﾄｰﾙ" found
# nothing where "インストール" found 303 units of the corpus. All of it is CJK_CLASS, so
# only the bigram fields and a query's CJK runs see it (the word fields blank it), and
# there no offset is kept: its length may change.
HALF_WIDTH = re.compile("[\uff66-\uff9d][\uff9e\uff9f]?|[\uff9e\uff9f]")
_HALF_WIDTH_CHAR = re.compile("[\uff66-\uff9f]")  # one character's pattern: a third of HALF_WIDTH's scan
FULL_WIDTH = {  # what HALF_WIDTH matches -> its NFKC
    half: unicodedata.normalize("NFKC", half)
    for half in [*map(chr, range(0xFF66, 0xFFA0)), *(chr(c) + m for c in range(0xFF66, 0xFF9E) for m in "\uff9e\uff9f")]
}
# Anything index_form changes, bar "İ": one scan of a non-ASCII text decides.
_INDEX_FORMED = re.compile(f"[{CJK_CLASS}" + "".join(a for a, _ in LETTER_FOLDS) + "]")


def fold(text: str) -> str:
    """``text`` as the index reads it, bar the analyzers' own lowercasing and ASCII
    folding: the letters of LETTER_FOLDS folded, half-width katakana full-width.
    Query words are read through it (``query_analyzers``, ``Builder.term``); the
    index applies the part that can change each field (``index_form``: the letters,
    CJK being blanked there; ``cjk_bigrams``: the katakana, its runs having no letters).
    """
    if text.isascii():
        return text
    return fold_letters(fold_width(text))


def fold_letters(text: str) -> str:
    """``text`` with the letters of LETTER_FOLDS folded: the same length in characters
    and in UTF-8 bytes, so offsets on it hold for ``text``.

    One ``str.replace`` per letter present, found with ``in``: 14 us for 30 KB of
    any text (a regex scan for them took 150 us), 50 us for 30 KB of Greek, where
    ``str.translate`` took 2 ms (it looks each character up in a dict).
    """
    if text.isascii():
        return text
    for letter, folded in LETTER_FOLDS:
        if letter in text:
            text = text.replace(letter, folded)
    return text


def _full_width(m: re.Match) -> str:
    return FULL_WIDTH[m.group()]


def has_half_width(text: str) -> bool:
    """Whether ``text`` has half-width katakana (see HALF_WIDTH)."""
    return not text.isascii() and _HALF_WIDTH_CHAR.search(text) is not None


def fold_width(text: str) -> str:
    """``text`` with its half-width katakana full-width (see HALF_WIDTH): lengths may change."""
    return HALF_WIDTH.sub(_full_width, text) if has_half_width(text) else text


def index_form(text: str) -> str:
    """``text`` as the word fields index it: every CJK character replaced by
    U+3000 (the word tokenizer would otherwise glue "Debianパッケージ" into one
    token), "İ" by "Í" (see DOTTED_I), and its letters folded (``fold_letters``).

    Character *and* UTF-8 byte offsets are unchanged (every CJK_CLASS
    character is in the BMP above U+0800, as U+3000; "İ" and "Í" are two bytes
    each; so is each fold), so a snippet computed on this form maps straight back
    onto the original.
    """
    if text.isascii():
        return text
    if DOTTED_I in text:
        text = text.replace(DOTTED_I, _DOTTED_I_INDEXED)
    first = _INDEX_FORMED.search(text)  # most text: as cheap as the one test for CJK it replaces
    if first is None:
        return text
    if _CJK_CHAR.search(text, first.start()) is not None:  # (has_cjk, from where it may be)
        text = CJK_RUN.sub(lambda m: _BLANK * len(m.group()), text)
    return fold_letters(text)


def nfc(text: str) -> str:
    """``text`` composed (NFC), as queries are typed: decomposed accents ("e" and a
    combining acute, as macOS names files and some editors write) split words in two
    for the tokenizer ("re", "sume" for "résumé"). Most text is composed already."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def cjk_bigrams(text: str) -> str:
    """The CJK runs of ``text`` (half-width katakana full-width: ``fold_width``) as
    space-separated overlapping bigrams.

    Each run also ends with its last character alone so a one-character
    query can find it by prefix. Empty when the text has no CJK.
    """
    if not has_cjk(text):
        return ""
    text = fold_width(text)
    out: list[str] = []
    for run in CJK_RUN.findall(text):
        if len(run) > 1:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        out.append(run[-1])
    return " ".join(out)


_STEMS = _word_analyzer(stem=True)
COMMON_STEMS = frozenset(stem for word in COMMON_WORDS for stem in _STEMS.analyze(word))
_WORDS_AS_WRITTEN = _word_analyzer(stem=False)
_STEMMER = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(tantivy.Filter.stemmer("english")).build()


class _StemOf(dict):
    """word -> its stem, remembered: the words analyzer's stemmer applied to one word.

    Stemming is most of what analyzing a body costs (~450 ns a word) and a
    text repeats its words: tokenizing unstemmed and looking the stems up
    here made the grams of 6,266 corpus units 27 % cheaper, every gram the
    same. Cleared past ``limit`` words so an extraction process stays small.
    """

    limit = 500_000

    def __missing__(self, word: str) -> str:
        if len(self) >= self.limit:
            self.clear()
        stem = self[word] = _STEMMER.analyze(word)[0]
        return stem


_STEM_OF = _StemOf()


def common_grams(text: str) -> str:
    """The ``grams`` of ``text``, space-separated ("" when it has none)."""
    return " ".join(stem_grams(list(map(_STEM_OF.__getitem__, _WORDS_AS_WRITTEN.analyze(text)))))


def stem_grams(stems: list[str]) -> list[str]:
    """Each pair of adjacent stems with a common one, as ``a_b``, in order.

    Whether a pair is a gram depends on its stems only, which is all a
    query's phrase knows: so the gram of a two-word phrase is in exactly the
    units where the phrase is (except around words over 64 bytes, which the
    word fields drop and this skips over: "the <base64 blob> value" has "the_valu").
    """
    common = COMMON_STEMS
    return [f"{a}{GRAM_JOINER}{b}" for a, b in zip(stems, stems[1:]) if a in common or b in common]


def query_bigrams(run: str) -> list[str]:
    """The bigrams a query's CJK run must match in sequence."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]
