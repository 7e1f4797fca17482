import io
import json

from siteseer.gatekeeper.accesslog import AccessLog, combined_line, json_line
from siteseer.gatekeeper.redirects import Redirects


def test_exact_and_prefix_rules():
    r = Redirects({"/old/page.html": "/new/page.html", "/blog/*": "/posts/*", "/blog/2020/*": "/archive/*",
                   "/gone/*": "/"}, 301)
    assert r.location("/old/page.html") == "/new/page.html"
    assert r.location("/old/page.html", "q=1") == "/new/page.html?q=1"
    assert r.location("/blog/hello.html", "x=y") == "/posts/hello.html?x=y"
    assert r.location("/blog/2020/a.html") == "/archive/a.html"  # longest prefix wins
    assert r.location("/gone/anything") == "/"
    assert r.location("/other") is None
    assert r.location("/blog/caf\u00e9 x") == "/posts/caf%C3%A9%20x"


def test_empty_redirects_are_falsy():
    assert not Redirects({}, 301)


ENTRY = dict(ts=0.0, ip="192.0.2.1", method="GET", target='/a"b\n', http_version="1.1", status=200,
             bytes=12, referrer=None, ua="curl", duration_ms=1.5)


def test_combined_line_escapes_quotes_and_newlines():
    line = combined_line(ENTRY)
    assert line.startswith('192.0.2.1 - - [01/Jan/1970:00:00:00 +0000] "GET /a\\"b\\n HTTP/1.1" 200 12 "-" "curl"')
    assert "\n" not in line


def test_json_line_is_json():
    data = json.loads(json_line(ENTRY))
    assert data["status"] == 200 and data["path"] == '/a"b\n' and data["ip"] == "192.0.2.1"


def test_json_line_is_one_line_for_every_reader():
    # JSON leaves U+2028, U+2029 and NEL raw; splitlines() (and some log shippers) broke there.
    entry = dict(ENTRY, target="/a\u2028b\x85c\u2029d caf\u00e9", ua="x\u2028y")
    line = json_line(entry)
    assert len(line.splitlines()) == 1 and "caf\u00e9" in line  # other text stays as written
    assert json.loads(line)["path"] == entry["target"] and json.loads(line)["ua"] == "x\u2028y"


def test_access_log_buffers_and_flushes():
    out = io.StringIO()
    log = AccessLog("combined", out, flush_interval=3600)
    log.write(ENTRY)  # first write flushes (no flush yet)
    log.write(ENTRY)
    log.flush()
    assert out.getvalue().count("\n") == 2
    off = AccessLog("off", out)
    assert not off.enabled
    off.write(ENTRY)


def test_app_csp_quotes_hashes_once():
    from siteseer.gatekeeper.headers import app_csp

    csp = app_csp(["'sha256-abc='", "sha256-def="])
    assert "script-src 'self' 'sha256-abc=' 'sha256-def='" in csp
    assert "''" not in csp


def test_clf_time_changes_with_the_second():
    from siteseer.gatekeeper.accesslog import clf_time

    assert clf_time(0.2) == "01/Jan/1970:00:00:00 +0000"
    assert clf_time(86401.9) == "02/Jan/1970:00:00:01 +0000"
    assert clf_time(0.9) == "01/Jan/1970:00:00:00 +0000"


def test_the_rest_of_a_moved_path_keeps_naming_the_same_file():
    # The rest comes decoded: re-encoded as a path, never turned into a query, a fragment or another name.
    r = Redirects({"/blog/*": "/posts/*", "/old/*": "/*", "/any/*": "*", "/q/*": "/search?from=blog#top"}, 301)
    assert r.location("/blog/what?.html", "x=1") == "/posts/what%3F.html?x=1"
    assert r.location("/blog/a#b") == "/posts/a%23b"
    assert r.location("/blog/a%20b") == "/posts/a%2520b"  # a file named "a%20b", not "a b"
    assert r.location("/blog/50% off") == "/posts/50%25%20off"
    assert r.location("/blog/it's (1),@:~!.html") == "/posts/it's%20(1),@:~!.html"  # path characters stay
    assert r.location("/old//evil.example") == "/evil.example"  # still never another site
    assert r.location("/any/https://evil.example") == "/https://evil.example"
    assert r.location("/q/anything", "q=1") == "/search?from=blog&q=1#top"  # a target's own query and fragment
