"""Block and allow lists on every route, trusted proxies, live reload of the lists."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import wait_until

ROUTES = ["/", "/search?q=guide", "/docs/notes.txt", "/api/search?q=guide", "/_dash-layout",
          "/_dash-dependencies", "/admin", "/missing", "/docs/"]


def test_blocked_client_gets_403_everywhere(serve, site):
    server = serve(site, config='[access]\nblock = ["127.0.0.0/8"]\n', args=("--no-index",))
    with server.client() as c:
        for path in ROUTES:
            assert c.get(path).status_code == 403, path
        assert c.post("/_dash-update-component", json={}).status_code == 403


def test_allowlist_shuts_out_the_rest(serve, site):
    server = serve(site, config='[access]\nallow = ["192.0.2.0/24"]\n', args=("--no-index",))
    with server.client() as c:
        assert c.get("/docs/notes.txt").status_code == 403


def test_forwarded_for_counts_only_from_trusted_proxies(serve, site):
    server = serve(site, config='[access]\nblock = ["198.51.100.0/24", "::ffff:203.0.113.5"]\n'
                                'trusted_proxies = ["127.0.0.1"]\n', args=("--no-index",))
    with server.client() as c:
        assert c.get("/docs/notes.txt", headers={"x-forwarded-for": "198.51.100.9"}).status_code == 403
        assert c.get("/docs/notes.txt", headers={"forwarded": "for=198.51.100.9"}).status_code == 200  # not the proxy's
        assert c.get("/docs/notes.txt", headers={"x-forwarded-for": "203.0.113.5"}).status_code == 403
        assert c.get("/docs/notes.txt", headers={"x-forwarded-for": "::ffff:198.51.100.1"}).status_code == 403
        assert c.get("/docs/notes.txt", headers={"x-forwarded-for": "192.0.2.1"}).status_code == 200


def test_a_proxy_that_writes_forwarded(serve, site):
    server = serve(site, config='[access]\nblock = ["198.51.100.0/24"]\ntrusted_proxies = ["127.0.0.1"]\n'
                                'proxy_header = "Forwarded"\n', args=("--no-index",))
    with server.client() as c:
        assert c.get("/docs/notes.txt", headers={"forwarded": "for=198.51.100.9"}).status_code == 403
        assert c.get("/docs/notes.txt", headers={"x-forwarded-for": "198.51.100.9"}).status_code == 200  # the client's own
        spoof = {"x-forwarded-for": "192.0.2.1", "forwarded": "for=198.51.100.9"}
        assert c.get("/docs/notes.txt", headers=spoof).status_code == 403


def test_spoofed_forwarded_for_from_untrusted_client_is_ignored(serve, site):
    server = serve(site, config='[access]\nblock = ["127.0.0.1"]\n', args=("--no-index",))
    with server.client() as c:
        assert c.get("/docs/notes.txt", headers={"x-forwarded-for": "192.0.2.1"}).status_code == 403


def test_blocklist_edit_applies_in_every_worker_without_restart(serve, site, tmp_path):
    server = serve(site, config='[access]\nblock = []\n', workers=2, args=("--no-index",))
    config = tmp_path / "siteseer-test.toml"
    with server.client() as c:
        assert c.get("/docs/notes.txt").status_code == 200
        config.write_text('[access]\nblock = ["127.0.0.1"]\n')
        os.utime(config, ns=(10**18, 10**18))
        # Every worker must see it: many fresh connections spread over both workers,
        # sent together so that one round of checks takes one round trip, not twenty.
        def status(_):
            return httpx.get(server.url + "/docs/notes.txt").status_code

        with ThreadPoolExecutor(max_workers=10) as pool:
            def all_blocked():
                return all(code == 403 for code in pool.map(status, range(20)))
            wait_until(all_blocked, timeout=3, interval=0.2, message="the block to reach every worker")
