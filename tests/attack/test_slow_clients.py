"""Slow and many clients: slow-loris headers, slow bodies, idle keep-alive, a mixed soak.

CI runs the shortened form (a 12 s hold, a 15 s soak); ``SITESEER_ATTACK_FULL=1``
runs 60 s of each. Both fail when the property breaks: a normal client must get
every answer within 1 s, slow clients must be cut off by the server, and the
soak must see no 5xx, no connection error and flat worker memory.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time

import httpx
import pytest

from tests.attack.conftest import FULL, exchange, make_site, normal_get, rss_kib, worker_pids
from tests.conftest import wait_until

SLOW_HEADER_CONNECTIONS = 300
SLOW_BODY_CONNECTIONS = 20
DRIP_SECONDS = 5.0  # one header line every 5 s
HOLD_SECONDS = 60.0 if FULL else 12.5
SOAK_SECONDS = 60.0 if FULL else 15.0


def _open(port: int, first: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(first)
    sock.setblocking(False)
    return sock


def _closed_by_server(sock: socket.socket) -> bool:
    try:
        data = sock.recv(65536)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return data == b""  # an answer (408) arrives first, then the close


def test_slow_loris_and_slow_bodies_do_not_starve_a_normal_client(serve, tmp_path):
    server = serve(make_site(tmp_path / "site"), args=("--no-index",))
    port = server.port
    head = b"GET /docs/notes.txt HTTP/1.1\r\nHost: t\r\n"
    body_head = (b"POST /_dash-update-component HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n{")
    slow = [_open(port, head) for _ in range(SLOW_HEADER_CONNECTIONS)]
    bodies = [_open(port, body_head) for _ in range(SLOW_BODY_CONNECTIONS)]
    opened = time.monotonic()
    closed_at: dict[int, float] = {}
    body_closed_at: dict[int, float] = {}
    reconnects = 0
    stop = threading.Event()
    errors: list[str] = []

    def drip() -> None:
        nonlocal reconnects
        line = 0
        next_drip = opened + DRIP_SECONDS
        while not stop.is_set() and time.monotonic() - opened < HOLD_SECONDS + 2:
            now = time.monotonic()
            for i, sock in enumerate(slow):
                if i not in closed_at and _closed_by_server(sock):
                    closed_at[i] = now - opened
                    sock.close()
                    if FULL and now - opened < HOLD_SECONDS - 15:  # the full run keeps the pressure on
                        slow[i] = _open(port, head)
                        closed_at.pop(i)
                        reconnects += 1
            for i, sock in enumerate(bodies):
                if i not in body_closed_at and _closed_by_server(sock):
                    body_closed_at[i] = now - opened
            if now >= next_drip:
                line += 1
                next_drip += DRIP_SECONDS
                for i, sock in enumerate(slow):
                    if i not in closed_at:
                        try:
                            sock.send(b"X-Slow-%d: %d\r\n" % (line, line))
                        except OSError:
                            pass
                for i, sock in enumerate(bodies):
                    if i not in body_closed_at:
                        try:
                            sock.send(b" ")
                        except OSError:
                            pass
            time.sleep(0.05)

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    latencies = []
    try:
        while time.monotonic() - opened < HOLD_SECONDS:
            started = time.monotonic()
            answer = normal_get(server, timeout=1.0)
            took = time.monotonic() - started
            latencies.append(took)
            if answer is None or answer.status != 200:
                errors.append(f"normal request failed at {started - opened:.1f} s")
            time.sleep(0.1)
        dripper.join(timeout=5)
    finally:
        stop.set()
        for sock in slow + bodies:
            sock.close()
    assert not errors, errors[:5]
    assert len(latencies) >= 20 and max(latencies) < 1.0, max(latencies)
    # The server, not the test, ended the slow clients: headers after ~10 s, bodies after ~10 s (408).
    still_open = SLOW_HEADER_CONNECTIONS - len(closed_at)
    assert still_open == 0, f"{still_open} slow-header connections never cut off"
    assert max(closed_at.values()) < 12.5 and min(closed_at.values()) > 8.0, (min(closed_at.values()),
                                                                              max(closed_at.values()))
    assert len(body_closed_at) == SLOW_BODY_CONNECTIONS, "slow request bodies held open"
    assert max(body_closed_at.values()) < 12.5


@pytest.fixture
def quick_timeout_server(serve, tmp_path):
    return serve(make_site(tmp_path / "site"), config="[server]\nheader_read_timeout = 2\n", args=("--no-index",))


def _time_until_closed(sock: socket.socket, limit: float) -> float | None:
    started = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - started < limit:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - started
        if not data:
            return time.monotonic() - started
    return None


def test_idle_keep_alive_and_partial_headers_are_closed(quick_timeout_server):
    """granian closes a keep-alive connection idle for header_read_timeout (2 s here, 10 s by default)."""
    port = quick_timeout_server.port
    keep = socket.create_connection(("127.0.0.1", port), timeout=5)
    keep.sendall(b"GET /docs/notes.txt HTTP/1.1\r\nHost: t\r\n\r\n")
    assert keep.recv(65536).startswith(b"HTTP/1.1 200")
    partial = _open(port, b"GET /docs/notes.txt HTTP/1.1\r\nHost: t\r\n")
    partial.setblocking(True)
    idle_for = _time_until_closed(keep, 8)
    partial_for = _time_until_closed(partial, 8)
    keep.close()
    partial.close()
    assert idle_for is not None and 1.0 < idle_for < 4.0, idle_for
    assert partial_for is not None and partial_for < 4.0, partial_for


def test_silent_connection_is_closed(quick_timeout_server):
    # Held until the client went while granian told the protocol from the first
    # bytes (its "auto" mode): header_read_timeout only started after them.
    silent = socket.create_connection(("127.0.0.1", quick_timeout_server.port), timeout=5)
    try:
        assert _time_until_closed(silent, 6.0) is not None
    finally:
        silent.close()


def _dash_payload(client: httpx.Client, target: str) -> dict:
    """A real callback request for the page router, built from /_dash-dependencies."""
    deps = client.get("/_dash-dependencies").json()
    dep = next(d for d in deps if d["clientside_function"] is None and d["output"] == "page.children")
    inp = dep["inputs"][0]
    return {"output": dep["output"], "outputs": {"id": "page", "property": "children"},
            "inputs": [{**inp, "value": target}], "changedPropIds": [f"{inp['id']}.{inp['property']}"],
            "state": dep["state"]}


def test_mixed_soak(serve, tmp_path):
    site = make_site(tmp_path / "site")
    blob = (site / "blob.bin").read_bytes()
    server = serve(site, workers=2, config='[access]\nblock = ["198.51.100.0/24"]\ntrusted_proxies = ["127.0.0.1"]\n')
    with server.client() as c:
        wait_until(lambda: c.get("/api/search?q=lighthouse").json()["total"] > 0, timeout=60,
                   message="the index to hold the guide")
        payload = _dash_payload(c, "/search?q=lighthouse")
        r = c.post("/_dash-update-component", json=payload)
        assert r.status_code == 200 and "Lighthouse" in r.text
        etag = c.get("/docs/guide.html").headers["etag"]

    counts: dict[str, int] = {}
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SOAK_SECONDS
    warm = time.monotonic() + min(5.0, SOAK_SECONDS / 3)
    rss_start: dict[int, int] = {}

    def one(c: httpx.Client, rng: random.Random, n: int) -> None:
        ip = f"192.0.2.{rng.randrange(1, 255)}"
        xff = {"x-forwarded-for": ip}
        kind = ("file", "range", "search", "dash", "404", "blocked", "304")[n % 7]
        if kind == "file":
            r = c.get("/docs/guide.html", headers=xff)
            ok = r.status_code == 200 and b"Lighthouse guide" in r.content
        elif kind == "range":
            a = rng.randrange(0, len(blob) - 1)
            b = min(len(blob) - 1, a + rng.randrange(0, 100_000))
            r = c.get("/blob.bin", headers={**xff, "range": f"bytes={a}-{b}"})
            ok = r.status_code == 206 and r.content == blob[a:b + 1]
        elif kind == "search":
            r = c.get("/api/search", params={"q": rng.choice(["lighthouse", "harbour", "keeper lamp", "zzz"])},
                      headers=xff)
            ok = r.status_code == 200 and "hits" in r.json()
        elif kind == "dash":
            r = c.post("/_dash-update-component", content=json.dumps(payload),
                       headers={**xff, "content-type": "application/json"})
            ok = r.status_code == 200 and "Lighthouse" in r.text
        elif kind == "404":
            r = c.get(f"/no/such/{n}.html", headers=xff)
            ok = r.status_code == 404
        elif kind == "blocked":
            r = c.get("/docs/guide.html", headers={"x-forwarded-for": f"198.51.100.{rng.randrange(1, 255)}"})
            ok = r.status_code == 403
        else:
            r = c.get("/docs/guide.html", headers={**xff, "if-none-match": etag})
            ok = r.status_code == 304
        with lock:
            counts[kind] = counts.get(kind, 0) + 1
            if not ok or r.status_code >= 500:
                # The end too: a Dash answer's first 300 characters are its frame, not the page's message.
                failures.append(f"{kind}: {r.status_code} {r.text[:200]!r} ... {r.text[-600:]!r}")

    def client_thread(seed: int) -> None:
        rng = random.Random(seed)
        n = seed
        with httpx.Client(base_url=server.url, timeout=5) as c:
            while time.monotonic() < deadline:
                try:
                    one(c, rng, n)
                except httpx.HTTPError as exc:
                    with lock:
                        failures.append(f"connection error ({n % 7}) at {time.monotonic() - deadline:.1f}: {exc!r}")
                n += 1

    workers_before = worker_pids(server)
    threads = [threading.Thread(target=client_thread, args=(i,), daemon=True) for i in range(6)]
    for t in threads:
        t.start()
    while time.monotonic() < warm:
        time.sleep(0.1)
    rss_start = {pid: rss_kib(pid) for pid in worker_pids(server)}
    for t in threads:
        t.join(timeout=SOAK_SECONDS + 30)
    assert not any(t.is_alive() for t in threads)
    rss_end = {pid: rss_kib(pid) for pid in worker_pids(server)}
    total = sum(counts.values())
    problems = [line for line in server.log().splitlines() if "Traceback" in line or "ERROR" in line or "failed" in line]
    assert not failures, (len(failures), failures[:10], problems[:20], server.log()[-3000:])
    assert total > 200 and all(counts.get(k, 0) > 10 for k in ("file", "range", "search", "dash", "blocked")), counts
    assert worker_pids(server) == workers_before, "a worker died during the soak"
    for pid, start in rss_start.items():
        growth_mib = (rss_end[pid] - start) / 1024
        assert growth_mib < 40, f"worker {pid} grew {growth_mib:.1f} MiB during the soak ({counts})"
    print(f"soak: {total} requests in {SOAK_SECONDS:.0f} s {counts}; RSS KiB {rss_start} -> {rss_end}")
