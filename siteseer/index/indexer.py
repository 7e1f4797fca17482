"""The indexer: scan, diff with the catalog, extract in parallel, write.

One process owns the tantivy writer. Extraction runs in a spawn-context
process pool (spawn, not fork: the writer's threads must not be forked).
A file whose extraction crashes its process or runs past
``index.extract_timeout`` is recorded as such, and costs only itself.
Crash safety comes from ordering: every file is deleted by path before its
units are added, and its catalog row is written only after the tantivy
commit that contains it. A kill -9 at any moment therefore leaves the
catalog describing a subset of the index, and the next run re-does the rest.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import posixpath
import re
import shutil
import sqlite3
import time
from collections import defaultdict, deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from pebble import ProcessExpired, ProcessPool

from siteseer.config import Config, make_state_dir

from .catalog import Catalog, FileRow, is_damage
from .extractors.base import EXTRACTOR_VERSIONS
from .documents import NAME_ONLY_KINDS, FileResult, extract_batch, to_document
from .integrity import index_damage, writer_lock_held
from .process import pool_worker_init
from .scan import FileStat, Scope, scan
from .schema import SCHEMA_VERSION, index_exists, open_index
from .textforms import nfc

# In the catalog's meta once every ``dir`` facet in the index is composed (``documents.dir_facet``).
DIR_FACETS = "nfc"
_DAY_NS = 86_400 * 10**9  # a UTC day, as the dates of hits and after:/before: count them
log = logging.getLogger("siteseer.index")
# What tantivy says when it cannot open an index for damage: a meta.json that does not
# parse, a segment file missing, or cut short (its footer gone).
_DAMAGE_ERRORS = re.compile("Data corrupted|FileDoesNotExist|File corrupted")

Progress = Callable[[int, int], None]

COMMIT_SECONDS = 1.0  # commit at least this often while work is pending
COMMIT_UNITS = 5000  # ...or after this many new units
# ...but never spend more than 1/COMMIT_RATIO of the time committing: a commit
# blocks this loop (and so, soon, the extraction processes) and makes a
# segment that must later be merged. Small commits keep the 1 s rhythm.
COMMIT_RATIO = 8.0
WRITER_HEAP = 128_000_000
# One indexing thread: the extraction processes already use every core, and
# one thread (one segment per commit) leaves less to merge.
WRITER_THREADS = 1
BATCH_FILES = 16  # files per extraction task
BATCH_BYTES = 4 << 20


@dataclass
class IndexSummary:
    files: int = 0  # indexable files found in DIR (this scan's scope)
    indexed: int = 0  # files (re)extracted this run
    unchanged: int = 0
    deleted: int = 0
    units: int = 0  # units written this run
    documents: int = 0  # units in the index afterwards
    skipped: dict[str, list[str]] = field(default_factory=dict)  # reason -> paths
    seconds: float = 0.0


def default_extractor() -> tuple[Callable[..., Any], Callable[[Path], str | None]]:
    from siteseer.index.extractors import extract, kind_for

    return extract, kind_for


class IndexBusy(RuntimeError):
    """Another process holds the index's writer lock (a server indexing the same folder)."""


def index_dir(config: Config) -> Path:
    return config.state_dir / "index"


def catalog_path(config: Config) -> Path:
    return config.state_dir / "catalog.db"


