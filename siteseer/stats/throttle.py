"""Failed admin logins, throttled per client across all worker processes;
password checks, limited per worker (``LoginGate``); and the admin sessions
ended by logging out (``LoggedOut``).

Failures are kept in ``state.db`` (not in memory) so that spreading guesses
over the workers, or waiting for a restart, does not reset the count. After
``FREE_TRIES`` failures each further try must wait twice as long as the
one before (1 s, 2 s, 4 s … at most ``MAX_WAIT``); a success clears it. A
client is its address, or an IPv6 address's /64 (``throttle_key``).
"""

from __future__ import annotations

import ipaddress
import threading
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


def throttle_key(ip: str) -> str:
    """Whose failures a login from ``ip`` counts as: the address, or for IPv6
    its /64, one subscriber's network (each next address in it is no new client)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        if address.ipv4_mapped is not None:  # an IPv4 client seen through IPv6
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


# A password check is ~125 ms and 32 MiB of scrypt. The throttle above stops
# one guesser; many addresses at once (a botnet) are bounded here, per worker.
LOGINS_PER_SECOND = 2.0
LOGIN_BURST = 10


class LoginGate:
    """One password check at a time in this process, at most ``LOGINS_PER_SECOND``
    on average: beyond that a login waits (429), whoever sends it."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.rate, self.burst = LOGINS_PER_SECOND, float(LOGIN_BURST)
        self.tokens, self.last = self.burst, clock()
        self._lock = threading.Lock()  # the bucket
        self._busy = threading.Lock()  # held through a check

    def try_enter(self) -> float:
        """0.0 when a check may start now (then ``leave`` after it), else the seconds to wait."""
        with self._lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens < 1:
                return (1 - self.tokens) / self.rate
            if not self._busy.acquire(blocking=False):
                return 1.0  # another check is running: about its length, rounded up
            self.tokens -= 1
            return 0.0

    def leave(self) -> None:
        self._busy.release()


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
