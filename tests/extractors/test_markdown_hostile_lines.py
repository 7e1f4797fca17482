"""Markdown and subtitle lines built to make a regex backtrack.

Before the patterns were bounded, a mark whose closing never came made
every one of its places rescan the rest of the line: 100,000 "[" took 93 s,
80 KB of "*a " 15 s, and the inputs below are larger (each failed the 30 s
limit then). The limits are guards against a hang, far above what
extraction takes now (under a second each), not speed measurements.
"""

import pytest

from siteseer.index.extractors import extract
from siteseer.index.extractors.markdown import parse, strip_inline


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HOSTILE_LINES = {
    "open brackets": "[" * 200_000,  # 93 s for half of it
    "open images": "![" * 60_000,
    "links without a close": "[a](" * 200_000,
    "emphasis never closed": "*a " * 60_000,
    "strong never closed": "**a " * 60_000,
    "underscores never closed": " _a" * 60_000,
    "strikethrough never closed": "~~a " * 60_000,
    "tags never closed": "<a" * 80_000,
    "autolinks never closed": "<http://x" * 40_000,
    "comments never closed": "text " + "<!--" * 80_000,  # not at the start: no comment block opens
    "a heading with a long run of spaces": "# a" + " " * 80_000 + "b",
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("line", HOSTILE_LINES.values(), ids=HOSTILE_LINES.keys())
def test_a_hostile_line_is_extracted_in_linear_time(tmp_path, line):
    result = extract(write(tmp_path, "x.md", "# Title\n\n" + line + "\n\nafter the line\n"), "x.md")
    assert "after the line" in "\n".join(u.text for u in result.units)


@pytest.mark.timeout(30)
def test_front_matter_title_with_a_long_run_of_spaces(tmp_path):
    text = "---\ntitle: Spaced" + " " * 80_000 + "out\n---\n\nbody words\n"
    result = extract(write(tmp_path, "x.md", text), "x.md")
    assert result.title.split() == ["Spaced", "out"]


@pytest.mark.timeout(30)
def test_subtitle_cue_of_open_tags(tmp_path):
    (tmp_path / "film.mp4").write_bytes(b"")
    text = "1\n00:00:01,000 --> 00:00:02,000\nspoken words " + "<" * 200_000 + "\n\n"
    result = extract(write(tmp_path, "film.srt", text), "film.srt")
    assert "spoken words" in result.units[0].text


@pytest.mark.parametrize("raw, heading", [
    ("## Intro ##", "Intro"),
    ("## Intro ##   ", "Intro"),
    ("# C#", "C#"),
    ("# Sharp #hash", "Sharp #hash"),
    ("### ###", ""),
    ("#\tTabbed\t#", "Tabbed"),
])
def test_atx_closing_hashes(raw, heading):
    sections = parse(f"{raw}\n\ntext\n")
    assert sections[1].heading == heading


def test_comments_are_dropped_and_an_unclosed_one_hides_what_follows():
    sections = parse("a <!-- hidden --> b <!-- x --> c\n<!-- open\nstill hidden\n--> shown\n")
    text = "\n".join(sections[0].lines)
    assert "a  b  c" in text and "shown" in text
    assert "hidden" not in text


def test_bounded_inline_marks_still_strip_ordinary_markdown():
    text = ("see [the docs](http://x.org/a) and ![alt](i.png) and [ref][1] <https://a.b/c> "
            "*em* **strong** `code` ~~gone~~ _under_ [a [b](u)")
    assert strip_inline(text) == "see the docs and alt and ref https://a.b/c em strong code gone under [a b"
