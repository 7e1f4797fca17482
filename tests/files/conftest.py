from pathlib import Path

import pytest

from filesite import build_site


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return build_site(tmp_path)
