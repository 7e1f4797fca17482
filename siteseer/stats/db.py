"""SQLite connections for the state databases (``state.db``, ``traffic.db``).

Several granian worker processes open the same files, so every connection
uses WAL (readers never wait for the writer) and a busy timeout (writers
queue instead of failing at once). Connections run in autocommit mode;
code that needs a transaction says ``BEGIN IMMEDIATE`` itself, which takes
the write lock up front and so cannot deadlock on a lock upgrade.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


def connect(path: Path, busy_timeout: float = 5.0) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable except on power loss
    return conn


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
            conn = connect(self.path, self._busy_timeout)
            conn.executescript(self._schema)
            self._conn = conn
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
