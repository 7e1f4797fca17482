"""Hostile input to the application: parser properties, XSS in every page that
echoes input, blocklist bypass attempts, and the admin's locks (sessions,
throttling, cookie flags, cross-site requests)."""

from __future__ import annotations

import contextlib
import html as htmllib
import json
import ipaddress

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siteseer.gatekeeper.access import NetworkSet, client_ip, parse_ip
from siteseer.gatekeeper.accesslog import combined_line
from siteseer.gatekeeper.errors import error_response
from siteseer.gatekeeper.validate import check_request
from siteseer.http.conditional import (if_range_allows_range, is_not_modified, is_precondition_failed,
                                       parse_etag_list)
from siteseer.server.messages import Request
from tests.attack.conftest import exchange, make_site
from tests.conftest import wait_until

PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
header_text = st.text(st.characters(codec="latin-1"), max_size=120)

# --- properties ---------------------------------------------------------------------


@PROPS
@given(header_text, header_text, st.integers(0, 2 ** 40))
def test_conditional_parsers_never_raise(inm, ims, mtime):
    etag = '"abc-1"'
    parse_etag_list(inm)
    assert isinstance(is_not_modified(inm, ims, etag, "Tue, 24 Nov 2026 20:18:55 GMT", mtime), bool)
    assert isinstance(is_precondition_failed(inm, ims, etag, mtime), bool)
    assert isinstance(if_range_allows_range(inm, etag, "Tue, 24 Nov 2026 20:18:55 GMT"), bool)
    assert if_range_allows_range(None, etag, "x") is True


@PROPS
@given(st.text(max_size=30), st.text(max_size=200), st.text(max_size=100),
       st.dictionaries(st.sampled_from(["host", "transfer-encoding", "content-length", "x-a"]), header_text),
       st.sampled_from(["1.0", "1.1", "2", ""]))
def test_check_request_never_raises(method, path, query, headers, version):
    problem = check_request(method, path, query, headers, version, 8192)
    assert problem is None or (400 <= problem.status < 600 and problem.message)


ip_like = st.one_of(st.ip_addresses().map(str), st.ip_addresses(v=6).map(lambda a: f"[{a}]:443"),
                    st.ip_addresses(v=4).map(lambda a: f"::ffff:{a}"), st.text(max_size=40))


@PROPS
@given(ip_like, st.lists(ip_like, max_size=5), st.booleans(), st.booleans())
def test_client_ip_never_raises_and_only_trusted_peers_forward(peer, hops, use_forwarded, trust_peer):
    trusted = NetworkSet(["127.0.0.1", "10.0.0.0/8"])
    peer_ip = "127.0.0.1" if trust_peer else (str(parse_ip(peer)) if parse_ip(peer) else "192.0.2.9")
    headers = ({"forwarded": ", ".join(f'for="{h}"' for h in hops)} if use_forwarded
               else {"x-forwarded-for": ", ".join(hops)})
    result = client_ip(peer_ip, headers, trusted)
    assert isinstance(result, str)
    if peer_ip not in trusted:
        assert result == peer_ip  # an untrusted client cannot choose its own address
    else:
        assert result == peer_ip or ipaddress.ip_address(result)


@PROPS
@given(st.text(max_size=200))
def test_error_pages_and_log_lines_escape_everything(text):
    page = error_response(Request("GET", "/x", headers={"accept": "text/html"}), 404, text).body.decode()
    # The message's own paragraph, not the whole page: the template's tags would
    # contain a text such as "<" or "<p>" however well it was escaped.
    message = page.split("</h1><p>", 1)[1].split("</p><form", 1)[0]
    assert message == htmllib.escape(text or "Not Found")
    line = combined_line({"method": "GET", "target": "/" + text, "http_version": "1.1", "ip": "192.0.2.1",
                          "ts": 0.0, "status": 200, "bytes": 0, "referrer": text, "ua": text, "duration_ms": 1.0})
    assert "\n" not in line and "\r" not in line  # no forged log lines


# --- blocklist bypass -------------------------------------------------------------------

