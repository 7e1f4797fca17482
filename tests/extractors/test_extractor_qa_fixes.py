"""Regressions found by QA against odd real-world files (one test per fixed problem)."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from siteseer.index.extractors import ExtractError, extract

from test_pdf import make_pdf  # the same files as test_pdf.py's


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def all_text(result) -> str:
    return " ".join(f"{u.title} {u.headings} {u.text}" for u in result.units)


FILLER = "Filler words about the lighthouse keeper and the lamp. " * 20  # ~1,100 chars: pages split


# --- every extractor: text must be encodable for the index writer -----------------------------

def test_json_lone_surrogate_escape_is_dropped(tmp_path):
    # "\udc00" is valid JSON but not encodable as UTF-8: it used to stop the whole index run
    # (UnicodeEncodeError at the writer), not just this file.
    path = write(tmp_path, "s.json", '{"title": "Bad \\udc00 title", "note": "lone \\ud800 surrogate \\ud83d\\ude00"}')
    result = extract(path, "s.json")
    assert result.title == "Bad title"
    text = result.units[0].text
    assert "lone surrogate \U0001F600" in text  # a proper pair is kept
    (result.title + text).encode("utf-8")


# --- PDF --------------------------------------------------------------------------------------

def _zero_page_pdf(path: Path) -> Path:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))
    return path


def test_zero_page_pdf_is_not_blamed_on_the_previous_file(tmp_path):
    # pdfium refuses a page-less document without setting its (process-wide) error code:
    # the reason used to be whatever the previous failure was, here "encrypted".
    locked = make_pdf(tmp_path / "locked.pdf", ["secret"], owner_password="o", user_password="u")
    empty = _zero_page_pdf(tmp_path / "empty.pdf")
    with pytest.raises(ExtractError, match="encrypted PDF"):
        extract(locked, "locked.pdf")
    with pytest.raises(ExtractError) as err:
        extract(empty, "empty.pdf")
    assert str(err.value) == "corrupt PDF (no pages)"
    with pytest.raises(ExtractError, match="encrypted PDF"):  # and real reasons still come through
        extract(locked, "locked.pdf")


def test_pdf_without_any_text_is_reported(tmp_path):
    # A scanned (image-only) PDF was indexed as nothing, silently: now the owner sees why.
    path = make_pdf(tmp_path / "scan.pdf", ["", ""])
    with pytest.raises(ExtractError, match="no text layer"):
        extract(path, "scan.pdf")


# --- HTML: titles -----------------------------------------------------------------------------

def test_html_title_from_og_title(tmp_path):
    page = '<html><head><meta property="og:title" content="  Harbour\n Guide "></head><body><p>x</p></body></html>'
    assert extract(write(tmp_path, "a.html", page), "a.html").title == "Harbour Guide"


def test_html_svg_icon_title_is_not_the_page_title(tmp_path):
    page = '<html><body><svg><title>search icon</title></svg><h1>Real Heading</h1><p>text</p></body></html>'
    result = extract(write(tmp_path, "a.html", page), "a.html")
    assert result.title == "Real Heading"
    assert "icon" not in all_text(result)


def test_html_first_h1_with_text_is_the_title(tmp_path):
    page = "<html><body><h1> </h1><h1>Second</h1><p>text</p></body></html>"
    assert extract(write(tmp_path, "a.html", page), "a.html").title == "Second"


def test_html_stray_title_in_body_is_not_glued_to_the_text(tmp_path):
    page = "<html><body><title>Late title</title><p>body words</p></body></html>"
    result = extract(write(tmp_path, "a.html", page), "a.html")
    assert result.title == "Late title"
    assert result.units[0].text == "body words"


# --- HTML: frames ------------------------------------------------------------------------------

def test_frameset_page_indexes_its_noframes_text_without_markup(tmp_path):
    page = ('<html><head><title>Frames</title></head><frameset cols="20%,80%"><frame src="a.html">'
            "<noframes><body><p>Use the <b>index</b> page.</p></body></noframes></frameset></html>")
    result = extract(write(tmp_path, "f.html", page), "f.html")
    assert result.title == "Frames"
    assert [u.text for u in result.units] == ["Use the index page."]  # no "<p>", no head title


def test_noframes_fallback_in_a_body_is_not_text(tmp_path):
    page = "<html><body><p>Real text</p><noframes><p>Get a frames browser</p></noframes></body></html>"
    assert extract(write(tmp_path, "a.html", page), "a.html").units[0].text == "Real text"


# --- HTML: anchors -----------------------------------------------------------------------------

def test_empty_named_anchor_just_before_a_heading_is_its_link(tmp_path):
    # Javadoc / DocBook: <a name="x"></a><h2>…</h2>, or <a id="x"><!-- --></a>.
    sections = "".join(f'<a name="s{i}"><!-- --></a>\n<h2>Part {i}</h2><p>{FILLER}</p>' for i in range(3))
    page = f"<html><head><title>T</title></head><body>{sections}<a href='#x'>link</a><h2>Plain</h2><p>{FILLER}</p></body></html>"
    units = extract(write(tmp_path, "a.html", page), "a.html").units
    assert [(u.title, u.anchor) for u in units] == [("Part 0", "s0"), ("Part 1", "s1"), ("Part 2", "s2"), ("Plain", None)]


# --- HTML: encodings ---------------------------------------------------------------------------

def test_utf8_page_declaring_latin1_is_read_as_utf8(tmp_path):
    # Converted to UTF-8, old meta kept: it was indexed as "CafÃ©".
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><title>Café</title></head><body><p>Crème brûlée — naïve</p></body></html>'
    result = extract(write(tmp_path, "a.html", page), "a.html")
    assert (result.title, result.units[0].text) == ("Café", "Crème brûlée — naïve")
    # A real latin-1 page declaring it is still read as declared.
    legacy = page.replace("—", "-").encode("latin-1")
    assert extract(write(tmp_path, "b.html", legacy), "b.html").units[0].text == "Crème brûlée - naïve"


def test_utf16_label_on_an_ascii_page_means_utf8(tmp_path):
    page = '<html><head><meta charset="utf-16"><title>Sixteen</title></head><body><p>plain words</p></body></html>'
    result = extract(write(tmp_path, "a.html", page), "a.html")
    assert (result.title, result.units[0].text) == ("Sixteen", "plain words")


def test_meta_charset_after_a_long_inline_style(tmp_path):
    page = ("<html><head><style>" + "p { color: red }\n" * 400 + '</style><meta charset="windows-1251">'
            "<title>Привет</title></head><body><p>Мир</p></body></html>")
    result = extract(write(tmp_path, "a.html", page.encode("cp1251")), "a.html")
    assert (result.title, result.units[0].text) == ("Привет", "Мир")


# --- JSON Lines --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["rows.jsonl", "rows.ndjson", "rows.json"])
def test_json_lines(tmp_path, name):
    rows = "\n".join(json.dumps({"name": f"row {i}", "note": "line\u2028sep"}) for i in range(3)) + "\n\n"
    result = extract(write(tmp_path, name, rows), name)
    assert result.kind == "json"
    assert "name: row 0" in result.units[0].text and "name: row 2" in result.units[0].text


def test_json_lines_error_names_the_line(tmp_path):
    with pytest.raises(ExtractError, match=r"invalid JSON \(line 2: "):
        extract(write(tmp_path, "bad.jsonl", '{"a": "x"}\n{bad\n'), "bad.jsonl")
    with pytest.raises(ExtractError, match="Extra data"):  # not JSON Lines either: the first error
        extract(write(tmp_path, "bad.json", '{"a": 1} trailing junk'), "bad.json")


# --- plain text --------------------------------------------------------------------------------

def test_ansi_colour_codes_are_stripped_from_text(tmp_path):
    log = "\x1b[1;31mBuild Failed\x1b[0m\n\x1b]0;term title\x07step \x1b[2Kone\x1b(B done\n"
    result = extract(write(tmp_path, "build.txt", log), "build.txt")
    assert result.title == "Build Failed"
    assert result.units[0].text == "Build Failed\nstep one done"


# --- Markdown ----------------------------------------------------------------------------------

def test_toml_front_matter_is_skipped_and_gives_the_title(tmp_path):
    md = '+++\ntitle = "Walrus Notes"\ndate = 2020-01-01\n[params]\nx = 1\n+++\n\nBody about walruses.\n'
    result = extract(write(tmp_path, "w.md", md), "w.md")
    assert result.title == "Walrus Notes"
    assert result.units[0].text == "Body about walruses."


def test_toml_front_matter_with_a_multi_line_string(tmp_path):
    """Hugo's description = \"\"\" ... \"\"\": its unindented lines made the front matter text."""
    from siteseer.index.extractors.markdown import front_matter

    text = '+++\ntitle = "Hugo Post"\ndescription = """\nA long description\n"""\nsecret = "x"\n+++\n\n## Intro\n\nBody.\n'
    assert front_matter(text) == ("Hugo Post", "\n## Intro\n\nBody.\n")


