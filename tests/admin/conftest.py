"""Fixtures for the admin tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # ``admin_helpers``

from admin_helpers import Admin, build_admin  # noqa: E402


@pytest.fixture
def admin(tmp_path) -> Admin:
    return build_admin(tmp_path)
