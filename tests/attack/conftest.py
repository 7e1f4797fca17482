"""Shared helpers for the attack suite: raw HTTP exchanges with hang detection,
module-wide servers, process-tree inspection.

Long runs: ``SITESEER_ATTACK_FULL=1`` stretches the slow-client hold and the
soak to their full length (60 s); CI runs the shortened form, which still
fails when the property breaks.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer, listening_sockets, open_files, start_server

FULL = os.environ.get("SITESEER_ATTACK_FULL") == "1"
SECRET = b"TOPSECRET-beside-the-folder"
DOTSECRET = b"DOTSECRET-in-the-folder"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    complete: bool  # the whole body its framing announced arrived


@dataclass
class Exchange:
    answers: list[Answer] = field(default_factory=list)
    closed: bool = False  # the server closed (or reset) the connection
    hung: bool = False  # neither an answer nor a close within the time limit
    raw: bytes = b""
    send_error: str | None = None

    @property
    def statuses(self) -> list[int]:
        return [a.status for a in self.answers]


def _parse(raw: bytes) -> tuple[list[Answer], bool]:
    """Parse as many whole responses as ``raw`` holds; True when the last one is cut."""
    answers: list[Answer] = []
    pos = 0
    while pos < len(raw):
        end = raw.find(b"\r\n\r\n", pos)
        if end < 0:
            return answers, True
        head = raw[pos:end].decode("latin-1").split("\r\n")
        parts = head[0].split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            return answers, True
        status = int(parts[1])
        headers: dict[str, str] = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body_start = end + 4
        if status in (204, 304) or 100 <= status < 200:
            answers.append(Answer(status, headers, b"", True))
            pos = body_start
            continue
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body, cur = b"", body_start
            while True:
                line_end = raw.find(b"\r\n", cur)
                if line_end < 0:
                    answers.append(Answer(status, headers, body, False))
                    return answers, True
                size = int(raw[cur:line_end].split(b";")[0] or b"0", 16)
                if size == 0:
                    trailer_end = raw.find(b"\r\n\r\n", line_end)
                    if trailer_end < 0:
                        answers.append(Answer(status, headers, body, False))
                        return answers, True
                    pos = trailer_end + 4
                    break
                if line_end + 2 + size + 2 > len(raw):
                    answers.append(Answer(status, headers, body + raw[line_end + 2:], False))
                    return answers, True
                body += raw[line_end + 2:line_end + 2 + size]
                cur = line_end + 2 + size + 2
            answers.append(Answer(status, headers, body, True))
            continue
        length = int(headers.get("content-length", "0") or 0)
        body = raw[body_start:body_start + length]
        answers.append(Answer(status, headers, body, len(body) == length))
        if len(body) < length:
            return answers, True
        pos = body_start + length
    return answers, False


def exchange(port: int, data: bytes, timeout: float = 5.0, quiet: float = 0.5) -> Exchange:
    """Send ``data``; read until the server closes, or goes quiet for ``quiet`` s after
    at least one whole answer. No answer and no close within ``timeout`` is a hang."""
    result = Exchange()
    deadline = time.monotonic() + timeout
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except OSError as exc:  # the server stopped reading (too-large headers): read what it said
            result.send_error = type(exc).__name__
        chunks: list[bytes] = []
        while True:
            answers, cut = _parse(b"".join(chunks))
            settled = answers and not cut
            left = deadline - time.monotonic()
            if left <= 0:
                result.hung = not settled
                break
            sock.settimeout(min(left, quiet) if settled else left)
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                if settled:
                    break
                continue
            except (ConnectionResetError, BrokenPipeError):
                result.closed = True
                break
            if not chunk:
                result.closed = True
                break
            chunks.append(chunk)
    result.raw = b"".join(chunks)
    result.answers, _ = _parse(result.raw)
    return result


def normal_get(server: LiveServer, path: str = "/docs/notes.txt", timeout: float = 5.0) -> Answer | None:
    """One well-formed request on a fresh connection (raw: httpx builds an SSL context per call)."""
    ex = exchange(server.port, f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode(), timeout)
    return ex.answers[0] if len(ex.answers) == 1 and ex.answers[0].complete else None


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if fields[0] != "Z" and int(fields[1]) == pid:
            out.append(int(entry))
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def worker_pids(server: LiveServer) -> list[int]:
    """granian's workers: children of the server process that are not the spawned indexer."""
    return sorted(p for p in children(server.process.pid) if "multiprocessing" not in cmdline(p))


def listening_workers(server: LiveServer) -> list[int]:
    """The workers that accept connections: each holds its own listening socket on
    the server's port, from the time its app is loaded. A worker process exists for a while before that."""
    listening = listening_sockets(server.port)
    return [pid for pid in worker_pids(server) if open_files(pid) & listening]


def indexer_pids(server: LiveServer) -> list[int]:
    return sorted(p for p in children(server.process.pid)
                  if "multiprocessing" in cmdline(p) and "resource_tracker" not in cmdline(p))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def make_site(root: Path) -> Path:
    """The folder the attacks are aimed at, with a secret right beside it."""
    (root / "docs").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>Home</title><h1>Welcome home</h1>")
    (root / "docs" / "guide.html").write_text(
        "<!doctype html><html><head><title>Guide</title></head><body><h1>Lighthouse guide</h1>"
        + "<p>The lighthouse keeper trims the lamp every evening.</p>" * 80 + "</body></html>")
    (root / "docs" / "notes.txt").write_text("plain notes about harbours\n")
    (root / "data.json").write_text('{"title": "Harbour data", "items": [1, 2, 3]}')
    (root / "blob.bin").write_bytes(os.urandom(300_000))
    (root / ".env").write_bytes(DOTSECRET + b"\n")
    (root.parent / "secret.txt").write_bytes(SECRET + b"\n")
    return root


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("attack")


@pytest.fixture(scope="module")
def hard_server(module_tmp):
    """One server for a whole table of attacks (starting one per case would take minutes)."""
    root = make_site(module_tmp / "site")
    server = start_server(root, module_tmp, args=("--no-index",),
                          config='[ratelimit]\nenabled = false\n')
    yield server
    server.stop()
