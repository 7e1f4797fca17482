"""Plain text and Markdown: titles, sections with GitHub slugs, light syntax stripping."""

from siteseer.index.extractors import extract
from siteseer.index.extractors.markdown import slugify

PARA = "Gardening requires patience and good soil. " * 30  # ~1,300 chars


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


MD = f"""---
title: ignored front matter
---
Intro line with a [link text](https://example.com) and **bold** and _em_ and `code`.

# Garden Guide

{PARA}

## Planting *Tomatoes*!

{PARA}

```python
def water(plant):  # code kept as text
    return "wet"
```

#### Deep detail

Setext Heading
--------------

{PARA}

## Planting Tomatoes

Duplicate heading gets a numbered slug. snake_case_name stays.
"""


def test_markdown_sections(tmp_path):
    result = extract(write(tmp_path, "guide.md", MD), "guide.md")
    assert result.kind == "markdown"
    assert result.title == "Garden Guide"
    units = result.units
    assert units[0].anchor is None and units[0].text.startswith("Intro line with a link text and bold and em and code.")
    by_anchor = {u.anchor: u for u in units}
    assert by_anchor["garden-guide"].title == "Garden Guide"
    tomato = by_anchor["planting-tomatoes"]
    assert tomato.title == "Planting Tomatoes!"
    assert 'def water(plant): # code kept as text\nreturn "wet"' in tomato.text
    assert "```" not in tomato.text
    assert "Deep detail" in tomato.headings
    assert by_anchor["setext-heading"].title == "Setext Heading"
    assert "snake_case_name" in by_anchor["planting-tomatoes-1"].text
    assert "front matter" not in " ".join(u.text for u in units)


def test_short_markdown_is_one_unit(tmp_path):
    result = extract(write(tmp_path, "n.md", "Title\n=====\n\nSome *short* note.\n\n## Sub\n\ntext\n"), "n.md")
    assert result.title == "Title"
    assert len(result.units) == 1
    assert result.units[0].text == "Some short note.\n\ntext"
    assert result.units[0].headings == "Title Sub"


def test_markdown_html_blocks_of_code_are_not_text_and_tags_end_words(tmp_path):
    path = tmp_path / "raw.md"
    path.write_text("# Raw\n\n<script>var mdscript = 1;</script>\n\n<style>\n.mdstyle {}\n</style>\n\n"
                    "<details><summary>Sum</summary>details</details>\n\nim<b>port</b>ant <kbd>Ctrl</kbd>+<kbd>C</kbd>\n")
    text = extract(path, "raw.md").units[0].text
    assert "mdscript" not in text and "mdstyle" not in text
    assert "Sum details" in text and "important Ctrl+C" in text


def test_slugify_like_github():
    assert slugify("Hello, World!") == "hello-world"
    assert slugify("C++ & Rust: a comparison") == "c--rust-a-comparison"
    assert slugify("日本語 見出し") == "日本語-見出し"


def test_markdown_japanese(tmp_path):
    body = "これは日本語の段落です。" * 200
    result = extract(write(tmp_path, "ja.md", f"# はじめに\n\n{body}\n\n# 使い方\n\n{body}\n"), "ja.md")
    assert result.title == "はじめに"
    assert [u.anchor for u in result.units] == ["はじめに", "使い方"]
    assert result.units[1].text == body


def test_txt_title_and_cp1252(tmp_path):
    result = extract(write(tmp_path, "notes.txt", "Shopping list\r\n\r\ncrème brûlée\r\n", "cp1252"), "notes.txt")
    assert result.kind == "text"
    assert result.title == "Shopping list"
    assert result.units[0].text == "Shopping list\n\ncrème brûlée"


def test_txt_long_first_line_uses_file_name(tmp_path):
    result = extract(write(tmp_path, "blob.txt", "word " * 100), "blob.txt")
    assert result.title == "blob.txt"


def test_txt_split_at_paragraphs(tmp_path):
    paragraphs = [f"Paragraph {i} " + "filler text " * 30 for i in range(20)]
    result = extract(write(tmp_path, "long.txt", "\n\n".join(paragraphs)), "long.txt", max_unit_chars=1000)
    assert len(result.units) > 5
    assert all(len(u.text) <= 1000 for u in result.units)
    assert all(u.text.startswith("Paragraph") for u in result.units)
    assert "".join(u.text for u in result.units).count("Paragraph") == 20  # nothing lost
