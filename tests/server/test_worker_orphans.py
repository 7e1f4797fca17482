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
