"""The dynamic blocklist: networks the admin or the rate limiter blocked.

Stored in ``state_dir/state.db`` so every worker process sees the same list.
Workers do not get notified; each polls ``version()`` about once a second
(``siteseer.gatekeeper.access.AccessList``) and reloads ``active()`` when the
number changes, so a block takes effect everywhere within two seconds.

``version()`` must also change when a block *expires*, which involves no
write at all: it combines a counter bumped by every add/remove with the
number of blocks whose expiry time has passed.

The workers' event loops read through a ``BlockReader`` (``BlockStore.reader``):
a connection of its own with a short busy timeout and no lock shared with the
writers, which can wait seconds for ``state.db``'s write lock while holding
theirs. A read that fails keeps the last list; the loop never waits on SQLite.
"""

from __future__ import annotations

import ipaddress
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from siteseer.stats.db import SharedConnection, transaction

log = logging.getLogger("siteseer.blocks")

MAX_REASON_CHARS = 500
SOURCES = ("admin", "auto", "config")
READER_BUSY_TIMEOUT = 0.05  # seconds the event loop may wait for a read of state.db

_SCHEMA = """
CREATE TABLE IF NOT EXISTS blocks (
    network TEXT PRIMARY KEY,
    reason  TEXT NOT NULL,
    created REAL NOT NULL,
    expires REAL,            -- NULL: until removed
    source  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS blocks_expires ON blocks(expires);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO counters VALUES ('blocks', 0);
"""


@dataclass(frozen=True)
class Block:
    network: str
    reason: str
    created: float
    expires: float | None
    source: str


def normalize_network(text: str) -> str:
    """Canonical network text; IPv4-mapped IPv6 becomes IPv4. Raises ValueError."""
    if not isinstance(text, str) or not text.strip() or len(text) > 100:
        raise ValueError(f"{text!r} is not an IP address or network")
    network = ipaddress.ip_network(text.strip(), strict=False)
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96:
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:
            network = ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}", strict=False)
    return str(network)


class BlockStore:
    """Add, remove and list blocks; cheap change detection for the workers."""

    def __init__(self, state_dir: Path):
        self.path = Path(state_dir) / "state.db"
        self._db = SharedConnection(self.path, _SCHEMA)

    def add(self, network: str, reason: str, minutes: float | None = None, source: str = "admin") -> Block:
        """Block ``network`` (an address or CIDR) for ``minutes`` (None: until removed).

        Adding a network that is already blocked replaces that block, except
        that an automatic block never shortens a longer or permanent one.
        """
        net = normalize_network(network)
        if minutes is not None and not minutes > 0:
            raise ValueError("minutes must be more than 0, or None for a block until removed")
        if source not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}")
        reason = (reason or "").strip()[:MAX_REASON_CHARS]
        now = time.time()
        expires = None if minutes is None else now + minutes * 60
        with self._db.lock:
            conn = self._db.get()
            with transaction(conn):
                row = conn.execute("SELECT expires FROM blocks WHERE network=? AND (expires IS NULL OR expires>?)",
                                   (net, now)).fetchone()
                if row is not None and source == "auto" and (row[0] is None or (expires or 0) < row[0]):
                    current = conn.execute("SELECT * FROM blocks WHERE network=?", (net,)).fetchone()
                    return Block(*current)
                conn.execute("DELETE FROM blocks WHERE expires IS NOT NULL AND expires<=?", (now,))
                conn.execute("INSERT OR REPLACE INTO blocks VALUES (?,?,?,?,?)", (net, reason, now, expires, source))
                conn.execute("UPDATE counters SET value=value+1 WHERE name='blocks'")
        log.info("blocked %s (%s, %s): %s", net, source, "permanent" if minutes is None else f"{minutes:g} min", reason)
        return Block(net, reason, now, expires, source)

    def remove(self, network: str) -> bool:
        """Unblock ``network``; True when it was blocked. Raises ValueError for bad text."""
        net = normalize_network(network)
        with self._db.lock:
            conn = self._db.get()
            with transaction(conn):
                gone = conn.execute("DELETE FROM blocks WHERE network=?", (net,)).rowcount
                if gone:
                    conn.execute("UPDATE counters SET value=value+1 WHERE name='blocks'")
        if gone:
            log.info("unblocked %s", net)
        return bool(gone)

    def active(self, now: float | None = None) -> list[Block]:
        """Blocks in force at ``now``, newest first."""
        with self._db.lock:
            return _active(self._db.get(), time.time() if now is None else now)

    def version(self, now: float | None = None) -> int:
        """A number that changes whenever ``active()`` would answer differently."""
        with self._db.lock:
            return _version(self._db.get(), time.time() if now is None else now)

    def reader(self, busy_timeout: float = READER_BUSY_TIMEOUT) -> "BlockReader":
        """A ``BlockReader`` of this store, for the event loop (the tables made first).

        When they cannot be made now (the served folder is away: a worker started while
        it was moved), the reader makes them as it next connects, and fails till then;
        the worker serves meanwhile, which a raise here stopped.
        """
        try:
            self.prepare()
        except sqlite3.Error as exc:
            log.warning("the blocklist cannot be read yet (%s): tried again each second", exc)
            return BlockReader(self.path, busy_timeout, prepare=self.prepare)
        return BlockReader(self.path, busy_timeout)

    def prepare(self) -> None:
        """Make the tables (the reader only reads)."""
        with self._db.lock:
            self._db.get()

    def close(self) -> None:
        self._db.close()


class BlockReader:
    """``version()`` and ``active()`` for one thread (the event loop) that must not wait.

    Its own connection, no lock: ``BlockStore``'s is held by a writer (the admin's
    threads, the automatic blocks' thread) for as long as it waits for
    ``state.db``'s write lock, up to its 5 s busy timeout. Readers in WAL mode do not
    wait for writers, so the short busy timeout only bounds the rare waits (another
    process opening or checkpointing the file). Raises ``sqlite3.Error`` on failure:
    the caller keeps what it had.
    """

    def __init__(self, path: Path, busy_timeout: float = READER_BUSY_TIMEOUT, prepare=None):
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._prepare = prepare  # makes the tables, when the store could not (``BlockStore.reader``)
        self._conn: sqlite3.Connection | None = None

    def _get(self) -> sqlite3.Connection:
        if self._conn is None:
            if self._prepare is not None:
                self._prepare()
                self._prepare = None
            # Not db.connect: its journal_mode pragma may wait for a lock; the writers set WAL.
            conn = sqlite3.connect(str(self.path), timeout=self.busy_timeout, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            self._conn = conn
        return self._conn

    def active(self, now: float | None = None) -> list[Block]:
        return _active(self._get(), time.time() if now is None else now)

    def version(self, now: float | None = None) -> int:
        return _version(self._get(), time.time() if now is None else now)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _active(conn: sqlite3.Connection, now: float) -> list[Block]:
    rows = conn.execute("SELECT network, reason, created, expires, source FROM blocks "
                        "WHERE expires IS NULL OR expires>? ORDER BY created DESC", (now,)).fetchall()
    return [Block(*row) for row in rows]


def _version(conn: sqlite3.Connection, now: float) -> int:
    counter = conn.execute("SELECT value FROM counters WHERE name='blocks'").fetchone()[0]
    expired = conn.execute("SELECT COUNT(*) FROM blocks WHERE expires<=?", (now,)).fetchone()[0]
    return (counter << 32) + expired