def test_blocked_untrusted_client_cannot_talk_its_way_in(serve, tmp_path):
    server = serve(make_site(tmp_path / "site"), config='[access]\nblock = ["127.0.0.1"]\n', args=("--no-index",))
    spoofs = [{"x-forwarded-for": "192.0.2.1"}, {"forwarded": "for=192.0.2.1"}, {"x-real-ip": "192.0.2.1"},
              {"x-forwarded-for": "192.0.2.1, 192.0.2.2"}, {"x-forwarded-for": "::ffff:192.0.2.1"},
              {"x-client-ip": "192.0.2.1", "true-client-ip": "192.0.2.1"}]
    paths = ["/", "/docs/notes.txt", "/_dash-layout", "/_dash-dependencies", "/_siteseer/siteseer.js",
             "/_dash-component-suites/dash/deps/react@18.3.1.min.js", "/healthz", "/metrics", "/admin/login",
             "/api/suggest?q=li"]
    with server.client() as c:
        for headers in spoofs:
            for path in paths:
                assert c.get(path, headers=headers).status_code == 403, (path, headers)
            assert c.post("/_dash-update-component", json={}, headers=headers).status_code == 403
            assert c.post("/admin/login", data={"password": "x"}, headers=headers).status_code == 403
            assert c.head("/docs/notes.txt", headers=headers).status_code == 403
            assert c.options("/docs/notes.txt", headers=headers).status_code == 403
    for raw in [b"OPTIONS * HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                b"GET /docs/notes.txt HTTP/1.0\r\n\r\n",
                b"GET http://t/docs/notes.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                b"GET /docs/notes.txt HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 192.0.2.1\r\n"
                b"X-Forwarded-For: 192.0.2.2\r\nConnection: close\r\n\r\n"]:
        ex = exchange(server.port, raw)
        assert ex.statuses == [403], (raw, ex.raw[:100])


def test_ipv4_mapped_and_odd_spellings_of_a_blocked_address(serve, tmp_path):
    server = serve(make_site(tmp_path / "site"), args=("--no-index",),
                   config='[access]\nblock = ["198.51.100.0/24", "::ffff:203.0.113.0/120"]\n'
                          'trusted_proxies = ["127.0.0.1"]\n')
    trusted = NetworkSet(["127.0.0.1"])
    spellings = ["198.51.100.7", "::ffff:198.51.100.7", "[::ffff:198.51.100.7]:1234", "198.51.100.7:80",
                 "::ffff:c633:6407", "0:0:0:0:0:ffff:c633:6407", "198.51.100.7 , 127.0.0.1", "203.0.113.9",
                 "::ffff:203.0.113.9", "192.0.2.1, 198.51.100.7", "198.51.100.7, 127.0.0.1"]
    with server.client() as c:
        for xff in spellings:
            assert c.get("/docs/notes.txt", headers={"x-forwarded-for": xff}).status_code == 403, xff
        for fwd in ['for="[::ffff:198.51.100.7]:99"', "for=198.51.100.7;proto=http", 'for="198.51.100.7:1"']:
            # Read only from a proxy that writes Forwarded (access.proxy_header): here the client's own.
            assert client_ip("127.0.0.1", {"forwarded": fwd}, trusted, "forwarded") == "198.51.100.7", fwd
            assert c.get("/docs/notes.txt", headers={"forwarded": fwd}).status_code == 200, fwd
        assert c.post("/_dash-update-component", json={}, headers={"x-forwarded-for": "198.51.100.7"}).status_code == 403
        assert c.get("/docs/notes.txt", headers={"x-forwarded-for": "192.0.2.1"}).status_code == 200


# --- admin ------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


@pytest.fixture
def admin_server(serve, tmp_path):
    return serve(make_site(tmp_path / "site"), workers=2, args=("--no-index",),
                 env={"SITESEER_ADMIN_PASSWORD": PASSWORD, "SITESEER_SECRET_KEY": "attack-suite-key"})


@contextlib.contextmanager
def _login(server):
    with server.client() as c:
        r = c.post("/admin/login", data={"password": PASSWORD})
        assert r.status_code == 303, r.text
        yield c


