"""Parsing what users type into a small, safe query description.

The grammar is deliberately forgiving: anything that is not understood is
treated as words, so every string either parses or gets a ``QueryError``
with a message meant for the user. User text never reaches tantivy's own
query-string parser; ``siteseer.search.build`` turns the result into
tantivy Query objects.

    words           all must match (BM25; title and headings weigh more); of three or
                    more words (or OR-groups) that no unit has together, all but one
                    (see build.Builder.relaxed)
    "a phrase"      words next to each other, always required; an unclosed quote runs to the end
                    (typographic quotes too: “a phrase”, „a phrase“, «a phrase»)
    -word -"a b"    must not match (``--word`` is the word: a command-line option, not an exclusion)
    a OR b          either (also ``|``); ``AND`` / ``&&`` are accepted and ignored
    type:pdf        html, pdf, json, text, markdown, subtitle, video (negatable); also filetype:, ext:
    in:docs/manual/ only under that folder (negatable); quote a value with spaces: in:"my docs"
    intitle:word    the word in the result's title (Google's name); intitle:"a phrase" (negatable);
                    its words are searched too, so it ranks and makes a query alone
    site:x          an error that says why: every result is from this site (in: keeps to a folder)
    after:2024-01-01 / before:2024-06  modified on/after, or before, a date; or how long ago,
                    counted from today's start (UTC): after:7d, after:2w, after:3m, before:1y
    last word       also matches as a prefix while typing (no trailing space), if it ends
                    with a letter or digit ("__init__", "50%" and "C++" are finished)
    word*           a prefix wherever it is

``OR``, ``AND``, ``|`` and ``&&`` alone are what they say: a query of only
those searches them as words ("OR"), or has nothing to search ("|").
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from siteseer.index.extractors.base import KINDS
from siteseer.index.textforms import nfc, undotted

from .errors import QueryError

KIND_ALIASES = {"htm": "html", "txt": "text", "md": "markdown", "srt": "subtitle", "vtt": "subtitle",
                "subtitles": "subtitle", "subs": "subtitle", "mp4": "video", "webm": "video"}
FILTERS = ("type", "in", "intitle", "after", "before")
# Other names for a filter: Google's ``filetype:`` (and ``ext:``) are what people type.
FILTER_ALIASES = {"filetype": "type", "ext": "type"}
MAX_TERMS = 32

_FILTER_NAMES = "|".join((*FILTERS, *FILTER_ALIASES))
_FILTER_RE = re.compile(rf"^({_FILTER_NAMES}):(.+)$", re.IGNORECASE)
_FILTER_NAME_RE = re.compile(rf"({_FILTER_NAMES}):", re.IGNORECASE)
# Google's site: means nothing here (every result is from this site), and searched as
# words ("site docs" in a row) it found nothing and said not why.
SITE_FILTER = re.compile(r"^site:.", re.IGNORECASE)
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# Invisible characters that sit inside a word without ending it (copied from a web page
# or a PDF): a soft hyphen, zero-width space, word joiner, zero-width no-break space.
# Dropped, not made a space: "sta\u00adsh" is "stash", not "sta" and a prefix "sh".
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")
# Opening and closing quotes of a phrase: typographic ones too, as phones and word
# processors type them ("smart quotes"), else "“git stash”" searched two words.
QUOTES = frozenset('"\u201c\u201d\u201e\u201f\u00ab\u00bb\uff02')
_OPERATORS = ("OR", "|", "AND", "&&")
_SEARCHABLE = re.compile(r"[^\W_]")  # a letter or digit (CJK too)


@dataclass
class Term:
    text: str
    phrase: bool = False
    negated: bool = False
    prefix: bool = False  # the last word, maybe still being typed
    span: tuple[int, int] = (0, 0)  # where it sits in the cleaned query (for suggestions)


@dataclass
class Filter:
    name: str  # type | in | intitle | after | before
    value: object  # kind str, folder str, title words str, or datetime
    negated: bool = False


@dataclass
class ParsedQuery:
    text: str  # the cleaned query the spans refer to
    groups: list[list[Term]] = field(default_factory=list)  # AND of OR-groups
    excluded: list[Term] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)

    @property
    def positive_terms(self) -> list[Term]:
        return [t for g in self.groups for t in g]


def clean(q: str) -> str:
    """Drop invisible in-word characters; control/format characters and lone surrogates
    become spaces; compose accents (NFC) and read "İ" as "I", as the index reads text
    (``textforms.nfc``, ``textforms.undotted``); keep everything else."""
    if not q.isascii():  # all non-ASCII: most queries skip these passes
        q = undotted(nfc(_INVISIBLE.sub("", _SURROGATES.sub(" ", q))))
    return "".join(" " if unicodedata.category(c)[0] == "C" else c for c in q).strip()


def parse(q: str, max_chars: int = 1000) -> ParsedQuery:
    if not isinstance(q, str):
        raise QueryError("the query must be text")
    if len(q) > max_chars:
        raise QueryError(f"the query is too long ({len(q)} characters; at most {max_chars})")
    text = clean(q)
    ends_open = bool(text) and not q[-1:].isspace()
    parsed = ParsedQuery(text=text)
    tokens = list(_lex(text))
    pending_or = False
    last_group: list[Term] | None = None
    operators: list[Term] = []  # searched as words when the query has nothing else
    everything = False
    for i, (kind, value, negated, span) in enumerate(tokens):
        if kind == "word" and not negated and value in _OPERATORS:
            operators.append(Term(value, span=span))
            if value in ("OR", "|"):
                pending_or = last_group is not None
            continue
        if kind == "word" and not negated and not value.strip("*"):
            everything = True
            continue  # "*" alone means everything: no words to match
        if negated and not _SEARCHABLE.search(value):
            negated = False  # "-@", '-""': nothing to exclude; it is what it is ("no letters or digits")
        if kind == "word":
            m = _FILTER_RE.match(value)
            if m:
                found = _filter(_filter_name(m.group(1)), m.group(2), negated)
                parsed.filters.append(found)
                pending_or = False
                if found.name == "intitle" and not negated:
                    # Its words are searched as well (the title's words are the body's too):
                    # they rank, are marked in snippets, and "intitle:lamp" alone is a query.
                    # The span is the value's, for a "did you mean" that keeps "intitle:".
                    quoted = m.group(2)[:1] in QUOTES
                    parsed.groups.append([Term(str(found.value), phrase=quoted,
                                               span=(span[0] + len(m.group(1)) + 1, span[1]))])
                    last_group = None  # "intitle:a OR b": b is not an alternative to the title's word
                continue
            if SITE_FILTER.match(value):
                raise QueryError("site: is not needed: every result is from this site (in:folder keeps to a folder)")
        term = Term(value, phrase=(kind == "phrase"), negated=negated, span=span)
        if negated:
            parsed.excluded.append(term)
            continue
        term.prefix = kind == "word" and (value.endswith("*") or (i == len(tokens) - 1 and ends_open and _open(value)))
        if pending_or and last_group is not None:
            last_group.append(term)
        else:
            last_group = [term]
            parsed.groups.append(last_group)
        pending_or = False
    if operators and not everything and not (parsed.groups or parsed.excluded or parsed.filters):
        parsed.groups = [[t] for t in operators]  # "AND" alone: the word, not every document
    if len(parsed.positive_terms) + len(parsed.excluded) > MAX_TERMS:
        raise QueryError(f"the query has too many words (at most {MAX_TERMS})")
    return parsed


def _open(word: str) -> bool:
    """Whether a word may still be being typed: it ends with a letter, digit or mark."""
    return unicodedata.category(word[-1])[0] in "LNM"


def type_words(text: str) -> list[tuple[tuple[int, int], str, bool]]:
    """The ``type:`` (``filetype:``, ``ext:``) filter words of a cleaned query: ``(span, value, negated)``.

    The results page's type tabs replace these with their own type.
    """
    found = []
    for kind, value, negated, span in _lex(text):
        m = _FILTER_RE.match(value) if kind == "word" else None
        if m and _filter_name(m.group(1)) == "type":
            found.append((span, m.group(2), negated))
    return found


def _lex(text: str):
    """Yield (kind, value, negated, span) with kind "word" or "phrase"."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        negated = False
        if text[i] == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "-":
            negated = True
            i += 1
        if text[i] in QUOTES:
            end = _find_quote(text, i + 1)
            close = n if end == -1 else end
            yield "phrase", text[i + 1 : close], negated, (start, min(close + 1, n))
            i = close + 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] not in QUOTES:
            j += 1
        if j < n and text[j] in QUOTES and _FILTER_NAME_RE.fullmatch(text[i:j]):
            j = _quoted_value_end(text, j)
        if j == i:  # a lone '-' before a quote that was consumed: nothing
            i += 1
            continue
        yield "word", text[i:j], negated, (start, j)
        i = j


