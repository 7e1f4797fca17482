"""Recording and aggregation on synthetic traffic: counts, percentiles, top lists, trimming."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siteseer.stats import store
from siteseer.stats.aggregate import TrafficStats, choose_step, percentile
from siteseer.stats.store import BUCKET, DAY, LATENCY_BOUNDS_MS
from synth import entry

T0 = 1_700_000_000.0 - (1_700_000_000 % DAY)  # a midnight (UTC), so buckets are easy to reason about


@pytest.fixture
def db(tmp_path):
    conn = store.open_db(tmp_path)
    yield conn, TrafficStats(tmp_path)
    conn.close()


def test_counts_by_status_bytes_and_blocks(db):
    conn, stats = db
    entries = ([entry(T0 + i, status=200, size=100) for i in range(30)]
               + [entry(T0 + 70 + i, status=404, path="/missing", size=10) for i in range(5)]
               + [entry(T0 + 80, status=500), entry(T0 + 81, status=304, size=0)]
               + [entry(T0 + 90, status=403, blocked="blocklist"), entry(T0 + 91, status=429, blocked="ratelimit")])
    assert store.write_batch(conn, entries) == len(entries)
    s = stats.summary(T0, T0 + 3600)
    assert (s["n"], s["c2xx"], s["c3xx"], s["c4xx"], s["c5xx"]) == (39, 30, 1, 7, 1)
    assert s["bytes"] == 30 * 100 + 5 * 10 + 1024 + 2 * 1024
    assert (s["blk_list"], s["blk_rate"], s["blk_auto"]) == (1, 1, 0)
    series = stats.series(T0, T0 + 180, step=60)
    assert series.t[:3] == [T0, T0 + 60, T0 + 120]
    assert series["n"][:3] == [30, 9, 0]  # empty buckets are zeros, not gaps
    assert series["c4xx"][1] == 7


def test_every_refusal_counts_as_refused(db):
    # A client outside access.allow gets a 403 from the access lists like a blocked one;
    # it was listed among "most refused clients" but missing from the refused count and chart.
    conn, stats = db
    store.write_batch(conn, [entry(T0 + 1, status=403, ip="203.0.113.5", blocked="allowlist")] * 4
                      + [entry(T0 + 2, status=403, blocked="blocklist"), entry(T0 + 3, status=403, blocked="auto")])
    s = stats.summary(T0, T0 + 3600)
    assert (s["blk_list"], s["blk_rate"], s["blk_auto"]) == (5, 0, 1)
    assert stats.series(T0, T0 + 120, step=60)["blk_list"][0] == 5
    assert stats.top_blocked(T0, T0 + 3600)[0] == {"key": "203.0.113.5", "n": 4, "bytes": 0,
                                                     "reasons": [("allowlist", 4)]}


def test_rollups_add_up_across_batches_and_writers(tmp_path):
    a, b = store.open_db(tmp_path), store.open_db(tmp_path)  # two "workers"
    store.write_batch(a, [entry(T0 + 1, path="/x")] * 3)
    store.write_batch(b, [entry(T0 + 2, path="/x")] * 4)
    stats = TrafficStats(tmp_path)
    assert stats.summary(T0, T0 + 60)["n"] == 7
    assert stats.top_pages(T0, T0 + 60) == [{"key": "/x", "n": 7, "bytes": 7 * 1024}]


def test_top_pages_are_page_views(tmp_path):
    """OPTIONS' 204, a redirect's source and the API counted as pages: /index.html showed 138 for
    137 GETs and an OPTIONS, /old/page.html its 301s, /api/search the API's calls."""
    conn = store.open_db(tmp_path)
    store.write_batch(conn, [entry(T0 + 1, path="/a.html"), entry(T0 + 2, path="/a.html", status=304),
                             entry(T0 + 3, path="/a.html", status=206), entry(T0 + 4, path="/a.html", status=204),
                             entry(T0 + 5, path="/old.html", status=301), entry(T0 + 6, path="/api/search"),
                             entry(T0 + 7, path="/api/suggest")])
    stats = TrafficStats(tmp_path)
    assert [(p["key"], p["n"]) for p in stats.top_pages(T0, T0 + 60)] == [("/a.html", 3)]
    assert stats.summary(T0, T0 + 60)["n"] == 7  # every request still counts in the totals


def test_percentiles_from_histogram():
    hist = [0] * (len(LATENCY_BOUNDS_MS) + 1)
    i10 = LATENCY_BOUNDS_MS.index(10)
    hist[i10] = 90  # 90 requests in (7.5, 10] ms
    hist[i10 + 3] = 10  # 10 in (25, 50] ms
    assert 7.5 < percentile(hist, 0.5) <= 10
    assert 25 < percentile(hist, 0.95) <= 50
    assert percentile([0] * len(hist), 0.5) is None
    overflow = [0] * len(hist)
    overflow[-1] = 5
    assert percentile(overflow, 0.99) == LATENCY_BOUNDS_MS[-1]


