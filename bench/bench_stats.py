"""Dashboard query time over a synthetic month of traffic at 1,000 req/s.

The issue's target: every panel of the dashboard charts in under a second
for any range up to 30 days. Run: ``python bench/bench_stats.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests" / "stats")]

from siteseer.stats import store  # noqa: E402
from siteseer.stats.aggregate import TrafficStats  # noqa: E402
from synth import fill_month  # noqa: E402


def main(quick: bool = False) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp)
        now = time.time()
        conn = store.open_db(state)
        started = time.perf_counter()
        fill_month(conn, now, per_second=1000)
        fill_s = time.perf_counter() - started
        stats = TrafficStats(state)
        for label, days in (("day", 1), ("week", 7), ("30 days", 30)):
            since = now - days * 86400
            times = []
            for _ in range(1 if quick else 5):
                started = time.perf_counter()
                stats.series(since, now), stats.summary(since, now)
                for top in (stats.top_pages, stats.top_404, stats.top_clients, stats.top_blocked,
                            stats.top_queries, stats.zero_result_queries):
                    top(since, now)
                times.append(time.perf_counter() - started)
            times.sort()
            rows.append({"bench": "stats", "case": f"all panels, last {label}",
                         "median_ms": round(times[len(times) // 2] * 1000, 1)})
        rows.append({"bench": "stats", "case": "fill a month of rollups", "median_ms": round(fill_s * 1000)})
    worst = max(r["median_ms"] for r in rows if r["case"].startswith("all panels"))
    rows.append({"target": "a month of traffic at 1,000 req/s charts in under a second",
                 "measured": f"{worst:.0f} ms for the slowest range", "met": worst < 1000})
    return rows


if __name__ == "__main__":
    for row in main("--quick" in sys.argv):
        if "target" in row:
            print(f"target: {row['target']}: {row['measured']} ({'met' if row['met'] else 'MISSED'})")
        else:
            print(f"{row['case']:<32} {row['median_ms']:>10} ms")
