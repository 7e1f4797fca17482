"""The layout of ``traffic.db`` and the code that writes and trims it.

Raw request rows would be 2.6 billion a month at 1,000 req/s, so the charts
never read them. Every batch the recorder writes also updates:

* ``minute`` — one row per minute: requests by status class, bytes,
  blocked counts, searches and a latency histogram (``h0``…). A month is
  43,200 rows, so any chart is a single GROUP BY over at most that many.
* ``top`` — counts per key (path, client, query …) per 10-minute bucket.
  ``maintain()`` keeps only the top ``TOP_KEEP`` keys of every finished
  bucket, folds finished days into one row set per day (``span`` 86400) and
  drops 10-minute buckets after two days. Long ranges read the day rows.
* ``totals`` — monotonic counters since the database was created, for
  Prometheus (``/metrics``).

Raw records are kept for ``RAW_KEEP_SECONDS`` for inspection of recent
traffic, one zlib-compressed JSON blob per batch (``raw``): a row per request
cost more than the rollups together, and compressed they take ~30 bytes. All upserts add to what is there, so any number of worker
processes can write the same minute or bucket.
"""

from __future__ import annotations

import bisect
import json
import logging
import operator
import sqlite3
import time
import zlib
from pathlib import Path
from typing import Iterable

from siteseer.stats.db import connect, transaction

log = logging.getLogger("siteseer.stats")

DB_NAME = "traffic.db"
RAW_KEEP_SECONDS = 24 * 3600
BUCKET = 600          # seconds per fine ``top`` bucket
DAY = 86400
FINE_KEEP_SECONDS = 2 * DAY
TOP_KEEP = 200        # keys kept per finished 10-minute bucket and kind
TOP_KEEP_DAY = 1000   # keys kept per day and kind
SETTLE_SECONDS = 20 * 60  # a bucket is "finished" this long after it ends
KEY_CHARS = 300

# Latency histogram upper bounds in milliseconds; one more bucket holds the rest.
LATENCY_BOUNDS_MS = (0.5, 1, 2, 3, 5, 7.5, 10, 15, 25, 50, 75, 100, 150, 250, 500, 750,
                     1000, 2500, 5000, 10000)
HIST_COLS = tuple(f"h{i}" for i in range(len(LATENCY_BOUNDS_MS) + 1))
STATUS_COLS = ("c1xx", "c2xx", "c3xx", "c4xx", "c5xx")
BLOCK_COLS = {"blocklist": "blk_list", "ratelimit": "blk_rate", "auto": "blk_auto"}
# A client outside ``access.allow`` gets the access lists' 403 too: counted with the blocklist's.
_BLOCK_COL = {**BLOCK_COLS, "allowlist": "blk_list"}
MINUTE_COLS = ("n", *STATUS_COLS, "bytes", "dur_sum", *BLOCK_COLS.values(), "searches", "zero", *HIST_COLS)
_IDX = {name: i for i, name in enumerate(MINUTE_COLS)}

