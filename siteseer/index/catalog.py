"""The catalog: what the index holds, file by file (SQLite, WAL).

The indexer writes a file's row only after the tantivy commit that contains
its units, so after a crash the catalog never claims more than the index
has; anything missing or stale is simply indexed again (the indexer deletes
by path before adding, which makes replaying idempotent). Readers (the
search workers) only look at ``meta``.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT,
    kind TEXT,
    status TEXT NOT NULL,          -- ok | skipped | error
    error TEXT,
    units INTEGER NOT NULL DEFAULT 0,
    indexed_at REAL NOT NULL,
    ino INTEGER,
    ctime_ns INTEGER
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
# Columns added since the first catalogs, each with its type: a catalog made before is
# given them (NULL in its rows) rather than dropped with the index it describes.
_ADDED_COLUMNS = {"ino": "INTEGER", "ctime_ns": "INTEGER"}
_COLUMNS = "path, size, mtime_ns, hash, kind, status, error, units, indexed_at, ino, ctime_ns"


@dataclass(slots=True)
class FileRow:
    path: str
    size: int
    mtime_ns: int
    hash: str | None
    kind: str | None
    status: str  # ok | skipped | error
    error: str | None = None
    units: int = 0
    indexed_at: float = 0.0
    # Which file the path named, and when its inode last changed: a file moved onto another
    # of the same size and date (unpacked from one archive) changes these alone. None: not
    # yet recorded (a catalog from before they were).
    ino: int | None = None
    ctime_ns: int | None = None


class Catalog:
    """One connection to ``catalog.db``; use one per process/thread."""

    def __init__(self, path: str | Path, readonly: bool = False):
        self.path = Path(path)
        if readonly:
            uri = f"file:{self.path}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, timeout=5, check_same_thread=False)
        else:
            # The state folder alone, never the served folder above it (moved away: see
            # config.make_state_dir, which the indexer calls first).
            self.path.parent.mkdir(exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            self._add_missing_columns()
            self.db.commit()

    def damage(self) -> str | None:
        """What SQLite's quick check finds wrong with the file, or None. It reads every page
        (3.7 ms at 10,000 rows, 2.3 MB; 31 ms at 100,000), which a damaged one fails on;
        not whether each index agrees with its table (integrity_check: twice as long).
        Raises the ``sqlite3.DatabaseError`` of a page it cannot read at all."""
        found = [row[0] for row in self.db.execute("PRAGMA quick_check(3)")]
        if found == ["ok"]:
            return None
        # One log line: its rows come as "*** in database main ***\nPage 4: …\nPage 5: …".
        return "; ".join(line for row in found for line in row.splitlines() if not line.startswith("***"))

    def _add_missing_columns(self) -> None:
        have = {row[1] for row in self.db.execute("PRAGMA table_info(files)")}
        for name, kind in _ADDED_COLUMNS.items():
            if name not in have:
                self.db.execute(f"ALTER TABLE files ADD COLUMN {name} {kind}")

    def close(self) -> None:
        self.db.close()

    # -- files ---------------------------------------------------------------
    def files(self) -> dict[str, FileRow]:
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM files")
        return {r[0]: FileRow(*r) for r in rows}

    def get(self, path: str) -> FileRow | None:
        r = self.db.execute(f"SELECT {_COLUMNS} FROM files WHERE path=?", (path,)).fetchone()
        return FileRow(*r) if r else None

    def under(self, prefix: str) -> dict[str, FileRow]:
        """Rows at or below ``prefix`` (a file or folder; "" is everything).

        "below" is the range ["prefix/", "prefix0"): '0' follows '/', and the
        range uses the primary key, where a LIKE would read the whole table
        (once per path of a watcher batch).
        """
        if not prefix:
            return self.files()
        prefix = prefix.rstrip("/")
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM files WHERE path = ? OR (path >= ? AND path < ?)",
            (prefix, prefix + "/", prefix + "0"),
        )
        return {r[0]: FileRow(*r) for r in rows}

    def apply(self, upserts: Iterable[FileRow], deletes: Iterable[str], meta: dict[str, str] | None = None) -> None:
        """Record one committed batch atomically."""
        with self.db:
            self.db.executemany(
                f"INSERT OR REPLACE INTO files ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(r.path, r.size, r.mtime_ns, r.hash, r.kind, r.status, r.error, r.units, r.indexed_at, r.ino,
                  r.ctime_ns) for r in upserts],
            )
            self.db.executemany("DELETE FROM files WHERE path=?", [(p,) for p in deletes])
            if meta:
                self._set_meta(meta)
            self._set_meta({"documents": str(self.count_ok()), "last_commit": repr(time.time())})

    def outdate(self, kinds: Iterable[str], meta: dict[str, str]) -> int:
        """Mark the files of ``kinds`` as changed (so the next sync extracts them again)
        and record ``meta``, atomically; the number of files marked."""
        kinds = list(kinds)
        with self.db:
            marked = self.db.execute(
                f"UPDATE files SET mtime_ns = -1, hash = NULL WHERE kind IN ({','.join('?' * len(kinds))})", kinds
            ).rowcount if kinds else 0
            self._set_meta(meta)
        return marked

    def outdate_paths(self, paths: Iterable[str], meta: dict[str, str]) -> int:
        """``outdate`` for the files at ``paths``."""
        with self.db:
            marked = self.db.executemany("UPDATE files SET mtime_ns = -1, hash = NULL WHERE path = ?",
                                         [(p,) for p in paths]).rowcount
            self._set_meta(meta)
        return marked

    def count_ok(self) -> int:
        return self.db.execute("SELECT count(*) FROM files WHERE status='ok'").fetchone()[0]

    def problems(self) -> Iterator[tuple[str, str, str]]:
        """(path, status, reason) of every skipped or failed file."""
        yield from self.db.execute("SELECT path, status, error FROM files WHERE status != 'ok' ORDER BY path")

    def clear(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM files")
            self.db.execute("DELETE FROM meta")

    # -- meta ----------------------------------------------------------------
    def _set_meta(self, values: dict[str, str]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))

    def set_meta(self, **values: str) -> None:
        with self.db:
            self._set_meta(values)

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta"))

    def set_indexing(self, on: bool) -> None:
        self.set_meta(indexing="1" if on else "0", indexer_pid=str(os.getpid()))


def is_damage(exc: BaseException) -> bool:
    """True for SQLite's "database disk image is malformed" and "file is not a database":
    the file's bytes are wrong, and every retry fails alike. Not a locked, read-only or
    full disk (``OperationalError``), which a retry outlives."""
    code = getattr(exc, "sqlite_errorcode", None) or 0
    return isinstance(exc, sqlite3.DatabaseError) and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def indexing_now(meta: dict[str, str]) -> bool:
    """True while an indexer that is still alive says it is indexing."""
    if meta.get("indexing") != "1":
        return False
    try:
        pid = int(meta.get("indexer_pid", "0"))
        if pid <= 0:
            return False
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
