"""The errors the search layer raises on purpose."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator


class QueryError(ValueError):
    """A query (or its parameters) that cannot be searched; ``str()`` says why, for users (HTTP 400)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class EngineError(RuntimeError):
    """The search engine itself failed (a tantivy panic): a server error, not the query's fault."""


def is_engine_panic(exc: BaseException) -> bool:
    """A Rust panic inside tantivy, as pyo3 raises it (``pyo3_runtime.PanicException``)."""
    return type(exc).__name__ == "PanicException"


@contextmanager
def engine_guard() -> Iterator[None]:
    """Turn a tantivy panic into ``EngineError``.

    pyo3 raises a panic as a ``BaseException``, which every ``except Exception``
    on the way (the API, the Dash pages) lets through, up to granian's bare 500
    (no error body, log line or traffic record). As an ``Exception`` it becomes
    siteseer's own 500 or the page's "search is not available" message.
    """
    try:
        yield
    except Exception:
        raise
    except BaseException as exc:
        if is_engine_panic(exc):
            raise EngineError(f"the search engine failed: {exc}") from None
        raise
