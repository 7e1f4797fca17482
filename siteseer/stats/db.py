"""SQLite connections for the state databases (``state.db``, ``traffic.db``).

Several granian worker processes open the same files, so every connection
uses WAL (readers never wait for the writer) and a busy timeout (writers
queue instead of failing at once). Connections run in autocommit mode;
code that needs a transaction says ``BEGIN IMMEDIATE`` itself, which takes
the write lock up front and so cannot deadlock on a lock upgrade.

A damaged file ("file is not a database": a disk fault, a stray write) failed
every open the same way, forever: every traffic record was dropped, and with
``state.db`` no worker started (or the admin login answered 500). The
writers open with ``set_aside_damaged``: the file is renamed
``NAME.damaged-<time>`` (with its ``-wal`` and ``-shm``, as the indexer does
with a damaged catalog) and a new one begun. Readers (``siteseer stats``, the
dashboard) leave it alone and fail.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("siteseer.stats")

# What is lost with a damaged file, for its log line.
_LOST = {
    "traffic.db": "the traffic records in it are no longer shown",
    "state.db": "the blocks in it (the admin's and the automatic ones; the configured ones stay), failed-login "
                "counts and logged-out sessions are lost: a session logged out of works again until it expires",
}
_DAMAGE = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def damaged(exc: BaseException) -> bool:
    """Whether ``exc`` says the file itself is damaged (not locked, read-only, or full)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.DatabaseError) and code is not None and code & 0xFF in _DAMAGE


def connect(path: Path, busy_timeout: float = 5.0, schema: str | None = None,
            set_aside_damaged: bool = False) -> sqlite3.Connection:
    """A connection to ``path`` in WAL mode, ``schema`` (a script) run on it.

    With ``set_aside_damaged``, a file SQLite finds damaged as it opens is set aside
    and a new one begun (``set_aside``); damage found later (a bad page deep in the
    file) still fails its statement.
    """
    path = Path(path)
    try:
        # The state folder alone, never a folder above it (the served folder moved away:
        # see config.make_state_dir, which those with the configuration call first).
        path.parent.mkdir(exist_ok=True)
    except FileNotFoundError:
        raise sqlite3.OperationalError(f"unable to open database file: {path.parent.parent} is missing") from None
    for attempt in (1, 2):
        # Opened under a shared lock of the folder, which ``set_aside`` takes alone: a
        # file set aside while another thread or worker opened it was read through the
        # new file's -wal (SQLite finds that by name): "disk I/O error", records
        # written into the damaged file, or a SIGBUS on the -shm.
        with _folder_lock(path.parent, fcntl.LOCK_SH):
            seen = identity(path)  # the file a failure is about
            try:
                return _open(path, busy_timeout, schema)
            except sqlite3.DatabaseError as exc:
                if attempt == 2 or not (set_aside_damaged and seen is not None and damaged(exc)):
                    raise
                error = exc
        set_aside(path, seen, error)
    raise AssertionError("not reached")


def _open(path: Path, busy_timeout: float, schema: str | None) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        _wal(conn, busy_timeout)
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable except on power loss
        if schema:
            conn.executescript(schema)
    except BaseException:
        conn.close()
        raise
    return conn


def _wal(conn: sqlite3.Connection, busy_timeout: float) -> None:
    """``journal_mode=WAL``, tried again while another connection holds the new file.

    Turning a new file to WAL needs it alone, and SQLite answers "database is
    locked" at once, without its busy handler: workers that made the file together
    (at start, or all at once after a damaged one was set aside) lost a batch.
    """
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path``; None when there is none."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


@contextmanager
def _folder_lock(folder: Path, how: int):
    """flock ``how`` of ``folder`` (a descriptor of its own, so threads exclude each other
    too). Not the database file: closing a descriptor of that would drop SQLite's
    locks held by this process's other connections. Where the folder cannot be
    locked (no flock on the file system), without."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, how)
        except OSError:
            pass
        yield
    finally:
        os.close(fd)  # and with it the lock


def set_aside(path: Path, damaged_file: tuple[int, int], exc: BaseException) -> None:
    """Rename the damaged file ``damaged_file`` (its identity) at ``path`` to
    ``NAME.damaged-<time>``, with its ``-wal`` and ``-shm``, and log it once.

    Every worker finds the damage at about the same time: one renames, with the
    folder locked, and the others find another file at ``path`` by then and leave
    it alone (the new one). A stale ``-wal`` left beside a new file would be
    replayed into it, so it goes too.
    """
    with _folder_lock(path.parent, fcntl.LOCK_EX):
        if identity(path) != damaged_file:
            return  # set aside by another meanwhile
        aside = path.with_name(f"{path.name}.damaged-{int(time.time())}")
        for suffix in ("-wal", "-shm", ""):
            try:
                path.with_name(path.name + suffix).rename(aside.with_name(aside.name + suffix))
            except FileNotFoundError:
                pass
    log.error("%s is damaged (%s): moved to %s and a new one begun; %s", path, exc, aside.name,
              _LOST.get(path.name, "what it held is lost"))


class SharedConnection:
    """One connection shared by the threads of a process, one user at a time.

    The event loop thread (blocklist reloads) and the WSGI threads (admin
    dashboard) both use the stores; a lock is cheaper than a connection per
    thread and the statements are short.
    """

    def __init__(self, path: Path, schema: str, busy_timeout: float = 5.0):
        self.path = path
        self._schema = schema
        self._busy_timeout = busy_timeout
        self._conn: sqlite3.Connection | None = None
        self.lock = threading.RLock()

    def get(self) -> sqlite3.Connection:
        """The connection (opened and schema-checked on first use). Hold ``lock``."""
        if self._conn is None:
            # Every user of state.db writes it: a damaged one is set aside here.
            self._conn = connect(self.path, self._busy_timeout, schema=self._schema, set_aside_damaged=True)
        return self._conn

    def close(self) -> None:
        with self.lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class transaction:
    """``with transaction(conn):`` — BEGIN IMMEDIATE … COMMIT, ROLLBACK on error."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
