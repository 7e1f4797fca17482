"""A subtitle hit links to the moment its match is said, not to its window's start."""

from __future__ import annotations

import unicodedata

import pytest
from sx_fixtures import indexed_service, write

from siteseer.search.moments import said_at
from siteseer.search.service import SearchService

# One ~30 s window (the cues start within 30 s of the first), a second window after it.
TALK = """1
00:00:05,000 --> 00:00:08,000
Welcome to the harbour talk.

2
00:00:12,500 --> 00:00:15,000
The keeper trims the wick at dusk.

3
00:00:21,000 --> 00:00:24,000
Then the foghorn sounds over the reef, and the keeper listens.

4
00:00:27,250 --> 00:00:29,000
A crème brûlée waits in the kitchen.

5
00:00:40,000 --> 00:00:44,000
Later the keeper climbs the tower again.
"""


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> SearchService:
    root = tmp_path_factory.mktemp("moments")
    write(root, "talks/harbour.mp4", b"\x00\x00\x00\x18ftypmp42")
    write(root, "talks/harbour.srt", unicodedata.normalize("NFD", TALK))  # decomposed, as some editors write
    write(root, "talks/notes.srt", "1\n00:01:00,000 --> 00:01:02,000\nOnly one cue about lanterns.\n")
    return indexed_service(root)


def moment(service: SearchService, q: str) -> list[tuple[str, float | None]]:
    return [(h["url"], h.get("t")) for h in service.search(q)["hits"] if h["type"] == "subtitle"]


def test_a_word_links_to_its_cue(service):
    assert moment(service, "foghorn") == [("/talks/harbour.mp4#t=21", 21.0)]
    assert moment(service, "wick") == [("/talks/harbour.mp4#t=12.5", 12.5)]
    assert moment(service, "welcome") == [("/talks/harbour.mp4#t=5", 5.0)]


def test_a_phrase_and_a_folded_word(service):
    assert moment(service, '"over the reef"') == [("/talks/harbour.mp4#t=21", 21.0)]
    assert moment(service, "creme brulee") == [("/talks/harbour.mp4#t=27.25", 27.25)]


def test_the_first_marked_place_in_each_window(service):
    # "keeper" is said at 12.5 and 21 in the first window, and at 40 in the second.
    assert sorted(moment(service, "keeper"), key=lambda m: m[1]) == [
        ("/talks/harbour.mp4#t=12.5", 12.5), ("/talks/harbour.mp4#t=40", 40.0)]


def test_without_a_mark_or_with_one_cue_the_window_start_stays(service):
    assert moment(service, "lanterns") == [("/talks/notes.srt#t=60", 60.0)]
    # Found by its video's name alone: nothing is marked in the passage.
    assert ("/talks/harbour.mp4#t=5", 5.0) in moment(service, "harbour")
    assert ("/talks/harbour.mp4#t=40", 40.0) in moment(service, "harbour")


def test_said_at():
    body = "Welcome aboard. The keeper trims the wick. Then the keeper listens."
    cues = [(0, 5.0), (16, 12.5), (43, 21.0)]
    assert said_at(body, {"text": body, "highlights": [[20, 26]]}, cues) == 12.5
    # The same word marked where it is said the second time: the passage before it tells which.
    assert said_at(body, {"text": "…wick. Then the keeper listens.", "highlights": [[16, 22]]}, cues) == 21.0
    assert said_at(body, {"text": body, "highlights": []}, cues) is None
    assert said_at(body, {"text": "other", "highlights": [[0, 5]]}, cues) is None
    assert said_at(body, {"text": body, "highlights": [[0, 7]]}, []) is None


def test_said_at_is_where_the_words_are_together():
    """A word of the query said alone earlier ("de", no function word in English) took the link to its cue."""
    body = "Les gusta presumir de ellos. Objetos sin poder de opinión, dijo."
    cues = [(0, 13.24), (body.index("Objetos"), 19.72)]
    marks = [(body.index(w), body.index(w) + len(w)) for w in ("de", "Objetos", "sin", "poder")]
    marks.append((body.index("de opinión"), body.index("de opinión") + 2))
    marks.append((body.index("opinión"), body.index("opinión") + 7))
    assert said_at(body, {"text": body, "highlights": sorted(marks)}, cues) == 19.72
