"""kill -9 of ``siteseer serve`` must not leave its granian workers answering on the port."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(entry.name))
            except (OSError, IndexError):
                pass
    return kids


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return s.recv(12).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_workers_exit_when_the_server_process_is_killed(tmp_path):
    (tmp_path / "index.html").write_text("<h1>hi</h1>")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "siteseer.cli", "serve", str(tmp_path), "--host", "127.0.0.1",
                               "--port", str(port), "--workers", "2", "--no-index"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        _wait(lambda: _answers(port), 30, "the server to answer")
        workers = _children(server.pid)
        assert len(workers) >= 2
        server.send_signal(signal.SIGKILL)
        server.wait()
        _wait(lambda: not any(_running(w) for w in workers), 15, "the orphaned workers to exit")
        assert not _answers(port)
    finally:
        server.kill()
        for w in workers:
            if _running(w):
                os.kill(w, signal.SIGKILL)


def test_a_worker_ended_by_the_kill_keeps_what_it_answered(serve, tmp_path):
    """Every request answered is in the access log and the traffic records: the orphaned
    worker's ``os._exit`` lost the queued ones (the last 0.5-1.5 s of both)."""
    import threading

    from siteseer.stats.aggregate import TrafficStats
    from tests.conftest import wait_until

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>hi</h1>")
    server = serve(site, config="[ratelimit]\nenabled = false\n", args=("--no-index",))
    workers = _children(server.process.pid)
    answered: list[str] = []
    stop = threading.Event()

    def load() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
                    s.sendall(f"GET /index.html?n={n} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                    if s.recv(12).startswith(b"HTTP/1.1 200"):
                        answered.append(f"n={n}")
            except OSError:
                if not any(_running(w) for w in workers):
                    return

    loader = threading.Thread(target=load, daemon=True)
    loader.start()
    wait_until(lambda: len(answered) > 50, timeout=30, message="requests answered before the kill")
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    try:
        wait_until(lambda: not any(_running(w) for w in workers), timeout=15, message="the orphaned worker to exit")
    finally:
        stop.set()
        loader.join(timeout=10)
    logged = {line.split("?", 1)[1].split(" ", 1)[0] for line in server.log().splitlines() if "GET /index.html?" in line}
    assert [n for n in answered if n not in logged] == [], f"{len(answered)} answered"
    now = time.time()
    recorded = TrafficStats(site / ".siteseer").summary(now - 600, now + 60)["n"]
    assert recorded == len(answered)


def test_the_last_words_never_wait_on_a_locked_database(tmp_path, monkeypatch):
    """The orphan's flush is bounded: traffic.db locked by another process waits out its
    5 s busy timeout, and the worker is ended after about a second anyway."""
    import sqlite3
    from types import SimpleNamespace

    from siteseer.config import Config
    from siteseer.server import app as app_module
    from siteseer.stats.recorder import TrafficRecorder

    config = Config()
    config.root = tmp_path
    config.server.access_log = "off"
    recorder = TrafficRecorder(config, interval=3600)
    recorder.record({"ts": time.time(), "ip": "192.0.2.1", "method": "GET", "path": "/", "status": 200})
    recorder.flush()  # made, then locked by "another process"
    holder = sqlite3.connect(config.state_dir / "traffic.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    recorder.record({"ts": time.time(), "ip": "192.0.2.1", "method": "GET", "path": "/", "status": 200})
    app = app_module.SiteseerApp(config, services=SimpleNamespace(recorder=recorder, app_csp=""))
    exits: list[int] = []

    def fake_exit(code: int) -> None:
        exits.append(code)
        raise SystemExit(code)

    monkeypatch.setattr(app_module.os, "_exit", fake_exit)
    started = time.monotonic()
    with pytest.raises(SystemExit):
        app.exit_orphaned(timeout=1.0)
    assert exits == [1] and time.monotonic() - started < 2.0
    holder.execute("ROLLBACK")
    holder.close()
    recorder.close()
