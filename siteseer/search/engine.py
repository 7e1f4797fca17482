"""The read side of the index as each server worker holds it.

Workers are separate processes that never write, so they learn about new
commits by looking at ``meta.json`` (tantivy rewrites it atomically on every
commit) at most every ``check_interval`` seconds, and reload then. The index
may not exist yet when the server starts: it is opened on first need. When
the indexer starts over with another schema (after an upgrade), the index is
opened afresh: a reload keeps the schema it was opened with, and would read
the new fields by the old fields' numbers. An index an older siteseer made
(the catalog names another schema version) is not opened at all: its fields
are not the ones searches read. Until the indexer rebuilds it (at once, when
the server indexes), the status says ``outdated``.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

import tantivy

from siteseer.index.catalog import Catalog, indexing_now
from siteseer.index.schema import SCHEMA_VERSION, open_index

from .errors import engine_guard

log = logging.getLogger("siteseer.search")


class IndexHandle:
    """Thread-safe access to a fresh-enough searcher and the indexing status."""

    def __init__(self, index_path: Path, catalog_path: Path, check_interval: float = 0.5):
        self.index_path = Path(index_path)
        self.catalog_path = Path(catalog_path)
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._index: tantivy.Index | None = None
        self._stamp: tuple[int, int] | None = None
        self._schema: list | None = None  # as meta.json describes it
        self._checked = 0.0
        self._catalog: Catalog | None = None
        self._catalog_identity: tuple[int, int] | None = None  # (device, inode) of the file it reads
        self._status = {"documents": 0, "indexing": False}
        self._memo: dict = {}  # what the query builder may cache until the index changes
        self._failure: str | None = None  # why the index could not be opened, once said

    def _meta_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.index_path / "meta.json")
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _meta_schema(self) -> list | None:
        with open(self.index_path / "meta.json", "rb") as f:
            return json.load(f).get("schema")

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < self.check_interval:
            return
        with self._lock:
            if not force and now - self._checked < self.check_interval:
                return
            self._checked = now
            self._status = self._read_status()
            if self._status.get("outdated"):
                self._index, self._stamp, self._memo = None, None, {}
                return
            stamp = self._meta_stamp()
            if stamp is not None and stamp != self._stamp:
                try:
                    with engine_guard():
                        schema = self._meta_schema()
                        if self._index is None or schema != self._schema:
                            self._index = open_index(self.index_path)
                            self._schema = schema
                        self._index.reload()
                    self._stamp = stamp
                    self._memo = {}
                    if self._failure is not None:
                        log.info("the index at %s can be read again", self.index_path)
                        self._failure = None
                except Exception as exc:
                    # Mid-rewrite or not created yet: tried again next time. But a lasting
                    # failure (a read-only disk, a damaged index) answered every search
                    # with nothing and said nothing: it is logged, once per cause.
                    failure = f"{type(exc).__name__}: {exc}"
                    if failure != self._failure:
                        self._failure = failure
                        log.warning("the index at %s cannot be opened (%s); searches find only what was "
                                    "opened before, or nothing, until it can", self.index_path, failure)

    def _read_status(self) -> dict:
        """``{"documents": n, "indexing": bool}``, and ``"outdated": True`` for an older siteseer's index."""
        documents = 0
        indexing = False
        version = None
        try:
            identity = _identity(self.catalog_path)
            if self._catalog is not None and identity != self._catalog_identity:
                # Another file now (the folder swapped in a deploy, the state folder deleted
                # and rebuilt): the open connection still read the old one's counts.
                self._catalog.close()
                self._catalog = None
            if self._catalog is None and identity is not None:
                self._catalog = Catalog(self.catalog_path, readonly=True)
                self._catalog_identity = identity
            if self._catalog is not None:
                meta = self._catalog.meta()
                documents = int(meta.get("documents", "0") or 0)
                indexing = indexing_now(meta)
                version = meta.get("schema_version")
        except Exception:
            # Closed, not only dropped: a catalog that cannot be read (damaged, mid-rebuild)
            # left one more connection and descriptor open at every refresh, twice a second.
            if self._catalog is not None:
                try:
                    self._catalog.close()
                except Exception:
                    pass
            self._catalog = None
        status = {"documents": documents, "indexing": indexing}
        if version is not None and version != SCHEMA_VERSION:
            status["outdated"] = True
        return status

    def index(self) -> tantivy.Index | None:
        self.refresh()
        return self._index

    def memo(self) -> dict:
        """A cache for facts about the current index; replaced on every reload."""
        return self._memo

    def searcher(self) -> tantivy.Searcher | None:
        index = self.index()
        return index.searcher() if index is not None else None

    def status(self) -> dict:
        """The catalog's counts; ``"unreadable": True`` while no index could be opened though
        one is there (searches find nothing: the page says why rather than "no results")."""
        self.refresh()
        status = dict(self._status)
        if self._index is None and self._failure is not None and not status.get("outdated"):
            status["unreadable"] = True
        return status


def _identity(path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino
