"""JSON → units of "key: value" lines (keys and string values; numbers are noise).

Data files can be huge or adversarially deep, so the walk is iterative and
stops descending below MAX_DEPTH. A file longer than max_unit_chars is split
into several units, as a text file is (their hits link to the same file): cut
at its first 30,000 characters, iso_3166-2.json's "Bayern" was found by no
search. HTML in string values (MDN's "<code>fetch()</code>") is read as text.

JSON Lines (.jsonl, .ndjson, or a .json file holding one value per line) is
read as the list of its values.
"""

from __future__ import annotations

import html
import json
import re

from .base import Extracted, ExtractError
from .decode import bom_encoding
from .textutil import make_units, one_line

MAX_DEPTH = 64  # deeper values are not indexed
_LINES_SUFFIXES = (".jsonl", ".ndjson")
_SCALAR_KEYS_ONLY = (int, float, bool, type(None))


def _number(digits: str) -> int:
    """An integer's value is never indexed (only its key is): 0 stands for any, so that
    one longer than Python's int limit (4,300 digits) is no "invalid JSON"."""
    return 0


def extract_json(data: bytes, name: str, max_chars: int) -> Extracted:
    """Parse and flatten a JSON document; invalid JSON raises ExtractError."""
    if bom_encoding(data) is None and b"\x00" in data[:8192]:
        raise ExtractError("binary content")
    try:
        doc = _parse(data, name)
    except UnicodeDecodeError:
        raise ExtractError("not valid UTF-8 text") from None
    except RecursionError:
        raise ExtractError("invalid JSON (nested too deeply to parse)") from None
    except ValueError as err:
        raise ExtractError(f"invalid JSON ({err})") from None
    title = _title(doc) or name
    return Extracted("json", title, make_units(title, flatten(doc), max_chars))


def _parse(data: bytes, name: str) -> object:
    """One JSON value, or the list of a JSON Lines file's values."""
    if not name.lower().endswith(_LINES_SUFFIXES):
        try:
            return json.loads(data, parse_int=_number)  # detects UTF-8 (with or without BOM) and UTF-16/32
        except json.JSONDecodeError as err:
            if err.msg != "Extra data":
                raise
            try:  # a second value after the first: JSON Lines named .json
                return _json_lines(data)
            except ValueError:
                raise err from None
    return _json_lines(data)


def _json_lines(data: bytes) -> list[object]:
    text = data.decode(bom_encoding(data) or "utf-8").lstrip("\ufeff")
    values = []
    for number, line in enumerate(text.split("\n"), 1):  # not splitlines(): U+2028 is valid inside strings
        if line.strip():
            try:
                values.append(json.loads(line, parse_int=_number))
            except json.JSONDecodeError as err:
                raise ValueError(f"line {number}: {err.msg}") from None
    return values


def _title(doc: object) -> str:
    if isinstance(doc, dict):
        for key in ("title", "name"):
            value = doc.get(key)
            if isinstance(value, str) and value.strip():
                return one_line(value)[:200]
    return ""


# Tags of the HTML that data files put in their strings; not any "<...>" ("List<String>" stays).
_TAG = re.compile(r"</?(a|abbr|b|br|code|dd|div|dl|dt|em|h[1-6]|i|img|kbd|li|ol|p|pre|q|s|samp|small|span|strong"
                  r"|sub|sup|table|td|th|tr|u|ul|var)\b[^<>]*>", re.IGNORECASE)


# Inline tags go without a trace ("<code>fetch()</code>." is "fetch()."); the others end a word.
_INLINE = frozenset("a abbr b code em i kbd q s samp small span strong sub sup u var".split())


def _text(value: str) -> str:
    """A string value as text: the tags of HTML in it dropped, its entities read."""
    if "<" in value and _TAG.search(value):
        return html.unescape(_TAG.sub(_untagged, value))
    return value


def _untagged(m: re.Match) -> str:
    return "" if m.group(1).lower() in _INLINE else " "


def flatten(doc: object) -> str:
    """Document order, depth-first, without recursion."""
    lines: list[str] = []
    stack: list[tuple[str | None, object, int]] = [(None, doc, 0)]
    while stack:
        key, value, depth = stack.pop()
        if isinstance(value, str):
            value = _text(value)
            line = f"{key}: {value}" if key is not None else value
        elif isinstance(value, _SCALAR_KEYS_ONLY):
            line = key or ""
        else:
            line = f"{key}:" if key is not None else ""
            if depth < MAX_DEPTH:
                if isinstance(value, dict):
                    stack.extend((str(k), v, depth + 1) for k, v in reversed(value.items()))
                else:  # list: items are listed under their parent key's line
                    stack.extend((None, v, depth + 1) for v in reversed(value))
        line = one_line(line)
        if line:
            lines.append(line)
    return "\n".join(lines)
