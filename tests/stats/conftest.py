"""Fixtures for the stats tests: a config whose state lives in the test's tmp dir."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from siteseer.config import Config

sys.path.insert(0, str(Path(__file__).parent))  # for ``synth``


@pytest.fixture
def config(tmp_path: Path) -> Config:
    cfg = Config()
    cfg.root = tmp_path
    cfg.index.state_dir = str(tmp_path / "state")
    return cfg
