"""Stored text that made the snippet's phrase search backtrack.

A Markdown page with an image inlined as base64 holds runs of one letter
("AAAA…" for the image's blank parts). The phrase pattern matched anywhere
and backtracked, so each place of the run rescanned the rest of it: one hit
of '"a dog"' took 11 s. The time limit is a guard against a hang (the search
takes milliseconds now), not a speed measurement.
"""

from pathlib import Path

import pytest
from sx_fixtures import indexed_service

from siteseer.search.snippets import _phrase_pattern


@pytest.mark.timeout(20)
def test_a_long_run_of_one_letter_is_read_once():
    low = "a dog " + "a" * 100_000 + " a cat"
    starts = [m.start() for m in _phrase_pattern(("a", "dog")).finditer(low)]
    assert starts == [0]


def test_phrase_places_start_words_only():
    low = "bathe keeper; the keeper's lamp; thekeeper"
    assert [m.group() for m in _phrase_pattern(("the", "keeper")).finditer(low)] == ["the keeper"]


@pytest.mark.timeout(60)
def test_a_page_with_an_inline_image_gets_its_phrase_snippet(tmp_path: Path):
    image = "data:image/png;base64,iVBORw0KGgo" + "A" * 28_000 + "ElFTkSuQmCC"
    (tmp_path / "dog.md").write_text(f"# Picture of a dog\n\nHere is a dog: ![a dog]({image})\n", encoding="utf-8")
    hit = indexed_service(tmp_path).search('"a dog"')["hits"][0]
    text, (start, end) = hit["snippet"]["text"], hit["snippet"]["highlights"][0]
    assert text[start:end].lower() == "a dog"
