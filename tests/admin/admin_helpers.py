"""Helpers for the admin tests: the admin app with a fake core in front, Dash callback bodies.

(Not named conftest.py: ``tests/conftest.py`` already owns that module name.)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from siteseer.config import Config

sys.path.insert(0, str(Path(__file__).parent.parent / "stats"))  # ``synth``: synthetic traffic
from siteseer.stats.auth import CSRF_COOKIE, CSRF_HEADER, hash_password
from siteseer.stats.blocks import BlockStore
from siteseer.web.admin import SimpleServices, create_admin_app

PASSWORD = "correct horse battery"


class FakeRequest:
    """What the core puts in ``environ["siteseer.request"]``: only ``client_ip`` is read."""

    def __init__(self, client_ip: str):
        self.client_ip = client_ip


def with_client_ip(app, client_ip: str = "192.0.2.10"):
    """WSGI middleware that plays the core's part: inject the siteseer request."""

    def middleware(environ, start_response):
        environ["siteseer.request"] = FakeRequest(environ.get("HTTP_X_TEST_CLIENT_IP", client_ip))
        return app(environ, start_response)

    return middleware


@dataclass
class Admin:
    app: object
    config: Config
    blocks: BlockStore

    def client(self):
        return self.app.test_client()

    def login(self, client, password: str = PASSWORD):
        response = client.post("/admin/login", data={"password": password})
        return response

    def csrf(self, client) -> str:
        cookie = client.get_cookie(CSRF_COOKIE)
        return cookie.value if cookie else ""


def make_config(tmp_path: Path, password: str | None = PASSWORD) -> Config:
    cfg = Config()
    cfg.root = tmp_path
    cfg.index.state_dir = str(tmp_path / "state")
    if password:
        cfg.admin.password_hash = hash_password(password, n=2 ** 12)
    return cfg


def build_admin(tmp_path: Path, config_blocks: tuple[str, ...] = (), access=None) -> Admin:
    cfg = make_config(tmp_path)
    cfg.access.block = list(config_blocks)
    blocks = BlockStore(cfg.state_dir)
    app = create_admin_app(cfg, SimpleServices(blocks, access=access))
    app.wsgi_app = with_client_ip(app.wsgi_app)
    return Admin(app, cfg, blocks)


def dependencies(admin: Admin, client) -> list[dict]:
    response = client.get("/admin/_dash-dependencies")
    assert response.status_code == 200
    return response.get_json()


def callback_body(dep: dict, values: dict | None = None) -> dict:
    """The JSON Dash's renderer posts to ``_dash-update-component`` for ``dep``."""
    values = values or {}

    def ids(output: str):
        # "..a.children...b.figure.." or "a.children"
        parts = output.strip(".").split("...")
        return [dict(zip(("id", "property"), p.rsplit(".", 1))) for p in parts]

    def item(spec):
        key = f"{spec['id']}.{spec['property']}"
        if spec["id"].startswith("{"):  # a pattern-matching ALL input: a list of matches
            return values.get(key, [])
        return {"id": spec["id"], "property": spec["property"], "value": values.get(key)}

    outputs = ids(dep["output"])
    inputs = [item(i) for i in dep["inputs"]]
    return {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}"],
        "state": [item(s) for s in dep.get("state", [])],
    }


def post_callback(client, body: dict, csrf: str | None, **headers):
    if csrf is not None:
        headers[CSRF_HEADER] = csrf
    return client.post("/admin/_dash-update-component", json=body, headers=headers)


