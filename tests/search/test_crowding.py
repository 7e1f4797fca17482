"""A file's many hits do not fill the first page (rerank.crowded)."""

from __future__ import annotations

import pytest
from sx_fixtures import html, indexed_service, paths, write

from siteseer.search import rerank
from siteseer.search.service import SearchService

SECTIONS = 8


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> SearchService:
    root = tmp_path_factory.mktemp("crowding")
    # One long page whose every section is about the lamp, and pages that mention it less.
    filler = "Keep the glass clean and the brass polished before the evening watch begins. " * 4
    sections = "".join(f'<h2 id="s{i}">Lamp part {i}</h2><p>The lamp, the lamp wick and the lamp oil, part {i}. {filler} Check the gimbal.</p>'
                       for i in range(SECTIONS))
    write(root, "manual.html", html("Lamp manual", sections))
    for i in range(6):
        write(root, f"notes/note-{i}.html", html(f"Lamp note {i}", f"<p>The lamp, the lamp wick and the lamp oil, note {i}. {filler}</p>"))
    # A word only the manual has: its sections are all there is to show.
    write(root, "other.html", html("Other", "<p>Nothing about that here.</p>"))
    return indexed_service(root)


class Files:
    """A searcher whose ``file`` fast field is given per address."""

    def __init__(self, files):
        self.files = files

    def fast_field_values(self, name, addresses):
        assert name == "file"
        return [self.files[a] for a in addresses]


def test_a_files_further_hits_count_less_and_less():
    files = {1: "a", 2: "a", 3: "a", 4: "a", 5: "b", 6: "a", 7: "c", 8: None, 9: None}
    found = [(10.0, 1, None), (9.0, 2, None), (8.0, 3, None), (7.0, 4, None), (6.9, 5, None), (6.8, 6, None),
             (3.0, 7, None), (2.0, 8, None), (1.9, 9, None)]
    out = rerank.crowded(Files(files), found)
    # a's 4th hit counts 0.5 (3.5), its 5th 0.25 (1.7); hits with no file (an older index) are never crowded.
    assert [(address, round(score, 2)) for score, address, _ in out] == [
        (1, 10.0), (2, 9.0), (3, 8.0), (5, 6.9), (4, 3.5), (7, 3.0), (8, 2.0), (9, 1.9), (6, 1.7)]
    assert rerank.crowded(Files({1: "a", 2: "a"}), found[:2]) == found[:2]


def test_a_long_pages_sections_leave_room_for_other_files(service, monkeypatch):
    # Here the manual's sections outscore the notes ten times: only a strong weight moves them.
    monkeypatch.setattr(rerank, "CROWD_WEIGHT", 0.01)
    first = paths(service.search("lamp", per_page=10))
    keep = rerank.CROWD_KEEP
    assert first[:keep] == ["manual.html"] * keep, first  # the best file still comes first
    assert all(p.startswith("notes/") for p in first[keep : keep + 6]), first  # then the others
    assert first[keep + 6 :] == ["manual.html"]  # then the rest of it


def test_paging_through_crowded_hits_repeats_and_loses_none(service, monkeypatch):
    monkeypatch.setattr(rerank, "CROWD_WEIGHT", 0.01)
    seen = []
    for page in (1, 2, 3):
        seen += [h["url"] for h in service.search("lamp", page=page, per_page=5)["hits"]]
    assert len(seen) == len(set(seen)) == service.search("lamp")["total"] == SECTIONS + 6


def test_a_file_that_alone_matches_shows_all_its_hits(service):
    hits = service.search("gimbal", per_page=10)["hits"]
    assert [h["path"] for h in hits] == ["manual.html"] * SECTIONS


def test_no_crowding_without_the_pass(service, monkeypatch):
    # The test of the sections is not true of BM25 alone: the manual's sections outscore every note.
    monkeypatch.setattr(rerank, "CROWD_WEIGHT", 0.01)
    monkeypatch.setattr(rerank, "crowded", lambda searcher, found: found)
    assert paths(service.search("lamp", per_page=10))[:SECTIONS] == ["manual.html"] * SECTIONS


def test_hits_with_one_link_do_not_repeat_on_a_page(tmp_path):
    """The pieces of one long text file (or one long section) share a link: "git config
    --global user.name" showed git-config.html#_variables three times in its first five."""
    from sx_fixtures import make_config

    from siteseer.index.indexer import run_index

    piece = "The anchovy boats came in with anchovy and more anchovy at dawn. " * 6
    write(tmp_path, "log.txt", "Log\n\n" + "\n\n".join(f"{piece} Part {i}." for i in range(6)))
    for i in range(3):
        write(tmp_path, f"note-{i}.txt", f"Note {i}\n\nOne anchovy on the quay, and nets and gulls and tides, note {i}.")
    config = make_config(tmp_path)
    config.index.max_unit_chars = 500
    config.search.result_cache = 0
    run_index(config)
    result = SearchService(config).search("anchovy")
    urls = [hit["url"] for hit in result["hits"]]
    assert urls.count("/log.txt") == 6 and result["total"] == 9
    assert len(set(urls[:4])) == 4, urls  # the log once, then each note, then the log's other parts


@pytest.mark.parametrize("per_page", [3, 4, 5])
def test_a_page_across_the_windows_edge_repeats_and_loses_none(service, monkeypatch, per_page):
    """With 100 hits reranked, 7 a page showed one hit twice and lost another: a page that
    crossed the window's edge came in BM25 order, though the pages before were reranked."""
    monkeypatch.setattr(rerank, "CROWD_WEIGHT", 0.01)
    monkeypatch.setattr(rerank, "CROWD_WINDOW", 10)  # 14 hits: pages of 3, 4, 5 cross it
    total = service.search("lamp")["total"]
    one_page = [h["url"] for h in service.search("lamp", per_page=total)["hits"]]
    seen = []
    for page in range(1, -(-total // per_page) + 1):
        seen += [h["url"] for h in service.search("lamp", page=page, per_page=per_page)["hits"]]
    assert len(seen) == len(set(seen)) == total
    assert seen == one_page[:10] + seen[10:]  # the window reranked as when seen on one page
