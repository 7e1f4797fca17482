"""Subtitles: cue parsing, encodings, broken timestamps, windows, the video beside them."""

import pytest

from siteseer.index.extractors import ExtractError, extract
from siteseer.index.extractors.subtitles import parse_timestamp

VTT = """WEBVTT
Kind: captions

NOTE this is a comment

STYLE
::cue { color: red }

intro
00:00:01.000 --> 00:00:04.000 align:start
<v Alice>Welcome to the <i>café</i> talk</v>

00:00:10.500 --> 00:00:12.000
{\\an8}Second cue &amp; more
00:00:20.000 --> 00:00:22.000
No blank line before me

00:00:45.000 --> 00:00:47.000
A later window

01:02:03.000 --> 01:02:05.000
Over an hour in
"""

SRT = """1
00:00:01,000 --> 00:00:04,000
Première réplique

2
00:00:xx,000 --> 00:00:09,000
broken timestamp cue

3
00:00:35,250 --> 00:00:38,000
<b>Troisième</b> réplique
"""


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_vtt_windows_tags_and_video_link(tmp_path):
    (tmp_path / "talk.mp4").write_bytes(b"\x00")
    result = extract(write(tmp_path, "talk.en.vtt", VTT), "videos/talk.en.vtt")
    assert result.kind == "subtitle"
    assert result.title == "talk"
    assert [u.t for u in result.units] == [1, 45, 3723]
    first = result.units[0]
    assert first.text == "Welcome to the café talk Second cue & more No blank line before me"
    # Titled by the video; the hit shows its moment beside it.
    assert [u.title for u in result.units] == ["talk", "talk", "talk"]
    # Where each cue starts in the text, and when: a hit links to its cue.
    assert [(first.text[offset:offset + 12], start) for offset, start in first.cues] == [
        ("Welcome to t", 1.0), ("Second cue &", 10.5), ("No blank lin", 20.0)]
    assert all(u.link_path == "videos/talk.mp4" for u in result.units)
    assert "color" not in first.text and "comment" not in first.text and "intro" not in first.text


def test_no_video_means_no_link(tmp_path):
    result = extract(write(tmp_path, "lecture_01.srt", SRT), "lecture_01.srt")
    assert result.title == "lecture 01"
    assert all(u.link_path is None for u in result.units)


def test_srt_broken_timestamp_skipped(tmp_path):
    (tmp_path / "film.webm").write_bytes(b"\x00")
    result = extract(write(tmp_path, "film.srt", SRT), "film.srt")
    text = " ".join(u.text for u in result.units)
    assert "broken timestamp cue" not in text
    assert [u.t for u in result.units] == [1, 35]
    assert result.units[1].text == "Troisième réplique"
    assert result.units[0].link_path == "film.webm"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-be-bom"])
@pytest.mark.parametrize("name,text", [("s.srt", SRT), ("s.vtt", VTT)])
def test_encodings(tmp_path, encoding, name, text):
    if encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)  # "utf-16" writes a BOM (little-endian here)
    path = tmp_path / name
    path.write_bytes(data)
    joined = " ".join(u.text for u in extract(path, name).units)
    assert ("Première réplique" in joined) or ("Welcome to the café talk" in joined)
    assert "\ufeff" not in joined and "\x00" not in joined


def test_no_valid_cue(tmp_path):
    with pytest.raises(ExtractError, match="no valid subtitle cue"):
        extract(write(tmp_path, "bad.srt", "1\nnot a time --> either\nhello\n"), "bad.srt")
    with pytest.raises(ExtractError, match="no valid subtitle cue"):
        extract(write(tmp_path, "hdr.vtt", "WEBVTT\n\n"), "hdr.vtt")


def test_japanese_subtitles(tmp_path):
    result = extract(write(tmp_path, "ja.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nこんにちは、世界\n"), "ja.vtt")
    assert result.units[0].text == "こんにちは、世界"


def test_timestamp_helpers():
    assert parse_timestamp("01:02:03,456") == pytest.approx(3723.456)
    assert parse_timestamp("02:03.5") == pytest.approx(123.5)
    assert parse_timestamp("00:61:00.000") is None
    assert parse_timestamp("garbage") is None