def test_yaml_front_matter_title_when_the_page_has_no_h1(tmp_path):
    md = "---\ntitle: 'Getting Started'\ntags:\n  - a\n---\n\n## Installation\n\nRun the installer.\n"
    result = extract(write(tmp_path, "g.md", md), "g.md")
    assert result.title == "Getting Started"
    assert "tags" not in all_text(result)
    with_h1 = "---\ntitle: Front\n---\n# Page Heading\n\ntext\n"  # an h1 still wins
    assert extract(write(tmp_path, "h.md", with_h1), "h.md").title == "Page Heading"


def test_leading_rule_then_prose_is_not_front_matter(tmp_path):
    md = "---\n\nOpening paragraph about seals.\n\n---\n\nMore text.\n"
    text = extract(write(tmp_path, "r.md", md), "r.md").units[0].text
    assert "Opening paragraph about seals." in text and "More text." in text


def test_markdown_html_comments_are_not_text(tmp_path):
    md = ("# Notes\n\n<!-- badges: hidden -->\nVisible one. <!-- inline hidden --> Visible two.\n\n"
          "<!--\nmulti-line\nhidden block\n-->\n\nUse `<!-- x -->` in HTML. Fish &amp; chips &copy; 2024.\n")
    text = extract(write(tmp_path, "c.md", md), "c.md").units[0].text
    assert "hidden" not in text
    assert "Visible one. Visible two." in text
    assert "Use <!-- x --> in HTML. Fish & chips © 2024." in text


