"""The entry point: kinds, limits, empty and binary files, videos, pickling for the pool."""

import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from siteseer.index.extractors import ExtractError, Extracted, Unit, extract, kind_for


def test_kind_for():
    assert kind_for(Path("a/b.HTML")) == "html"
    assert kind_for(Path("x.htm")) == "html"
    assert kind_for(Path("x.pdf")) == "pdf"
    assert kind_for(Path("x.json")) == "json"
    assert kind_for(Path("x.txt")) == "text"
    assert kind_for(Path("x.markdown")) == "markdown"
    assert kind_for(Path("x.md")) == "markdown"
    assert kind_for(Path("x.vtt")) == "subtitle" and kind_for(Path("x.srt")) == "subtitle"
    assert kind_for(Path("x.m4v")) == "video" and kind_for(Path("x.ogv")) == "video"
    assert kind_for(Path("x.png")) is None
    assert kind_for(Path("Makefile")) is None


@pytest.mark.parametrize("name", ["junk.html", "junk.txt", "junk.md", "junk.srt", "junk.json"])
def test_binary_junk(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(bytes(range(256)) * 40)  # NUL bytes and control characters
    with pytest.raises(ExtractError, match="binary content"):
        extract(path, name)


def test_control_heavy_without_nul_is_binary(tmp_path):
    path = tmp_path / "x.html"
    path.write_bytes(b"\x01\x02\x03\x04abc" * 500)
    with pytest.raises(ExtractError, match="binary content"):
        extract(path, "x.html")


@pytest.mark.parametrize("name", ["e.html", "e.pdf", "e.json", "e.txt", "e.md", "e.vtt", "e.mp4"])
def test_empty_file_is_skipped_with_its_reason(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(ExtractError, match="empty file"):
        extract(path, name)


def test_video_name_made_readable(tmp_path):
    path = tmp_path / "my_talk-2024.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    result = extract(path, "media/my_talk-2024.mp4")
    assert result.kind == "video" and result.title == "my talk 2024"
    assert result.units == [Unit(title="my talk 2024", text="my talk 2024")]


def test_errors_are_extract_errors(tmp_path):
    with pytest.raises(ExtractError, match="cannot read file"):
        extract(tmp_path / "missing.html", "missing.html")
    with pytest.raises(ExtractError, match="not an indexed file type"):
        extract(tmp_path / "x.png", "x.png")
    too_big = tmp_path / "big.html"
    too_big.write_text("<p>" + "x" * 2000)
    with pytest.raises(ExtractError, match="too large"):
        extract(too_big, "big.html", max_file_bytes=1000)


def test_results_and_errors_cross_process(tmp_path):
    """The indexer runs extract in a ProcessPoolExecutor: everything must pickle."""
    good = tmp_path / "ok.md"
    good.write_text("# Hi\n\nthere\n")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with ProcessPoolExecutor(max_workers=1) as pool:
        result = pool.submit(extract, good, "ok.md").result()
        assert isinstance(result, Extracted) and result.units[0].text == "there"
        with pytest.raises(ExtractError, match="invalid JSON"):
            pool.submit(extract, bad, "bad.json").result()
    err = pickle.loads(pickle.dumps(ExtractError("encrypted PDF")))
    assert str(err) == "encrypted PDF"
