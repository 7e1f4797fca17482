"""Who sent a request is decided before anything refuses it: the block list, the rate limit
and the records apply to malformed requests too, with access lists as the file says now."""

from __future__ import annotations

import asyncio
import io
import os

import pytest

from siteseer.config import load_config
from siteseer.server.app import SiteseerApp
from tests.server.test_core_qa_fixes import Answer, Proto, Scope

BLOCKED = "203.0.113.7"


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "a.txt").write_text("hello")
    return root


def make_app(site, config: str) -> SiteseerApp:
    (site / "siteseer.toml").write_text(config)
    app = SiteseerApp(load_config(site))
    app.accesslog.stream = io.StringIO()
    return app


def ask(app, path: str, forwarded_for: str) -> Answer:
    proto = Proto()
    path, _, query = path.partition("?")
    scope = Scope("GET", path, [("x-forwarded-for", forwarded_for)], query)
    asyncio.run(app.__rsgi__(scope, proto))
    return Answer(*proto.answer)


def test_a_blocked_client_gets_its_403_for_a_malformed_request_too(site):
    app = make_app(site, f'[access]\nblock = ["{BLOCKED}"]\ntrusted_proxies = ["127.0.0.1"]\n')
    try:
        assert ask(app, "/a.txt", BLOCKED).status == 403
        assert ask(app, "/a.txt?q=%zz", BLOCKED).status == 403  # was a 400: the block list came after
        assert ask(app, "/a.txt?q=%zz", "192.0.2.1").status == 400  # the others still get what is wrong
        app.accesslog.flush()
        log = app.accesslog.stream.getvalue()
        assert log.count(BLOCKED) == 2 and "192.0.2.1" in log  # the client, not the proxy (127.0.0.1)
    finally:
        app.services.close()


def test_malformed_requests_count_against_the_rate_limit(site):
    app = make_app(site, '[access]\ntrusted_proxies = ["127.0.0.1"]\n'
                         '[ratelimit]\nenabled = true\nrate = 1\nburst = 50\n')
    try:
        statuses = [ask(app, "/a.txt?q=%zz", "192.0.2.44").status for _ in range(60)]
        assert statuses[:50] == [400] * 50 and 429 in statuses[50:], statuses
        assert ask(app, "/a.txt", "192.0.2.45").status == 200  # per client
    finally:
        app.services.close()


def test_a_proxy_taken_out_of_the_trusted_list_is_not_trusted_for_one_more_request(site):
    config = site / "siteseer.toml"
    app = make_app(site, '[access]\ntrusted_proxies = ["127.0.0.1"]\n')
    try:
        assert ask(app, "/a.txt", "192.0.2.1").status == 200
        config.write_text('[access]\nblock = ["127.0.0.1"]\n')  # no proxy now: the peer is the client
        os.utime(config, ns=(1, 1))
        app.services.access._next_check = 0.0  # its next check is due (every second otherwise)
        # The first request after the change was judged as from 192.0.2.1 (200).
        assert ask(app, "/a.txt", "192.0.2.1").status == 403
    finally:
        app.services.close()
