"""The readiness checks that tests and benchmarks share: which processes listen on a port.

A granian worker exists ~1 s before it listens; a load test started in between
opens every connection on the other worker (the kill-9 test's old flake). The
readers of /proc (``bench/common.py``, which the tests use too) are checked here
against sockets this test opens.
"""

from __future__ import annotations

import os
import socket

from tests.conftest import BENCH_COMMON, listening_sockets, open_files


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
    listening_pids = BENCH_COMMON.listening_pids
    with socket.socket() as sock, socket.socket() as other:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        other.bind(("127.0.0.1", 0))
        other.listen()  # on another port: not this one's
        assert listening_pids([os.getpid()], port) == []
        sock.listen()
        assert listening_pids([os.getpid(), os.getppid()], port) == [os.getpid()]
