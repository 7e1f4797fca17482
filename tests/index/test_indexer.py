"""The indexer with a stand-in extractor: incremental, idempotent, forgiving."""

import os
import random
import unicodedata
from pathlib import Path
from urllib.parse import quote

import pytest
from ix_helpers import extract, indexed_paths, kind_for, make_config, write

from siteseer.index.catalog import Catalog
from siteseer.index.indexer import Indexer, format_summary, run_index


def index(config):
    return run_index(config, extract=extract, kind_for=kind_for)


@pytest.fixture
def folder(tmp_path: Path):
    root = tmp_path / "site"
    for i in range(12):
        write(root, f"d{i % 3}/f{i}.txt", f"Title {i}\n\nalpha{i} text\n\nbeta{i} text")
    write(root, "bad.txt", "BROKEN file")
    (root / "binary.txt").write_bytes(b"\xff\xfe\x00\x01")
    return root


def catalog(config) -> Catalog:
    return Catalog(config.state_dir / "catalog.db")


def test_first_run_indexes_every_file_and_records_failures(folder):
    config = make_config(folder)
    summary = index(config)
    assert summary.files == 14 and summary.indexed == 14
    assert summary.units == 24 and summary.documents == 24
    assert summary.skipped == {"broken on purpose": ["bad.txt"], "not UTF-8 text": ["binary.txt"]}
    counts = indexed_paths(config)
    assert counts == {f"d{i % 3}/f{i}.txt": 2 for i in range(12)}
    rows = catalog(config).files()
    assert rows["bad.txt"].status == "skipped" and rows["bad.txt"].error == "broken on purpose"
    assert rows["d0/f0.txt"].status == "ok" and rows["d0/f0.txt"].units == 2 and rows["d0/f0.txt"].hash
    text = format_summary(summary)
    assert "Indexed 14 of 14 files" in text and "broken on purpose" in text and "bad.txt" in text


