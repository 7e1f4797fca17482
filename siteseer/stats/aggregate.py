"""The questions the dashboard and ``siteseer stats`` ask of ``traffic.db``.

Every query reads rollups (``minute`` and ``top``, see ``store``), never the
raw rows, so a month of traffic answers as fast as an hour. Top lists come
from per-bucket top keys, so for very long tails they are approximate
(a key that never made a bucket's top 200 is not counted there) and long
ranges start at the beginning of their first day.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from siteseer.stats import store
from siteseer.stats.db import identity
from siteseer.stats.store import BUCKET, DAY, HIST_COLS, LATENCY_BOUNDS_MS, STATUS_COLS

STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
SERIES_COLS = ("n", *STATUS_COLS, "bytes", "blk_list", "blk_rate", "blk_auto", "searches", "zero")


def choose_step(since: float, until: float, points: int = 240) -> int:
    """The chart bucket in seconds: the finest that gives at most ``points`` points."""
    span = max(until - since, 60)
    for step in STEPS:
        if span / step <= points:
            return step
    return STEPS[-1]


def percentile(hist: list[int] | tuple[int, ...], q: float) -> float | None:
    """Estimate the ``q`` quantile (0–1) in ms from histogram counts, interpolating in a bucket."""
    total = sum(hist)
    if not total:
        return None
    target = q * total
    seen = 0
    for i, count in enumerate(hist):
        if count and seen + count >= target:
            if i >= len(LATENCY_BOUNDS_MS):
                return float(LATENCY_BOUNDS_MS[-1])  # "at least the last bound"
            lower = LATENCY_BOUNDS_MS[i - 1] if i else 0.0
            upper = LATENCY_BOUNDS_MS[i]
            return lower + (upper - lower) * (target - seen) / count
        seen += count
    return float(LATENCY_BOUNDS_MS[-1])


@dataclass
class Series:
    """Chart data: one value per bucket in each list, ``t`` the bucket starts (epoch s)."""

    step: int
    t: list[int] = field(default_factory=list)
    cols: dict[str, list[float]] = field(default_factory=dict)
    p50: list[float | None] = field(default_factory=list)
    p95: list[float | None] = field(default_factory=list)
    p99: list[float | None] = field(default_factory=list)

    def __getitem__(self, name: str) -> list:
        return self.cols[name]


class TrafficStats:
    """Read-only queries over ``state_dir/traffic.db`` (safe to share between threads)."""

    def __init__(self, state_dir: Path):
        self.state_dir = Path(state_dir)
        self.path = self.state_dir / store.DB_NAME
        self._conn: sqlite3.Connection | None = None
        self._file: tuple[int, int] | None = None  # (device, inode) of the file self._conn reads
        self._lock = threading.RLock()  # re-entered by the queries of a snapshot

    def _connection(self) -> sqlite3.Connection:
        """The connection (hold ``_lock``), opened again when ``traffic.db`` is another file
        than the one it reads: deleted and made again by the recorder, or a damaged one set
        aside. /metrics kept the deleted file's totals while the records went into the new
        one. Not inside a snapshot (one state), nor while no file is there (the recorder
        makes it; the old one still reads what was)."""
        conn = self._conn
        if conn is not None and not conn.in_transaction:
            now = identity(self.path)  # a stat a query
            if now is not None and now != self._file:
                self.close()
                conn = None
        if conn is None:
            conn = self._conn = store.open_db(self.state_dir)
            self._file = identity(self.path)
        return conn

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._connection().execute(sql, args).fetchall()

    @contextmanager
    def snapshot(self):
        """The queries made inside see one state of the database (a read transaction).

        A dashboard refresh asks a dozen; each on its own saw the writes made
        between them, so its cards and tables disagreed (361 requests on the
        cards, 364 in the clients table).
        """
        with self._lock:
            self._query("BEGIN")
            try:
                yield self
            finally:
                self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # --- over time -----------------------------------------------------------
    def series(self, since: float, until: float, step: int | None = None) -> Series:
        """Per-bucket counts and latency percentiles; empty buckets are zeros."""
        step = step or choose_step(since, until)
        # Buckets start on the server's local clock, as the charts label them: aligned to
        # UTC, a day's bucket was drawn at 19:00 the day before in New York.
        off = time.localtime(until).tm_gmtoff
        first = int((since + off) // step) * step - off
        sums = ", ".join(f"SUM({c})" for c in (*SERIES_COLS, *HIST_COLS))
        rows = self._query(
            f"SELECT ((minute + {off}) / {step}) * {step} - {off} AS b, {sums} FROM minute "
            "WHERE minute>=? AND minute<? GROUP BY b", (int(since // 60) * 60, until))
        by_bucket = {row[0]: row[1:] for row in rows}
        out = Series(step=step, cols={c: [] for c in SERIES_COLS})
        zero = (0,) * (len(SERIES_COLS) + len(HIST_COLS))
        ncols = len(SERIES_COLS)
        for b in range(first, math.ceil(until), step):  # the last bucket starts before the range ends
            row = by_bucket.get(b, zero)
            out.t.append(b)
            for name, value in zip(SERIES_COLS, row):
                out.cols[name].append(value)
            hist = row[ncols:]
            out.p50.append(percentile(hist, 0.50))
            out.p95.append(percentile(hist, 0.95))
            out.p99.append(percentile(hist, 0.99))
        return out

    def summary(self, since: float, until: float) -> dict:
        """Totals for the range: requests, status classes, bytes, blocks, searches, p50/95/99."""
        cols = (*SERIES_COLS, "dur_sum", *HIST_COLS)
        row = self._query(
            f"SELECT {', '.join(f'COALESCE(SUM({c}), 0)' for c in cols)} FROM minute WHERE minute>=? AND minute<?",
            (int(since // 60) * 60, until))[0]
        data = dict(zip(cols, row))
        hist = [data.pop(c) for c in HIST_COLS]
        data["p50"], data["p95"], data["p99"] = (percentile(hist, q) for q in (0.5, 0.95, 0.99))
        data["mean_ms"] = data.pop("dur_sum") / data["n"] if data["n"] else None
        return data

    # --- top lists -----------------------------------------------------------
    def _parts(self, kind: str, since: float, until: float) -> list[tuple[int, int, float]]:
        """(span, from, until) pieces of ``top`` that cover the range."""
        fine_from = int(since // BUCKET) * BUCKET
        oldest = self._query("SELECT MIN(bucket) FROM top WHERE span=? AND kind=?", (BUCKET, kind))[0][0]
        if oldest is not None and fine_from >= oldest:
            return [(BUCKET, fine_from, until)]  # recent enough: 10-minute buckets only
        folded = self._query("SELECT value FROM meta WHERE key='folded_until'")
        folded_until = int(folded[0][0]) if folded else 0
        day_from = int(since // DAY) * DAY
        days_until = min(folded_until, until)
        parts = []
        if days_until > day_from:
            parts.append((DAY, day_from, days_until))
        parts.append((BUCKET, max(days_until, fine_from), until))
        return parts

    def tables_since(self, since: float, until: float) -> float:
        """Where the top lists of a range start: the start of the 10-minute bucket (or, for
        older traffic, the day) ``since`` falls in; the cards and charts start at its minute."""
        return min(part[1] for part in self._parts(store.PAGE, since, until))

    def _top_rows(self, kind: str, since: float, until: float, select: str, group: str,
                  limit: int, extra: str = "", extra_args: tuple = ()) -> list[tuple]:
        parts = self._parts(kind, since, until)
        where = " OR ".join("(span=? AND bucket>=? AND bucket<?)" for _ in parts)
        args = tuple(x for part in parts for x in part)
        return self._query(
            f"SELECT {select} FROM top WHERE kind=? AND ({where}){extra} GROUP BY {group} "
            "ORDER BY SUM(n) DESC LIMIT ?", (kind, *args, *extra_args, limit))

    def top(self, kind: str, since: float, until: float, limit: int = 20) -> list[dict]:
        """The keys of ``kind`` (see ``store``) with most requests: ``[{key, n, bytes}]``."""
        rows = self._top_rows(kind, since, until, "key, SUM(n), SUM(bytes)", "key", limit)
        return [{"key": k, "n": n, "bytes": b} for k, n, b in rows]

    def top_pages(self, since, until, limit=20):
        return self.top(store.PAGE, since, until, limit)

    def top_clients(self, since, until, limit=20):
        return self.top(store.CLIENT, since, until, limit)

    def top_queries(self, since, until, limit=20):
        return self.top(store.QUERY, since, until, limit)

    def zero_result_queries(self, since, until, limit=20):
        return self.top(store.ZERO, since, until, limit)

    def top_404(self, since: float, until: float, limit: int = 20, referrers: int = 3) -> list[dict]:
        """Missing paths asked for most, each with its top referrers: ``[{key, n, referrers}]``."""
        paths = self.top(store.NOT_FOUND, since, until, limit)
        return self._with_subs(store.NOT_FOUND, paths, since, until, "referrers", referrers, skip_empty=True)

    def top_blocked(self, since: float, until: float, limit: int = 20) -> list[dict]:
        """Clients refused most (403/429), each with how: ``[{key, n, reasons: [(how, n)]}]``."""
        clients = self.top(store.BLOCKED, since, until, limit)
        return self._with_subs(store.BLOCKED, clients, since, until, "reasons", 3)

    def _with_subs(self, kind, items, since, until, name, per_item, skip_empty=False):
        if not items:
            return items
        keys = [item["key"] for item in items]
        marks = ",".join("?" * len(keys))
        rows = self._top_rows(kind, since, until, "key, sub, SUM(n)", "key, sub", 100_000,
                              f" AND key IN ({marks})", tuple(keys))
        subs: dict[str, list] = {k: [] for k in keys}
        for key, sub, n in rows:
            if (sub or not skip_empty) and len(subs[key]) < per_item:
                subs[key].append((sub, n))
        for item in items:
            item[name] = subs[item["key"]]
        return items

    def recent(self, limit: int = 50) -> list[dict]:
        """The latest raw request records, newest first."""
        with self._lock:
            return store.read_raw(self._connection(), limit)

    def totals(self) -> dict[str, float]:
        """Monotonic counters since the database was made (for /metrics)."""
        return dict(self._query("SELECT key, value FROM totals"))


def time_range(preset: str, now: float | None = None) -> tuple[float, float]:
    """``hour | day | week | month`` → (since, until) ending now."""
    now = time.time() if now is None else now
    seconds = {"hour": 3600, "day": DAY, "week": 7 * DAY, "month": 30 * DAY}[preset]
    return now - seconds, now