# ``top`` kinds: what the dashboard lists.
PAGE, NOT_FOUND, CLIENT, BLOCKED, QUERY, ZERO = "page", "404", "client", "blocked", "query", "zero"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS raw (
    first_ts REAL NOT NULL, last_ts REAL NOT NULL, count INTEGER NOT NULL,
    data BLOB NOT NULL      -- zlib(JSON): see _RawPacker
);
CREATE INDEX IF NOT EXISTS raw_last ON raw(last_ts);
CREATE TABLE IF NOT EXISTS minute (
    minute INTEGER PRIMARY KEY,
    {", ".join(f"{c} {'REAL' if c == 'dur_sum' else 'INTEGER'} NOT NULL DEFAULT 0" for c in MINUTE_COLS)}
);
CREATE TABLE IF NOT EXISTS top (
    span INTEGER NOT NULL, kind TEXT NOT NULL, bucket INTEGER NOT NULL,
    key TEXT NOT NULL, sub TEXT NOT NULL DEFAULT '',
    n INTEGER NOT NULL, bytes INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS top_key ON top(span, kind, bucket, key, sub);
CREATE TABLE IF NOT EXISTS totals (key TEXT PRIMARY KEY, value REAL NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value REAL NOT NULL);
"""

_MINUTE_UPSERT = (
    f"INSERT INTO minute (minute, {', '.join(MINUTE_COLS)}) VALUES (?{', ?' * len(MINUTE_COLS)}) "
    f"ON CONFLICT(minute) DO UPDATE SET {', '.join(f'{c}={c}+excluded.{c}' for c in MINUTE_COLS)}"
)
_TOP_UPSERT = (
    "INSERT INTO top (span, kind, bucket, key, sub, n, bytes) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(span, kind, bucket, key, sub) DO UPDATE SET n=n+excluded.n, bytes=bytes+excluded.bytes"
)
_TOTAL_UPSERT = "INSERT INTO totals VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=value+excluded.value"
_RAW_INSERT = "INSERT INTO raw VALUES (?, ?, ?, ?)"
# siteseer's own machinery (Dash's bundles and callbacks, the API, admin, health
# checks): counted in the totals, left out of "top pages" so the site's content shows.
INTERNAL_PREFIXES = ("/_dash-", "/_siteseer/", "/_reload-hash", "/_favicon.ico", "/admin", "/healthz", "/metrics",
                     "/api/")

RAW_FIELDS = ("ts", "ip", "method", "path", "query", "status", "bytes", "duration_ms", "ua", "referrer",
              "search", "blocked")


def open_db(state_dir: Path, set_aside_damaged: bool = False) -> sqlite3.Connection:
    """``traffic.db``; a damaged one set aside and begun again when ``set_aside_damaged``
    (the recorder's: it writes), else left for the caller's error."""
    return connect(Path(state_dir) / DB_NAME, schema=SCHEMA, set_aside_damaged=set_aside_damaged)


def normalize_query(text: object) -> str:
    """Search text as counted: lower case, single spaces, bounded length."""
    return " ".join(str(text).lower().split())[:KEY_CHARS]


def _text(value: object, limit: int = KEY_CHARS) -> str:
    return "" if value is None else str(value)[:limit]


def write_batch(conn: sqlite3.Connection, entries: Iterable[dict], keep_raw: bool = True) -> int:
    """Write recorder entries and their rollups in one transaction; return the count.

    Requests alike in every counted respect (minute, client, path, status,
    latency bucket …) are first counted together, so the rollups are worked
    out once per kind of request, not per request: a batch of 5,000 requests
    to a few pages is a few dozen upserts. This runs in a worker's recorder
    thread and holds the GIL, so every microsecond per entry is one the
    event loop waits for (measured: 4.4 µs per entry before the grouping).
    """
    shapes: dict[tuple, list] = {}
    raw = _RawPacker() if keep_raw else None
    get = _FAST_GET
    bisect_left, bounds = bisect.bisect_left, LATENCY_BOUNDS_MS
    for e in entries:
        try:
            r = get(e)
        except (KeyError, TypeError):
            r = None
        if (r is None or r[10] is not None or type(r[0]) is not float or type(r[5]) is not int
                or type(r[6]) is not int or type(r[7]) is not float or type(r[3]) is not str):
            r = _careful(e)  # anything but a plain request as the server records it
            if r is None:
                continue  # a malformed entry is skipped, never raised into anyone
        ts, ip, _method, path, _query, status, size, dur, _ua, referrer, search, blocked = r
        key = (int(ts // 60), ip, path, status, bisect_left(bounds, dur),
               referrer if status == 404 else None, blocked, _search_key(search) if search is not None else None)
        cell = shapes.get(key)
        if cell is None:
            shapes[key] = [1, size, dur]
        else:
            cell[0] += 1
            cell[1] += size
            cell[2] += dur
        if raw is not None:
            raw.add(r)
    if not shapes:
        return 0
    minutes, tops, totals = _roll_up(shapes)
    with transaction(conn):
        if raw is not None:
            conn.execute(_RAW_INSERT, raw.row())
        conn.executemany(_MINUTE_UPSERT, [(m, *r) for m, r in minutes.items()])
        conn.executemany(_TOP_UPSERT, [(BUCKET, *k, *v) for k, v in tops.items()])
        conn.executemany(_TOTAL_UPSERT, [(k, v) for k, v in totals.items() if v])
    return int(totals["requests"])


# An entry's fields in ``RAW_FIELDS`` order.
_FAST_GET = operator.itemgetter(*RAW_FIELDS)


_RAW_SHAPE = operator.itemgetter(1, 2, 3, 4, 5, 8, 9, 10, 11)  # RAW_FIELDS but for ts, bytes, duration
_RAW_SHAPE_FIELDS = ("ip", "method", "path", "query", "status", "ua", "referrer", "search", "blocked")


class _RawPacker:
    """A batch's raw records, packed: each distinct request shape once, then four ints per request.

    Measured: JSON for a list of 12-field tuples was 1.5 µs per request, half
    of ``write_batch``; times as integer milliseconds and shapes written once
    cost a fraction of that. ``read_raw`` unpacks both layouts.
    """

    def __init__(self):
        self.index: dict[tuple, int] = {}
        self.shapes: list[tuple] = []
        self.rows: list[int] = []  # ms after base, bytes, duration in µs, shape number; per request
        self.base = 0
        self.first = self.last = None

    def add(self, r: tuple) -> None:
        shape = _RAW_SHAPE(r)
        try:
            number = self.index.get(shape)
        except TypeError:  # a search's dict, or some other unhashable value
            shape = tuple(json.dumps(v, default=str, sort_keys=True) if not isinstance(v, _PLAIN) else v
                          for v in shape)
            number = self.index.get(shape)
            if number is None:
                self.shapes.append(_RAW_SHAPE(r))  # the values as they are, for the JSON
        else:
            if number is None:
                self.shapes.append(shape)
        if number is None:
            number = self.index[shape] = len(self.index)
        ts = r[0]
        if self.first is None:
            self.first = self.last = ts
            self.base = int(ts * 1000)
        elif ts < self.first:
            self.first = ts
        elif ts > self.last:
            self.last = ts
        self.rows += (int(ts * 1000) - self.base, r[6], int(r[7] * 1000), number)

    def row(self) -> tuple:
        """The ``raw`` table row: first_ts, last_ts, count, data."""
        packed = {"v": 2, "base_ms": self.base, "shapes": self.shapes, "rows": self.rows}
        data = zlib.compress(json.dumps(packed, default=str, separators=(",", ":")).encode(), 1)
        return (self.first, self.last, len(self.rows) // 4, data)


_PLAIN = (str, int, float, type(None))


def _unpack_raw(data: bytes) -> list[dict]:
    payload = json.loads(zlib.decompress(data))
    if isinstance(payload, list):  # the first layout: a list of RAW_FIELDS tuples
        return [dict(zip(RAW_FIELDS, row)) for row in payload]
    base, shapes, rows = payload["base_ms"], payload["shapes"], payload["rows"]
    out = []
    for i in range(0, len(rows), 4):
        record = dict(zip(_RAW_SHAPE_FIELDS, shapes[rows[i + 3]]))
        record["ts"] = (base + rows[i]) / 1000
        record["bytes"] = rows[i + 1]
        record["duration_ms"] = rows[i + 2] / 1000
        out.append(record)
    return out


def _careful(e: object) -> tuple | None:
    """``RAW_FIELDS`` of any entry, converting what it can; None for one without a usable time."""
    if not isinstance(e, dict):
        return None
    try:
        ts = float(e["ts"])
        status = int(e.get("status") or 0)
        size = int(e.get("bytes") or 0)
        dur = float(e.get("duration_ms") or 0.0)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    if ts != ts or dur != dur or abs(ts) > 1e12:
        return None
    ip = _text(e.get("ip"), 64)
    blocked = e.get("blocked")
    return (ts, ip, e.get("method"), _text(e.get("path")), e.get("query"), status, size, dur, e.get("ua"),
            e.get("referrer"), e.get("search"), blocked if blocked else None)


def _page_view(status: int) -> bool:
    """Whether an answer showed its page: a 200, a part of it, or the browser's copy
    confirmed (304); not OPTIONS' 204 nor a redirect, whose target counts itself."""
    return status == 304 or (200 <= status < 300 and status != 204)


def _search_key(search: object) -> tuple | None:
    """(normalised query, hits) for a search to count: the first results page only."""
    if not isinstance(search, dict) or search.get("query") is None:
        return None
    try:
        if int(search.get("page") or 1) != 1:  # later pages are the same search
            return None
    except (TypeError, ValueError):
        return None
    query = normalize_query(search.get("query"))
    hits = search.get("hits")
    return (query, hits if isinstance(hits, (int, float, str, type(None))) else None) if query else None


def _roll_up(shapes: dict[tuple, list]) -> tuple[dict, dict, dict]:
    """The minute rows, top-list cells and totals for a batch's counted shapes."""
    minutes: dict[int, list] = {}
    tops: dict[tuple, list] = {}
    totals: dict[str, float] = {"requests": 0, "bytes": 0, "dur_sum": 0.0}
    hist0 = _IDX["h0"]
    for (minute_no, ip, path, status, hist, referrer, blocked, search), (n, size, dur) in shapes.items():
        minute = minute_no * 60
        row = minutes.get(minute)
        if row is None:
            row = minutes[minute] = [0] * len(MINUTE_COLS)
        row[0] += n
        if 100 <= status < 600:
            row[status // 100] += n
        row[6] += size
        row[7] += dur
        row[hist0 + hist] += n
        totals[f"status:{status}"] = totals.get(f"status:{status}", 0) + n

        bucket = int(minute // BUCKET) * BUCKET
        _bump(tops, CLIENT, bucket, ip, "", n, size)
        if blocked:
            col = _BLOCK_COL.get(blocked)
            if col is not None:
                row[_IDX[col]] += n
            _bump(tops, BLOCKED, bucket, ip, str(blocked)[:20], n, 0)
        elif status == 404:
            _bump(tops, NOT_FOUND, bucket, path, _text(referrer), n, 0)
        elif _page_view(status) and not path.startswith(INTERNAL_PREFIXES):
            _bump(tops, PAGE, bucket, path, "", n, size)
        if search is not None:
            query, hits = search
            row[_IDX["searches"]] += n
            _bump(tops, QUERY, bucket, query, "", n, 0)
            if hits == 0:
                row[_IDX["zero"]] += n
                _bump(tops, ZERO, bucket, query, "", n, 0)
    for row in minutes.values():
        totals["requests"] += row[0]
        totals["bytes"] += row[6]
        totals["dur_sum"] += row[7]
    for name in HIST_COLS:
        i = _IDX[name]
        totals[name] = sum(r[i] for r in minutes.values())
    return minutes, tops, totals


def _bump(tops: dict, kind: str, bucket: int, key: str, sub: str, n: int, size: int) -> None:
    cell = tops.get((kind, bucket, key, sub))
    if cell is None:
        tops[(kind, bucket, key, sub)] = [n, size]
    else:
        cell[0] += n
        cell[1] += size


# --- maintenance: trimming and folding, run by one worker at a time -----------

def claim_maintenance(conn: sqlite3.Connection, now: float, every: float = 60.0) -> bool:
    """True for exactly one caller per ``every`` seconds across all processes."""
    with transaction(conn):
        row = conn.execute("SELECT value FROM meta WHERE key='maintained'").fetchone()
        if row is not None and row[0] > now - every:
            return False
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('maintained', ?)", (now,))
    return True


def maintain(conn: sqlite3.Connection, retention_days: float, now: float | None = None) -> None:
    """Trim finished buckets, fold finished days, and drop what is past retention."""
    now = time.time() if now is None else now
    settled = now - SETTLE_SECONDS
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())

    # 1. Keep only the top keys of each finished 10-minute bucket.
    pruned = int(meta.get("pruned_until", 0))
    end = int(settled // BUCKET) * BUCKET
    buckets = [b for (b,) in conn.execute(
        "SELECT DISTINCT bucket FROM top WHERE span=? AND bucket>=? AND bucket<?", (BUCKET, pruned, end))]
    for bucket in buckets:
        with transaction(conn):
            _prune(conn, BUCKET, bucket, TOP_KEEP)
    _set_meta(conn, "pruned_until", end)

    # 2. Fold each finished day into day rows.
    folded = int(meta.get("folded_until", 0))
    day_end = int(settled // DAY) * DAY
    first = conn.execute("SELECT MIN(bucket) FROM top WHERE span=? AND bucket>=?", (BUCKET, folded)).fetchone()[0]
    day = max(folded, int(first // DAY) * DAY) if first is not None else day_end
    while day < day_end:
        with transaction(conn):
            conn.execute(
                "INSERT INTO top (span, kind, bucket, key, sub, n, bytes) "
                "SELECT ?, kind, ?, key, sub, SUM(n), SUM(bytes) FROM top "
                "WHERE span=? AND bucket>=? AND bucket<? GROUP BY kind, key, sub "
                "ON CONFLICT(span, kind, bucket, key, sub) DO UPDATE SET n=n+excluded.n, bytes=bytes+excluded.bytes",
                (DAY, day, BUCKET, day, day + DAY))
            _prune(conn, DAY, day, TOP_KEEP_DAY)
        day += DAY
    _set_meta(conn, "folded_until", max(folded, day_end))

    # 3. Past their time: raw rows, fine buckets, and everything past retention.
    cutoff = now - retention_days * DAY
    with transaction(conn):
        _delete_raw_before(conn, now - RAW_KEEP_SECONDS)
        conn.execute("DELETE FROM top WHERE span=? AND bucket<?", (BUCKET, min(now - FINE_KEEP_SECONDS, day_end)))
        conn.execute("DELETE FROM top WHERE span=? AND bucket<?", (DAY, cutoff))
        conn.execute("DELETE FROM minute WHERE minute<?", (cutoff,))


def _prune(conn: sqlite3.Connection, span: int, bucket: int, keep: int) -> None:
    for (kind,) in conn.execute("SELECT DISTINCT kind FROM top WHERE span=? AND bucket=?", (span, bucket)).fetchall():
        conn.execute(
            "DELETE FROM top WHERE span=? AND kind=? AND bucket=? AND rowid NOT IN "
            "(SELECT rowid FROM top WHERE span=? AND kind=? AND bucket=? ORDER BY n DESC LIMIT ?)",
            (span, kind, bucket, span, kind, bucket, keep))


def _delete_raw_before(conn: sqlite3.Connection, cutoff: float) -> None:
    conn.execute("DELETE FROM raw WHERE last_ts<?", (cutoff,))


def read_raw(conn: sqlite3.Connection, limit: int = 50) -> list[dict]:
    """The latest ``limit`` raw records, newest first."""
    out: list[dict] = []
    for (data,) in conn.execute("SELECT data FROM raw ORDER BY last_ts DESC LIMIT ?", (max(1, limit),)):
        out.extend(_unpack_raw(data))
        if len(out) >= limit * 4:
            break
    out.sort(key=lambda r: r["ts"] or 0, reverse=True)
    return out[:limit]


def _set_meta(conn: sqlite3.Connection, key: str, value: float) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
