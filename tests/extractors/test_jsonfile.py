"""JSON flattening: key/value lines, caps, deep nesting, invalid files."""

import json

import pytest

from siteseer.index.extractors import ExtractError, extract


def write(tmp_path, obj_or_text, name="data.json"):
    path = tmp_path / name
    text = obj_or_text if isinstance(obj_or_text, str) else json.dumps(obj_or_text)
    path.write_text(text, encoding="utf-8")
    return path


def test_nested_keys_and_values(tmp_path):
    doc = {"title": "Browser support", "stats": {"chrome": {"version": "120", "notes": "works well"}},
           "tags": ["css", "layout"], "count": 42, "flag": True}
    result = extract(write(tmp_path, doc), "data.json")
    assert result.kind == "json"
    assert result.title == "Browser support"
    lines = result.units[0].text.split("\n")
    assert lines[0] == "title: Browser support"
    assert "version: 120" in lines and "notes: works well" in lines
    assert "css" in lines and "layout" in lines
    assert "count" in lines and "42" not in result.units[0].text  # keys kept, numbers dropped
    assert lines.index("stats:") < lines.index("chrome:") < lines.index("version: 120")  # document order


def test_title_from_name_or_file(tmp_path):
    assert extract(write(tmp_path, {"name": "Widget"}), "d.json").title == "Widget"
    assert extract(write(tmp_path, ["a", "b"], "list.json"), "list.json").title == "list.json"


def test_deep_nesting_10000_levels(tmp_path):
    deep = '{"a":' * 10000 + '"bottom"' + "}" * 10000
    with pytest.raises(ExtractError, match="nested too deeply"):
        extract(write(tmp_path, deep), "deep.json")
    fine = '{"k":' * 500 + '"bottom"' + "}" * 500  # parses; the walk stops at its depth limit
    result = extract(write(tmp_path, fine, "fine.json"), "fine.json")
    assert "bottom" not in result.units[0].text and result.units[0].text.startswith("k:")


def test_huge_is_split_into_units_not_cut(tmp_path):
    """Cut at its first 30,000 characters, iso_3166-2.json's "Bayern" was found by no search."""
    doc = {f"key{i}": "value " * 20 for i in range(20000)}  # ~2.7 MB
    result = extract(write(tmp_path, doc), "big.json", max_unit_chars=30000)
    assert len(result.units) > 80 and all(15000 < len(u.text) <= 30000 for u in result.units[:-1])
    assert result.units[0].text.startswith("key0: value") and "key19999: value" in result.units[-1].text
    assert len({u.title for u in result.units}) == 1
    assert all(u.text.split("\n", 1)[0].startswith("key") for u in result.units)  # cut between lines


def test_html_in_strings_is_read_as_text(tmp_path):
    doc = {"description": "The <code>structuredClone()</code>. method, see <a href='https://x.org/a'>the spec</a> &amp; more",
           "type": "List<String>", "cmp": "a < b > c", "notes": "<p>First.</p><p>Second.</p>"}
    text = extract(write(tmp_path, doc), "d.json").units[0].text
    assert "description: The structuredClone(). method, see the spec & more" in text
    assert "notes: First. Second." in text  # a block's tag ends a word, an inline one leaves no trace
    assert "href" not in text and "type: List<String>" in text and "cmp: a < b > c" in text


def test_too_large_file(tmp_path):
    path = write(tmp_path, {"x": "y" * 5000})
    with pytest.raises(ExtractError, match="too large"):
        extract(path, "data.json", max_file_bytes=1000)


@pytest.mark.parametrize("text", ['{"a": ', "{'single': 1}", "[1, 2,]", "not json"])
def test_invalid(tmp_path, text):
    with pytest.raises(ExtractError, match="invalid JSON"):
        extract(write(tmp_path, text), "bad.json")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.json"
    path.write_bytes('{"k": "caf\xe9"}'.encode("latin-1"))
    with pytest.raises(ExtractError, match="not valid UTF-8"):
        extract(path, "latin.json")


def test_japanese_and_bom(tmp_path):
    path = tmp_path / "ja.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"title": "東京の天気"}, ensure_ascii=False).encode())
    result = extract(path, "ja.json")
    assert result.title == "東京の天気" and "東京の天気" in result.units[0].text


@pytest.mark.parametrize("name, text", [
    ("data.json", '{"a": ' + "9" * 5000 + ', "b": "zebra words"}'),
    ("data.jsonl", '{"a": ' + "9" * 5000 + '}\n{"b": "zebra words"}\n'),
])
def test_an_integer_past_pythons_digit_limit_is_valid_json(tmp_path, name, text):
    # Python refuses int() of over 4,300 digits: the file was skipped as "invalid JSON".
    result = extract(write(tmp_path, text, name), name)
    assert "b: zebra words" in result.units[0].text and "a" in result.units[0].text.split("\n")