def _quoted_value_end(text: str, quote: int) -> int:
    """Where a filter's quoted value ends (after its closing quote, else the end).

    ``in:"my docs"`` must reach ``_filter`` whole: a folder with a space in its
    name can only be written quoted, and cut at the quote the filter read
    ``in:`` as a word and ``"my docs"`` as a phrase, silently.
    """
    end = _find_quote(text, quote + 1)
    return len(text) if end == -1 else end + 1


def _find_quote(text: str, start: int) -> int:
    """The first quote (any of ``QUOTES``) at or after ``start``; -1 if none."""
    if text.isascii():
        return text.find('"', start)
    return next((k for k in range(start, len(text)) if text[k] in QUOTES), -1)


def _filter_name(written: str) -> str:
    """The filter a name as written stands for: ``FileType`` is ``type``."""
    name = written.lower()
    return FILTER_ALIASES.get(name, name)


def _filter(name: str, value: str, negated: bool) -> Filter:
    value = value.strip().strip("".join(QUOTES))
    if name == "type":
        kind = value.lower()
        kind = KIND_ALIASES.get(kind, kind)
        if kind not in KINDS:
            raise QueryError(f"unknown type {_shown(value)!r} (known: {', '.join(KINDS)})")
        return Filter("type", kind, negated)
    if name == "in":
        folder = value.replace("\\", "/").strip("/")
        folder = "/".join(p for p in folder.split("/") if p and p != ".")
        if not folder or ".." in folder.split("/"):
            raise QueryError(f"in:{_shown(value)} is not a folder path like in:docs/manual/")
        return Filter("in", folder, negated)
    if name == "intitle":
        if not _SEARCHABLE.search(value):
            raise QueryError(f"intitle:{_shown(value)} has no word to look for in titles")
        return Filter("intitle", value, negated)
    return Filter(name, parse_date(name, value), negated)


