"""Files under the paths the core answers itself are never served, so the indexer leaves them out."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from siteseer.config import load_config
from siteseer.files.resolve import SERVER_FOLDERS, SERVER_PATHS
from siteseer.index.scan import Scope, scan
from siteseer.server.app import SiteseerApp
from tests.server.test_core_qa_fixes import Proto, Scope as RsgiScope

MARK = b"shadowed-file-text"
SHADOWED = [*(folder + "r.txt" for folder in SERVER_FOLDERS), *sorted(SERVER_PATHS)]
SERVED = ["apix/r.txt", "administration.txt", "searching.txt", "_other/r.txt", "docs/api/r.txt"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("paths") / "site"
    for rel in SHADOWED + SERVED:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        if not (root / rel).is_dir():
            (root / rel).write_bytes(MARK)
    return root


def answer(app: SiteseerApp, path: str) -> tuple[int, bytes]:
    proto = Proto()
    asyncio.run(app.__rsgi__(RsgiScope("GET", "/" + path, []), proto))
    return proto.answer[0], proto.answer[2]


def test_the_core_answers_these_paths_and_the_indexer_leaves_them_out(site):
    app = SiteseerApp(load_config(site))
    app.accesslog.stream = io.StringIO()
    try:
        for rel in SHADOWED:
            status, body = answer(app, rel)
            assert MARK not in body, f"/{rel} was served from the folder ({status})"
        for rel in SERVED:
            assert answer(app, rel) == (200, MARK), rel
    finally:
        app.services.close()
    scope = Scope(site, site / ".siteseer")
    indexed = set(scan(site, scope, lambda p: "text"))
    assert indexed == set(SERVED)


def test_files_in_folders_named_as_the_cores_pages_are_served_and_indexed(tmp_path: Path):
    """Only the paths themselves are the core's: /search/inner.html is the folder's file."""
    served = ["search/inner.html", "healthz/r.txt", "metrics/sub/r.txt"]
    for rel in served:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(MARK)
    app = SiteseerApp(load_config(tmp_path))
    app.accesslog.stream = io.StringIO()
    try:
        assert {rel: answer(app, rel) for rel in served} == {rel: (200, MARK) for rel in served}
    finally:
        app.services.close()
    assert set(scan(tmp_path, Scope(tmp_path, tmp_path / ".siteseer"), lambda p: "text")) == set(served)