def test_every_admin_route_and_callback_needs_a_session(admin_server):
    with _login(admin_server) as c:
        deps = c.get("/admin/_dash-dependencies").json()
        layout = c.get("/admin/").text
        scripts = [s.split('"')[0] for s in layout.split('src="')[1:]]
    assert deps and scripts
    routes = ["/admin", "/admin/", "/admin/_dash-layout", "/admin/_dash-dependencies", "/admin/_reload-hash",
              "/admin/_dash-update-component", "/admin/_favicon.ico", "/admin/x/../_dash-layout", *scripts]
    forged = ["", "siteseer_admin=garbage", "siteseer_admin=eyJjc3JmIjoieCJ9.AAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA"]
    with httpx.Client(base_url=admin_server.url, timeout=10) as anon:
        for cookie in forged:
            headers = {"cookie": cookie} if cookie else {}
            for path in routes:
                if path.startswith("/admin"):
                    assert anon.get(path, headers=headers).status_code in (401, 403), (path, cookie)
            for dep in deps:
                payload = {"output": dep["output"], "inputs": [{**i, "value": None} for i in dep["inputs"]],
                           "state": [{**s, "value": None} for s in dep["state"]], "changedPropIds": []}
                r = anon.post("/admin/_dash-update-component", json=payload, headers=headers)
                assert r.status_code in (401, 403), (dep["output"], r.status_code)
            assert anon.post("/admin/logout", headers=headers).status_code in (401, 403)
        assert anon.get("/metrics", headers={"x-forwarded-for": "192.0.2.1"}).status_code in (200, 401, 403)


def test_session_cookie_flags(admin_server):
    with admin_server.client() as c:
        r = c.post("/admin/login", data={"password": PASSWORD})
        cookies = r.headers.get_list("set-cookie")
    session = next(v for v in cookies if v.startswith("siteseer_admin="))
    csrf = next(v for v in cookies if v.startswith("siteseer_admin_csrf="))
    flags = {f.strip().split("=")[0].lower() for f in session.split(";")[1:]}
    assert {"httponly", "samesite", "path", "max-age"} <= flags, session
    assert "samesite=strict" in session.lower() and "httponly" not in csrf.lower()
    assert "secure" not in flags  # plain http here; set over https only
    assert r.headers["cache-control"] == "no-store"


