"""Snippets: plain text, highlight offsets that point at the matched words."""

from siteseer.search.snippets import _finish


def _marked(snip: dict) -> list[str]:
    return [snip["text"][s:e] for s, e in snip["highlights"]]


def test_highlights_are_str_offsets_of_matched_words(service):
    snip = service.search("installer configuration")["hits"][0]["snippet"]
    assert "<" not in snip["text"]
    assert {w.lower() for w in _marked(snip)} == {"installer", "configuration"}
    assert snip["text"].startswith("Download the package")


def test_stemmed_and_folded_matches_are_highlighted_as_written(service):
    snip = service.search("creme")["hits"][0]["snippet"]
    assert _marked(snip) == ["crème"]
    snip = service.search("upgrade")["hits"][0]["snippet"]
    assert "upgrading" in [w.lower() for w in _marked(snip)]


def test_prefix_matches_are_highlighted(service):
    snip = service.search("descal")["hits"][0]["snippet"]
    assert _marked(snip) == ["descaling"]


def test_phrase_highlight_and_title_only_match(service):
    snip = service.search('"lazy dog"')["hits"][0]["snippet"]
    assert _marked(snip) == ["lazy", "dog"]
    hit = service.search("tuning")["hits"][0]  # only in the title and headings
    assert hit["snippet"]["text"].startswith("The cache size matters most.")


def test_long_bodies_are_cut_around_the_match():
    text = "word " * 100 + "target here" + " more" * 100
    out = _finish(text[400:700], [(100, 106)], cut_start=True, cut_end=True)
    assert out["text"].startswith("…") and out["text"].endswith("…")
    (s, e), = out["highlights"]
    assert out["text"][s:e] == "target"


def test_whitespace_is_collapsed_and_offsets_follow():
    out = _finish("  a\n\n\tbig   match  ", [(6, 9), (12, 17)], cut_start=False, cut_end=False)
    assert out["text"] == "a big match"
    assert [out["text"][s:e] for s, e in out["highlights"]] == ["big", "match"]


def test_overlapping_ranges_merge():
    out = _finish("abcdef", [(0, 3), (2, 5)], cut_start=False, cut_end=False)
    assert out["highlights"] == [[0, 5]]
