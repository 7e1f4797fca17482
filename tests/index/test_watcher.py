"""Changes on disk show up in search shortly after, without a rescan."""

import shutil
import threading
import time
from pathlib import Path

import pytest
from ix_helpers import extract, kind_for, make_config, wait_until, write

from siteseer.index.indexer import Indexer
from siteseer.index.process import start_indexer
from siteseer.search.service import SearchService

DEADLINE = 4.0  # the target is 2 s; the margin is for loaded CI machines


def found(service: SearchService, q: str) -> list[str]:
    return sorted(h["path"] for h in service.search(q + " ")["hits"])


@pytest.fixture
def watched(tmp_path: Path):
    from siteseer.index.watcher import watch

    root = tmp_path / "site"
    write(root, "a.txt", "Alpha\n\nfirstword here")
    config = make_config(root)
    indexer = Indexer(config, extract=extract, kind_for=kind_for).open()
    indexer.sync("")
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(indexer, stop), daemon=True)
    thread.start()
    yield root, SearchService(config)
    stop.set()
    thread.join(10)
    indexer.close()
    assert not thread.is_alive()


def test_create_modify_delete_move(watched):
    root, service = watched
    assert found(service, "firstword") == ["a.txt"]

    start = time.monotonic()
    write(root, "new/b.txt", "Bravo\n\nsecondword")
    wait_until(lambda: found(service, "secondword") == ["new/b.txt"], DEADLINE)
    assert time.monotonic() - start < DEADLINE

    write(root, "a.txt", "Alpha\n\nthirdword now")
    wait_until(lambda: found(service, "thirdword") == ["a.txt"] and not found(service, "firstword"), DEADLINE)

    (root / "new/b.txt").rename(root / "moved.txt")
    wait_until(lambda: found(service, "secondword") == ["moved.txt"], DEADLINE)

    shutil.move(str(root / "new"), str(root / "renamed"))  # now empty folder: nothing to find
    write(root, "dir/c.txt", "Charlie\n\nfourthword")
    wait_until(lambda: found(service, "fourthword") == ["dir/c.txt"], DEADLINE)
    shutil.move(str(root / "dir"), str(root / "dir2"))
    wait_until(lambda: found(service, "fourthword") == ["dir2/c.txt"], DEADLINE)

    shutil.rmtree(root / "dir2")
    (root / "a.txt").unlink()
    wait_until(lambda: not found(service, "fourthword") and not found(service, "thirdword"), DEADLINE)
    assert found(service, "secondword") == ["moved.txt"]


def test_dotfiles_are_ignored_by_the_watcher(watched):
    root, service = watched
    write(root, ".secret.txt", "Hidden\n\nhiddenword")
    write(root, "visible.txt", "Visible\n\nvisibleword")
    wait_until(lambda: found(service, "visibleword"), DEADLINE)
    assert found(service, "hiddenword") == []


def test_a_new_link_to_a_folder_outside_indexes_nothing_from_it(watched, tmp_path: Path):
    """``ln -s /etc docs`` while serving: /etc's text was indexed and shown in snippets."""
    root, service = watched
    write(tmp_path / "outside", "secret.txt", "Secret\n\noutsideword")
    write(tmp_path / "outside", "sub/more.txt", "More\n\noutsideword")
    (root / "linked").symlink_to(tmp_path / "outside")
    (root / "loop").symlink_to(root)
    (root / "note.txt").symlink_to(tmp_path / "outside" / "secret.txt")
    write(root, "after.txt", "After\n\nafterword")  # the watcher has seen the links by the time it sees this
    wait_until(lambda: "after.txt" in found(service, "afterword"), DEADLINE)
    assert found(service, "outsideword") == []
    assert found(service, "afterword") == ["after.txt"]
    assert found(service, "firstword") == ["a.txt"]  # not again as loop/a.txt


def test_a_link_to_a_file_in_the_folder_follows_its_changes(watched):
    """``latest.txt -> a.txt``: the events name a.txt only, and latest.txt kept its old words."""
    root, service = watched
    (root / "latest.txt").symlink_to("a.txt")
    write(root, "sub/deep.txt", "Deep\n\ndeepword")
    (root / "sub" / "up.txt").symlink_to("../sub/deep.txt")
    wait_until(lambda: found(service, "firstword") == ["a.txt", "latest.txt"]
               and found(service, "deepword") == ["sub/deep.txt", "sub/up.txt"], DEADLINE)
    write(root, "a.txt", "Alpha\n\nchangedword now")
    write(root, "sub/deep.txt", "Deep\n\notherword")
    wait_until(lambda: found(service, "changedword") == ["a.txt", "latest.txt"]
               and found(service, "otherword") == ["sub/deep.txt", "sub/up.txt"], DEADLINE)
    assert found(service, "firstword") == [] and found(service, "deepword") == []


