"""/healthz and /metrics: answers, Prometheus format, access control."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from siteseer.server.messages import Request
from siteseer.stats import store
from siteseer.stats.auth import SESSION_COOKIE, SessionSigner, hash_password
from siteseer.stats.endpoints import Metrics, healthz, render_traffic
from siteseer.stats.throttle import LoggedOut
from synth import entry


def run(coro):
    return asyncio.run(coro)


def req(path, ip="127.0.0.1", headers=None):
    r = Request("GET", path, headers=headers or {})
    r.client_ip = ip
    return r


def test_healthz():
    response = run(healthz(req("/healthz")))
    assert response.status == 200 and response.body == b"ok\n"


def test_metrics_counts_everything_recorded(config):
    conn = store.open_db(config.state_dir)
    now = time.time()
    store.write_batch(conn, [entry(now, status=200, size=100, duration_ms=3)] * 5 + [entry(now, status=404, size=0)])
    response = run(Metrics(config)(req("/metrics")))
    assert response.status == 200
    assert response.header("content-type").startswith("text/plain; version=0.0.4")
    text = response.body.decode()
    assert 'siteseer_http_requests_total{status="200"} 5' in text
    assert 'siteseer_http_requests_total{status="404"} 1' in text
    assert "siteseer_http_response_bytes_total 500" in text
    assert 'siteseer_http_request_duration_seconds_bucket{le="+Inf"} 6' in text
    assert 'siteseer_http_request_duration_seconds_bucket{le="0.002"} 1' in text  # the 2 ms 404
    assert 'siteseer_http_request_duration_seconds_bucket{le="0.003"} 6' in text
    assert "siteseer_http_request_duration_seconds_count 6" in text
    for line in text.splitlines():  # every sample line is "name{labels} number"
        if not line.startswith("#"):
            float(line.rsplit(" ", 1)[1])


def test_metrics_reads_catalog_meta(config):
    import sqlite3

    config.state_dir.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(config.state_dir / "catalog.db") as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.executemany("INSERT INTO meta VALUES (?, ?)", [("documents", "42"), ("indexing", "1")])
    text = Metrics(config).render()
    assert "siteseer_index_documents 42" in text and "siteseer_index_indexing 1" in text


def test_metrics_forbidden_from_elsewhere(config):
    response = run(Metrics(config)(req("/metrics", ip="203.0.113.1")))
    assert response.status == 403


def test_metrics_allowed_networks(config):
    config.admin.metrics_allow = ["10.0.0.0/8", "::ffff:192.0.2.0/120"]
    metrics = Metrics(config)
    assert run(metrics(req("/metrics", ip="10.9.8.7"))).status == 200
    assert run(metrics(req("/metrics", ip="::ffff:192.0.2.4"))).status == 200
    assert run(metrics(req("/metrics", ip="127.0.0.1"))).status == 403


def test_metrics_open_to_admin_session(config):
    config.admin.password_hash = hash_password("pw", n=2 ** 10)
    value, _ = SessionSigner(config).issue()
    metrics = Metrics(config)
    assert run(metrics(req("/metrics", ip="203.0.113.1", headers={"cookie": f"{SESSION_COOKIE}={value}"}))).status == 200
    assert run(metrics(req("/metrics", ip="203.0.113.1", headers={"cookie": f"{SESSION_COOKIE}=forged"}))).status == 403


def test_metrics_closed_to_a_logged_out_session(config):
    config.admin.password_hash = hash_password("pw", n=2 ** 10)
    signer = SessionSigner(config)
    value, csrf = signer.issue()
    metrics = Metrics(config)
    LoggedOut(config.state_dir).add(csrf, time.time() + signer.max_age)  # what "Log out" does
    assert run(metrics(req("/metrics", ip="203.0.113.1", headers={"cookie": f"{SESSION_COOKIE}={value}"}))).status == 403


def test_metrics_print_large_counters_exactly():
    # ":g" printed 1,234,567 as 1.23457e+06: the counter stood still for hundreds of requests.
    lines: list[str] = []
    render_traffic(lines, {"status:200": 1234567.0, "bytes": 98765432109, "h0": 1234567, "dur_sum": 1234567.5})
    text = "\n".join(lines)
    assert 'siteseer_http_requests_total{status="200"} 1234567\n' in text
    assert "siteseer_http_response_bytes_total 98765432109\n" in text
    assert "siteseer_http_request_duration_seconds_count 1234567" in text
    assert "siteseer_http_request_duration_seconds_sum 1234.5675\n" in text
    assert "e+" not in text


def test_sample_values_in_prometheus_text():
    from siteseer.stats.endpoints import sample_value

    assert [sample_value(v) for v in (0, True, 7.0, 0.1, 1e22, float("inf"), float("nan"))] == \
        ["0", "1", "7", "0.1", "10000000000000000000000", "+Inf", "NaN"]


def test_metrics_answers_off_the_event_loop(config):
    # The search status waits for the index reload's lock, and the databases can be locked:
    # on the loop, a scrape stopped every request of the worker meanwhile.
    asked_on = []

    class Search:
        def status(self):
            asked_on.append(threading.get_ident())
            return {"documents": 3, "indexing": False}

    async def scrape(metrics):
        return threading.get_ident(), await metrics(req("/metrics"))

    with ThreadPoolExecutor(max_workers=1) as pool:
        loop_thread, response = run(scrape(Metrics(config, SimpleNamespace(executor=pool, search=Search()))))
    assert response.status == 200 and b"siteseer_index_documents 3\n" in response.body
    assert asked_on and loop_thread not in asked_on
