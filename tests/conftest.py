"""Shared fixtures: a real siteseer server on 127.0.0.1, started and stopped by the test."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
OUTPUT_DIR = REPO / "test-output"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    root: Path
    port: int
    process: subprocess.Popen
    log_path: Path
    ca: Path | None = None  # the CA that signed its certificate, when it serves https

    @property
    def url(self) -> str:
        return f"{'https' if self.ca else 'http'}://127.0.0.1:{self.port}"

    @property
    def verify(self) -> ssl.SSLContext | bool:
        return ssl.create_default_context(cafile=str(self.ca)) if self.ca else True

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10, follow_redirects=False, verify=self.verify, **kwargs)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.05, message="condition"):
    """Poll ``predicate`` until it returns something truthy, or fail after ``timeout`` s.
    ``message`` may be a function: what it says when the time is up (the state then)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message() if callable(message) else message}")
        time.sleep(interval)


def _load_bench_common():
    spec = importlib.util.spec_from_file_location("bench_common", REPO / "bench" / "common.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Which sockets listen on a port, and which files a process has open: the benchmarks'
# readers of /proc, so that a server is ready by the same rule in both. On Linux,
# granian's workers each bind their own socket (SO_REUSEPORT) once their app is loaded.
BENCH_COMMON = _load_bench_common()
listening_sockets = BENCH_COMMON.listening_sockets
open_files = BENCH_COMMON.open_files


def start_server(root: Path, tmp_path: Path, config: str | None = None, workers: int = 1,
                 args: tuple[str, ...] = (), env: dict | None = None, ready_path: str = "/healthz",
                 ca: Path | None = None) -> LiveServer:
    """``ca``: the server is started with https (``args`` name its certificate); this CA signed it."""
    port = free_port()
    cmd = [sys.executable, "-m", "siteseer.cli", "serve", str(root), "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), *args]
    if config is not None:
        config_path = tmp_path / "siteseer-test.toml"
        config_path.write_text(config)
        cmd += ["--config", str(config_path)]
    log_path = tmp_path / f"server-{port}.log"
    log_file = open(log_path, "wb")
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    process = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, env=full_env,
                               start_new_session=True, cwd=REPO)
    server = LiveServer(root, port, process, log_path, ca)

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{server.log()}")
        try:
            answered = httpx.get(server.url + ready_path, timeout=1, verify=server.verify).status_code < 500
        except httpx.HTTPError:
            return False
        # Every worker, not the first: a worker loads its app (~1 s) before it listens,
        # and a connection made meanwhile always goes to the others.
        return answered and len(listening_sockets(port)) >= workers

    try:
        wait_until(ready, timeout=60, message="the server to answer")
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture
def serve(tmp_path):
    """Factory: ``serve(root, config=None, workers=1, args=(), env=None, ca=None) -> LiveServer``."""
    servers: list[LiveServer] = []

    def _serve(root: Path, config: str | None = None, workers: int = 1, args: tuple[str, ...] = (),
               env: dict | None = None, ca: Path | None = None) -> LiveServer:
        server = start_server(root, tmp_path, config, workers, args, env, ca=ca)
        servers.append(server)
        return server

    yield _serve
    for server in servers:
        server.stop()


@pytest.fixture
def site(tmp_path) -> Path:
    """A small folder to serve: HTML, text, JSON, a binary, a sub-folder, a secret beside it."""
    root = tmp_path / "site"
    (root / "docs").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>Home</title><h1>Welcome home</h1>")
    (root / "docs" / "guide.html").write_text(
        "<!doctype html><html><head><title>Guide</title></head><body><h1 id=intro>Lighthouse guide</h1>"
        + "<p>The lighthouse keeper trims the lamp every evening.</p>" * 80 + "</body></html>")
    (root / "docs" / "notes.txt").write_text("plain notes about harbours\n")
    (root / "data.json").write_text('{"title": "Harbour data", "items": [1, 2, 3]}')
    (root / "blob.bin").write_bytes(os.urandom(300_000))
    (root / ".env").write_text("SECRET=do-not-serve\n")
    (tmp_path / "secret.txt").write_text("outside the folder\n")
    return root


@pytest.fixture
def time_zone(monkeypatch):
    """``time_zone("Asia/Kolkata")`` makes that the local time zone for the rest of the test."""

    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()