class Indexer:
    """Keeps the catalog, the writer and the extraction pool open between syncs."""

    def __init__(self, config: Config, extract: Callable[..., Any] | None = None,
                 kind_for: Callable[[Path], str | None] | None = None, workers: int | None = None):
        if extract is None or kind_for is None:
            default_extract, default_kind = default_extractor()
            extract = extract or default_extract
            kind_for = kind_for or default_kind
        self.config = config
        self.root = Path(config.root)
        self.extract = extract
        self.kind_for = kind_for
        n = workers if workers is not None else config.index.workers
        self.workers = n or os.cpu_count() or 1
        self.scope = Scope(self.root, config.state_dir, config.index.exclude, config.config_path)
        # The symlinked files found so far and the file each names: a change to that file
        # is theirs too, and the watcher's events name only the file.
        self.links: dict[str, str] = {}
        self.catalog: Catalog | None = None
        self.index = None
        self.writer = None
        self.pool: ProcessPool | None = None

    # -- lifecycle -------------------------------------------------------------
    def open(self) -> "Indexer":
        make_state_dir(self.config)  # FileNotFoundError while the served folder is away
        self.catalog = self._open_catalog()
        path = index_dir(self.config)
        if self.catalog.meta().get("schema_version") != SCHEMA_VERSION or not index_exists(path):
            self._start_over(path)  # new or incompatible
        self._open_index(path)
        self._outdate_extracted()  # holding the writer's lock: no other indexer writes the catalog now
        self._outdate_decomposed_folders()
        # An empty index holds nothing to delete: a first build skips the
        # delete-by-path of every file (each one costs a term lookup per segment).
        try:
            self.index.reload()
            self.empty = self.index.searcher().num_docs == 0
        except Exception:
            self.empty = False
        return self

    def _open_index(self, path: Path) -> None:
        """The index and its writer; a damaged one is built again from the folder.

        A damaged meta.json, a segment file missing or cut short made every retry fail
        the same way, forever, while the catalog claimed its files indexed; one whose bytes
        were changed opened, and searches that read them failed. The checksums are read
        holding the writer's lock: another server's indexer could merge files away meanwhile.
        """
        try:
            self.index = open_index(path, writer=True)
            self._take_writer()
            damage = index_damage(path)
        except ValueError as exc:
            if not _DAMAGE_ERRORS.search(str(exc)):
                raise
            if writer_lock_held(path):  # damaged under a writer that still runs: not ours to remove
                raise self._busy() from None
            damage = str(exc)
        if damage is None:
            return
        log.error("the index at %s is damaged (%s); building it again from the folder", path, damage)
        if self.writer is not None:
            try:
                self.writer.wait_merging_threads()  # ends the writer, and frees its lock
            except Exception:  # a merge that read the damage: the writer is gone all the same
                pass
            self.writer = None
        self.index = None
        self._start_over(path)
        self.index = open_index(path, writer=True)
        self._take_writer()

    def _take_writer(self) -> None:
        try:
            self.writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=WRITER_THREADS)
        except ValueError as exc:
            if "LockBusy" in str(exc):
                raise self._busy() from None
            raise

    def _busy(self) -> IndexBusy:
        return IndexBusy(f"{self.config.root} is being indexed by another siteseer now "
                         "(a server indexes its folder itself)")

    def _open_catalog(self) -> Catalog:
        """The catalog; a damaged one ("file is not a database", or "malformed" past its
        header) is set aside and a new one begun, which rebuilds the index (retried, it
        failed the same way forever)."""
        path = catalog_path(self.config)
        catalog = None
        try:
            catalog = Catalog(path)
            damage = catalog.damage()
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):  # locked, read-only, no room: not damage
                raise
            damage = str(exc)
        if damage is None:
            return catalog
        if catalog is not None:
            catalog.close()
        return self._set_catalog_aside(damage)

    def _set_catalog_aside(self, damage: str) -> Catalog:
        """Move the damaged catalog (and its WAL) aside, for a look; a new, empty one."""
        path = catalog_path(self.config)
        aside = path.with_name(f"{path.name}.damaged-{int(time.time())}")
        log.error("the catalog %s is damaged (%s); moved to %s, the index is built again", path, damage, aside.name)
        for suffix in ("", "-wal", "-shm"):
            part = path.with_name(path.name + suffix)
            if part.exists():
                part.rename(aside.with_name(aside.name + suffix))
        return Catalog(path)

    def _replace_catalog(self, damage: str) -> None:
        """A catalog found damaged while indexing: set aside, with the index emptied. Its rows
        said what the index holds; a file gone meanwhile would stay in the index for good."""
        try:
            self.catalog.close()
        except Exception:
            pass
        self.catalog = self._set_catalog_aside(damage)
        self.writer.rollback()  # the units added since the last commit, whose rows are lost
        self.writer.delete_all_documents()
        self.writer.commit()
        self.catalog.set_meta(schema_version=SCHEMA_VERSION)
        self._outdate_extracted()  # records the versions and forms the new index is made with
        self._outdate_decomposed_folders()
        self.empty = True

    def _start_over(self, path: Path) -> None:
        """An empty index and catalog: the catalog must not outlive its index."""
        shutil.rmtree(path, ignore_errors=True)
        self.catalog.clear()
        self.catalog.set_meta(schema_version=SCHEMA_VERSION)

    def _outdate_extracted(self) -> None:
        """Have the files of each kind whose extractor changed since they were indexed
        extracted again (``EXTRACTOR_VERSIONS``); a catalog from before the versions were
        recorded has every kind's."""
        try:
            recorded = json.loads(self.catalog.meta().get("extractors") or "{}")
        except ValueError:
            recorded = {}
        recorded = recorded if isinstance(recorded, dict) else {}
        changed = [kind for kind, version in EXTRACTOR_VERSIONS.items() if recorded.get(kind) != version]
        if changed:
            marked = self.catalog.outdate(changed, {"extractors": json.dumps(EXTRACTOR_VERSIONS, sort_keys=True)})
            if marked:  # says why a start after an upgrade indexes files that did not change
                log.info("%d files (%s) are extracted again: this version reads them better", marked, ", ".join(changed))

    def _outdate_decomposed_folders(self) -> None:
        """Have the files in folders named in decomposed form extracted again, once: their
        ``dir`` facet was the name as on disk, which ``in:`` (composed) never matched. Only
        theirs changed: raising ``SCHEMA_VERSION`` would empty the index until it is built
        again, and every kind's extractor version would extract every file again."""
        if self.catalog.meta().get("dir_facets") == DIR_FACETS:
            return
        decomposed = [rel for rel in self.catalog.files() if nfc(folder := posixpath.dirname(rel)) != folder]
        marked = self.catalog.outdate_paths(decomposed, {"dir_facets": DIR_FACETS})
        if marked:
            log.info("%d files in folders named in decomposed Unicode are indexed again, for in:", marked)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.stop()  # work still in flight is not committed: the next sync redoes it
            self.pool.join()
            self.pool = None
        if self.writer is not None:
            try:
                self.writer.wait_merging_threads()
            except Exception:
                pass
            self.writer = None
        if self.catalog is not None:
            try:
                self.catalog.set_indexing(False)
            except Exception:
                pass
            self.catalog.close()
            self.catalog = None

    def __enter__(self) -> "Indexer":
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _pool(self) -> ProcessPool:
        """The extraction processes: pebble's pool, which ends a task that runs
        past its time limit (killing its process) and replaces a process that died."""
        if self.pool is None:
            self.pool = ProcessPool(self.workers, context=multiprocessing.get_context("spawn"),
                                    initializer=pool_worker_init, initargs=(os.getpid(),))
        return self.pool

    # -- work ------------------------------------------------------------------
    def sync(self, under: str | Iterable[str] = "", progress: Progress | None = None) -> IndexSummary:
        """Bring the index in line with the folder at or below ``under``.

        ``under`` is "" (everything), one relative path, or several (the
        watcher's batch); either way the work goes out in shared commits.
        A catalog found damaged on the way (pages the check at open had in
        memory, or damage it does not see) is replaced, and everything indexed
        again: retried, the sync failed the same way forever.
        """
        try:
            return self._sync(under, progress)
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            damage = str(exc)
        self._replace_catalog(damage)
        return self._sync("", progress)

    def _sync(self, under: str | Iterable[str], progress: Progress | None) -> IndexSummary:
        assert self.catalog is not None and self.writer is not None, "call open() first"
        started = time.perf_counter()
        summary = IndexSummary()
        unders = [under] if isinstance(under, str) else _outermost(under)
        unders += self._links_to(unders)
        on_disk: dict[str, FileStat] = {}
        known: dict[str, FileRow] = {}
        for u in unders:
            for link in [link for link in self.links if _at_or_below(link, u)]:
                del self.links[link]  # found again below if still there
            on_disk.update(scan(self.root, self.scope, self.kind_for, u, self.links))
            known.update(self.catalog.under(u))
        deleted = [rel for rel in known if rel not in on_disk]
        # Subtitle hits link to the video beside them, or to themselves when there
        # is none: a video that comes or goes has them extracted again, unchanged.
        forced = self._subtitles_beside([rel for rel in on_disk if rel not in known] + deleted)
        for rel, st in forced.items():
            on_disk.setdefault(rel, st)
        summary.files = len(on_disk)
        todo: list[tuple[str, int, int, str | None]] = []
        for rel, (size, mtime_ns, ino, ctime_ns) in sorted(on_disk.items()):
            row = known.get(rel)
            # An "error" (unreadable, say) is tried again: a chmod fixes it without touching mtime.
            retry = rel in forced or (row is not None and row.status == "error")
            if (row is not None and not retry and row.size == size and row.mtime_ns == mtime_ns
                    and row.ino == ino and row.ctime_ns == ctime_ns):
                summary.unchanged += 1
                continue
            # Same size and a hash on record: the worker hashes before extracting, and the same
            # bytes are not extracted again. So another inode or ctime alone (a file moved onto
            # one of the same size and date, a chmod, a row from before they were recorded) costs
            # a read, not an extraction. Only within a day: the index keeps each unit's date
            # (shown, and what after:/before: filter on), and a file given an older date (rsync -a,
            # touch -d) kept its old one, so it is extracted again with the new.
            same_day = row is not None and row.mtime_ns // _DAY_NS == mtime_ns // _DAY_NS
            old_hash = row.hash if row is not None and not retry and row.size == size and same_day else None
            todo.append((rel, size, mtime_ns, old_hash))
        if todo or deleted:
            self.catalog.set_indexing(True)
            try:
                self._run(todo, on_disk, deleted, summary, progress)
            finally:
                self.catalog.set_indexing(False)
        for path, status, reason in self.catalog.problems():
            if "" in unders or any(path == u or path.startswith(u.rstrip("/") + "/") for u in unders):
                summary.skipped.setdefault(reason or status, []).append(path)
        summary.documents = self._num_docs()
        summary.seconds = time.perf_counter() - started
        return summary

    def _links_to(self, unders: list[str]) -> list[str]:
        """The symlinked files that name a file at or below one of ``unders`` and are not among them."""
        if "" in unders:
            return []
        return [link for link, target in self.links.items()
                if any(_at_or_below(target, u) for u in unders) and not any(_at_or_below(link, u) for u in unders)]

    def _subtitles_beside(self, videos: Iterable[str]) -> dict[str, FileStat]:
        """``{rel: FileStat}`` of the subtitle files named after any of ``videos``.

        "talk.mp4" has "talk.srt" and "talk.en.vtt": the names the subtitle
        extractor looks for a video by.
        """
        found: dict[str, FileStat] = {}
        for rel in videos:
            if self.kind_for(self.root / rel) != "video":
                continue
            folder, _, name = rel.rpartition("/")
            prefix = posixpath.splitext(name)[0] + "."
            try:
                entries = [e for e in os.scandir(self.root / folder) if e.name.startswith(prefix)]
            except OSError:
                continue
            for entry in entries:
                sub = f"{folder}/{entry.name}" if folder else entry.name
                if sub not in found and self.kind_for(Path(entry.path)) == "subtitle":
                    found.update(scan(self.root, self.scope, self.kind_for, sub))
        return found

    def _run(self, todo: list[tuple[str, int, int, str | None]], stats: dict[str, FileStat], deleted: list[str],
             summary: IndexSummary, progress: Progress | None) -> None:
        writer = self.writer
        pending_rows: list[FileRow] = []
        pending_deletes: list[str] = []
        pending_units = 0
        last_commit = time.monotonic()
        commit_cost = 0.0
        # Paths that cannot be in the index yet: nothing to delete before adding.
        fresh = self.empty
        self.empty = False

        for rel in deleted:
            writer.delete_documents_by_term("path", rel)
            pending_deletes.append(rel)
        summary.deleted = len(deleted)

        def commit() -> None:
            nonlocal pending_rows, pending_deletes, pending_units, last_commit, commit_cost
            started = time.monotonic()
            writer.commit()
            self.catalog.apply(pending_rows, pending_deletes)
            pending_rows, pending_deletes, pending_units = [], [], 0
            last_commit = time.monotonic()
            commit_cost = last_commit - started

        done = 0
        for result in self._extract_all(todo):
            size, mtime_ns, ino, ctime_ns = stats[result.rel]
            now = time.time()
            if result.status == "same":
                row = FileRow(result.rel, size, mtime_ns, result.hash, None, "ok", None, 0, now, ino, ctime_ns)
                old = self.catalog.get(result.rel)
                if old is not None:  # keep its kind and unit count, only the stat changed
                    row.kind, row.status, row.error, row.units = old.kind, old.status, old.error, old.units
                pending_rows.append(row)
                summary.unchanged += 1
            else:
                result, documents = _documents(result, size, mtime_ns)
                if not fresh:
                    writer.delete_documents_by_term("path", result.rel)  # replaying is idempotent
                for document in documents:
                    writer.add_document(document)
                pending_units += len(result.units)
                summary.units += len(result.units)
                summary.indexed += 1
                status = result.status if result.status != "ok" else "ok"
                pending_rows.append(FileRow(result.rel, size, mtime_ns, result.hash, result.kind,
                                            status, result.reason, len(result.units), now, ino, ctime_ns))
            done += 1
            if progress is not None:
                progress(done, len(todo))
            since = time.monotonic() - last_commit
            if (pending_units >= COMMIT_UNITS or since >= COMMIT_SECONDS) and since >= COMMIT_RATIO * commit_cost:
                commit()
        if pending_rows or pending_deletes:
            commit()

    def _extract_all(self, todo: list[tuple[str, int, int, str | None]]):
        """Yield a FileResult per file, extracting in the pool, in bounded flight.

        Every file goes through the pool, a watcher's single file too: an
        extractor that hangs or crashes (a hostile or broken file) takes down
        a pool process, never this one. A batch that timed out or crashed goes
        again file by file, so the fault is pinned on its file alone.
        """
        if not todo:  # deletions alone: no pool to start
            return
        cfg = self.config.index
        root = str(self.root)
        pool = self._pool()
        pending = deque(_batches(todo, self._name_only))
        in_flight: dict[Future, list[tuple[str, str | None, bool]]] = {}
        limit = self.workers * 3
        while pending or in_flight:
            while pending and len(in_flight) < limit:
                items = pending.popleft()
                future = pool.schedule(extract_batch, args=(self.extract, root, items, cfg.max_unit_chars,
                                                            cfg.max_file_bytes), timeout=cfg.extract_timeout)
                in_flight[future] = items
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                items = in_flight.pop(future)
                try:
                    results = future.result()
                except (TimeoutError, ProcessExpired) as exc:  # pebble's: past the limit, or the process died
                    if len(items) > 1:
                        pending.extendleft([item] for item in reversed(items))  # each alone, first
                        continue
                    results = [_failed(items[0][0], exc, cfg.extract_timeout)]
                yield from results

    def _name_only(self, rel: str) -> bool:
        return self.kind_for(self.root / rel) in NAME_ONLY_KINDS

    def _num_docs(self) -> int:
        try:
            self.index.reload()
            return self.index.searcher().num_docs
        except Exception:
            return 0


