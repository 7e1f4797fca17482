"""The ``Range`` request header (RFC 9110 section 14.2), for byte ranges only.

``parse_range(header, size)`` has three kinds of answer, because the RFC asks
for three different behaviours:

- a list of ``(start, end)`` pairs, ``end`` exclusive (granian's
  ``response_file_range`` convention): answer 206;
- ``UNSATISFIABLE``: the header is well formed but selects nothing of this
  file: answer 416 with ``Content-Range: bytes */SIZE``;
- ``None``: ignore the header and answer 200 with the whole file. That is
  what the RFC asks for a header we do not understand (malformed, another
  unit), and what it allows for a request we choose not to honour.

Range requests can amplify traffic: ``bytes=0-,0-,0-,...`` asks for the file
many times over in one request, and thousands of tiny ranges turn one request
into a huge multipart body. So more than ``MAX_RANGES`` ranges are ignored,
and overlapping or adjacent ranges are coalesced (RFC 9110 allows both), which
bounds the total to the file size.
"""

from __future__ import annotations

__all__ = ["MAX_RANGES", "UNSATISFIABLE", "Unsatisfiable", "parse_range", "content_range"]

# More ranges than this and the header is ignored (a full 200 answer).
MAX_RANGES = 100
# Longer headers are not worth parsing: 100 ranges of two 19-digit numbers fit.
MAX_HEADER_CHARS = 4096
# Numbers with more digits are "larger than any file": Python would convert
# them exactly, but slowly, and refuses beyond 4300 digits.
_MAX_DIGITS = 18
_HUGE = 10**_MAX_DIGITS


class Unsatisfiable:
    """The type of ``UNSATISFIABLE``: a range header that selects no byte of the file."""

    _instance: "Unsatisfiable | None" = None

    def __new__(cls) -> "Unsatisfiable":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSATISFIABLE"

    def __bool__(self) -> bool:
        return False


UNSATISFIABLE = Unsatisfiable()

RangeResult = list[tuple[int, int]] | Unsatisfiable | None


def parse_range(header: str | None, size: int) -> RangeResult:
    """Parse ``Range: bytes=...`` for a file of ``size`` bytes.

    Returns sorted, non-overlapping ``(start, end_exclusive)`` pairs,
    ``UNSATISFIABLE``, or ``None`` (ignore the header). An empty file is never
    ranged: the whole (empty) file is the only sensible answer.
    """
    if not header or len(header) > MAX_HEADER_CHARS or size <= 0:
        return None
    unit, sep, range_set = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None

    specs = range_set.split(",")
    if len(specs) > MAX_RANGES:
        return None

    ranges: list[tuple[int, int]] = []
    seen_spec = False
    for spec in specs:
        spec = spec.strip(" \t")
        if not spec:
            continue  # the list syntax tolerates empty elements ("a, , b")
        seen_spec = True
        first, dash, last = spec.partition("-")
        if not dash:
            return None
        if first == "":
            # Suffix range: the last N bytes.
            length = _number(last)
            if length is None:
                return None
            if length > 0:
                ranges.append((max(size - length, 0), size))
            continue
        start = _number(first)
        if start is None:
            return None
        if last == "":
            end = size  # open range "500-": to the end
        else:
            last_pos = _number(last)
            if last_pos is None or last_pos < start:
                return None  # "5-3" makes the whole header invalid
            end = min(last_pos + 1, size)
        if start < size:
            ranges.append((start, end))

    if not seen_spec:
        return None
    if not ranges:
        return UNSATISFIABLE
    if len(ranges) > 1:
        ranges = _coalesce(ranges)
    return ranges


def content_range(start: int, end: int, size: int) -> str:
    """The ``Content-Range`` value for ``(start, end_exclusive)`` of ``size`` bytes."""
    return f"bytes {start}-{end - 1}/{size}"


def _number(text: str) -> int | None:
    """A non-negative decimal number made of ASCII digits only (no sign, no spaces)."""
    if not text or not text.isdigit() or not text.isascii():
        return None
    if len(text) > _MAX_DIGITS:
        return _HUGE
    return int(text)


def _coalesce(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and merge overlapping or touching ranges, so no byte is sent twice."""
    ranges.sort()
    merged = [ranges[0]]
    for start, end in ranges[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            if end > last_end:
                merged[-1] = (last_start, end)
        else:
            merged.append((start, end))
    return merged
