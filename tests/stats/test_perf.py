"""A month of rollups at 1,000 req/s answers every panel correctly.

How fast it answers is measured in ``bench/bench_stats.py``, not here.
"""

from __future__ import annotations

import time

from siteseer.stats import store
from siteseer.stats.aggregate import TrafficStats
from synth import fill_month


def test_month_of_rollups_answers_every_panel(config):
    now = time.time()
    conn = store.open_db(config.state_dir)
    fill_month(conn, now, per_second=1000)
    stats = TrafficStats(config.state_dir)
    for days in (1, 7, 30):
        since = now - days * 86400
        series = stats.series(since, now)
        summary = stats.summary(since, now)
        tops = [stats.top_pages(since, now), stats.top_404(since, now), stats.top_clients(since, now),
                stats.top_blocked(since, now), stats.top_queries(since, now), stats.zero_result_queries(since, now)]
        assert len(series.t) > 0
        assert summary["n"] >= days * 86400 * 1000 * 0.99
        assert all(len(t) == 20 for t in tops)
        assert tops[0][0]["key"] == "/page/key-0"


def test_internal_paths_stay_out_of_top_pages(config):
    now = time.time()
    conn = store.open_db(config.state_dir)
    base = dict(ip="192.0.2.1", method="GET", query="", bytes=10, duration_ms=1.0, ua=None, referrer=None,
                search=None, blocked=None)
    entries = [dict(base, ts=now - i, path=p, status=200)
               for i, p in enumerate(["/docs/a.html"] * 3 + ["/_dash-layout", "/_siteseer/x.css", "/healthz"] * 5)]
    store.write_batch(conn, entries)
    stats = TrafficStats(config.state_dir)
    assert [row["key"] for row in stats.top_pages(now - 3600, now + 1)] == ["/docs/a.html"]
    assert stats.summary(now - 3600, now + 1)["n"] == 18
