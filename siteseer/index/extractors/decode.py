"""Bytes → str for the text-based formats, and the "is this binary junk?" test.

Real folders hold legacy encodings (cp1252 pages, UTF-16 subtitles from
Windows tools, Shift_JIS and GBK notes), so decoding tries BOM → declared
charset → UTF-8 → a guess for non-Latin scripts → cp1252 instead of failing
on the first bad byte.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from .base import ExtractError

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# As browsers do (WHATWG Encoding): these labels really mean windows-1252, and a
# UTF-16 label in the bytes themselves means UTF-8 (real UTF-16 starts with a BOM).
_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
            "us-ascii": "cp1252", "ascii": "cp1252", "l1": "cp1252", "windows-1252": "cp1252",
            "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8"}

_SNIFF_BYTES = 8192
# Bytes that never appear in text: C0 controls except \t \n \f \r and ESC (ANSI colours in logs).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"


def bom_encoding(data: bytes) -> str | None:
    """The encoding named by a byte-order mark at the start of ``data``, if any."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def check_not_binary(data: bytes) -> None:
    """Raise ExtractError("binary content") for a non-text file with a text extension.

    Looks at the first 8 KB only (cheap). A UTF-16/32 BOM legitimately brings NULs.
    """
    head = data[:_SNIFF_BYTES]
    if bom_encoding(head) is not None:
        return
    if b"\x00" in head:
        raise ExtractError("binary content")
    if head and len(head) - len(head.translate(None, _CONTROL)) > len(head) // 10:
        raise ExtractError("binary content")


def normalise_label(label: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode with BOM, then UTF-8 (a few invalid bytes allowed), then the declared charset, then a guess, then cp1252.

    Bytes that are valid UTF-8 beyond ASCII are UTF-8 whatever the page
    declares: legacy-charset text almost never is, while pages converted to
    UTF-8 often keep their old <meta charset=iso-8859-1> (decoding them as
    declared indexed "cafÃ©"). Pure ASCII keeps the declared charset
    (ISO-2022-JP is 7-bit). Undeclared, ``non_latin_guess`` may name a
    Japanese, Chinese, Korean, Cyrillic, ... encoding. cp1252 is the last
    resort and never fails (undefined bytes become U+FFFD), so any byte
    string yields text; the binary check happens before this.
    """
    bom = bom_encoding(data)
    if bom:
        return data.decode(bom, errors="replace").lstrip("\ufeff")
    codec = normalise_label(declared)
    if codec in (None, "utf-8") or not data.isascii():
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            text = _mostly_utf8(data)
            if text is not None:
                return text
    if codec and codec not in ("utf-8", "cp1252"):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass  # the declaration lies; fall through to the guess
    guessed = non_latin_guess(data) if not data.isascii() else None
    if guessed is not None:
        return guessed
    return data.decode("cp1252", errors="replace")


# Valid UTF-8 characters beyond ASCII per invalid byte sequence from which a file is
# UTF-8 with a stray byte or two (a cp1252 "’" pasted in, a truncated last character):
# a legacy-charset text has almost no valid sequences, as "é" alone (0xE9) is not one.
# 4 made a short UTF-8 note cp1252 for one stray byte ("café crème \xff" was "cafÃ© crÃ¨me").
_UTF8_PER_ERROR = 2


def _mostly_utf8(data: bytes) -> str | None:
    """``data`` as UTF-8 with its few invalid bytes as U+FFFD, when it is UTF-8 but for them; else None.

    One stray byte made a whole UTF-8 page cp1252 ("cafÃ©", "Ã‰lÃ¨ve"), found by no search.
    """
    text = data.decode("utf-8", errors="replace")
    errors = text.count("\ufffd")
    beyond_ascii = len(text) - len(text.encode("ascii", "ignore")) - errors
    return text if beyond_ascii >= _UTF8_PER_ERROR * errors else None


_GUESS_BYTES = 64 * 1024  # what the detector reads: milliseconds, and only for files that are not UTF-8
# Letters of scripts no single-byte Western encoding has: a decoding into these is no accident.
_SCRIPTS = (
    ((0x0370, 0x03FF),),  # Greek
    ((0x0400, 0x052F),),  # Cyrillic
    ((0x0590, 0x05FF),),  # Hebrew
    ((0x0600, 0x06FF),),  # Arabic
    ((0x0E00, 0x0E7F),),  # Thai
    # Hiragana and Katakana (not the half-width forms: KOI8-R read as Shift_JIS is those),
    # CJK ideographs, Hangul: Japanese mixes the first three.
    ((0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF)),
)
_TRUSTED_SHARE = 0.8
# Fewer non-ASCII letters than this say nothing: "Résumé" or "50°C" in cp1252 read as
# Johab or Big5 is one or two Hangul or Han characters, all of "one script".
_MIN_LETTERS = 4
# Bytes below 0x40 (space, digits, "<", "/", newlines) are characters of their own in
# every multi-byte encoding (never a second byte): a decoding that has fewer of them
# glued some to the byte before ("R\xe9sum\xe9</h1>" as Johab lost its "<").
_LOW_BYTES = bytes(range(0x40))
_LOW_CHARS = dict.fromkeys(range(0x40))  # for str.translate: the same, as characters


def non_latin_guess(data: bytes) -> str | None:
    """``data`` decoded with the encoding charset-normalizer guesses, when that gives
    a text whose non-ASCII letters are nearly all of one non-Latin script; else None.

    Without it a Shift_JIS note was indexed as cp1252 mojibake ("“ú–{Œê"), which no
    search finds. Only such guesses are trusted: on short Western text the detector
    names cp1250, cp437 or UTF-16 ("café" in cp1252), where cp1252 is right.
    """
    best = from_bytes(data[:_GUESS_BYTES]).best()
    # UTF-16 and -32 without a BOM are not met in files; two Latin-1 bytes read as one are CJK.
    if best is None or not best.encoding or best.encoding.startswith("utf"):
        return None
    try:
        text = data.decode(best.encoding, errors="replace")
    except LookupError:
        return None
    letters = [ord(c) for c in text[: _GUESS_BYTES] if not c.isascii() and c.isalpha()]
    if len(letters) < _MIN_LETTERS:
        return None
    # Counted in the part the detector read (a character-by-character count of a whole
    # file of megabytes took longer than the detection).
    head = data[:_GUESS_BYTES]
    head_text = head.decode(best.encoding, errors="replace")
    if len(head) - len(head.translate(None, _LOW_BYTES)) != len(head_text) - len(head_text.translate(_LOW_CHARS)):
        return None
    for ranges in _SCRIPTS:
        if sum(any(low <= c <= high for low, high in ranges) for c in letters) >= _TRUSTED_SHARE * len(letters):
            return text
    return None