def test_brute_force_is_throttled_across_workers(admin_server):
    codes = []
    for i in range(8):
        with httpx.Client(base_url=admin_server.url, timeout=10) as c:  # fresh connections: both workers
            codes.append(c.post("/admin/login", data={"password": f"guess{i}"}).status_code)
    assert codes[:5] == [401] * 5 and 429 in codes[5:], codes
    with httpx.Client(base_url=admin_server.url, timeout=10) as c:
        r = c.post("/admin/login", data={"password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1  # even the right one must wait


def test_cross_site_admin_actions_are_refused(admin_server):
    victim = "198.51.100.77"
    with _login(admin_server) as c:
        csrf = c.cookies["siteseer_admin_csrf"]
        deps = c.get("/admin/_dash-dependencies").json()
        dep = next(d for d in deps if "block-message.children" in d["output"])
        values = {"block-button.n_clicks": 1, "block-network.value": victim, "block-reason.value": "csrf test",
                  "block-minutes.value": 60}

        def payload():
            def val(item):
                key = f"{item['id']}.{item['property']}" if isinstance(item["id"], str) else None
                return {**item, "value": values.get(key)} if key else [{**item, "value": None}][0] | {"value": []}
            return {"output": dep["output"], "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]}
                                                         for o in dep["output"].strip(".").split("...")],
                    "inputs": [val(i) for i in dep["inputs"]], "state": [val(s) for s in dep["state"]],
                    "changedPropIds": ["block-button.n_clicks"]}

        base = {"x-csrftoken": csrf, "content-type": "application/json"}
        for extra in ({"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"},
                      {"origin": "null"}, {"sec-fetch-site": "same-site"}):
            r = c.post("/admin/_dash-update-component", content=json.dumps(payload()), headers={**base, **extra})
            assert r.status_code == 403, (extra, r.status_code)
        r = c.post("/admin/_dash-update-component", content=json.dumps(payload()),
                   headers={"content-type": "application/json"})
        assert r.status_code == 403  # no CSRF token
        assert c.post("/admin/logout", headers={"origin": "http://evil.example"}).status_code == 403
        assert c.post("/admin/login", data={"password": PASSWORD},
                      headers={"origin": "http://evil.example"}).status_code == 403
        # nothing was blocked by any of that...
        assert c.get("/docs/notes.txt", headers={"x-forwarded-for": victim}).status_code == 200
        # ...while the same request from the admin's own page does block (the refusals above mattered)
        r = c.post("/admin/_dash-update-component", content=json.dumps(payload()),
                   headers={**base, "origin": admin_server.url, "sec-fetch-site": "same-origin"})
        assert r.status_code == 200 and victim in r.text, r.text[:300]


# --- XSS in the browser ------------------------------------------------------------------

XSS = [
    '"><img src=x onerror="window.__xss=1;alert(1)">',
    "<script>window.__xss=2;alert(2)</script>",
    "<svg onload=window.__xss=3;alert(3)>",
    "javascript:window.__xss=4",
    "'--></style></title><iframe srcdoc=\"<script>parent.__xss=5</script>\">",
]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def test_xss_payloads_are_shown_as_text(serve, tmp_path):
    from playwright.sync_api import sync_playwright

    root = make_site(tmp_path / "site")
    hostile = root / "hostile"
    hostile.mkdir()
    for i, payload in enumerate(XSS):
        safe_name = payload.replace("/", "_")[:120]
        (hostile / f"{safe_name}.txt").write_text(f"zebrafinch document {i} {payload}\n")
        (hostile / f"page{i}.html").write_text(
            f"<html><head><title>zebrafinch {htmllib.escape(payload)}</title></head>"
            f"<body><h1>{htmllib.escape(payload)}</h1><p>zebrafinch body {htmllib.escape(payload)}</p></body></html>")
    server = serve(root, env={"SITESEER_ADMIN_PASSWORD": PASSWORD},
                   config='[access]\ntrusted_proxies = ["127.0.0.1"]\n')
    with server.client() as c:
        wait_until(lambda: c.get("/api/search?q=zebrafinch").json()["total"] >= 2 * len(XSS), timeout=60,
                   message="the hostile documents to be indexed")
        for payload in XSS:  # traffic the admin's tables will show
            c.get("/missing/" + payload.replace("#", ""), headers={"user-agent": payload, "referer": payload})
            c.get("/api/search", params={"q": payload})
    from urllib.parse import quote
    everything = " ".join(XSS)
    pages = ["/search?q=zebrafinch", "/hostile/", f"/search?q={quote(everything)}",
             f"/search?q={quote('zebrafinch ' + everything)}", "/missing/" + quote(everything.replace("#", ""))]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        dialogs: list[str] = []
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for path in pages:
                page.goto(server.url + path)
                page.wait_for_load_state("networkidle")
                _assert_inert(page, path)
            # the search results page shows the payload text literally
            page.goto(server.url + "/search?q=" + quote("zebrafinch"))
            page.wait_for_load_state("networkidle")
            assert "zebrafinch" in page.inner_text("body")
            page.goto(server.url + "/hostile/")
            assert "onerror" in page.inner_text("body")  # the file name, as text
            # the admin dashboard shows paths, user agents, referrers and queries from the traffic
            page.goto(server.url + "/admin/")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector("#g-requests .main-svg", timeout=30_000)
            page.wait_for_load_state("networkidle")
            _assert_inert(page, "/admin/")
        finally:
            browser.close()
    assert not dialogs, dialogs


def _assert_inert(page, where: str) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined", where
    injected = page.evaluate("""() => [...document.querySelectorAll('[onerror],[onload],iframe[srcdoc]')]
        .map(e => e.outerHTML).concat([...document.scripts].filter(s => s.text.includes('__xss')).map(s => s.text))
        .concat([...document.querySelectorAll('a[href^="javascript:"]')].map(a => a.outerHTML))""")
    assert not injected, (where, injected[:3])
