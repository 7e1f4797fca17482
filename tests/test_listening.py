"""The readiness checks that tests and benchmarks share: which processes listen on a port.

A granian worker exists ~1 s before it listens; a load test started in between
opens every connection on the other worker (the kill-9 test's old flake). Both
readers of ``/proc/net/tcp`` are checked here against a socket this test opens.
"""

from __future__ import annotations

import importlib.util
import os
import socket

from tests.conftest import REPO, listening_sockets, open_files


def _bench_common():
    spec = importlib.util.spec_from_file_location("bench_common", REPO / "bench" / "common.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_socket_is_listening_once_listen_is_called_not_when_bound():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        assert listening_sockets(port) == set()
        sock.listen()
        assert listening_sockets(port) == {os.readlink(f"/proc/self/fd/{sock.fileno()}")}
        assert listening_sockets(port) <= open_files(os.getpid())  # how the attack tests find a worker's
    assert listening_sockets(port) == set()


def test_the_bench_finds_the_process_holding_the_listening_socket():
    listening_pids = _bench_common().listening_pids
    with socket.socket() as sock, socket.socket() as other:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        other.bind(("127.0.0.1", 0))
        other.listen()  # on another port: not this one's
        assert listening_pids([os.getpid()], port) == []
        sock.listen()
        assert listening_pids([os.getpid(), os.getppid()], port) == [os.getpid()]
