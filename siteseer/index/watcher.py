"""Watching DIR: changed paths are re-synced within a fraction of a second.

Watchdog events only name paths; what changed is decided by the same
catalog diff a full scan uses (``Indexer.sync`` on those paths), so a
missed or duplicated event can never leave the index wrong, only late.
Events are debounced (editors write a file in several steps), and a
folder's own "modified" events are ignored: its files report themselves.
Watches follow inodes, so when DIR itself is replaced (``mv build DIR``, a
common deploy) the indexer starts over on the new folder.

After a folder inside DIR is moved or deleted, the watches are made again:
watchdog 7's inotify observer loses a moved folder's watch when the folder
moves into one made just before (``mkdir archive && mv proj archive/``: it
reports ``proj`` deleted, and nothing under ``archive/proj`` ever again).
The new observer starts before the old one stops, so no change falls between.
And once an hour the whole folder is compared with the catalog anyway, as
Syncthing does with its watcher on: what no event reports (a hard link's
other name, a lost watch) is then late, never lost.
"""

from __future__ import annotations

import os
import threading
import time
import warnings
from pathlib import Path
from typing import Callable

from watchdog.events import DirModifiedEvent, FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .indexer import Indexer

DEBOUNCE = 0.15  # quiet time before syncing
MAX_DELAY = 1.0  # sync at the latest this long after the first event
FULL_RESCAN_OVER = 500  # more paths than this: one full scan is cheaper
ROOT_CHECK = 1.0  # seconds between checks that DIR is still the folder being watched
FULL_SYNC_EVERY = 3600.0  # seconds between full comparisons of DIR with the catalog


# watchdog's note of the lost watch above: handled here (``_rewatch``), not news to a log.
warnings.filterwarnings("ignore", r"Callback with id .* already exists", RuntimeWarning, "watchdog")


class ChangeCollector(FileSystemEventHandler):
    """Collects relative paths touched by events (thread-safe)."""

    def __init__(self, root: Path, excluded: Callable[[str], bool]):
        self.root = str(root)
        self.excluded = excluded
        self.lock = threading.Lock()
        self.paths: set[str] = set()
        self.first = 0.0
        self.last = 0.0
        self.event = threading.Event()
        self.folder_moved = False  # a folder moved or deleted since the watches were made

    def _rel(self, path: str | bytes) -> str | None:
        path = os.fsdecode(path)
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        if rel == ".":
            return ""
        if rel.startswith("../") or rel == "..":
            return None
        return None if self.excluded(rel) else rel

    def on_any_event(self, event: FileSystemEvent) -> None:
        if isinstance(event, DirModifiedEvent) or event.event_type in ("opened", "closed_no_write"):
            return
        rels = [self._rel(event.src_path)]
        dest = getattr(event, "dest_path", "")
        if dest:
            rels.append(self._rel(dest))
        rels = [r for r in rels if r is not None]
        if not rels:
            return
        with self.lock:
            now = time.monotonic()
            if not self.paths:
                self.first = now
            if event.is_directory and event.event_type in ("moved", "deleted"):
                self.folder_moved = True
            self.paths.update(rels)
            self.last = now
        self.event.set()

    def take(self, stop: threading.Event, timeout: float | None = None) -> set[str]:
        """Block until a debounced batch is ready (or ``stop``, or ``timeout`` s); return it."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not stop.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                return set()
            if not self.event.wait(0.2):
                continue
            with self.lock:
                now = time.monotonic()
                ready = self.paths and (now - self.last >= DEBOUNCE or now - self.first >= MAX_DELAY)
                if ready:
                    batch, self.paths = self.paths, set()
                    self.event.clear()
                    return batch
            stop.wait(DEBOUNCE / 3)
        return set()


def watch(indexer: Indexer, stop: threading.Event, on_sync: Callable[[object], None] | None = None) -> None:
    """Run until ``stop`` is set, syncing each debounced batch of changes."""
    collector = ChangeCollector(indexer.root, indexer.scope.excluded)
    observer = None
    watched = None  # (device, inode) of the folder the observer follows
    last_full = time.monotonic()
    try:
        while not stop.is_set():
            current = _identity(indexer.root)
            if current is not None and current != watched:
                if observer is not None:
                    # DIR was replaced: the old watches follow the old folder, and a
                    # state dir inside DIR went with it. Reopen, then rescan.
                    _stop(observer)
                    indexer.close()
                    indexer.open()
                watched = current
                observer = Observer()
                observer.schedule(collector, str(indexer.root), recursive=True)
                observer.start()
                # Changes made between the caller's full scan (or the last watch) and now.
                summary = indexer.sync("")
                last_full = time.monotonic()
                if on_sync is not None:
                    on_sync(summary)
            batch = collector.take(stop, timeout=ROOT_CHECK)
            if time.monotonic() - last_full >= FULL_SYNC_EVERY:
                batch, last_full = {""}, time.monotonic()
            if not batch or _identity(indexer.root) != watched:
                # Nothing; or DIR was replaced, and these are its moving away: the
                # index open in the old folder is not DIR's now (a commit there
                # failed and stopped the watch). The top of the loop starts over.
                continue
            if collector.folder_moved:
                collector.folder_moved = False
                observer = _rewatch(observer, collector, indexer.root)
            summary = indexer.sync("" if len(batch) > FULL_RESCAN_OVER or "" in batch else batch)
            if on_sync is not None:
                on_sync(summary)
    finally:
        if observer is not None:
            _stop(observer)


def _rewatch(old: Observer, collector: ChangeCollector, root: Path) -> Observer:
    """A new observer on ``root`` (its watches made afresh), started before ``old`` stops:
    an event either one sees reaches ``collector``, and a duplicate costs nothing."""
    observer = Observer()
    observer.schedule(collector, str(root), recursive=True)
    observer.start()
    _stop(old)
    return observer


def _identity(root: Path) -> tuple[int, int] | None:
    """Which folder ``root`` names now; None while nothing is there (keep the index)."""
    try:
        st = os.stat(root)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _stop(observer: Observer) -> None:
    observer.stop()
    observer.join(timeout=5)
