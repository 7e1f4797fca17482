"""hello-world's own test: the layout renders and the callback answers,
in-process through Dash's Flask server (no browser, no network)."""

from __future__ import annotations

import importlib.util
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture
def hello_app():
    # Imported here, not at collection, so its app exists only for this test.
    spec = importlib.util.spec_from_file_location("hello_world_app", HERE / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


def test_layout_renders(hello_app):
    client = hello_app.server.test_client()
    page = client.get("/")
    assert page.status_code == 200
    assert b"<title>Hello, Dash</title>" in page.data
    layout = client.get("/_dash-layout").get_json()
    text = json.dumps(layout)
    assert '"Hello, Dash"' in text
    assert '"id": "name"' in text and '"id": "greeting"' in text


def test_callback_answers(hello_app):
    client = hello_app.server.test_client()
    client.get("/")  # Dash finishes its setup on the first request
    body = {
        "output": "greeting.children",
        "outputs": {"id": "greeting", "property": "children"},
        "inputs": [{"id": "name", "property": "value", "value": "Ada"}],
        "changedPropIds": ["name.value"],
        "state": [],
    }
    # In a worker thread, like a real server: Dash may run callbacks through
    # asyncio, which refuses a thread that already has a running loop (as
    # pytest's main thread does once a Playwright test has run).
    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(client.post, "/_dash-update-component", json=body).result(timeout=30)
    assert response.status_code == 200
    assert response.get_json()["response"]["greeting"]["children"] == "Hello, Ada!"


def test_example_page_works_in_siteseer(tmp_path):
    from siteseer.config import Config
    from siteseer.web.app import create_web_app, web_paths

    class NoSearch:
        def search(self, q, page=1, per_page=10, type=None):
            return {"query": q, "total": 0, "took_ms": 0, "page": page, "per_page": per_page, "hits": [],
                    "facets": {}, "suggestion": None, "index": {"documents": 0, "indexing": False}}

        def suggest(self, prefix, limit=8):
            return []

        def status(self):
            return {"documents": 0, "indexing": False}

    config = Config(root=tmp_path)
    config.server.pages_dir = str(HERE / "pages")
    app = create_web_app(config, NoSearch())
    assert "/hello" in web_paths(app).exact
    client = app.server.test_client()
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost/hello"}).get_json()
    assert "Hello from a siteseer page" in json.dumps(layout)
    body = {
        "output": "hello-greeting.children",
        "outputs": {"id": "hello-greeting", "property": "children"},
        "inputs": [{"id": "hello-name", "property": "value", "value": "Grace"}],
        "changedPropIds": ["hello-name.value"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:300]
    assert response.get_json()["response"]["hello-greeting"]["children"] == "Hello, Grace!"
