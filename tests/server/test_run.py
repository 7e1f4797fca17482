"""How ``siteseer serve`` configures granian."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from granian.constants import Interfaces, Loops

from siteseer.config import load_config
from siteseer.server import run


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