# --- subtitles ---------------------------------------------------------------------------------

def test_cue_text_with_an_arrow_is_kept(tmp_path):
    srt = "1\n00:00:01,000 --> 00:00:02,000\nfirst\n\n2\n00:00:03,000 --> 00:00:04,000\nA --> B is the route\n"
    result = extract(write(tmp_path, "r.srt", srt), "r.srt")
    assert result.units[0].text == "first A --> B is the route"


def test_timestamps_with_four_fraction_digits(tmp_path):
    srt = "1\n00:01:05,0000 --> 00:01:06,0000\nfour digits\n"
    assert [u.t for u in extract(write(tmp_path, "f.srt", srt), "f.srt").units] == [65]


@pytest.mark.parametrize("sub", ["film.en.forced.srt", "film.eng.sdh.srt", "film.pt-BR.cc.srt", "film.forced.srt"])
def test_subtitle_with_language_and_flag_links_to_the_video(tmp_path, sub):
    write(tmp_path, "media/film.mkv", b"\x1aE\xdf\xa3")
    path = write(tmp_path, f"media/{sub}", "1\n00:00:01,000 --> 00:00:02,000\nhello\n")
    result = extract(path, f"media/{sub}")
    assert result.title == "film"
    assert result.units[0].link_path == "media/film.mkv"


def test_invisible_characters_inside_words_are_deleted():
    """A soft hyphen or zero-width space split "stash" in two in the index;
    the query parser deletes them too, so "sta\u00adsh" typed or written is "stash"."""
    from siteseer.index.extractors.textutil import clean, one_line

    assert clean("git sta\u00adsh and re\u200bbase, word\u2060joiner") == "git stash and rebase, wordjoiner"
    assert one_line("sta\u00adsh\n pop") == "stash pop"
