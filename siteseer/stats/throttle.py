"""Failed admin logins, throttled per client across all worker processes;
and the admin sessions ended by logging out (``LoggedOut``).

Kept in ``state.db`` (not in memory) so that spreading guesses over the
workers, or waiting for a restart, does not reset the count. After
``FREE_TRIES`` failures each further try must wait twice as long as the
one before (1 s, 2 s, 4 s … at most ``MAX_WAIT``); a success clears it.
"""

from __future__ import annotations

import time
from pathlib import Path

from siteseer.stats.db import SharedConnection, transaction

FREE_TRIES = 5
MAX_WAIT = 15 * 60.0
FORGET_AFTER = 24 * 3600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS login_failures (
    ip TEXT PRIMARY KEY, failures INTEGER NOT NULL, last REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS logged_out (
    csrf TEXT PRIMARY KEY, expires REAL NOT NULL
);
"""


def delay_for(failures: int) -> float:
    """Seconds a client with ``failures`` failed logins must wait after the last one."""
    if failures < FREE_TRIES:
        return 0.0
    return min(2.0 ** (failures - FREE_TRIES), MAX_WAIT)


class LoginThrottle:
    def __init__(self, state_dir: Path, clock=time.time):
        self._db = SharedConnection(Path(state_dir) / "state.db", _SCHEMA)
        self.clock = clock

    def wait(self, ip: str) -> float:
        """Seconds ``ip`` must wait before trying again (0: may try now)."""
        now = self.clock()
        with self._db.lock:
            row = self._db.get().execute("SELECT failures, last FROM login_failures WHERE ip=?", (ip,)).fetchone()
        if row is None:
            return 0.0
        return max(0.0, row[1] + delay_for(row[0]) - now)

    def failed(self, ip: str) -> None:
        now = self.clock()
        with self._db.lock:
            conn = self._db.get()
            with transaction(conn):
                conn.execute("DELETE FROM login_failures WHERE last<?", (now - FORGET_AFTER,))
                conn.execute("INSERT INTO login_failures VALUES (?, 1, ?) ON CONFLICT(ip) DO UPDATE "
                             "SET failures=failures+1, last=excluded.last", (ip, now))

    def succeeded(self, ip: str) -> None:
        with self._db.lock:
            self._db.get().execute("DELETE FROM login_failures WHERE ip=?", (ip,))


class LoggedOut:
    """Sessions ended with "Log out", until they would have expired anyway.

    Session cookies are signed, not stored: without this a copy of the
    cookie (a shared computer, a proxy log) kept opening the admin for up to
    ``session_hours`` after its owner logged out. Sessions are told apart
    by their random CSRF token. Shared by every worker through ``state.db``.
    """

    def __init__(self, state_dir: Path, clock=time.time):
        self._db = SharedConnection(Path(state_dir) / "state.db", _SCHEMA)
        self.clock = clock

    def add(self, csrf: str, expires: float) -> None:
        now = self.clock()
        with self._db.lock:
            conn = self._db.get()
            with transaction(conn):
                conn.execute("DELETE FROM logged_out WHERE expires<?", (now,))
                conn.execute("INSERT OR REPLACE INTO logged_out VALUES (?, ?)", (csrf, expires))

    def __contains__(self, csrf: str) -> bool:
        with self._db.lock:
            return self._db.get().execute("SELECT 1 FROM logged_out WHERE csrf=?", (csrf,)).fetchone() is not None