def _documents(result: FileResult, size: int, mtime_ns: int) -> tuple[FileResult, list[Any]]:
    """The index documents of one file's units, all or none; when one cannot be made, the
    file is an error of its own (tried again on the next sync), as in extraction: made
    here, outside the extraction processes' guard, a failure stopped the whole sync, and
    every retry of it, forever."""
    try:
        return result, [to_document(fields, size, mtime_ns) for fields in result.units]
    except Exception as exc:
        reason = f"cannot be indexed: {type(exc).__name__}: {exc}"[:500]
        return FileResult(result.rel, "error", hash=result.hash, reason=reason), []


def _failed(rel: str, exc: BaseException, timeout: float) -> FileResult:
    """The result of a file whose extraction ran out of time or killed its process.

    Out of time is "skipped", as a file too large is: the same bytes would
    take as long again, so it waits until the file changes. A crash is an
    "error", tried again on the next sync.
    """
    if isinstance(exc, TimeoutError):
        return FileResult(rel, "skipped", reason=f"extraction took longer than {timeout:g} s")
    return FileResult(rel, "error", reason="the extractor crashed on this file")


def _at_or_below(rel: str, under: str) -> bool:
    return not under or rel == under or rel.startswith(under.rstrip("/") + "/")


def _outermost(paths: Iterable[str]) -> list[str]:
    """Drop paths that lie inside another path of the set ("" covers all)."""
    ordered = sorted({p.strip("/") for p in paths})
    if "" in ordered:
        return [""]
    out: list[str] = []
    for p in ordered:
        if not any(p.startswith(o + "/") for o in out):
            out.append(p)
    return out


