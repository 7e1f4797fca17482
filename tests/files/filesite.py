"""Helpers for the file-server tests: a small served folder with the awkward cases.

A plain module (not conftest) so tests can import it by a name no other
test folder uses."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from siteseer.config import Config
from siteseer.server.messages import Request

SECRET = b"TOP SECRET outside the root"
BIG_JS = ("function add(a, b) { return a + b; }\n" * 400).encode()  # ~15 KB, compresses well
BIG_BIN = bytes(range(256)) * (3 * 4096)  # 3 MiB, patterned so ranges are checkable


def build_site(base: Path) -> Path:
    """Create ``base/site`` (the root) and a few things outside it."""
    (base / "secret.txt").write_bytes(SECRET)
    (base / "outside").mkdir()
    (base / "outside" / "x.txt").write_bytes(SECRET)
    (base / "site-private").mkdir()  # shares the root's name as a prefix
    (base / "site-private" / "p.txt").write_bytes(SECRET)

    root = base / "site"
    root.mkdir()
    (root / "index.html").write_text("<h1>home</h1>")
    (root / "a.txt").write_text("hello\n")
    (root / "small.js").write_text("var a = 1;\n")
    (root / "big.js").write_bytes(BIG_JS)
    (root / "big.css").write_bytes(b"body { color: red; }\n" * 200)
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 5000)
    (root / "doc.pdf").write_bytes(b"%PDF-1.4\n" + b"x" * 5000)
    (root / "big.bin").write_bytes(BIG_BIN)
    (root / "empty.txt").write_bytes(b"")
    (root / ".env").write_text("PASSWORD=x\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    (root / ".siteseer").mkdir()
    (root / ".siteseer" / "catalog.db").write_bytes(b"db")
    (root / "siteseer.toml").write_text('secret_key = "k"\n')
    (root / "sub").mkdir()
    (root / "sub" / "index.html").write_text("<h1>sub</h1>")
    (root / "sub" / "page.html").write_text("<p>page</p>")
    (root / "plain").mkdir()  # no index.html
    (root / "plain" / "<b>&'\"name.txt").write_text("odd")
    (root / "plain" / ".hidden").write_text("h")
    (root / "plain" / "folder").mkdir()
    (root / "evil.example").mkdir()
    (root / "link.txt").symlink_to("a.txt")
    (root / "sublink").symlink_to("sub")
    (root / "escape.txt").symlink_to(base / "secret.txt")
    (root / "escape_rel.txt").symlink_to("../secret.txt")
    (root / "escape_dir").symlink_to(base / "outside")
    (root / "escape_prefix").symlink_to(base / "site-private")
    (root / "innocent.txt").symlink_to(".env")
    (root / "broken.txt").symlink_to("does-not-exist")
    os.mkfifo(root / "fifo")
    return root


def make_config(root: Path, **files) -> Config:
    config = Config()
    config.root = root.resolve()
    config.config_path = root / "siteseer.toml"
    for key, value in files.items():
        setattr(config.files, key, value)
    return config


def get(server, path: str, method: str = "GET", query: str = "", **headers: str):
    """Run one request through ``server`` (header names: ``if_none_match`` -> ``if-none-match``)."""
    request = Request(method, path, query, {k.replace("_", "-"): v for k, v in headers.items()})
    return asyncio.run(server(request))
