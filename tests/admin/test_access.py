"""Every admin route and callback needs a session; logins, cookies, CSRF and origins."""

from __future__ import annotations

import re

import pytest

from admin_helpers import (PASSWORD, build_admin, callback_body, dependencies, make_config, post_callback,
                           with_client_ip)
from siteseer.stats.auth import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, hash_password
from siteseer.stats.blocks import BlockStore
from siteseer.stats.throttle import FREE_TRIES
from siteseer.web.admin import SimpleServices, create_admin_app, csp_script_hashes
from siteseer.web.admin.app import DASH_EXTENSION


def concrete(rule: str) -> str:
    """A URL for a Flask rule, converters filled with plausible values."""
    samples = {"package_name": "dash", "fingerprinted_path": "dash-renderer/build/dash_renderer.v4_4_1m1.min.js",
               "filename": "admin.css", "path": "anything/here"}
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: samples.get(m.group(1), "x"), rule)


def test_every_route_needs_a_session(admin):
    client = admin.client()
    rules = [r for r in admin.app.url_map.iter_rules() if r.rule != "/admin/login"]
    assert len(rules) >= 9  # Dash's own routes are all here
    for rule in rules:
        url = concrete(rule.rule)
        for method in sorted(rule.methods - {"OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code in (401, 403), (method, url, response.status_code)
            assert SESSION_COOKIE.encode() not in response.data


def test_asset_and_bundle_paths_need_a_session(admin):
    client = admin.client()
    for url in ("/admin", "/admin/", "/admin/_dash-layout", "/admin/_dash-dependencies", "/admin/_siteseer/admin.css",
                "/admin/_dash-component-suites/plotly/package_data/plotly.min.js", "/admin/_favicon.ico",
                "/admin/_reload-hash", "/admin/no/such/page"):
        assert client.get(url).status_code == 401, url


def test_bundles_served_by_a_worker_that_never_rendered_the_page(admin, tmp_path):
    client = admin.client()
    admin.login(client)
    html = client.get("/admin/").data.decode()
    other = create_admin_app(admin.config, SimpleServices(admin.blocks))
    dash_app = other.extensions[DASH_EXTENSION]
    # Set up before any request: a fresh worker's threads must have nothing to race for.
    assert dash_app.registered_paths["dash"] and dash_app.callback_map
    other_worker = other.test_client()
    other_worker.set_cookie(SESSION_COOKIE, client.get_cookie(SESSION_COOKIE).value)
    bundles = re.findall(r'src="(/admin/_dash-component-suites/[^"]+)"', html)
    assert len(bundles) > 5
    for url in bundles:
        assert other_worker.get(url).status_code == 200, url


def test_every_callback_needs_a_session(admin):
    client = admin.client()
    admin.login(client)
    deps = dependencies(admin, client)
    assert len(deps) >= 4
    anonymous = admin.client()
    for dep in deps:
        response = post_callback(anonymous, callback_body(dep), csrf="anything")
        assert response.status_code == 401, dep["output"]
        # A session but no CSRF token, or a wrong one: refused too.
        assert post_callback(client, callback_body(dep), csrf=None).status_code == 403
        assert post_callback(client, callback_body(dep), csrf="wrong").status_code == 403


def test_login_page_and_dashboard_with_session(admin):
    client = admin.client()
    response = client.get("/admin/")
    assert response.status_code == 401 and b'type="password"' in response.data
    # Its own icon: without one the browser asks for /favicon.ico, a 404 in the dashboard's own list.
    assert b'<link rel="icon" type="image/svg+xml" href="/_siteseer/favicon.svg">' in response.data
    assert client.get("/admin/login").status_code == 200
    response = admin.login(client)
    assert response.status_code == 303 and response.headers["location"].endswith("/admin/")
    page = client.get("/admin/")
    assert page.status_code == 200 and b"_dash-config" in page.data
    assert page.headers["cache-control"] == "no-store"
    assert client.get("/admin/_dash-layout").status_code == 200
    assert client.get("/admin/_siteseer/admin.css").status_code == 200


def test_cookie_flags(admin):
    client = admin.client()
    cookies = admin.login(client).headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith(SESSION_COOKIE + "="))
    csrf = next(c for c in cookies if c.startswith(CSRF_COOKIE + "="))
    assert "HttpOnly" in session and "SameSite=Strict" in session and "Path=/" in session
    assert "Secure" not in session  # plain http here
    assert "HttpOnly" not in csrf and "SameSite=Strict" in csrf  # Dash's renderer must read it
    https = admin.client()
    cookies = https.post("/admin/login", data={"password": PASSWORD}, base_url="https://admin.example").headers
    assert all("Secure" in c for c in cookies.getlist("Set-Cookie"))


def test_wrong_password(admin):
    client = admin.client()
    response = admin.login(client, "nope")
    assert response.status_code == 401 and b"Wrong password" in response.data
    assert client.get_cookie(SESSION_COOKIE) is None
    assert client.get("/admin/_dash-layout").status_code == 401


def test_failed_logins_are_throttled(admin):
    client = admin.client()
    for _ in range(FREE_TRIES):
        assert admin.login(client, "guess").status_code == 401
    response = admin.login(client)  # even the right password waits now
    assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
    other = admin.client()
    response = other.post("/admin/login", data={"password": PASSWORD}, headers={"X-Test-Client-IP": "192.0.2.99"})
    assert response.status_code == 303  # other clients are not locked out


def test_logins_with_a_damaged_state_db(tmp_path):
    """The throttle's read of state.db failed ("file is not a database"): every login a 500."""
    import os

    make_config(tmp_path).state_dir.mkdir()
    (make_config(tmp_path).state_dir / "state.db").write_bytes(os.urandom(40_000))
    admin = build_admin(tmp_path)
    client = admin.client()
    assert admin.login(client, "guess").status_code == 401
    assert admin.login(client).status_code == 303
    assert len(list(admin.config.state_dir.glob("state.db.damaged-*"))) == 1


def test_cross_origin_login_refused(admin):
    client = admin.client()
    response = client.post("/admin/login", data={"password": PASSWORD}, headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    response = client.post("/admin/login", data={"password": PASSWORD}, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_cross_origin_callback_refused_even_with_token(admin):
    client = admin.client()
    admin.login(client)
    dep = next(d for d in dependencies(admin, client) if d["output"].startswith("..block-list"))
    body = callback_body(dep)
    token = admin.csrf(client)
    assert post_callback(client, body, token, Origin="http://evil.example").status_code == 403
    assert post_callback(client, body, token, **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert post_callback(client, body, token, Origin="http://localhost").status_code == 200


def test_logout(admin):
    client = admin.client()
    admin.login(client)
    token = admin.csrf(client)
    assert client.post("/admin/logout").status_code == 403  # no CSRF token
    response = client.post("/admin/logout", data={"csrf": token})
    assert response.status_code == 303
    assert client.get("/admin/_dash-layout").status_code == 401


def test_a_copy_of_the_cookie_is_dead_after_logout(admin):
    # Sessions are signed cookies: logging out only made the browser forget its copy,
    # and any other copy opened the admin until it expired (12 hours by default).
    client = admin.client()
    admin.login(client)
    stolen = client.get_cookie(SESSION_COOKIE).value
    other = admin.client()
    other.set_cookie(SESSION_COOKIE, stolen)
    assert other.get("/admin/_dash-layout").status_code == 200
    assert client.post("/admin/logout", data={"csrf": admin.csrf(client)}).status_code == 303
    assert other.get("/admin/_dash-layout").status_code == 401
    assert other.get("/admin/login").status_code == 200  # the form again, not a redirect to the dashboard
    admin.login(client)  # a new login makes a new session
    assert client.get("/admin/_dash-layout").status_code == 200


def test_session_invalid_after_password_change(tmp_path):
    cfg = make_config(tmp_path, "first password")
    blocks = BlockStore(cfg.state_dir)
    app = create_admin_app(cfg, SimpleServices(blocks))
    app.wsgi_app = with_client_ip(app.wsgi_app)
    client = app.test_client()
    assert client.post("/admin/login", data={"password": "first password"}).status_code == 303
    cookie = client.get_cookie(SESSION_COOKIE).value
    # A restart with a new password: the old cookie no longer opens anything.
    cfg.admin.password_hash = hash_password("second password", n=2 ** 12)
    app2 = create_admin_app(cfg, SimpleServices(blocks))
    client2 = app2.test_client()
    client2.set_cookie(SESSION_COOKIE, cookie)
    assert client2.get("/admin/_dash-layout").status_code == 401


def test_forged_cookie_refused(admin):
    client = admin.client()
    client.set_cookie(SESSION_COOKIE, "eyJjc3JmIjoieCJ9.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb")
    assert client.get("/admin/_dash-layout").status_code == 401


def test_admin_off_without_password(tmp_path, caplog):
    cfg = make_config(tmp_path, password=None)
    with caplog.at_level("INFO", logger="siteseer.admin"):
        app = create_admin_app(cfg, SimpleServices(BlockStore(cfg.state_dir)))
    assert "admin dashboard is off" in caplog.text
    client = app.test_client()
    for url in ("/admin", "/admin/", "/admin/login", "/admin/_dash-layout", "/admin/_siteseer/admin.css"):
        assert client.get(url).status_code == 404
    assert client.post("/admin/login", data={"password": ""}).status_code == 404
    assert csp_script_hashes(app) == []


def test_csp_hashes(admin):
    hashes = csp_script_hashes(admin.app)
    assert hashes and all(h.startswith("sha256-") and "'" not in h for h in hashes)
    page = admin.client()
    admin.login(page)
    html = page.get("/admin/").data.decode()
    import base64
    import hashlib

    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)  # Dash's IE-only conditional comment never runs
    inline = [body for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
              if "src=" not in attrs and "application/json" not in attrs]
    assert inline
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"sha256-{digest}" in hashes


@pytest.mark.parametrize("header", [CSRF_HEADER])
def test_csrf_header_name_matches_dash_config(admin, header):
    client = admin.client()
    admin.login(client)
    html = client.get("/admin/").data.decode()
    assert f'"csrf_header_name":"{header}"' in html and f'"csrf_token_name":"{CSRF_COOKIE}"' in html


def test_failed_logins_count_per_ipv6_network(admin):
    client = admin.client()
    for i in range(FREE_TRIES):  # a new address of the same /64 for each guess
        response = client.post("/admin/login", data={"password": "guess"},
                               headers={"X-Test-Client-IP": f"2001:db8:1:2::{i + 1}"})
        assert response.status_code == 401
    response = client.post("/admin/login", data={"password": PASSWORD}, headers={"X-Test-Client-IP": "2001:db8:1:2::99"})
    assert response.status_code == 429
    response = client.post("/admin/login", data={"password": PASSWORD}, headers={"X-Test-Client-IP": "2001:db8:1:3::1"})
    assert response.status_code == 303  # the next /64 is another client


def test_logins_from_many_addresses_are_limited_per_worker(tmp_path, monkeypatch):
    from siteseer.stats import throttle

    monkeypatch.setattr(throttle, "LOGINS_PER_SECOND", 1e-6)  # no refill within the test
    client = build_admin(tmp_path).client()
    codes = [client.post("/admin/login", data={"password": "guess"},
                         headers={"X-Test-Client-IP": f"192.0.2.{i + 1}"}).status_code for i in range(throttle.LOGIN_BURST)]
    assert codes == [401] * throttle.LOGIN_BURST  # each address fails once: no per-client throttle yet
    response = client.post("/admin/login", data={"password": PASSWORD}, headers={"X-Test-Client-IP": "198.51.100.7"})
    assert response.status_code == 429 and b"Too many logins at once" in response.data
    assert int(response.headers["retry-after"]) >= 1


def test_the_dashboard_page_is_in_english_and_has_no_empty_footer():
    from siteseer.web.admin.app import _INDEX_STRING

    assert '<html lang="en">' in _INDEX_STRING and "<footer>" not in _INDEX_STRING
    assert all(f"{{%{name}%}}" in _INDEX_STRING for name in ("app_entry", "config", "scripts", "renderer"))


def test_the_site_name_in_the_admin_title_is_text(admin):
    """The public pages escaped it; the admin put `<b>` and Dash's whole config script in <title>."""
    admin.config.server.site_name = "QA <b>site</b> {%config%}"
    other = create_admin_app(admin.config, SimpleServices(admin.blocks))
    client = other.test_client()
    admin.login(client)
    page = client.get("/admin/").data.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title == "QA &lt;b&gt;site&lt;/b&gt; &#123;&#37;config&#37;&#125; admin"
    assert page.count('id="_dash-config"') == 1