def _batches(todo: list[tuple[str, int, int, str | None]], name_only: Callable[[str], bool]) -> list[list[tuple[str, str | None, bool]]]:
    batches: list[list[tuple[str, str | None, bool]]] = []
    current: list[tuple[str, str | None, bool]] = []
    current_bytes = 0
    for rel, size, _, h in todo:
        skip_content = name_only(rel)
        size = 0 if skip_content else size
        if current and (len(current) >= BATCH_FILES or current_bytes + size > BATCH_BYTES):
            batches.append(current)
            current, current_bytes = [], 0
        current.append((rel, h, skip_content))
        current_bytes += size
    if current:
        batches.append(current)
    return batches


def run_index(config: Config, progress: Progress | None = None, extract: Callable[..., Any] | None = None,
              kind_for: Callable[[Path], str | None] | None = None) -> IndexSummary:
    """Index ``config.root`` once (``siteseer index DIR``) and report."""
    with Indexer(config, extract=extract, kind_for=kind_for) as indexer:
        return indexer.sync(progress=progress)


def format_summary(summary: IndexSummary, max_paths: int = 3) -> str:
    """Plain-text report for the terminal."""
    lines = [
        f"Indexed {summary.indexed} of {summary.files} files "
        f"({summary.unchanged} unchanged, {summary.deleted} removed) in {summary.seconds:.1f} s: "
        f"{summary.units} units written, {summary.documents} in the index.",
    ]
    if summary.skipped:
        total = sum(len(p) for p in summary.skipped.values())
        lines.append(f"Skipped {total} files:")
        for reason, paths in sorted(summary.skipped.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            shown = ", ".join(paths[:max_paths]) + (", ..." if len(paths) > max_paths else "")
            lines.append(f"  {len(paths):>5}  {reason}  ({shown})")
    return "\n".join(lines)


def skipped_counts(summary: IndexSummary) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for reason, paths in summary.skipped.items():
        counts[reason] += len(paths)
    return dict(counts)
