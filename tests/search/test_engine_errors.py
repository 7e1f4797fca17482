"""A panic inside tantivy reaches the callers as an Exception (EngineError), never as a BaseException."""

from __future__ import annotations

import random

import pytest
import tantivy

from siteseer.search.errors import EngineError, QueryError, engine_guard, is_engine_panic
from siteseer.search.service import SearchService


def _panic(*_args, **_kwargs):
    """A real tantivy panic: a search asking for no results at all."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("t")
    tantivy.Index(sb.build()).searcher().search(tantivy.Query.all_query(), limit=0)


def test_a_tantivy_panic_is_a_base_exception_that_the_guard_turns_into_an_engine_error():
    with pytest.raises(BaseException) as caught:
        _panic()
    assert is_engine_panic(caught.value) and not isinstance(caught.value, Exception)
    with pytest.raises(EngineError, match="the search engine failed"):
        with engine_guard():
            _panic()


def test_the_guard_lets_everything_else_through_unchanged():
    with pytest.raises(QueryError):
        with engine_guard():
            raise QueryError("bad")
    with pytest.raises(KeyboardInterrupt):
        with engine_guard():
            raise KeyboardInterrupt


def test_search_and_suggest_raise_engine_error_on_a_panic(service, monkeypatch):
    monkeypatch.setattr(SearchService, "_facets", staticmethod(_panic))
    with pytest.raises(EngineError):
        service.search("zebra giraffe", per_page=7)  # a query no other test caches

    class PanickingSearcher:
        terms_with_prefix = staticmethod(_panic)

    monkeypatch.setattr(service.handle, "searcher", lambda: PanickingSearcher())
    with pytest.raises(EngineError):
        service.suggest("zeb")


def test_a_damaged_index_is_the_servers_fault_not_the_querys(tmp_path):
    """Random bytes in a term dictionary: every query was a 400 "this query cannot be
    searched (An IO error occurred: 'Unsupported dictionary type ...')", and nothing was logged."""
    from sx_fixtures import indexed_service

    site = tmp_path / "site"
    site.mkdir()
    for i in range(30):
        (site / f"note-{i}.txt").write_text(f"Note {i}\n\nThe harbour lamp, note number {i}, and its keeper.\n")
    service = indexed_service(site)
    assert service.search("harbour")["total"] == 30
    noise = random.Random(7)
    for term_file in (service.config.state_dir / "index").glob("*.term"):
        data = term_file.read_bytes()
        term_file.write_bytes(data[:100] + noise.randbytes(len(data) - 600) + data[-500:])  # its footer whole
    with pytest.raises(EngineError, match="the index cannot be read"):
        SearchService(service.config).search("harbour")


def test_only_tantivys_words_for_unreadable_files_make_an_engine_error():
    from siteseer.search.service import _engine_or_query_error

    assert isinstance(_engine_or_query_error(ValueError("An IO error occurred: 'Data corrupted'")), EngineError)
    assert isinstance(_engine_or_query_error(ValueError("Failed to open file for read: 'x.store'")), EngineError)
    assert isinstance(_engine_or_query_error(ValueError("Expected a u64, got 'x'")), QueryError)


def test_an_index_that_cannot_be_opened_is_said_so_not_searched_as_empty(tmp_path):
    """A truncated segment: every search answered "0 results" and the status N documents."""
    from sx_fixtures import indexed_service

    site = tmp_path / "site"
    site.mkdir()
    (site / "note.txt").write_text("Note\n\nThe harbour lamp.\n")
    service = indexed_service(site)
    assert "unreadable" not in service.status()
    for store in (service.config.state_dir / "index").glob("*.store"):
        store.write_bytes(b"")
    fresh = SearchService(service.config)
    result = fresh.search("harbour")
    assert result["total"] == 0 and result["index"].get("unreadable") is True
