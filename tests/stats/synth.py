"""Synthetic traffic for the tests: raw entries, and a month of rollups written directly."""

from __future__ import annotations

import random
import sqlite3

from siteseer.stats import store
from siteseer.stats.db import transaction
from siteseer.stats.store import BUCKET, DAY, HIST_COLS, MINUTE_COLS


def entry(ts: float, path: str = "/index.html", status: int = 200, ip: str = "198.51.100.1", size: int = 1024,
          duration_ms: float = 2.0, search: dict | None = None, blocked: str | None = None,
          referrer: str | None = None) -> dict:
    return {"ts": ts, "ip": ip, "method": "GET", "path": path, "query": "", "status": status, "bytes": size,
            "duration_ms": duration_ms, "ua": "test-agent/1.0", "referrer": referrer, "search": search,
            "blocked": blocked}


def fill_month(conn: sqlite3.Connection, now: float, per_second: int = 1000, keys: int = 1000, seed: int = 1) -> None:
    """30 days of rollups as 1,000 req/s would leave them after maintenance.

    Minute rows for every minute; day rows (``TOP_KEEP_DAY`` keys per kind)
    for the folded days; 10-minute rows (``TOP_KEEP`` keys) for the last two.
    """
    rng = random.Random(seed)
    start = int((now - 30 * DAY) // 60) * 60
    per_minute = per_second * 60
    idx = {c: i for i, c in enumerate(MINUTE_COLS)}
    rows = []
    for minute in range(start, int(now), 60):
        row = [0] * len(MINUTE_COLS)
        row[idx["n"]] = per_minute
        row[idx["c2xx"]] = int(per_minute * 0.9)
        row[idx["c3xx"]] = int(per_minute * 0.05)
        row[idx["c4xx"]] = per_minute - row[idx["c2xx"]] - row[idx["c3xx"]] - 10
        row[idx["c5xx"]] = 10
        row[idx["bytes"]] = per_minute * 20_000
        row[idx["dur_sum"]] = per_minute * 5.0
        row[idx["blk_rate"]] = rng.randint(0, 50)
        row[idx["searches"]] = 600
        row[idx["zero"]] = 40
        for i, weight in enumerate((1, 5, 20, 30, 20, 10, 6, 4, 2, 1, 1)):
            row[idx[HIST_COLS[i + 2]]] = per_minute * weight // 100
        rows.append((minute, *row))
    cols = ", ".join(("minute", *MINUTE_COLS))
    with transaction(conn):
        conn.executemany(f"INSERT OR REPLACE INTO minute ({cols}) VALUES ({', '.join('?' * (len(MINUTE_COLS) + 1))})", rows)

    kinds = (store.PAGE, store.NOT_FOUND, store.CLIENT, store.BLOCKED, store.QUERY, store.ZERO)
    folded = int((now - store.SETTLE_SECONDS) // DAY) * DAY  # days fold once finished
    tops = []
    for day in range(int(start // DAY) * DAY, folded, DAY):
        for kind in kinds:
            for k in range(min(keys, store.TOP_KEEP_DAY)):
                tops.append((DAY, kind, day, f"/{kind}/key-{k}", "", max(1, 100_000 // (k + 1)), 1000))
    for bucket in range(int((now - store.FINE_KEEP_SECONDS) // BUCKET) * BUCKET, int(now), BUCKET):
        for kind in kinds:
            for k in range(store.TOP_KEEP):
                tops.append((BUCKET, kind, bucket, f"/{kind}/key-{k}", "", max(1, 1000 // (k + 1)), 1000))
    with transaction(conn):
        conn.executemany("INSERT OR REPLACE INTO top (span, kind, bucket, key, sub, n, bytes) VALUES (?,?,?,?,?,?,?)",
                         tops)
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('folded_until', ?)", (folded,))