# The range tantivy's dates can hold (nanoseconds in an i64).
MIN_DATE = datetime(1678, 1, 1, tzinfo=timezone.utc)
MAX_DATE = datetime(2262, 1, 1, tzinfo=timezone.utc)


def _today() -> date:
    return datetime.now(timezone.utc).date()


_AGO = re.compile(r"(\d{1,5})([dwmy])", re.IGNORECASE)


def parse_date(name: str, value: str, today: date | None = None) -> datetime:
    """A filter's date: ``2024-06-30``, ``2024-06``, ``2024``, or how long before ``today``
    (UTC's, by default) began: ``7d``, ``2w``, ``3m``, ``1y``. A day, not the moment:
    "after:7d" is the same search all day (and the same cached answer)."""
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            parsed = datetime.strptime(value, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
        return min(max(parsed, MIN_DATE), MAX_DATE)
    m = _AGO.fullmatch(value)
    if m is None:
        raise QueryError(f"{name}:{_shown(value)} is not a date; use YYYY-MM-DD, YYYY-MM or YYYY, "
                         "or how long ago: 7d, 2w, 3m, 1y")
    n, unit = int(m.group(1)), m.group(2).lower()
    day = today or _today()
    if unit in "dw":
        days = n * (7 if unit == "w" else 1)
        if days >= (day - MIN_DATE.date()).days:
            return MIN_DATE
        day -= timedelta(days=days)
    else:
        months = day.year * 12 + day.month - 1 - n * (12 if unit == "y" else 1)
        year, month = divmod(months, 12)
        if year < MIN_DATE.year:
            return MIN_DATE
        day = date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))  # 31 Mar - 1m: 28 Feb
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _shown(value: str, most: int = 40) -> str:
    """A value as an error message repeats it: cut (type= of 5,000 characters came back whole)."""
    return value if len(value) <= most else value[:most] + "…"


def normalize_type(value: str | None) -> str | None:
    """The ``type=`` API parameter: same names and aliases as ``type:``."""
    if value is None or value == "":
        return None
    return _filter("type", value, False).value  # type: ignore[return-value]