def test_latency_percentiles_end_to_end(db):
    conn, stats = db
    store.write_batch(conn, [entry(T0 + i % 60, duration_ms=2.0) for i in range(980)]
                      + [entry(T0 + 1, duration_ms=400.0) for _ in range(20)])
    s = stats.summary(T0, T0 + 60)
    assert 1 < s["p50"] <= 2
    assert 1 < s["p95"] <= 2
    assert 250 < s["p99"] <= 500
    assert s["mean_ms"] == pytest.approx((980 * 2 + 20 * 400) / 1000)


def test_top_lists(db):
    conn, stats = db
    entries = []
    for i, path in enumerate(["/a", "/b", "/c"]):
        entries += [entry(T0 + 5, path=path, ip=f"192.0.2.{i}") for _ in range(10 * (3 - i))]
    entries += [entry(T0 + 6, path="/old", status=404, referrer="https://ref.example/page")] * 4
    entries += [entry(T0 + 6, path="/old", status=404)] * 2
    entries += [entry(T0 + 7, path="/gone", status=404, referrer="https://x.example/")]
    entries += [entry(T0 + 8, path="/api/search", search={"query": "  Hello  World ", "hits": 3, "page": 1})] * 3
    entries += [entry(T0 + 8, path="/api/search", search={"query": "hello world", "hits": 3, "page": 2})]
    entries += [entry(T0 + 8, path="/api/search", search={"query": "zzz", "hits": 0, "page": 1})] * 2
    entries += [entry(T0 + 9, status=429, ip="203.0.113.5", blocked="ratelimit")] * 5
    entries += [entry(T0 + 9, status=403, ip="203.0.113.5", blocked="blocklist")] * 2
    store.write_batch(conn, entries)
    since, until = T0, T0 + 3600
    pages = stats.top_pages(since, until, limit=3)
    assert [p["key"] for p in pages] == ["/a", "/b", "/c"]  # 404s and refusals are not pages
    assert pages[0]["n"] == 30
    missing = stats.top_404(since, until)
    assert missing[0]["key"] == "/old" and missing[0]["n"] == 6
    assert missing[0]["referrers"] == [("https://ref.example/page", 4)]
    assert missing[1]["key"] == "/gone"
    assert stats.top_queries(since, until) == [{"key": "hello world", "n": 3, "bytes": 0},
                                                 {"key": "zzz", "n": 2, "bytes": 0}]
    assert [q["key"] for q in stats.zero_result_queries(since, until)] == ["zzz"]
    blocked = stats.top_blocked(since, until)
    assert blocked == [{"key": "203.0.113.5", "n": 7, "bytes": 0,
                        "reasons": [("ratelimit", 5), ("blocklist", 2)]}]
    clients = stats.top_clients(since, until)
    assert [(c["key"], c["n"]) for c in clients[:2]] == [("192.0.2.0", 30), ("192.0.2.1", 20)]
    assert ("203.0.113.5", 7) in [(c["key"], c["n"]) for c in clients]  # refused requests count too
    s = stats.summary(since, until)
    assert (s["searches"], s["zero"]) == (5, 2)  # page 2 is not a new search


def test_ranges_exclude_other_times(db):
    conn, stats = db
    store.write_batch(conn, [entry(T0 + 10, path="/early"), entry(T0 + 5 * 3600, path="/late")])
    assert [p["key"] for p in stats.top_pages(T0, T0 + 3600)] == ["/early"]
    assert stats.summary(T0 + 3600, T0 + 7200)["n"] == 0
    assert stats.summary(T0, T0 + DAY)["n"] == 2


def test_malformed_entries_are_skipped(db):
    conn, stats = db
    n = store.write_batch(conn, [{"ts": "nonsense"}, {"path": "/no-ts"}, entry(T0, status=None), entry(T0)])
    assert n == 2
    assert stats.summary(T0, T0 + 60)["n"] == 2


