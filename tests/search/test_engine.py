"""IndexHandle: a worker's view of the index follows the indexer's commits and rebuilds."""

from __future__ import annotations

import os
import shutil

import tantivy

from siteseer.search.engine import IndexHandle


def _write_index(path, fields: list[str], value: str) -> None:
    """An index of one document with ``fields`` (all text, stored), as another schema version would write it."""
    path.mkdir()
    sb = tantivy.SchemaBuilder()
    for name in fields:
        sb.add_text_field(name, stored=True)
    index = tantivy.Index(sb.build(), path=str(path))
    writer = index.writer(15_000_000, 1)
    writer.add_document(tantivy.Document(**{name: value for name in fields}))
    writer.commit()
    writer.wait_merging_threads()


def _only_doc(handle: IndexHandle) -> dict:
    searcher = handle.searcher()
    _, address = searcher.search(tantivy.Query.all_query(), limit=1).hits[0]
    return searcher.doc(address).to_dict()


def test_an_index_rebuilt_with_another_schema_is_opened_afresh(tmp_path):
    path = tmp_path / "index"
    _write_index(path, ["title", "body"], "old")
    handle = IndexHandle(path, tmp_path / "catalog.db", check_interval=0)
    assert _only_doc(handle) == {"title": ["old"], "body": ["old"]}

    # What the indexer does when the schema version changes: remove the folder, build anew.
    shutil.rmtree(path)
    _write_index(path, ["kind", "title", "body"], "new")
    assert _only_doc(handle) == {"kind": ["new"], "title": ["new"], "body": ["new"]}


def test_a_commit_with_the_same_schema_is_a_reload(tmp_path):
    path = tmp_path / "index"
    _write_index(path, ["title"], "first")
    handle = IndexHandle(path, tmp_path / "catalog.db", check_interval=0)
    opened = handle.index()
    index = tantivy.Index.open(str(path))
    writer = index.writer(15_000_000, 1)
    writer.add_document(tantivy.Document(title="second"))
    writer.commit()
    writer.wait_merging_threads()
    assert handle.index() is opened
    assert handle.searcher().num_docs == 2


def test_the_status_follows_a_catalog_swapped_or_rebuilt(tmp_path):
    """After a deploy swapped the folder (or the state folder was deleted and rebuilt) the
    status kept reading the old catalog: 30 documents where the new one said 1."""
    from siteseer.index.catalog import Catalog

    def catalog(where, documents: int):
        where.mkdir()
        made = Catalog(where / "catalog.db")
        made.set_meta(documents=str(documents))
        made.close()

    catalog(tmp_path / "state", 30)
    handle = IndexHandle(tmp_path / "state" / "index", tmp_path / "state" / "catalog.db", check_interval=0)
    assert handle.status()["documents"] == 30
    catalog(tmp_path / "new", 1)
    (tmp_path / "state").rename(tmp_path / "old")
    (tmp_path / "new").rename(tmp_path / "state")
    assert handle.status()["documents"] == 1
    shutil.rmtree(tmp_path / "state")
    assert handle.status()["documents"] == 0
    catalog(tmp_path / "state", 2)
    assert handle.status()["documents"] == 2


def test_an_unreadable_catalog_leaves_no_connection_open(tmp_path):
    # Each failed read dropped its connection without closing it: one more descriptor
    # at every refresh (twice a second in a worker) until the process ran out.
    (tmp_path / "catalog.db").write_bytes(os.urandom(8192))
    handle = IndexHandle(tmp_path / "index", tmp_path / "catalog.db", check_interval=0)
    handle.refresh(force=True)
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(50):
        handle.refresh(force=True)
    assert handle.status() == {"documents": 0, "indexing": False}
    assert len(os.listdir("/proc/self/fd")) <= before
