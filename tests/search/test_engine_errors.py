"""A panic inside tantivy reaches the callers as an Exception (EngineError), never as a BaseException."""

from __future__ import annotations

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