def test_maintenance_prunes_folds_and_expires(db):
    conn, stats = db
    entries = []
    # Day 0: 300 distinct pages, page-k requested (300 - k) times, spread over buckets.
    for k in range(300):
        entries += [entry(T0 + (k % 6) * BUCKET + j, path=f"/p{k}") for j in range(300 - k)]
    store.write_batch(conn, entries)
    old = T0 - 40 * DAY
    store.write_batch(conn, [entry(old, path="/ancient")])
    now = T0 + 3 * DAY
    store.maintain(conn, retention_days=30, now=now)

    fine = conn.execute("SELECT COUNT(*) FROM top WHERE span=?", (BUCKET,)).fetchone()[0]
    assert fine == 0  # past FINE_KEEP_SECONDS, folded into the day
    per_kind = conn.execute("SELECT kind, COUNT(*) FROM top WHERE span=? AND bucket=? GROUP BY kind",
                            (DAY, int(T0))).fetchall()
    assert all(count <= store.TOP_KEEP_DAY for _, count in per_kind)
    top = stats.top_pages(T0, now, limit=3)
    assert [t["key"] for t in top] == ["/p0", "/p1", "/p2"]
    assert top[0]["n"] == 300  # folding keeps exact counts of the heavy keys
    # Past retention: minute rows and day rows are gone.
    assert stats.summary(old - 60, old + 60)["n"] == 0
    assert conn.execute("SELECT COUNT(*) FROM top WHERE bucket<?", (T0 - 30 * DAY,)).fetchone()[0] == 0
    # Minute rows within retention stay.
    assert stats.summary(T0, T0 + DAY)["n"] == len(entries)


def test_finished_buckets_keep_only_top_keys(db):
    conn, _ = db
    entries = [entry(T0 + 1, path=f"/k{k}") for k in range(store.TOP_KEEP + 50) for _ in range(1 + (k < 10))]
    store.write_batch(conn, entries)
    store.maintain(conn, retention_days=30, now=T0 + BUCKET + store.SETTLE_SECONDS + 1)
    kept = conn.execute("SELECT key FROM top WHERE span=? AND kind='page' AND bucket=?",
                        (BUCKET, int(T0))).fetchall()
    assert len(kept) == store.TOP_KEEP
    assert {f"/k{k}" for k in range(10)} <= {k for (k,) in kept}  # the heavy ones survive


def test_maintenance_claimed_once(tmp_path):
    a, b = store.open_db(tmp_path), store.open_db(tmp_path)
    assert store.claim_maintenance(a, 1000.0, every=60) is True
    assert store.claim_maintenance(b, 1010.0, every=60) is False
    assert store.claim_maintenance(b, 1061.0, every=60) is True


def test_raw_records_kept_then_dropped(db):
    conn, stats = db
    store.write_batch(conn, [entry(T0 + i, path=f"/r{i}") for i in range(5)])
    recent = stats.recent(3)
    assert [r["path"] for r in recent] == ["/r4", "/r3", "/r2"]
    assert recent[0]["ua"] == "test-agent/1.0"
    store.maintain(conn, retention_days=30, now=T0 + store.RAW_KEEP_SECONDS + 10)
    assert stats.recent(3) == []


def test_raw_records_keep_every_field(db):
    conn, stats = db
    search = {"query": "café <b>", "hits": 0, "page": 1}
    entries = [entry(T0 + 0.25, path="/a", duration_ms=1.5, size=10),
               entry(T0 + 0.75, path="/a", duration_ms=2.25, size=20),  # same shape, other numbers
               entry(T0 + 1.5, path="/api/search", search=search, referrer="https://r.example/"),
               {**entry(T0 + 2, path="/b"), "ua": b"bytes-agent", "blocked": "blocklist"}]
    store.write_batch(conn, entries)
    recent = stats.recent(10)
    assert [(r["path"], r["ts"], r["bytes"], r["duration_ms"]) for r in recent[::-1]] == [
        ("/a", T0 + 0.25, 10, 1.5), ("/a", T0 + 0.75, 20, 2.25), ("/api/search", T0 + 1.5, 1024, 2.0),
        ("/b", T0 + 2, 1024, 2.0)]
    assert recent[1]["search"] == search and recent[1]["referrer"] == "https://r.example/"
    assert recent[0]["ua"] == "b'bytes-agent'" and recent[0]["blocked"] == "blocklist"
    assert set(recent[0]) == set(store.RAW_FIELDS)


def test_choose_step():
    assert choose_step(0, 3600) == 60
    assert choose_step(0, DAY) == 600
    assert choose_step(0, 30 * DAY) == 3 * 3600
    assert all(DAY * 30 / choose_step(0, DAY * 30) <= 240 for _ in [0])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 7199), st.sampled_from(["/a", "/b", "/admin/x"]),
                          st.sampled_from([200, 304, 404, 500]), st.sampled_from(["192.0.2.1", "192.0.2.2"]),
                          st.integers(0, 5000), st.sampled_from([0.2, 3.0, 40.0, 20_000.0])), max_size=300))