def test_rescan_touches_only_what_changed(folder):
    config = make_config(folder)
    index(config)
    again = index(config)
    assert (again.indexed, again.unchanged, again.deleted, again.units) == (0, 14, 0, 0)

    write(folder, "d0/f0.txt", "Changed\n\ngamma text")  # new content
    (folder / "d1/f1.txt").unlink()  # deleted
    write(folder, "d2/new.txt", "New\n\ndelta text")  # added
    st = (folder / "d2/f2.txt").stat()  # touched: same bytes, new mtime
    os.utime(folder / "d2/f2.txt", ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    summary = index(config)
    assert summary.deleted == 1 and summary.indexed == 2 and summary.units == 2
    counts = indexed_paths(config)
    assert counts["d0/f0.txt"] == 1 and "d1/f1.txt" not in counts and counts["d2/new.txt"] == 1
    assert counts["d2/f2.txt"] == 2  # kept, not duplicated
    rows = catalog(config).files()
    assert "d1/f1.txt" not in rows
    assert rows["d2/f2.txt"].mtime_ns == st.st_mtime_ns + 5_000_000_000 and rows["d2/f2.txt"].units == 2


def test_a_file_given_another_day_is_indexed_with_it(folder):
    """Same bytes, an older date (rsync -a, touch -d): the results kept showing, and
    after:/before: kept filtering on, the date it had when first indexed."""
    from siteseer.search.service import SearchService

    config = make_config(folder)
    index(config)
    old = 1_700_000_000 * 10**9  # 2023-11-14
    os.utime(folder / "d2/f2.txt", ns=(old, old))
    summary = index(config)
    assert summary.indexed == 1 and summary.unchanged == 13
    service = SearchService(config)
    found = [h for h in service.search("d2 before:2024-01-01", per_page=50)["hits"] if h["path"] == "d2/f2.txt"]
    assert found and all(h["modified"].startswith("2023-11-14") for h in found)


def test_a_file_moved_onto_another_of_the_same_size_and_date_is_indexed_again(tmp_path: Path):
    """Files unpacked from one archive share a date: after ``mv one.txt two.txt``, two.txt's
    old words were still found and one's never, through every restart and full sync."""
    from siteseer.search.service import SearchService

    root = tmp_path / "site"
    write(root, "one.txt", "One\n\nswapalpha")
    write(root, "two.txt", "Two\n\nswapbravo")
    day = 1_704_067_200 * 10**9  # 2024-01-01
    for rel in ("one.txt", "two.txt"):
        os.utime(root / rel, ns=(day, day))
    config = make_config(root)
    index(config)
    (root / "one.txt").rename(root / "two.txt")
    summary = index(config)
    assert (summary.indexed, summary.deleted) == (1, 1)
    service = SearchService(config)
    assert [h["path"] for h in service.search("swapalpha")["hits"]] == ["two.txt"]
    assert service.search("swapbravo")["hits"] == []


def index_reading(config):
    """A run of the indexer: its summary, and how many files it sent to be hashed or extracted."""
    read: list[int] = []
    summary = run_index(config, progress=lambda done, total: read.append(done), extract=extract, kind_for=kind_for)
    return summary, len(read)


def test_a_restart_with_nothing_changed_reads_no_file(folder):
    config = make_config(folder)
    index(config)
    assert index_reading(config)[1] == 0


def test_a_catalog_from_before_inodes_were_recorded_is_kept_and_each_file_read_once(folder):
    """Its rows say nothing of inodes: each file is hashed once (a file moved onto another
    before the upgrade is extracted then), none extracted again for it."""
    config = make_config(folder)
    index(config)
    cat = catalog(config)
    for column in ("ino", "ctime_ns"):
        cat.db.execute(f"ALTER TABLE files DROP COLUMN {column}")
    cat.db.commit()
    cat.close()
    summary, read = index_reading(config)
    assert (summary.indexed, summary.unchanged, read) == (0, 14, 14)
    assert catalog(config).get("bad.txt").error == "broken on purpose"  # its rows kept as they were
    assert index_reading(config)[1] == 0


DECOMPOSED = unicodedata.normalize("NFD", "café")  # as macOS writes a folder's name


@pytest.fixture
def decomposed_folder(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write(root, f"{DECOMPOSED}/menu.txt", "Menu\n\nmenuword")
    write(root, "other/menu.txt", "Menu\n\nmenuword")
    return root


def found_in_cafe(config) -> dict[str, list[tuple[str, str]]]:
    """The hits of ``in:café`` typed composed and decomposed: (path, url) of each."""
    from siteseer.search.service import SearchService

    service = SearchService(config)
    return {typed: [(h["path"], h["url"]) for h in service.search(f"menuword in:{typed}")["hits"]]
            for typed in ("café", DECOMPOSED)}


def test_a_folder_named_in_decomposed_form_is_found_by_in(decomposed_folder):
    """Queries are composed (NFC); the folder facet was the name as on disk."""
    config = make_config(decomposed_folder)
    index(config)
    as_named = [(f"{DECOMPOSED}/menu.txt", "/" + quote(f"{DECOMPOSED}/menu.txt"))]  # served at its own name
    assert found_in_cafe(config) == {"café": as_named, DECOMPOSED: as_named}


def test_an_index_made_with_decomposed_folders_has_their_files_indexed_again(decomposed_folder, monkeypatch):
    import tantivy

    from siteseer.index import documents

    config = make_config(decomposed_folder)
    monkeypatch.setattr(documents, "dir_facet", lambda folder: tantivy.Facet.from_string("/" + folder))
    index(config)  # as before: the folder's name as on disk
    cat = catalog(config)
    cat.db.execute("DELETE FROM meta WHERE key = 'dir_facets'")
    cat.db.commit()
    cat.close()
    assert found_in_cafe(config)["café"] == []
    monkeypatch.undo()
    summary = index(config)
    assert (summary.indexed, summary.unchanged) == (1, 1)  # that file alone
    assert [path for path, _ in found_in_cafe(config)["café"]] == [f"{DECOMPOSED}/menu.txt"]
    assert index(config).indexed == 0  # once


def test_a_fixed_file_leaves_the_skipped_list(folder):
    config = make_config(folder)
    index(config)
    write(folder, "bad.txt", "Fixed\n\nnow readable")
    summary = index(config)
    assert "broken on purpose" not in summary.skipped
    assert indexed_paths(config)["bad.txt"] == 1


def test_exclude_globs_and_removed_folder(folder):
    config = make_config(folder, exclude=["d1"])
    index(config)
    assert not any(p.startswith("d1/") for p in indexed_paths(config))
    import shutil

    shutil.rmtree(folder / "d2")
    summary = index(config)
    assert summary.deleted == 4
    assert not any(p.startswith("d2/") for p in indexed_paths(config))


def test_large_files_are_skipped_with_reason(folder):
    config = make_config(folder, max_file_bytes=1 << 20)
    write(folder, "big.txt", "Big\n\n" + "word " * 300_000)
    summary = index(config)
    assert summary.skipped["larger than 1 MB"] == ["big.txt"]


def test_sync_of_selected_paths_and_replay_is_idempotent(folder):
    config = make_config(folder)
    with Indexer(config, extract=extract, kind_for=kind_for) as ix:
        ix.sync("")
        write(folder, "d0/f0.txt", "Again\n\nepsilon")
        write(folder, "d1/f1.txt", "Again\n\nzeta")
        summary = ix.sync(["d0/f0.txt", "d1", "d1/f1.txt"])
        assert summary.files == 5 and summary.indexed == 2  # d1 holds f1, f4, f7, f10
        # Forget the catalog rows (as if killed right after the tantivy commit): replay.
        ix.catalog.apply([], ["d0/f0.txt", "d1/f1.txt"])
        ix.sync("")
    counts = indexed_paths(config)
    assert counts["d0/f0.txt"] == 1 and counts["d1/f1.txt"] == 1 and sum(counts.values()) == 22


def test_schema_version_change_rebuilds(folder):
    config = make_config(folder)
    index(config)
    cat = catalog(config)
    cat.set_meta(schema_version="old")
    cat.close()
    summary = index(config)
    assert summary.indexed == 14 and summary.documents == 24


def test_units_are_capped(folder):
    config = make_config(folder, max_unit_chars=50)
    write(folder, "long.txt", "Long\n\n" + "x" * 500)
    index(config)
    from siteseer.search.service import SearchService

    hits = SearchService(config).search("long")["hits"]
    assert hits and all(len(h["snippet"]["text"]) <= 51 for h in hits)


def test_first_build_skips_deletes_later_syncs_do_not(folder):
    config = make_config(folder)
    with Indexer(config, extract=extract, kind_for=kind_for) as ix:
        assert ix.empty  # a new index: nothing to delete before adding
        ix.sync("")
        assert not ix.empty
        write(folder, "d0/f0.txt", "Title 0 again\n\nalpha0 changed\n\nbeta0 changed\n\ngamma0 new")
        os.utime(folder / "d0/f0.txt", ns=(1, 1))
        ix.sync("")
    counts = indexed_paths(config)
    assert counts["d0/f0.txt"] == 3  # replaced, not added twice
    with Indexer(config, extract=extract, kind_for=kind_for) as ix:
        assert not ix.empty  # reopened with documents: deletes are back


def locked_extract(path: Path, rel: str, **limits):
    """The stand-in extractor, failing to read while a LOCKED file sits beside (a chmod stand-in)."""
    if (path.parent / "LOCKED").exists():
        raise PermissionError(13, "Permission denied", str(path))
    return extract(path, rel, **limits)


def test_a_file_that_failed_to_read_is_tried_again_though_unchanged(tmp_path: Path):
    root = tmp_path / "site"
    write(root, "notes.txt", "Notes\n\nlockedword")
    write(root, "LOCKED", "")
    config = make_config(root)
    with Indexer(config, extract=locked_extract, kind_for=kind_for) as ix:
        first = ix.sync("")
        assert first.indexed == 1 and list(first.skipped) == ["PermissionError: [Errno 13] Permission denied: "
                                                                f"'{root / 'notes.txt'}'"]
        (root / "LOCKED").unlink()  # permissions fixed: the file's size and mtime are as they were
        again = ix.sync(["notes.txt"])  # the watcher's attribute-change event
        assert again.indexed == 1 and again.skipped == {}
    assert indexed_paths(config) == {"notes.txt": 1}
    assert catalog(config).get("notes.txt").status == "ok"


def subtitle_urls(config) -> dict[str, set[str]]:
    import tantivy

    from siteseer.index.indexer import index_dir
    from siteseer.index.schema import open_index

    index = open_index(index_dir(config))
    index.reload()
    searcher = index.searcher()
    urls: dict[str, set[str]] = {}
    for _, address in searcher.search(tantivy.Query.all_query(), limit=max(1, searcher.num_docs)).hits:
        doc = searcher.doc(address)
        urls.setdefault(doc.get_first("path"), set()).add(doc.get_first("url"))
    return urls


def test_subtitle_hits_follow_the_video_beside_them(tmp_path: Path):
    root = tmp_path / "site"
    write(root, "talks/keynote.en.srt", "1\n00:00:05,000 --> 00:00:07,000\nthe platypus speaks\n")
    write(root, "talks/keynote.srt", "1\n00:00:09,000 --> 00:00:11,000\nthe echidna speaks\n")
    write(root, "talks/other.srt", "1\n00:00:01,000 --> 00:00:02,000\nunrelated\n")
    config = make_config(root)
    with Indexer(config) as ix:  # the real extractors
        ix.sync("")
        assert subtitle_urls(config)["talks/keynote.en.srt"] == {"/talks/keynote.en.srt#t=5"}
        # The video arrives after its subtitles (a copy in progress): one watcher event, for it.
        (root / "talks/keynote.mp4").write_bytes(b"\x00" * 64)
        ix.sync(["talks/keynote.mp4"])
        urls = subtitle_urls(config)
        assert urls["talks/keynote.en.srt"] == {"/talks/keynote.mp4#t=5"}
        assert urls["talks/keynote.srt"] == {"/talks/keynote.mp4#t=9"}
        assert urls["talks/other.srt"] == {"/talks/other.srt#t=1"}
        # ...and when it goes, hits link to the subtitles again rather than to a 404.
        (root / "talks/keynote.mp4").rename(root / "talks/renamed.mp4")
        ix.sync(["talks/keynote.mp4", "talks/renamed.mp4"])
        urls = subtitle_urls(config)
        assert urls["talks/keynote.en.srt"] == {"/talks/keynote.en.srt#t=5"}
        assert urls["talks/keynote.srt"] == {"/talks/keynote.srt#t=9"}
        assert urls["talks/renamed.mp4"] == {"/talks/renamed.mp4"}


def test_a_file_name_that_is_not_utf8_does_not_stop_indexing(tmp_path: Path):
    root = tmp_path / "site"
    write(root, "good.txt", "Good\n\ngoodword")
    (root / os.fsdecode(b"caf\xe9.txt")).write_text("Bad name\n\nbadword")
    config = make_config(root)
    with Indexer(config, extract=extract, kind_for=kind_for) as ix:
        assert ix.sync("").indexed == 1
        write(root, "later.txt", "Later\n\nlaterword")
        assert ix.sync(["later.txt"]).indexed == 1
    assert indexed_paths(config) == {"good.txt": 1, "later.txt": 1}


def test_a_file_whose_fields_cannot_be_made_fails_alone(tmp_path: Path, monkeypatch):
    """``extract_one`` guards ``unit_fields`` too: a bug there (a lone surrogate
    did it once) records that file as an error, and its batch goes on."""
    from siteseer.index import documents
    from siteseer.index.extractors.base import Extracted, Unit

    (tmp_path / "bad.txt").write_text("x")

    def extract(path, rel, **_):
        return Extracted("text", "T", [Unit(title="T", text="t")])

    def unit_fields(rel, *args):
        if rel == "bad.txt":
            raise UnicodeEncodeError("utf-8", "\udc00", 0, 1, "surrogates not allowed")
        return {"id": rel}

    monkeypatch.setattr(documents, "unit_fields", unit_fields)
    (tmp_path / "good.txt").write_text("y")
    results = documents.extract_batch(extract, str(tmp_path), [("bad.txt", None, False), ("good.txt", None, False)],
                                      1000, 1 << 20)
    assert [(r.rel, r.status) for r in results] == [("bad.txt", "error"), ("good.txt", "ok")]
    assert "UnicodeEncodeError" in results[0].reason


def test_a_file_dated_past_what_the_index_holds_is_indexed_at_the_nearest_date(tmp_path: Path):
    """tmpfs takes year 10000 (``touch -d @253402300800``), ext4 2446: tantivy's dates end in
    2262, SQLite's integers there too, and the sync failed on every retry, indexing nothing."""
    from siteseer.search.service import SearchService

    root = tmp_path / "site"
    write(root, "future.txt", "Future\n\nfutureword")
    write(root, "ancient.txt", "Ancient\n\nancientword")
    write(root, "today.txt", "Today\n\ntodayword")
    os.utime(root / "future.txt", ns=(0, 253_402_300_800 * 10**9))  # whatever the file system keeps of it
    os.utime(root / "ancient.txt", ns=(0, -62_135_596_801 * 10**9))  # before year 1
    config = make_config(root)
    with Indexer(config, extract=extract, kind_for=kind_for) as ix:
        assert ix.sync("").indexed == 3
        assert ix.sync("").unchanged == 3  # the nearest date on record: not extracted again
    assert indexed_paths(config) == {"future.txt": 1, "ancient.txt": 1, "today.txt": 1}
    service = SearchService(config)
    assert [h["modified"][:4] for h in service.search("futureword")["hits"]] == ["2262"]
    assert [h["modified"][:4] for h in service.search("ancientword")["hits"]] in (["1677"], ["1901"])  # ext4: 1901


def test_a_files_date_is_the_nearest_the_index_holds():
    from datetime import datetime, timezone

    from siteseer.index.documents import file_date

    assert file_date(1_700_000_000_123_456_789) == datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=timezone.utc)
    assert file_date(253_402_300_800 * 10**9) == datetime(2262, 4, 11, 23, 47, 16, 854775, tzinfo=timezone.utc)
    assert file_date(-62_135_596_801 * 10**9) == datetime(1677, 9, 21, 0, 12, 43, 145225, tzinfo=timezone.utc)


def test_a_file_whose_documents_cannot_be_made_is_an_error_and_costs_only_itself(folder, monkeypatch):
    """The writer makes the documents, outside the extraction processes' guard: one
    failure there stopped the sync, and every retry of it."""
    import siteseer.index.indexer as indexer

    real = indexer.to_document

    def to_document(fields, size, mtime_ns):
        if fields["path"] == "d0/f3.txt" and fields["id"].endswith("#1"):  # its second unit: none of it goes in
            raise ValueError("no document today")
        return real(fields, size, mtime_ns)

    monkeypatch.setattr(indexer, "to_document", to_document)
    config = make_config(folder)
    summary = index(config)
    assert summary.skipped["cannot be indexed: ValueError: no document today"] == ["d0/f3.txt"]
    expected = {f"d{i % 3}/f{i}.txt": 2 for i in range(12) if i != 3}
    assert indexed_paths(config) == expected
    assert catalog(config).get("d0/f3.txt").status == "error"
    monkeypatch.setattr(indexer, "to_document", real)
    assert index(config).indexed == 1  # an error is tried again
    assert indexed_paths(config) == {**expected, "d0/f3.txt": 2}


def test_a_file_whose_extraction_hangs_is_skipped_and_costs_only_itself(tmp_path: Path):
    root = tmp_path / "site"
    for i in range(6):  # one batch with the stuck file among them
        write(root, f"f{i}.txt", f"Title {i}\n\nword{i}")
    write(root, "stuck.txt", "HANG\n\nnever indexed")
    config = make_config(root, extract_timeout=1.0)
    with Indexer(config, extract=extract, kind_for=kind_for) as ix:
        summary = ix.sync("")
        assert summary.skipped == {"extraction took longer than 1 s": ["stuck.txt"]}
        assert indexed_paths(config) == {f"f{i}.txt": 1 for i in range(6)}
        write(root, "later.txt", "Later\n\nlaterword")  # the pool still works, one process replaced
        assert ix.sync(["later.txt"]).indexed == 1
    assert catalog(config).get("stuck.txt").status == "skipped"
    with Indexer(config, extract=extract, kind_for=kind_for) as ix:
        assert ix.sync("").indexed == 0  # unchanged: not tried again


def test_a_file_that_crashes_its_extractor_is_an_error_and_costs_only_itself(tmp_path: Path):
    root = tmp_path / "site"
    for i in range(6):
        write(root, f"f{i}.txt", f"Title {i}\n\nword{i}")
    write(root, "bomb.txt", "CRASH\n\nnever indexed")
    config = make_config(root)
    with Indexer(config, extract=extract, kind_for=kind_for) as ix:
        summary = ix.sync("")
        assert summary.skipped == {"the extractor crashed on this file": ["bomb.txt"]}
        assert indexed_paths(config) == {f"f{i}.txt": 1 for i in range(6)}
        # The watcher's single file goes through the pool too: the indexer itself survives it.
        assert ix.sync(["bomb.txt"]).skipped == {"the extractor crashed on this file": ["bomb.txt"]}
    assert catalog(config).get("bomb.txt").status == "error"


def test_a_changed_extractor_has_its_kind_extracted_again(folder, monkeypatch):
    """An index made by an older extractor of one kind: those files, and only those,
    are extracted again on the next run (an upgrade's fix reaches the index)."""
    import siteseer.index.indexer as indexer

    write(folder, "page.md", "Page\n\nmarkdown words")
    config = make_config(folder)
    index(config)
    monkeypatch.setattr(indexer, "EXTRACTOR_VERSIONS", {**indexer.EXTRACTOR_VERSIONS, "markdown": 99})
    summary = index(config)
    assert (summary.indexed, summary.unchanged, summary.units) == (1, 14, 1)
    assert indexed_paths(config)["page.md"] == 1  # replaced, not added twice
    again = index(config)  # the new version is on record
    assert (again.indexed, again.unchanged) == (0, 15)


def test_a_catalog_without_extractor_versions_has_everything_extracted_again(folder):
    config = make_config(folder)
    index(config)
    cat = catalog(config)
    cat.db.execute("DELETE FROM meta WHERE key = 'extractors'")
    cat.db.commit()
    cat.close()
    summary = index(config)
    assert summary.indexed == 12 and summary.unchanged == 2  # the two skipped files have no kind on record
    assert indexed_paths(config) == {f"d{i % 3}/f{i}.txt": 2 for i in range(12)}


def test_a_damaged_index_is_built_again(folder, caplog):
    """A meta.json that cannot be read failed every run the same way, forever."""
    from siteseer.index.indexer import index_dir

    config = make_config(folder)
    index(config)
    (index_dir(config) / "meta.json").write_text('{"broken')
    with caplog.at_level("ERROR", logger="siteseer.index"):
        summary = index(config)
    assert "is damaged" in caplog.text
    assert summary.indexed == 14 and indexed_paths(config) == {f"d{i % 3}/f{i}.txt": 2 for i in range(12)}


def _remove(path: Path) -> None:
    path.unlink()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _cut_short(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _overwrite_middle(path: Path) -> None:
    """Changed bytes of the same length: tantivy opens the index, and searches that read them fail."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 3
    data[middle:middle + 64] = bytes(b ^ 0xFF for b in data[middle:middle + 64])
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("suffix, damage", [(".store", _remove), (".idx", _empty), (".store", _cut_short),
                                            (".term", _overwrite_middle), (".pos", _overwrite_middle)])
def test_a_damaged_segment_file_has_the_index_built_again(folder, caplog, suffix, damage):
    """A segment file missing or cut short failed every run the same way, forever (searches
    found nothing, new files were never indexed); one overwritten failed searches. Each is
    found as the indexer opens the index, which is built again with its catalog."""
    from siteseer.index.indexer import index_dir
    from siteseer.search.service import SearchService

    config = make_config(folder)
    index(config)
    segment_file = sorted(index_dir(config).glob(f"*{suffix}"))[0]
    damage(segment_file)
    write(folder, "new.txt", "New\n\nnewcomer text")
    with caplog.at_level("ERROR", logger="siteseer.index"):
        summary = index(config)
    assert "is damaged" in caplog.text and segment_file.name in caplog.text
    assert summary.indexed == 15  # every file again: the catalog went with the index
    service = SearchService(config)
    for i in range(12):  # "alpha1" finds alpha10 and alpha11 too, as a prefix
        assert f"d{i % 3}/f{i}.txt" in [hit["path"] for hit in service.search(f"alpha{i}")["hits"]]
    assert [hit["path"] for hit in service.search("newcomer")["hits"]] == ["new.txt"]
    caplog.clear()
    with caplog.at_level("ERROR", logger="siteseer.index"):
        assert index(config).indexed == 0  # once
    assert "damaged" not in caplog.text


def test_a_damaged_index_another_writer_holds_is_left_to_it(folder):
    """Built again only by the indexer that holds its lock: another server's would lose its files."""
    import fcntl

    from siteseer.index.indexer import IndexBusy, index_dir

    config = make_config(folder)
    index(config)
    _remove(sorted(index_dir(config).glob("*.store"))[0])
    left = sorted(p.name for p in index_dir(config).iterdir())
    with open(index_dir(config) / ".tantivy-writer.lock", "rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as tantivy's writer takes it
        with pytest.raises(IndexBusy):
            index(config)
    assert sorted(p.name for p in index_dir(config).iterdir()) == left


def test_a_damaged_catalog_is_set_aside_and_the_index_built_again(folder, caplog):
    config = make_config(folder)
    index(config)
    path = config.state_dir / "catalog.db"
    path.write_bytes(b"not a database at all" * 100)
    with caplog.at_level("ERROR", logger="siteseer.index"):
        summary = index(config)
    assert "catalog" in caplog.text and "damaged" in caplog.text
    assert summary.indexed == 14 and indexed_paths(config) == {f"d{i % 3}/f{i}.txt": 2 for i in range(12)}
    assert [p.name.split("-")[0] for p in config.state_dir.glob("catalog.db.damaged-*")] == ["catalog.db.damaged"]
    assert index(config).unchanged == 14


@pytest.fixture
def pages(tmp_path: Path):
    """Enough files for a catalog of 15 pages of 4 KiB: damage past its header has somewhere to go."""
    root = tmp_path / "site"
    for i in range(300):
        write(root, f"d{i % 5}/page-{i}.txt", f"Page {i}\n\nunit{i:03d} text")
    return root


def _overwrite_pages(path: Path, first: int, count: int) -> None:
    """As dd if=/dev/urandom of=catalog.db bs=4096 seek=<first> count=<count> conv=notrunc."""
    with open(path, "r+b") as f:
        f.seek(4096 * first)
        f.write(random.Random(first).randbytes(4096 * count))


@pytest.mark.parametrize("first, count", [(10, 30), (3, 2)])  # found by the check; so bad that it raises
def test_a_catalog_damaged_past_its_header_is_set_aside_and_the_index_built_again(pages, caplog, first, count):
    """"database disk image is malformed" from the sync failed every retry alike, forever."""
    from siteseer.search.service import SearchService

    config = make_config(pages)
    index(config)
    _overwrite_pages(config.state_dir / "catalog.db", first, count)
    with caplog.at_level("ERROR", logger="siteseer.index"):
        summary = index(config)
    [said] = [r.getMessage() for r in caplog.records if r.name == "siteseer.index"]  # once
    assert "catalog" in said and "damaged" in said
    assert [p.name.split("-")[0] for p in config.state_dir.glob("catalog.db.damaged-*")] == ["catalog.db.damaged"]
    assert summary.indexed == 300
    assert indexed_paths(config) == {f"d{i % 5}/page-{i}.txt": 1 for i in range(300)}
    assert [hit["path"] for hit in SearchService(config).search("unit123")["hits"]] == ["d3/page-123.txt"]
    assert index(config).unchanged == 300


def test_a_catalog_damaged_while_the_indexer_runs_is_replaced_with_the_index(pages, caplog):
    """Damage the check at open could not see (its pages were in memory): the sync that
    finds it starts over at once, emptying the index, of which the catalog said what it holds."""
    config = make_config(pages)
    with Indexer(config, extract=extract, kind_for=kind_for) as indexer:
        indexer.sync("")
        indexer.catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _overwrite_pages(config.state_dir / "catalog.db", 10, 30)
        indexer.catalog.db.execute("PRAGMA shrink_memory")  # its pages are read from the file again
        (pages / "d0/page-0.txt").unlink()
        write(pages, "new.txt", "New\n\nnewcomer text")
        with caplog.at_level("ERROR", logger="siteseer.index"):
            summary = indexer.sync(["d0/page-0.txt", "new.txt"])  # a watcher's batch
    [said] = [r.getMessage() for r in caplog.records if r.name == "siteseer.index"]  # once
    assert "catalog" in said and "malformed" in said
    assert summary.indexed == 300  # everything, from an empty index: page-0 is not left in it
    assert indexed_paths(config) == {f"d{i % 5}/page-{i}.txt": 1 for i in range(1, 300)} | {"new.txt": 1}
    assert index(config).unchanged == 300
