"""How ``siteseer serve`` configures granian."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest
from granian.constants import Interfaces, Loops

from siteseer.config import load_config
from siteseer.server import run
from tests.conftest import REPO


@pytest.fixture
def server(tmp_path):
    return run.build_server(load_config(tmp_path), workers=2)


def test_workers_speak_rsgi_on_uvloop(server):
    # uvloop is a dependency (but on Windows): the benchmarks measured the server on it.
    assert sys.platform == "win32" or importlib.util.find_spec("uvloop") is not None
    assert server.interface == Interfaces.RSGI
    assert server.loop == Loops.uvloop


def test_without_uvloop_the_loop_is_asyncio(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop now raises ImportError
    assert run.event_loop() == Loops.asyncio


def test_header_limits_are_the_configured_ones(server):
    settings = server.http1_settings
    assert settings.header_read_timeout == 10_000 and settings.max_buffer_size == 64 * 1024


def test_serving_raises_the_open_files_limit_to_the_hard_one():
    # At a soft limit of 1,024 the large files' descriptors, connections and SQLite ran out.
    script = ("import resource\n"
              "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
              "resource.setrlimit(resource.RLIMIT_NOFILE, (min(256, hard), hard))\n"
              "from siteseer.server.run import raise_open_files_limit\n"
              "print(raise_open_files_limit() == (hard, hard), resource.getrlimit(resource.RLIMIT_NOFILE) == (hard, hard))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.stdout.split() == ["True", "True"], done.stderr


def test_serve_raises_the_limit_before_starting_anything(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(run, "raise_open_files_limit", lambda: calls.append("limit"))
    monkeypatch.setattr(run, "build_server", lambda *a: calls.append("server") or type("S", (), {"serve": lambda s: None})())
    config = load_config(tmp_path)
    config.index.enabled = False
    run.serve(config)
    assert calls == ["limit", "server"]