def test_grouped_rollups_count_every_request(tmp_path_factory, requests):
    """write_batch counts alike requests together: the totals must equal a request-by-request count."""
    state = tmp_path_factory.mktemp("traffic")
    conn, stats = store.open_db(state), TrafficStats(state)
    entries = [entry(T0 + t, path=p, status=s, ip=ip, size=n, duration_ms=d) for t, p, s, ip, n, d in requests]
    assert store.write_batch(conn, entries) == len(entries)
    s = stats.summary(T0, T0 + 7200)
    assert s["n"] == len(entries)
    assert s["bytes"] == sum(e["bytes"] for e in entries)
    assert s["c4xx"] == sum(e["status"] == 404 for e in entries)
    pages = {p["key"]: p["n"] for p in stats.top_pages(T0, T0 + 7200, limit=10)}
    for path in ("/a", "/b"):
        expected = sum(e["path"] == path and e["status"] < 400 for e in entries)
        assert pages.get(path, 0) == expected
    assert "/admin/x" not in pages
    clients = {c["key"]: c["n"] for c in stats.top_clients(T0, T0 + 7200)}
    assert sum(clients.values()) == len(entries)
    assert len(store.read_raw(conn, limit=1000)) == len(entries)
    conn.close()


def test_a_snapshot_sees_one_state_of_the_records(tmp_path):
    """A dashboard refresh's dozen queries saw the writes made between them: cards and tables disagreed."""
    writer = store.open_db(tmp_path)
    store.write_batch(writer, [entry(T0 + 1, path="/x")] * 3)
    stats = TrafficStats(tmp_path)
    with stats.snapshot():
        assert stats.summary(T0, T0 + 60)["n"] == 3
        store.write_batch(writer, [entry(T0 + 2, path="/x")] * 4)  # a worker's recorder, meanwhile
        assert stats.top_clients(T0, T0 + 3600)[0]["n"] == 3
    assert stats.summary(T0, T0 + 60)["n"] == 7


def test_long_buckets_start_at_local_midnight_and_a_range_has_no_bucket_past_its_end(tmp_path, time_zone):
    """Day buckets aligned to UTC put a New York day's traffic at 19:00 the day before; and a past
    24-hour range of 10-minute buckets had 145, the last one past its end."""
    import datetime as dt

    time_zone("America/New_York")
    noon = dt.datetime(2026, 12, 3, 12, 0).timestamp()  # local
    midnight = dt.datetime(2026, 12, 3, 0, 0).timestamp()
    conn = store.open_db(tmp_path)
    store.write_batch(conn, [entry(noon)] * 5)
    stats = TrafficStats(tmp_path)
    days = stats.series(midnight - 2 * 86400, midnight + 86400, step=86400)
    assert days.t == [midnight - 2 * 86400, midnight - 86400, midnight]
    assert days["n"] == [0, 0, 5]
    ten = stats.series(midnight, midnight + 86400, step=600)
    assert len(ten.t) == 144 and ten.t[0] == midnight and sum(ten["n"]) == 5


def test_the_tables_say_where_they_start(tmp_path):
    """The cards count from the range's minute, the top lists from its 10-minute bucket:
    10 requests 3.5 minutes before "last hour" were in its tables, not on its cards."""
    conn = store.open_db(tmp_path)
    store.write_batch(conn, [entry(T0 + 30)])
    stats = TrafficStats(tmp_path)
    since = T0 + 7 * 60 + 5
    assert stats.tables_since(since, since + 3600) == int(since // BUCKET) * BUCKET
    assert stats.tables_since(int(since // BUCKET) * BUCKET, since + 3600) == int(since // BUCKET) * BUCKET


def test_a_traffic_db_made_again_is_read_from_then_on(tmp_path):
    """After ``rm traffic.db*`` on a running server /metrics kept the deleted file's totals
    while the recorder wrote the records into a new one."""
    now = time.time()
    conn = store.open_db(tmp_path)
    store.write_batch(conn, [entry(now)] * 5)
    stats = TrafficStats(tmp_path)
    assert stats.totals()["requests"] == 5
    conn.close()
    for name in ("traffic.db", "traffic.db-wal", "traffic.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    assert stats.totals()["requests"] == 5  # no file yet: what was read stays
    conn = store.open_db(tmp_path)  # the recorder's next batch
    store.write_batch(conn, [entry(now)] * 2)
    assert stats.totals()["requests"] == 2
    assert stats.summary(now - 60, now + 60)["n"] == 2 and len(stats.recent()) == 2
    with stats.snapshot():  # one state inside, whatever happens to the file
        assert stats.summary(now - 60, now + 60)["n"] == 2
    conn.close()
    stats.close()
