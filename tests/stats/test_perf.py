"""Measurements: chart queries over a synthetic month of rollups at 1,000 req/s."""

from __future__ import annotations

import time

from siteseer.stats import store
from siteseer.stats.aggregate import TrafficStats
from synth import fill_month


def test_month_of_rollups_charts_in_under_a_second(config):
    now = time.time()
    conn = store.open_db(config.state_dir)
    fill_month(conn, now, per_second=1000)
    stats = TrafficStats(config.state_dir)
    for label, days in (("day", 1), ("week", 7), ("month", 30)):
        since = now - days * 86400
        started = time.perf_counter()
        series = stats.series(since, now)
        summary = stats.summary(since, now)
        tops = [stats.top_pages(since, now), stats.top_404(since, now), stats.top_clients(since, now),
                stats.top_blocked(since, now), stats.top_queries(since, now), stats.zero_result_queries(since, now)]
        elapsed = time.perf_counter() - started
        print(f"{label}: every panel's queries in {elapsed * 1000:.0f} ms ({len(series.t)} points)")
        assert elapsed < 1.0
        assert summary["n"] >= days * 86400 * 1000 * 0.99
        assert all(len(t) == 20 for t in tops)
        assert tops[0][0]["key"] == "/page/key-0"
