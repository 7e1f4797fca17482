"""``siteseer stats DIR``: a short plain-text report for a time range."""

from __future__ import annotations

import time

from siteseer.stats import store
from siteseer.stats.aggregate import TrafficStats


def format_stats(config, since: float | None = None, until: float | None = None, limit: int = 10) -> str:
    """Top pages, top queries, zero-result queries and status counts, as aligned text."""
    until = time.time() if until is None else until
    since = until - 86400 if since is None else since
    path = config.state_dir / store.DB_NAME
    head = f"Traffic {_when(since)} – {_when(until)}"
    if not path.exists():
        return f"{head}\nNo traffic recorded yet ({path} does not exist).\n"
    stats = TrafficStats(config.state_dir)
    try:
        s = stats.summary(since, until)
        out = [head, ""]
        out.append(f"Requests {s['n']:,}   bytes {_size(s['bytes'])}   "
                   f"latency p50 {_ms(s['p50'])} p95 {_ms(s['p95'])} p99 {_ms(s['p99'])}")
        out.append("Status   " + "   ".join(f"{c[1]}xx {s[c]:,}" for c in store.STATUS_COLS))
        out.append(f"Refused  access lists {s['blk_list']:,}   rate limit {s['blk_rate']:,}   "
                   f"auto-blocked {s['blk_auto']:,}")
        out.append(f"Searches {s['searches']:,} ({s['zero']:,} with no results)")
        out += _table("Top pages", stats.top_pages(since, until, limit))
        out += _table("Top 404s", stats.top_404(since, until, limit))
        out += _table("Top queries", stats.top_queries(since, until, limit))
        out += _table("Zero-result queries", stats.zero_result_queries(since, until, limit))
        out += _table("Top clients", stats.top_clients(since, until, limit))
        return "\n".join(out) + "\n"
    finally:
        stats.close()


def _table(title: str, rows: list[dict]) -> list[str]:
    lines = ["", title]
    if not rows:
        return lines + ["  (none)"]
    width = max(len(f"{r['n']:,}") for r in rows)
    for r in rows:
        key = _printable(r["key"])
        lines.append(f"  {r['n']:>{width},}  {key if len(key) <= 100 else key[:99] + '…'}")
    return lines


def _printable(text: str) -> str:
    """Keys come from requests: no control characters to the terminal."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} ms"


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"