def test_indexer_process_scans_watches_and_stops_on_terminate(tmp_path: Path):
    root = tmp_path / "site"
    write(root, "docs/page.md", "# Welcome\n\nProcessword lives here.\n")
    config = make_config(root)
    service = SearchService(config)
    proc = start_indexer(config)  # real extractors, spawn context
    try:
        wait_until(lambda: found(service, "processword") == ["docs/page.md"], 30)
        write(root, "docs/later.md", "# Later\n\nLaterword arrives.\n")
        wait_until(lambda: found(service, "laterword") == ["docs/later.md"], DEADLINE + 2)
        assert service.status()["documents"] == 2
    finally:
        proc.terminate()
        proc.join(15)
    assert proc.exitcode == 0
    assert service.status()["indexing"] is False


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")  # the watch must not die
@pytest.mark.parametrize("state_inside", [True, False])
def test_folder_replaced_by_another_is_indexed_afresh(tmp_path: Path, state_inside: bool):
    """``mv site site.old && mv build site``: the watches follow site.old; indexing must not."""
    from siteseer.index.watcher import watch

    root = tmp_path / "site"
    write(root, "a.txt", "Alpha\n\noldword here")
    config = make_config(root) if state_inside else make_config(root, state_dir=str(tmp_path / "state"))
    indexer = Indexer(config, extract=extract, kind_for=kind_for).open()
    indexer.sync("")
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(indexer, stop), daemon=True)
    thread.start()
    try:
        write(root, "b.txt", "Bravo\n\nwatchedword")
        wait_until(lambda: found(SearchService(config), "watchedword") == ["b.txt"], DEADLINE)
        write(tmp_path / "build", "c.txt", "Charlie\n\nnewword")
        root.rename(tmp_path / "site.old")
        (tmp_path / "build").rename(root)
        wait_until(lambda: found(SearchService(config), "newword") == ["c.txt"], DEADLINE)
        assert found(SearchService(config), "oldword") == []
        write(root, "d.txt", "Delta\n\nlaterword")  # and the new folder is watched
        wait_until(lambda: found(SearchService(config), "laterword") == ["d.txt"], DEADLINE)
    finally:
        stop.set()
        thread.join(10)
        indexer.close()
    assert not thread.is_alive()


def test_a_folder_named_as_a_servers_page_is_followed(watched, tmp_path: Path):
    """A folder moved in as ``healthz/`` is one event, for the folder, and it was dropped as
    the server's own path: only /healthz itself is, the folder's files are served."""
    root, service = watched
    write(tmp_path / "incoming", "healthz/status.txt", "Status\n\nstatusword")
    (tmp_path / "incoming" / "healthz").rename(root / "healthz")
    write(root, "search/inner.txt", "Inner\n\ninnerword")
    write(root, "metrics", "Metrics\n\nmetricsword")  # /metrics is the server's: not this file
    wait_until(lambda: found(service, "statusword") == ["healthz/status.txt"]
               and found(service, "innerword") == ["search/inner.txt"], DEADLINE)
    write(root, "after.txt", "After\n\nafterword")  # the watcher has seen the rest by the time it sees this
    wait_until(lambda: found(service, "afterword"), DEADLINE)
    assert found(service, "metricsword") == []


@pytest.mark.parametrize("new_folder", ["archive", ".trash"])
def test_a_folder_moved_into_a_new_folder_is_still_followed(watched, new_folder):
    """watchdog 7 lost the moved folder's watch (``mkdir archive && mv proj archive/``):
    nothing under it was indexed again until a restart."""
    root, service = watched
    write(root, "proj/sub/page.txt", "Page\n\noldword")
    wait_until(lambda: found(service, "oldword") == ["proj/sub/page.txt"], DEADLINE)
    (root / new_folder).mkdir()
    (root / "proj").rename(root / new_folder / "proj")
    inside = [] if new_folder.startswith(".") else [f"{new_folder}/proj/sub/page.txt"]
    wait_until(lambda: found(service, "oldword") == inside, DEADLINE)
    write(root, f"{new_folder}/proj/sub/page.txt", "Page\n\nmidword")
    wait_until(lambda: found(service, "midword") == inside and not found(service, "oldword"), DEADLINE)
    (root / new_folder / "proj").rename(root / "proj")
    wait_until(lambda: found(service, "midword") == ["proj/sub/page.txt"], DEADLINE)
    write(root, "proj/sub/page.txt", "Page\n\nnewword")
    write(root, "proj/sub/more.txt", "More\n\nmoreword")
    wait_until(lambda: found(service, "newword") == ["proj/sub/page.txt"] and not found(service, "midword")
               and found(service, "moreword") == ["proj/sub/more.txt"], DEADLINE)


def test_what_no_event_reports_is_found_by_the_periodic_full_sync(tmp_path: Path, monkeypatch):
    """A hard link's other name: inotify reports only the name written to."""
    from siteseer.index import watcher

    monkeypatch.setattr(watcher, "FULL_SYNC_EVERY", 1.0)
    root = tmp_path / "site"
    write(root, "one/a.txt", "Alpha\n\noldword")
    (root / "two").mkdir()
    (root / "two" / "b.txt").hardlink_to(root / "one" / "a.txt")
    config = make_config(root)
    indexer = Indexer(config, extract=extract, kind_for=kind_for).open()
    indexer.sync("")
    service = SearchService(config)
    assert found(service, "oldword") == ["one/a.txt", "two/b.txt"]
    stop = threading.Event()
    thread = threading.Thread(target=watcher.watch, args=(indexer, stop), daemon=True)
    thread.start()
    try:
        with open(root / "one" / "a.txt", "w") as out:  # in place: the inode both names share
            out.write("Alpha\n\nnewword")
        wait_until(lambda: found(service, "newword") == ["one/a.txt", "two/b.txt"], DEADLINE)
        assert found(service, "oldword") == []
    finally:
        stop.set()
        thread.join(10)
        indexer.close()
