"""Subtitles (.vtt, .srt, .sbv) → ~30 s windows of speech linked to the video's time.

Hits link to the video beside the subtitle file (``talk.mp4#t=93``), so a
search finds the moment something was said. Subtitle files in the wild are
messy: cues with broken timestamps are skipped, not fatal; only a file with
no usable cue at all is an error.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from siteseer.index.textforms import nfc

from .base import Extracted, ExtractError, Unit
from .decode import check_not_binary, decode
from .textutil import make_units, one_line, readable_name
from .video import VIDEO_EXTENSIONS

WINDOW_SECONDS = 30

_TIMESTAMP = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,:](\d+))?")  # ",0000": some tools write 4 digits
# <v Name>, <i>, <00:01.000>, {\an8}; bounded: an unbounded tag made a line of "<" quadratic (6 s for 40 KB)
_TAGS = re.compile(r"<[^>\n]{0,200}>|\{\\[^}\n]{0,200}\}")
_LANG_SUFFIX = re.compile(r"^(.+)\.[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
# Media-server flags after the language: "film.en.forced.srt", "film.en.sdh.srt" (Plex, Jellyfin, Kodi).
_FLAG_SUFFIX = re.compile(r"^(.+)\.(?:forced|sdh|cc|hi|default|foreign)$", re.I)
# A timing line, even a broken one: digits before the arrow. A cue's text may hold "-->" too.
_TIMING_LIKE = re.compile(r"^\s*-?\d\S*\s*-->")


@dataclass(slots=True)
class Cue:
    start: float
    text: str


def parse_timestamp(text: str) -> float | None:
    """Seconds for "01:02:03,456", "02:03.456", "0:00:01.000"; None when malformed."""
    match = _TIMESTAMP.fullmatch(text.strip())
    if not match:
        return None
    hours, minutes, seconds, millis = match.groups()
    if int(minutes) >= 60 or int(seconds) >= 60:
        return None
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int((millis or "0")[:3].ljust(3, "0")) / 1000


def _timing(line: str) -> float | None:
    """The start time of a cue timing line (SRT/VTT "a --> b", SBV "a,b"), or None."""
    if "-->" in line:
        return parse_timestamp(line.split("-->", 1)[0])
    if line.count(",") == 1:  # SBV: 0:00:01.000,0:00:03.500
        left, right = line.split(",")
        if parse_timestamp(right) is not None:
            return parse_timestamp(left)
    return None


def parse_cues(text: str) -> list[Cue]:
    """All cues with a readable start time, in file order; broken cues are skipped.

    Line-based rather than block-based: a timing line (a time, then "-->")
    always starts a new cue (YouTube-style VTT omits the blank line between
    cues), while "-->" further into a line is cue text; a blank line ends
    one, and any text outside a cue (WEBVTT/NOTE/STYLE blocks, SRT numbers,
    cue ids, text of a cue whose timestamp is broken) is ignored.
    """
    cues: list[Cue] = []
    start: float | None = None
    lines: list[str] = []

    def finish() -> None:
        body = one_line(html.unescape(_TAGS.sub("", " ".join(lines).replace("\\N", " "))))
        if start is not None and body:
            cues.append(Cue(start, body))

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            finish()
            start, lines = None, []
        elif _TIMING_LIKE.match(line) or (start is None and "," in line and _timing(line) is not None):
            if lines and lines[-1].strip().isdigit():
                lines.pop()  # the next cue's SRT number, with no blank line before it
            finish()
            start, lines = _timing(line), []
        elif start is not None:
            lines.append(line)
    finish()
    return cues


def _video_stems(stem: str) -> list[str]:
    """"talk.en.forced" → ["talk.en.forced", "talk.en", "talk"]: the names the video may have."""
    stems = [stem]
    match = _FLAG_SUFFIX.match(stem)
    if match:
        stems.append(match.group(1))
    match = _LANG_SUFFIX.match(stems[-1])
    if match:
        stems.append(match.group(1))
    return stems


def find_video(path: Path) -> Path | None:
    """The video beside a subtitle file: same stem, or the stem minus a language suffix and flag."""
    for stem in _video_stems(path.stem):
        for ext in VIDEO_EXTENSIONS:
            for candidate in (path.with_name(stem + ext), path.with_name(stem + ext.upper())):
                if candidate.is_file():
                    return candidate
    return None


def extract_subtitles(data: bytes, path: Path, rel: str, max_chars: int) -> Extracted:
    """Group cues into ~30 s windows, each a unit at its start time."""
    check_not_binary(data)
    cues = parse_cues(decode(data))
    if not cues:
        raise ExtractError("no valid subtitle cue")
    video = find_video(path)
    link_path = str(PurePosixPath(rel).parent / video.name) if video else None
    title = readable_name(video.name) if video else _bare_title(path.stem)
    cues.sort(key=lambda c: c.start)  # files are not always in order; windows need it
    units: list[Unit] = []
    window: list[Cue] = []
    for cue in cues:
        if window and cue.start >= window[0].start + WINDOW_SECONDS:
            units += _window(title, window, link_path, max_chars)
            window = []
        window.append(cue)
    units += _window(title, window, link_path, max_chars)
    return Extracted("subtitle", title, units)


def _bare_title(stem: str) -> str:
    """"talk.en" → "talk": the video's name when the video itself is absent."""
    return readable_name(_video_stems(stem)[-1] + ".srt")


def _window(title: str, cues: list[Cue], link_path: str | None, max_chars: int) -> list[Unit]:
    """One window's unit, titled by its video (the hit shows the moment beside it).

    Its text is the cues' (composed, as the index stores it, so the offsets
    hold), with where each starts; a window too long for one unit is split
    and its pieces link to the window's start.
    """
    texts = [nfc(cue.text) for cue in cues]
    offsets, at = [], 0
    for text in texts:
        offsets.append(at)
        at += len(text) + 1
    units = make_units(title, " ".join(texts), max_chars, t=int(cues[0].start), link_path=link_path)
    if len(units) == 1:
        units[0].cues = [(offset, cue.start) for offset, cue in zip(offsets, cues)]
    return units
